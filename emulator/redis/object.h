/*
 * object.h - the values the keyspace holds and the structures behind them.
 *
 *   struct rstr    a counted, NUL-terminated byte string with spare room
 *                  (string values, command arguments, list elements)
 *   struct rlist   a ring-buffer deque of strings; every element carries
 *                  a position number that only grows at the tail and only
 *                  shrinks at the head, so persist.c can store one row per
 *                  element and find it again by position
 *   struct zset    a dict (member -> score) plus a skiplist ordered by
 *                  (score, member) with spans, for ranks and ranges
 *   struct robj    a typed value: one of the above, or a dict for hashes
 *                  (field -> struct rstr*) and sets (member -> NULL)
 *
 * Ownership: an robj owns what it points to; robj_free releases it all.
 */
#ifndef IMGPIPE_REDIS_OBJECT_H
#define IMGPIPE_REDIS_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "dict.h"

/* ---- strings ---------------------------------------------------------- */

struct rstr {
	size_t len;  /* bytes used */
	size_t cap;  /* bytes available before the terminator */
	char data[]; /* len bytes + NUL */
};

/* A new string holding a copy of p[0..len); caller frees with free(). */
struct rstr *rstr_new(const void *p, size_t len);
/* A new string with room for cap bytes, length 0. */
struct rstr *rstr_alloc(size_t cap);
/* Make room for len more bytes; may move the string (returns it). */
struct rstr *rstr_reserve(struct rstr *s, size_t more);
struct rstr *rstr_append(struct rstr *s, const void *p, size_t len);

/* ---- lists ------------------------------------------------------------ */

struct rlist_item {
	int64_t pos;     /* position number, increasing from head to tail */
	struct rstr *s;  /* owned */
};

struct rlist {
	struct rlist_item *items; /* ring of cap slots */
	size_t cap;               /* power of two, or 0 */
	size_t head;              /* slot of element 0 */
	size_t len;
};

enum { LIST_HEAD = 0, LIST_TAIL = 1 };

struct rlist *rlist_new(void);
void rlist_free(struct rlist *l);
/* Push s (taking ownership) at the head or the tail; returns its item. */
struct rlist_item *rlist_push(struct rlist *l, int where, struct rstr *s);
/* Pop from an end; the caller owns the returned string. */
struct rstr *rlist_pop(struct rlist *l, int where, int64_t *pos);
/* Element i (0 = head), no bounds check. */
struct rlist_item *rlist_at(const struct rlist *l, size_t i);
/* Remove element i; caller owns the returned string. */
struct rstr *rlist_remove(struct rlist *l, size_t i);
/* Insert s before element i (i == len appends); renumbers positions, so
 * the caller must mark the whole list dirty. */
void rlist_insert(struct rlist *l, size_t i, struct rstr *s);
/* The element with position pos, or NULL (binary search). */
struct rlist_item *rlist_find_pos(const struct rlist *l, int64_t pos);

/* ---- sorted sets ------------------------------------------------------ */

#define ZSL_MAXLEVEL 32

struct zsl_node {
	struct rstr *member;       /* owned */
	double score;
	struct zsl_node *backward;
	struct zsl_level {
		struct zsl_node *forward;
		size_t span;       /* nodes skipped by forward */
	} level[];
};

struct zset {
	struct dict *dict;        /* member -> score (v.d) */
	struct zsl_node *header;
	struct zsl_node *tail;
	size_t length;
	int level;
	uint64_t rng;
};

/* A score range: min/max with exclusive flags. */
struct zrange_score {
	double min, max;
	int minex, maxex;
};

/* A lexicographic range ("[a", "(a", "-", "+"). */
struct zrange_lex {
	const char *min;          /* bound bytes when mininf == 0 */
	size_t minlen;
	const char *max;
	size_t maxlen;
	int minex, maxex;         /* "(" : exclusive */
	int mininf, maxinf;       /* -1 for "-", +1 for "+", 0 for a value */
};

struct zset *zset_new(void);
void zset_free(struct zset *z);
/* Add or update; returns 1 when added, 0 when updated. */
int zset_add(struct zset *z, const char *m, size_t mlen, double score);
/* Returns 1 when member was removed. */
int zset_remove(struct zset *z, const char *m, size_t mlen);
/* 0-based rank of member by ascending score, or -1. */
long zset_rank(const struct zset *z, const char *m, size_t mlen);
/* Node at 0-based rank, or NULL. */
struct zsl_node *zset_at_rank(const struct zset *z, size_t rank);
/* First node in range / last node in range, or NULL. */
struct zsl_node *zset_first_in_score(const struct zset *z,
				     const struct zrange_score *r);
struct zsl_node *zset_last_in_score(const struct zset *z,
				    const struct zrange_score *r);
int zset_score_gte_min(double v, const struct zrange_score *r);
int zset_score_lte_max(double v, const struct zrange_score *r);
struct zsl_node *zset_first_in_lex(const struct zset *z,
				   const struct zrange_lex *r);
struct zsl_node *zset_last_in_lex(const struct zset *z,
				  const struct zrange_lex *r);
int zset_lex_gte_min(const struct rstr *m, const struct zrange_lex *r);
int zset_lex_lte_max(const struct rstr *m, const struct zrange_lex *r);
/* Compare (score, member) orderings: <0, 0, >0. */
int zset_cmp(double s1, const char *m1, size_t l1, double s2,
	     const char *m2, size_t l2);

/* ---- typed values ----------------------------------------------------- */

enum robj_type {
	OBJ_STRING,
	OBJ_LIST,
	OBJ_HASH,
	OBJ_SET,
	OBJ_ZSET,
};

struct robj {
	enum robj_type type;
	union {
		struct rstr *str;
		struct rlist *list;
		struct dict *hash;   /* field -> struct rstr* */
		struct dict *set;    /* member -> NULL */
		struct zset *zset;
	} v;
};

/* New values; ownership of str passes to the object. */
struct robj *robj_string(struct rstr *str);
struct robj *robj_new(enum robj_type type);
void robj_free(void *o);
/* A deep copy (COPY, SINTERSTORE sources...). */
struct robj *robj_dup(const struct robj *o);
const char *robj_type_name(enum robj_type type);
/* Number of elements (1 for strings). */
size_t robj_length(const struct robj *o);

#endif
