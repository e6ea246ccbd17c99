/*
 * persist.c - the keyspace in SQLite (<data-dir>/redis.db), written
 * through at the end of every loop turn.
 *
 * Schema (migration 1):
 *   rkey(db, key, type, value, expire_ms)   one row per key; value is the
 *                                           string of a string key, NULL
 *                                           for collections; expire_ms is
 *                                           the absolute deadline or NULL
 *   relem(db, key, sub, value)              one row per element of a
 *                                           collection: hash field ->
 *                                           value, set member -> NULL,
 *                                           zset member -> score, list
 *                                           position (8 bytes, big-endian,
 *                                           sign flipped: sorts in list
 *                                           order) -> element
 *
 * During a turn db.c reports every change here (redis_persist_mark): the
 * key as a whole, its type/value/TTL only, or single elements.  The
 * marks go into a dirty table keyed by (db, key).  At the end of the turn
 * redis_persist_commit writes, in ONE transaction, the current in-memory
 * state of every dirty key and element (present: upsert; gone: delete),
 * before server.c sends the turn's replies.  So an acknowledged write is
 * in the WAL (which survives kill -9) and a burst of writes costs one
 * commit.  A failed commit is logged and retried at the next turn.
 *
 * redis_persist_open loads everything back at start, dropping keys whose
 * TTL passed while the server was down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "server.h"
#include "service.h"
#include "store.h"
#include "util.h"
#include "xalloc.h"

#define DIRTY_WHOLE 1 /* rewrite every element */
#define DIRTY_DROP  2 /* the old value was a collection: drop its rows */
#define DIRTY_KEY   4 /* the rkey row (type, string, TTL) changed */

struct dirty_key {
	unsigned flags;     /* DIRTY_* */
	struct dict *subs;  /* element subs changed, or NULL */
};

struct redis_persist {
	struct store_db *sdb;
	struct dict *dirty;     /* dbkey -> struct dirty_key* */
	uint32_t flush_mask;    /* databases to empty first */
	int loading;            /* ignore marks while loading */
};

static const struct store_migration migrations[] = {
	{ 1,
	  "CREATE TABLE rkey (db INTEGER NOT NULL, key BLOB NOT NULL,"
	  " type INTEGER NOT NULL, value BLOB, expire_ms INTEGER,"
	  " PRIMARY KEY (db, key)) WITHOUT ROWID;"
	  "CREATE TABLE relem (db INTEGER NOT NULL, key BLOB NOT NULL,"
	  " sub BLOB NOT NULL, value, PRIMARY KEY (db, key, sub))"
	  " WITHOUT ROWID;" },
};

#define SQL_PUT_KEY \
	"INSERT OR REPLACE INTO rkey (db, key, type, value, expire_ms)" \
	" VALUES (?1, ?2, ?3, ?4, ?5)"
#define SQL_DEL_KEY "DELETE FROM rkey WHERE db = ?1 AND key = ?2"
#define SQL_DEL_ELEMS "DELETE FROM relem WHERE db = ?1 AND key = ?2"
#define SQL_PUT_ELEM \
	"INSERT OR REPLACE INTO relem (db, key, sub, value)" \
	" VALUES (?1, ?2, ?3, ?4)"
#define SQL_DEL_ELEM \
	"DELETE FROM relem WHERE db = ?1 AND key = ?2 AND sub = ?3"
#define SQL_FLUSH_KEYS "DELETE FROM rkey WHERE db = ?1"
#define SQL_FLUSH_ELEMS "DELETE FROM relem WHERE db = ?1"

static void dirty_free(void *p)
{
	struct dirty_key *d = p;
	dict_free(d->subs);
	free(d);
}

void redis_persist_mark(struct redis_persist *p, int db, const char *key,
			size_t len, enum persist_kind kind, const char *sub,
			size_t sublen)
{
	if (p->loading)
		return;
	char small[256];
	struct rstr *big = NULL;
	const char *dk;
	if (len + 1 <= sizeof small) {
		small[0] = (char)db;
		memcpy(small + 1, key, len);
		dk = small;
	} else {
		big = redis_dbkey(db, key, len);
		dk = big->data;
	}
	struct dict_entry *e = dict_upsert(p->dirty, dk, len + 1, NULL);
	free(big);
	if (!e->v.ptr)
		e->v.ptr = xcalloc(1, sizeof(struct dirty_key));
	struct dirty_key *d = e->v.ptr;
	switch (kind) {
	case PERSIST_DROP:
		d->flags |= DIRTY_DROP | DIRTY_WHOLE | DIRTY_KEY;
		dict_free(d->subs);
		d->subs = NULL;
		break;
	case PERSIST_WHOLE:
		d->flags |= DIRTY_WHOLE | DIRTY_KEY;
		dict_free(d->subs);
		d->subs = NULL;
		break;
	case PERSIST_META:
		d->flags |= DIRTY_KEY;
		break;
	case PERSIST_ELEM:
		if (d->flags & DIRTY_WHOLE)
			break;
		if (!d->subs)
			d->subs = dict_new(NULL);
		dict_upsert(d->subs, sub, sublen, NULL);
		break;
	}
}

void redis_persist_mark_flush(struct redis_persist *p, int db)
{
	if (p->loading)
		return;
	p->flush_mask |= 1u << db;
	/* Marks from before the flush are moot: the keys are gone. */
	struct dict_iter it;
	struct dict_entry *e;
	dict_iter_init(&it, p->dirty);
	while ((e = dict_iter_next(&it)))
		if ((unsigned char)e->key[0] == (unsigned)db)
			dict_delete(p->dirty, e->key, e->klen);
	dict_iter_done(&it);
}

/* ---- writing --------------------------------------------------------------- */

static int step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_error("redis: persist: %s",
			  sqlite3_errmsg(sqlite3_db_handle(st)));
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

/* Run a keyed statement: (db, key). */
static int exec_key(struct store_db *sdb, const char *sql, int db,
		    const char *key, size_t len)
{
	sqlite3_stmt *st = store_prepare(sdb, sql);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, db);
	sqlite3_bind_blob64(st, 2, key, len, SQLITE_STATIC);
	return step(st);
}

static void list_sub(char out[8], int64_t pos)
{
	uint64_t u = (uint64_t)pos ^ 0x8000000000000000ULL;
	for (int i = 7; i >= 0; i--) {
		out[i] = (char)(u & 0xff);
		u >>= 8;
	}
}

static int64_t list_pos(const char *sub)
{
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u = (u << 8) | (unsigned char)sub[i];
	return (int64_t)(u ^ 0x8000000000000000ULL);
}

/* Write element sub of o (or delete its row when it is gone). */
static int put_elem(struct store_db *sdb, int db, const char *key,
		    size_t len, const struct robj *o, const char *sub,
		    size_t sublen)
{
	struct dict_entry *e = NULL;
	struct rlist_item *it = NULL;
	int present = 0;
	switch (o->type) {
	case OBJ_HASH:
		e = dict_find(o->v.hash, sub, sublen);
		present = e != NULL;
		break;
	case OBJ_SET:
		present = dict_find(o->v.set, sub, sublen) != NULL;
		break;
	case OBJ_ZSET:
		e = dict_find(o->v.zset->dict, sub, sublen);
		present = e != NULL;
		break;
	case OBJ_LIST:
		if (sublen == 8)
			it = rlist_find_pos(o->v.list, list_pos(sub));
		present = it != NULL;
		break;
	case OBJ_STRING:
		return 0;
	}
	sqlite3_stmt *st = store_prepare(sdb, present ? SQL_PUT_ELEM
						      : SQL_DEL_ELEM);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, db);
	sqlite3_bind_blob64(st, 2, key, len, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 3, sub, sublen, SQLITE_STATIC);
	if (present) {
		if (o->type == OBJ_HASH) {
			const struct rstr *v = e->v.ptr;
			sqlite3_bind_blob64(st, 4, v->data, v->len,
					    SQLITE_STATIC);
		} else if (o->type == OBJ_ZSET) {
			sqlite3_bind_double(st, 4, e->v.d);
		} else if (o->type == OBJ_LIST) {
			sqlite3_bind_blob64(st, 4, it->s->data, it->s->len,
					    SQLITE_STATIC);
		}
	}
	return step(st);
}

static int put_all_elems(struct store_db *sdb, int db, const char *key,
			 size_t len, const struct robj *o)
{
	struct dict_iter it;
	struct dict_entry *e;
	struct dict *d = o->type == OBJ_HASH  ? o->v.hash
			 : o->type == OBJ_SET ? o->v.set
			 : o->type == OBJ_ZSET ? o->v.zset->dict
					       : NULL;
	int rc = 0;
	if (d) {
		dict_iter_init(&it, d);
		while (!rc && (e = dict_iter_next(&it)))
			rc = put_elem(sdb, db, key, len, o, e->key, e->klen);
		dict_iter_done(&it);
	} else if (o->type == OBJ_LIST) {
		for (size_t i = 0; !rc && i < o->v.list->len; i++) {
			char sub[8];
			list_sub(sub, rlist_at(o->v.list, i)->pos);
			rc = put_elem(sdb, db, key, len, o, sub, 8);
		}
	}
	return rc;
}

/* Bring the rows of one dirty key in line with memory. */
static int write_key(struct redis_server *srv, struct store_db *sdb,
		     const char *dk, size_t dklen, struct dirty_key *d)
{
	int db = (unsigned char)dk[0];
	const char *key = dk + 1;
	size_t len = dklen - 1;
	struct dict_entry *ke = dict_find(srv->db[db].keys, key, len);
	const struct robj *o = ke ? ke->v.ptr : NULL;
	if (!o) {
		if (exec_key(sdb, SQL_DEL_KEY, db, key, len))
			return -1;
		if ((d->flags & DIRTY_DROP) || d->subs)
			return exec_key(sdb, SQL_DEL_ELEMS, db, key, len);
		return 0;
	}
	/* Element-only changes leave the key row as it is. */
	if (!(d->flags & DIRTY_KEY))
		goto elems;
	sqlite3_stmt *st = store_prepare(sdb, SQL_PUT_KEY);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, db);
	sqlite3_bind_blob64(st, 2, key, len, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)o->type);
	if (o->type == OBJ_STRING)
		sqlite3_bind_blob64(st, 4, o->v.str->data, o->v.str->len,
				    SQLITE_STATIC);
	struct dict_entry *ex = dict_find(srv->db[db].expires, key, len);
	if (ex)
		sqlite3_bind_int64(st, 5, ex->v.i);
	if (step(st))
		return -1;
elems:
	if (d->flags & DIRTY_WHOLE) {
		if (((d->flags & DIRTY_DROP) || o->type != OBJ_STRING) &&
		    exec_key(sdb, SQL_DEL_ELEMS, db, key, len))
			return -1;
		return put_all_elems(sdb, db, key, len, o);
	}
	if (d->subs) {
		struct dict_iter it;
		struct dict_entry *e;
		int rc = 0;
		dict_iter_init(&it, d->subs);
		while (!rc && (e = dict_iter_next(&it)))
			rc = put_elem(sdb, db, key, len, o, e->key, e->klen);
		dict_iter_done(&it);
		return rc;
	}
	return 0;
}

int redis_persist_commit(struct redis_server *srv)
{
	struct redis_persist *p = srv->persist;
	if (!p || (!dict_size(p->dirty) && !p->flush_mask))
		return 0;
	struct store_db *sdb = p->sdb;
	if (store_begin(sdb))
		return -1;
	int rc = 0;
	for (int db = 0; !rc && db < REDIS_DBS; db++) {
		if (!(p->flush_mask & (1u << db)))
			continue;
		sqlite3_stmt *st = store_prepare(sdb, SQL_FLUSH_KEYS);
		rc = st ? (sqlite3_bind_int(st, 1, db), step(st)) : -1;
		st = rc ? NULL : store_prepare(sdb, SQL_FLUSH_ELEMS);
		if (!rc)
			rc = st ? (sqlite3_bind_int(st, 1, db), step(st)) : -1;
	}
	struct dict_iter it;
	struct dict_entry *e;
	dict_iter_init(&it, p->dirty);
	while (!rc && (e = dict_iter_next(&it)))
		rc = write_key(srv, sdb, e->key, e->klen, e->v.ptr);
	dict_iter_done(&it);
	if (rc || store_commit(sdb)) {
		store_rollback(sdb);
		log_error("redis: persist: commit failed; will retry");
		return -1;
	}
	dict_clear(p->dirty);
	p->flush_mask = 0;
	return 0;
}

/*
 * Called once on the loop thread before it serves anyone: its connection
 * does every commit from then on; with a commit per loop turn, automatic
 * checkpoints are made rarer (every 4000 WAL pages, not 1000).
 * (EXCLUSIVE locking mode would save the lock calls of each commit, but
 * the connection the start-up thread used to load keeps its WAL read
 * lock, so it cannot be had.)
 */
void redis_persist_thread_init(struct redis_persist *p)
{
	if (!p)
		return;
	store_exec(p->sdb, "PRAGMA wal_autocheckpoint=4000");
}

/* ---- loading ----------------------------------------------------------------- */

static int load(struct redis_server *srv, struct redis_persist *p,
		char *err, size_t errlen)
{
	int64_t now = redis_now_ms();
	size_t keys = 0, expired = 0;
	sqlite3_stmt *st = store_prepare(p->sdb,
		"SELECT db, key, type, value, expire_ms FROM rkey");
	if (!st) {
		snprintf(err, errlen, "redis: cannot read redis.db");
		return -1;
	}
	struct dict *gone = dict_new(NULL); /* expired dbkeys */
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int db = sqlite3_column_int(st, 0);
		const char *key = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		int type = sqlite3_column_int(st, 2);
		if (db < 0 || db >= REDIS_DBS || type < OBJ_STRING ||
		    type > OBJ_ZSET)
			continue;
		if (!key)
			key = "";
		if (sqlite3_column_type(st, 4) != SQLITE_NULL &&
		    sqlite3_column_int64(st, 4) <= now) {
			struct rstr *dk = redis_dbkey(db, key, len);
			dict_upsert(gone, dk->data, dk->len, NULL);
			free(dk);
			expired++;
			continue;
		}
		struct robj *o;
		if (type == OBJ_STRING)
			o = robj_string(rstr_new(sqlite3_column_blob(st, 3),
				(size_t)sqlite3_column_bytes(st, 3)));
		else
			o = robj_new((enum robj_type)type);
		dict_upsert(srv->db[db].keys, key, len, NULL)->v.ptr = o;
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			dict_upsert(srv->db[db].expires, key, len, NULL)->v.i =
				sqlite3_column_int64(st, 4);
		keys++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "redis: cannot read redis.db keys");
		dict_free(gone);
		return -1;
	}
	st = store_prepare(p->sdb, "SELECT db, key, sub, value FROM relem"
				   " ORDER BY db, key, sub");
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int db = sqlite3_column_int(st, 0);
		const char *key = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		const char *sub = sqlite3_column_blob(st, 2);
		size_t sublen = (size_t)sqlite3_column_bytes(st, 2);
		if (db < 0 || db >= REDIS_DBS)
			continue;
		struct dict_entry *ke = dict_find(srv->db[db].keys,
						  key ? key : "", len);
		if (!ke)
			continue; /* expired key, dropped below */
		struct robj *o = ke->v.ptr;
		if (!sub)
			sub = "";
		switch (o->type) {
		case OBJ_HASH:
			dict_upsert(o->v.hash, sub, sublen, NULL)->v.ptr =
				rstr_new(sqlite3_column_blob(st, 3),
					 (size_t)sqlite3_column_bytes(st, 3));
			break;
		case OBJ_SET:
			dict_upsert(o->v.set, sub, sublen, NULL);
			break;
		case OBJ_ZSET:
			zset_add(o->v.zset, sub, sublen,
				 sqlite3_column_double(st, 3));
			break;
		case OBJ_LIST:
			if (sublen == 8) {
				struct rlist_item *it = rlist_push(
					o->v.list, LIST_TAIL,
					rstr_new(sqlite3_column_blob(st, 3),
						 (size_t)sqlite3_column_bytes(st, 3)));
				it->pos = list_pos(sub);
			}
			break;
		case OBJ_STRING:
			break;
		}
	}
	if (st)
		sqlite3_reset(st);
	/* Drop expired keys from the database now. */
	p->loading = 0;
	struct dict_iter it;
	struct dict_entry *e;
	dict_iter_init(&it, gone);
	while ((e = dict_iter_next(&it)))
		redis_persist_mark(p, (unsigned char)e->key[0], e->key + 1,
				   e->klen - 1, PERSIST_DROP, NULL, 0);
	dict_iter_done(&it);
	dict_free(gone);
	/* Empty collections (should not exist) are dropped too. */
	for (int db = 0; db < REDIS_DBS; db++) {
		dict_iter_init(&it, srv->db[db].keys);
		while ((e = dict_iter_next(&it))) {
			if (robj_length(e->v.ptr) == 0) {
				redis_persist_mark(p, db, e->key, e->klen,
						   PERSIST_DROP, NULL, 0);
				dict_delete(srv->db[db].expires, e->key, e->klen);
				dict_delete(srv->db[db].keys, e->key, e->klen);
			}
		}
		dict_iter_done(&it);
	}
	log_info("redis: restored %zu keys (%zu expired while down)",
		 keys, expired);
	return 0;
}

int redis_persist_open(struct redis_server *srv, char *err, size_t errlen)
{
	struct store_db *sdb = store_db_open(srv->emu->store, "redis",
					     migrations,
					     sizeof migrations / sizeof migrations[0],
					     err, errlen);
	if (!sdb)
		return -1;
	struct redis_persist *p = xcalloc(1, sizeof *p);
	p->sdb = sdb;
	p->dirty = dict_new(dirty_free);
	p->loading = 1;
	srv->persist = p;
	if (load(srv, p, err, errlen))
		return -1;
	return redis_persist_commit(srv) ? -1 : 0;
}

void redis_persist_close(struct redis_persist *p)
{
	if (!p)
		return;
	dict_free(p->dirty);
	free(p);
}
