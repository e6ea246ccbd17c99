/*
 * logs.c - Amazon CloudWatch Logs, the minimum that Terraform's
 * aws_cloudwatch_log_group, `aws logs` and the Lambda service need
 * (JSON 1.1, X-Amz-Target: Logs_20140328.<Op>; errors carry plain
 * __type names such as "ResourceNotFoundException").
 *
 * Groups, streams and events live in <data-dir>/logs.db.  Lambda writes
 * each invocation's START..REPORT lines through bus.logs_put into
 * /aws/lambda/<function>; GET /_emulator/logs reads them back through
 * bus.logs_query.  Not supported: retention is stored and returned but
 * events are never expired; metric filters, subscription filters,
 * Insights queries, KMS, data protection; filter patterns are plain
 * terms (every term, or "quoted phrase", must occur), not JSON or
 * space-delimited patterns.
 */
#include "logs.h"
#include "config.h"
#include "log.h"
#include "protocol.h"
#include "services.h"
#include "timefmt.h"
#include "xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct store_migration logs_migrations[] = {
	{1, "CREATE TABLE groups (name TEXT PRIMARY KEY, created INTEGER "
	    "NOT NULL, retention INTEGER, class TEXT NOT NULL DEFAULT "
	    "'STANDARD');"
	    "CREATE TABLE group_tags (grp TEXT NOT NULL REFERENCES groups(name)"
	    " ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL, "
	    "PRIMARY KEY (grp, key));"
	    "CREATE TABLE streams (grp TEXT NOT NULL REFERENCES groups(name) "
	    "ON DELETE CASCADE, name TEXT NOT NULL, created INTEGER NOT NULL,"
	    " first_ts INTEGER, last_ts INTEGER, last_ingest INTEGER, "
	    "PRIMARY KEY (grp, name));"
	    "CREATE TABLE events (id INTEGER PRIMARY KEY, grp TEXT NOT NULL, "
	    "stream TEXT NOT NULL, ts INTEGER NOT NULL, ingest INTEGER NOT "
	    "NULL, msg TEXT NOT NULL, FOREIGN KEY (grp, stream) REFERENCES "
	    "streams(grp, name) ON DELETE CASCADE);"
	    "CREATE INDEX events_by_stream ON events (grp, stream, id);"},
};

const char *logs_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *logs_group_param(struct request *req, const cJSON *body)
{
	const char *g = logs_str(body, "logGroupName");
	if (!g) {
		g = logs_str(body, "logGroupIdentifier");
		/* arn:aws:logs:<region>:<account>:log-group:<name>[:*] */
		if (g && strncmp(g, "arn:", 4) == 0) {
			const char *p = strstr(g, ":log-group:");
			if (p) {
				char *n = arena_strdup(req->arena, p + 11);
				size_t l = strlen(n);
				if (l >= 2 && strcmp(n + l - 2, ":*") == 0)
					n[l - 2] = '\0';
				g = n;
			}
		}
	}
	if (!g || !*g) {
		req_error(req, 400, "InvalidParameterException",
			  "Either logGroupName or logGroupIdentifier must be "
			  "provided.");
		return NULL;
	}
	return g;
}

int logs_group_exists(struct logs_state *s, const char *group)
{
	sqlite3_stmt *st = store_prepare(s->db,
					 "SELECT 1 FROM groups WHERE name = ?");
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

int logs_no_group(struct request *req)
{
	return req_error(req, 400, "ResourceNotFoundException",
			 "The specified log group does not exist.");
}

const char *logs_group_arn(struct request *req, const char *group)
{
	return arena_printf(req->arena, "arn:aws:logs:%s:%s:log-group:%s",
			    req->identity.region,
			    req->emu->config->account_id, group);
}

int logs_int(struct request *req, const cJSON *body, const char *name,
	     int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble)) {
		req_error(req, 400, "SerializationException",
			  "Unexpected value type for %s", name);
		return -1;
	}
	*out = (int64_t)v->valuedouble;
	return 1;
}

int logs_stream_ensure(struct logs_state *s, const char *group,
		       const char *stream, int64_t now_ms)
{
	sqlite3_stmt *st = store_prepare(s->db,
		"INSERT OR IGNORE INTO streams (grp, name, created) "
		"VALUES (?, ?, ?)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, stream, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now_ms);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int logs_event_insert(struct logs_state *s, const char *group,
		      const char *stream, int64_t ts, int64_t ingest,
		      const char *msg, size_t len)
{
	sqlite3_stmt *st = store_prepare(s->db,
		"INSERT INTO events (grp, stream, ts, ingest, msg) "
		"VALUES (?, ?, ?, ?, ?)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, stream, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, ts);
	sqlite3_bind_int64(st, 4, ingest);
	sqlite3_bind_text(st, 5, msg, (int)len, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	st = store_prepare(s->db,
		"UPDATE streams SET first_ts = min(coalesce(first_ts, ?1), ?1),"
		" last_ts = max(coalesce(last_ts, ?1), ?1), last_ingest = ?2 "
		"WHERE grp = ?3 AND name = ?4");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ts);
	sqlite3_bind_int64(st, 2, ingest);
	sqlite3_bind_text(st, 3, group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, stream, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- bus hooks ------------------------------------------------------ */

/* bus.logs_put: one event per line of text (a line keeps its "\n", as
 * Lambda's events do), group and stream created when missing, all in
 * one transaction. */
static int logs_bus_put(void *state, const char *group, const char *stream,
			const char *text, size_t len, int64_t ts_ms)
{
	struct logs_state *s = state;
	int64_t now = time_now_ms();
	if (store_begin(s->db))
		return -1;
	sqlite3_stmt *st = store_prepare(s->db,
		"INSERT OR IGNORE INTO groups (name, created) VALUES (?, ?)");
	int rc = -1;
	if (st) {
		sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	if (!rc)
		rc = logs_stream_ensure(s, group, stream, now);
	size_t i = 0;
	while (!rc && i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) + 1 : len;
		rc = logs_event_insert(s, group, stream, ts_ms, now, text + i,
				       end - i);
		i = end;
	}
	if (rc || store_commit(s->db)) {
		store_rollback(s->db);
		log_warn("logs: cannot store events of %s", group);
		return -1;
	}
	return 0;
}

/* bus.logs_query: the newest limit events of group, oldest first. */
static void *logs_bus_query(void *state, const char *group, int limit)
{
	struct logs_state *s = state;
	if (!logs_group_exists(s, group))
		return NULL;
	sqlite3_stmt *st = store_prepare(s->db,
		"SELECT stream, ts, ingest, msg FROM (SELECT id, stream, ts, "
		"ingest, msg FROM events WHERE grp = ? ORDER BY id DESC "
		"LIMIT ?) ORDER BY id");
	cJSON *arr = cJSON_CreateArray();
	if (!st)
		return arr;
	sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, limit);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "logStreamName",
			(const char *)sqlite3_column_text(st, 0));
		cJSON_AddNumberToObject(e, "timestamp",
					(double)sqlite3_column_int64(st, 1));
		cJSON_AddNumberToObject(e, "ingestionTime",
					(double)sqlite3_column_int64(st, 2));
		cJSON_AddStringToObject(e, "message",
			(const char *)sqlite3_column_text(st, 3));
		cJSON_AddItemToArray(arr, e);
	}
	sqlite3_reset(st);
	return arr;
}

/* ---- service hooks -------------------------------------------------- */

static int logs_init(struct emulator *emu, void **state, char *errbuf,
		     size_t errlen)
{
	struct logs_state *s = xcalloc(1, sizeof(*s));
	s->emu = emu;
	s->db = store_db_open(emu->store, "logs", logs_migrations,
			      sizeof(logs_migrations) /
				      sizeof(logs_migrations[0]),
			      errbuf, errlen);
	if (!s->db) {
		free(s);
		return -1;
	}
	emu->bus.logs = s;
	emu->bus.logs_put = logs_bus_put;
	emu->bus.logs_query = logs_bus_query;
	*state = s;
	return 0;
}

static void logs_shutdown(void *state)
{
	struct logs_state *s = state;
	if (!s)
		return;
	if (s->emu->bus.logs == s) {
		s->emu->bus.logs = NULL;
		s->emu->bus.logs_put = NULL;
		s->emu->bus.logs_query = NULL;
	}
	free(s);
}

static int logs_reset(void *state)
{
	struct logs_state *s = state;
	if (store_begin(s->db))
		return -1;
	if (store_exec(s->db, "DELETE FROM events") ||
	    store_exec(s->db, "DELETE FROM streams") ||
	    store_exec(s->db, "DELETE FROM group_tags") ||
	    store_exec(s->db, "DELETE FROM groups") || store_commit(s->db)) {
		store_rollback(s->db);
		return -1;
	}
	return 0;
}

static void *logs_resources(void *state)
{
	struct logs_state *s = state;
	cJSON *out = cJSON_CreateObject();
	cJSON *groups = cJSON_AddArrayToObject(out, "logGroups");
	sqlite3_stmt *st = store_prepare(s->db,
		"SELECT g.name, (SELECT count(*) FROM streams t WHERE t.grp = "
		"g.name), (SELECT count(*) FROM events e WHERE e.grp = g.name) "
		"FROM groups g ORDER BY g.name");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		cJSON *g = cJSON_CreateObject();
		cJSON_AddStringToObject(g, "name",
			(const char *)sqlite3_column_text(st, 0));
		cJSON_AddNumberToObject(g, "streams",
					(double)sqlite3_column_int64(st, 1));
		cJSON_AddNumberToObject(g, "events",
					(double)sqlite3_column_int64(st, 2));
		cJSON_AddItemToArray(groups, g);
	}
	if (st)
		sqlite3_reset(st);
	return out;
}

#define OP(name, fn) {name, NULL, NULL, fn, NULL, 0, 0}

static const struct service_op logs_ops[] = {
	OP("CreateLogGroup", logs_create_group),
	OP("DeleteLogGroup", logs_delete_group),
	OP("DescribeLogGroups", logs_describe_groups),
	OP("PutRetentionPolicy", logs_put_retention),
	OP("DeleteRetentionPolicy", logs_delete_retention),
	OP("TagResource", logs_tag_resource),
	OP("UntagResource", logs_untag_resource),
	OP("ListTagsForResource", logs_list_tags_resource),
	OP("TagLogGroup", logs_tag_group),
	OP("UntagLogGroup", logs_untag_group),
	OP("ListTagsLogGroup", logs_list_tags_group),
	OP("CreateLogStream", logs_create_stream),
	OP("DeleteLogStream", logs_delete_stream),
	OP("DescribeLogStreams", logs_describe_streams),
	OP("PutLogEvents", logs_put_events),
	OP("GetLogEvents", logs_get_events),
	OP("FilterLogEvents", logs_filter_events),
};

const struct service logs_service = {
	.name = "logs",
	.signing_name = "logs",
	.target_prefix = "Logs_20140328.",
	.protocol = PROTO_JSON,
	.error_namespace = NULL,
	.json_content_type = "application/x-amz-json-1.1",
	.max_body = 2 * 1024 * 1024,
	.init = logs_init,
	.shutdown = logs_shutdown,
	.reset = logs_reset,
	.resources = logs_resources,
	.ops = logs_ops,
	.n_ops = sizeof(logs_ops) / sizeof(logs_ops[0]),
};
