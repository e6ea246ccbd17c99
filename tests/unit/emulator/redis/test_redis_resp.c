/*
 * test_redis_resp.c - the RESP request parser (emulator/redis/resp.c):
 * multibulk and inline commands, input arriving in pieces, pipelined
 * commands in one buffer, the protocol errors and limits of Redis 7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis/resp.h"

/* Parse all of in (fed in pieces of `step` bytes); returns the number of
 * commands and writes "arg|arg;" per command into out.  *err gets the
 * first protocol error, if any. */
static int parse_all(const char *in, size_t len, size_t step, char *out,
		     size_t outlen, const char **err, struct resp_parser *pp)
{
	struct resp_parser local;
	struct resp_parser *p = pp ? pp : &local;
	if (!pp)
		resp_parser_init(p);
	char *buf = malloc(len + 1);
	size_t have = 0, fed = 0;
	int cmds = 0;
	out[0] = '\0';
	*err = NULL;
	while (fed < len || have) {
		size_t n = len - fed < step ? len - fed : step;
		memcpy(buf + have, in + fed, n);
		have += n;
		fed += n;
		for (;;) {
			size_t used;
			int rc = resp_parse(p, buf, have, &used, err);
			memmove(buf, buf + used, have - used);
			have -= used;
			if (rc == RESP_ERROR)
				goto done;
			if (rc == RESP_MORE)
				break;
			for (size_t i = 0; i < p->argc; i++) {
				strncat(out, p->argv[i]->data,
					outlen - strlen(out) - 1);
				strncat(out, i + 1 < p->argc ? "|" : ";",
					outlen - strlen(out) - 1);
			}
			resp_parser_clear_args(p);
			cmds++;
		}
		if (fed == len && have && !p->in_multibulk)
			break; /* an incomplete header that will not finish */
		if (fed == len)
			break;
	}
done:
	free(buf);
	if (!pp)
		resp_parser_free(p);
	return cmds;
}

static void test_multibulk(void **state)
{
	(void)state;
	char out[256];
	const char *err;
	const char *in = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
	assert_int_equal(parse_all(in, strlen(in), 1000, out, sizeof out, &err, NULL), 1);
	assert_null(err);
	assert_string_equal(out, "SET|k|hello;");
}

static void test_byte_by_byte_and_pipelined(void **state)
{
	(void)state;
	char out[256];
	const char *err;
	const char *in = "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"
			 "*0\r\n*-1\r\nGET x\r\n";
	for (size_t step = 1; step < 8; step++) {
		assert_int_equal(parse_all(in, strlen(in), step, out, sizeof out,
					   &err, NULL), 3);
		assert_null(err);
		assert_string_equal(out, "PING;ECHO|;GET|x;");
	}
}

static void test_binary_bulk(void **state)
{
	(void)state;
	struct resp_parser p;
	resp_parser_init(&p);
	const char in[] = "*1\r\n$5\r\na\0\r\nb\r\n";
	size_t used;
	const char *err;
	assert_int_equal(resp_parse(&p, in, sizeof in - 1, &used, &err), RESP_CMD);
	assert_int_equal(used, sizeof in - 1);
	assert_int_equal(p.argc, 1);
	assert_int_equal(p.argv[0]->len, 5);
	assert_memory_equal(p.argv[0]->data, "a\0\r\nb", 5);
	/* The caller may steal an argument. */
	struct rstr *stolen = p.argv[0];
	p.argv[0] = NULL;
	resp_parser_clear_args(&p);
	free(stolen);
	resp_parser_free(&p);
}

static void test_big_bulk_streams(void **state)
{
	(void)state;
	size_t n = 3 * 1024 * 1024 + 7;
	char hdr[64];
	snprintf(hdr, sizeof hdr, "*1\r\n$%zu\r\n", n);
	struct resp_parser p;
	resp_parser_init(&p);
	size_t used;
	const char *err;
	assert_int_equal(resp_parse(&p, hdr, strlen(hdr), &used, &err), RESP_MORE);
	assert_int_equal(used, strlen(hdr));
	char chunk[16384];
	memset(chunk, 'z', sizeof chunk);
	size_t left = n;
	while (left) {
		size_t k = left < sizeof chunk ? left : sizeof chunk;
		assert_int_equal(resp_parse(&p, chunk, k, &used, &err), RESP_MORE);
		assert_int_equal(used, k); /* consumed: the caller keeps nothing */
		left -= k;
	}
	assert_int_equal(resp_parse(&p, "\r", 1, &used, &err), RESP_MORE);
	assert_int_equal(resp_parse(&p, "\n", 1, &used, &err), RESP_CMD);
	assert_int_equal(p.argv[0]->len, n);
	assert_int_equal(p.argv[0]->data[n - 1], 'z');
	resp_parser_free(&p);
}

static void check_error(const char *in, const char *want)
{
	char out[256];
	const char *err;
	parse_all(in, strlen(in), 1000, out, sizeof out, &err, NULL);
	assert_non_null(err);
	assert_string_equal(err, want);
}

static void test_errors(void **state)
{
	(void)state;
	check_error("*1\r\nfoo\r\n", "Protocol error: expected '$', got 'f'");
	check_error("*x\r\n", "Protocol error: invalid multibulk length");
	check_error("*1048577\r\n", "Protocol error: invalid multibulk length");
	check_error("*1\r\n$-1\r\n", "Protocol error: invalid bulk length");
	check_error("*1\r\n$536870913\r\n", "Protocol error: invalid bulk length");
	check_error("*1\r\n$01\r\n", "Protocol error: invalid bulk length");
	check_error("SET \"a b\r\n", "Protocol error: unbalanced quotes in request");
	check_error("SET 'a'b\r\n", "Protocol error: unbalanced quotes in request");
}

static void test_limits(void **state)
{
	(void)state;
	char out[256];
	const char *err;
	size_t n = RESP_INLINE_MAX + 10;
	char *big = malloc(n + 1);
	memset(big, 'a', n);
	big[n] = '\0';
	parse_all(big, n, n, out, sizeof out, &err, NULL);
	assert_string_equal(err, "Protocol error: too big inline request");
	big[0] = '*';
	parse_all(big, n, n, out, sizeof out, &err, NULL);
	assert_string_equal(err, "Protocol error: too big mbulk count string");
	free(big);

	struct resp_parser p;
	resp_parser_init(&p);
	p.unauthenticated = 1;
	const char *in = "*11\r\n";
	size_t used;
	assert_int_equal(resp_parse(&p, in, strlen(in), &used, &err), RESP_ERROR);
	assert_string_equal(err, "Protocol error: unauthenticated multibulk length");
	resp_parser_free(&p);
	resp_parser_init(&p);
	p.unauthenticated = 1;
	in = "*1\r\n$16385\r\n";
	assert_int_equal(resp_parse(&p, in, strlen(in), &used, &err), RESP_ERROR);
	assert_string_equal(err, "Protocol error: unauthenticated bulk length");
	resp_parser_free(&p);
}

static void test_inline_quoting(void **state)
{
	(void)state;
	char out[256];
	const char *err;
	const char *in = "  set  \"a\\tb\\x41\"  'it\\'s'  plain \r\n\r\n\n";
	assert_int_equal(parse_all(in, strlen(in), 3, out, sizeof out, &err, NULL), 1);
	assert_null(err);
	assert_string_equal(out, "set|a\tbA|it's|plain;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multibulk),
		cmocka_unit_test(test_byte_by_byte_and_pipelined),
		cmocka_unit_test(test_binary_bulk),
		cmocka_unit_test(test_big_bulk_streams),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_inline_quoting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
