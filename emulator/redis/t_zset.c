/*
 * t_zset.c - the sorted-set type: ZADD (NX/XX/GT/LT/CH/INCR), ZINCRBY,
 * ZREM, ZSCORE, ZMSCORE, ZCARD, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, the
 * ZRANGE family (by rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES, and the
 * older ZREVRANGE/ZRANGEBYSCORE/ZREVRANGEBYSCORE/ZRANGEBYLEX/
 * ZREVRANGEBYLEX spellings), ZREMRANGEBYSCORE, ZREMRANGEBYRANK,
 * ZPOPMIN/ZPOPMAX, ZSCAN.
 *
 * Ordering is by score, then by member bytes (object.c's skiplist).
 * Scores are replied as Redis 7.0 does: "%.17g" (a RESP3 double).  With
 * RESP3, WITHSCORES replies [member, score] pairs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

#define ERR_NOTFLOAT_RANGE "ERR min or max is not a float"
#define ERR_NOTLEX_RANGE "ERR min or max not valid string range item"
#define ERR_NAN "ERR resulting score is not a number (NaN)"

static void member_changed(struct redis_client *c, const char *m, size_t len)
{
	db_elem_changed(c->db, c->argv[1]->data, c->argv[1]->len, m, len);
}

/* ---- ZADD / ZINCRBY --------------------------------------------------------- */

#define Z_NX 1
#define Z_XX 2
#define Z_GT 4
#define Z_LT 8
#define Z_CH 16
#define Z_INCR 32

/*
 * Apply one (score, member) with flags; *out gets the resulting score.
 * Returns 1 added, 2 updated, 0 unchanged or refused (*refused set),
 * -1 when INCR produced NaN (error replied).
 */
static int zadd_one(struct redis_client *c, struct zset *z, double score,
		    const struct rstr *m, int flags, double *out, int *refused)
{
	struct dict_entry *e = dict_find(z->dict, m->data, m->len);
	*refused = 0;
	if (e) {
		double cur = e->v.d;
		if (flags & Z_NX) {
			*refused = 1;
			return 0;
		}
		if (flags & Z_INCR) {
			score += cur;
			if (isnan(score)) {
				reply_error(c, ERR_NAN);
				return -1;
			}
		}
		if (((flags & Z_GT) && score <= cur) ||
		    ((flags & Z_LT) && score >= cur)) {
			*refused = 1;
			*out = cur;
			return 0;
		}
		*out = score;
		if (score == cur)
			return 0;
		zset_add(z, m->data, m->len, score);
		member_changed(c, m->data, m->len);
		return 2;
	}
	if (flags & Z_XX) {
		*refused = 1;
		return 0;
	}
	zset_add(z, m->data, m->len, score);
	member_changed(c, m->data, m->len);
	*out = score;
	return 1;
}

/* The sorted set at argv[1] for writing, created if missing. */
static struct robj *zset_for_write(struct redis_client *c, int *err)
{
	struct robj *o;
	*err = 0;
	if (db_get_typed(c, 1, OBJ_ZSET, 1, &o)) {
		*err = 1;
		return NULL;
	}
	if (!o) {
		o = robj_new(OBJ_ZSET);
		db_add(c->db, c->argv[1]->data, c->argv[1]->len, o);
	}
	return o;
}

void redis_cmd_zadd(struct redis_client *c)
{
	int flags = 0;
	size_t i = 2;
	for (; i < c->argc; i++) {
		const struct rstr *a = c->argv[i];
		if (arg_is(a, "NX"))
			flags |= Z_NX;
		else if (arg_is(a, "XX"))
			flags |= Z_XX;
		else if (arg_is(a, "GT"))
			flags |= Z_GT;
		else if (arg_is(a, "LT"))
			flags |= Z_LT;
		else if (arg_is(a, "CH"))
			flags |= Z_CH;
		else if (arg_is(a, "INCR"))
			flags |= Z_INCR;
		else
			break;
	}
	size_t elems = c->argc - i;
	if (!elems || elems % 2) {
		reply_error(c, ERR_SYNTAX);
		return;
	}
	elems /= 2;
	if ((flags & Z_NX) && (flags & Z_XX)) {
		reply_error(c, "ERR XX and NX options at the same time are not "
			    "compatible");
		return;
	}
	if (((flags & Z_GT) && (flags & (Z_NX | Z_LT))) ||
	    ((flags & Z_LT) && (flags & Z_NX))) {
		reply_error(c, "ERR GT, LT, and/or NX options at the same time "
			    "are not compatible");
		return;
	}
	if ((flags & Z_INCR) && elems > 1) {
		reply_error(c, "ERR INCR option supports a single "
			    "increment-element pair");
		return;
	}
	double *scores = xmalloc(elems * sizeof *scores);
	for (size_t k = 0; k < elems; k++) {
		if (arg_double(c, c->argv[i + 2 * k], &scores[k])) {
			free(scores);
			return;
		}
	}
	int err;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 1, &o)) {
		free(scores);
		return;
	}
	if (!o && (flags & Z_XX)) {
		/* Nothing to update: do not create the key. */
		free(scores);
		if (flags & Z_INCR)
			reply_null(c);
		else
			reply_long(c, 0);
		return;
	}
	o = zset_for_write(c, &err);
	long long added = 0, changed = 0;
	double last = 0;
	int refused = 0;
	for (size_t k = 0; k < elems; k++) {
		int rc = zadd_one(c, o->v.zset, scores[k], c->argv[i + 2 * k + 1],
				  flags, &last, &refused);
		if (rc < 0) {
			free(scores);
			db_delete_if_empty(c->db, c->argv[1]->data,
					   c->argv[1]->len, o);
			return;
		}
		if (rc == 1)
			added++;
		else if (rc == 2)
			changed++;
	}
	free(scores);
	db_delete_if_empty(c->db, c->argv[1]->data, c->argv[1]->len, o);
	if (flags & Z_INCR) {
		if (refused)
			reply_null(c);
		else
			reply_double(c, last);
	} else {
		reply_long(c, added + ((flags & Z_CH) ? changed : 0));
	}
}

void redis_cmd_zincrby(struct redis_client *c)
{
	double by, out = 0;
	int err, refused;
	if (arg_double(c, c->argv[2], &by))
		return;
	struct robj *o = zset_for_write(c, &err);
	if (err)
		return;
	int rc = zadd_one(c, o->v.zset, by, c->argv[3], Z_INCR, &out,
			  &refused);
	db_delete_if_empty(c->db, c->argv[1]->data, c->argv[1]->len, o);
	if (rc >= 0)
		reply_double(c, out);
}

/* ---- simple reads and removal -------------------------------------------------- */

void redis_cmd_zrem(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 1, &o))
		return;
	long long n = 0;
	for (size_t i = 2; o && i < c->argc; i++) {
		if (zset_remove(o->v.zset, c->argv[i]->data, c->argv[i]->len)) {
			n++;
			member_changed(c, c->argv[i]->data, c->argv[i]->len);
		}
	}
	if (o)
		db_delete_if_empty(c->db, c->argv[1]->data, c->argv[1]->len, o);
	reply_long(c, n);
}

static struct dict_entry *zscore_of(struct robj *o, const struct rstr *m)
{
	return o ? dict_find(o->v.zset->dict, m->data, m->len) : NULL;
}

void redis_cmd_zscore(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 0, &o))
		return;
	struct dict_entry *e = zscore_of(o, c->argv[2]);
	if (e)
		reply_double(c, e->v.d);
	else
		reply_null(c);
}

void redis_cmd_zmscore(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 0, &o))
		return;
	reply_array(c, c->argc - 2);
	for (size_t i = 2; i < c->argc; i++) {
		struct dict_entry *e = zscore_of(o, c->argv[i]);
		if (e)
			reply_double(c, e->v.d);
		else
			reply_null(c);
	}
}

void redis_cmd_zcard(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 0, &o))
		return;
	reply_long(c, o ? (long long)o->v.zset->length : 0);
}

static void rank_generic(struct redis_client *c, int rev)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 0, &o))
		return;
	long r = o ? zset_rank(o->v.zset, c->argv[2]->data, c->argv[2]->len)
		   : -1;
	if (r < 0)
		reply_null(c);
	else
		reply_long(c, rev ? (long long)o->v.zset->length - 1 - r : r);
}

void redis_cmd_zrank(struct redis_client *c)
{
	rank_generic(c, 0);
}

void redis_cmd_zrevrank(struct redis_client *c)
{
	rank_generic(c, 1);
}

/* ---- ranges ------------------------------------------------------------------- */

static int parse_score_bound(const struct rstr *a, double *v, int *ex)
{
	const char *p = a->data;
	size_t len = a->len;
	*ex = 0;
	if (len && p[0] == '(') {
		*ex = 1;
		p++;
		len--;
	}
	return redis_str2d(p, len, v);
}

static int parse_score_range(struct redis_client *c, const struct rstr *min,
			     const struct rstr *max, struct zrange_score *r)
{
	if (parse_score_bound(min, &r->min, &r->minex) ||
	    parse_score_bound(max, &r->max, &r->maxex)) {
		reply_error(c, ERR_NOTFLOAT_RANGE);
		return -1;
	}
	return 0;
}

static int parse_lex_bound(const struct rstr *a, const char **p,
			   size_t *len, int *ex, int *inf)
{
	*ex = 0;
	*inf = 0;
	if (a->len == 1 && a->data[0] == '-') {
		*inf = -1;
		return 0;
	}
	if (a->len == 1 && a->data[0] == '+') {
		*inf = 1;
		return 0;
	}
	if (a->len >= 1 && (a->data[0] == '(' || a->data[0] == '[')) {
		*ex = a->data[0] == '(';
		*p = a->data + 1;
		*len = a->len - 1;
		return 0;
	}
	return -1;
}

static int parse_lex_range(struct redis_client *c, const struct rstr *min,
			   const struct rstr *max, struct zrange_lex *r)
{
	memset(r, 0, sizeof *r);
	if (parse_lex_bound(min, &r->min, &r->minlen, &r->minex, &r->mininf) ||
	    parse_lex_bound(max, &r->max, &r->maxlen, &r->maxex, &r->maxinf)) {
		reply_error(c, ERR_NOTLEX_RANGE);
		return -1;
	}
	return 0;
}

/* One element of a range reply. */
static void emit(struct redis_client *c, const struct zsl_node *n,
		 int withscores)
{
	if (withscores && c->resp >= 3)
		reply_array(c, 2);
	reply_bulk_rstr(c, n->member);
	if (withscores)
		reply_double(c, n->score);
}

static void finish_range(struct redis_client *c, size_t mark, size_t n,
			 int withscores)
{
	reply_defer_set(c, mark, '*',
			withscores && c->resp < 3 ? n * 2 : n);
}

enum zrange_by { BY_RANK, BY_SCORE, BY_LEX };

/*
 * The ZRANGE family.  min/max are argv indexes as the caller's syntax
 * puts them (for REV forms the first given is the upper bound).
 */
static void range_generic(struct redis_client *c, const struct rstr *from,
			  const struct rstr *to, enum zrange_by by, int rev,
			  long long offset, long long count, int withscores)
{
	struct zrange_score sr;
	struct zrange_lex lr;
	long long start = 0, end = 0;
	if (by == BY_RANK) {
		if (arg_ll(c, from, &start) || arg_ll(c, to, &end))
			return;
	} else if (by == BY_SCORE) {
		if (parse_score_range(c, rev ? to : from, rev ? from : to, &sr))
			return;
	} else {
		if (parse_lex_range(c, rev ? to : from, rev ? from : to, &lr))
			return;
	}
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 0, &o))
		return;
	size_t mark = reply_defer(c), n = 0;
	if (!o) {
		finish_range(c, mark, 0, withscores);
		return;
	}
	struct zset *z = o->v.zset;
	if (by == BY_RANK) {
		long long len = (long long)z->length;
		if (start < 0)
			start += len;
		if (end < 0)
			end += len;
		if (start < 0)
			start = 0;
		if (start > end || start >= len) {
			finish_range(c, mark, 0, withscores);
			return;
		}
		if (end >= len)
			end = len - 1;
		struct zsl_node *x = zset_at_rank(z, (size_t)(rev ? len - 1 - start
								: start));
		for (long long i = start; i <= end && x; i++) {
			emit(c, x, withscores);
			n++;
			x = rev ? x->backward : x->level[0].forward;
		}
		finish_range(c, mark, n, withscores);
		return;
	}
	struct zsl_node *x;
	if (by == BY_SCORE)
		x = rev ? zset_last_in_score(z, &sr) : zset_first_in_score(z, &sr);
	else
		x = rev ? zset_last_in_lex(z, &lr) : zset_first_in_lex(z, &lr);
	while (x && offset-- > 0)
		x = rev ? x->backward : x->level[0].forward;
	while (x && (count < 0 || (long long)n < count)) {
		int in;
		if (by == BY_SCORE)
			in = rev ? zset_score_gte_min(x->score, &sr)
				 : zset_score_lte_max(x->score, &sr);
		else
			in = rev ? zset_lex_gte_min(x->member, &lr)
				 : zset_lex_lte_max(x->member, &lr);
		if (!in)
			break;
		emit(c, x, withscores);
		n++;
		x = rev ? x->backward : x->level[0].forward;
	}
	finish_range(c, mark, n, withscores);
}

/*
 * Parse [WITHSCORES] [LIMIT offset count] (and for ZRANGE: BYSCORE, BYLEX,
 * REV) from argv[from]; then run the range.
 */
static void zrange_cmd(struct redis_client *c, enum zrange_by by, int rev,
		       int modern)
{
	int withscores = 0, limit = 0;
	long long offset = 0, count = -1;
	for (size_t i = 4; i < c->argc; i++) {
		const struct rstr *a = c->argv[i];
		if (arg_is(a, "WITHSCORES")) {
			withscores = 1;
		} else if (arg_is(a, "LIMIT") && i + 2 < c->argc) {
			if (arg_ll(c, c->argv[i + 1], &offset) ||
			    arg_ll(c, c->argv[i + 2], &count))
				return;
			limit = 1;
			i += 2;
		} else if (modern && arg_is(a, "BYSCORE") && by == BY_RANK) {
			by = BY_SCORE;
		} else if (modern && arg_is(a, "BYLEX") && by == BY_RANK) {
			by = BY_LEX;
		} else if (modern && arg_is(a, "REV")) {
			rev = 1;
		} else {
			reply_error(c, ERR_SYNTAX);
			return;
		}
	}
	if (limit && by == BY_RANK) {
		reply_error(c, "ERR syntax error, LIMIT is only supported in "
			    "combination with either BYSCORE or BYLEX");
		return;
	}
	if (withscores && by == BY_LEX) {
		reply_error(c, "ERR syntax error, WITHSCORES not supported in "
			    "combination with BYLEX");
		return;
	}
	if (offset < 0) {
		/* A negative offset returns nothing, as Redis. */
		count = 0;
		offset = 0;
	}
	range_generic(c, c->argv[2], c->argv[3], by, rev, offset, count,
		      withscores);
}

void redis_cmd_zrange(struct redis_client *c)
{
	zrange_cmd(c, BY_RANK, 0, 1);
}

void redis_cmd_zrevrange(struct redis_client *c)
{
	for (size_t i = 4; i < c->argc; i++) {
		if (!arg_is(c->argv[i], "WITHSCORES") || c->argc > 5) {
			reply_error(c, ERR_SYNTAX);
			return;
		}
	}
	zrange_cmd(c, BY_RANK, 1, 0);
}

void redis_cmd_zrangebyscore(struct redis_client *c)
{
	zrange_cmd(c, BY_SCORE, 0, 0);
}

void redis_cmd_zrevrangebyscore(struct redis_client *c)
{
	zrange_cmd(c, BY_SCORE, 1, 0);
}

void redis_cmd_zrangebylex(struct redis_client *c)
{
	zrange_cmd(c, BY_LEX, 0, 0);
}

void redis_cmd_zrevrangebylex(struct redis_client *c)
{
	zrange_cmd(c, BY_LEX, 1, 0);
}

/* ZCOUNT and ZLEXCOUNT: ranks of the first and last node in range. */
static void count_generic(struct redis_client *c, enum zrange_by by)
{
	struct zrange_score sr;
	struct zrange_lex lr;
	if (by == BY_SCORE ? parse_score_range(c, c->argv[2], c->argv[3], &sr)
			   : parse_lex_range(c, c->argv[2], c->argv[3], &lr))
		return;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 0, &o))
		return;
	if (!o) {
		reply_long(c, 0);
		return;
	}
	struct zset *z = o->v.zset;
	struct zsl_node *first = by == BY_SCORE ? zset_first_in_score(z, &sr)
						: zset_first_in_lex(z, &lr);
	struct zsl_node *last = by == BY_SCORE ? zset_last_in_score(z, &sr)
					       : zset_last_in_lex(z, &lr);
	if (!first || !last) {
		reply_long(c, 0);
		return;
	}
	long a = zset_rank(z, first->member->data, first->member->len);
	long b = zset_rank(z, last->member->data, last->member->len);
	reply_long(c, b >= a ? b - a + 1 : 0);
}

void redis_cmd_zcount(struct redis_client *c)
{
	count_generic(c, BY_SCORE);
}

void redis_cmd_zlexcount(struct redis_client *c)
{
	count_generic(c, BY_LEX);
}

/* Remove the n nodes starting at x (forward) and report them. */
static long long remove_run(struct redis_client *c, struct zset *z,
			    struct zsl_node *x, const struct zrange_score *sr,
			    long long n)
{
	long long removed = 0;
	while (x && (n < 0 || removed < n)) {
		if (sr && !zset_score_lte_max(x->score, sr))
			break;
		struct zsl_node *next = x->level[0].forward;
		struct rstr *m = rstr_new(x->member->data, x->member->len);
		zset_remove(z, m->data, m->len);
		member_changed(c, m->data, m->len);
		free(m);
		removed++;
		x = next;
	}
	return removed;
}

void redis_cmd_zremrangebyscore(struct redis_client *c)
{
	struct zrange_score sr;
	if (parse_score_range(c, c->argv[2], c->argv[3], &sr))
		return;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 1, &o))
		return;
	if (!o) {
		reply_long(c, 0);
		return;
	}
	long long n = remove_run(c, o->v.zset,
				 zset_first_in_score(o->v.zset, &sr), &sr, -1);
	db_delete_if_empty(c->db, c->argv[1]->data, c->argv[1]->len, o);
	reply_long(c, n);
}

void redis_cmd_zremrangebyrank(struct redis_client *c)
{
	long long start, end;
	if (arg_ll(c, c->argv[2], &start) || arg_ll(c, c->argv[3], &end))
		return;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 1, &o))
		return;
	if (!o) {
		reply_long(c, 0);
		return;
	}
	long long len = (long long)o->v.zset->length;
	if (start < 0)
		start += len;
	if (end < 0)
		end += len;
	if (start < 0)
		start = 0;
	if (start > end || start >= len) {
		reply_long(c, 0);
		return;
	}
	if (end >= len)
		end = len - 1;
	long long n = remove_run(c, o->v.zset,
				 zset_at_rank(o->v.zset, (size_t)start), NULL,
				 end - start + 1);
	db_delete_if_empty(c->db, c->argv[1]->data, c->argv[1]->len, o);
	reply_long(c, n);
}

/* ZPOPMIN/ZPOPMAX key [count]. */
static void pop_generic(struct redis_client *c, int max)
{
	long long count = 1;
	int has = c->argc == 3;
	if (c->argc > 3) {
		reply_error(c, ERR_SYNTAX);
		return;
	}
	if (has && (redis_str2ll(c->argv[2]->data, c->argv[2]->len, &count) ||
		    count < 0)) {
		reply_error(c, "ERR value is out of range, must be positive");
		return;
	}
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 1, &o))
		return;
	if (!o) {
		reply_array(c, 0);
		return;
	}
	struct zset *z = o->v.zset;
	size_t n = (size_t)count;
	if (n > z->length)
		n = z->length;
	/* Without a count (or in RESP2) the reply is flat. */
	int pairs = has && c->resp >= 3;
	reply_array(c, pairs ? n : n * 2);
	for (size_t i = 0; i < n; i++) {
		struct zsl_node *x = max ? z->tail : z->header->level[0].forward;
		if (pairs)
			reply_array(c, 2);
		reply_bulk_rstr(c, x->member);
		reply_double(c, x->score);
		struct rstr *m = rstr_new(x->member->data, x->member->len);
		zset_remove(z, m->data, m->len);
		member_changed(c, m->data, m->len);
		free(m);
	}
	db_delete_if_empty(c->db, c->argv[1]->data, c->argv[1]->len, o);
}

void redis_cmd_zpopmin(struct redis_client *c)
{
	pop_generic(c, 0);
}

void redis_cmd_zpopmax(struct redis_client *c)
{
	pop_generic(c, 1);
}

void redis_cmd_zscan(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_ZSET, 0, &o))
		return;
	if (!o) {
		reply_array(c, 2);
		reply_bulk(c, "0", 1);
		reply_array(c, 0);
		return;
	}
	redis_scan_generic(c, o, 2);
}
