/*
 * buf.h - a growable byte buffer with a hard cap set at creation.
 *
 * Like curl's dynbuf: every buffer that holds untrusted input is created
 * with the largest size it may ever reach, and an append past that cap
 * fails (returns -1) instead of growing.  The contents are always
 * NUL-terminated (the terminator is not counted in len), so a buffer of
 * text can be handed to string functions directly.
 *
 * Ownership: the buf owns data; buf_free releases it; buf_detach hands it
 * to the caller (free with free()) and leaves the buf empty.
 */
#ifndef IMGPIPE_BUF_H
#define IMGPIPE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;   /* NUL-terminated contents, NULL until first append */
	size_t len;   /* bytes used, excluding the terminator */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* the most len may ever be */
};

void buf_init(struct buf *b, size_t cap);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* Each append returns 0, or -1 (buffer unchanged) when it would pass cap. */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Append s with XML's five special characters escaped. */
int buf_xml_escape(struct buf *b, const char *s, size_t len);
/* Hand the contents to the caller (never NULL); the buf is left empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
