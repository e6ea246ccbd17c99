/*
 * test_redis_util.c - glob matching (KEYS, SCAN MATCH, PSUBSCRIBE),
 * Redis's strict number parsing and its number formatting (checked
 * against redis-server 7.0 replies), and the dict's SCAN guarantee.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis/dict.h"
#include "redis/util.h"

static int glob(const char *pat, const char *s)
{
	return redis_glob_match(pat, strlen(pat), s, strlen(s), 0);
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(glob("*", ""));
	assert_true(glob("*", "anything"));
	assert_true(glob("user:*", "user:42"));
	assert_false(glob("user:*", "usr:42"));
	assert_true(glob("h?llo", "hello"));
	assert_false(glob("h?llo", "hllo"));
	assert_true(glob("h[ae]llo", "hallo"));
	assert_false(glob("h[ae]llo", "hillo"));
	assert_true(glob("h[^e]llo", "hallo"));
	assert_false(glob("h[^e]llo", "hello"));
	assert_true(glob("h[a-b]llo", "hbllo"));
	assert_true(glob("h[b-a]llo", "hallo")); /* reversed range */
	assert_true(glob("h\\*llo", "h*llo"));
	assert_false(glob("h\\*llo", "hello"));
	assert_true(glob("a*b*c*d", "aXXbYYcZZd"));
	assert_false(glob("a*b*c*d", "aXXbYYcZZ"));
	assert_true(glob("*.jpg", "x.y.jpg"));
	assert_true(glob("**x", "x"));
	assert_false(glob("", "a"));
	assert_true(glob("", ""));
	assert_true(redis_glob_match("HE*", 3, "hello", 5, 1));
	/* Many stars do not go exponential. */
	char s[4001];
	memset(s, 'a', 4000);
	s[4000] = '\0';
	assert_false(glob("*a*a*a*a*a*a*a*a*a*a*b", s));
	/* Binary text. */
	assert_true(redis_glob_match("a?c", 3, "a\0c", 3, 0));
}

static void test_str2ll(void **state)
{
	(void)state;
	long long v;
	assert_int_equal(redis_str2ll("0", 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(redis_str2ll("-42", 3, &v), 0);
	assert_int_equal(v, -42);
	assert_int_equal(redis_str2ll("9223372036854775807", 19, &v), 0);
	assert_true(v == 9223372036854775807LL);
	assert_int_equal(redis_str2ll("-9223372036854775808", 20, &v), 0);
	assert_true(v == (-9223372036854775807LL - 1));
	assert_int_equal(redis_str2ll("9223372036854775808", 19, &v), -1);
	assert_int_equal(redis_str2ll("007", 3, &v), -1);
	assert_int_equal(redis_str2ll("-0", 2, &v), -1);
	assert_int_equal(redis_str2ll("+1", 2, &v), -1);
	assert_int_equal(redis_str2ll(" 1", 2, &v), -1);
	assert_int_equal(redis_str2ll("1 ", 2, &v), -1);
	assert_int_equal(redis_str2ll("", 0, &v), -1);
	assert_int_equal(redis_str2ll("-", 1, &v), -1);
	assert_int_equal(redis_str2ll("1.0", 3, &v), -1);
}

static void test_str2d(void **state)
{
	(void)state;
	double d;
	long double ld;
	assert_int_equal(redis_str2d("1.5", 3, &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(redis_str2d("-inf", 4, &d), 0);
	assert_int_equal(redis_str2d("+inf", 4, &d), 0);
	assert_int_equal(redis_str2d("(1", 2, &d), -1);
	assert_int_equal(redis_str2d("nan", 3, &d), -1);
	assert_int_equal(redis_str2d(" 1", 2, &d), -1);
	assert_int_equal(redis_str2d("1x", 2, &d), -1);
	assert_int_equal(redis_str2d("1e400", 5, &d), -1);
	assert_int_equal(redis_str2d("", 0, &d), -1);
	assert_int_equal(redis_str2ld("1e400", 5, &ld), 0);
	assert_int_equal(redis_str2ld("abc", 3, &ld), -1);
	assert_int_equal(redis_str2ld("1\0", 2, &ld), -1);
}

static void test_number_format(void **state)
{
	(void)state;
	char buf[REDIS_NUMSTR_MAX];
	redis_d2str(buf, sizeof buf, 0.1);
	assert_string_equal(buf, "0.10000000000000001");
	redis_d2str(buf, sizeof buf, 1.5);
	assert_string_equal(buf, "1.5");
	redis_d2str(buf, sizeof buf, 3);
	assert_string_equal(buf, "3");
	redis_d2str(buf, sizeof buf, 1e20);
	assert_string_equal(buf, "1e+20");
	redis_d2str(buf, sizeof buf, -1.0 / 0.0);
	assert_string_equal(buf, "-inf");
	long double x = 10.5L;
	x += 0.1L;
	redis_ld2str(buf, sizeof buf, x);
	assert_string_equal(buf, "10.6");
	redis_ld2str(buf, sizeof buf, 5000.0L);
	assert_string_equal(buf, "5000");
	redis_ld2str(buf, sizeof buf, 1e20L);
	assert_string_equal(buf, "100000000000000000000");
	redis_ld2str(buf, sizeof buf, -0.0L);
	assert_string_equal(buf, "0");
	redis_ld2str(buf, sizeof buf, 3.0L / 1024);
	assert_string_equal(buf, "0.0029296875");
	redis_ll2str(buf, sizeof buf, -123);
	assert_string_equal(buf, "-123");
	redis_ll2str(buf, sizeof buf, 0);
	assert_string_equal(buf, "0");
	assert_int_equal(redis_ll2str(buf, sizeof buf, -9223372036854775807LL - 1), 20);
	assert_string_equal(buf, "-9223372036854775808");
	redis_ll2str(buf, sizeof buf, 9223372036854775807LL);
	assert_string_equal(buf, "9223372036854775807");
	assert_int_equal(redis_ll2str(buf, 3, 1234), 0);
}

static void count_cb(struct dict_entry *e, void *ctx)
{
	struct dict *seen = ctx;
	dict_upsert(seen, e->key, e->klen, NULL)->v.i++;
}

static void test_dict_scan_survives_resize(void **state)
{
	(void)state;
	struct dict *d = dict_new(NULL);
	struct dict *seen = dict_new(NULL);
	char key[32];
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(key, sizeof key, "k%d", i);
		dict_upsert(d, key, (size_t)n, NULL);
	}
	uint64_t cursor = 0;
	int steps = 0;
	do {
		cursor = dict_scan(d, cursor, count_cb, seen);
		/* Grow the table in the middle of the scan, then shrink it. */
		if (steps == 100)
			for (int i = 1000; i < 5000; i++) {
				int n = snprintf(key, sizeof key, "k%d", i);
				dict_upsert(d, key, (size_t)n, NULL);
			}
		if (steps == 3000)
			for (int i = 1000; i < 5000; i++) {
				int n = snprintf(key, sizeof key, "k%d", i);
				dict_delete(d, key, (size_t)n);
			}
		steps++;
	} while (cursor);
	/* Every key present for the whole scan was returned. */
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(key, sizeof key, "k%d", i);
		assert_non_null(dict_find(seen, key, (size_t)n));
	}
	assert_int_equal(dict_size(d), 1000);
	dict_free(d);
	dict_free(seen);
}

static void test_dict_basics(void **state)
{
	(void)state;
	struct dict *d = dict_new(free);
	int created;
	struct dict_entry *e = dict_upsert(d, "a\0b", 3, &created);
	assert_true(created);
	e->v.ptr = malloc(10);
	assert_non_null(dict_find(d, "a\0b", 3));
	assert_null(dict_find(d, "a", 1));
	dict_upsert(d, "a\0b", 3, &created);
	assert_false(created);
	assert_int_equal(dict_size(d), 1);
	uint64_t rng = 1;
	assert_ptr_equal(dict_random(d, &rng), dict_find(d, "a\0b", 3));
	assert_int_equal(dict_delete(d, "a\0b", 3), 1);
	assert_int_equal(dict_delete(d, "a\0b", 3), 0);
	assert_null(dict_random(d, &rng));
	dict_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_str2ll),
		cmocka_unit_test(test_str2d),
		cmocka_unit_test(test_number_format),
		cmocka_unit_test(test_dict_basics),
		cmocka_unit_test(test_dict_scan_survives_resize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
