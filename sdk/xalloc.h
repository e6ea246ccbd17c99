/*
 * xalloc.h - allocation that never returns NULL.
 *
 * Out of memory is not an error path in imgpipe (as in Redis's zmalloc):
 * every allocation goes through these wrappers, which print one line and
 * abort when the C library cannot satisfy the request.  Callers therefore
 * never test the result for NULL.  Memory from these functions is released
 * with plain free().
 */
#ifndef IMGPIPE_XALLOC_H
#define IMGPIPE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
