/*
 * ddb_txn.c - TransactWriteItems and TransactGetItems.
 *
 * TransactWriteItems checks every action first (static errors are plain
 * ValidationExceptions, as in AWS), then evaluates every condition inside
 * one SQLite transaction: if any fails, nothing is written and the answer
 * is TransactionCanceledException with one CancellationReasons entry per
 * action (ConditionalCheckFailed with the old item when asked, None for
 * the others).  A ClientRequestToken seen in the last 10 minutes with the
 * same request is answered without writing again; with a different
 * request it is IdempotentParameterMismatchException.
 */
#include "ddb.h"
#include "hash.h"
#include "protocol.h"
#include "timefmt.h"

#include <stdio.h>
#include <string.h>

#define TOKEN_WINDOW_S 600

static struct store_db *db_of(struct request *req)
{
	return ((struct ddb_state *)req->service_state)->db;
}

static int same_item(const struct ddb_write *a, const struct ddb_write *b)
{
	return a->table->id == b->table->id &&
	       a->key.pk_len == b->key.pk_len &&
	       a->key.sk_len == b->key.sk_len &&
	       !memcmp(a->key.pk, b->key.pk, a->key.pk_len) &&
	       !memcmp(a->key.sk, b->key.sk, a->key.sk_len);
}

/* Look the token up: 0 new, 1 replay of the same request, -1 error
 * (mismatch recorded).  Expired tokens are forgotten first. */
static int token_check(struct request *req, const char *token,
		       const char *digest)
{
	sqlite3_stmt *st = store_prepare(db_of(req),
		"DELETE FROM ddb_txn_tokens WHERE created < ?1");
	if (!st)
		return req_error(req, 500, "InternalServerError",
				 "Internal server error");
	sqlite3_bind_int64(st, 1, time_now_ms() / 1000 - TOKEN_WINDOW_S);
	sqlite3_step(st);
	sqlite3_reset(st);
	st = store_prepare(db_of(req),
		"SELECT digest FROM ddb_txn_tokens WHERE token = ?1");
	if (!st)
		return req_error(req, 500, "InternalServerError",
				 "Internal server error");
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	int rc = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = strcmp((const char *)sqlite3_column_text(st, 0), digest)
			? -1 : 1;
	sqlite3_reset(st);
	if (rc < 0)
		return req_error(req, 400, "IdempotentParameterMismatchException",
				 "Specified idempotent token was used with "
				 "different request parameters within the 10 "
				 "minutes idempotency window");
	return rc;
}

static int token_store(struct request *req, const char *token,
		       const char *digest)
{
	sqlite3_stmt *st = store_prepare(db_of(req),
		"INSERT OR REPLACE INTO ddb_txn_tokens(token, digest, created) "
		"VALUES (?1, ?2, ?3)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, time_now_ms() / 1000);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int canceled(struct request *req, struct response *resp,
		    const cJSON *items, struct ddb_write *w, int n)
{
	cJSON *extra = cJSON_CreateObject();
	cJSON *reasons = cJSON_AddArrayToObject(extra, "CancellationReasons");
	struct buf msg;
	buf_init(&msg, 1 << 16);
	buf_puts(&msg, "Transaction cancelled, please refer cancellation "
		 "reasons for specific reasons [");
	for (int i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();
		if (w[i].cond_failed) {
			const cJSON *action = cJSON_GetArrayItem(items, i)->child;
			const char *rv = ddb_str(action,
				"ReturnValuesOnConditionCheckFailure");
			cJSON_AddStringToObject(r, "Code", "ConditionalCheckFailed");
			cJSON_AddStringToObject(r, "Message",
						"The conditional request failed");
			if (rv && !strcmp(rv, "ALL_OLD") && w[i].old)
				cJSON_AddItemToObject(r, "Item",
						      cJSON_Duplicate(w[i].old, 1));
		} else {
			cJSON_AddStringToObject(r, "Code", "None");
		}
		buf_printf(&msg, "%s%s", i ? ", " : "",
			   w[i].cond_failed ? "ConditionalCheckFailed" : "None");
		cJSON_AddItemToArray(reasons, r);
	}
	buf_putc(&msg, ']');
	int rc = ddb_error_with(req, resp, 400,
				"com.amazonaws.dynamodb.v20120810#"
				"TransactionCanceledException", msg.data, extra);
	buf_free(&msg);
	return rc;
}

int ddb_transact_write(struct request *req, struct response *resp)
{
	static const char *const kinds[] = {"Put", "Delete", "Update",
					    "ConditionCheck"};
	static const enum ddb_write_kind wk[] = {DDB_W_PUT, DDB_W_DELETE,
						 DDB_W_UPDATE, DDB_W_CHECK};
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	if (!body)
		return -1;
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(body,
							      "TransactItems");
	int n = cJSON_GetArraySize(items);
	if (!cJSON_IsArray(items) || n < 1 || n > 100)
		return ddb_invalid(req, "1 validation error detected: Value at "
				   "'transactItems' failed to satisfy "
				   "constraint: Member must have length %s",
				   n < 1 ? "greater than or equal to 1"
					 : "less than or equal to 100");
	struct ddb_write *w = arena_calloc(req->arena, (size_t)n * sizeof(*w));
	const cJSON *it;
	int i = 0;
	cJSON_ArrayForEach(it, items) {
		int k = -1, count = 0;
		for (int j = 0; j < 4; j++)
			if (cJSON_GetObjectItemCaseSensitive(it, kinds[j])) {
				k = j;
				count++;
			}
		if (count != 1)
			return ddb_invalid(req, "TransactItems can only contain "
					   "one of Check, Put, Update or Delete");
		if (ddb_write_prepare(req, cJSON_GetObjectItemCaseSensitive(
					      it, kinds[k]), wk[k], &w[i]))
			return -1;
		for (int j = 0; j < i; j++)
			if (same_item(&w[i], &w[j]))
				return ddb_invalid(req, "Transaction request "
						   "cannot include multiple "
						   "operations on one item");
		i++;
	}
	const char *token = ddb_str(body, "ClientRequestToken");
	char digest[65];
	hash_sha256_hex(req->body ? req->body : "", req->body_len, digest);
	if (ddb_begin(req))
		return -1;
	if (token) {
		int seen = token_check(req, token, digest);
		if (seen) {
			ddb_rollback(req);
			if (seen < 0)
				return -1;
			resp_json(resp, req->service, cJSON_CreateObject());
			return 0;
		}
	}
	int failed = 0;
	for (i = 0; i < n; i++) {
		if (ddb_write_evaluate(req, &w[i])) {
			ddb_rollback(req);
			return -1;
		}
		failed |= w[i].cond_failed;
	}
	if (failed) {
		ddb_rollback(req);
		return canceled(req, resp, items, w, n);
	}
	for (i = 0; i < n; i++)
		if (ddb_write_apply(req, &w[i])) {
			ddb_rollback(req);
			return -1;
		}
	if ((token && token_store(req, token, digest)) || ddb_commit(req)) {
		ddb_rollback(req);
		return req_error(req, 500, "InternalServerError",
				 "Internal server error");
	}
	resp_json(resp, req->service, cJSON_CreateObject());
	return 0;
}

int ddb_transact_get(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	if (!body)
		return -1;
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(body,
							      "TransactItems");
	int n = cJSON_GetArraySize(items);
	char err[512];
	if (!cJSON_IsArray(items) || n < 1 || n > 100)
		return ddb_invalid(req, "1 validation error detected: Value at "
				   "'transactItems' failed to satisfy "
				   "constraint: Member must have length %s",
				   n < 1 ? "greater than or equal to 1"
					 : "less than or equal to 100");
	cJSON *out = cJSON_CreateObject();
	cJSON *responses = cJSON_AddArrayToObject(out, "Responses");
	const cJSON *it;
	cJSON_ArrayForEach(it, items) {
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(it, "Get");
		struct ddb_table *t;
		struct ddb_key k;
		struct ddb_expr_ctx c;
		struct ddb_projection proj = {0};
		cJSON *item;
		cJSON *key = cJSON_GetObjectItemCaseSensitive(g, "Key");
		const char *pe = ddb_str(g, "ProjectionExpression");
		if (!g || ddb_table_load(req, ddb_str(g, "TableName"), &t))
			goto fail;
		if (!cJSON_IsObject(key) || ddb_item_check(key, err, sizeof(err))) {
			ddb_invalid(req, "The provided key element does not "
				    "match the schema");
			goto fail;
		}
		if (ddb_extract_key(req, &t->keys, key, 1, &k) ||
		    ddb_expr_setup(req, g, &c, pe != NULL))
			goto fail;
		if ((pe && ddb_parse_projection(&c, pe, &proj)) ||
		    ddb_expr_check_unused(&c)) {
			ddb_invalid(req, "%s", c.err);
			goto fail;
		}
		if (ddb_store_get(req, t, &k, &item))
			goto fail;
		cJSON *r = cJSON_CreateObject();
		if (item)
			cJSON_AddItemToObject(r, "Item", pe ? ddb_project(&proj, item)
							    : cJSON_Duplicate(item, 1));
		cJSON_AddItemToArray(responses, r);
	}
	resp_json(resp, req->service, out);
	return 0;
fail:
	cJSON_Delete(out);
	return -1;
}
