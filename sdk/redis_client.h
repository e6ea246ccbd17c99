/*
 * redis_client.h - a RESP client on hiredis: connect and command
 * timeouts, lazy connection, and one transparent reconnect.
 *
 *   struct redis_client *r = redis_client_new("127.0.0.1", 6379, 1000, 1000);
 *   redis_client_set(r, "image:abc", json, len, 3600, &err);
 *   redis_client_free(r);
 *
 * The connection is made on the first command and kept.  When a command
 * fails on a connection that had worked before (the server closed an
 * idle connection, or restarted), the client reconnects and sends it once
 * more; a failure on a fresh connection, or a timeout, is returned (the
 * command may have run, so it is not repeated) and the next command
 * reconnects.  Commands sent through this client should therefore be
 * idempotent (SET, GET, DEL, EXPIRE... are).
 *
 * Errors use struct aws_error with http_status 0: a server error reply
 * "-WRONGTYPE Operation against..." gives code "WRONGTYPE" and the rest
 * as message; transport failures give "ConnectionError" or
 * "TimeoutError".  One client per thread.  No TLS (hiredis 0.14).
 */
#ifndef IMGPIPE_REDIS_CLIENT_H
#define IMGPIPE_REDIS_CLIENT_H

#include <stddef.h>

#include "aws_error.h"

enum redis_value_type {
	REDIS_VALUE_NIL,
	REDIS_VALUE_STRING,   /* bulk string */
	REDIS_VALUE_STATUS,   /* simple string: "OK", "PONG" */
	REDIS_VALUE_INTEGER,
	REDIS_VALUE_ARRAY,
};

/* A reply.  Owns str and elements; free with redis_value_free. */
struct redis_value {
	enum redis_value_type type;
	char *str;                     /* STRING/STATUS, NUL-terminated */
	size_t len;                    /* bytes in str */
	long long integer;             /* INTEGER */
	struct redis_value *elements;  /* ARRAY */
	size_t count;
};

struct redis_client;

/*
 * A client for host:port (nothing is connected yet).  Timeouts in
 * milliseconds; 0 means none.  Never NULL.
 */
struct redis_client *redis_client_new(const char *host, int port,
				      int connect_timeout_ms, int command_timeout_ms);
/*
 * A client from a URL "redis://[[user]:password@]host[:port][/db]"
 * (port 6379, db 0 by default); AUTH and SELECT are sent on each
 * connection.  NULL with err "InvalidParameter" for a malformed URL.
 */
struct redis_client *redis_client_new_url(const char *url, int connect_timeout_ms,
					  int command_timeout_ms, struct aws_error *err);
void redis_client_free(struct redis_client *r);

/* Connect now (or check the connection).  0 or -1. */
int redis_client_connect(struct redis_client *r, struct aws_error *err);

/*
 * Send one command of argc arguments (argv[i] of lens[i] bytes; lens NULL
 * means NUL-terminated strings) and read its reply into out (free with
 * redis_value_free; untouched on failure).  out may be NULL.  An error
 * reply fails with its code.
 */
int redis_client_command(struct redis_client *r, int argc, const char *const *argv,
			 const size_t *lens, struct redis_value *out,
			 struct aws_error *err);
void redis_value_free(struct redis_value *v);

/* SET key value [EX ttl_seconds] (ttl <= 0: no expiry). */
int redis_client_set(struct redis_client *r, const char *key, const void *value,
		     size_t len, int ttl_seconds, struct aws_error *err);
/* GET key: *value (caller frees, NUL-terminated) or NULL when missing. */
int redis_client_get(struct redis_client *r, const char *key, char **value,
		     size_t *len, struct aws_error *err);
/* DEL key; *deleted (may be NULL) the number removed. */
int redis_client_del(struct redis_client *r, const char *key, long long *deleted,
		     struct aws_error *err);
/* PING: 0 when the server answered PONG. */
int redis_client_ping(struct redis_client *r, struct aws_error *err);

#endif
