/*
 * dynamodb.c - Amazon DynamoDB (JSON 1.0, X-Amz-Target:
 * DynamoDB_20120810.<Op>, x-amz-crc32 on every answer): the operation
 * table, the service row and its hooks, the TTL sweeper thread, and the
 * request helpers every ddb_*.c shares.
 *
 * Follows AWS's behaviour down to error codes and messages for what is
 * listed in docs/services/dynamodb.md; ValidationException goes out as
 * com.amazon.coral.validate#ValidationException, as DynamoDB sends it.
 * Not supported: PartiQL, backups/restores, global tables, streams
 * records (StreamSpecification is stored and described), imports and
 * exports, the legacy condition parameters (Expected, QueryFilter, ...:
 * rejected with a ValidationException that says so).
 *
 * State: <data-dir>/dynamodb.db (ddb_store.c).  The TTL sweeper deletes
 * items whose TTL attribute (epoch seconds) has passed, once a second by
 * default (IMGPIPE_DDB_TTL_INTERVAL_MS).
 */
#include "ddb.h"
#include "log.h"
#include "protocol.h"
#include "services.h"
#include "timefmt.h"
#include "xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *ddb_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int ddb_invalid(struct request *req, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return req_error(req, 400, DDB_VALIDATION, "%s", msg);
}

int ddb_error_with(struct request *req, struct response *resp, int status,
		   const char *code, const char *message, cJSON *extra)
{
	(void)resp;
	req_error(req, status, code, "%s", message);
	while (extra && extra->child) {
		cJSON *e = cJSON_DetachItemViaPointer(extra, extra->child);
		char *name = arena_strdup(req->arena, e->string);
		req_error_json(req, name, e);
	}
	cJSON_Delete(extra);
	return -1;
}

cJSON *ddb_consumed(const cJSON *body, const char *table, double units)
{
	const char *rcc = ddb_str(body, "ReturnConsumedCapacity");
	if (!rcc || (strcmp(rcc, "TOTAL") && strcmp(rcc, "INDEXES")))
		return NULL;
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "TableName", table);
	cJSON_AddNumberToObject(c, "CapacityUnits", units);
	if (!strcmp(rcc, "INDEXES")) {
		cJSON *t = cJSON_AddObjectToObject(c, "Table");
		cJSON_AddNumberToObject(t, "CapacityUnits", units);
	}
	return c;
}

/* A placeholder key: '#'/':' then [A-Za-z0-9_]+. */
static int valid_placeholder(const char *k, char first)
{
	if (!k || k[0] != first || !k[1])
		return 0;
	for (const char *p = k + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

int ddb_expr_setup(struct request *req, const cJSON *body,
		   struct ddb_expr_ctx *c, int has_expression)
{
	cJSON *names = cJSON_GetObjectItemCaseSensitive(body,
						       "ExpressionAttributeNames");
	cJSON *values = cJSON_GetObjectItemCaseSensitive(
		body, "ExpressionAttributeValues");
	char err[512];
	if (names && !cJSON_IsObject(names))
		names = NULL;
	if (values && !cJSON_IsObject(values))
		values = NULL;
	if (names && !names->child)
		return ddb_invalid(req, "ExpressionAttributeNames must not be "
				   "empty");
	if (values && !values->child)
		return ddb_invalid(req, "ExpressionAttributeValues must not be "
				   "empty");
	if (names && !has_expression)
		return ddb_invalid(req, "ExpressionAttributeNames can only be "
				   "specified when using expressions");
	if (values && !has_expression)
		return ddb_invalid(req, "ExpressionAttributeValues can only be "
				   "specified when using expressions");
	for (cJSON *n = names ? names->child : NULL; n; n = n->next) {
		if (!valid_placeholder(n->string, '#'))
			return ddb_invalid(req, "ExpressionAttributeNames "
					   "contains invalid key: Syntax error; "
					   "key: \"%s\"", n->string);
		if (!cJSON_IsString(n))
			return req_error(req, 400, DDB_SERIALIZATION,
					 "Unexpected value type in payload");
	}
	for (cJSON *v = values ? values->child : NULL; v; v = v->next) {
		if (!valid_placeholder(v->string, ':'))
			return ddb_invalid(req, "ExpressionAttributeValues "
					   "contains invalid key: Syntax error; "
					   "key: \"%s\"", v->string);
		if (ddb_value_check(v, err, sizeof(err)))
			return ddb_invalid(req, "ExpressionAttributeValues "
					   "contains invalid value: %s for key "
					   "%s", err, v->string);
	}
	ddb_expr_ctx_init(c, req->arena, names, values);
	return 0;
}

/* ---- TTL sweeper ---------------------------------------------------- */

static void *ttl_main(void *arg)
{
	struct ddb_state *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += s->ttl_interval_ms / 1000;
		until.tv_nsec += (long)(s->ttl_interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		int rc = 0;
		while (!s->stopping && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&s->cond, &s->mu, &until);
		if (s->stopping)
			break;
		pthread_mutex_unlock(&s->mu);
		long n = ddb_store_sweep_ttl(s->db, time_now_ms() / 1000);
		if (n > 0)
			log_debug("dynamodb: ttl sweeper deleted %ld items", n);
		else if (n < 0)
			log_warn("dynamodb: ttl sweep failed");
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static int ddb_init(struct emulator *emu, void **state, char *errbuf,
		    size_t errlen)
{
	struct ddb_state *s = xcalloc(1, sizeof(*s));
	s->emu = emu;
	s->db = ddb_store_open(emu, errbuf, errlen);
	if (!s->db) {
		free(s);
		return -1;
	}
	const char *iv = getenv("IMGPIPE_DDB_TTL_INTERVAL_MS");
	s->ttl_interval_ms = iv && atoi(iv) > 0 ? atoi(iv) : 1000;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cond, NULL);
	*state = s;
	return 0;
}

static int ddb_start(void *state)
{
	struct ddb_state *s = state;
	if (pthread_create(&s->ttl_thread, NULL, ttl_main, s) != 0) {
		log_error("dynamodb: cannot start the ttl sweeper");
		return -1;
	}
	s->ttl_started = 1;
	return 0;
}

static void ddb_shutdown(void *state)
{
	struct ddb_state *s = state;
	if (!s)
		return;
	if (s->ttl_started) {
		pthread_mutex_lock(&s->mu);
		s->stopping = 1;
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->ttl_thread, NULL);
	}
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static int ddb_reset(void *state)
{
	struct ddb_state *s = state;
	if (store_begin(s->db))
		return -1;
	if (store_exec(s->db, "DELETE FROM ddb_index_rows") ||
	    store_exec(s->db, "DELETE FROM ddb_items") ||
	    store_exec(s->db, "DELETE FROM ddb_tables") ||
	    store_exec(s->db, "DELETE FROM ddb_txn_tokens") ||
	    store_commit(s->db)) {
		store_rollback(s->db);
		return -1;
	}
	return 0;
}

static void *ddb_resources(void *state)
{
	struct ddb_state *s = state;
	cJSON *out = cJSON_CreateObject();
	cJSON *tables = cJSON_AddArrayToObject(out, "tables");
	sqlite3_stmt *st = store_prepare(s->db,
		"SELECT t.name, (SELECT count(*) FROM ddb_items i WHERE "
		"i.tid = t.id) FROM ddb_tables t ORDER BY t.name");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "name",
					(const char *)sqlite3_column_text(st, 0));
		cJSON_AddNumberToObject(t, "items",
					(double)sqlite3_column_int64(st, 1));
		cJSON_AddItemToArray(tables, t);
	}
	if (st)
		sqlite3_reset(st);
	return out;
}

static const struct service_op ddb_ops[] = {
	{"CreateTable", NULL, NULL, ddb_create_table, NULL, 0, 0},
	{"DescribeTable", NULL, NULL, ddb_describe_table, NULL, 0, 0},
	{"ListTables", NULL, NULL, ddb_list_tables, NULL, 0, 0},
	{"UpdateTable", NULL, NULL, ddb_update_table, NULL, 0, 0},
	{"DeleteTable", NULL, NULL, ddb_delete_table, NULL, 0, 0},
	{"DescribeTimeToLive", NULL, NULL, ddb_describe_ttl, NULL, 0, 0},
	{"UpdateTimeToLive", NULL, NULL, ddb_update_ttl, NULL, 0, 0},
	{"DescribeContinuousBackups", NULL, NULL, ddb_describe_backups, NULL,
	 0, 0},
	{"UpdateContinuousBackups", NULL, NULL, ddb_update_backups, NULL, 0,
	 0},
	{"TagResource", NULL, NULL, ddb_tag_resource, NULL, 0, 0},
	{"UntagResource", NULL, NULL, ddb_untag_resource, NULL, 0, 0},
	{"ListTagsOfResource", NULL, NULL, ddb_list_tags, NULL, 0, 0},
	{"DescribeEndpoints", NULL, NULL, ddb_describe_endpoints, NULL, 0, 0},
	{"DescribeLimits", NULL, NULL, ddb_describe_limits, NULL, 0, 0},
	{"PutItem", NULL, NULL, ddb_put_item, NULL, 0, 0},
	{"GetItem", NULL, NULL, ddb_get_item, NULL, 0, 0},
	{"UpdateItem", NULL, NULL, ddb_update_item, NULL, 0, 0},
	{"DeleteItem", NULL, NULL, ddb_delete_item, NULL, 0, 0},
	{"Query", NULL, NULL, ddb_query, NULL, 0, 0},
	{"Scan", NULL, NULL, ddb_scan, NULL, 0, 0},
	{"BatchGetItem", NULL, NULL, ddb_batch_get, NULL, 0, 0},
	{"BatchWriteItem", NULL, NULL, ddb_batch_write, NULL, 0, 0},
	{"TransactWriteItems", NULL, NULL, ddb_transact_write, NULL, 0, 0},
	{"TransactGetItems", NULL, NULL, ddb_transact_get, NULL, 0, 0},
};

const struct service dynamodb_service = {
	.name = "dynamodb",
	.signing_name = "dynamodb",
	.target_prefix = "DynamoDB_20120810.",
	.protocol = PROTO_JSON,
	.flags = SVC_JSON_CRC32,
	.error_namespace = "com.amazonaws.dynamodb.v20120810#",
	.json_content_type = "application/x-amz-json-1.0",
	.max_body = 16 * 1024 * 1024,
	.init = ddb_init,
	.start = ddb_start,
	.shutdown = ddb_shutdown,
	.reset = ddb_reset,
	.resources = ddb_resources,
	.ops = ddb_ops,
	.n_ops = sizeof(ddb_ops) / sizeof(ddb_ops[0]),
};
