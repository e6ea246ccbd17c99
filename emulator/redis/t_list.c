/*
 * t_list.c - the list type: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP
 * (with count), LRANGE, LLEN, LINDEX, LSET, LREM, LTRIM, LINSERT, and the
 * blocking BLPOP/BRPOP (blocked.c keeps the waiting clients).
 *
 * A list is a ring-buffer deque (object.c) whose elements carry position
 * numbers; persistence stores one row per position, so a push or a pop
 * writes one row.  LINSERT renumbers and rewrites the list.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

static void list_changed(struct redis_client *c, int64_t pos)
{
	db_list_elem_changed(c->db, c->argv[1]->data, c->argv[1]->len, pos);
}

/* LPUSH, RPUSH, LPUSHX, RPUSHX. */
static void push_generic(struct redis_client *c, int where, int xx)
{
	struct robj *o;
	const struct rstr *key = c->argv[1];
	if (db_get_typed(c, 1, OBJ_LIST, 1, &o))
		return;
	if (!o) {
		if (xx) {
			reply_long(c, 0);
			return;
		}
		o = robj_new(OBJ_LIST);
		db_add(c->db, key->data, key->len, o);
	}
	for (size_t i = 2; i < c->argc; i++) {
		struct rstr *s = c->argv[i];
		c->argv[i] = rstr_new("", 0);
		struct rlist_item *it = rlist_push(o->v.list, where, s);
		list_changed(c, it->pos);
	}
	reply_long(c, (long long)o->v.list->len);
	redis_signal_key_ready(c->db, key->data, key->len);
}

void redis_cmd_lpush(struct redis_client *c)
{
	push_generic(c, LIST_HEAD, 0);
}

void redis_cmd_rpush(struct redis_client *c)
{
	push_generic(c, LIST_TAIL, 0);
}

void redis_cmd_lpushx(struct redis_client *c)
{
	push_generic(c, LIST_HEAD, 1);
}

void redis_cmd_rpushx(struct redis_client *c)
{
	push_generic(c, LIST_TAIL, 1);
}

/* LPOP/RPOP key [count]. */
static void pop_generic(struct redis_client *c, int where)
{
	long long count = -1;
	if (c->argc > 3) {
		char name[16];
		redis_command_fullname(c->cmd, NULL, name, sizeof name);
		reply_error_arity(c, name);
		return;
	}
	if (c->argc == 3 &&
	    (redis_str2ll(c->argv[2]->data, c->argv[2]->len, &count) ||
	     count < 0)) {
		reply_error(c, "ERR value is out of range, must be positive");
		return;
	}
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_LIST, 1, &o))
		return;
	if (!o) {
		if (count >= 0)
			reply_null_array(c);
		else
			reply_null(c);
		return;
	}
	const struct rstr *key = c->argv[1];
	size_t n = count < 0 ? 1 : (size_t)count;
	if (n > o->v.list->len)
		n = o->v.list->len;
	if (count >= 0)
		reply_array(c, n);
	for (size_t i = 0; i < n; i++) {
		int64_t pos;
		struct rstr *s = rlist_pop(o->v.list, where, &pos);
		reply_bulk_rstr(c, s);
		free(s);
		list_changed(c, pos);
	}
	db_delete_if_empty(c->db, key->data, key->len, o);
}

void redis_cmd_lpop(struct redis_client *c)
{
	pop_generic(c, LIST_HEAD);
}

void redis_cmd_rpop(struct redis_client *c)
{
	pop_generic(c, LIST_TAIL);
}

void redis_cmd_llen(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_LIST, 0, &o))
		return;
	reply_long(c, o ? (long long)o->v.list->len : 0);
}

/* Turn start/end (negative from the tail) into a clamped range; returns 0
 * when the range is empty. */
static int clamp_range(long long *start, long long *end, long long len)
{
	if (*start < 0)
		*start += len;
	if (*end < 0)
		*end += len;
	if (*start < 0)
		*start = 0;
	if (*start > *end || *start >= len)
		return 0;
	if (*end >= len)
		*end = len - 1;
	return 1;
}

void redis_cmd_lrange(struct redis_client *c)
{
	long long start, end;
	if (arg_ll(c, c->argv[2], &start) || arg_ll(c, c->argv[3], &end))
		return;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_LIST, 0, &o))
		return;
	if (!o || !clamp_range(&start, &end, (long long)o->v.list->len)) {
		reply_array(c, 0);
		return;
	}
	reply_array(c, (size_t)(end - start + 1));
	for (long long i = start; i <= end; i++)
		reply_bulk_rstr(c, rlist_at(o->v.list, (size_t)i)->s);
}

void redis_cmd_lindex(struct redis_client *c)
{
	long long idx;
	struct robj *o;
	/* The key is looked up first: a missing list is nil whatever the
	 * index says, as Redis. */
	if (db_get_typed(c, 1, OBJ_LIST, 0, &o))
		return;
	if (!o) {
		reply_null(c);
		return;
	}
	if (arg_ll(c, c->argv[2], &idx))
		return;
	long long len = o ? (long long)o->v.list->len : 0;
	if (idx < 0)
		idx += len;
	if (!o || idx < 0 || idx >= len) {
		reply_null(c);
		return;
	}
	reply_bulk_rstr(c, rlist_at(o->v.list, (size_t)idx)->s);
}

void redis_cmd_lset(struct redis_client *c)
{
	long long idx;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_LIST, 1, &o))
		return;
	if (!o) {
		reply_error(c, ERR_NOKEY);
		return;
	}
	if (arg_ll(c, c->argv[2], &idx))
		return;
	long long len = (long long)o->v.list->len;
	if (idx < 0)
		idx += len;
	if (idx < 0 || idx >= len) {
		reply_error(c, ERR_RANGE);
		return;
	}
	struct rlist_item *it = rlist_at(o->v.list, (size_t)idx);
	free(it->s);
	it->s = c->argv[3];
	c->argv[3] = rstr_new("", 0);
	list_changed(c, it->pos);
	reply_ok(c);
}

static int same(const struct rstr *a, const struct rstr *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

void redis_cmd_lrem(struct redis_client *c)
{
	long long count;
	if (arg_ll(c, c->argv[2], &count))
		return;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_LIST, 1, &o))
		return;
	if (!o) {
		reply_long(c, 0);
		return;
	}
	struct rlist *l = o->v.list;
	const struct rstr *val = c->argv[3];
	long long removed = 0;
	if (count >= 0) {
		for (size_t i = 0; i < l->len;) {
			struct rlist_item *it = rlist_at(l, i);
			if (same(it->s, val)) {
				list_changed(c, it->pos);
				free(rlist_remove(l, i));
				if (++removed == count)
					break;
			} else {
				i++;
			}
		}
	} else {
		for (size_t i = l->len; i > 0; i--) {
			struct rlist_item *it = rlist_at(l, i - 1);
			if (same(it->s, val)) {
				list_changed(c, it->pos);
				free(rlist_remove(l, i - 1));
				if (++removed == -count)
					break;
			}
		}
	}
	db_delete_if_empty(c->db, c->argv[1]->data, c->argv[1]->len, o);
	reply_long(c, removed);
}

void redis_cmd_ltrim(struct redis_client *c)
{
	long long start, end;
	if (arg_ll(c, c->argv[2], &start) || arg_ll(c, c->argv[3], &end))
		return;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_LIST, 1, &o))
		return;
	if (!o) {
		reply_ok(c);
		return;
	}
	struct rlist *l = o->v.list;
	long long len = (long long)l->len;
	size_t head = 0, tail = 0; /* elements to drop at each end */
	if (!clamp_range(&start, &end, len)) {
		head = l->len;
	} else {
		head = (size_t)start;
		tail = (size_t)(len - 1 - end);
	}
	for (size_t i = 0; i < head && l->len; i++) {
		int64_t pos;
		free(rlist_pop(l, LIST_HEAD, &pos));
		list_changed(c, pos);
	}
	for (size_t i = 0; i < tail && l->len; i++) {
		int64_t pos;
		free(rlist_pop(l, LIST_TAIL, &pos));
		list_changed(c, pos);
	}
	db_delete_if_empty(c->db, c->argv[1]->data, c->argv[1]->len, o);
	reply_ok(c);
}

void redis_cmd_linsert(struct redis_client *c)
{
	int after;
	if (arg_is(c->argv[2], "BEFORE"))
		after = 0;
	else if (arg_is(c->argv[2], "AFTER"))
		after = 1;
	else {
		reply_error(c, ERR_SYNTAX);
		return;
	}
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_LIST, 1, &o))
		return;
	if (!o) {
		reply_long(c, 0);
		return;
	}
	struct rlist *l = o->v.list;
	for (size_t i = 0; i < l->len; i++) {
		if (same(rlist_at(l, i)->s, c->argv[3])) {
			rlist_insert(l, i + (size_t)after, c->argv[4]);
			c->argv[4] = rstr_new("", 0);
			/* Positions were renumbered: rewrite the list. */
			db_key_changed(c->db, c->argv[1]->data, c->argv[1]->len);
			reply_long(c, (long long)l->len);
			return;
		}
	}
	reply_long(c, -1);
}

/* ---- blocking pops ----------------------------------------------------------- */

void redis_list_pop_reply(struct redis_client *c, struct redis_db *db,
			  const char *key, size_t len, int where)
{
	struct dict_entry *e = dict_find(db->keys, key, len);
	struct robj *o = e->v.ptr;
	int64_t pos;
	struct rstr *s = rlist_pop(o->v.list, where, &pos);
	reply_array(c, 2);
	reply_bulk(c, key, len);
	reply_bulk_rstr(c, s);
	free(s);
	db_list_elem_changed(db, key, len, pos);
	db_delete_if_empty(db, key, len, o);
}

static void bpop_generic(struct redis_client *c, int where)
{
	long double secs;
	const struct rstr *t = c->argv[c->argc - 1];
	if (redis_str2ld(t->data, t->len, &secs)) {
		reply_error(c, "ERR timeout is not a float or out of range");
		return;
	}
	if (secs < 0) {
		reply_error(c, "ERR timeout is negative");
		return;
	}
	if (secs * 1000 > (long double)LLONG_MAX / 2) {
		reply_error(c, "ERR timeout is out of range");
		return;
	}
	/* The first non-empty list, in argument order, is served now. */
	for (size_t i = 1; i + 1 < c->argc; i++) {
		struct robj *o;
		if (db_get_typed(c, i, OBJ_LIST, 1, &o))
			return;
		if (o && o->v.list->len) {
			redis_list_pop_reply(c, c->db, c->argv[i]->data,
					     c->argv[i]->len, where);
			return;
		}
	}
	/* Inside MULTI a blocking pop cannot wait. */
	if (c->flags & CLIENT_IN_EXEC) {
		reply_null_array(c);
		return;
	}
	long long ms = (long long)ceill(secs * 1000);
	int64_t deadline = ms ? redis_mono_ms() + ms : 0;
	redis_block_on_keys(c, 1, c->argc - 2, where, deadline);
}

void redis_cmd_blpop(struct redis_client *c)
{
	bpop_generic(c, LIST_HEAD);
}

void redis_cmd_brpop(struct redis_client *c)
{
	bpop_generic(c, LIST_TAIL);
}

/* ---- LMOVE, RPOPLPUSH, LPOS ---------------------------------------------------- */

/* Move one element from argv[1]'s `from` end to argv[2]'s `to` end;
 * replies the element or nil.  The same key rotates the list. */
static void move_generic(struct redis_client *c, int from, int to)
{
	struct robj *src, *dst;
	if (db_get_typed(c, 1, OBJ_LIST, 1, &src))
		return;
	if (!src) {
		reply_null(c);
		return;
	}
	if (db_get_typed(c, 2, OBJ_LIST, 1, &dst))
		return;
	const struct rstr *sk = c->argv[1], *dk = c->argv[2];
	int64_t pos;
	struct rstr *s = rlist_pop(src->v.list, from, &pos);
	db_list_elem_changed(c->db, sk->data, sk->len, pos);
	reply_bulk_rstr(c, s);
	if (!dst) {
		dst = robj_new(OBJ_LIST);
		rlist_push(dst->v.list, to, s);
		db_add(c->db, dk->data, dk->len, dst);
	} else {
		struct rlist_item *it = rlist_push(dst->v.list, to, s);
		db_list_elem_changed(c->db, dk->data, dk->len, it->pos);
		redis_signal_key_ready(c->db, dk->data, dk->len);
	}
	/* After the push: with src == dst the list is never empty here. */
	if (src != dst)
		db_delete_if_empty(c->db, sk->data, sk->len, src);
}

static int parse_end(const struct rstr *a, int *where)
{
	if (arg_is(a, "LEFT"))
		*where = LIST_HEAD;
	else if (arg_is(a, "RIGHT"))
		*where = LIST_TAIL;
	else
		return -1;
	return 0;
}

void redis_cmd_lmove(struct redis_client *c)
{
	int from, to;
	if (parse_end(c->argv[3], &from) || parse_end(c->argv[4], &to)) {
		reply_error(c, ERR_SYNTAX);
		return;
	}
	move_generic(c, from, to);
}

void redis_cmd_rpoplpush(struct redis_client *c)
{
	move_generic(c, LIST_TAIL, LIST_HEAD);
}

void redis_cmd_lpos(struct redis_client *c)
{
	long long rank = 1, count = -1, maxlen = 0;
	for (size_t i = 3; i < c->argc; i += 2) {
		const struct rstr *opt = c->argv[i];
		if (i + 1 >= c->argc) {
			reply_error(c, ERR_SYNTAX);
			return;
		}
		long long v;
		if (!arg_is(opt, "RANK") && !arg_is(opt, "COUNT") &&
		    !arg_is(opt, "MAXLEN")) {
			reply_error(c, ERR_SYNTAX);
			return;
		}
		if (arg_ll(c, c->argv[i + 1], &v))
			return;
		if (arg_is(opt, "RANK")) {
			if (v == 0) {
				reply_error(c, "ERR RANK can't be zero: use 1 to "
					    "start from the first match, 2 from "
					    "the second ... or use negative to "
					    "start from the end of the list");
				return;
			}
			rank = v;
		} else if (arg_is(opt, "COUNT")) {
			if (v < 0) {
				reply_error(c, "ERR COUNT can't be negative");
				return;
			}
			count = v;
		} else {
			if (v < 0) {
				reply_error(c, "ERR MAXLEN can't be negative");
				return;
			}
			maxlen = v;
		}
	}
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_LIST, 0, &o))
		return;
	if (!o) {
		if (count >= 0)
			reply_array(c, 0);
		else
			reply_null(c);
		return;
	}
	struct rlist *l = o->v.list;
	size_t mark = count >= 0 ? reply_defer(c) : 0, found = 0;
	long long skip = rank > 0 ? rank - 1 : -rank - 1;
	size_t n = l->len;
	for (size_t k = 0; k < n; k++) {
		if (maxlen && (long long)k >= maxlen)
			break;
		size_t idx = rank > 0 ? k : n - 1 - k;
		if (!same(rlist_at(l, idx)->s, c->argv[2]))
			continue;
		if (skip > 0) {
			skip--;
			continue;
		}
		reply_long(c, (long long)idx);
		found++;
		if (count < 0 || (count > 0 && (long long)found == count))
			break;
	}
	if (count >= 0)
		reply_defer_set(c, mark, '*', found);
	else if (!found)
		reply_null(c);
}
