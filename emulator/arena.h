/*
 * arena.h - per-request memory: allocate freely, free once.
 *
 * Every request carries an arena (h2o's req->pool).  Strings and small
 * structures that live as long as the request come from it and are never
 * freed one by one.  Objects with their own destructors (a cJSON tree, a
 * file descriptor, a temp file) are registered with arena_defer and are
 * released, newest first, when the arena is destroyed.
 */
#ifndef IMGPIPE_ARENA_H
#define IMGPIPE_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
/* Run the deferred cleanups (newest first) and free every block. */
void arena_destroy(struct arena *a);

/* Memory aligned for any type; never NULL (aborts when out of memory). */
void *arena_alloc(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Call fn(ptr) when the arena is destroyed. */
void arena_defer(struct arena *a, void (*fn)(void *), void *ptr);

#endif
