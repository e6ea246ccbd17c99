/*
 * t_hash.c - the hash type: HSET/HMSET, HSETNX, HGET, HMGET, HGETALL,
 * HDEL, HEXISTS, HLEN, HKEYS, HVALS, HSTRLEN, HINCRBY, HINCRBYFLOAT,
 * HSCAN.
 *
 * A hash is a dict field -> struct rstr*.  Every field written or removed
 * is reported to db_elem_changed, so persistence rewrites that one row,
 * not the whole hash.  Fields come back in hash-table order (Redis keeps
 * small hashes in insertion order; clients must not rely on either).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

/* The hash at argv[1] for writing, created if missing; NULL after
 * WRONGTYPE. */
static struct robj *hash_for_write(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 1, &o))
		return NULL;
	if (!o) {
		o = robj_new(OBJ_HASH);
		db_add(c->db, c->argv[1]->data, c->argv[1]->len, o);
	}
	return o;
}

/* Set field to value (taking value); returns 1 when the field is new. */
static int hash_set(struct redis_client *c, struct robj *o,
		    const struct rstr *field, struct rstr *value)
{
	int created;
	struct dict_entry *e = dict_upsert(o->v.hash, field->data, field->len,
					   &created);
	free(e->v.ptr);
	e->v.ptr = value;
	db_elem_changed(c->db, c->argv[1]->data, c->argv[1]->len, field->data,
			field->len);
	return created;
}

void redis_cmd_hset(struct redis_client *c)
{
	int hmset = !strcmp(c->cmd->name, "hmset");
	if (c->argc % 2) {
		reply_error_arity(c, hmset ? "hmset" : "hset");
		return;
	}
	struct robj *o = hash_for_write(c);
	if (!o)
		return;
	long long created = 0;
	for (size_t i = 2; i < c->argc; i += 2) {
		struct rstr *v = c->argv[i + 1];
		c->argv[i + 1] = rstr_new("", 0);
		created += hash_set(c, o, c->argv[i], v);
	}
	if (hmset)
		reply_ok(c);
	else
		reply_long(c, created);
}

void redis_cmd_hsetnx(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 1, &o))
		return;
	if (o && dict_find(o->v.hash, c->argv[2]->data, c->argv[2]->len)) {
		reply_long(c, 0);
		return;
	}
	o = hash_for_write(c);
	struct rstr *v = c->argv[3];
	c->argv[3] = rstr_new("", 0);
	hash_set(c, o, c->argv[2], v);
	reply_long(c, 1);
}

static struct rstr *hash_get(struct robj *o, const struct rstr *field)
{
	if (!o)
		return NULL;
	struct dict_entry *e = dict_find(o->v.hash, field->data, field->len);
	return e ? e->v.ptr : NULL;
}

void redis_cmd_hget(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 0, &o))
		return;
	struct rstr *v = hash_get(o, c->argv[2]);
	if (v)
		reply_bulk_rstr(c, v);
	else
		reply_null(c);
}

void redis_cmd_hmget(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 0, &o))
		return;
	reply_array(c, c->argc - 2);
	for (size_t i = 2; i < c->argc; i++) {
		struct rstr *v = hash_get(o, c->argv[i]);
		if (v)
			reply_bulk_rstr(c, v);
		else
			reply_null(c);
	}
}

void redis_cmd_hstrlen(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 0, &o))
		return;
	struct rstr *v = hash_get(o, c->argv[2]);
	reply_long(c, v ? (long long)v->len : 0);
}

void redis_cmd_hexists(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 0, &o))
		return;
	reply_long(c, hash_get(o, c->argv[2]) != NULL);
}

void redis_cmd_hlen(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 0, &o))
		return;
	reply_long(c, o ? (long long)dict_size(o->v.hash) : 0);
}

void redis_cmd_hdel(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 1, &o))
		return;
	long long n = 0;
	const struct rstr *key = c->argv[1];
	for (size_t i = 2; o && i < c->argc; i++) {
		if (dict_delete(o->v.hash, c->argv[i]->data, c->argv[i]->len)) {
			n++;
			db_elem_changed(c->db, key->data, key->len,
					c->argv[i]->data, c->argv[i]->len);
		}
	}
	if (o)
		db_delete_if_empty(c->db, key->data, key->len, o);
	reply_long(c, n);
}

#define H_KEYS 1
#define H_VALS 2

/* HKEYS, HVALS, HGETALL. */
static void getall_generic(struct redis_client *c, int what)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 0, &o))
		return;
	size_t n = o ? dict_size(o->v.hash) : 0;
	if (what == (H_KEYS | H_VALS))
		reply_map(c, n);
	else
		reply_array(c, n);
	if (!o)
		return;
	struct dict_iter it;
	struct dict_entry *e;
	dict_iter_init(&it, o->v.hash);
	while ((e = dict_iter_next(&it))) {
		if (what & H_KEYS)
			reply_bulk(c, e->key, e->klen);
		if (what & H_VALS)
			reply_bulk_rstr(c, e->v.ptr);
	}
	dict_iter_done(&it);
}

void redis_cmd_hkeys(struct redis_client *c)
{
	getall_generic(c, H_KEYS);
}

void redis_cmd_hvals(struct redis_client *c)
{
	getall_generic(c, H_VALS);
}

void redis_cmd_hgetall(struct redis_client *c)
{
	getall_generic(c, H_KEYS | H_VALS);
}

void redis_cmd_hincrby(struct redis_client *c)
{
	long long by, v = 0;
	if (arg_ll(c, c->argv[3], &by))
		return;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 1, &o))
		return;
	struct rstr *cur = hash_get(o, c->argv[2]);
	if (cur && redis_str2ll(cur->data, cur->len, &v)) {
		reply_error(c, "ERR hash value is not an integer");
		return;
	}
	if ((by < 0 && v < 0 && by < LLONG_MIN - v) ||
	    (by > 0 && v > 0 && by > LLONG_MAX - v)) {
		reply_error(c, ERR_OVERFLOW);
		return;
	}
	v += by;
	char tmp[32];
	size_t l = redis_ll2str(tmp, sizeof tmp, v);
	o = hash_for_write(c);
	hash_set(c, o, c->argv[2], rstr_new(tmp, l));
	reply_long(c, v);
}

void redis_cmd_hincrbyfloat(struct redis_client *c)
{
	long double by, v = 0;
	if (arg_ld(c, c->argv[3], &by))
		return;
	if (isinf(by)) {
		reply_error(c, "ERR value is NaN or Infinity");
		return;
	}
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 1, &o))
		return;
	struct rstr *cur = hash_get(o, c->argv[2]);
	if (cur && redis_str2ld(cur->data, cur->len, &v)) {
		reply_error(c, "ERR hash value is not a float");
		return;
	}
	v += by;
	char tmp[REDIS_NUMSTR_MAX];
	size_t l = isnan(v) || isinf(v) ? 0
					: redis_ld2str(tmp, sizeof tmp, v);
	if (!l) {
		reply_error(c, "ERR increment would produce NaN or Infinity");
		return;
	}
	o = hash_for_write(c);
	hash_set(c, o, c->argv[2], rstr_new(tmp, l));
	reply_bulk(c, tmp, l);
}

void redis_cmd_hscan(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_HASH, 0, &o))
		return;
	if (!o) {
		/* Still validate the cursor, as Redis does. */
		unsigned long long cursor;
		if (redis_parse_cursor(c, c->argv[2], &cursor))
			return;
		reply_array(c, 2);
		reply_bulk(c, "0", 1);
		reply_array(c, 0);
		return;
	}
	redis_scan_generic(c, o, 2);
}
