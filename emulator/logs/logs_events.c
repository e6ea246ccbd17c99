/*
 * logs_events.c - CloudWatch Logs streams and events: CreateLogStream,
 * DeleteLogStream, DescribeLogStreams, PutLogEvents, GetLogEvents,
 * FilterLogEvents.
 *
 * Events are rows with an increasing id; GetLogEvents tokens are
 * "f/<id>" (events after id, oldest first) and "b/<id>" (events before
 * id), FilterLogEvents tokens the last id returned.  A filter pattern is
 * a list of terms (a "quoted phrase" is one term) that must all occur in
 * the message, case-sensitively; JSON and space-delimited patterns are
 * not supported (they match as plain terms).
 */
#include "logs.h"
#include "protocol.h"
#include "services.h"
#include "timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INTERNAL(req) \
	req_error(req, 500, "ServiceUnavailableException", "internal error")

/* Whether stream exists in group. */
static int stream_exists(struct logs_state *s, const char *group,
			 const char *stream)
{
	sqlite3_stmt *st = store_prepare(s->db,
		"SELECT 1 FROM streams WHERE grp = ? AND name = ?");
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, stream, -1, SQLITE_TRANSIENT);
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

static int no_stream(struct request *req)
{
	return req_error(req, 400, "ResourceNotFoundException",
			 "The specified log stream does not exist.");
}

/* logStreamName of body, validated ([^:*]{1,512}); NULL with an error. */
static const char *stream_param(struct request *req, const cJSON *body)
{
	const char *n = logs_str(body, "logStreamName");
	if (!n) {
		req_error(req, 400, "InvalidParameterException",
			  "1 validation error detected: Value null at "
			  "'logStreamName' failed to satisfy constraint: "
			  "Member must not be null");
		return NULL;
	}
	if (!*n || strlen(n) > 512 || strpbrk(n, ":*")) {
		req_error(req, 400, "InvalidParameterException",
			  "1 validation error detected: Value '%s' at "
			  "'logStreamName' failed to satisfy constraint: "
			  "Member must satisfy regular expression pattern: "
			  "[^:*]*", n);
		return NULL;
	}
	return n;
}

int logs_create_stream(struct request *req, struct response *resp)
{
	struct logs_state *s = req->service_state;
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? logs_group_param(req, body) : NULL;
	const char *n = g ? stream_param(req, body) : NULL;
	if (!n)
		return -1;
	if (store_begin(s->db))
		return INTERNAL(req);
	int rc = 0;
	if (!logs_group_exists(s, g))
		rc = logs_no_group(req);
	else if (stream_exists(s, g, n))
		rc = req_error(req, 400, "ResourceAlreadyExistsException",
			       "The specified log stream already exists");
	else if (logs_stream_ensure(s, g, n, time_now_ms()) ||
		 store_commit(s->db))
		rc = INTERNAL(req);
	if (rc) {
		store_rollback(s->db);
		return -1;
	}
	resp_json(resp, &logs_service, cJSON_CreateObject());
	return 0;
}

int logs_delete_stream(struct request *req, struct response *resp)
{
	struct logs_state *s = req->service_state;
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? logs_group_param(req, body) : NULL;
	const char *n = g ? stream_param(req, body) : NULL;
	if (!n)
		return -1;
	if (!logs_group_exists(s, g))
		return logs_no_group(req);
	sqlite3_stmt *st = store_prepare(s->db,
		"DELETE FROM streams WHERE grp = ? AND name = ?");
	if (!st)
		return INTERNAL(req);
	sqlite3_bind_text(st, 1, g, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, n, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return INTERNAL(req);
	if (!sqlite3_changes(store_db_conn(s->db)))
		return no_stream(req);
	resp_json(resp, &logs_service, cJSON_CreateObject());
	return 0;
}

int logs_describe_streams(struct request *req, struct response *resp)
{
	struct logs_state *s = req->service_state;
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? logs_group_param(req, body) : NULL;
	if (!g)
		return -1;
	const char *prefix = logs_str(body, "logStreamNamePrefix");
	const char *order = logs_str(body, "orderBy");
	const char *token = logs_str(body, "nextToken");
	int desc = cJSON_IsTrue(cJSON_GetObjectItem(body, "descending"));
	int64_t limit = 50, offset = 0;
	if (logs_int(req, body, "limit", &limit) < 0)
		return -1;
	if (limit < 1 || limit > 50)
		return req_error(req, 400, "InvalidParameterException",
				 "1 validation error detected: Value '%lld' at"
				 " 'limit' failed to satisfy constraint: Member"
				 " must have value between 1 and 50",
				 (long long)limit);
	int by_time = order && strcmp(order, "LastEventTime") == 0;
	if (order && !by_time && strcmp(order, "LogStreamName"))
		return req_error(req, 400, "InvalidParameterException",
				 "1 validation error detected: Value '%s' at "
				 "'orderBy' failed to satisfy constraint: "
				 "Member must satisfy enum value set: "
				 "[LogStreamName, LastEventTime]", order);
	if (by_time && prefix)
		return req_error(req, 400, "InvalidParameterException",
				 "Cannot order by LastEventTime with a "
				 "logStreamNamePrefix.");
	if (token && (offset = strtoll(token, NULL, 10)) < 0)
		offset = 0;
	if (!logs_group_exists(s, g))
		return logs_no_group(req);
	const char *sql =
		by_time ? (desc ? "SELECT name, created, first_ts, last_ts, "
				  "last_ingest FROM streams WHERE grp = ?1 AND "
				  "substr(name, 1, length(?2)) = ?2 ORDER BY "
				  "coalesce(last_ts, 0) DESC, name DESC LIMIT "
				  "?3 OFFSET ?4"
				: "SELECT name, created, first_ts, last_ts, "
				  "last_ingest FROM streams WHERE grp = ?1 AND "
				  "substr(name, 1, length(?2)) = ?2 ORDER BY "
				  "coalesce(last_ts, 0), name LIMIT ?3 OFFSET ?4")
			: (desc ? "SELECT name, created, first_ts, last_ts, "
				  "last_ingest FROM streams WHERE grp = ?1 AND "
				  "substr(name, 1, length(?2)) = ?2 ORDER BY "
				  "name DESC LIMIT ?3 OFFSET ?4"
				: "SELECT name, created, first_ts, last_ts, "
				  "last_ingest FROM streams WHERE grp = ?1 AND "
				  "substr(name, 1, length(?2)) = ?2 ORDER BY "
				  "name LIMIT ?3 OFFSET ?4");
	sqlite3_stmt *st = store_prepare(s->db, sql);
	if (!st)
		return INTERNAL(req);
	sqlite3_bind_text(st, 1, g, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, prefix ? prefix : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, limit + 1);
	sqlite3_bind_int64(st, 4, offset);
	const char *garn = logs_group_arn(req, g);
	cJSON *out = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(out, "logStreams");
	int64_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == limit) {
			char tok[32];
			snprintf(tok, sizeof(tok), "%lld",
				 (long long)(offset + n));
			cJSON_AddStringToObject(out, "nextToken", tok);
			break;
		}
		const char *name = (const char *)sqlite3_column_text(st, 0);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "logStreamName", name);
		cJSON_AddNumberToObject(o, "creationTime",
					(double)sqlite3_column_int64(st, 1));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			cJSON_AddNumberToObject(o, "firstEventTimestamp",
				(double)sqlite3_column_int64(st, 2));
			cJSON_AddNumberToObject(o, "lastEventTimestamp",
				(double)sqlite3_column_int64(st, 3));
			cJSON_AddNumberToObject(o, "lastIngestionTime",
				(double)sqlite3_column_int64(st, 4));
		}
		cJSON_AddStringToObject(o, "arn",
			arena_printf(req->arena, "%s:log-stream:%s", garn,
				     name));
		cJSON_AddNumberToObject(o, "storedBytes", 0);
		cJSON_AddItemToArray(arr, o);
		n++;
	}
	sqlite3_reset(st);
	resp_json(resp, &logs_service, out);
	return 0;
}

int logs_put_events(struct request *req, struct response *resp)
{
	struct logs_state *s = req->service_state;
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? logs_group_param(req, body) : NULL;
	const char *n = g ? stream_param(req, body) : NULL;
	if (!n)
		return -1;
	cJSON *events = cJSON_GetObjectItemCaseSensitive(body, "logEvents");
	int count = cJSON_GetArraySize(events);
	if (!cJSON_IsArray(events) || count < 1 || count > 10000)
		return req_error(req, 400, "InvalidParameterException",
				 "1 validation error detected: Value at "
				 "'logEvents' failed to satisfy constraint: "
				 "Member must have length between 1 and 10000");
	int64_t prev = INT64_MIN;
	for (cJSON *e = events->child; e; e = e->next) {
		int64_t ts = 0;
		const char *msg = logs_str(e, "message");
		if (logs_int(req, e, "timestamp", &ts) <= 0 || !msg)
			return req_error(req, 400, "InvalidParameterException",
					 "Each log event needs a timestamp "
					 "and a message.");
		if (ts < prev)
			return req_error(req, 400, "InvalidParameterException",
					 "Log events in a single PutLogEvents "
					 "request must be in chronological "
					 "order.");
		prev = ts;
	}
	if (store_begin(s->db))
		return INTERNAL(req);
	int rc = 0;
	if (!logs_group_exists(s, g))
		rc = logs_no_group(req);
	else if (!stream_exists(s, g, n))
		rc = no_stream(req);
	int64_t now = time_now_ms();
	for (cJSON *e = events->child; !rc && e; e = e->next) {
		int64_t ts = 0;
		logs_int(req, e, "timestamp", &ts);
		const char *msg = logs_str(e, "message");
		if (logs_event_insert(s, g, n, ts, now, msg, strlen(msg)))
			rc = INTERNAL(req);
	}
	if (!rc && store_commit(s->db))
		rc = INTERNAL(req);
	if (rc) {
		store_rollback(s->db);
		return -1;
	}
	char tok[64];
	snprintf(tok, sizeof(tok), "%056lld", (long long)now);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "nextSequenceToken", tok);
	resp_json(resp, &logs_service, out);
	return 0;
}

/* One event row (id, stream, ts, ingest, msg) as JSON; filter: with
 * logStreamName and eventId, as FilterLogEvents answers. */
static cJSON *event_json(sqlite3_stmt *st, int filter)
{
	cJSON *e = cJSON_CreateObject();
	if (filter)
		cJSON_AddStringToObject(e, "logStreamName",
			(const char *)sqlite3_column_text(st, 1));
	cJSON_AddNumberToObject(e, "timestamp",
				(double)sqlite3_column_int64(st, 2));
	cJSON_AddStringToObject(e, "message",
				(const char *)sqlite3_column_text(st, 4));
	cJSON_AddNumberToObject(e, "ingestionTime",
				(double)sqlite3_column_int64(st, 3));
	if (filter) {
		char id[32];
		snprintf(id, sizeof(id), "%lld",
			 (long long)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(e, "eventId", id);
	}
	return e;
}

/* startTime/endTime/limit of body into *from, *to, *limit (defaults: all
 * time, 10000).  0, or -1 with an error recorded. */
static int time_range(struct request *req, const cJSON *body, int64_t *from,
		      int64_t *to, int64_t *limit)
{
	*from = INT64_MIN;
	*to = INT64_MAX;
	*limit = 10000;
	if (logs_int(req, body, "startTime", from) < 0 ||
	    logs_int(req, body, "endTime", to) < 0 ||
	    logs_int(req, body, "limit", limit) < 0)
		return -1;
	if (*limit < 1 || *limit > 10000)
		return req_error(req, 400, "InvalidParameterException",
				 "1 validation error detected: Value '%lld' at"
				 " 'limit' failed to satisfy constraint: Member"
				 " must have value between 1 and 10000",
				 (long long)*limit);
	return 0;
}

int logs_get_events(struct request *req, struct response *resp)
{
	struct logs_state *s = req->service_state;
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? logs_group_param(req, body) : NULL;
	const char *n = g ? stream_param(req, body) : NULL;
	int64_t from, to, limit;
	if (!n || time_range(req, body, &from, &to, &limit))
		return -1;
	const char *token = logs_str(body, "nextToken");
	int forward = cJSON_IsTrue(cJSON_GetObjectItem(body, "startFromHead"));
	int64_t after = 0, before = INT64_MAX;
	if (token) {
		if ((token[0] != 'f' && token[0] != 'b') || token[1] != '/')
			return req_error(req, 400, "InvalidParameterException",
					 "The specified nextToken is invalid.");
		forward = token[0] == 'f';
		if (forward)
			after = strtoll(token + 2, NULL, 10);
		else
			before = strtoll(token + 2, NULL, 10);
	}
	if (!logs_group_exists(s, g))
		return logs_no_group(req);
	if (!stream_exists(s, g, n))
		return no_stream(req);
	sqlite3_stmt *st = store_prepare(s->db, forward
		? "SELECT id, stream, ts, ingest, msg FROM events WHERE grp = "
		  "?1 AND stream = ?2 AND ts >= ?3 AND ts < ?4 AND id > ?5 AND "
		  "id < ?6 ORDER BY id LIMIT ?7"
		: "SELECT * FROM (SELECT id, stream, ts, ingest, msg FROM "
		  "events WHERE grp = ?1 AND stream = ?2 AND ts >= ?3 AND ts < "
		  "?4 AND id > ?5 AND id < ?6 ORDER BY id DESC LIMIT ?7) ORDER "
		  "BY id");
	if (!st)
		return INTERNAL(req);
	sqlite3_bind_text(st, 1, g, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, n, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	sqlite3_bind_int64(st, 5, after);
	sqlite3_bind_int64(st, 6, before);
	sqlite3_bind_int64(st, 7, limit);
	cJSON *out = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(out, "events");
	int64_t first = -1, last = -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (first < 0)
			first = id;
		last = id;
		cJSON_AddItemToArray(arr, event_json(st, 0));
	}
	sqlite3_reset(st);
	/* With nothing new, the tokens stay where they were (clients stop
	 * paging when the forward token repeats). */
	if (first < 0) {
		first = before == INT64_MAX ? after + 1 : before;
		last = before == INT64_MAX ? after : before - 1;
	}
	char tok[80];
	snprintf(tok, sizeof(tok), "f/%056lld", (long long)last);
	cJSON_AddStringToObject(out, "nextForwardToken", tok);
	snprintf(tok, sizeof(tok), "b/%056lld", (long long)first);
	cJSON_AddStringToObject(out, "nextBackwardToken", tok);
	resp_json(resp, &logs_service, out);
	return 0;
}

/* Whether msg holds every term of pattern (terms split on blanks, a
 * "quoted phrase" is one term).  An empty pattern matches everything. */
static int pattern_match(struct request *req, const char *pattern,
			 const char *msg)
{
	const char *p = pattern;
	while (p && *p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *end;
		const char *start = p;
		if (*p == '"') {
			start = ++p;
			end = strchr(p, '"');
			if (!end)
				end = p + strlen(p);
			p = *end ? end + 1 : end;
		} else {
			end = p + strcspn(p, " \t");
			p = end;
		}
		char *term = arena_alloc(req->arena, (size_t)(end - start) + 1);
		memcpy(term, start, (size_t)(end - start));
		term[end - start] = '\0';
		if (*term && !strstr(msg, term))
			return 0;
	}
	return 1;
}

int logs_filter_events(struct request *req, struct response *resp)
{
	struct logs_state *s = req->service_state;
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? logs_group_param(req, body) : NULL;
	int64_t from, to, limit;
	if (!g || time_range(req, body, &from, &to, &limit))
		return -1;
	const char *prefix = logs_str(body, "logStreamNamePrefix");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(body,
							      "logStreamNames");
	const char *pattern = logs_str(body, "filterPattern");
	const char *token = logs_str(body, "nextToken");
	if (prefix && names)
		return req_error(req, 400, "InvalidParameterException",
				 "logStreamNames and logStreamNamePrefix are "
				 "mutually exclusive");
	if (!logs_group_exists(s, g))
		return logs_no_group(req);
	int64_t after = token ? strtoll(token, NULL, 10) : 0;
	sqlite3_stmt *st = store_prepare(s->db,
		"SELECT id, stream, ts, ingest, msg FROM events WHERE grp = ?1 "
		"AND ts >= ?2 AND ts < ?3 AND id > ?4 AND substr(stream, 1, "
		"length(?5)) = ?5 ORDER BY ts, id");
	if (!st)
		return INTERNAL(req);
	sqlite3_bind_text(st, 1, g, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	sqlite3_bind_int64(st, 4, after);
	sqlite3_bind_text(st, 5, prefix ? prefix : "", -1, SQLITE_TRANSIENT);
	cJSON *out = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(out, "events");
	int64_t n = 0, last = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *stream = (const char *)sqlite3_column_text(st, 1);
		const char *msg = (const char *)sqlite3_column_text(st, 4);
		if (cJSON_IsArray(names)) {
			int in = 0;
			for (const cJSON *x = names->child; x && !in;
			     x = x->next)
				in = cJSON_IsString(x) &&
				     strcmp(x->valuestring, stream) == 0;
			if (!in)
				continue;
		}
		if (pattern && !pattern_match(req, pattern, msg))
			continue;
		if (n == limit) {
			char tok[32];
			snprintf(tok, sizeof(tok), "%lld", (long long)last);
			cJSON_AddStringToObject(out, "nextToken", tok);
			break;
		}
		last = sqlite3_column_int64(st, 0);
		cJSON_AddItemToArray(arr, event_json(st, 1));
		n++;
	}
	sqlite3_reset(st);
	cJSON_AddArrayToObject(out, "searchedLogStreams");
	resp_json(resp, &logs_service, out);
	return 0;
}
