/*
 * resp.h - the request side of RESP: an incremental parser for what
 * clients send (multibulk arrays of bulk strings, and inline commands as
 * typed into telnet).
 *
 * The parser keeps its state between calls, so a command may arrive one
 * byte at a time.  Bulk arguments are copied into their own strings as
 * they arrive, so the caller's read buffer never holds more than one read
 * even for a 512 MB value; a partial header line stays unconsumed in the
 * caller's buffer until its CRLF arrives.
 *
 * Use:
 *   resp_parser_init(&p)        once; set the limits if the defaults do
 *                               not fit
 *   resp_parse(&p, buf, len, &used, &err)
 *                               RESP_CMD: p.argv[0..argc) holds a command;
 *                               the caller may steal arguments (set them to
 *                               NULL), then calls resp_parser_clear_args
 *                               RESP_MORE: everything usable was consumed
 *                               RESP_ERROR: err is the protocol error text
 *                               (Redis's words); the connection is dead
 *   resp_parser_free(&p)        releases a half-parsed command
 */
#ifndef IMGPIPE_REDIS_RESP_H
#define IMGPIPE_REDIS_RESP_H

#include <stddef.h>

#include "object.h"

#define RESP_MORE  0
#define RESP_CMD   1
#define RESP_ERROR (-1)

#define RESP_INLINE_MAX   (64 * 1024)          /* inline line / header */
#define RESP_MULTIBULK_MAX (1024LL * 1024)      /* arguments per command */
#define RESP_BULK_MAX     (512LL * 1024 * 1024) /* proto-max-bulk-len */

struct resp_parser {
	/* Limits (set after init if the defaults do not fit). */
	size_t max_inline;
	long long max_multibulk;
	long long max_bulk;
	int unauthenticated;    /* stricter limits before AUTH, as Redis */

	/* State of the command being read. */
	int in_multibulk;       /* a '*' header was read */
	long long mb_left;      /* bulk arguments still to read */
	long long bulk_len;     /* length of the bulk being read, -1 = none */
	long long bulk_got;     /* bytes of it (and its CRLF) consumed */
	struct rstr *bulk;      /* the argument being filled */

	/* The arguments read so far. */
	struct rstr **argv;
	size_t argc;
	size_t argv_cap;

	char errbuf[64];        /* room for an error naming a byte */
};

void resp_parser_init(struct resp_parser *p);
void resp_parser_free(struct resp_parser *p);
/* Free the arguments still held (NULL ones were stolen) and reset argc. */
void resp_parser_clear_args(struct resp_parser *p);
int resp_parse(struct resp_parser *p, const char *buf, size_t len,
	       size_t *used, const char **err);

/*
 * Split one inline line into arguments the way redis-cli and Redis do
 * (spaces, "double quotes" with \n \r \t \b \a \\ \" \xHH escapes, 'single
 * quotes').  Appends to p->argv; returns 0, or -1 on unbalanced quotes.
 */
int resp_split_inline(struct resp_parser *p, const char *line, size_t len);

#endif
