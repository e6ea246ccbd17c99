/*
 * dict.h - the hash table behind the keyspace, hashes, sets, sorted-set
 * members, pub/sub channels and the bookkeeping tables (watched keys,
 * blocked keys, dirty keys).
 *
 * Keys are binary strings copied into the entry (and NUL-terminated there
 * for convenience); the value is a pointer, a double or an integer in a
 * union, chosen by the user.  Chaining, power-of-two bucket arrays, a
 * whole rehash when the table doubles or shrinks (no incremental
 * rehashing: the emulator's tables are small enough).
 *
 * SCAN uses a reverse-binary cursor over the buckets, which returns every
 * element present for the whole scan at least once even when the table
 * is resized between calls.
 *
 * Ownership: the dict owns its entries and keys; values are released by
 * the free_val callback given to dict_new (NULL = not owned).
 */
#ifndef IMGPIPE_REDIS_DICT_H
#define IMGPIPE_REDIS_DICT_H

#include <stddef.h>
#include <stdint.h>

struct dict_entry {
	struct dict_entry *next; /* chain */
	uint64_t hash;           /* cached hash of the key */
	union {
		void *ptr;
		double d;
		int64_t i;
	} v;                     /* the value; zeroed on insertion */
	size_t klen;             /* key length */
	char key[];              /* key bytes + NUL */
};

struct dict {
	struct dict_entry **table; /* size buckets, or NULL when empty */
	size_t size;               /* power of two, 0 when unallocated */
	size_t used;               /* entries */
	int pause_resize;          /* >0 while an iterator walks the table */
	void (*free_val)(void *);  /* releases v.ptr, or NULL */
};

/* Iterator: safe against deleting the entry it just returned. */
struct dict_iter {
	struct dict *d;
	size_t bucket;
	struct dict_entry *next;
};

/* A new empty dict; caller owns it (dict_free). */
struct dict *dict_new(void (*free_val)(void *));
/* Free every entry (calling free_val on values) and the dict. */
void dict_free(struct dict *d);
/* Remove every entry, keep the dict. */
void dict_clear(struct dict *d);

static inline size_t dict_size(const struct dict *d)
{
	return d->used;
}

uint64_t dict_hash(const char *key, size_t len);
struct dict_entry *dict_find(const struct dict *d, const char *key,
			     size_t len);
/* Find or insert key; *created says which.  A new entry's value is 0. */
struct dict_entry *dict_upsert(struct dict *d, const char *key, size_t len,
			       int *created);
/* Delete key, calling free_val on its value.  Returns 1 if it existed. */
int dict_delete(struct dict *d, const char *key, size_t len);
/* Delete key without freeing its value; returns the value (or NULL). */
void *dict_take(struct dict *d, const char *key, size_t len);

/* A random entry, or NULL when empty.  rng is the caller's PRNG state. */
struct dict_entry *dict_random(const struct dict *d, uint64_t *rng);
uint64_t redis_rand(uint64_t *rng);

void dict_iter_init(struct dict_iter *it, struct dict *d);
struct dict_entry *dict_iter_next(struct dict_iter *it);
/* Must be called once an iterator is done (allows resizing again). */
void dict_iter_done(struct dict_iter *it);

/* Call fn on the entries of one step of a SCAN from cursor; returns the
 * next cursor (0 when the scan is complete). */
uint64_t dict_scan(struct dict *d, uint64_t cursor,
		   void (*fn)(struct dict_entry *e, void *ctx), void *ctx);

#endif
