/*
 * sns_publish.c - Publish and PublishBatch, and the bus hook other
 * services publish through.
 *
 * A publish checks the message as AWS does (size, Subject, MessageStructure
 * =json with its "default" key, message attributes of every data type,
 * FIFO group and deduplication ids), then, in one transaction, writes one
 * outbox row per confirmed subscription that can receive it (http, https,
 * lambda) and whose filter policy matches.  The row holds the exact,
 * signed document to send; the delivery threads (sns_deliver.c) do the
 * rest.  FIFO topics keep a per-topic sequence number and a five-minute
 * deduplication window (a duplicate gets the first message's id and is
 * not fanned out again).
 */
#include "hash.h"
#include "ids.h"
#include "protocol.h"
#include "sns.h"
#include "sns_filter.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNS_MAX_MESSAGE (256 * 1024)
#define SNS_MAX_ATTRS 10
#define SNS_MAX_BATCH 10
#define SNS_DEDUP_WINDOW_MS (5 * 60 * 1000)

/* A failure described for Publish (recorded) or a batch entry (Failed). */
struct pub_err {
	const char *code;
	char message[512];
	int status;
};

static int fail(struct pub_err *e, int status, const char *code,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct pub_err *e, int status, const char *code,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	e->code = code;
	e->status = status;
	return -1;
}

/* What a publish carries besides struct sns_message. */
struct pub_in {
	struct sns_message m;
	const char *group_id;
	const char *dedup_id;
	char seq[32];
	int duplicate; /* FIFO: seen within the window */
};

static const char *param(struct request *req, const char *prefix,
			 const char *name)
{
	return req_query(req, arena_printf(req->arena, "%s%s", prefix, name));
}

static int number_ok(const char *s)
{
	char *end;
	if (!*s)
		return 0;
	strtod(s, &end);
	return *end == '\0';
}

/* Read prefix MessageAttributes.entry.N.* into m->attrs (arena-owned). */
static int read_attrs(struct request *req, const char *prefix,
		      struct sns_message *m, struct pub_err *e)
{
	cJSON *attrs = cJSON_CreateObject();
	sns_defer_json(req, attrs);
	m->attrs = attrs;
	for (int i = 1;; i++) {
		char *base = arena_printf(req->arena,
					  "%sMessageAttributes.entry.%d.", prefix,
					  i);
		const char *name = param(req, base, "Name");
		const char *type = param(req, base, "Value.DataType");
		const char *sv = param(req, base, "Value.StringValue");
		const char *bv = param(req, base, "Value.BinaryValue");
		if (!name && !type && !sv && !bv)
			break;
		if (i > SNS_MAX_ATTRS)
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: MessageAttributes "
				    "Reason: Number of message attributes [%d]"
				    " exceeds the allowed maximum [%d].",
				    i, SNS_MAX_ATTRS);
		if (!name || !*name || strlen(name) > 256)
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: MessageAttributes "
				    "Reason: Message attribute name can not be "
				    "null or empty");
		if (!type || !*type)
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: MessageAttributes "
				    "Reason: The message attribute '%s' must "
				    "contain non-empty message attribute type.",
				    name);
		int is_bin = strncmp(type, "Binary", 6) == 0;
		int is_num = strncmp(type, "Number", 6) == 0;
		int is_arr = strcmp(type, "String.Array") == 0;
		if (!is_bin && !is_num && strncmp(type, "String", 6) != 0)
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: MessageAttributes "
				    "Reason: The message attribute '%s' has an "
				    "invalid message attribute type, the set of"
				    " supported type prefixes is Binary, "
				    "Number, and String.", name);
		const char *value = is_bin ? bv : sv;
		if (!value || (!is_bin && !*value))
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: MessageAttributes "
				    "Reason: The message attribute '%s' must "
				    "contain non-empty message attribute value "
				    "for message attribute type '%s'.",
				    name, type);
		if (is_num && !number_ok(value))
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: MessageAttributes "
				    "Reason: Could not cast message attribute "
				    "'%s' value to number.", name);
		if (is_arr) {
			cJSON *a = cJSON_Parse(value);
			int ok = cJSON_IsArray(a);
			cJSON_Delete(a);
			if (!ok)
				return fail(e, 400, "InvalidParameter",
					    "Invalid parameter: Message"
					    "Attributes Reason: The message "
					    "attribute '%s' with type "
					    "'String.Array' has an invalid "
					    "value.", name);
		}
		if (cJSON_GetObjectItemCaseSensitive(attrs, name))
			cJSON_DeleteItemFromObjectCaseSensitive(attrs, name);
		cJSON *o = cJSON_AddObjectToObject(attrs, name);
		/* Notifications name the base type (custom suffixes drop). */
		cJSON_AddStringToObject(o, "Type",
					is_arr   ? "String.Array"
					: is_bin ? "Binary"
					: is_num ? "Number"
						 : "String");
		cJSON_AddStringToObject(o, "Value", value);
	}
	return 0;
}

static int subject_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= 100)
		return 0;
	if (!isalnum((unsigned char)s[0]) && !ispunct((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/*
 * Read and check one message (Publish: prefix ""; batch entries:
 * "PublishBatchRequestEntries.member.N.").  fifo/cbd: the topic is FIFO /
 * has ContentBasedDeduplication.  0, or -1 with *e filled.
 */
static int read_message(struct request *req, const char *prefix, int fifo,
			int cbd, struct pub_in *in, struct pub_err *e)
{
	struct sns_message *m = &in->m;
	m->message = param(req, prefix, "Message");
	m->subject = param(req, prefix, "Subject");
	const char *structure = param(req, prefix, "MessageStructure");
	in->group_id = param(req, prefix, "MessageGroupId");
	in->dedup_id = param(req, prefix, "MessageDeduplicationId");
	if (!m->message || !*m->message)
		return fail(e, 400, "InvalidParameter",
			    "Invalid parameter: Empty message");
	if (strlen(m->message) > SNS_MAX_MESSAGE)
		return fail(e, 400, "InvalidParameter",
			    "Invalid parameter: Message too long");
	if (m->subject && !subject_ok(m->subject))
		return fail(e, 400, "InvalidParameter",
			    "Invalid parameter: Subject");
	if (structure) {
		if (strcmp(structure, "json") != 0)
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: MessageStructure");
		cJSON *doc = cJSON_Parse(m->message);
		if (!cJSON_IsObject(doc)) {
			cJSON_Delete(doc);
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: Message Structure - "
				    "JSON message body failed to parse");
		}
		sns_defer_json(req, doc);
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(doc,
								  "default");
		if (!cJSON_IsString(d))
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: Message Structure - "
				    "No default entry in JSON message body");
		m->structured = doc;
	}
	if (read_attrs(req, prefix, m, e))
		return -1;
	if (!fifo) {
		if (in->group_id)
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: MessageGroupId Reason:"
				    " The request includes MessageGroupId "
				    "parameter that is not valid for this "
				    "topic type");
		if (in->dedup_id)
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: MessageDeduplicationId"
				    " Reason: The request includes "
				    "MessageDeduplicationId parameter that is "
				    "not valid for this topic type");
		return 0;
	}
	if (!in->group_id || !*in->group_id)
		return fail(e, 400, "InvalidParameter",
			    "Invalid parameter: The MessageGroupId parameter "
			    "is required for FIFO topics");
	if (!in->dedup_id) {
		if (!cbd)
			return fail(e, 400, "InvalidParameter",
				    "Invalid parameter: The topic should "
				    "either have ContentBasedDeduplication "
				    "enabled or MessageDeduplicationId "
				    "provided explicitly");
		char hex[2 * HASH_SHA256_LEN + 1];
		hash_sha256_hex(m->message, strlen(m->message), hex);
		in->dedup_id = arena_strdup(req->arena, hex);
	}
	return 0;
}

/* FIFO: a duplicate within the window takes the first id and sequence
 * number; otherwise take the next number and remember the id. */
static int fifo_sequence(struct sns *sns, struct pub_in *in)
{
	int64_t now = time_now_ms();
	sqlite3_stmt *st = store_prepare(
		sns->db, "SELECT message_id, seq FROM dedup WHERE topic_arn = "
			 "?1 AND dedup_id = ?2 AND expires_ms > ?3");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, in->m.topic_arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->dedup_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(in->m.message_id, sizeof(in->m.message_id), "%s",
			 (const char *)sqlite3_column_text(st, 0));
		snprintf(in->seq, sizeof(in->seq), "%s",
			 (const char *)sqlite3_column_text(st, 1));
		in->duplicate = 1;
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	st = store_prepare(sns->db,
			   "INSERT INTO fifo_seq(topic_arn, n) VALUES(?1, 1) "
			   "ON CONFLICT(topic_arn) DO UPDATE SET n = n + 1 "
			   "RETURNING n");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, in->m.topic_arn, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	long long n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	snprintf(in->seq, sizeof(in->seq), "1%019lld", n);
	st = store_prepare(sns->db,
			   "INSERT OR REPLACE INTO dedup(topic_arn, dedup_id, "
			   "message_id, seq, expires_ms) VALUES(?1, ?2, ?3, "
			   "?4, ?5)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, in->m.topic_arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->dedup_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->m.message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, in->seq, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now + SNS_DEDUP_WINDOW_MS);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Queue m for one subscription (current row of st); 0 or -1. */
static int queue_for_sub(struct sns *sns, struct sns_message *m,
			 const cJSON *topic_attrs, sqlite3_stmt *st)
{
	const char *sub_arn = (const char *)sqlite3_column_text(st, 0);
	const char *protocol = (const char *)sqlite3_column_text(st, 1);
	const char *endpoint = (const char *)sqlite3_column_text(st, 2);
	cJSON *attrs = cJSON_Parse((const char *)sqlite3_column_text(st, 3));
	const char *base = (const char *)sqlite3_column_text(st, 4);
	const cJSON *fp = cJSON_GetObjectItemCaseSensitive(attrs,
							   "FilterPolicy");
	const cJSON *scope = cJSON_GetObjectItemCaseSensitive(
		attrs, "FilterPolicyScope");
	const cJSON *raw = cJSON_GetObjectItemCaseSensitive(
		attrs, "RawMessageDelivery");
	const cJSON *rp = cJSON_GetObjectItemCaseSensitive(attrs,
							   "RedrivePolicy");
	int rc = 0;
	int body_scope = cJSON_IsString(scope) &&
			 strcmp(scope->valuestring, "MessageBody") == 0;
	if (cJSON_IsString(fp) &&
	    !sns_filter_match(fp->valuestring, body_scope, m->attrs,
			      sns_msg_text(m, protocol)))
		goto out;
	const char *saved_base = m->base_url;
	if (!m->base_url)
		m->base_url = base;
	int is_raw = cJSON_IsString(raw) &&
		     strcmp(raw->valuestring, "true") == 0 &&
		     strncmp(protocol, "http", 4) == 0;
	char *body;
	if (strcmp(protocol, "lambda") == 0)
		body = sns_msg_lambda_event(sns, m, sub_arn);
	else if (is_raw)
		body = xstrdup(sns_msg_text(m, protocol));
	else
		body = sns_msg_notification(sns, m, protocol, sub_arn);
	m->base_url = saved_base;
	if (!body) {
		rc = -1;
		goto out;
	}
	char *dlq = NULL;
	if (cJSON_IsString(rp)) {
		cJSON *r = cJSON_Parse(rp->valuestring);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(
			r, "deadLetterTargetArn");
		if (cJSON_IsString(t))
			dlq = xstrdup(t->valuestring);
		cJSON_Delete(r);
	}
	char *policy = sns_effective_retry_policy(topic_attrs, attrs);
	struct sns_outbox_row row = {
		.sub_arn = sub_arn,
		.topic_arn = m->topic_arn,
		.protocol = protocol,
		.endpoint = endpoint,
		.msg_type = "Notification",
		.message_id = m->message_id,
		.body = body,
		.raw = is_raw,
		.policy = policy,
		.dlq = dlq,
	};
	rc = sns_outbox_add(sns, &row);
	free(policy);
	free(dlq);
	free(body);
out:
	cJSON_Delete(attrs);
	return rc;
}

/* Write the outbox rows for m (inside a transaction); 0 or -1. */
static int fan_out(struct sns *sns, struct sns_message *m,
		   const cJSON *topic_attrs)
{
	sqlite3_stmt *st = store_prepare(
		sns->db,
		"SELECT arn, protocol, endpoint, attrs, base_url FROM subs "
		"WHERE topic_arn = ?1 AND confirmed = 1 AND protocol IN "
		"('http', 'https', 'lambda') ORDER BY arn");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, m->topic_arn, -1, SQLITE_STATIC);
	int rc = 0, step;
	/* The statement stays open while rows are queued: it is a read of
	 * subs, the inserts go to outbox. */
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = queue_for_sub(sns, m, topic_attrs, st);
	sqlite3_reset(st);
	return rc;
}

static const char *topic_sigver(const cJSON *topic_attrs)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(topic_attrs,
							  "SignatureVersion");
	return cJSON_IsString(v) ? v->valuestring : "1";
}

static int attr_true(const cJSON *attrs, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(attrs, name);
	return cJSON_IsString(v) && strcmp(v->valuestring, "true") == 0;
}

/* Store one checked message: sequence (FIFO) and fan-out.  0 or -1. */
static int commit_message(struct sns *sns, struct pub_in *in,
			  const cJSON *topic_attrs)
{
	ids_uuid4(in->m.message_id);
	time_iso8601_ms(time_now_ms(), in->m.timestamp);
	in->m.sigver = topic_sigver(topic_attrs);
	if (attr_true(topic_attrs, "FifoTopic") && fifo_sequence(sns, in))
		return -1;
	if (in->duplicate)
		return 0;
	return fan_out(sns, &in->m, topic_attrs);
}

/* The topic of a Publish: TopicArn or TargetArn (exactly one). */
static const char *publish_target(struct request *req)
{
	const char *topic = req_query(req, "TopicArn");
	const char *target = req_query(req, "TargetArn");
	if (req_query(req, "PhoneNumber") && !topic && !target) {
		req_error(req, 400, "InvalidParameter",
			  "Invalid parameter: PhoneNumber Reason: SMS is not "
			  "supported by this emulator");
		return NULL;
	}
	if (topic && target) {
		req_error(req, 400, "InvalidParameter",
			  "Invalid parameter: TopicArn or TargetArn Reason: "
			  "Only one of them can be specified");
		return NULL;
	}
	if (!topic && !target) {
		req_error(req, 400, "InvalidParameter",
			  "Invalid parameter: TopicArn or TargetArn Reason: "
			  "no value for required parameter");
		return NULL;
	}
	const char *arn = topic ? topic : target;
	if (!sns_arn_is_topic(arn)) {
		req_error(req, 400, "InvalidParameter",
			  "Invalid parameter: %s", topic ? "TopicArn"
							 : "TargetArn");
		return NULL;
	}
	return arn;
}

int sns_publish(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *arn = publish_target(req);
	if (!arn)
		return -1;
	cJSON *topic_attrs = sns_topic_load(sns, arn);
	if (!topic_attrs)
		return req_error(req, 404, "NotFound", "Topic does not exist");
	sns_defer_json(req, topic_attrs);
	struct pub_in in;
	struct pub_err e;
	memset(&in, 0, sizeof(in));
	in.m.topic_arn = arn;
	in.m.base_url = sns_base_url(req);
	if (read_message(req, "", attr_true(topic_attrs, "FifoTopic"),
			 attr_true(topic_attrs, "ContentBasedDeduplication"),
			 &in, &e))
		return req_error(req, e.status, e.code, "%s", e.message);
	if (store_begin(sns->db))
		return sns_internal_error(req);
	if (commit_message(sns, &in, topic_attrs) || store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	sns_wake(sns);
	struct buf b;
	buf_init(&b, 1 << 16);
	query_begin(&b, req->service, "Publish");
	buf_puts(&b, "\n    ");
	query_element(&b, "MessageId", in.m.message_id);
	if (in.seq[0]) {
		buf_puts(&b, "\n    ");
		query_element(&b, "SequenceNumber", in.seq);
	}
	buf_puts(&b, "\n  ");
	query_end(&b, req, "Publish");
	query_send(resp, &b);
	return 0;
}

static int batch_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 80)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '-' &&
		    id[i] != '_')
			return 0;
	return 1;
}

int sns_publish_batch(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *arn = sns_require(req, "TopicArn");
	if (!arn)
		return -1;
	if (!sns_arn_is_topic(arn))
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: TopicArn");
	const char *ids[SNS_MAX_BATCH];
	int n = 0;
	size_t total = 0;
	for (;; n++) {
		char *prefix = arena_printf(
			req->arena, "PublishBatchRequestEntries.member.%d.",
			n + 1);
		const char *id = param(req, prefix, "Id");
		const char *msg = param(req, prefix, "Message");
		if (!id && !msg)
			break;
		if (n >= SNS_MAX_BATCH)
			return req_error(req, 400,
					 "TooManyEntriesInBatchRequest",
					 "The batch request contains more "
					 "entries than permissible.");
		if (!id || !batch_id_ok(id))
			return req_error(req, 400, "InvalidBatchEntryId",
					 "A batch entry id can only contain "
					 "alphanumeric characters, hyphens and "
					 "underscores. It can be at most 80 "
					 "letters long.");
		for (int k = 0; k < n; k++)
			if (strcmp(ids[k], id) == 0)
				return req_error(req, 400,
						 "BatchEntryIdsNotDistinct",
						 "Two or more batch entries in "
						 "the request have the same Id.");
		ids[n] = id;
		total += msg ? strlen(msg) : 0;
	}
	if (n == 0)
		return req_error(req, 400, "EmptyBatchRequest",
				 "The batch request doesn't contain any "
				 "entries");
	if (total > SNS_MAX_MESSAGE)
		return req_error(req, 400, "BatchRequestTooLong",
				 "The length of all the messages put together "
				 "is more than the limit.");
	cJSON *topic_attrs = sns_topic_load(sns, arn);
	if (!topic_attrs)
		return req_error(req, 404, "NotFound", "Topic does not exist");
	sns_defer_json(req, topic_attrs);
	int fifo = attr_true(topic_attrs, "FifoTopic");
	int cbd = attr_true(topic_attrs, "ContentBasedDeduplication");

	struct pub_in in[SNS_MAX_BATCH];
	struct pub_err errs[SNS_MAX_BATCH];
	int ok[SNS_MAX_BATCH];
	memset(in, 0, sizeof(in));
	const char *base = sns_base_url(req);
	for (int i = 0; i < n; i++) {
		char *prefix = arena_printf(
			req->arena, "PublishBatchRequestEntries.member.%d.",
			i + 1);
		in[i].m.topic_arn = arn;
		in[i].m.base_url = base;
		ok[i] = read_message(req, prefix, fifo, cbd, &in[i],
				     &errs[i]) == 0;
	}
	if (store_begin(sns->db))
		return sns_internal_error(req);
	for (int i = 0; i < n; i++) {
		if (ok[i] && commit_message(sns, &in[i], topic_attrs)) {
			store_rollback(sns->db);
			return sns_internal_error(req);
		}
	}
	if (store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	sns_wake(sns);
	struct buf b;
	buf_init(&b, 1 << 20);
	query_begin(&b, req->service, "PublishBatch");
	buf_puts(&b, "\n    <Successful>");
	for (int i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		buf_puts(&b, "\n      <member>");
		query_element(&b, "Id", ids[i]);
		query_element(&b, "MessageId", in[i].m.message_id);
		if (in[i].seq[0])
			query_element(&b, "SequenceNumber", in[i].seq);
		buf_puts(&b, "</member>");
	}
	buf_puts(&b, "\n    </Successful>\n    <Failed>");
	for (int i = 0; i < n; i++) {
		if (ok[i])
			continue;
		buf_puts(&b, "\n      <member>");
		query_element(&b, "Id", ids[i]);
		query_element(&b, "Code", errs[i].code);
		query_element(&b, "Message", errs[i].message);
		query_element(&b, "SenderFault", "true");
		buf_puts(&b, "</member>");
	}
	buf_puts(&b, "\n    </Failed>\n  ");
	query_end(&b, req, "PublishBatch");
	query_send(resp, &b);
	return 0;
}

int sns_bus_publish(void *state, const char *topic_arn, const char *subject,
		    const char *message, char message_id[37], char *errbuf,
		    size_t errlen)
{
	struct sns *sns = state;
	cJSON *topic_attrs = sns_topic_load(sns, topic_arn);
	if (!topic_attrs) {
		snprintf(errbuf, errlen, "Topic does not exist: %s",
			 topic_arn);
		return -1;
	}
	if (attr_true(topic_attrs, "FifoTopic")) {
		cJSON_Delete(topic_attrs);
		snprintf(errbuf, errlen, "FIFO topics need a MessageGroupId");
		return -1;
	}
	struct pub_in in;
	memset(&in, 0, sizeof(in));
	in.m.topic_arn = topic_arn;
	in.m.subject = subject;
	in.m.message = message;
	in.m.base_url = NULL; /* each subscription's own */
	int rc = -1;
	if (!message || !*message || strlen(message) > SNS_MAX_MESSAGE) {
		snprintf(errbuf, errlen, "Invalid parameter: Message");
	} else if (subject && !subject_ok(subject)) {
		snprintf(errbuf, errlen, "Invalid parameter: Subject");
	} else if (store_begin(sns->db)) {
		snprintf(errbuf, errlen, "the SNS database failed");
	} else if (commit_message(sns, &in, topic_attrs) ||
		   store_commit(sns->db)) {
		store_rollback(sns->db);
		snprintf(errbuf, errlen, "the SNS database failed");
	} else {
		memcpy(message_id, in.m.message_id, 37);
		sns_wake(sns);
		rc = 0;
	}
	cJSON_Delete(topic_attrs);
	return rc;
}
