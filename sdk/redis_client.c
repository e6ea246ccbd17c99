/*
 * redis_client.c - the hiredis-based RESP client of redis_client.h.
 * hiredis frames the commands (RESP arrays of bulk strings) and parses
 * the replies; this file adds lazy connection, timeouts, the reconnect
 * rule, AUTH/SELECT from a URL, and copies replies into struct
 * redis_value so callers never see hiredis types.
 */
#include "redis_client.h"
#include "xalloc.h"

#include <errno.h>
#include <hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

struct redis_client {
	char *host;
	int port;
	char *password;          /* AUTH on connect, or NULL */
	char *user;              /* AUTH user (Redis 6 ACL), or NULL */
	int db;                  /* SELECT on connect when > 0 */
	int connect_timeout_ms;
	int command_timeout_ms;
	redisContext *ctx;       /* NULL while disconnected */
	int used;                /* ctx has answered a command */
};

static struct timeval ms_to_tv(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	return tv;
}

struct redis_client *redis_client_new(const char *host, int port,
				      int connect_timeout_ms, int command_timeout_ms)
{
	struct redis_client *r = xcalloc(1, sizeof(*r));
	r->host = xstrdup(host);
	r->port = port;
	r->connect_timeout_ms = connect_timeout_ms;
	r->command_timeout_ms = command_timeout_ms;
	return r;
}

struct redis_client *redis_client_new_url(const char *url, int connect_timeout_ms,
					  int command_timeout_ms, struct aws_error *err)
{
	if (strncmp(url, "redis://", 8) != 0) {
		aws_error_set(err, 0, "InvalidParameter", "not a redis:// URL: %s", url);
		return NULL;
	}
	const char *p = url + 8;
	const char *at = strchr(p, '@');
	char *user = NULL, *password = NULL;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			if (colon > p)
				user = xstrndup(p, (size_t)(colon - p));
			password = xstrndup(colon + 1, (size_t)(at - colon - 1));
		} else {
			password = xstrndup(p, (size_t)(at - p));
		}
		p = at + 1;
	}
	size_t hl = strcspn(p, ":/");
	char *host = xstrndup(p, hl);
	long port = 6379, db = 0;
	p += hl;
	char *end = NULL;
	int bad = hl == 0;
	if (*p == ':') {
		port = strtol(p + 1, &end, 10);
		bad |= end == p + 1 || port < 1 || port > 65535;
		p = end;
	}
	if (*p == '/' && p[1]) {
		db = strtol(p + 1, &end, 10);
		bad |= end == p + 1 || *end || db < 0;
		p = end;
	} else if (*p == '/') {
		p++;
	}
	bad |= *p != '\0';
	if (bad) {
		aws_error_set(err, 0, "InvalidParameter", "malformed redis URL: %s", url);
		free(user);
		free(password);
		free(host);
		return NULL;
	}
	struct redis_client *r = redis_client_new(host, (int)port, connect_timeout_ms,
						  command_timeout_ms);
	free(host);
	r->user = user;
	r->password = password;
	r->db = (int)db;
	return r;
}

static void disconnect(struct redis_client *r)
{
	if (r->ctx)
		redisFree(r->ctx);
	r->ctx = NULL;
	r->used = 0;
}

void redis_client_free(struct redis_client *r)
{
	if (!r)
		return;
	disconnect(r);
	free(r->host);
	free(r->user);
	free(r->password);
	free(r);
}

/* Turn the context's transport error into err; drops the connection. */
static int transport_error(struct redis_client *r, struct aws_error *err)
{
	int timeout = r->ctx && r->ctx->err == REDIS_ERR_IO &&
		      (errno == EAGAIN || errno == EWOULDBLOCK || errno == ETIMEDOUT ||
		       errno == EINPROGRESS);
	aws_error_set(err, 0, timeout ? "TimeoutError" : "ConnectionError",
		      "redis %s:%d: %s", r->host, r->port,
		      r->ctx && r->ctx->errstr[0] ? r->ctx->errstr : "connection failed");
	disconnect(r);
	return -1;
}

/* An error reply "-CODE message" into err; returns -1. */
static int reply_error(const redisReply *rep, struct aws_error *err)
{
	const char *s = rep->str ? rep->str : "ERR";
	size_t n = strcspn(s, " ");
	char code[64];
	snprintf(code, sizeof(code), "%.*s", (int)(n < sizeof(code) ? n : sizeof(code) - 1), s);
	return aws_error_set(err, 0, code, "%s", s[n] ? s + n + 1 : "");
}

/* Send one command on the current connection; NULL on transport failure. */
static redisReply *send_raw(struct redis_client *r, int argc, const char *const *argv,
			    const size_t *lens)
{
	size_t stack_lens[16];
	size_t *l = (size_t *)lens;
	size_t *heap = NULL;
	if (!lens) {
		l = argc <= 16 ? stack_lens : (heap = xcalloc((size_t)argc, sizeof(size_t)));
		for (int i = 0; i < argc; i++)
			l[i] = strlen(argv[i]);
	}
	redisReply *rep = redisCommandArgv(r->ctx, argc, (const char **)argv, l);
	free(heap);
	return rep;
}

/* AUTH / SELECT after connecting.  Returns 0 or -1 (err). */
static int session_setup(struct redis_client *r, struct aws_error *err)
{
	char dbs[16];
	const char *auth[3] = { "AUTH", r->user ? r->user : r->password, r->password };
	const char *sel[2] = { "SELECT", dbs };
	snprintf(dbs, sizeof(dbs), "%d", r->db);
	for (int step = 0; step < 2; step++) {
		if ((step == 0 && !r->password) || (step == 1 && r->db <= 0))
			continue;
		redisReply *rep = step == 0 ? send_raw(r, r->user ? 3 : 2, auth, NULL) :
					      send_raw(r, 2, sel, NULL);
		if (!rep)
			return transport_error(r, err);
		int bad = rep->type == REDIS_REPLY_ERROR;
		if (bad)
			reply_error(rep, err);
		freeReplyObject(rep);
		if (bad) {
			disconnect(r);
			return -1;
		}
	}
	return 0;
}

int redis_client_connect(struct redis_client *r, struct aws_error *err)
{
	if (r->ctx)
		return 0;
	if (r->connect_timeout_ms > 0)
		r->ctx = redisConnectWithTimeout(r->host, r->port, ms_to_tv(r->connect_timeout_ms));
	else
		r->ctx = redisConnect(r->host, r->port);
	if (!r->ctx || r->ctx->err)
		return transport_error(r, err);
	if (r->command_timeout_ms > 0 &&
	    redisSetTimeout(r->ctx, ms_to_tv(r->command_timeout_ms)) != REDIS_OK)
		return transport_error(r, err);
	redisEnableKeepAlive(r->ctx);
	return session_setup(r, err);
}

/* Deep copy of a hiredis reply into v. */
static void copy_reply(struct redis_value *v, const redisReply *rep)
{
	memset(v, 0, sizeof(*v));
	switch (rep->type) {
	case REDIS_REPLY_STRING:
	case REDIS_REPLY_STATUS:
		v->type = rep->type == REDIS_REPLY_STRING ? REDIS_VALUE_STRING : REDIS_VALUE_STATUS;
		v->len = rep->len > 0 ? (size_t)rep->len : 0;
		v->str = xmalloc(v->len + 1);
		memcpy(v->str, rep->str ? rep->str : "", v->len);
		v->str[v->len] = '\0';
		break;
	case REDIS_REPLY_INTEGER:
		v->type = REDIS_VALUE_INTEGER;
		v->integer = rep->integer;
		break;
	case REDIS_REPLY_ARRAY:
		v->type = REDIS_VALUE_ARRAY;
		v->count = rep->elements;
		v->elements = xcalloc(v->count ? v->count : 1, sizeof(*v->elements));
		for (size_t i = 0; i < v->count; i++)
			copy_reply(&v->elements[i], rep->element[i]);
		break;
	default:
		v->type = REDIS_VALUE_NIL;
		break;
	}
}

void redis_value_free(struct redis_value *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->count; i++)
		redis_value_free(&v->elements[i]);
	free(v->elements);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

int redis_client_command(struct redis_client *r, int argc, const char *const *argv,
			 const size_t *lens, struct redis_value *out,
			 struct aws_error *err)
{
	aws_error_clear(err);
	if (argc < 1)
		return aws_error_set(err, 0, "InvalidParameter", "empty command");
	redisReply *rep = NULL;
	for (int attempt = 0; attempt < 2 && !rep; attempt++) {
		int reused = r->ctx && r->used;
		if (redis_client_connect(r, err) != 0)
			return -1;
		rep = send_raw(r, argc, argv, lens);
		if (rep)
			break;
		int eof_like = r->ctx->err == REDIS_ERR_EOF ||
			       (r->ctx->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE));
		if (!reused || !eof_like)
			return transport_error(r, err);
		disconnect(r); /* stale connection: reconnect and resend once */
	}
	if (!rep)
		return transport_error(r, err);
	r->used = 1;
	int rc = 0;
	if (rep->type == REDIS_REPLY_ERROR)
		rc = reply_error(rep, err);
	else if (out)
		copy_reply(out, rep);
	freeReplyObject(rep);
	return rc;
}

int redis_client_set(struct redis_client *r, const char *key, const void *value,
		     size_t len, int ttl_seconds, struct aws_error *err)
{
	char ttl[24];
	snprintf(ttl, sizeof(ttl), "%d", ttl_seconds);
	const char *argv[5] = { "SET", key, value, "EX", ttl };
	size_t lens[5] = { 3, strlen(key), len, 2, strlen(ttl) };
	return redis_client_command(r, ttl_seconds > 0 ? 5 : 3, argv, lens, NULL, err);
}

int redis_client_get(struct redis_client *r, const char *key, char **value,
		     size_t *len, struct aws_error *err)
{
	const char *argv[2] = { "GET", key };
	struct redis_value v;
	*value = NULL;
	if (redis_client_command(r, 2, argv, NULL, &v, err) != 0)
		return -1;
	if (v.type == REDIS_VALUE_STRING) {
		*value = v.str;
		if (len)
			*len = v.len;
		v.str = NULL;
	} else if (len) {
		*len = 0;
	}
	redis_value_free(&v);
	return 0;
}

int redis_client_del(struct redis_client *r, const char *key, long long *deleted,
		     struct aws_error *err)
{
	const char *argv[2] = { "DEL", key };
	struct redis_value v;
	if (redis_client_command(r, 2, argv, NULL, &v, err) != 0)
		return -1;
	if (deleted)
		*deleted = v.type == REDIS_VALUE_INTEGER ? v.integer : 0;
	redis_value_free(&v);
	return 0;
}

int redis_client_ping(struct redis_client *r, struct aws_error *err)
{
	const char *argv[1] = { "PING" };
	struct redis_value v;
	if (redis_client_command(r, 1, argv, NULL, &v, err) != 0)
		return -1;
	int ok = v.type == REDIS_VALUE_STATUS && strcmp(v.str, "PONG") == 0;
	redis_value_free(&v);
	return ok ? 0 : aws_error_set(err, 0, "ClientError", "unexpected PING reply");
}
