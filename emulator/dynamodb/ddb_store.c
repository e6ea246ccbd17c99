/*
 * ddb_store.c - DynamoDB's state in <data-dir>/dynamodb.db.
 *
 *   ddb_tables      one row per table: the TableDescription that does not
 *                   change with the data (JSON), TTL, PITR and tags
 *   ddb_items       (tid, pk, sk) -> body: the item as DynamoDB JSON text,
 *                   its size, and its TTL epoch second when the table has
 *                   TTL on.  pk/sk are the order-preserving key bytes
 *                   (ddb_value.c), sk = x'' without a range key, so a
 *                   Query is a range scan of the primary key
 *   ddb_index_rows  (tid, index, ipk, isk, pk, sk): one row per item in a
 *                   secondary index, ordered the way the index is read;
 *                   the body is read from ddb_items
 *   ddb_txn_tokens  ClientRequestToken of TransactWriteItems (10 minutes)
 *
 * Every write happens inside the caller's transaction (store_begin), so
 * an item and its index rows change together or not at all.
 */
#include "ddb.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

static const struct store_migration migrations[] = {
	{1,
	 "CREATE TABLE ddb_tables("
	 " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " name TEXT NOT NULL UNIQUE,"
	 " desc TEXT NOT NULL,"
	 " ttl_attr TEXT,"
	 " ttl_status TEXT NOT NULL DEFAULT 'DISABLED',"
	 " pitr INTEGER NOT NULL DEFAULT 0,"
	 " tags TEXT NOT NULL DEFAULT '[]');"
	 "CREATE TABLE ddb_items("
	 " tid INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,"
	 " body TEXT NOT NULL, size INTEGER NOT NULL, ttl INTEGER,"
	 " PRIMARY KEY(tid, pk, sk)) WITHOUT ROWID;"
	 "CREATE INDEX ddb_items_ttl ON ddb_items(ttl) WHERE ttl IS NOT NULL;"
	 "CREATE TABLE ddb_index_rows("
	 " tid INTEGER NOT NULL, iname TEXT NOT NULL,"
	 " ipk BLOB NOT NULL, isk BLOB NOT NULL,"
	 " pk BLOB NOT NULL, sk BLOB NOT NULL,"
	 " PRIMARY KEY(tid, iname, ipk, isk, pk, sk)) WITHOUT ROWID;"
	 "CREATE INDEX ddb_index_rows_item ON ddb_index_rows(tid, pk, sk);"
	 "CREATE TABLE ddb_txn_tokens("
	 " token TEXT PRIMARY KEY, digest TEXT NOT NULL,"
	 " created INTEGER NOT NULL);"},
};

struct store_db *ddb_store_open(struct emulator *emu, char *errbuf,
				size_t errlen)
{
	return store_db_open(emu->store, "dynamodb", migrations,
			     sizeof(migrations) / sizeof(migrations[0]),
			     errbuf, errlen);
}

static struct store_db *db_of(struct request *req)
{
	return ((struct ddb_state *)req->service_state)->db;
}

static int db_fail(struct request *req, const char *what)
{
	log_error("dynamodb: %s: %s", what,
		  sqlite3_errmsg(store_db_conn(db_of(req))));
	return req_error(req, 500, "InternalServerError",
			 "Internal server error");
}

int ddb_begin(struct request *req)
{
	if (store_begin(db_of(req)))
		return db_fail(req, "begin");
	return 0;
}

int ddb_commit(struct request *req)
{
	if (store_commit(db_of(req))) {
		store_rollback(db_of(req));
		return db_fail(req, "commit");
	}
	return 0;
}

void ddb_rollback(struct request *req)
{
	store_rollback(db_of(req));
}

static void delete_json(void *p)
{
	cJSON_Delete(p);
}

int ddb_store_get(struct request *req, const struct ddb_table *t,
		  const struct ddb_key *k, cJSON **item)
{
	sqlite3_stmt *st = store_prepare(db_of(req),
		"SELECT body FROM ddb_items WHERE tid = ?1 AND pk = ?2 "
		"AND sk = ?3");
	*item = NULL;
	if (!st)
		return db_fail(req, "prepare");
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_blob(st, 2, k->pk, (int)k->pk_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, k->sk, (int)k->sk_len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*item = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
		if (*item)
			arena_defer(req->arena, delete_json, *item);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(req, "read item");
	return 0;
}

int ddb_index_key(struct arena *a, const struct ddb_index *ix,
		  const cJSON *item, struct ddb_key *out)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(item,
							  ix->keys.hash.name);
	unsigned char *pk, *sk = (unsigned char *)"";
	size_t pk_len, sk_len = 0;
	if (ddb_type_of(h) != ix->keys.hash.type ||
	    ddb_key_bytes(a, h, &pk, &pk_len))
		return 0;
	if (ix->keys.range.name) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(
			item, ix->keys.range.name);
		if (ddb_type_of(r) != ix->keys.range.type ||
		    ddb_key_bytes(a, r, &sk, &sk_len))
			return 0;
	}
	out->pk = pk;
	out->pk_len = pk_len;
	out->sk = sk;
	out->sk_len = sk_len;
	return 1;
}

static int delete_index_rows(struct request *req, const struct ddb_table *t,
			     const struct ddb_key *k)
{
	if (!t->n_idx)
		return 0;
	sqlite3_stmt *st = store_prepare(db_of(req),
		"DELETE FROM ddb_index_rows WHERE tid = ?1 AND pk = ?2 "
		"AND sk = ?3");
	if (!st)
		return db_fail(req, "prepare");
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_blob(st, 2, k->pk, (int)k->pk_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, k->sk, (int)k->sk_len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(req, "delete index rows");
}

static int insert_index_row(struct request *req, const struct ddb_table *t,
			    const struct ddb_index *ix,
			    const struct ddb_key *ik, const struct ddb_key *k)
{
	sqlite3_stmt *st = store_prepare(db_of(req),
		"INSERT OR REPLACE INTO ddb_index_rows(tid, iname, ipk, isk, "
		"pk, sk) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (!st)
		return db_fail(req, "prepare");
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_text(st, 2, ix->name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, ik->pk, (int)ik->pk_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, ik->sk, (int)ik->sk_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, k->pk, (int)k->pk_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, k->sk, (int)k->sk_len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(req, "insert index row");
}

/* TTL epoch seconds of item for t, or -1 when it has none. */
static int64_t item_ttl(const struct ddb_table *t, const cJSON *item)
{
	if (!t->ttl_attr)
		return -1;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, t->ttl_attr);
	struct ddb_num n;
	if (ddb_type_of(v) != DT_N || ddb_value_num(v, &n) || n.sign <= 0)
		return -1;
	char text[DDB_NUM_TEXT_MAX];
	ddb_num_format(&n, text);
	return strtoll(text, NULL, 10);
}

int ddb_store_put(struct request *req, const struct ddb_table *t,
		  const struct ddb_key *k, const cJSON *old, const cJSON *item)
{
	char *body = cJSON_PrintUnformatted(item);
	sqlite3_stmt *st = store_prepare(db_of(req),
		"INSERT OR REPLACE INTO ddb_items(tid, pk, sk, body, size, ttl)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (!st) {
		free(body);
		return db_fail(req, "prepare");
	}
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_blob(st, 2, k->pk, (int)k->pk_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, k->sk, (int)k->sk_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, body, -1, free);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)ddb_item_size(item));
	int64_t ttl = item_ttl(t, item);
	if (ttl >= 0)
		sqlite3_bind_int64(st, 6, ttl);
	else
		sqlite3_bind_null(st, 6);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(req, "write item");
	if (old && delete_index_rows(req, t, k))
		return -1;
	for (size_t i = 0; i < t->n_idx; i++) {
		struct ddb_key ik;
		if (ddb_index_key(req->arena, &t->idx[i], item, &ik) &&
		    insert_index_row(req, t, &t->idx[i], &ik, k))
			return -1;
	}
	return 0;
}

int ddb_store_delete(struct request *req, const struct ddb_table *t,
		     const struct ddb_key *k, const cJSON *old)
{
	if (!old)
		return 0;
	sqlite3_stmt *st = store_prepare(db_of(req),
		"DELETE FROM ddb_items WHERE tid = ?1 AND pk = ?2 AND sk = ?3");
	if (!st)
		return db_fail(req, "prepare");
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_blob(st, 2, k->pk, (int)k->pk_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, k->sk, (int)k->sk_len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(req, "delete item");
	return delete_index_rows(req, t, k);
}

/* Call fn for every item row of table tid (pk, sk, body). */
static int each_item(struct request *req, int64_t tid,
		     int (*fn)(struct request *, const struct ddb_table *,
			       const void *, const struct ddb_key *,
			       const cJSON *),
		     const struct ddb_table *t, const void *arg)
{
	sqlite3 *conn = store_db_conn(db_of(req));
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(conn, "SELECT pk, sk, body FROM ddb_items "
			       "WHERE tid = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(req, "prepare");
	sqlite3_bind_int64(st, 1, tid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ddb_key k;
		k.pk_len = (size_t)sqlite3_column_bytes(st, 0);
		k.pk = arena_alloc(req->arena, k.pk_len + 1);
		memcpy((void *)k.pk, sqlite3_column_blob(st, 0), k.pk_len);
		k.sk_len = (size_t)sqlite3_column_bytes(st, 1);
		k.sk = arena_alloc(req->arena, k.sk_len + 1);
		if (k.sk_len)
			memcpy((void *)k.sk, sqlite3_column_blob(st, 1),
			       k.sk_len);
		cJSON *item = cJSON_Parse((const char *)
					  sqlite3_column_text(st, 2));
		int r = item ? fn(req, t, arg, &k, item) : 0;
		cJSON_Delete(item);
		if (r) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(req, "scan items");
}

static int backfill_one(struct request *req, const struct ddb_table *t,
			const void *arg, const struct ddb_key *k,
			const cJSON *item)
{
	const struct ddb_index *ix = arg;
	struct ddb_key ik;
	if (!ddb_index_key(req->arena, ix, item, &ik))
		return 0;
	return insert_index_row(req, t, ix, &ik, k);
}

int ddb_store_backfill(struct request *req, const struct ddb_table *t,
		       const struct ddb_index *ix)
{
	return each_item(req, t->id, backfill_one, t, ix);
}

static int ttl_one(struct request *req, const struct ddb_table *t,
		   const void *arg, const struct ddb_key *k, const cJSON *item)
{
	(void)arg;
	sqlite3_stmt *st = store_prepare(db_of(req),
		"UPDATE ddb_items SET ttl = ?4 WHERE tid = ?1 AND pk = ?2 "
		"AND sk = ?3");
	if (!st)
		return db_fail(req, "prepare");
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_blob(st, 2, k->pk, (int)k->pk_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, k->sk, (int)k->sk_len, SQLITE_STATIC);
	int64_t ttl = item_ttl(t, item);
	if (ttl >= 0)
		sqlite3_bind_int64(st, 4, ttl);
	else
		sqlite3_bind_null(st, 4);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(req, "set ttl");
}

int ddb_store_set_ttl(struct request *req, const struct ddb_table *t)
{
	return each_item(req, t->id, ttl_one, t, NULL);
}

int ddb_store_drop(struct store_db *db, int64_t tid, const char *index)
{
	sqlite3 *conn = store_db_conn(db);
	sqlite3_stmt *st;
	const char *sql[] = {
		"DELETE FROM ddb_index_rows WHERE tid = ?1 AND "
		"(?2 IS NULL OR iname = ?2)",
		"DELETE FROM ddb_items WHERE tid = ?1 AND ?2 IS NULL",
	};
	for (int i = 0; i < 2; i++) {
		if (!conn || sqlite3_prepare_v2(conn, sql[i], -1, &st, NULL))
			return -1;
		sqlite3_bind_int64(st, 1, tid);
		if (index)
			sqlite3_bind_text(st, 2, index, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

long ddb_store_sweep_ttl(struct store_db *db, int64_t now_s)
{
	sqlite3 *conn = store_db_conn(db);
	sqlite3_stmt *sel = NULL, *del_rows = NULL, *del_item = NULL;
	long n = 0;
	int rc = SQLITE_ERROR;
	if (!conn || store_begin(db))
		return -1;
	if (sqlite3_prepare_v2(conn, "SELECT tid, pk, sk FROM ddb_items WHERE "
			       "ttl IS NOT NULL AND ttl < ?1", -1, &sel, NULL) ||
	    sqlite3_prepare_v2(conn, "DELETE FROM ddb_index_rows WHERE "
			       "tid = ?1 AND pk = ?2 AND sk = ?3", -1,
			       &del_rows, NULL) ||
	    sqlite3_prepare_v2(conn, "DELETE FROM ddb_items WHERE tid = ?1 "
			       "AND pk = ?2 AND sk = ?3", -1, &del_item, NULL))
		goto out;
	sqlite3_bind_int64(sel, 1, now_s);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		sqlite3_stmt *dels[2] = {del_rows, del_item};
		for (int i = 0; i < 2; i++) {
			/* bind_value keeps a zero-length sk a blob, not NULL */
			for (int c = 0; c < 3; c++)
				sqlite3_bind_value(dels[i], c + 1,
						   sqlite3_column_value(sel, c));
			if (sqlite3_step(dels[i]) != SQLITE_DONE) {
				rc = SQLITE_ERROR;
				goto out;
			}
			sqlite3_reset(dels[i]);
		}
		n++;
	}
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(del_rows);
	sqlite3_finalize(del_item);
	if (rc != SQLITE_DONE || store_commit(db)) {
		store_rollback(db);
		return -1;
	}
	return n;
}
