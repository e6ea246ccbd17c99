/*
 * sns_query.c - the Query-protocol side of SNS's inputs and answers.
 *
 * botocore serialises SNS's maps and lists as numbered form fields:
 *   Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=x
 *   Tags.member.1.Key=k&Tags.member.1.Value=v
 *   TagKeys.member.1=k
 * (numbering from 1, no gaps).  These helpers read them back from the
 * decoded form (req->query) into arena memory, and check the ARNs and
 * required parameters the way SNS reports them.
 */
#include "config.h"
#include "protocol.h"
#include "sns.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* The decoded form field named exactly name, or NULL. */
static const char *field(struct request *req, const char *name)
{
	return req_query(req, name);
}

int sns_query_map(struct request *req, const char *prefix,
		  struct sns_pair **out)
{
	int n = 0;
	while (1) {
		char name[160];
		snprintf(name, sizeof(name), "%s.entry.%d.key", prefix, n + 1);
		const char *k = field(req, name);
		snprintf(name, sizeof(name), "%s.entry.%d.value", prefix,
			 n + 1);
		const char *v = field(req, name);
		if (!k && !v)
			break;
		if (!k)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: %s", prefix);
		n++;
	}
	*out = arena_alloc(req->arena, (size_t)(n ? n : 1) * sizeof(**out));
	for (int i = 0; i < n; i++) {
		char name[160];
		snprintf(name, sizeof(name), "%s.entry.%d.key", prefix, i + 1);
		(*out)[i].key = field(req, name);
		snprintf(name, sizeof(name), "%s.entry.%d.value", prefix,
			 i + 1);
		const char *v = field(req, name);
		(*out)[i].value = v ? v : "";
	}
	return n;
}

int sns_query_list(struct request *req, const char *prefix,
		   const char ***out)
{
	int n = 0;
	char name[160];
	while (1) {
		snprintf(name, sizeof(name), "%s.member.%d", prefix, n + 1);
		if (!field(req, name))
			break;
		n++;
	}
	*out = arena_alloc(req->arena, (size_t)(n ? n : 1) * sizeof(**out));
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s.member.%d", prefix, i + 1);
		(*out)[i] = field(req, name);
	}
	return n;
}

int sns_query_tags(struct request *req, const char *prefix,
		   struct sns_pair **out)
{
	int n = 0;
	char name[160];
	while (1) {
		snprintf(name, sizeof(name), "%s.member.%d.Key", prefix, n + 1);
		const char *k = field(req, name);
		snprintf(name, sizeof(name), "%s.member.%d.Value", prefix,
			 n + 1);
		const char *v = field(req, name);
		if (!k && !v)
			break;
		if (!k)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: Tags");
		n++;
	}
	*out = arena_alloc(req->arena, (size_t)(n ? n : 1) * sizeof(**out));
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s.member.%d.Key", prefix, i + 1);
		(*out)[i].key = field(req, name);
		snprintf(name, sizeof(name), "%s.member.%d.Value", prefix,
			 i + 1);
		const char *v = field(req, name);
		(*out)[i].value = v ? v : "";
	}
	return n;
}

const char *sns_require(struct request *req, const char *name)
{
	const char *v = req_query(req, name);
	if (!v) {
		req_error(req, 400, "InvalidParameter",
			  "Invalid parameter: %s Reason: The parameter %s is "
			  "required", name, name);
		return NULL;
	}
	return v;
}

/* Count ':' separated fields of arn; checks "arn:aws:sns:" and that no
 * field but the region is empty. */
static int arn_fields(const char *arn)
{
	if (strncmp(arn, "arn:aws:sns:", 12) != 0)
		return -1;
	int n = 1;
	const char *p = arn, *start = arn;
	for (; *p; p++) {
		if (*p == ':') {
			if (p == start)
				return -1;
			n++;
			start = p + 1;
		}
	}
	if (p == start)
		return -1;
	return n;
}

static int name_ok(const char *name)
{
	size_t len = strcspn(name, ":");
	if (len == 0 || len > 256)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return 0;
	}
	return 1;
}

int sns_arn_is_topic(const char *arn)
{
	if (arn_fields(arn) != 6)
		return 0;
	return name_ok(strrchr(arn, ':') + 1);
}

int sns_arn_is_subscription(const char *arn)
{
	if (arn_fields(arn) != 7)
		return 0;
	const char *id = strrchr(arn, ':') + 1;
	return strlen(id) >= 1 && strlen(id) <= 100;
}

char *sns_topic_arn(struct request *req, const char *name)
{
	const struct config *cfg = req->emu->config;
	const char *region = req->identity.region ? req->identity.region
						   : cfg->region;
	return arena_printf(req->arena, "arn:aws:sns:%s:%s:%s", region,
			    cfg->account_id, name);
}

const char *sns_base_url(struct request *req)
{
	const struct config *cfg = req->emu->config;
	if (req->host && req->host[0])
		return arena_printf(req->arena, "http://%s", req->host);
	return arena_printf(req->arena, "http://%s:%d", cfg->host, cfg->port);
}

void sns_xml_entry(struct buf *b, const char *key, const char *value)
{
	buf_puts(b, "\n      <entry>");
	query_element(b, "key", key);
	query_element(b, "value", value);
	buf_puts(b, "</entry>");
}

int sns_internal_error(struct request *req)
{
	return req_error(req, 500, "InternalError",
			 "the SNS database failed; see the emulator log");
}

void sns_answer_empty(struct request *req, struct response *resp,
		      const char *action)
{
	struct buf b;
	buf_init(&b, 1 << 12);
	buf_printf(&b, "<%sResponse xmlns=\"%s\">\n", action,
		   req->service->error_namespace);
	/* Operations whose output shape is an empty structure answer with
	 * an empty Result element, as AWS does (botocore expects it). */
	if (strcmp(action, "TagResource") == 0 ||
	    strcmp(action, "UntagResource") == 0)
		buf_printf(&b, "  <%sResult/>\n", action);
	buf_printf(&b, "  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n"
		   "  </ResponseMetadata>\n</%sResponse>\n", req->request_id,
		   action);
	query_send(resp, &b);
}

static void delete_json(void *json)
{
	cJSON_Delete(json);
}

void sns_defer_json(struct request *req, struct cJSON *json)
{
	arena_defer(req->arena, delete_json, json);
}
