/*
 * test_ddb_number.c - the 38-digit decimal of DynamoDB's N type:
 * parsing (accepted forms and DynamoDB's errors), canonical text,
 * comparison, exact arithmetic, and the order-preserving key bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "dynamodb/ddb_number.h"

static void canon(const char *in, const char *want)
{
	struct ddb_num n;
	char out[DDB_NUM_TEXT_MAX];
	assert_int_equal(ddb_num_parse(in, &n), DDB_NUM_OK);
	ddb_num_format(&n, out);
	assert_string_equal(out, want);
}

static void test_canonical_text(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"0", "0"}, {"-0", "0"}, {"000.000", "0"}, {"1.50", "1.5"},
		{"+7", "7"}, {".5", "0.5"}, {"5.", "5"}, {"1e3", "1000"},
		{"1E+3", "1000"}, {"-2.5e-3", "-0.0025"}, {"123.456e1", "1234.56"},
		{"1e-130", "0." "000000000000000000000000000000000000000000000000"
			    "000000000000000000000000000000000000000000000000"
			    "0000000000000000000000000000000001"},
		{"12345678901234567890123456789012345678",
		 "12345678901234567890123456789012345678"},
		{"100000000000000000000000000000000000000000", /* 1 digit */
		 "100000000000000000000000000000000000000000"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		canon(cases[i][0], cases[i][1]);
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct ddb_num n;
	assert_int_equal(ddb_num_parse("", &n), DDB_NUM_EINVAL);
	assert_int_equal(ddb_num_parse("abc", &n), DDB_NUM_EINVAL);
	assert_int_equal(ddb_num_parse("1e", &n), DDB_NUM_EINVAL);
	assert_int_equal(ddb_num_parse(" 1", &n), DDB_NUM_EINVAL);
	assert_int_equal(ddb_num_parse("1.2.3", &n), DDB_NUM_EINVAL);
	assert_int_equal(ddb_num_parse("NaN", &n), DDB_NUM_EINVAL);
	assert_int_equal(ddb_num_parse("123456789012345678901234567890123456789",
				       &n), DDB_NUM_EPREC);
	assert_int_equal(ddb_num_parse("1e126", &n), DDB_NUM_EOVERFLOW);
	assert_int_equal(ddb_num_parse("9.9999999999999999999999999999999999999e125",
				       &n), DDB_NUM_OK);
	assert_int_equal(ddb_num_parse("1e-131", &n), DDB_NUM_EUNDERFLOW);
	assert_string_equal(ddb_num_message(DDB_NUM_EPREC),
			    "Attempting to store more than 38 significant "
			    "digits in a Number");
}

static int cmp(const char *a, const char *b)
{
	struct ddb_num x, y;
	assert_int_equal(ddb_num_parse(a, &x), DDB_NUM_OK);
	assert_int_equal(ddb_num_parse(b, &y), DDB_NUM_OK);
	return ddb_num_cmp(&x, &y);
}

static void test_compare(void **state)
{
	(void)state;
	assert_true(cmp("1", "2") < 0);
	assert_true(cmp("10", "9") > 0);
	assert_true(cmp("-10", "-9") < 0);
	assert_true(cmp("1.0", "1") == 0);
	assert_true(cmp("0.1", "0.10000000000000000000000000000000000001") < 0);
	assert_true(cmp("-0.5", "0") < 0);
	assert_true(cmp("1e100", "9e99") > 0);
}

static void arith(const char *a, const char *b, int sub, const char *want)
{
	struct ddb_num x, y, r;
	char out[DDB_NUM_TEXT_MAX];
	assert_int_equal(ddb_num_parse(a, &x), DDB_NUM_OK);
	assert_int_equal(ddb_num_parse(b, &y), DDB_NUM_OK);
	assert_int_equal(sub ? ddb_num_sub(&x, &y, &r) : ddb_num_add(&x, &y, &r),
			 DDB_NUM_OK);
	ddb_num_format(&r, out);
	assert_string_equal(out, want);
}

static void test_arithmetic_is_exact(void **state)
{
	(void)state;
	arith("0.1", "0.2", 0, "0.3");
	arith("1", "1", 1, "0");
	arith("-5", "3", 0, "-2");
	arith("1.5", "-2.25", 1, "3.75");
	arith("99999999999999999999999999999999999999", "-1", 0,
	      "99999999999999999999999999999999999998");
	struct ddb_num x, y, r;
	ddb_num_parse("1e30", &x);
	ddb_num_parse("1e-30", &y);
	assert_int_equal(ddb_num_add(&x, &y, &r), DDB_NUM_EPREC);
}

static int key_cmp(const char *a, const char *b)
{
	struct ddb_num x, y;
	unsigned char ka[DDB_NUM_KEY_MAX], kb[DDB_NUM_KEY_MAX];
	ddb_num_parse(a, &x);
	ddb_num_parse(b, &y);
	size_t la = ddb_num_key(&x, ka), lb = ddb_num_key(&y, kb);
	int c = memcmp(ka, kb, la < lb ? la : lb);
	return c ? c : (la < lb ? -1 : la > lb);
}

static void test_key_order_matches_numeric_order(void **state)
{
	(void)state;
	static const char *const sorted[] = {
		"-1e100", "-123.45", "-123.4", "-12", "-1.5", "-1", "-0.123",
		"-0.12", "-1e-100", "0", "1e-100", "0.12", "0.123", "1", "1.5",
		"12", "123.4", "123.45", "1e100",
	};
	size_t n = sizeof(sorted) / sizeof(sorted[0]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int k = key_cmp(sorted[i], sorted[j]);
			if (i < j)
				assert_true(k < 0);
			else if (i > j)
				assert_true(k > 0);
			else
				assert_int_equal(k, 0);
		}
	assert_int_equal(key_cmp("1.50", "1.5"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_text),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_arithmetic_is_exact),
		cmocka_unit_test(test_key_order_matches_numeric_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
