/*
 * aws_sns.c - SNS Publish and CreateTopic over aws_http.c (Query
 * protocol: Action/Version and parameters form-encoded in a POST body;
 * the answer is <ActionResponse><ActionResult>...).
 */
#include "aws_sns.h"
#include "aws_xml.h"
#include "hash.h"
#include "uri.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNS_FORM_CAP (2u << 20) /* a 256 KiB message, encoded, fits */

struct aws_sns {
	struct aws_client http;
};

struct aws_sns *aws_sns_new(const struct aws_config *cfg, struct aws_error *err)
{
	struct aws_sns *s = xcalloc(1, sizeof(*s));
	if (aws_client_init(&s->http, cfg, AWS_SERVICE_SNS, err) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

void aws_sns_free(struct aws_sns *sns)
{
	if (!sns)
		return;
	aws_client_cleanup(&sns->http);
	free(sns);
}

struct aws_client *aws_sns_http(struct aws_sns *sns)
{
	return &sns->http;
}

/* Append "&name=value" with value form-encoded (len bytes). */
static int form_add(struct buf *f, const char *name, const char *value, size_t len)
{
	int rc = buf_printf(f, "%s%s=", f->len ? "&" : "", name);
	return rc | uri_encode(f, value, len, 0);
}

/*
 * POST form and read <action>Response/<action>Result/<field> into *out
 * (heap string; caller frees).  Returns 0 or -1.
 */
static int sns_call(struct aws_sns *sns, const char *action, struct buf *form,
		    const char *field, char **out, struct aws_error *err)
{
	struct aws_http_header h[] = {
		{ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
	};
	struct aws_http_request req = {
		.method = "POST", .path = "/", .headers = h, .header_count = 1,
		.body = form->data, .body_len = form->len, .body_fd = -1, .out_fd = -1,
	};
	struct aws_http_response resp;
	*out = NULL;
	int rc = aws_http_send(&sns->http, &req, &resp, err);
	if (rc == 0) {
		char path[128];
		snprintf(path, sizeof(path), "%sResult/%s", action, field);
		struct aws_xml *doc = aws_xml_parse(resp.body.data, resp.body.len);
		const char *v = aws_xml_text(aws_xml_path(doc, path));
		if (v && *v)
			*out = xstrdup(v);
		else
			rc = aws_error_set(err, (int)resp.status, "ClientError",
					   "unreadable %s response", action);
		aws_xml_free(doc);
	}
	aws_http_response_free(&resp);
	return rc;
}

int aws_sns_publish(struct aws_sns *sns, const char *topic_arn, const char *message,
		    const char *subject, const struct aws_sns_attr *attrs, size_t count,
		    char *message_id, struct aws_error *err)
{
	struct buf f;
	int rc = 0;
	if (!topic_arn || !message)
		return aws_error_set(err, 0, "InvalidParameter", "topic ARN and message are required");
	buf_init(&f, SNS_FORM_CAP);
	rc |= buf_puts(&f, "Action=Publish&Version=2010-03-31");
	rc |= form_add(&f, "TopicArn", topic_arn, strlen(topic_arn));
	rc |= form_add(&f, "Message", message, strlen(message));
	if (subject)
		rc |= form_add(&f, "Subject", subject, strlen(subject));
	for (size_t i = 0; i < count && rc == 0; i++) {
		const struct aws_sns_attr *a = &attrs[i];
		char key[96];
		int binary = strcmp(a->type, "Binary") == 0;
		snprintf(key, sizeof(key), "MessageAttributes.entry.%zu.Name", i + 1);
		rc |= form_add(&f, key, a->name, strlen(a->name));
		snprintf(key, sizeof(key), "MessageAttributes.entry.%zu.Value.DataType", i + 1);
		rc |= form_add(&f, key, a->type, strlen(a->type));
		if (binary) {
			size_t n = a->value_len ? a->value_len : strlen(a->value);
			char *b64 = xmalloc(HASH_BASE64_LEN(n) + 1);
			size_t bl = hash_base64_encode(a->value, n, b64);
			snprintf(key, sizeof(key), "MessageAttributes.entry.%zu.Value.BinaryValue", i + 1);
			rc |= form_add(&f, key, b64, bl);
			free(b64);
		} else {
			snprintf(key, sizeof(key), "MessageAttributes.entry.%zu.Value.StringValue", i + 1);
			rc |= form_add(&f, key, a->value, strlen(a->value));
		}
	}
	if (rc) {
		buf_free(&f);
		return aws_error_set(err, 0, "InvalidParameter", "message too long");
	}
	char *id;
	rc = sns_call(sns, "Publish", &f, "MessageId", &id, err);
	buf_free(&f);
	if (rc == 0) {
		if (message_id)
			snprintf(message_id, AWS_SNS_ID_MAX, "%s", id);
		free(id);
	}
	return rc;
}

int aws_sns_create_topic(struct aws_sns *sns, const char *name, char **arn,
			 struct aws_error *err)
{
	struct buf f;
	*arn = NULL;
	if (!name || !*name)
		return aws_error_set(err, 0, "InvalidParameter", "topic name is empty");
	buf_init(&f, SNS_FORM_CAP);
	int rc = buf_puts(&f, "Action=CreateTopic&Version=2010-03-31");
	rc |= form_add(&f, "Name", name, strlen(name));
	if (rc) {
		buf_free(&f);
		return aws_error_set(err, 0, "InvalidParameter", "topic name too long");
	}
	rc = sns_call(sns, "CreateTopic", &f, "TopicArn", arn, err);
	buf_free(&f);
	return rc;
}
