/*
 * test_sdk_redis.c - unit tests for sdk/redis_client.c against a fake
 * RESP server on a thread: the bytes each command puts on the wire
 * (binary-safe bulk strings), every reply type read back (status, bulk,
 * nil, integer, nested arrays, error codes), the transparent reconnect
 * after the server drops an idle connection, command timeouts, and a
 * refused connection.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "redis_client.h"

#define MAX_STEPS 16

/* What the fake server does with the request it just read. */
enum step_action {
	STEP_REPLY,           /* write reply */
	STEP_REPLY_CLOSE,     /* write reply, then close the connection */
	STEP_SILENT,          /* never answer; wait for the client to go */
};

struct fake_server {
	int listen_fd;
	int port;
	int steps;
	const char *reply[MAX_STEPS];
	size_t reply_len[MAX_STEPS];
	enum step_action action[MAX_STEPS];
	char request[MAX_STEPS][256];   /* bytes received per step */
	size_t request_len[MAX_STEPS];
	int connections;
	pthread_t thread;
};

/* Length of one complete RESP array at buf, or 0 if incomplete. */
static size_t resp_array_len(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	if (len < 4 || *p != '*')
		return 0;
	char *nl;
	long n = strtol(p + 1, &nl, 10);
	p = nl + 2;
	for (long i = 0; i < n; i++) {
		if (p >= end || *p != '$')
			return 0;
		long l = strtol(p + 1, &nl, 10);
		if (nl + 2 > end)
			return 0;
		p = nl + 2 + l + 2;
		if (p > end)
			return 0;
	}
	return (size_t)(p - buf);
}

static void *server_main(void *arg)
{
	struct fake_server *s = arg;
	int step = 0;
	while (step < s->steps) {
		int fd = accept(s->listen_fd, NULL, NULL);
		if (fd < 0)
			break;
		s->connections++;
		int open_conn = 1;
		while (open_conn && step < s->steps) {
			char buf[256];
			size_t have = 0, need = 0;
			while (!(need = resp_array_len(buf, have))) {
				ssize_t r = read(fd, buf + have, sizeof(buf) - have);
				if (r <= 0) {
					open_conn = 0;
					break;
				}
				have += (size_t)r;
			}
			if (!open_conn)
				break;
			memcpy(s->request[step], buf, need);
			s->request_len[step] = need;
			if (s->action[step] == STEP_SILENT) {
				step++;
				while (read(fd, buf, sizeof(buf)) > 0) /* until the client closes */
					;
				open_conn = 0;
				break;
			}
			if (write(fd, s->reply[step], s->reply_len[step]) < 0)
				open_conn = 0;
			if (s->action[step] == STEP_REPLY_CLOSE)
				open_conn = 0;
			step++;
		}
		close(fd);
	}
	return NULL;
}

static void server_start(struct fake_server *s)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->listen_fd >= 0);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->listen_fd, 4), 0);
	assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&a, &al), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void server_stop(struct fake_server *s)
{
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
}

static void add_step(struct fake_server *s, const char *reply, size_t len,
		     enum step_action action)
{
	s->reply[s->steps] = reply;
	s->reply_len[s->steps] = len;
	s->action[s->steps] = action;
	s->steps++;
}

#define STEP(s, lit, action) add_step((s), (lit), sizeof(lit) - 1, (action))

static void test_framing_and_replies(void **state)
{
	(void)state;
	struct fake_server s;
	memset(&s, 0, sizeof(s));
	STEP(&s, "+OK\r\n", STEP_REPLY);
	STEP(&s, "$5\r\nh\0llo\r\n", STEP_REPLY);
	STEP(&s, "$-1\r\n", STEP_REPLY);
	STEP(&s, ":1\r\n", STEP_REPLY);
	STEP(&s, "*3\r\n$1\r\na\r\n*2\r\n:5\r\n+QUEUED\r\n$-1\r\n", STEP_REPLY);
	STEP(&s, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
	     STEP_REPLY);
	STEP(&s, "+PONG\r\n", STEP_REPLY);
	server_start(&s);

	struct redis_client *r = redis_client_new("127.0.0.1", s.port, 1000, 1000);
	struct aws_error err;
	assert_int_equal(redis_client_set(r, "key", "a\0b\r\n", 5, 60, &err), 0);
	char *v;
	size_t len;
	assert_int_equal(redis_client_get(r, "k", &v, &len, &err), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(v, "h\0llo", 5);
	free(v);
	assert_int_equal(redis_client_get(r, "missing", &v, &len, &err), 0);
	assert_null(v);
	long long n = 0;
	assert_int_equal(redis_client_del(r, "k", &n, &err), 0);
	assert_int_equal(n, 1);

	const char *argv[] = { "EXEC" };
	struct redis_value val;
	assert_int_equal(redis_client_command(r, 1, argv, NULL, &val, &err), 0);
	assert_int_equal(val.type, REDIS_VALUE_ARRAY);
	assert_int_equal(val.count, 3);
	assert_int_equal(val.elements[0].type, REDIS_VALUE_STRING);
	assert_string_equal(val.elements[0].str, "a");
	assert_int_equal(val.elements[1].type, REDIS_VALUE_ARRAY);
	assert_int_equal(val.elements[1].elements[0].integer, 5);
	assert_int_equal(val.elements[1].elements[1].type, REDIS_VALUE_STATUS);
	assert_string_equal(val.elements[1].elements[1].str, "QUEUED");
	assert_int_equal(val.elements[2].type, REDIS_VALUE_NIL);
	redis_value_free(&val);

	const char *incr[] = { "INCR", "k" };
	assert_int_equal(redis_client_command(r, 2, incr, NULL, &val, &err), -1);
	assert_string_equal(err.code, "WRONGTYPE");
	assert_string_equal(err.message, "Operation against a key holding the wrong kind of value");
	assert_int_equal(err.http_status, 0);
	/* an error reply keeps the connection */
	assert_int_equal(redis_client_ping(r, &err), 0);
	redis_client_free(r);
	server_stop(&s);

	/* exactly these bytes went over the wire */
	static const char set_req[] =
		"*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\na\0b\r\n\r\n$2\r\nEX\r\n$2\r\n60\r\n";
	assert_int_equal(s.request_len[0], sizeof(set_req) - 1);
	assert_memory_equal(s.request[0], set_req, sizeof(set_req) - 1);
	assert_int_equal(s.request_len[2], strlen("*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n"));
	assert_memory_equal(s.request[2], "*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n", s.request_len[2]);
	assert_memory_equal(s.request[6], "*1\r\n$4\r\nPING\r\n", s.request_len[6]);
	assert_int_equal(s.connections, 1);
}

static void test_set_without_ttl(void **state)
{
	(void)state;
	struct fake_server s;
	memset(&s, 0, sizeof(s));
	STEP(&s, "+OK\r\n", STEP_REPLY);
	server_start(&s);
	struct redis_client *r = redis_client_new("127.0.0.1", s.port, 1000, 1000);
	struct aws_error err;
	assert_int_equal(redis_client_set(r, "a", "b", 1, 0, &err), 0);
	redis_client_free(r);
	server_stop(&s);
	assert_memory_equal(s.request[0], "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n", s.request_len[0]);
}

static void test_reconnect_after_close(void **state)
{
	(void)state;
	struct fake_server s;
	memset(&s, 0, sizeof(s));
	STEP(&s, "+PONG\r\n", STEP_REPLY_CLOSE); /* server drops the connection */
	STEP(&s, "+PONG\r\n", STEP_REPLY);
	server_start(&s);
	struct redis_client *r = redis_client_new("127.0.0.1", s.port, 1000, 1000);
	struct aws_error err;
	assert_int_equal(redis_client_ping(r, &err), 0);
	usleep(50 * 1000); /* let the close arrive */
	assert_int_equal(redis_client_ping(r, &err), 0);
	redis_client_free(r);
	server_stop(&s);
	assert_int_equal(s.connections, 2);
}

static void test_timeout_then_recover(void **state)
{
	(void)state;
	struct fake_server s;
	memset(&s, 0, sizeof(s));
	STEP(&s, "", STEP_SILENT);
	STEP(&s, "+PONG\r\n", STEP_REPLY);
	server_start(&s);
	struct redis_client *r = redis_client_new("127.0.0.1", s.port, 1000, 200);
	struct aws_error err;
	assert_int_equal(redis_client_ping(r, &err), -1);
	assert_string_equal(err.code, "TimeoutError");
	/* not resent on the same call; the next call reconnects */
	assert_int_equal(redis_client_ping(r, &err), 0);
	redis_client_free(r);
	server_stop(&s);
	assert_int_equal(s.connections, 2);
}

static void test_refused_and_urls(void **state)
{
	(void)state;
	/* a port nobody listens on: bind one, close it, connect to it */
	struct fake_server s;
	memset(&s, 0, sizeof(s));
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	close(fd);
	struct redis_client *r = redis_client_new("127.0.0.1", ntohs(a.sin_port), 500, 500);
	struct aws_error err;
	assert_int_equal(redis_client_ping(r, &err), -1);
	assert_string_equal(err.code, "ConnectionError");
	redis_client_free(r);

	const char *bad[] = { "http://x", "redis://", "redis://h:0", "redis://h:99999",
			      "redis://h:1/x", "redis://h:12x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(redis_client_new_url(bad[i], 100, 100, &err));
		assert_string_equal(err.code, "InvalidParameter");
	}
	const char *good[] = { "redis://localhost", "redis://:pw@h:6380/2", "redis://u:p@h/",
			       "redis://h:7000" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		r = redis_client_new_url(good[i], 100, 100, &err);
		assert_non_null(r);
		redis_client_free(r);
	}
}

static void test_auth_and_select_from_url(void **state)
{
	(void)state;
	struct fake_server s;
	memset(&s, 0, sizeof(s));
	STEP(&s, "+OK\r\n", STEP_REPLY);  /* AUTH */
	STEP(&s, "+OK\r\n", STEP_REPLY);  /* SELECT */
	STEP(&s, "+PONG\r\n", STEP_REPLY);
	server_start(&s);
	char url[64];
	snprintf(url, sizeof(url), "redis://:secret@127.0.0.1:%d/3", s.port);
	struct aws_error err;
	struct redis_client *r = redis_client_new_url(url, 1000, 1000, &err);
	assert_non_null(r);
	assert_int_equal(redis_client_ping(r, &err), 0);
	redis_client_free(r);
	server_stop(&s);
	assert_memory_equal(s.request[0], "*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n", s.request_len[0]);
	assert_memory_equal(s.request[1], "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n", s.request_len[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing_and_replies),
		cmocka_unit_test(test_set_without_ttl),
		cmocka_unit_test(test_reconnect_after_close),
		cmocka_unit_test(test_timeout_then_recover),
		cmocka_unit_test(test_refused_and_urls),
		cmocka_unit_test(test_auth_and_select_from_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
