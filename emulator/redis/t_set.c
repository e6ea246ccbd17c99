/*
 * t_set.c - the set type: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER,
 * SCARD, SPOP, SRANDMEMBER, SINTER/SUNION/SDIFF and their STORE forms,
 * SMOVE, SSCAN.
 *
 * A set is a dict member -> nothing.  SINTER, SUNION and SDIFF share
 * setop_generic, which builds the result as a new set object: replied,
 * or stored under the destination key.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

static void member_changed(struct redis_client *c, struct redis_db *db,
			   const struct rstr *key, const char *m, size_t len)
{
	(void)c;
	db_elem_changed(db, key->data, key->len, m, len);
}

void redis_cmd_sadd(struct redis_client *c)
{
	struct robj *o;
	const struct rstr *key = c->argv[1];
	if (db_get_typed(c, 1, OBJ_SET, 1, &o))
		return;
	if (!o) {
		o = robj_new(OBJ_SET);
		db_add(c->db, key->data, key->len, o);
	}
	long long added = 0;
	for (size_t i = 2; i < c->argc; i++) {
		int created;
		dict_upsert(o->v.set, c->argv[i]->data, c->argv[i]->len,
			    &created);
		if (created) {
			added++;
			member_changed(c, c->db, key, c->argv[i]->data,
				       c->argv[i]->len);
		}
	}
	reply_long(c, added);
}

void redis_cmd_srem(struct redis_client *c)
{
	struct robj *o;
	const struct rstr *key = c->argv[1];
	if (db_get_typed(c, 1, OBJ_SET, 1, &o))
		return;
	long long removed = 0;
	for (size_t i = 2; o && i < c->argc; i++) {
		if (dict_delete(o->v.set, c->argv[i]->data, c->argv[i]->len)) {
			removed++;
			member_changed(c, c->db, key, c->argv[i]->data,
				       c->argv[i]->len);
		}
	}
	if (o)
		db_delete_if_empty(c->db, key->data, key->len, o);
	reply_long(c, removed);
}

static void reply_members(struct redis_client *c, struct dict *d)
{
	reply_set(c, d ? dict_size(d) : 0);
	if (!d)
		return;
	struct dict_iter it;
	struct dict_entry *e;
	dict_iter_init(&it, d);
	while ((e = dict_iter_next(&it)))
		reply_bulk(c, e->key, e->klen);
	dict_iter_done(&it);
}

void redis_cmd_smembers(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_SET, 0, &o))
		return;
	reply_members(c, o ? o->v.set : NULL);
}

void redis_cmd_sismember(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_SET, 0, &o))
		return;
	reply_long(c, o && dict_find(o->v.set, c->argv[2]->data,
				     c->argv[2]->len));
}

void redis_cmd_smismember(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_SET, 0, &o))
		return;
	reply_array(c, c->argc - 2);
	for (size_t i = 2; i < c->argc; i++)
		reply_long(c, o && dict_find(o->v.set, c->argv[i]->data,
					     c->argv[i]->len));
}

void redis_cmd_scard(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_SET, 0, &o))
		return;
	reply_long(c, o ? (long long)dict_size(o->v.set) : 0);
}

/* argv[2] as SPOP/SRANDMEMBER count; *has says whether it was given. */
static int parse_count(struct redis_client *c, long long *count, int *has,
		       int positive)
{
	*has = c->argc == 3;
	if (c->argc > 3) {
		reply_error(c, ERR_SYNTAX);
		return -1;
	}
	if (!*has)
		return 0;
	if (positive) {
		if (redis_str2ll(c->argv[2]->data, c->argv[2]->len, count) ||
		    *count < 0) {
			reply_error(c, "ERR value is out of range, must be positive");
			return -1;
		}
		return 0;
	}
	return arg_ll(c, c->argv[2], count);
}

void redis_cmd_spop(struct redis_client *c)
{
	long long count = 1;
	int has;
	if (parse_count(c, &count, &has, 1))
		return;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_SET, 1, &o))
		return;
	if (!o) {
		if (has)
			reply_set(c, 0);
		else
			reply_null(c);
		return;
	}
	const struct rstr *key = c->argv[1];
	size_t n = (size_t)count;
	if (n > dict_size(o->v.set))
		n = dict_size(o->v.set);
	if (has)
		reply_set(c, n);
	for (size_t i = 0; i < n; i++) {
		struct dict_entry *e = dict_random(o->v.set, &c->srv->rng);
		struct rstr *m = rstr_new(e->key, e->klen);
		reply_bulk_rstr(c, m);
		dict_delete(o->v.set, m->data, m->len);
		member_changed(c, c->db, key, m->data, m->len);
		free(m);
	}
	db_delete_if_empty(c->db, key->data, key->len, o);
}

void redis_cmd_srandmember(struct redis_client *c)
{
	long long count = 1;
	int has;
	if (parse_count(c, &count, &has, 0))
		return;
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_SET, 0, &o))
		return;
	if (!has) {
		struct dict_entry *e = o ? dict_random(o->v.set, &c->srv->rng)
					 : NULL;
		if (e)
			reply_bulk(c, e->key, e->klen);
		else
			reply_null(c);
		return;
	}
	if (!o || count == 0) {
		reply_array(c, 0);
		return;
	}
	size_t size = dict_size(o->v.set);
	if (count < 0) {
		/* Negative: that many picks, repeats allowed. */
		reply_array(c, (size_t)-count);
		for (long long i = 0; i < -count; i++) {
			struct dict_entry *e = dict_random(o->v.set, &c->srv->rng);
			reply_bulk(c, e->key, e->klen);
		}
		return;
	}
	if ((size_t)count >= size) {
		struct dict_iter it;
		struct dict_entry *e;
		reply_array(c, size);
		dict_iter_init(&it, o->v.set);
		while ((e = dict_iter_next(&it)))
			reply_bulk(c, e->key, e->klen);
		dict_iter_done(&it);
		return;
	}
	/* Distinct picks: draw until enough different members. */
	struct dict *picked = dict_new(NULL);
	while ((long long)dict_size(picked) < count) {
		struct dict_entry *e = dict_random(o->v.set, &c->srv->rng);
		dict_upsert(picked, e->key, e->klen, NULL);
	}
	reply_members(c, picked);
	dict_free(picked);
}

/* ---- SINTER, SUNION, SDIFF ------------------------------------------------ */

enum setop { SET_INTER, SET_UNION, SET_DIFF };

/* Compute the operation over argv[first..]; store under argv[1] when
 * store, else reply the members. */
static void setop_generic(struct redis_client *c, size_t first,
			  enum setop op, int store)
{
	size_t n = c->argc - first;
	struct robj **sets = xcalloc(n, sizeof *sets);
	for (size_t i = 0; i < n; i++) {
		if (db_get_typed(c, first + i, OBJ_SET, store, &sets[i])) {
			free(sets);
			return;
		}
	}
	struct robj *res = robj_new(OBJ_SET);
	struct dict_iter it;
	struct dict_entry *e;
	if (op == SET_UNION || op == SET_DIFF) {
		for (size_t i = 0; i < n; i++) {
			if (!sets[i])
				continue;
			if (op == SET_DIFF && i > 0) {
				dict_iter_init(&it, sets[i]->v.set);
				while ((e = dict_iter_next(&it)))
					dict_delete(res->v.set, e->key, e->klen);
				dict_iter_done(&it);
				continue;
			}
			if (op == SET_DIFF && i > 0)
				continue;
			dict_iter_init(&it, sets[i]->v.set);
			while ((e = dict_iter_next(&it)))
				dict_upsert(res->v.set, e->key, e->klen, NULL);
			dict_iter_done(&it);
		}
	} else {
		int empty = 0;
		size_t smallest = 0;
		for (size_t i = 0; i < n; i++) {
			if (!sets[i])
				empty = 1;
			else if (sets[smallest] &&
				 dict_size(sets[i]->v.set) <
					 dict_size(sets[smallest]->v.set))
				smallest = i;
		}
		if (!empty) {
			dict_iter_init(&it, sets[smallest]->v.set);
			while ((e = dict_iter_next(&it))) {
				size_t j = 0;
				for (; j < n; j++)
					if (j != smallest &&
					    !dict_find(sets[j]->v.set, e->key, e->klen))
						break;
				if (j == n)
					dict_upsert(res->v.set, e->key, e->klen,
						    NULL);
			}
			dict_iter_done(&it);
		}
	}
	free(sets);
	if (!store) {
		reply_members(c, res->v.set);
		robj_free(res);
		return;
	}
	const struct rstr *dst = c->argv[1];
	size_t card = dict_size(res->v.set);
	if (card) {
		db_set(c->db, dst->data, dst->len, res, 0);
	} else {
		robj_free(res);
		db_delete(c->db, dst->data, dst->len);
	}
	reply_long(c, (long long)card);
}

void redis_cmd_sinter(struct redis_client *c)
{
	setop_generic(c, 1, SET_INTER, 0);
}

void redis_cmd_sunion(struct redis_client *c)
{
	setop_generic(c, 1, SET_UNION, 0);
}

void redis_cmd_sdiff(struct redis_client *c)
{
	setop_generic(c, 1, SET_DIFF, 0);
}

void redis_cmd_sinterstore(struct redis_client *c)
{
	setop_generic(c, 2, SET_INTER, 1);
}

void redis_cmd_sunionstore(struct redis_client *c)
{
	setop_generic(c, 2, SET_UNION, 1);
}

void redis_cmd_sdiffstore(struct redis_client *c)
{
	setop_generic(c, 2, SET_DIFF, 1);
}

void redis_cmd_smove(struct redis_client *c)
{
	struct robj *src, *dst;
	if (db_get_typed(c, 1, OBJ_SET, 1, &src))
		return;
	/* A missing source is 0 whatever the destination holds. */
	if (!src) {
		reply_long(c, 0);
		return;
	}
	if (db_get_typed(c, 2, OBJ_SET, 1, &dst))
		return;
	const struct rstr *sk = c->argv[1], *dk = c->argv[2], *m = c->argv[3];
	if (!dict_find(src->v.set, m->data, m->len)) {
		reply_long(c, 0);
		return;
	}
	if (src == dst) {
		reply_long(c, 1);
		return;
	}
	dict_delete(src->v.set, m->data, m->len);
	member_changed(c, c->db, sk, m->data, m->len);
	db_delete_if_empty(c->db, sk->data, sk->len, src);
	if (!dst) {
		dst = robj_new(OBJ_SET);
		db_add(c->db, dk->data, dk->len, dst);
	}
	int created;
	dict_upsert(dst->v.set, m->data, m->len, &created);
	if (created)
		member_changed(c, c->db, dk, m->data, m->len);
	reply_long(c, 1);
}

void redis_cmd_sscan(struct redis_client *c)
{
	struct robj *o;
	if (db_get_typed(c, 1, OBJ_SET, 0, &o))
		return;
	if (!o) {
		reply_array(c, 2);
		reply_bulk(c, "0", 1);
		reply_array(c, 0);
		return;
	}
	redis_scan_generic(c, o, 2);
}
