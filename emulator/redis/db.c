/*
 * db.c - the keyspace: 16 databases of key -> typed value, with TTLs.
 *
 * Every access goes through db_lookup*, which expires a key whose TTL has
 * passed before anyone sees it (lazy expiry); db_active_expire, run ten
 * times a second by the loop, samples the keys that have a TTL and
 * deletes the expired ones, repeating while more than a quarter of a
 * sample had expired (active expiry, as Redis's expire cycle).
 *
 * Every change goes through the db_*_changed hooks so that WATCH
 * (multi.c) and persistence (persist.c) hear of it: the type files call
 * them after they modify a value in place; db_add/db_set/db_delete call
 * them themselves.
 *
 * Also the small helpers of the server-wide tables (watched keys,
 * blocked keys, subscribers): client lists and db-qualified keys.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

/* ---- modification hooks ------------------------------------------------ */

static void mark(struct redis_db *db, const char *key, size_t len,
		 enum persist_kind kind, const char *sub, size_t sublen)
{
	struct redis_server *srv = db->srv;
	if (dict_size(srv->watched_keys))
		redis_touch_key(db, key, len);
	if (srv->persist)
		redis_persist_mark(srv->persist, db->id, key, len, kind, sub,
				   sublen);
}

void db_key_changed(struct redis_db *db, const char *key, size_t len)
{
	mark(db, key, len, PERSIST_WHOLE, NULL, 0);
}

void db_meta_changed(struct redis_db *db, const char *key, size_t len)
{
	mark(db, key, len, PERSIST_META, NULL, 0);
}

void db_elem_changed(struct redis_db *db, const char *key, size_t len,
		     const char *sub, size_t sublen)
{
	mark(db, key, len, PERSIST_ELEM, sub, sublen);
}

void db_list_elem_changed(struct redis_db *db, const char *key, size_t len,
			  int64_t pos)
{
	/* Big-endian with the sign bit flipped: byte order = number order. */
	uint64_t u = (uint64_t)pos ^ 0x8000000000000000ULL;
	char sub[8];
	for (int i = 7; i >= 0; i--) {
		sub[i] = (char)(u & 0xff);
		u >>= 8;
	}
	mark(db, key, len, PERSIST_ELEM, sub, sizeof sub);
}

/* The old value o is going away: a collection's element rows must go. */
static void mark_replaced(struct redis_db *db, const char *key, size_t len,
			  const struct robj *old)
{
	if (old && old->type != OBJ_STRING && db->srv->persist)
		redis_persist_mark(db->srv->persist, db->id, key, len,
				   PERSIST_DROP, NULL, 0);
	db_key_changed(db, key, len);
}

/* ---- lookups ----------------------------------------------------------- */

/* Delete key if its TTL has passed; returns 1 when it did. */
static int expire_if_needed(struct redis_db *db, const char *key, size_t len)
{
	if (!dict_size(db->expires))
		return 0;
	struct dict_entry *e = dict_find(db->expires, key, len);
	if (!e || e->v.i > redis_now_ms())
		return 0;
	db->srv->stat_expired++;
	db_delete(db, key, len);
	return 1;
}

struct robj *db_lookup(struct redis_db *db, const char *key, size_t len)
{
	expire_if_needed(db, key, len);
	struct dict_entry *e = dict_find(db->keys, key, len);
	return e ? e->v.ptr : NULL;
}

struct robj *db_lookup_read(struct redis_db *db, const char *key,
			    size_t len)
{
	struct robj *o = db_lookup(db, key, len);
	if (o)
		db->srv->stat_hits++;
	else
		db->srv->stat_misses++;
	return o;
}

int db_get_typed(struct redis_client *c, size_t i, enum robj_type type,
		 int for_write, struct robj **out)
{
	const struct rstr *k = c->argv[i];
	struct robj *o = for_write ? db_lookup(c->db, k->data, k->len)
				   : db_lookup_read(c->db, k->data, k->len);
	if (o && o->type != type) {
		reply_error(c, ERR_WRONGTYPE);
		return -1;
	}
	*out = o;
	return 0;
}

/* ---- changes ----------------------------------------------------------- */

void db_add(struct redis_db *db, const char *key, size_t len, struct robj *o)
{
	dict_upsert(db->keys, key, len, NULL)->v.ptr = o;
	db_key_changed(db, key, len);
	if (o->type == OBJ_LIST)
		redis_signal_key_ready(db, key, len);
}

void db_set(struct redis_db *db, const char *key, size_t len, struct robj *o,
	    int keepttl)
{
	int created;
	struct dict_entry *e = dict_upsert(db->keys, key, len, &created);
	struct robj *old = created ? NULL : e->v.ptr;
	e->v.ptr = o;
	if (!keepttl)
		dict_delete(db->expires, key, len);
	mark_replaced(db, key, len, old);
	robj_free(old);
	if (o->type == OBJ_LIST)
		redis_signal_key_ready(db, key, len);
}

int db_delete(struct redis_db *db, const char *key, size_t len)
{
	struct robj *o = dict_take(db->keys, key, len);
	if (!o)
		return 0;
	dict_delete(db->expires, key, len);
	mark_replaced(db, key, len, o);
	robj_free(o);
	return 1;
}

struct robj *db_take(struct redis_db *db, const char *key, size_t len)
{
	struct robj *o = dict_take(db->keys, key, len);
	if (!o)
		return NULL;
	dict_delete(db->expires, key, len);
	mark_replaced(db, key, len, o);
	return o;
}

int db_delete_if_empty(struct redis_db *db, const char *key, size_t len,
		       struct robj *o)
{
	if (robj_length(o) > 0)
		return 0;
	return db_delete(db, key, len);
}

void db_set_expire(struct redis_db *db, const char *key, size_t len,
		   int64_t when_ms)
{
	dict_upsert(db->expires, key, len, NULL)->v.i = when_ms;
	db_meta_changed(db, key, len);
}

int64_t db_get_expire(struct redis_db *db, const char *key, size_t len)
{
	struct dict_entry *e = dict_find(db->expires, key, len);
	return e ? e->v.i : -1;
}

int db_remove_expire(struct redis_db *db, const char *key, size_t len)
{
	if (!dict_delete(db->expires, key, len))
		return 0;
	db_meta_changed(db, key, len);
	return 1;
}

void db_flush(struct redis_db *db)
{
	redis_touch_db(db);
	dict_clear(db->keys);
	dict_clear(db->expires);
	db->expire_cursor = 0;
	if (db->srv->persist)
		redis_persist_mark_flush(db->srv->persist, db->id);
}

/* ---- active expiry ------------------------------------------------------ */

#define EXPIRE_SAMPLE 20

struct sample {
	int64_t now;
	size_t seen;
	struct rstr *expired[EXPIRE_SAMPLE * 4];
	size_t n_expired;
};

static void sample_one(struct dict_entry *e, void *ctx)
{
	struct sample *s = ctx;
	s->seen++;
	if (e->v.i <= s->now &&
	    s->n_expired < sizeof s->expired / sizeof s->expired[0])
		s->expired[s->n_expired++] = rstr_new(e->key, e->klen);
}

void db_active_expire(struct redis_server *srv, int64_t time_us)
{
	int64_t start = redis_now_us();
	for (int i = 0; i < REDIS_DBS; i++) {
		struct redis_db *db = &srv->db[i];
		for (;;) {
			if (!dict_size(db->expires))
				break;
			struct sample s = { .now = redis_now_ms() };
			/* Walk buckets until about EXPIRE_SAMPLE keys seen. */
			int steps = 0;
			do {
				db->expire_cursor = dict_scan(db->expires,
					db->expire_cursor, sample_one, &s);
				steps++;
			} while (db->expire_cursor && s.seen < EXPIRE_SAMPLE &&
				 steps < 400 &&
				 s.n_expired < EXPIRE_SAMPLE * 3);
			for (size_t k = 0; k < s.n_expired; k++) {
				struct rstr *key = s.expired[k];
				srv->stat_expired++;
				db_delete(db, key->data, key->len);
				free(key);
			}
			if (s.n_expired * 4 <= s.seen || !db->expire_cursor)
				break;
			if (redis_now_us() - start > time_us)
				return;
		}
	}
}

/* ---- client lists and db-qualified keys (the server-wide tables) ---- */

void clist_add(struct clist *l, struct redis_client *c)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = c;
}

int clist_remove(struct clist *l, struct redis_client *c)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i] == c) {
			memmove(&l->v[i], &l->v[i + 1],
				(l->n - i - 1) * sizeof *l->v);
			l->n--;
			return 1;
		}
	}
	return 0;
}

void clist_free(void *p)
{
	struct clist *l = p;
	if (!l)
		return;
	free(l->v);
	free(l);
}

struct rstr *redis_dbkey(int db, const char *key, size_t len)
{
	struct rstr *s = rstr_alloc(len + 1);
	s->data[0] = (char)db;
	memcpy(s->data + 1, key, len);
	s->len = len + 1;
	s->data[s->len] = '\0';
	return s;
}
