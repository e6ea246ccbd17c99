/*
 * dict.c - chained hash table with reverse-binary SCAN (see dict.h).
 *
 * The hash is a 64-bit multiply-xorshift over 8-byte words with a fixed
 * key; the table grows when it is full (load 1) and shrinks when it is
 * below 1/8, except while an iterator is active.
 */
#include "dict.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define DICT_MIN_SIZE 4

struct dict *dict_new(void (*free_val)(void *))
{
	struct dict *d = xcalloc(1, sizeof *d);
	d->free_val = free_val;
	return d;
}

void dict_clear(struct dict *d)
{
	for (size_t i = 0; i < d->size; i++) {
		struct dict_entry *e = d->table[i];
		while (e) {
			struct dict_entry *next = e->next;
			if (d->free_val && e->v.ptr)
				d->free_val(e->v.ptr);
			free(e);
			e = next;
		}
	}
	free(d->table);
	d->table = NULL;
	d->size = 0;
	d->used = 0;
}

void dict_free(struct dict *d)
{
	if (!d)
		return;
	dict_clear(d);
	free(d);
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t dict_hash(const char *key, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0x100000001b3ULL);
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, key + i, 8);
		h = mix(h ^ w) + 0x2545f4914f6cdd1dULL;
	}
	uint64_t tail = 0;
	for (size_t j = 0; i < len; i++, j++)
		tail |= (uint64_t)(unsigned char)key[i] << (8 * j);
	return mix(h ^ tail);
}

static void resize(struct dict *d, size_t size)
{
	struct dict_entry **table = xcalloc(size, sizeof *table);
	for (size_t i = 0; i < d->size; i++) {
		struct dict_entry *e = d->table[i];
		while (e) {
			struct dict_entry *next = e->next;
			size_t b = e->hash & (size - 1);
			e->next = table[b];
			table[b] = e;
			e = next;
		}
	}
	free(d->table);
	d->table = table;
	d->size = size;
}

struct dict_entry *dict_find(const struct dict *d, const char *key,
			     size_t len)
{
	if (!d->used)
		return NULL;
	uint64_t h = dict_hash(key, len);
	for (struct dict_entry *e = d->table[h & (d->size - 1)]; e;
	     e = e->next) {
		if (e->hash == h && e->klen == len &&
		    memcmp(e->key, key, len) == 0)
			return e;
	}
	return NULL;
}

struct dict_entry *dict_upsert(struct dict *d, const char *key, size_t len,
			       int *created)
{
	struct dict_entry *e = dict_find(d, key, len);
	if (e) {
		if (created)
			*created = 0;
		return e;
	}
	if (d->size == 0)
		resize(d, DICT_MIN_SIZE);
	else if (d->used >= d->size && !d->pause_resize)
		resize(d, d->size * 2);
	uint64_t h = dict_hash(key, len);
	e = xmalloc(sizeof *e + len + 1);
	e->hash = h;
	e->v.ptr = NULL;
	e->v.i = 0;
	e->klen = len;
	if (len)
		memcpy(e->key, key, len);
	e->key[len] = '\0';
	size_t b = h & (d->size - 1);
	e->next = d->table[b];
	d->table[b] = e;
	d->used++;
	if (created)
		*created = 1;
	return e;
}

/* Unlink key's entry; returns it (caller frees) or NULL. */
static struct dict_entry *unlink_entry(struct dict *d, const char *key,
				       size_t len)
{
	if (!d->used)
		return NULL;
	uint64_t h = dict_hash(key, len);
	struct dict_entry **pp = &d->table[h & (d->size - 1)];
	for (; *pp; pp = &(*pp)->next) {
		struct dict_entry *e = *pp;
		if (e->hash == h && e->klen == len &&
		    memcmp(e->key, key, len) == 0) {
			*pp = e->next;
			d->used--;
			return e;
		}
	}
	return NULL;
}

static void maybe_shrink(struct dict *d)
{
	if (d->pause_resize)
		return;
	if (d->used == 0) {
		free(d->table);
		d->table = NULL;
		d->size = 0;
	} else if (d->size > DICT_MIN_SIZE && d->used < d->size / 8) {
		size_t size = DICT_MIN_SIZE;
		while (size < d->used)
			size *= 2;
		resize(d, size);
	}
}

int dict_delete(struct dict *d, const char *key, size_t len)
{
	struct dict_entry *e = unlink_entry(d, key, len);
	if (!e)
		return 0;
	if (d->free_val && e->v.ptr)
		d->free_val(e->v.ptr);
	free(e);
	maybe_shrink(d);
	return 1;
}

void *dict_take(struct dict *d, const char *key, size_t len)
{
	struct dict_entry *e = unlink_entry(d, key, len);
	if (!e)
		return NULL;
	void *v = e->v.ptr;
	free(e);
	maybe_shrink(d);
	return v;
}

/* xorshift64*: a small PRNG whose state lives with its owner. */
uint64_t redis_rand(uint64_t *rng)
{
	uint64_t x = *rng ? *rng : 0x853c49e6748fea9bULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

struct dict_entry *dict_random(const struct dict *d, uint64_t *rng)
{
	if (!d->used)
		return NULL;
	struct dict_entry *e;
	do {
		e = d->table[redis_rand(rng) & (d->size - 1)];
	} while (!e);
	size_t n = 0;
	for (struct dict_entry *x = e; x; x = x->next)
		n++;
	size_t pick = redis_rand(rng) % n;
	while (pick--)
		e = e->next;
	return e;
}

void dict_iter_init(struct dict_iter *it, struct dict *d)
{
	it->d = d;
	it->bucket = 0;
	it->next = NULL;
	d->pause_resize++;
	while (it->bucket < d->size && !d->table[it->bucket])
		it->bucket++;
	if (it->bucket < d->size)
		it->next = d->table[it->bucket];
}

struct dict_entry *dict_iter_next(struct dict_iter *it)
{
	struct dict_entry *e = it->next;
	if (!e)
		return NULL;
	it->next = e->next;
	if (!it->next) {
		struct dict *d = it->d;
		for (it->bucket++; it->bucket < d->size; it->bucket++) {
			if (d->table[it->bucket]) {
				it->next = d->table[it->bucket];
				break;
			}
		}
	}
	return e;
}

void dict_iter_done(struct dict_iter *it)
{
	it->d->pause_resize--;
	maybe_shrink(it->d);
}

static uint64_t rev64(uint64_t v)
{
	v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
	v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
	v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
	v = ((v >> 8) & 0x00ff00ff00ff00ffULL) | ((v & 0x00ff00ff00ff00ffULL) << 8);
	v = ((v >> 16) & 0x0000ffff0000ffffULL) | ((v & 0x0000ffff0000ffffULL) << 16);
	return (v >> 32) | (v << 32);
}

uint64_t dict_scan(struct dict *d, uint64_t cursor,
		   void (*fn)(struct dict_entry *e, void *ctx), void *ctx)
{
	if (!d->used)
		return 0;
	uint64_t mask = d->size - 1;
	d->pause_resize++;
	struct dict_entry *e = d->table[cursor & mask];
	while (e) {
		struct dict_entry *next = e->next;
		fn(e, ctx);
		e = next;
	}
	d->pause_resize--;
	/* Increment the high bits of the cursor as if reversed. */
	cursor |= ~mask;
	cursor = rev64(cursor);
	cursor++;
	cursor = rev64(cursor);
	return cursor;
}
