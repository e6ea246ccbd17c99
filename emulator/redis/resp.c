/*
 * resp.c - incremental RESP request parser (see resp.h).
 *
 * Error texts are those of Redis 7 (networking.c's processMultibulkBuffer
 * and processInlineBuffer behaviour, checked against redis-server), and
 * the limits are its defaults: 64 KB for an inline line or a header,
 * 1M arguments, 512 MB per bulk.
 */
#include "resp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xalloc.h"

void resp_parser_init(struct resp_parser *p)
{
	memset(p, 0, sizeof *p);
	p->max_inline = RESP_INLINE_MAX;
	p->max_multibulk = RESP_MULTIBULK_MAX;
	p->max_bulk = RESP_BULK_MAX;
	p->bulk_len = -1;
}

void resp_parser_clear_args(struct resp_parser *p)
{
	for (size_t i = 0; i < p->argc; i++)
		free(p->argv[i]);
	p->argc = 0;
}

void resp_parser_free(struct resp_parser *p)
{
	resp_parser_clear_args(p);
	free(p->argv);
	free(p->bulk);
	p->argv = NULL;
	p->argv_cap = 0;
	p->bulk = NULL;
	p->in_multibulk = 0;
	p->bulk_len = -1;
}

static void push_arg(struct resp_parser *p, struct rstr *s)
{
	if (p->argc == p->argv_cap) {
		p->argv_cap = p->argv_cap ? p->argv_cap * 2 : 8;
		p->argv = xrealloc(p->argv, p->argv_cap * sizeof *p->argv);
	}
	p->argv[p->argc++] = s;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int resp_split_inline(struct resp_parser *p, const char *line, size_t len)
{
	size_t i = 0;
	for (;;) {
		while (i < len && isspace((unsigned char)line[i]))
			i++;
		if (i >= len)
			return 0;
		struct rstr *arg = rstr_alloc(16);
		int inq = 0, insq = 0;
		for (;;) {
			if (inq) {
				if (i >= len)
					goto unbalanced;
				if (line[i] == '\\' && i + 3 < len &&
				    line[i + 1] == 'x' &&
				    hexval((unsigned char)line[i + 2]) >= 0 &&
				    hexval((unsigned char)line[i + 3]) >= 0) {
					char c = (char)(hexval((unsigned char)line[i + 2]) * 16 +
							hexval((unsigned char)line[i + 3]));
					arg = rstr_append(arg, &c, 1);
					i += 3;
				} else if (line[i] == '\\' && i + 1 < len) {
					char c;
					i++;
					switch (line[i]) {
					case 'n': c = '\n'; break;
					case 'r': c = '\r'; break;
					case 't': c = '\t'; break;
					case 'b': c = '\b'; break;
					case 'a': c = '\a'; break;
					default: c = line[i]; break;
					}
					arg = rstr_append(arg, &c, 1);
				} else if (line[i] == '"') {
					/* the closing quote must end the arg */
					if (i + 1 < len &&
					    !isspace((unsigned char)line[i + 1]))
						goto unbalanced;
					i++;
					break;
				} else {
					arg = rstr_append(arg, &line[i], 1);
				}
			} else if (insq) {
				if (i >= len)
					goto unbalanced;
				if (line[i] == '\\' && i + 1 < len &&
				    line[i + 1] == '\'') {
					i++;
					arg = rstr_append(arg, "'", 1);
				} else if (line[i] == '\'') {
					if (i + 1 < len &&
					    !isspace((unsigned char)line[i + 1]))
						goto unbalanced;
					i++;
					break;
				} else {
					arg = rstr_append(arg, &line[i], 1);
				}
			} else {
				if (i >= len || isspace((unsigned char)line[i]))
					break;
				if (line[i] == '"')
					inq = 1;
				else if (line[i] == '\'')
					insq = 1;
				else
					arg = rstr_append(arg, &line[i], 1);
			}
			i++;
		}
		push_arg(p, arg);
		continue;
unbalanced:
		free(arg);
		return -1;
	}
}

/* Parse the inline command at buf (no '*' first). */
static int parse_inline(struct resp_parser *p, const char *buf, size_t len,
			size_t *used, const char **err)
{
	const char *nl = memchr(buf, '\n', len);
	if (!nl) {
		if (len > p->max_inline) {
			*err = "Protocol error: too big inline request";
			return RESP_ERROR;
		}
		return RESP_MORE;
	}
	size_t linelen = (size_t)(nl - buf);
	*used += linelen + 1;
	if (linelen && buf[linelen - 1] == '\r')
		linelen--;
	if (resp_split_inline(p, buf, linelen)) {
		resp_parser_clear_args(p);
		*err = "Protocol error: unbalanced quotes in request";
		return RESP_ERROR;
	}
	return p->argc ? RESP_CMD : RESP_MORE;
}

/*
 * Read a "<c><number>\r\n" header at buf.  Returns 1 with *num and the
 * header length in *hlen, 0 when the CRLF has not arrived, -1 when the
 * line is longer than the limit.
 */
static int read_header(const struct resp_parser *p, const char *buf,
		       size_t len, long long *num, int *numok, size_t *hlen)
{
	const char *cr = memchr(buf, '\r', len);
	if (!cr || (size_t)(cr - buf) + 1 >= len) {
		if (len > p->max_inline)
			return -1;
		return 0;
	}
	*numok = redis_str2ll(buf + 1, (size_t)(cr - buf) - 1, num) == 0;
	*hlen = (size_t)(cr - buf) + 2;
	return 1;
}

int resp_parse(struct resp_parser *p, const char *buf, size_t len,
	       size_t *used, const char **err)
{
	*used = 0;
	*err = NULL;
	for (;;) {
		const char *b = buf + *used;
		size_t n = len - *used;

		if (!p->in_multibulk) {
			/* Start of a command. */
			if (n == 0)
				return RESP_MORE;
			if (b[0] != '*') {
				size_t before = *used;
				int rc = parse_inline(p, b, n, used, err);
				if (rc == RESP_MORE && *used > before)
					continue; /* an empty line */
				return rc;
			}
			long long count;
			int ok;
			size_t hlen;
			int rc = read_header(p, b, n, &count, &ok, &hlen);
			if (rc < 0) {
				*err = "Protocol error: too big mbulk count string";
				return RESP_ERROR;
			}
			if (rc == 0)
				return RESP_MORE;
			if (!ok || count > p->max_multibulk) {
				*err = "Protocol error: invalid multibulk length";
				return RESP_ERROR;
			}
			if (p->unauthenticated && count > 10) {
				*err = "Protocol error: unauthenticated multibulk length";
				return RESP_ERROR;
			}
			*used += hlen;
			if (count <= 0)
				continue; /* "*0" / "*-1": nothing to run */
			p->in_multibulk = 1;
			p->mb_left = count;
			p->bulk_len = -1;
			continue;
		}

		if (p->mb_left == 0) {
			p->in_multibulk = 0;
			return RESP_CMD;
		}

		if (p->bulk_len < 0) {
			if (n == 0)
				return RESP_MORE;
			if (b[0] != '$') {
				snprintf(p->errbuf, sizeof p->errbuf,
					 "Protocol error: expected '$', got '%c'",
					 b[0]);
				*err = p->errbuf;
				return RESP_ERROR;
			}
			long long blen;
			int ok;
			size_t hlen;
			int rc = read_header(p, b, n, &blen, &ok, &hlen);
			if (rc < 0) {
				*err = "Protocol error: too big bulk count string";
				return RESP_ERROR;
			}
			if (rc == 0)
				return RESP_MORE;
			if (!ok || blen < 0 || blen > p->max_bulk) {
				*err = "Protocol error: invalid bulk length";
				return RESP_ERROR;
			}
			if (p->unauthenticated && blen > 16384) {
				*err = "Protocol error: unauthenticated bulk length";
				return RESP_ERROR;
			}
			*used += hlen;
			p->bulk_len = blen;
			p->bulk_got = 0;
			/* Allocate small bulks whole, big ones as they come. */
			p->bulk = rstr_alloc(blen < 1024 * 1024 ? (size_t)blen
							      : 1024 * 1024);
			continue;
		}

		/* Inside a bulk: copy what is there. */
		if (n == 0)
			return RESP_MORE;
		if (p->bulk_got < p->bulk_len) {
			size_t want = (size_t)(p->bulk_len - p->bulk_got);
			size_t take = n < want ? n : want;
			if (p->bulk->len + take > p->bulk->cap) {
				size_t cap = p->bulk->cap * 2;
				if (cap < p->bulk->len + take)
					cap = p->bulk->len + take;
				if (cap > (size_t)p->bulk_len)
					cap = (size_t)p->bulk_len;
				p->bulk = xrealloc(p->bulk,
						   sizeof *p->bulk + cap + 1);
				p->bulk->cap = cap;
			}
			memcpy(p->bulk->data + p->bulk->len, b, take);
			p->bulk->len += take;
			p->bulk->data[p->bulk->len] = '\0';
			p->bulk_got += (long long)take;
			*used += take;
			continue;
		}
		/* The CRLF after the data (not checked, as Redis). */
		size_t crlf = (size_t)(p->bulk_len + 2 - p->bulk_got);
		size_t take = n < crlf ? n : crlf;
		p->bulk_got += (long long)take;
		*used += take;
		if (p->bulk_got == p->bulk_len + 2) {
			push_arg(p, p->bulk);
			p->bulk = NULL;
			p->bulk_len = -1;
			p->mb_left--;
		}
	}
}
