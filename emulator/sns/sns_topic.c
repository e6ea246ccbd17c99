/*
 * sns_topic.c - topics: CreateTopic (idempotent by name), DeleteTopic,
 * ListTopics, Get/SetTopicAttributes and the tag operations.
 *
 * A topic row keeps only the attributes a user set, as a JSON object;
 * GetTopicAttributes adds what AWS computes (Owner, TopicArn, the default
 * Policy, EffectiveDeliveryPolicy, subscription counts).  Attribute names
 * are checked against the list AWS accepts; a value AWS parses (JSON
 * policies, SignatureVersion, sample rates) is checked the same way.
 */
#include "config.h"
#include "protocol.h"
#include "sns.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNS_LIST_PAGE 100
#define SNS_MAX_TAGS 50

const char sns_default_delivery_policy[] =
	"{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":20,"
	"\"maxDelayTarget\":20,\"numRetries\":3,\"numMaxDelayRetries\":0,"
	"\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,"
	"\"backoffFunction\":\"linear\"},\"disableSubscriptionOverrides\":"
	"false,\"defaultRequestPolicy\":{\"headerContentType\":"
	"\"text/plain; charset=UTF-8\"}}}";

/* Attributes a topic accepts; `create_only` ones only at CreateTopic. */
static const struct {
	const char *name;
	int create_only;
} topic_attrs[] = {
	{"DeliveryPolicy", 0}, {"DisplayName", 0}, {"Policy", 0},
	{"SignatureVersion", 0}, {"TracingConfig", 0}, {"KmsMasterKeyId", 0},
	{"ContentBasedDeduplication", 0}, {"ArchivePolicy", 0},
	{"FifoThroughputScope", 0}, {"DataProtectionPolicy", 1},
	{"FifoTopic", 1},
	{"ApplicationSuccessFeedbackRoleArn", 0},
	{"ApplicationSuccessFeedbackSampleRate", 0},
	{"ApplicationFailureFeedbackRoleArn", 0},
	{"FirehoseSuccessFeedbackRoleArn", 0},
	{"FirehoseSuccessFeedbackSampleRate", 0},
	{"FirehoseFailureFeedbackRoleArn", 0},
	{"HTTPSuccessFeedbackRoleArn", 0},
	{"HTTPSuccessFeedbackSampleRate", 0},
	{"HTTPFailureFeedbackRoleArn", 0},
	{"LambdaSuccessFeedbackRoleArn", 0},
	{"LambdaSuccessFeedbackSampleRate", 0},
	{"LambdaFailureFeedbackRoleArn", 0},
	{"SQSSuccessFeedbackRoleArn", 0},
	{"SQSSuccessFeedbackSampleRate", 0},
	{"SQSFailureFeedbackRoleArn", 0},
};

/* 1 if name is a topic attribute (settable later unless create_only). */
static int topic_attr_known(const char *name, int creating)
{
	for (size_t i = 0; i < sizeof(topic_attrs) / sizeof(topic_attrs[0]);
	     i++)
		if (strcmp(topic_attrs[i].name, name) == 0)
			return creating || !topic_attrs[i].create_only;
	return 0;
}

static int is_fifo_attrs(const cJSON *attrs)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(attrs, "FifoTopic");
	return cJSON_IsString(f) && strcmp(f->valuestring, "true") == 0;
}

/*
 * Check one attribute value as AWS would; fifo says whether the topic is
 * FIFO.  Returns 0, or -1 with InvalidParameter recorded.
 */
static int check_topic_attr(struct request *req, const char *name,
			    const char *value, int fifo)
{
	if (strcmp(name, "Policy") == 0 || strcmp(name, "DeliveryPolicy") == 0 ||
	    strcmp(name, "DataProtectionPolicy") == 0 ||
	    strcmp(name, "ArchivePolicy") == 0) {
		if (!*value && strcmp(name, "Policy") != 0)
			return 0;
		cJSON *j = cJSON_Parse(value);
		int ok = cJSON_IsObject(j);
		cJSON_Delete(j);
		if (!ok)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: %s: failed to "
					 "parse JSON", name);
		if (strcmp(name, "DeliveryPolicy") == 0 &&
		    sns_delivery_policy_check(value, 1))
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: DeliveryPolicy: "
					 "healthyRetryPolicy is invalid");
	} else if (strcmp(name, "SignatureVersion") == 0) {
		if (strcmp(value, "1") != 0 && strcmp(value, "2") != 0)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: SignatureVersion");
	} else if (strcmp(name, "FifoTopic") == 0 ||
		   strcmp(name, "ContentBasedDeduplication") == 0) {
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: %s", name);
		if (strcmp(name, "ContentBasedDeduplication") == 0 && !fifo &&
		    strcmp(value, "true") == 0)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: ContentBased"
					 "Deduplication Reason: Content-based "
					 "deduplication can only be set for "
					 "FIFO topics");
	} else if (strstr(name, "SampleRate")) {
		char *end;
		long v = strtol(value, &end, 10);
		if (!*value || *end || v < 0 || v > 100)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: %s", name);
	} else if (strcmp(name, "DisplayName") == 0 && strlen(value) > 100) {
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: DisplayName");
	}
	return 0;
}

cJSON *sns_topic_load(struct sns *sns, const char *arn)
{
	sqlite3_stmt *st = store_prepare(
		sns->db, "SELECT attrs FROM topics WHERE arn = ?1");
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
	cJSON *attrs = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		attrs = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return attrs;
}

/* Insert or replace the tags of arn (inside a transaction). */
static int put_tags(struct sns *sns, const char *arn,
		    const struct sns_pair *tags, int n)
{
	for (int i = 0; i < n; i++) {
		sqlite3_stmt *st = store_prepare(
			sns->db, "INSERT OR REPLACE INTO tags(arn, key, value)"
				 " VALUES(?1, ?2, ?3)");
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, tags[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, tags[i].value, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

static int check_tags(struct request *req, const struct sns_pair *tags,
		      int n)
{
	if (n > SNS_MAX_TAGS)
		return req_error(req, 400, "TagLimitExceeded",
				 "Could not complete request: tag quota of "
				 "per resource exceeded");
	for (int i = 0; i < n; i++) {
		if (!*tags[i].key || strlen(tags[i].key) > 128 ||
		    strlen(tags[i].value) > 256)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: Tags");
	}
	return 0;
}

static int topic_name_ok(const char *name, int fifo)
{
	size_t len = strlen(name);
	size_t base = len;
	if (fifo) {
		if (len < 5 || strcmp(name + len - 5, ".fifo") != 0)
			return 0;
		base = len - 5;
	}
	if (len < 1 || len > 256 || base < 1)
		return 0;
	for (size_t i = 0; i < base; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* Does the stored topic carry exactly the requested attributes (the
 * ones that were given)?  AWS refuses a re-create that changes them. */
static int same_attrs(const cJSON *stored, const struct sns_pair *attrs,
		      int n)
{
	for (int i = 0; i < n; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(
			stored, attrs[i].key);
		const char *have = cJSON_IsString(v) ? v->valuestring : NULL;
		if (strcmp(attrs[i].key, "FifoTopic") == 0 && !have)
			have = "false";
		if (!have || strcmp(have, attrs[i].value) != 0)
			return 0;
	}
	return 1;
}

int sns_create_topic(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *name = sns_require(req, "Name");
	if (!name)
		return -1;
	struct sns_pair *attrs, *tags;
	int n_attrs = sns_query_map(req, "Attributes", &attrs);
	if (n_attrs < 0)
		return -1;
	int n_tags = sns_query_tags(req, "Tags", &tags);
	if (n_tags < 0 || check_tags(req, tags, n_tags))
		return -1;

	cJSON *obj = cJSON_CreateObject();
	sns_defer_json(req, obj);
	for (int i = 0; i < n_attrs; i++) {
		if (!topic_attr_known(attrs[i].key, 1))
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: Attributes "
					 "Reason: Unknown attribute %s",
					 attrs[i].key);
		cJSON_DeleteItemFromObjectCaseSensitive(obj, attrs[i].key);
		cJSON_AddStringToObject(obj, attrs[i].key, attrs[i].value);
	}
	int fifo = is_fifo_attrs(obj);
	if (!topic_name_ok(name, fifo)) {
		if (fifo)
			return req_error(
				req, 400, "InvalidParameter",
				"Invalid parameter: Fifo Topic names must end "
				"with .fifo and must be made up of only "
				"uppercase and lowercase ASCII letters, "
				"numbers, underscores, and hyphens, and must "
				"be between 1 and 256 characters long.");
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: Topic Name");
	}
	if (cJSON_GetObjectItemCaseSensitive(obj, "FifoTopic") && !fifo)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "FifoTopic");
	for (cJSON *a = obj->child; a; a = a->next)
		if (check_topic_attr(req, a->string, a->valuestring, fifo))
			return -1;

	char *arn = sns_topic_arn(req, name);
	if (store_begin(sns->db))
		return sns_internal_error(req);
	cJSON *stored = sns_topic_load(sns, arn);
	if (stored) {
		int same = same_attrs(stored, attrs, n_attrs);
		cJSON_Delete(stored);
		store_rollback(sns->db);
		if (!same)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: Attributes Reason:"
					 " Topic already exists with different "
					 "attributes");
		query_answer_one(req, resp, "CreateTopic", "TopicArn", arn);
		return 0;
	}
	char *text = cJSON_PrintUnformatted(obj);
	sqlite3_stmt *st = store_prepare(
		sns->db, "INSERT INTO topics(arn, name, attrs, created_ms) "
			 "VALUES(?1, ?2, ?3, ?4)");
	int rc = -1;
	if (st) {
		sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, time_now_ms());
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	free(text);
	if (rc || put_tags(sns, arn, tags, n_tags) || store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	query_answer_one(req, resp, "CreateTopic", "TopicArn", arn);
	return 0;
}

int sns_delete_topic(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *arn = sns_require(req, "TopicArn");
	if (!arn)
		return -1;
	if (!sns_arn_is_topic(arn))
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: TopicArn");
	if (store_begin(sns->db))
		return sns_internal_error(req);
	int rc = sns_subs_delete_for_topic(sns, arn);
	const char *sql[] = {"DELETE FROM tags WHERE arn = ?1",
			     "DELETE FROM dedup WHERE topic_arn = ?1",
			     "DELETE FROM topics WHERE arn = ?1"};
	for (size_t i = 0; i < 3 && rc == 0; i++) {
		sqlite3_stmt *st = store_prepare(sns->db, sql[i]);
		if (!st) {
			rc = -1;
			break;
		}
		sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	if (rc || store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	sns_answer_empty(req, resp, "DeleteTopic");
	return 0;
}

int sns_list_topics(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *token = req_query(req, "NextToken");
	sqlite3_stmt *st = store_prepare(
		sns->db, "SELECT arn FROM topics WHERE arn > ?1 ORDER BY arn "
			 "LIMIT ?2");
	if (!st)
		return sns_internal_error(req);
	sqlite3_bind_text(st, 1, token ? token : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, SNS_LIST_PAGE + 1);
	struct buf b;
	buf_init(&b, 1 << 22);
	query_begin(&b, req->service, "ListTopics");
	buf_puts(&b, "\n    <Topics>");
	int n = 0;
	char last[1024] = "";
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *arn = (const char *)sqlite3_column_text(st, 0);
		if (++n > SNS_LIST_PAGE)
			break;
		buf_puts(&b, "\n      <member>");
		query_element(&b, "TopicArn", arn);
		buf_puts(&b, "</member>");
		snprintf(last, sizeof(last), "%s", arn);
	}
	sqlite3_reset(st);
	buf_puts(&b, "\n    </Topics>");
	if (n > SNS_LIST_PAGE) {
		buf_puts(&b, "\n    ");
		query_element(&b, "NextToken", last);
	}
	buf_puts(&b, "\n  ");
	query_end(&b, req, "ListTopics");
	query_send(resp, &b);
	return 0;
}

/* Subscription counts of a topic: pending, confirmed. */
static void sub_counts(struct sns *sns, const char *arn, long *pending,
		       long *confirmed)
{
	*pending = *confirmed = 0;
	sqlite3_stmt *st = store_prepare(
		sns->db, "SELECT confirmed, count(*) FROM subs WHERE "
			 "topic_arn = ?1 GROUP BY confirmed");
	if (!st)
		return;
	sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_int(st, 0))
			*confirmed = sqlite3_column_int64(st, 1);
		else
			*pending = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
}

static char *default_policy(struct request *req, const char *arn)
{
	return arena_printf(
		req->arena,
		"{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_ID\","
		"\"Statement\":[{\"Sid\":\"__default_statement_ID\",\"Effect\":"
		"\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":["
		"\"SNS:GetTopicAttributes\",\"SNS:SetTopicAttributes\","
		"\"SNS:AddPermission\",\"SNS:RemovePermission\","
		"\"SNS:DeleteTopic\",\"SNS:Subscribe\","
		"\"SNS:ListSubscriptionsByTopic\",\"SNS:Publish\"],"
		"\"Resource\":\"%s\",\"Condition\":{\"StringEquals\":{"
		"\"AWS:SourceOwner\":\"%s\"}}}]}",
		arn, req->emu->config->account_id);
}

/* Look up a topic for an operation that names it in `param`; NULL with
 * the error recorded (InvalidParameter for a bad ARN, NotFound). */
static cJSON *topic_for(struct request *req, const char *param,
			const char **arn_out)
{
	struct sns *sns = req->service_state;
	const char *arn = sns_require(req, param);
	if (!arn)
		return NULL;
	if (!sns_arn_is_topic(arn)) {
		req_error(req, 400, "InvalidParameter",
			  "Invalid parameter: %s", param);
		return NULL;
	}
	cJSON *attrs = sns_topic_load(sns, arn);
	if (!attrs) {
		req_error(req, 404, "NotFound", "Topic does not exist");
		return NULL;
	}
	sns_defer_json(req, attrs);
	*arn_out = arn;
	return attrs;
}

int sns_get_topic_attributes(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *arn;
	cJSON *attrs = topic_for(req, "TopicArn", &arn);
	if (!attrs)
		return -1;
	long pending, confirmed;
	sub_counts(sns, arn, &pending, &confirmed);
	char num[32];
	struct buf b;
	buf_init(&b, 1 << 22);
	query_begin(&b, req->service, "GetTopicAttributes");
	buf_puts(&b, "\n    <Attributes>");
	const cJSON *policy = cJSON_GetObjectItemCaseSensitive(attrs, "Policy");
	if (!cJSON_IsString(policy))
		sns_xml_entry(&b, "Policy", default_policy(req, arn));
	sns_xml_entry(&b, "Owner", req->emu->config->account_id);
	sns_xml_entry(&b, "TopicArn", arn);
	if (!cJSON_GetObjectItemCaseSensitive(attrs, "DisplayName"))
		sns_xml_entry(&b, "DisplayName", "");
	snprintf(num, sizeof(num), "%ld", pending);
	sns_xml_entry(&b, "SubscriptionsPending", num);
	snprintf(num, sizeof(num), "%ld", confirmed);
	sns_xml_entry(&b, "SubscriptionsConfirmed", num);
	sns_xml_entry(&b, "SubscriptionsDeleted", "0");
	const cJSON *dp =
		cJSON_GetObjectItemCaseSensitive(attrs, "DeliveryPolicy");
	sns_xml_entry(&b, "EffectiveDeliveryPolicy",
		      cJSON_IsString(dp) && *dp->valuestring
			      ? dp->valuestring
			      : sns_default_delivery_policy);
	for (const cJSON *a = attrs->child; a; a = a->next)
		if (cJSON_IsString(a))
			sns_xml_entry(&b, a->string, a->valuestring);
	buf_puts(&b, "\n    </Attributes>\n  ");
	query_end(&b, req, "GetTopicAttributes");
	query_send(resp, &b);
	return 0;
}

int sns_set_topic_attributes(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *arn;
	const char *name = sns_require(req, "AttributeName");
	if (!name)
		return -1;
	const char *value = req_query(req, "AttributeValue");
	if (!value)
		value = "";
	cJSON *attrs = topic_for(req, "TopicArn", &arn);
	if (!attrs)
		return -1;
	if (!topic_attr_known(name, 0))
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: AttributeName");
	if (check_topic_attr(req, name, value, is_fifo_attrs(attrs)))
		return -1;
	if (store_begin(sns->db))
		return sns_internal_error(req);
	cJSON *cur = sns_topic_load(sns, arn);
	if (!cur) {
		store_rollback(sns->db);
		return req_error(req, 404, "NotFound", "Topic does not exist");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(cur, name);
	/* An empty Policy/DeliveryPolicy goes back to the default. */
	if (*value || strcmp(name, "DisplayName") == 0)
		cJSON_AddStringToObject(cur, name, value);
	char *text = cJSON_PrintUnformatted(cur);
	cJSON_Delete(cur);
	sqlite3_stmt *st = store_prepare(
		sns->db, "UPDATE topics SET attrs = ?2 WHERE arn = ?1");
	int rc = -1;
	if (st) {
		sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	free(text);
	if (rc || store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	sns_answer_empty(req, resp, "SetTopicAttributes");
	return 0;
}

/* The topic named by ResourceArn, for the tag operations: NULL with
 * ResourceNotFound (404) or InvalidParameter recorded. */
static const char *tag_target(struct request *req)
{
	struct sns *sns = req->service_state;
	const char *arn = sns_require(req, "ResourceArn");
	if (!arn)
		return NULL;
	if (!sns_arn_is_topic(arn)) {
		req_error(req, 400, "InvalidParameter",
			  "Invalid parameter: ResourceArn");
		return NULL;
	}
	cJSON *attrs = sns_topic_load(sns, arn);
	if (!attrs) {
		req_error(req, 404, "ResourceNotFound",
			  "Resource does not exist");
		return NULL;
	}
	cJSON_Delete(attrs);
	return arn;
}

static long tag_count(struct sns *sns, const char *arn)
{
	long n = 0;
	sqlite3_stmt *st = store_prepare(
		sns->db, "SELECT count(*) FROM tags WHERE arn = ?1");
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

int sns_tag_resource(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *arn = tag_target(req);
	if (!arn)
		return -1;
	struct sns_pair *tags;
	int n = sns_query_tags(req, "Tags", &tags);
	if (n < 0 || check_tags(req, tags, n))
		return -1;
	if (store_begin(sns->db))
		return sns_internal_error(req);
	if (put_tags(sns, arn, tags, n)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	if (tag_count(sns, arn) > SNS_MAX_TAGS) {
		store_rollback(sns->db);
		return req_error(req, 400, "TagLimitExceeded",
				 "Could not complete request: tag quota of "
				 "per resource exceeded");
	}
	if (store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	sns_answer_empty(req, resp, "TagResource");
	return 0;
}

int sns_untag_resource(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *arn = tag_target(req);
	if (!arn)
		return -1;
	const char **keys;
	int n = sns_query_list(req, "TagKeys", &keys);
	if (store_begin(sns->db))
		return sns_internal_error(req);
	for (int i = 0; i < n; i++) {
		sqlite3_stmt *st = store_prepare(
			sns->db, "DELETE FROM tags WHERE arn = ?1 AND key = ?2");
		if (!st) {
			store_rollback(sns->db);
			return sns_internal_error(req);
		}
		sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, keys[i], -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			store_rollback(sns->db);
			return sns_internal_error(req);
		}
	}
	if (store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	sns_answer_empty(req, resp, "UntagResource");
	return 0;
}

int sns_list_tags(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *arn = tag_target(req);
	if (!arn)
		return -1;
	sqlite3_stmt *st = store_prepare(
		sns->db, "SELECT key, value FROM tags WHERE arn = ?1 ORDER BY "
			 "key");
	if (!st)
		return sns_internal_error(req);
	sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
	struct buf b;
	buf_init(&b, 1 << 20);
	query_begin(&b, req->service, "ListTagsForResource");
	buf_puts(&b, "\n    <Tags>");
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_puts(&b, "\n      <member>");
		query_element(&b, "Key", (const char *)sqlite3_column_text(st, 0));
		query_element(&b, "Value",
			      (const char *)sqlite3_column_text(st, 1));
		buf_puts(&b, "</member>");
	}
	sqlite3_reset(st);
	buf_puts(&b, "\n    </Tags>\n  ");
	query_end(&b, req, "ListTagsForResource");
	query_send(resp, &b);
	return 0;
}
