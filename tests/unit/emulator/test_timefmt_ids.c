/*
 * test_timefmt_ids.c - AWS date formats both ways, and random ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ids.h"
#include "timefmt.h"

static void test_format(void **state)
{
	(void)state;
	char out[TIMEFMT_MAX];
	int64_t t = 1735787045678; /* 2025-01-02T03:04:05.678Z, a Thursday */
	time_iso8601_ms(t, out);
	assert_string_equal(out, "2025-01-02T03:04:05.678Z");
	time_iso8601_basic(t, out);
	assert_string_equal(out, "20250102T030405Z");
	time_http_date(t, out);
	assert_string_equal(out, "Thu, 02 Jan 2025 03:04:05 GMT");
	time_iso8601_ms(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
}

static void test_parse(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(time_parse_http_date("Thu, 02 Jan 2025 03:04:05 GMT", &t), 0);
	assert_int_equal(t, 1735787045000);
	assert_int_equal(time_parse_http_date("Thursday, 02-Jan-25 03:04:05 GMT", &t), 0);
	assert_int_equal(t, 1735787045000);
	assert_int_equal(time_parse_http_date("Thu Jan  2 03:04:05 2025", &t), 0);
	assert_int_equal(t, 1735787045000);
	assert_int_equal(time_parse_http_date("yesterday", &t), -1);
	assert_int_equal(time_parse_http_date("Thu, 02 Jan 2025 03:04:05 GMT trailing", &t), -1);
	assert_int_equal(time_parse_iso8601("2025-01-02T03:04:05.678Z", &t), 0);
	assert_int_equal(t, 1735787045678);
	assert_int_equal(time_parse_iso8601("2025-01-02T03:04:05Z", &t), 0);
	assert_int_equal(t, 1735787045000);
	assert_int_equal(time_parse_iso8601("2025-01-02T03:04:05.5Z", &t), 0);
	assert_int_equal(t, 1735787045500);
	assert_int_equal(time_parse_iso8601("20250102T030405Z", &t), 0);
	assert_int_equal(t, 1735787045000);
	assert_int_equal(time_parse_iso8601("2025-01-02T03:04:05+02:00", &t), -1);
	assert_int_equal(time_parse_iso8601("2025-01-02", &t), -1);
}

static void test_ids(void **state)
{
	(void)state;
	char a[37], b[37];
	ids_uuid4(a);
	ids_uuid4(b);
	assert_int_equal(strlen(a), 36);
	assert_string_not_equal(a, b);
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
	assert_int_equal(a[8], '-');
	char id[11];
	ids_alnum(id, 10);
	assert_int_equal(strlen(id), 10);
	assert_int_equal(strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789"), 10);
	char hex[33];
	ids_hex(hex, 32);
	assert_int_equal(strspn(hex, "0123456789abcdef"), 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
