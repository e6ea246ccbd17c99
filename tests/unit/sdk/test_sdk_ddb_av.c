/*
 * test_sdk_ddb_av.c - unit tests for sdk/aws_ddb_av.c: the exact wire
 * JSON each AttributeValue builder produces, nesting through M and L,
 * the typed readers, and the conversion to plain JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws_ddb.h"

/* Serialise av, compare with want, free both. */
static void expect_json(cJSON *av, const char *want)
{
	assert_non_null(av);
	char *s = cJSON_PrintUnformatted(av);
	assert_string_equal(s, want);
	free(s);
	cJSON_Delete(av);
}

static void test_scalars(void **state)
{
	(void)state;
	expect_json(aws_ddb_s("a\"b"), "{\"S\":\"a\\\"b\"}");
	expect_json(aws_ddb_s(NULL), "{\"S\":\"\"}");
	expect_json(aws_ddb_n("-12.5e3"), "{\"N\":\"-12.5e3\"}");
	expect_json(aws_ddb_n("123456789012345678901234567890123456"),
		    "{\"N\":\"123456789012345678901234567890123456\"}");
	assert_null(aws_ddb_n("12a"));
	assert_null(aws_ddb_n(""));
	assert_null(aws_ddb_n("."));
	assert_null(aws_ddb_n("1e"));
	assert_null(aws_ddb_n(NULL));
	expect_json(aws_ddb_n_int(-9223372036854775807LL - 1), "{\"N\":\"-9223372036854775808\"}");
	expect_json(aws_ddb_n_double(0.1), "{\"N\":\"0.10000000000000001\"}");
	assert_null(aws_ddb_n_double(1.0 / 0.0));
	expect_json(aws_ddb_bool(7), "{\"BOOL\":true}");
	expect_json(aws_ddb_bool(0), "{\"BOOL\":false}");
	expect_json(aws_ddb_null(), "{\"NULL\":true}");
	expect_json(aws_ddb_b("\xff\x00", 2), "{\"B\":\"/wA=\"}");
	const char *ss[] = { "x", "y" };
	expect_json(aws_ddb_ss(ss, 2), "{\"SS\":[\"x\",\"y\"]}");
}

static void test_nesting(void **state)
{
	(void)state;
	cJSON *item = aws_ddb_item();
	assert_int_equal(aws_ddb_put(item, "id", aws_ddb_s("i1")), 0);
	cJSON *m = aws_ddb_m();
	assert_int_equal(aws_ddb_put(aws_ddb_map(m), "w", aws_ddb_n_int(200)), 0);
	cJSON *l = aws_ddb_l();
	assert_int_equal(aws_ddb_append(l, aws_ddb_s("a")), 0);
	assert_int_equal(aws_ddb_append(l, aws_ddb_bool(1)), 0);
	assert_int_equal(aws_ddb_put(aws_ddb_map(m), "l", l), 0);
	assert_int_equal(aws_ddb_put(item, "m", m), 0);
	/* replacing keeps one member */
	assert_int_equal(aws_ddb_put(item, "id", aws_ddb_s("i2")), 0);
	/* misuse: not a map / not a list; the value is freed, not leaked */
	assert_int_equal(aws_ddb_put(NULL, "x", aws_ddb_s("y")), -1);
	assert_int_equal(aws_ddb_put(item, "x", NULL), -1);
	assert_int_equal(aws_ddb_append(item, aws_ddb_s("y")), -1);
	assert_null(aws_ddb_map(aws_ddb_get(item, "id")));

	char *s = cJSON_PrintUnformatted(item);
	assert_string_equal(s, "{\"id\":{\"S\":\"i2\"},\"m\":{\"M\":{\"w\":{\"N\":\"200\"},"
			       "\"l\":{\"L\":[{\"S\":\"a\"},{\"BOOL\":true}]}}}}");
	free(s);

	/* readers */
	assert_string_equal(aws_ddb_get_s(item, "id"), "i2");
	assert_null(aws_ddb_get_s(item, "m"));
	assert_null(aws_ddb_get_s(item, "nope"));
	long long w = 0;
	assert_int_equal(aws_ddb_get_ll(aws_ddb_map(aws_ddb_get(item, "m")), "w", &w), 0);
	assert_int_equal(w, 200);
	assert_int_equal(aws_ddb_get_ll(item, "id", &w), -1);
	int b;
	assert_int_equal(aws_ddb_get_bool(item, "id", &b), -1);
	cJSON_Delete(item);
}

static void test_to_json(void **state)
{
	(void)state;
	cJSON *in = cJSON_Parse(
		"{\"s\":{\"S\":\"x\"},\"n\":{\"N\":\"12345678901234567890\"},\"f\":{\"N\":\"-1.5\"},"
		"\"b\":{\"BOOL\":false},\"z\":{\"NULL\":true},\"bin\":{\"B\":\"AQI=\"},"
		"\"ss\":{\"SS\":[\"a\"]},\"ns\":{\"NS\":[\"1\",\"2.5\"]},"
		"\"l\":{\"L\":[{\"N\":\"1\"},{\"M\":{\"k\":{\"S\":\"v\"}}}]},"
		"\"m\":{\"M\":{}}}");
	cJSON *out = aws_ddb_to_json(in);
	char *s = cJSON_PrintUnformatted(out);
	assert_string_equal(s, "{\"s\":\"x\",\"n\":12345678901234567890,\"f\":-1.5,\"b\":false,"
			       "\"z\":null,\"bin\":\"AQI=\",\"ss\":[\"a\"],\"ns\":[1,2.5],"
			       "\"l\":[1,{\"k\":\"v\"}],\"m\":{}}");
	free(s);
	cJSON_Delete(out);
	cJSON_Delete(in);

	/* not DynamoDB JSON: unknown type, two types, bad number */
	const char *bad[] = {
		"{\"a\":{\"X\":\"1\"}}", "{\"a\":{\"S\":\"1\",\"N\":\"1\"}}",
		"{\"a\":{\"N\":\"1; drop\"}}", "{\"a\":\"plain\"}", "[]",
		"{\"a\":{\"NS\":[\"x\"]}}", "{\"a\":{\"L\":[{\"Q\":1}]}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = cJSON_Parse(bad[i]);
		assert_null(aws_ddb_to_json(in));
		cJSON_Delete(in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_to_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
