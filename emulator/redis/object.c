/*
 * object.c - strings, list deques, sorted-set skiplists and typed values
 * (see object.h).
 *
 * The skiplist keeps, at every level, how many nodes each forward link
 * skips ("span"), so the rank of a node is the sum of the spans walked to
 * reach it; nodes are ordered by score, then by member bytes.
 */
#include "object.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* ---- strings ---------------------------------------------------------- */

struct rstr *rstr_alloc(size_t cap)
{
	struct rstr *s = xmalloc(sizeof *s + cap + 1);
	s->len = 0;
	s->cap = cap;
	s->data[0] = '\0';
	return s;
}

struct rstr *rstr_new(const void *p, size_t len)
{
	struct rstr *s = rstr_alloc(len);
	if (len)
		memcpy(s->data, p, len);
	s->len = len;
	s->data[len] = '\0';
	return s;
}

struct rstr *rstr_reserve(struct rstr *s, size_t more)
{
	if (s->cap - s->len >= more)
		return s;
	size_t cap = s->len + more;
	if (cap < 1024 * 1024)
		cap *= 2;
	else
		cap += 1024 * 1024;
	s = xrealloc(s, sizeof *s + cap + 1);
	s->cap = cap;
	return s;
}

struct rstr *rstr_append(struct rstr *s, const void *p, size_t len)
{
	s = rstr_reserve(s, len);
	if (len)
		memcpy(s->data + s->len, p, len);
	s->len += len;
	s->data[s->len] = '\0';
	return s;
}

/* ---- lists ------------------------------------------------------------ */

struct rlist *rlist_new(void)
{
	return xcalloc(1, sizeof(struct rlist));
}

void rlist_free(struct rlist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->len; i++)
		free(rlist_at(l, i)->s);
	free(l->items);
	free(l);
}

struct rlist_item *rlist_at(const struct rlist *l, size_t i)
{
	return &l->items[(l->head + i) & (l->cap - 1)];
}

/* Make room for one more element, keeping order (head moves to 0). */
static void rlist_grow(struct rlist *l)
{
	if (l->len < l->cap)
		return;
	size_t cap = l->cap ? l->cap * 2 : 8;
	struct rlist_item *items = xmalloc(cap * sizeof *items);
	for (size_t i = 0; i < l->len; i++)
		items[i] = *rlist_at(l, i);
	free(l->items);
	l->items = items;
	l->cap = cap;
	l->head = 0;
}

struct rlist_item *rlist_push(struct rlist *l, int where, struct rstr *s)
{
	rlist_grow(l);
	struct rlist_item *it;
	int64_t pos = 0;
	if (where == LIST_HEAD) {
		if (l->len)
			pos = rlist_at(l, 0)->pos - 1;
		l->head = (l->head - 1) & (l->cap - 1);
		it = rlist_at(l, 0);
	} else {
		if (l->len)
			pos = rlist_at(l, l->len - 1)->pos + 1;
		it = rlist_at(l, l->len);
	}
	l->len++;
	it->pos = pos;
	it->s = s;
	return it;
}

struct rstr *rlist_pop(struct rlist *l, int where, int64_t *pos)
{
	if (!l->len)
		return NULL;
	struct rlist_item *it;
	if (where == LIST_HEAD) {
		it = rlist_at(l, 0);
		l->head = (l->head + 1) & (l->cap - 1);
	} else {
		it = rlist_at(l, l->len - 1);
	}
	l->len--;
	if (pos)
		*pos = it->pos;
	return it->s;
}

struct rstr *rlist_remove(struct rlist *l, size_t i)
{
	struct rstr *s = rlist_at(l, i)->s;
	if (i < l->len / 2) {
		for (size_t j = i; j > 0; j--)
			*rlist_at(l, j) = *rlist_at(l, j - 1);
		l->head = (l->head + 1) & (l->cap - 1);
	} else {
		for (size_t j = i; j + 1 < l->len; j++)
			*rlist_at(l, j) = *rlist_at(l, j + 1);
	}
	l->len--;
	return s;
}

void rlist_insert(struct rlist *l, size_t i, struct rstr *s)
{
	rlist_grow(l);
	l->len++;
	for (size_t j = l->len - 1; j > i; j--)
		*rlist_at(l, j) = *rlist_at(l, j - 1);
	rlist_at(l, i)->s = s;
	for (size_t j = 0; j < l->len; j++)
		rlist_at(l, j)->pos = (int64_t)j;
}

struct rlist_item *rlist_find_pos(const struct rlist *l, int64_t pos)
{
	size_t lo = 0, hi = l->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct rlist_item *it = rlist_at(l, mid);
		if (it->pos == pos)
			return it;
		if (it->pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- sorted sets ------------------------------------------------------ */

static struct zsl_node *zsl_node_new(int level, double score,
				     struct rstr *member)
{
	struct zsl_node *n =
		xcalloc(1, sizeof *n + (size_t)level * sizeof(struct zsl_level));
	n->score = score;
	n->member = member;
	return n;
}

struct zset *zset_new(void)
{
	struct zset *z = xcalloc(1, sizeof *z);
	z->dict = dict_new(NULL);
	z->header = zsl_node_new(ZSL_MAXLEVEL, 0, NULL);
	z->level = 1;
	z->rng = (uint64_t)(uintptr_t)z | 1;
	return z;
}

void zset_free(struct zset *z)
{
	if (!z)
		return;
	struct zsl_node *n = z->header->level[0].forward;
	while (n) {
		struct zsl_node *next = n->level[0].forward;
		free(n->member);
		free(n);
		n = next;
	}
	free(z->header);
	dict_free(z->dict);
	free(z);
}

static int memcmp_len(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);
	if (c)
		return c;
	return la < lb ? -1 : la > lb ? 1 : 0;
}

int zset_cmp(double s1, const char *m1, size_t l1, double s2,
	     const char *m2, size_t l2)
{
	if (s1 < s2)
		return -1;
	if (s1 > s2)
		return 1;
	return memcmp_len(m1, l1, m2, l2);
}

static int node_cmp(const struct zsl_node *n, double score, const char *m,
		    size_t mlen)
{
	return zset_cmp(n->score, n->member->data, n->member->len, score, m,
			mlen);
}

static int random_level(struct zset *z)
{
	int level = 1;
	while (level < ZSL_MAXLEVEL && (redis_rand(&z->rng) & 3) == 0)
		level++;
	return level;
}

static void zsl_insert(struct zset *z, double score, struct rstr *member)
{
	struct zsl_node *update[ZSL_MAXLEVEL];
	size_t rank[ZSL_MAXLEVEL];
	struct zsl_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--) {
		rank[i] = i == z->level - 1 ? 0 : rank[i + 1];
		while (x->level[i].forward &&
		       node_cmp(x->level[i].forward, score, member->data,
				member->len) < 0) {
			rank[i] += x->level[i].span;
			x = x->level[i].forward;
		}
		update[i] = x;
	}
	int level = random_level(z);
	if (level > z->level) {
		for (int i = z->level; i < level; i++) {
			rank[i] = 0;
			update[i] = z->header;
			update[i]->level[i].span = z->length;
		}
		z->level = level;
	}
	x = zsl_node_new(level, score, member);
	for (int i = 0; i < level; i++) {
		x->level[i].forward = update[i]->level[i].forward;
		update[i]->level[i].forward = x;
		x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
		update[i]->level[i].span = (rank[0] - rank[i]) + 1;
	}
	for (int i = level; i < z->level; i++)
		update[i]->level[i].span++;
	x->backward = update[0] == z->header ? NULL : update[0];
	if (x->level[0].forward)
		x->level[0].forward->backward = x;
	else
		z->tail = x;
	z->length++;
}

/* Unlink and free the node (score, member); returns 1 if found. */
static int zsl_delete(struct zset *z, double score, const char *m,
		      size_t mlen)
{
	struct zsl_node *update[ZSL_MAXLEVEL];
	struct zsl_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward &&
		       node_cmp(x->level[i].forward, score, m, mlen) < 0)
			x = x->level[i].forward;
		update[i] = x;
	}
	x = x->level[0].forward;
	if (!x || node_cmp(x, score, m, mlen) != 0)
		return 0;
	for (int i = 0; i < z->level; i++) {
		if (update[i]->level[i].forward == x) {
			update[i]->level[i].span += x->level[i].span - 1;
			update[i]->level[i].forward = x->level[i].forward;
		} else {
			update[i]->level[i].span -= 1;
		}
	}
	if (x->level[0].forward)
		x->level[0].forward->backward = x->backward;
	else
		z->tail = x->backward;
	while (z->level > 1 && !z->header->level[z->level - 1].forward)
		z->level--;
	z->length--;
	free(x->member);
	free(x);
	return 1;
}

int zset_add(struct zset *z, const char *m, size_t mlen, double score)
{
	int created;
	struct dict_entry *e = dict_upsert(z->dict, m, mlen, &created);
	if (!created) {
		if (e->v.d == score)
			return 0;
		zsl_delete(z, e->v.d, m, mlen);
	}
	e->v.d = score;
	zsl_insert(z, score, rstr_new(m, mlen));
	return created;
}

int zset_remove(struct zset *z, const char *m, size_t mlen)
{
	struct dict_entry *e = dict_find(z->dict, m, mlen);
	if (!e)
		return 0;
	zsl_delete(z, e->v.d, m, mlen);
	dict_delete(z->dict, m, mlen);
	return 1;
}

long zset_rank(const struct zset *z, const char *m, size_t mlen)
{
	struct dict_entry *e = dict_find(z->dict, m, mlen);
	if (!e)
		return -1;
	double score = e->v.d;
	size_t rank = 0;
	struct zsl_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward &&
		       node_cmp(x->level[i].forward, score, m, mlen) <= 0) {
			rank += x->level[i].span;
			x = x->level[i].forward;
		}
		if (x != z->header && x->member->len == mlen &&
		    memcmp(x->member->data, m, mlen) == 0)
			return (long)rank - 1;
	}
	return -1;
}

struct zsl_node *zset_at_rank(const struct zset *z, size_t rank)
{
	size_t want = rank + 1, traversed = 0;
	if (rank >= z->length)
		return NULL;
	struct zsl_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward &&
		       traversed + x->level[i].span <= want) {
			traversed += x->level[i].span;
			x = x->level[i].forward;
		}
		if (traversed == want)
			return x;
	}
	return NULL;
}

int zset_score_gte_min(double v, const struct zrange_score *r)
{
	return r->minex ? v > r->min : v >= r->min;
}

int zset_score_lte_max(double v, const struct zrange_score *r)
{
	return r->maxex ? v < r->max : v <= r->max;
}

static int score_range_empty(const struct zset *z,
			     const struct zrange_score *r)
{
	if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex)))
		return 1;
	if (!z->tail || !zset_score_gte_min(z->tail->score, r))
		return 1;
	struct zsl_node *first = z->header->level[0].forward;
	return !first || !zset_score_lte_max(first->score, r);
}

struct zsl_node *zset_first_in_score(const struct zset *z,
				     const struct zrange_score *r)
{
	if (score_range_empty(z, r))
		return NULL;
	struct zsl_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--)
		while (x->level[i].forward &&
		       !zset_score_gte_min(x->level[i].forward->score, r))
			x = x->level[i].forward;
	x = x->level[0].forward;
	if (!x || !zset_score_lte_max(x->score, r))
		return NULL;
	return x;
}

struct zsl_node *zset_last_in_score(const struct zset *z,
				    const struct zrange_score *r)
{
	if (score_range_empty(z, r))
		return NULL;
	struct zsl_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--)
		while (x->level[i].forward &&
		       zset_score_lte_max(x->level[i].forward->score, r))
			x = x->level[i].forward;
	if (x == z->header || !zset_score_gte_min(x->score, r))
		return NULL;
	return x;
}

int zset_lex_gte_min(const struct rstr *m, const struct zrange_lex *r)
{
	if (r->mininf)
		return r->mininf < 0;
	int c = memcmp_len(m->data, m->len, r->min, r->minlen);
	return r->minex ? c > 0 : c >= 0;
}

int zset_lex_lte_max(const struct rstr *m, const struct zrange_lex *r)
{
	if (r->maxinf)
		return r->maxinf > 0;
	int c = memcmp_len(m->data, m->len, r->max, r->maxlen);
	return r->maxex ? c < 0 : c <= 0;
}

struct zsl_node *zset_first_in_lex(const struct zset *z,
				   const struct zrange_lex *r)
{
	struct zsl_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--)
		while (x->level[i].forward &&
		       !zset_lex_gte_min(x->level[i].forward->member, r))
			x = x->level[i].forward;
	x = x->level[0].forward;
	if (!x || !zset_lex_lte_max(x->member, r))
		return NULL;
	return x;
}

struct zsl_node *zset_last_in_lex(const struct zset *z,
				  const struct zrange_lex *r)
{
	struct zsl_node *x = z->header;
	for (int i = z->level - 1; i >= 0; i--)
		while (x->level[i].forward &&
		       zset_lex_lte_max(x->level[i].forward->member, r))
			x = x->level[i].forward;
	if (x == z->header || !zset_lex_gte_min(x->member, r))
		return NULL;
	return x;
}

/* ---- typed values ----------------------------------------------------- */

static void free_rstr(void *p)
{
	free(p);
}

struct robj *robj_string(struct rstr *str)
{
	struct robj *o = xmalloc(sizeof *o);
	o->type = OBJ_STRING;
	o->v.str = str;
	return o;
}

struct robj *robj_new(enum robj_type type)
{
	struct robj *o = xmalloc(sizeof *o);
	o->type = type;
	switch (type) {
	case OBJ_STRING:
		o->v.str = rstr_new("", 0);
		break;
	case OBJ_LIST:
		o->v.list = rlist_new();
		break;
	case OBJ_HASH:
		o->v.hash = dict_new(free_rstr);
		break;
	case OBJ_SET:
		o->v.set = dict_new(NULL);
		break;
	case OBJ_ZSET:
		o->v.zset = zset_new();
		break;
	}
	return o;
}

void robj_free(void *p)
{
	struct robj *o = p;
	if (!o)
		return;
	switch (o->type) {
	case OBJ_STRING:
		free(o->v.str);
		break;
	case OBJ_LIST:
		rlist_free(o->v.list);
		break;
	case OBJ_HASH:
		dict_free(o->v.hash);
		break;
	case OBJ_SET:
		dict_free(o->v.set);
		break;
	case OBJ_ZSET:
		zset_free(o->v.zset);
		break;
	}
	free(o);
}

struct robj *robj_dup(const struct robj *o)
{
	struct robj *c;
	struct dict_iter it;
	struct dict_entry *e;
	if (o->type == OBJ_STRING)
		return robj_string(rstr_new(o->v.str->data, o->v.str->len));
	c = robj_new(o->type);
	switch (o->type) {
	case OBJ_LIST:
		for (size_t i = 0; i < o->v.list->len; i++) {
			struct rstr *s = rlist_at(o->v.list, i)->s;
			rlist_push(c->v.list, LIST_TAIL,
				   rstr_new(s->data, s->len));
		}
		break;
	case OBJ_HASH:
		dict_iter_init(&it, o->v.hash);
		while ((e = dict_iter_next(&it))) {
			struct rstr *s = e->v.ptr;
			dict_upsert(c->v.hash, e->key, e->klen, NULL)->v.ptr =
				rstr_new(s->data, s->len);
		}
		dict_iter_done(&it);
		break;
	case OBJ_SET:
		dict_iter_init(&it, o->v.set);
		while ((e = dict_iter_next(&it)))
			dict_upsert(c->v.set, e->key, e->klen, NULL);
		dict_iter_done(&it);
		break;
	case OBJ_ZSET:
		for (struct zsl_node *n = o->v.zset->header->level[0].forward;
		     n; n = n->level[0].forward)
			zset_add(c->v.zset, n->member->data, n->member->len,
				 n->score);
		break;
	case OBJ_STRING:
		break;
	}
	return c;
}

const char *robj_type_name(enum robj_type type)
{
	switch (type) {
	case OBJ_STRING:
		return "string";
	case OBJ_LIST:
		return "list";
	case OBJ_HASH:
		return "hash";
	case OBJ_SET:
		return "set";
	case OBJ_ZSET:
		return "zset";
	}
	return "none";
}

size_t robj_length(const struct robj *o)
{
	switch (o->type) {
	case OBJ_STRING:
		return 1;
	case OBJ_LIST:
		return o->v.list->len;
	case OBJ_HASH:
		return dict_size(o->v.hash);
	case OBJ_SET:
		return dict_size(o->v.set);
	case OBJ_ZSET:
		return o->v.zset->length;
	}
	return 0;
}
