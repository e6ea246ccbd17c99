/*
 * reply.c - the reply writer: every byte a client receives is appended to
 * its output buffer through these functions, which know RESP2 and RESP3
 * (maps, sets, doubles, nulls, pushes and verbatim strings fall back to
 * their RESP2 shapes for a RESP2 client).
 *
 * Nothing is written to the socket here: server.c flushes the buffers at
 * the end of the loop turn, after persist.c committed the turn's writes.
 * When a buffer passes its hard cap the client is closed (as Redis's
 * client-output-buffer-limit does) and further replies are dropped.
 *
 * Also the argument helpers in Redis's "...OrReply" shape: they parse,
 * and on failure reply the error and return -1.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

void reply_raw(struct redis_client *c, const void *p, size_t len)
{
	if (c->flags & CLIENT_CLOSE_ASAP)
		return;
	if (buf_append(&c->out, p, len)) {
		redis_client_close_asap(c);
		return;
	}
	redis_client_want_write(c);
}

/* "<type><n>\r\n" */
static void reply_header(struct redis_client *c, char type, long long n)
{
	char tmp[32];
	tmp[0] = type;
	size_t l = 1 + redis_ll2str(tmp + 1, sizeof tmp - 3, n);
	tmp[l++] = '\r';
	tmp[l++] = '\n';
	reply_raw(c, tmp, l);
}

void reply_ok(struct redis_client *c)
{
	reply_raw(c, "+OK\r\n", 5);
}

void reply_status(struct redis_client *c, const char *s)
{
	reply_raw(c, "+", 1);
	reply_raw(c, s, strlen(s));
	reply_raw(c, "\r\n", 2);
}

void reply_error(struct redis_client *c, const char *s)
{
	size_t len = strlen(s);
	char *copy = xmalloc(len + 4);
	copy[0] = '-';
	for (size_t i = 0; i < len; i++)
		copy[i + 1] = (s[i] == '\r' || s[i] == '\n') ? ' ' : s[i];
	copy[len + 1] = '\r';
	copy[len + 2] = '\n';
	reply_raw(c, copy, len + 3);
	free(copy);
	c->srv->stat_errors++;
}

void reply_errorf(struct redis_client *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	reply_error(c, s ? s : "ERR");
	free(s);
}

void reply_error_arity(struct redis_client *c, const char *name)
{
	reply_errorf(c, "ERR wrong number of arguments for '%s' command",
		     name);
}

void reply_bulk(struct redis_client *c, const void *p, size_t len)
{
	reply_header(c, '$', (long long)len);
	reply_raw(c, p, len);
	reply_raw(c, "\r\n", 2);
}

void reply_bulk_cstr(struct redis_client *c, const char *s)
{
	if (!s)
		reply_null(c);
	else
		reply_bulk(c, s, strlen(s));
}

void reply_bulk_rstr(struct redis_client *c, const struct rstr *s)
{
	reply_bulk(c, s->data, s->len);
}

void reply_bulk_ll(struct redis_client *c, long long v)
{
	char tmp[32];
	size_t l = redis_ll2str(tmp, sizeof tmp, v);
	reply_bulk(c, tmp, l);
}

void reply_long(struct redis_client *c, long long v)
{
	reply_header(c, ':', v);
}

void reply_double(struct redis_client *c, double d)
{
	char tmp[64];
	size_t l = redis_d2str(tmp, sizeof tmp, d);
	if (c->resp >= 3) {
		reply_raw(c, ",", 1);
		reply_raw(c, tmp, l);
		reply_raw(c, "\r\n", 2);
	} else {
		reply_bulk(c, tmp, l);
	}
}

void reply_bool(struct redis_client *c, int v)
{
	if (c->resp >= 3)
		reply_raw(c, v ? "#t\r\n" : "#f\r\n", 4);
	else
		reply_raw(c, v ? ":1\r\n" : ":0\r\n", 4);
}

void reply_null(struct redis_client *c)
{
	if (c->resp >= 3)
		reply_raw(c, "_\r\n", 3);
	else
		reply_raw(c, "$-1\r\n", 5);
}

void reply_null_array(struct redis_client *c)
{
	if (c->resp >= 3)
		reply_raw(c, "_\r\n", 3);
	else
		reply_raw(c, "*-1\r\n", 5);
}

void reply_array(struct redis_client *c, size_t n)
{
	reply_header(c, '*', (long long)n);
}

void reply_map(struct redis_client *c, size_t n)
{
	if (c->resp >= 3)
		reply_header(c, '%', (long long)n);
	else
		reply_header(c, '*', (long long)n * 2);
}

void reply_set(struct redis_client *c, size_t n)
{
	reply_header(c, c->resp >= 3 ? '~' : '*', (long long)n);
}

void reply_push(struct redis_client *c, size_t n)
{
	reply_header(c, c->resp >= 3 ? '>' : '*', (long long)n);
}

void reply_verbatim(struct redis_client *c, const char *s, size_t len)
{
	if (c->resp >= 3) {
		reply_header(c, '=', (long long)len + 4);
		reply_raw(c, "txt:", 4);
		reply_raw(c, s, len);
		reply_raw(c, "\r\n", 2);
	} else {
		reply_bulk(c, s, len);
	}
}

size_t reply_defer(struct redis_client *c)
{
	return c->out.len;
}

void reply_defer_set(struct redis_client *c, size_t mark, char type,
		     size_t n)
{
	if (c->flags & CLIENT_CLOSE_ASAP || mark > c->out.len)
		return;
	char tmp[32];
	long long count = (long long)n;
	if (c->resp < 3) {
		if (type == '%')
			count *= 2;
		type = '*';
	}
	tmp[0] = type;
	size_t l = 1 + redis_ll2str(tmp + 1, sizeof tmp - 3, count);
	tmp[l++] = '\r';
	tmp[l++] = '\n';
	size_t tail = c->out.len - mark;
	if (buf_append(&c->out, tmp, l)) {
		redis_client_close_asap(c);
		return;
	}
	memmove(c->out.data + mark + l, c->out.data + mark, tail);
	memcpy(c->out.data + mark, tmp, l);
	redis_client_want_write(c);
}

/* ---- argument helpers -------------------------------------------------- */

int arg_ll_msg(struct redis_client *c, const struct rstr *a, long long *out,
	       const char *msg)
{
	if (redis_str2ll(a->data, a->len, out) == 0)
		return 0;
	reply_error(c, msg ? msg : ERR_NOTINT);
	return -1;
}

int arg_ll(struct redis_client *c, const struct rstr *a, long long *out)
{
	return arg_ll_msg(c, a, out, NULL);
}

int arg_double(struct redis_client *c, const struct rstr *a, double *out)
{
	if (redis_str2d(a->data, a->len, out) == 0)
		return 0;
	reply_error(c, ERR_NOTFLOAT);
	return -1;
}

int arg_ld(struct redis_client *c, const struct rstr *a, long double *out)
{
	if (redis_str2ld(a->data, a->len, out) == 0)
		return 0;
	reply_error(c, ERR_NOTFLOAT);
	return -1;
}

int arg_is(const struct rstr *a, const char *lit)
{
	return redis_eq(a->data, a->len, lit);
}
