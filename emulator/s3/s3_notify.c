/*
 * s3_notify.c - event notifications: the bucket's notification
 * configuration, S3's event records (eventVersion 2.1), and a durable
 * outbox that a delivery thread hands to the targets.
 *
 * Configuration: Get/PutBucketNotificationConfiguration with SNS
 * (TopicConfiguration/Topic), SQS (QueueConfiguration/Queue) and Lambda
 * targets (on the wire CloudFunctionConfiguration/CloudFunction, as the
 * botocore model names them), event-name wildcards (s3:ObjectCreated:*)
 * and prefix/suffix filter rules.  It is stored parsed, one row per
 * target, and rendered back in AWS's shape.  Saving it queues
 * s3:TestEvent for SNS and SQS targets (S3 sends none to Lambda).  With
 * --auth sigv4 Lambda targets are checked against the function's
 * resource policy first (bus.lambda_allows), as AWS does.
 *
 * Events: every object change calls s3_notify_enqueue inside the
 * transaction that changes the row, so an event exists exactly when its
 * change was committed.  The delivery thread (started by the start
 * hook) hands queued records to the bus: lambda_invoke_async for
 * functions, sns_publish for topics.  A NULL hook (that service is not
 * in this build), a failure, or an SQS target (no SQS service) leaves
 * the record queued with a retry time; nothing is dropped.  Pending and
 * delivered records are listed under "events" in /_emulator/resources.
 */
#include "s3_int.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "ids.h"
#include "log.h"
#include "timefmt.h"

#define OWNER_PRINCIPAL "A3NL1KOZZKEXAMPLE"
#define RETRY_MAX_MS (5 * 60 * 1000)
#define DELIVERED_KEEP_MS (24LL * 3600 * 1000)

static const char *const valid_events[] = {
	"s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
	"s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
	"s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
	"s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*",
	"s3:ObjectRestore:Post", "s3:ObjectRestore:Completed",
	"s3:ObjectRestore:Delete", "s3:ReducedRedundancyLostObject",
	"s3:Replication:*", "s3:Replication:OperationFailedReplication",
	"s3:Replication:OperationNotTracked",
	"s3:Replication:OperationMissedThreshold",
	"s3:Replication:OperationReplicatedAfterThreshold",
	"s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete",
	"s3:LifecycleExpiration:DeleteMarkerCreated",
	"s3:LifecycleTransition", "s3:IntelligentTiering",
	"s3:ObjectTagging:*", "s3:ObjectTagging:Put",
	"s3:ObjectTagging:Delete", "s3:ObjectAcl:Put", NULL,
};

/* Target kinds: wire names and their outbox/type string. */
static const struct {
	const char *config;  /* TopicConfiguration */
	const char *arn_tag; /* Topic */
	const char *type;    /* "sns" */
	const char *arn_prefix;
} kinds[] = {
	{"TopicConfiguration", "Topic", "sns", "arn:aws:sns:"},
	{"QueueConfiguration", "Queue", "sqs", "arn:aws:sqs:"},
	{"CloudFunctionConfiguration", "CloudFunction", "lambda",
	 "arn:aws:lambda:"},
};

/* Does pattern ("s3:ObjectCreated:*") cover name ("ObjectCreated:Put")? */
static int event_matches(const char *pattern, const char *name)
{
	if (strncmp(pattern, "s3:", 3) == 0)
		pattern += 3;
	size_t n = strlen(pattern);
	if (n >= 2 && strcmp(pattern + n - 2, ":*") == 0)
		return strncmp(pattern, name, n - 1) == 0;
	return strcmp(pattern, name) == 0;
}

/* Do two event patterns share an event?  (for the overlap check) */
static int events_overlap(const char *a, const char *b)
{
	size_t la = strcspn(a + 3, ":"), lb = strcspn(b + 3, ":");
	if (la != lb || strncmp(a, b, la + 3) != 0)
		return 0;
	return strcmp(a, b) == 0 || (strlen(a) > 3 && a[strlen(a) - 1] == '*') ||
	       (strlen(b) > 3 && b[strlen(b) - 1] == '*');
}

/* Form-style URL encoding of a key, as event records carry it ('/'
 * stays, a space becomes '+'). */
static char *form_encode(struct request *req, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(req->arena, 3 * n + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(".-*_/", *p))
			*o++ = (char)*p;
		else if (*p == ' ')
			*o++ = '+';
		else
			o += sprintf(o, "%%%02X", *p);
	}
	*o = '\0';
	return out;
}

/* Insert one outbox row (inside the caller's transaction). */
static int outbox_add(struct s3 *s3, const char *bucket, const char *event,
		      const char *type, const char *arn, const char *payload)
{
	sqlite3_stmt *st = store_prepare(
		s3->db, "INSERT INTO outbox (created, bucket, event, "
			"target_type, target_arn, payload) VALUES (?1, ?2, ?3,"
			" ?4, ?5, ?6)");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, time_now_ms());
	sqlite3_bind_text(st, 2, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, payload, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The event record JSON for one matching rule. */
static char *event_record(struct request *req, const char *bucket,
			  const char *key, const char *event_name,
			  uint64_t size, const char *etag, const char *config_id,
			  uint64_t seq)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *recs = cJSON_AddArrayToObject(root, "Records");
	cJSON *r = cJSON_CreateObject();
	cJSON_AddItemToArray(recs, r);
	cJSON_AddStringToObject(r, "eventVersion", "2.1");
	cJSON_AddStringToObject(r, "eventSource", "aws:s3");
	cJSON_AddStringToObject(r, "awsRegion", s3_region(req));
	cJSON_AddStringToObject(r, "eventTime", s3_iso_date(req, time_now_ms()));
	cJSON_AddStringToObject(r, "eventName", event_name);
	cJSON *ui = cJSON_AddObjectToObject(r, "userIdentity");
	cJSON_AddStringToObject(
		ui, "principalId",
		req->identity.access_key
			? arena_printf(req->arena, "AWS:%s",
				       req->identity.access_key)
			: "ANONYMOUS_PRINCIPAL");
	cJSON *rp = cJSON_AddObjectToObject(r, "requestParameters");
	cJSON_AddStringToObject(rp, "sourceIPAddress", "127.0.0.1");
	cJSON *re = cJSON_AddObjectToObject(r, "responseElements");
	cJSON_AddStringToObject(re, "x-amz-request-id", req->request_id);
	cJSON_AddStringToObject(re, "x-amz-id-2", req->request_id);
	cJSON *s3j = cJSON_AddObjectToObject(r, "s3");
	cJSON_AddStringToObject(s3j, "s3SchemaVersion", "1.0");
	cJSON_AddStringToObject(s3j, "configurationId", config_id);
	cJSON *b = cJSON_AddObjectToObject(s3j, "bucket");
	cJSON_AddStringToObject(b, "name", bucket);
	cJSON *oi = cJSON_AddObjectToObject(b, "ownerIdentity");
	cJSON_AddStringToObject(oi, "principalId", OWNER_PRINCIPAL);
	cJSON_AddStringToObject(b, "arn",
				arena_printf(req->arena, "arn:aws:s3:::%s",
					     bucket));
	cJSON *o = cJSON_AddObjectToObject(s3j, "object");
	cJSON_AddStringToObject(o, "key", form_encode(req, key));
	if (etag) {
		cJSON_AddNumberToObject(o, "size", (double)size);
		cJSON_AddStringToObject(o, "eTag", etag);
	}
	cJSON_AddStringToObject(o, "sequencer",
				arena_printf(req->arena, "%018" PRIX64, seq));
	char *text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	char *out = arena_strdup(req->arena, text);
	free(text);
	return out;
}

int s3_notify_enqueue(struct request *req, const char *bucket,
		      const char *key, const char *event_name, uint64_t size,
		      const char *etag)
{
	struct s3 *s3 = req->service_state;
	sqlite3_stmt *st = store_prepare(
		s3->db, "SELECT id, type, arn, events, prefix, suffix FROM "
			"notif_rules WHERE bucket = ?1 ORDER BY ord");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	struct match {
		char *id, *type, *arn;
	} m[64];
	size_t n = 0;
	size_t klen = strlen(key);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 64) {
		const char *events = (const char *)sqlite3_column_text(st, 3);
		const char *prefix = (const char *)sqlite3_column_text(st, 4);
		const char *suffix = (const char *)sqlite3_column_text(st, 5);
		size_t sl = strlen(suffix);
		if (strncmp(key, prefix, strlen(prefix)) != 0 ||
		    sl > klen || strcmp(key + klen - sl, suffix) != 0)
			continue;
		int hit = 0;
		char *list = arena_strdup(req->arena, events), *save = NULL;
		for (char *e = strtok_r(list, " ", &save); e && !hit;
		     e = strtok_r(NULL, " ", &save))
			hit = event_matches(e, event_name);
		if (!hit)
			continue;
		m[n].id = arena_strdup(req->arena,
				       (const char *)sqlite3_column_text(st, 0));
		m[n].type = arena_strdup(
			req->arena, (const char *)sqlite3_column_text(st, 1));
		m[n].arn = arena_strdup(req->arena,
					(const char *)sqlite3_column_text(st, 2));
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(m[i].type, "eventbridge") == 0)
			continue; /* no EventBridge in this emulator */
		uint64_t seq = atomic_fetch_add(&s3->seq, 1);
		char *rec = event_record(req, bucket, key, event_name, size,
					 etag, m[i].id, seq);
		if (outbox_add(s3, bucket, event_name, m[i].type, m[i].arn, rec))
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Configuration
 * ------------------------------------------------------------------- */

struct rule {
	const char *id, *type, *arn, *prefix, *suffix;
	struct buf events; /* space separated */
};

static int invalid_argument(struct request *req, const char *msg,
			    const char *name, const char *value)
{
	req_error(req, 400, "InvalidArgument", "%s", msg);
	if (name) {
		req_error_extra(req, "ArgumentName", name);
		req_error_extra(req, "ArgumentValue", value ? value : "");
	}
	return -1;
}

static void free_buf(void *b)
{
	buf_free(b);
}

/* Parse one *Configuration element into r; -1 with an error recorded. */
static int parse_rule(struct request *req, struct xml_node *c, size_t kind,
		      struct rule *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->events, 1u << 16);
	arena_defer(req->arena, free_buf, &r->events);
	r->type = kinds[kind].type;
	r->id = xml_child_text(c, "Id");
	if (!r->id || !*r->id) {
		char id[33];
		ids_alnum(id, 32);
		r->id = arena_strdup(req->arena, id);
	}
	r->arn = xml_child_text(c, kinds[kind].arn_tag);
	if (!r->arn || strncmp(r->arn, kinds[kind].arn_prefix,
			       strlen(kinds[kind].arn_prefix)) != 0)
		return invalid_argument(
			req, "Unable to validate the following destination "
			     "configurations",
			r->arn ? r->arn : kinds[kind].arn_tag, "");
	if (!xml_child(c, "Event"))
		return invalid_argument(req, "The event is not supported "
					     "for notifications",
					"Event", "");
	for (struct xml_node *e = xml_child(c, "Event"); e; e = xml_next(e)) {
		int ok = 0;
		for (const char *const *v = valid_events; *v && !ok; v++)
			ok = strcmp(*v, e->text) == 0;
		if (!ok)
			return invalid_argument(req, "The event is not "
						     "supported for "
						     "notifications",
						"Event", e->text);
		if (r->events.len)
			buf_putc(&r->events, ' ');
		buf_puts(&r->events, e->text);
	}
	r->prefix = r->suffix = "";
	struct xml_node *key = xml_child(xml_child(c, "Filter"), "S3Key");
	for (struct xml_node *f = xml_child(key, "FilterRule"); f;
	     f = xml_next(f)) {
		const char *name = xml_child_text(f, "Name");
		const char *value = xml_child_text(f, "Value");
		const char **slot = NULL;
		if (name && strcasecmp(name, "prefix") == 0)
			slot = &r->prefix;
		else if (name && strcasecmp(name, "suffix") == 0)
			slot = &r->suffix;
		if (!slot)
			return invalid_argument(req, "filter rule name must "
						     "be either prefix or "
						     "suffix",
						"FilterRule", name);
		if (**slot)
			return invalid_argument(
				req, slot == &r->prefix
					     ? "Cannot specify more than one "
					       "prefix rule in a filter."
					     : "Cannot specify more than one "
					       "suffix rule in a filter.",
				"FilterRule", name);
		*slot = value ? value : "";
	}
	return 0;
}

/* S3 refuses two rules that could fire for the same event and key. */
static int overlaps(const struct rule *a, const struct rule *b)
{
	size_t pa = strlen(a->prefix), pb = strlen(b->prefix);
	size_t sa = strlen(a->suffix), sb = strlen(b->suffix);
	if (strncmp(a->prefix, b->prefix, pa < pb ? pa : pb) != 0)
		return 0;
	if (strcmp(a->suffix + (sa > sb ? sa - sb : 0),
		   b->suffix + (sb > sa ? sb - sa : 0)) != 0)
		return 0;
	char *ea = strdup(a->events.data), *sva = NULL;
	int hit = 0;
	for (char *x = strtok_r(ea, " ", &sva); x && !hit;
	     x = strtok_r(NULL, " ", &sva)) {
		char *eb = strdup(b->events.data), *svb = NULL;
		for (char *y = strtok_r(eb, " ", &svb); y && !hit;
		     y = strtok_r(NULL, " ", &svb))
			hit = events_overlap(x, y);
		free(eb);
	}
	free(ea);
	return hit;
}

/* TestEvent body S3 sends to SNS/SQS targets on configuration. */
static char *test_event(struct request *req, const char *bucket)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "Service", "Amazon S3");
	cJSON_AddStringToObject(j, "Event", "s3:TestEvent");
	cJSON_AddStringToObject(j, "Time", s3_iso_date(req, time_now_ms()));
	cJSON_AddStringToObject(j, "Bucket", bucket);
	cJSON_AddStringToObject(j, "RequestId", req->request_id);
	cJSON_AddStringToObject(j, "HostId", req->request_id);
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	char *out = arena_strdup(req->arena, text);
	free(text);
	return out;
}

/*
 * With --auth sigv4, S3 (like AWS) accepts a Lambda target only when the
 * function exists and its resource policy lets s3.amazonaws.com invoke
 * it for this bucket (bus.lambda_allows).  0, or -1 with the error.
 */
static int lambda_targets_allowed(struct request *req, const char *bucket,
				  const struct rule *rules, size_t n)
{
	const struct bus *bus = &req->emu->bus;
	if (req->emu->config->auth != AUTH_SIGV4 || !bus->lambda_allows)
		return 0;
	char *source = arena_printf(req->arena, "arn:aws:s3:::%s", bucket);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rules[i].type, "lambda") != 0 ||
		    bus->lambda_allows(bus->lambda, rules[i].arn,
				       "s3.amazonaws.com", source))
			continue;
		return invalid_argument(
			req, "Unable to validate the following destination "
			     "configurations",
			rules[i].arn,
			arena_printf(req->arena, "Not authorized to invoke "
						  "function [%s]",
				      rules[i].arn));
	}
	return 0;
}

int s3_put_notification(struct request *req, struct response *resp)
{
	struct s3 *s3 = req->service_state;
	const char *bucket = s3_bucket_name(req);
	(void)resp;
	if (s3_require_bucket(req, bucket))
		return -1;
	struct xml_node *doc = s3_body_xml(req, "NotificationConfiguration");
	if (!doc)
		return -1;
	struct rule rules[100];
	size_t n = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++)
		for (struct xml_node *c = xml_child(doc, kinds[k].config); c;
		     c = xml_next(c)) {
			if (n == 100)
				return invalid_argument(
					req, "Too many notification "
					     "configurations", NULL, NULL);
			if (parse_rule(req, c, k, &rules[n]))
				return -1;
			n++;
		}
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (overlaps(&rules[i], &rules[k]))
				return invalid_argument(
					req, "Configurations overlap. "
					     "Configurations on the same "
					     "bucket cannot share a common "
					     "event type.",
					NULL, NULL);
	if (lambda_targets_allowed(req, bucket, rules, n))
		return -1;
	int eventbridge = xml_child(doc, "EventBridgeConfiguration") != NULL;
	if (store_begin(s3->db))
		return s3_internal(req, "begin");
	sqlite3_stmt *st = store_prepare(s3->db, "DELETE FROM notif_rules "
						 "WHERE bucket = ?1");
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	for (size_t i = 0; i < n + (size_t)eventbridge; i++) {
		struct rule eb = {"", "eventbridge", "", "", "", {0}};
		const struct rule *r = i < n ? &rules[i] : &eb;
		st = store_prepare(s3->db,
				   "INSERT INTO notif_rules (bucket, ord, id, "
				   "type, arn, events, prefix, suffix) VALUES "
				   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
		if (!st)
			goto fail;
		sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, (int)i);
		sqlite3_bind_text(st, 3, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->arn, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->events.data ? r->events.data : "",
				  -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, r->prefix, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, r->suffix, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			goto fail;
		if (i < n && strcmp(r->type, "lambda") != 0 &&
		    outbox_add(s3, bucket, "s3:TestEvent", r->type, r->arn,
			       test_event(req, bucket)))
			goto fail;
	}
	if (store_commit(s3->db))
		goto fail;
	s3_notify_wake(s3);
	return 0;
fail:
	store_rollback(s3->db);
	return s3_internal(req, "put notification");
}

int s3_get_notification(struct request *req, struct response *resp)
{
	struct s3 *s3 = req->service_state;
	const char *bucket = s3_bucket_name(req);
	if (s3_require_bucket(req, bucket))
		return -1;
	struct buf b;
	s3_xml_begin(&b, "NotificationConfiguration");
	int eventbridge = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
		sqlite3_stmt *st = store_prepare(
			s3->db, "SELECT id, arn, events, prefix, suffix, type "
				"FROM notif_rules WHERE bucket = ?1 ORDER BY ord");
		if (!st) {
			buf_free(&b);
			return s3_internal(req, "prepare");
		}
		sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *type = (const char *)sqlite3_column_text(st, 5);
			if (strcmp(type, "eventbridge") == 0)
				eventbridge = 1;
			if (strcmp(type, kinds[k].type) != 0)
				continue;
			xml_open(&b, kinds[k].config);
			xml_elem(&b, "Id", (const char *)sqlite3_column_text(st, 0));
			xml_elem(&b, kinds[k].arn_tag,
				 (const char *)sqlite3_column_text(st, 1));
			char *ev = arena_strdup(
				req->arena,
				(const char *)sqlite3_column_text(st, 2));
			char *save = NULL;
			for (char *e = strtok_r(ev, " ", &save); e;
			     e = strtok_r(NULL, " ", &save))
				xml_elem(&b, "Event", e);
			const char *prefix = (const char *)sqlite3_column_text(st, 3);
			const char *suffix = (const char *)sqlite3_column_text(st, 4);
			if (*prefix || *suffix) {
				buf_puts(&b, "<Filter><S3Key>");
				if (*prefix) {
					buf_puts(&b, "<FilterRule><Name>Prefix"
						     "</Name>");
					xml_elem(&b, "Value", prefix);
					buf_puts(&b, "</FilterRule>");
				}
				if (*suffix) {
					buf_puts(&b, "<FilterRule><Name>Suffix"
						     "</Name>");
					xml_elem(&b, "Value", suffix);
					buf_puts(&b, "</FilterRule>");
				}
				buf_puts(&b, "</S3Key></Filter>");
			}
			xml_close(&b, kinds[k].config);
		}
		sqlite3_reset(st);
	}
	if (eventbridge)
		buf_puts(&b, "<EventBridgeConfiguration></EventBridgeConfiguration>");
	s3_xml_send(resp, &b, "NotificationConfiguration");
	return 0;
}

/* ---------------------------------------------------------------------
 * Delivery
 * ------------------------------------------------------------------- */

struct pending {
	int64_t id;
	char *type, *arn, *payload;
	int attempts;
};

/* Hand one record to its target.  0 delivered, else -1 and why. */
static int deliver(struct s3 *s3, const struct pending *p, char *why,
		   size_t whylen)
{
	const struct bus *bus = &s3->emu->bus;
	if (strcmp(p->type, "lambda") == 0) {
		if (!bus->lambda_invoke_async) {
			snprintf(why, whylen, "the Lambda service is not "
					      "available in this emulator");
			return -1;
		}
		return bus->lambda_invoke_async(bus->lambda, p->arn, p->payload,
						strlen(p->payload), why, whylen);
	}
	if (strcmp(p->type, "sns") == 0) {
		char id[37];
		if (!bus->sns_publish) {
			snprintf(why, whylen, "the SNS service is not "
					      "available in this emulator");
			return -1;
		}
		return bus->sns_publish(bus->sns, p->arn,
					"Amazon S3 Notification", p->payload,
					id, why, whylen);
	}
	snprintf(why, whylen, "SQS is not emulated: the record is kept");
	return -1;
}

/* Deliver what is due; returns how many records were tried. */
static size_t deliver_due(struct s3 *s3)
{
	struct pending batch[32];
	size_t n = 0;
	int64_t now = time_now_ms();
	sqlite3_stmt *st = store_prepare(
		s3->db, "SELECT id, target_type, target_arn, payload, attempts"
			" FROM outbox WHERE delivered IS NULL AND next_try <= ?1"
			" ORDER BY id LIMIT 32");
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, now);
	while (n < 32 && sqlite3_step(st) == SQLITE_ROW) {
		batch[n].id = sqlite3_column_int64(st, 0);
		batch[n].type = strdup((const char *)sqlite3_column_text(st, 1));
		batch[n].arn = strdup((const char *)sqlite3_column_text(st, 2));
		batch[n].payload =
			strdup((const char *)sqlite3_column_text(st, 3));
		batch[n].attempts = sqlite3_column_int(st, 4);
		n++;
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++) {
		char why[256] = "";
		int ok = deliver(s3, &batch[i], why, sizeof(why)) == 0;
		int64_t backoff = 1000LL << (batch[i].attempts < 8
						     ? batch[i].attempts
						     : 8);
		if (backoff > RETRY_MAX_MS)
			backoff = RETRY_MAX_MS;
		st = store_prepare(s3->db,
				   ok ? "UPDATE outbox SET delivered = ?2, "
					"attempts = attempts + 1, last_error = "
					"NULL WHERE id = ?1"
				      : "UPDATE outbox SET next_try = ?2, "
					"attempts = attempts + 1, last_error = "
					"?3 WHERE id = ?1");
		if (st) {
			sqlite3_bind_int64(st, 1, batch[i].id);
			sqlite3_bind_int64(st, 2, ok ? time_now_ms()
						     : time_now_ms() + backoff);
			if (!ok)
				sqlite3_bind_text(st, 3, why, -1,
						  SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_DONE)
				log_warn("s3: cannot update outbox row %" PRId64,
					 batch[i].id);
			sqlite3_reset(st);
		}
		if (!ok && batch[i].attempts == 0)
			log_info("s3: event for %s kept: %s", batch[i].arn, why);
		free(batch[i].type);
		free(batch[i].arn);
		free(batch[i].payload);
	}
	return n;
}

static void *delivery_thread(void *arg)
{
	struct s3 *s3 = arg;
	int64_t last_prune = 0;
	pthread_mutex_lock(&s3->lock);
	while (!s3->stopping) {
		pthread_mutex_unlock(&s3->lock);
		size_t tried = deliver_due(s3);
		if (time_now_ms() - last_prune > 60000) {
			sqlite3_stmt *st = store_prepare(
				s3->db, "DELETE FROM outbox WHERE delivered < ?1");
			if (st) {
				sqlite3_bind_int64(st, 1, time_now_ms() -
								  DELIVERED_KEEP_MS);
				sqlite3_step(st);
				sqlite3_reset(st);
			}
			last_prune = time_now_ms();
		}
		pthread_mutex_lock(&s3->lock);
		if (tried == 32 || s3->stopping)
			continue;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&s3->cond, &s3->lock, &ts);
	}
	pthread_mutex_unlock(&s3->lock);
	return NULL;
}

int s3_notify_start(struct s3 *s3)
{
	if (pthread_create(&s3->thread, NULL, delivery_thread, s3) != 0) {
		log_error("s3: cannot start the event delivery thread");
		return -1;
	}
	s3->thread_running = 1;
	return 0;
}

void s3_notify_stop(struct s3 *s3)
{
	if (!s3->thread_running)
		return;
	pthread_mutex_lock(&s3->lock);
	s3->stopping = 1;
	pthread_cond_signal(&s3->cond);
	pthread_mutex_unlock(&s3->lock);
	pthread_join(s3->thread, NULL);
	s3->thread_running = 0;
}

void s3_notify_wake(struct s3 *s3)
{
	pthread_mutex_lock(&s3->lock);
	pthread_cond_signal(&s3->cond);
	pthread_mutex_unlock(&s3->lock);
}

void *s3_notify_resources(struct s3 *s3)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(j, "records");
	int pending = 0, delivered = 0;
	sqlite3_stmt *st = store_prepare(
		s3->db, "SELECT id, created, bucket, event, target_type, "
			"target_arn, attempts, delivered, last_error, payload "
			"FROM outbox ORDER BY id DESC LIMIT 200");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		cJSON *r = cJSON_CreateObject();
		int done = sqlite3_column_type(st, 7) != SQLITE_NULL;
		cJSON_AddNumberToObject(r, "id", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(r, "bucket",
					(const char *)sqlite3_column_text(st, 2));
		cJSON_AddStringToObject(r, "event",
					(const char *)sqlite3_column_text(st, 3));
		cJSON_AddStringToObject(r, "target_type",
					(const char *)sqlite3_column_text(st, 4));
		cJSON_AddStringToObject(r, "target",
					(const char *)sqlite3_column_text(st, 5));
		cJSON_AddStringToObject(r, "state", done ? "delivered" : "pending");
		cJSON_AddNumberToObject(r, "attempts", sqlite3_column_int(st, 6));
		if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			cJSON_AddStringToObject(
				r, "last_error",
				(const char *)sqlite3_column_text(st, 8));
		cJSON *payload = cJSON_Parse((const char *)sqlite3_column_text(st, 9));
		if (payload)
			cJSON_AddItemToObject(r, "payload", payload);
		cJSON_AddItemToArray(list, r);
	}
	if (st)
		sqlite3_reset(st);
	st = store_prepare(s3->db, "SELECT count(*) FILTER (WHERE delivered IS "
				   "NULL), count(delivered) FROM outbox");
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		pending = sqlite3_column_int(st, 0);
		delivered = sqlite3_column_int(st, 1);
	}
	if (st)
		sqlite3_reset(st);
	cJSON_AddNumberToObject(j, "pending", pending);
	cJSON_AddNumberToObject(j, "delivered", delivered);
	return j;
}
