/*
 * t_string.c - the string type: GET, SET and its variants, MGET, MSET(NX),
 * INCR/DECR(BY), INCRBYFLOAT, APPEND, STRLEN, GETRANGE, SETRANGE.
 *
 * SET, SETNX, SETEX, PSETEX, GETSET and GETEX options share
 * set_generic/parse_expiry_opts.  Numbers follow Redis: integers are
 * 64-bit and strict, INCRBYFLOAT works in long double and stores
 * "%.17Lf" with trailing zeros trimmed.  512 MB is the largest string.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

#define STRING_MAX (512LL * 1024 * 1024)
#define ERR_TOOBIG "ERR string exceeds maximum allowed size (proto-max-bulk-len)"

#define SET_NX      (1 << 0)
#define SET_XX      (1 << 1)
#define SET_GET     (1 << 2)
#define SET_KEEPTTL (1 << 3)
#define SET_EXPIRE  (1 << 4) /* EX/PX/EXAT/PXAT given */
#define SET_PERSIST (1 << 5) /* GETEX PERSIST */

/* The string value of argv[i], or NULL (missing); -1 after WRONGTYPE. */
static int get_string(struct redis_client *c, size_t i, struct robj **o)
{
	return db_get_typed(c, i, OBJ_STRING, 0, o);
}

/* SET/GETEX options as parsed; the TTL is checked later (GETEX checks
 * it only once the key is known to exist, as Redis). */
struct set_opts {
	int flags;               /* SET_* */
	const struct rstr *ttl;  /* EX/PX/EXAT/PXAT argument, or NULL */
	long long unit;          /* 1000 for seconds, 1 for ms */
	int absolute;            /* EXAT/PXAT */
};

/*
 * Parse SET/GETEX options from argv[from].  getex: only the expiry
 * options and PERSIST.  Returns 0, or -1 after replying a syntax error.
 */
static int parse_set_opts(struct redis_client *c, size_t from, int getex,
			  struct set_opts *o)
{
	memset(o, 0, sizeof *o);
	for (size_t i = from; i < c->argc; i++) {
		const struct rstr *a = c->argv[i];
		int has_next = i + 1 < c->argc;
		long long unit = 0;
		int absolute = 0;
		if (!getex && arg_is(a, "NX") && !(o->flags & SET_XX))
			o->flags |= SET_NX;
		else if (!getex && arg_is(a, "XX") && !(o->flags & SET_NX))
			o->flags |= SET_XX;
		else if (!getex && arg_is(a, "GET"))
			o->flags |= SET_GET;
		else if (!getex && arg_is(a, "KEEPTTL") &&
			 !(o->flags & SET_EXPIRE))
			o->flags |= SET_KEEPTTL;
		else if (getex && arg_is(a, "PERSIST") &&
			 !(o->flags & SET_EXPIRE))
			o->flags |= SET_PERSIST;
		else if (arg_is(a, "EX") && has_next)
			unit = 1000;
		else if (arg_is(a, "PX") && has_next)
			unit = 1;
		else if (arg_is(a, "EXAT") && has_next)
			unit = 1000, absolute = 1;
		else if (arg_is(a, "PXAT") && has_next)
			unit = 1, absolute = 1;
		else {
			reply_error(c, ERR_SYNTAX);
			return -1;
		}
		if (!unit)
			continue;
		if (o->flags & (SET_EXPIRE | SET_KEEPTTL | SET_PERSIST)) {
			reply_error(c, ERR_SYNTAX);
			return -1;
		}
		o->flags |= SET_EXPIRE;
		o->ttl = c->argv[++i];
		o->unit = unit;
		o->absolute = absolute;
	}
	return 0;
}

/* The absolute deadline the options ask for; -1 after replying the
 * error (not an integer, not positive, overflow). */
static int opts_deadline(struct redis_client *c, const struct set_opts *o,
			 int64_t *when)
{
	char name[32];
	long long v;
	redis_command_fullname(c->cmd, NULL, name, sizeof name);
	if (arg_ll(c, o->ttl, &v))
		return -1;
	if (v <= 0 || v > LLONG_MAX / o->unit) {
		reply_errorf(c, "ERR invalid expire time in '%s' command", name);
		return -1;
	}
	v *= o->unit;
	if (!o->absolute) {
		long long now = redis_now_ms();
		if (v > LLONG_MAX - now) {
			reply_errorf(c, "ERR invalid expire time in '%s' command",
				     name);
			return -1;
		}
		v += now;
	}
	*when = v;
	return 0;
}

/*
 * The core of SET, SETNX, SETEX, PSETEX and GETSET: sets argv[1] to val
 * (taking it) under flags; replies OK / nil / the old value (SET_GET) /
 * nothing (ok_reply NULL: SETNX replies itself through *done).  Returns 1
 * when the value was set, 0 when a condition refused it, -1 on error.
 */
static int set_generic(struct redis_client *c, struct rstr *val, int flags,
		       int64_t when, const char *ok_reply)
{
	const struct rstr *key = c->argv[1];
	struct robj *old = NULL;
	if (flags & SET_GET) {
		if (get_string(c, 1, &old)) {
			free(val);
			return -1;
		}
	} else {
		old = db_lookup(c->db, key->data, key->len);
	}
	if (((flags & SET_NX) && old) || ((flags & SET_XX) && !old)) {
		free(val);
		if (flags & SET_GET) {
			if (old)
				reply_bulk_rstr(c, old->v.str);
			else
				reply_null(c);
		} else if (ok_reply) {
			reply_null(c);
		}
		return 0;
	}
	if (flags & SET_GET) {
		if (old)
			reply_bulk_rstr(c, old->v.str);
		else
			reply_null(c);
	}
	/* The reply must be built before the old value is freed. */
	db_set(c->db, key->data, key->len, robj_string(val),
	       flags & SET_KEEPTTL);
	if (flags & SET_EXPIRE)
		db_set_expire(c->db, key->data, key->len, when);
	if (!(flags & SET_GET) && ok_reply)
		reply_ok(c);
	return 1;
}

/* Steal argument i (the value) from argv. */
static struct rstr *steal(struct redis_client *c, size_t i)
{
	struct rstr *s = c->argv[i];
	c->argv[i] = rstr_new("", 0);
	return s;
}

void redis_cmd_set(struct redis_client *c)
{
	struct set_opts o;
	int64_t when = 0;
	if (parse_set_opts(c, 3, 0, &o))
		return;
	if ((o.flags & SET_EXPIRE) && opts_deadline(c, &o, &when))
		return;
	set_generic(c, steal(c, 2), o.flags, when, "OK");
}

void redis_cmd_setnx(struct redis_client *c)
{
	int rc = set_generic(c, steal(c, 2), SET_NX, 0, NULL);
	reply_long(c, rc == 1);
}

/* SETEX/PSETEX key ttl value. */
static void setex_generic(struct redis_client *c, long long unit)
{
	long long v;
	char name[32];
	redis_command_fullname(c->cmd, NULL, name, sizeof name);
	if (arg_ll(c, c->argv[2], &v))
		return;
	if (v <= 0 || v > LLONG_MAX / unit ||
	    v * unit > LLONG_MAX - redis_now_ms()) {
		reply_errorf(c, "ERR invalid expire time in '%s' command", name);
		return;
	}
	set_generic(c, steal(c, 3), SET_EXPIRE, redis_now_ms() + v * unit,
		    "OK");
}

void redis_cmd_setex(struct redis_client *c)
{
	setex_generic(c, 1000);
}

void redis_cmd_psetex(struct redis_client *c)
{
	setex_generic(c, 1);
}

void redis_cmd_getset(struct redis_client *c)
{
	set_generic(c, steal(c, 2), SET_GET, 0, "OK");
}

void redis_cmd_get(struct redis_client *c)
{
	struct robj *o;
	if (get_string(c, 1, &o))
		return;
	if (o)
		reply_bulk_rstr(c, o->v.str);
	else
		reply_null(c);
}

void redis_cmd_getdel(struct redis_client *c)
{
	struct robj *o;
	if (get_string(c, 1, &o))
		return;
	if (!o) {
		reply_null(c);
		return;
	}
	reply_bulk_rstr(c, o->v.str);
	db_delete(c->db, c->argv[1]->data, c->argv[1]->len);
}

void redis_cmd_getex(struct redis_client *c)
{
	struct set_opts opts;
	int64_t when = 0;
	if (parse_set_opts(c, 2, 1, &opts))
		return;
	struct robj *o;
	if (get_string(c, 1, &o))
		return;
	if (!o) {
		reply_null(c);
		return;
	}
	if ((opts.flags & SET_EXPIRE) && opts_deadline(c, &opts, &when))
		return;
	reply_bulk_rstr(c, o->v.str);
	const struct rstr *key = c->argv[1];
	if (opts.flags & SET_PERSIST) {
		db_remove_expire(c->db, key->data, key->len);
	} else if (opts.flags & SET_EXPIRE) {
		if (when <= redis_now_ms())
			db_delete(c->db, key->data, key->len);
		else
			db_set_expire(c->db, key->data, key->len, when);
	}
}

void redis_cmd_mget(struct redis_client *c)
{
	reply_array(c, c->argc - 1);
	for (size_t i = 1; i < c->argc; i++) {
		struct robj *o = db_lookup_read(c->db, c->argv[i]->data,
						c->argv[i]->len);
		if (o && o->type == OBJ_STRING)
			reply_bulk_rstr(c, o->v.str);
		else
			reply_null(c);
	}
}

/* MSET and MSETNX. */
static void mset_generic(struct redis_client *c, int nx)
{
	if (c->argc % 2 == 0) {
		char name[32];
		redis_command_fullname(c->cmd, NULL, name, sizeof name);
		reply_error_arity(c, name);
		return;
	}
	if (nx) {
		for (size_t i = 1; i < c->argc; i += 2) {
			if (db_lookup(c->db, c->argv[i]->data, c->argv[i]->len)) {
				reply_long(c, 0);
				return;
			}
		}
	}
	for (size_t i = 1; i < c->argc; i += 2)
		db_set(c->db, c->argv[i]->data, c->argv[i]->len,
		       robj_string(steal(c, i + 1)), 0);
	if (nx)
		reply_long(c, 1);
	else
		reply_ok(c);
}

void redis_cmd_mset(struct redis_client *c)
{
	mset_generic(c, 0);
}

void redis_cmd_msetnx(struct redis_client *c)
{
	mset_generic(c, 1);
}

/* ---- counters ----------------------------------------------------------- */

/* Store a new string value for argv[1], keeping the TTL. */
static void store_string(struct redis_client *c, struct robj *o,
			 const char *s, size_t len)
{
	const struct rstr *key = c->argv[1];
	if (o) {
		if (o->v.str->cap >= len) {
			memcpy(o->v.str->data, s, len);
			o->v.str->len = len;
			o->v.str->data[len] = '\0';
		} else {
			free(o->v.str);
			o->v.str = rstr_new(s, len);
		}
		db_key_changed(c->db, key->data, key->len);
	} else {
		db_add(c->db, key->data, key->len,
		       robj_string(rstr_new(s, len)));
	}
}

static void incr_generic(struct redis_client *c, long long by)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_STRING, 1, &o))
		return;
	long long v = 0;
	if (o && redis_str2ll(o->v.str->data, o->v.str->len, &v)) {
		reply_error(c, ERR_NOTINT);
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
	store_string(c, o, tmp, l);
	reply_long(c, v);
}

void redis_cmd_incr(struct redis_client *c)
{
	incr_generic(c, 1);
}

void redis_cmd_decr(struct redis_client *c)
{
	incr_generic(c, -1);
}

void redis_cmd_incrby(struct redis_client *c)
{
	long long by;
	if (arg_ll(c, c->argv[2], &by))
		return;
	incr_generic(c, by);
}

void redis_cmd_decrby(struct redis_client *c)
{
	long long by;
	if (arg_ll(c, c->argv[2], &by))
		return;
	if (by == LLONG_MIN) {
		reply_error(c, "ERR decrement would overflow");
		return;
	}
	incr_generic(c, -by);
}

void redis_cmd_incrbyfloat(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_STRING, 1, &o))
		return;
	long double v = 0, by;
	if (o && redis_str2ld(o->v.str->data, o->v.str->len, &v)) {
		reply_error(c, ERR_NOTFLOAT);
		return;
	}
	if (arg_ld(c, c->argv[2], &by))
		return;
	v += by;
	if (isnan(v) || isinf(v)) {
		reply_error(c, "ERR increment would produce NaN or Infinity");
		return;
	}
	char tmp[REDIS_NUMSTR_MAX];
	size_t l = redis_ld2str(tmp, sizeof tmp, v);
	if (!l) {
		reply_error(c, "ERR increment would produce NaN or Infinity");
		return;
	}
	store_string(c, o, tmp, l);
	reply_bulk(c, tmp, l);
}

/* ---- partial access ----------------------------------------------------- */

void redis_cmd_append(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_STRING, 1, &o))
		return;
	const struct rstr *key = c->argv[1], *add = c->argv[2];
	if (!o) {
		db_add(c->db, key->data, key->len, robj_string(steal(c, 2)));
		reply_long(c, (long long)add->len);
		return;
	}
	if ((long long)(o->v.str->len + add->len) > STRING_MAX) {
		reply_error(c, ERR_TOOBIG);
		return;
	}
	o->v.str = rstr_append(o->v.str, add->data, add->len);
	db_key_changed(c->db, key->data, key->len);
	reply_long(c, (long long)o->v.str->len);
}

void redis_cmd_strlen(struct redis_client *c)
{
	struct robj *o;
	if (get_string(c, 1, &o))
		return;
	reply_long(c, o ? (long long)o->v.str->len : 0);
}

void redis_cmd_getrange(struct redis_client *c)
{
	long long start, end;
	if (arg_ll(c, c->argv[2], &start) || arg_ll(c, c->argv[3], &end))
		return;
	struct robj *o;
	if (get_string(c, 1, &o))
		return;
	long long len = o ? (long long)o->v.str->len : 0;
	if (start < 0 && end < 0 && start > end) {
		reply_bulk(c, "", 0);
		return;
	}
	if (start < 0)
		start += len;
	if (end < 0)
		end += len;
	if (start < 0)
		start = 0;
	if (end < 0)
		end = 0;
	if (end >= len)
		end = len - 1;
	if (!o || len == 0 || start > end) {
		reply_bulk(c, "", 0);
		return;
	}
	reply_bulk(c, o->v.str->data + start, (size_t)(end - start + 1));
}

void redis_cmd_setrange(struct redis_client *c)
{
	long long off;
	if (arg_ll(c, c->argv[2], &off))
		return;
	if (off < 0) {
		reply_error(c, "ERR offset is out of range");
		return;
	}
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_STRING, 1, &o))
		return;
	const struct rstr *key = c->argv[1], *val = c->argv[3];
	if (val->len == 0) {
		reply_long(c, o ? (long long)o->v.str->len : 0);
		return;
	}
	if (off + (long long)val->len > STRING_MAX) {
		reply_error(c, ERR_TOOBIG);
		return;
	}
	if (!o) {
		o = robj_string(rstr_new("", 0));
		db_add(c->db, key->data, key->len, o);
	}
	size_t need = (size_t)off + val->len;
	struct rstr *s = o->v.str;
	if (need > s->len) {
		s = rstr_reserve(s, need - s->len);
		memset(s->data + s->len, 0, need - s->len);
		s->len = need;
		s->data[need] = '\0';
	}
	memcpy(s->data + off, val->data, val->len);
	o->v.str = s;
	db_key_changed(c->db, key->data, key->len);
	reply_long(c, (long long)s->len);
}
