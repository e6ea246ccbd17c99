/*
 * keys.c - commands on keys whatever their type: DEL, UNLINK, EXISTS,
 * TYPE, KEYS, SCAN, RENAME(NX), the EXPIRE family, TTL/PTTL,
 * (P)EXPIRETIME, PERSIST, RANDOMKEY, TOUCH, COPY, MOVE; and the SCAN core
 * HSCAN, SSCAN and ZSCAN share.
 *
 * TTLs are absolute deadlines in milliseconds since the epoch (db.c), so
 * they survive a restart unchanged (persist.c stores the deadline).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

void redis_cmd_del(struct redis_client *c)
{
	long long n = 0;
	for (size_t i = 1; i < c->argc; i++) {
		/* Expire first so an expired key does not count. */
		if (db_lookup(c->db, c->argv[i]->data, c->argv[i]->len))
			n += db_delete(c->db, c->argv[i]->data, c->argv[i]->len);
	}
	reply_long(c, n);
}

void redis_cmd_unlink(struct redis_client *c)
{
	redis_cmd_del(c);
}

void redis_cmd_exists(struct redis_client *c)
{
	long long n = 0;
	for (size_t i = 1; i < c->argc; i++)
		if (db_lookup_read(c->db, c->argv[i]->data, c->argv[i]->len))
			n++;
	reply_long(c, n);
}

void redis_cmd_touch(struct redis_client *c)
{
	long long n = 0;
	for (size_t i = 1; i < c->argc; i++)
		if (db_lookup(c->db, c->argv[i]->data, c->argv[i]->len))
			n++;
	reply_long(c, n);
}

void redis_cmd_type(struct redis_client *c)
{
	struct robj *o = db_lookup_read(c->db, c->argv[1]->data,
					c->argv[1]->len);
	reply_status(c, o ? robj_type_name(o->type) : "none");
}

/* Is key expired (without deleting it: used while iterating)? */
static int is_expired(struct redis_db *db, const char *key, size_t len)
{
	int64_t when = db_get_expire(db, key, len);
	return when >= 0 && when <= redis_now_ms();
}

void redis_cmd_keys(struct redis_client *c)
{
	const struct rstr *pat = c->argv[1];
	int all = pat->len == 1 && pat->data[0] == '*';
	size_t mark = reply_defer(c), n = 0;
	struct dict_iter it;
	struct dict_entry *e;
	dict_iter_init(&it, c->db->keys);
	while ((e = dict_iter_next(&it))) {
		if (!all && !redis_glob_match(pat->data, pat->len, e->key,
					      e->klen, 0))
			continue;
		if (is_expired(c->db, e->key, e->klen))
			continue;
		reply_bulk(c, e->key, e->klen);
		n++;
	}
	dict_iter_done(&it);
	reply_defer_set(c, mark, '*', n);
}

void redis_cmd_randomkey(struct redis_client *c)
{
	for (int tries = 0; tries < 100; tries++) {
		struct dict_entry *e = dict_random(c->db->keys, &c->srv->rng);
		if (!e)
			break;
		if (is_expired(c->db, e->key, e->klen)) {
			struct rstr *k = rstr_new(e->key, e->klen);
			db_lookup(c->db, k->data, k->len); /* expires it */
			free(k);
			continue;
		}
		reply_bulk(c, e->key, e->klen);
		return;
	}
	reply_null(c);
}

/* ---- SCAN family ------------------------------------------------------- */

/* Cursors are parsed as strtoul does (so "-1" is the largest). */
int redis_parse_cursor(struct redis_client *c, const struct rstr *a,
		       unsigned long long *out)
{
	char *end;
	errno = 0;
	*out = strtoull(a->data, &end, 10);
	if (a->len == 0 || *end != '\0' || errno == ERANGE ||
	    strlen(a->data) != a->len) {
		reply_error(c, "ERR invalid cursor");
		return -1;
	}
	return 0;
}

struct scan_acc {
	struct rstr **items;
	size_t n, cap;
	int with_values;
	int type;           /* OBJ_* from HSCAN/ZSCAN, -1 for the keyspace */
};

static void scan_push(struct scan_acc *a, struct rstr *s)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->items = xrealloc(a->items, a->cap * sizeof *a->items);
	}
	a->items[a->n++] = s;
}

static void scan_cb(struct dict_entry *e, void *ctx)
{
	struct scan_acc *a = ctx;
	scan_push(a, rstr_new(e->key, e->klen));
	if (a->type == OBJ_HASH) {
		struct rstr *v = e->v.ptr;
		scan_push(a, rstr_new(v->data, v->len));
	} else if (a->type == OBJ_ZSET) {
		char tmp[64];
		size_t l = redis_d2str(tmp, sizeof tmp, e->v.d);
		scan_push(a, rstr_new(tmp, l));
	}
}

void redis_scan_generic(struct redis_client *c, struct robj *o,
			size_t cursor_at)
{
	unsigned long long cursor;
	if (redis_parse_cursor(c, c->argv[cursor_at], &cursor))
		return;
	const struct rstr *pat = NULL, *type = NULL;
	long long count = 10;
	for (size_t i = cursor_at + 1; i < c->argc; i += 2) {
		if (i + 1 >= c->argc) {
			reply_error(c, ERR_SYNTAX);
			return;
		}
		if (arg_is(c->argv[i], "COUNT")) {
			if (arg_ll(c, c->argv[i + 1], &count))
				return;
			if (count < 1) {
				reply_error(c, ERR_SYNTAX);
				return;
			}
		} else if (arg_is(c->argv[i], "MATCH")) {
			pat = c->argv[i + 1];
		} else if (arg_is(c->argv[i], "TYPE") && !o) {
			type = c->argv[i + 1];
		} else {
			reply_error(c, ERR_SYNTAX);
			return;
		}
	}
	struct dict *d;
	struct scan_acc acc = { .type = -1 };
	if (!o) {
		d = c->db->keys;
	} else if (o->type == OBJ_HASH) {
		d = o->v.hash;
		acc.type = OBJ_HASH;
	} else if (o->type == OBJ_SET) {
		d = o->v.set;
		acc.type = OBJ_SET;
	} else {
		d = o->v.zset->dict;
		acc.type = OBJ_ZSET;
	}
	size_t step = acc.type == OBJ_HASH || acc.type == OBJ_ZSET ? 2 : 1;
	long long maxiter = count * 10;
	do {
		cursor = dict_scan(d, cursor, scan_cb, &acc);
	} while (cursor && maxiter-- && (long long)(acc.n / step) < count);

	/* Filter: pattern, expired keys, type. */
	size_t kept = 0;
	for (size_t i = 0; i < acc.n; i += step) {
		struct rstr *k = acc.items[i];
		int keep = !pat || redis_glob_match(pat->data, pat->len,
						    k->data, k->len, 0);
		if (keep && !o && is_expired(c->db, k->data, k->len))
			keep = 0;
		if (keep && type) {
			struct dict_entry *e = dict_find(d, k->data, k->len);
			keep = e && arg_is(type, robj_type_name(
				((struct robj *)e->v.ptr)->type));
		}
		for (size_t j = 0; j < step; j++) {
			if (keep)
				acc.items[kept++] = acc.items[i + j];
			else
				free(acc.items[i + j]);
		}
	}
	reply_array(c, 2);
	reply_bulk_ll(c, (long long)cursor);
	reply_array(c, kept);
	for (size_t i = 0; i < kept; i++) {
		reply_bulk_rstr(c, acc.items[i]);
		free(acc.items[i]);
	}
	free(acc.items);
}

void redis_cmd_scan(struct redis_client *c)
{
	redis_scan_generic(c, NULL, 1);
}

/* ---- RENAME, COPY, MOVE ------------------------------------------------- */

/* RENAME and RENAMENX; nx: refuse an existing destination. */
static void rename_generic(struct redis_client *c, int nx)
{
	const struct rstr *src = c->argv[1], *dst = c->argv[2];
	struct robj *o = db_lookup(c->db, src->data, src->len);
	if (!o) {
		reply_error(c, ERR_NOKEY);
		return;
	}
	if (src->len == dst->len && !memcmp(src->data, dst->data, src->len)) {
		if (nx)
			reply_long(c, 0);
		else
			reply_ok(c);
		return;
	}
	if (db_lookup(c->db, dst->data, dst->len)) {
		if (nx) {
			reply_long(c, 0);
			return;
		}
		db_delete(c->db, dst->data, dst->len);
	}
	int64_t when = db_get_expire(c->db, src->data, src->len);
	o = db_take(c->db, src->data, src->len);
	db_add(c->db, dst->data, dst->len, o);
	if (when >= 0)
		db_set_expire(c->db, dst->data, dst->len, when);
	if (nx)
		reply_long(c, 1);
	else
		reply_ok(c);
}

void redis_cmd_rename(struct redis_client *c)
{
	rename_generic(c, 0);
}

void redis_cmd_renamenx(struct redis_client *c)
{
	rename_generic(c, 1);
}

void redis_cmd_copy(struct redis_client *c)
{
	const struct rstr *src = c->argv[1], *dst = c->argv[2];
	struct redis_db *to = c->db;
	int replace = 0;
	for (size_t i = 3; i < c->argc; i++) {
		if (arg_is(c->argv[i], "REPLACE")) {
			replace = 1;
		} else if (arg_is(c->argv[i], "DB") && i + 1 < c->argc) {
			long long id;
			if (arg_ll(c, c->argv[++i], &id))
				return;
			if (id < 0 || id >= REDIS_DBS) {
				reply_error(c, "ERR DB index is out of range");
				return;
			}
			to = &c->srv->db[id];
		} else {
			reply_error(c, ERR_SYNTAX);
			return;
		}
	}
	if (to == c->db && src->len == dst->len &&
	    !memcmp(src->data, dst->data, src->len)) {
		reply_error(c, "ERR source and destination objects are the same");
		return;
	}
	struct robj *o = db_lookup(c->db, src->data, src->len);
	if (!o) {
		reply_long(c, 0);
		return;
	}
	if (db_lookup(to, dst->data, dst->len)) {
		if (!replace) {
			reply_long(c, 0);
			return;
		}
		db_delete(to, dst->data, dst->len);
	}
	int64_t when = db_get_expire(c->db, src->data, src->len);
	db_add(to, dst->data, dst->len, robj_dup(o));
	if (when >= 0)
		db_set_expire(to, dst->data, dst->len, when);
	reply_long(c, 1);
}

void redis_cmd_move(struct redis_client *c)
{
	long long id;
	if (arg_ll(c, c->argv[2], &id))
		return;
	if (id < 0 || id >= REDIS_DBS) {
		reply_error(c, "ERR DB index is out of range");
		return;
	}
	struct redis_db *to = &c->srv->db[id];
	if (to == c->db) {
		reply_error(c, "ERR source and destination objects are the same");
		return;
	}
	const struct rstr *k = c->argv[1];
	if (!db_lookup(c->db, k->data, k->len) ||
	    db_lookup(to, k->data, k->len)) {
		reply_long(c, 0);
		return;
	}
	int64_t when = db_get_expire(c->db, k->data, k->len);
	struct robj *o = db_take(c->db, k->data, k->len);
	db_add(to, k->data, k->len, o);
	if (when >= 0)
		db_set_expire(to, k->data, k->len, when);
	reply_long(c, 1);
}

/* ---- expiry --------------------------------------------------------------- */

#define EXP_NX 1
#define EXP_XX 2
#define EXP_GT 4
#define EXP_LT 8

/*
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT.  unit_ms: 1000 for seconds;
 * absolute: the argument is a Unix time.  A deadline in the past deletes
 * the key, as Redis does.
 */
static void expire_generic(struct redis_client *c, long long unit_ms,
			   int absolute)
{
	const struct rstr *key = c->argv[1];
	long long when;
	if (arg_ll(c, c->argv[2], &when))
		return;
	int flags = 0;
	for (size_t i = 3; i < c->argc; i++) {
		const struct rstr *a = c->argv[i];
		if (arg_is(a, "NX"))
			flags |= EXP_NX;
		else if (arg_is(a, "XX"))
			flags |= EXP_XX;
		else if (arg_is(a, "GT"))
			flags |= EXP_GT;
		else if (arg_is(a, "LT"))
			flags |= EXP_LT;
		else {
			reply_errorf(c, "ERR Unsupported option %.128s", a->data);
			return;
		}
	}
	if ((flags & EXP_NX) && (flags & (EXP_XX | EXP_GT | EXP_LT))) {
		reply_error(c, "ERR NX and XX, GT or LT options at the same "
			    "time are not compatible");
		return;
	}
	if ((flags & EXP_GT) && (flags & EXP_LT)) {
		reply_error(c, "ERR GT and LT options at the same time are "
			    "not compatible");
		return;
	}
	char name[32];
	redis_command_fullname(c->cmd, NULL, name, sizeof name);
	if (when > LLONG_MAX / unit_ms || when < LLONG_MIN / unit_ms) {
		reply_errorf(c, "ERR invalid expire time in '%s' command", name);
		return;
	}
	when *= unit_ms;
	if (!absolute) {
		long long now = redis_now_ms();
		if ((when > 0 && now > LLONG_MAX - when)) {
			reply_errorf(c, "ERR invalid expire time in '%s' command",
				     name);
			return;
		}
		when += now;
	}
	if (!db_lookup(c->db, key->data, key->len)) {
		reply_long(c, 0);
		return;
	}
	int64_t cur = db_get_expire(c->db, key->data, key->len);
	if ((flags & EXP_NX) && cur >= 0) {
		reply_long(c, 0);
		return;
	}
	if ((flags & EXP_XX) && cur < 0) {
		reply_long(c, 0);
		return;
	}
	/* No TTL counts as an infinite one for GT and LT. */
	if ((flags & EXP_GT) && (cur < 0 || when <= cur)) {
		reply_long(c, 0);
		return;
	}
	if ((flags & EXP_LT) && cur >= 0 && when >= cur) {
		reply_long(c, 0);
		return;
	}
	if (when <= redis_now_ms()) {
		db_delete(c->db, key->data, key->len);
		reply_long(c, 1);
		return;
	}
	db_set_expire(c->db, key->data, key->len, when);
	reply_long(c, 1);
}

void redis_cmd_expire(struct redis_client *c)
{
	expire_generic(c, 1000, 0);
}

void redis_cmd_pexpire(struct redis_client *c)
{
	expire_generic(c, 1, 0);
}

void redis_cmd_expireat(struct redis_client *c)
{
	expire_generic(c, 1000, 1);
}

void redis_cmd_pexpireat(struct redis_client *c)
{
	expire_generic(c, 1, 1);
}

/* TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 no key, -1 no TTL. */
static void ttl_generic(struct redis_client *c, int ms, int absolute)
{
	const struct rstr *key = c->argv[1];
	if (!db_lookup_read(c->db, key->data, key->len)) {
		reply_long(c, -2);
		return;
	}
	int64_t when = db_get_expire(c->db, key->data, key->len);
	if (when < 0) {
		reply_long(c, -1);
		return;
	}
	long long v = absolute ? when : when - redis_now_ms();
	if (v < 0)
		v = 0;
	reply_long(c, ms ? v : (absolute ? v / 1000 : (v + 500) / 1000));
}

void redis_cmd_ttl(struct redis_client *c)
{
	ttl_generic(c, 0, 0);
}

void redis_cmd_pttl(struct redis_client *c)
{
	ttl_generic(c, 1, 0);
}

void redis_cmd_expiretime(struct redis_client *c)
{
	ttl_generic(c, 0, 1);
}

void redis_cmd_pexpiretime(struct redis_client *c)
{
	ttl_generic(c, 1, 1);
}

void redis_cmd_persist(struct redis_client *c)
{
	const struct rstr *key = c->argv[1];
	if (!db_lookup(c->db, key->data, key->len)) {
		reply_long(c, 0);
		return;
	}
	reply_long(c, db_remove_expire(c->db, key->data, key->len));
}
