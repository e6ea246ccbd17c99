/*
 * test_sns_filter.c - SNS filter policies, table-driven from the examples
 * in AWS's "Amazon SNS message filtering" documentation: the sample
 * message (attributes customer_interests, store, event, price_usd, and
 * the same content as a JSON body) against each documented operator,
 * plus the policies AWS refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "sns/sns_filter.h"

/* AWS's sample message attributes (notification shape). */
static const char attrs_json[] =
	"{\"customer_interests\":{\"Type\":\"String.Array\",\"Value\":"
	"\"[\\\"soccer\\\", \\\"rugby\\\", \\\"hockey\\\"]\"},"
	"\"store\":{\"Type\":\"String\",\"Value\":\"example_corp\"},"
	"\"event\":{\"Type\":\"String\",\"Value\":\"order_placed\"},"
	"\"price_usd\":{\"Type\":\"Number\",\"Value\":\"210.75\"},"
	"\"source_ip\":{\"Type\":\"String\",\"Value\":\"10.0.0.255\"},"
	"\"blob\":{\"Type\":\"Binary\",\"Value\":\"AAEC\"}}";

/* The same content as a message body, with nesting. */
static const char body_json[] =
	"{\"customer_interests\":[\"soccer\",\"rugby\",\"hockey\"],"
	"\"store\":\"example_corp\",\"event\":\"order_placed\","
	"\"price_usd\":210.75,\"delivery\":null,\"gift\":false,"
	"\"order\":{\"total\":{\"amount\":5,\"currency\":\"EUR\"}},"
	"\"source\":\"aws.cloudwatch\",\"metricName\":\"CPUUtilization\"}";

struct match_case {
	const char *policy;
	int expect;
};

static const struct match_case attr_cases[] = {
	/* the documented combined example */
	{"{\"store\":[\"example_corp\"],\"event\":[{\"anything-but\":"
	 "\"order_cancelled\"}],\"customer_interests\":[\"rugby\","
	 "\"football\",\"baseball\"],\"price_usd\":[{\"numeric\":[\">=\","
	 "100]}]}", 1},
	/* exact string; OR inside a key; AND across keys */
	{"{\"store\":[\"example_corp\"]}", 1},
	{"{\"store\":[\"other\",\"example_corp\"]}", 1},
	{"{\"store\":[\"example_corp\"],\"event\":[\"order_cancelled\"]}", 0},
	/* String.Array: any element */
	{"{\"customer_interests\":[\"rugby\",\"tennis\"]}", 1},
	{"{\"customer_interests\":[\"tennis\"]}", 0},
	/* prefix / suffix / equals-ignore-case */
	{"{\"customer_interests\":[{\"prefix\":\"bas\"}]}", 0},
	{"{\"customer_interests\":[{\"prefix\":\"hock\"}]}", 1},
	{"{\"store\":[{\"suffix\":\"_corp\"}]}", 1},
	{"{\"store\":[{\"suffix\":\"inc\"}]}", 0},
	{"{\"store\":[{\"equals-ignore-case\":\"EXAMPLE_CORP\"}]}", 1},
	/* anything-but: value, list, prefix */
	{"{\"event\":[{\"anything-but\":[\"order_cancelled\","
	 "\"order_failed\"]}]}", 1},
	{"{\"event\":[{\"anything-but\":[\"order_placed\"]}]}", 0},
	{"{\"event\":[{\"anything-but\":{\"prefix\":\"order-\"}}]}", 1},
	{"{\"event\":[{\"anything-but\":{\"prefix\":\"order_\"}}]}", 0},
	{"{\"price_usd\":[{\"anything-but\":[100,500]}]}", 1},
	{"{\"missing\":[{\"anything-but\":\"x\"}]}", 0},
	/* numeric: equality, ranges; strings do not match numbers */
	{"{\"price_usd\":[{\"numeric\":[\"=\",210.75]}]}", 1},
	{"{\"price_usd\":[{\"numeric\":[\">\",0,\"<=\",150]}]}", 0},
	{"{\"price_usd\":[{\"numeric\":[\">\",200,\"<\",300]}]}", 1},
	{"{\"price_usd\":[210.75]}", 1},
	{"{\"price_usd\":[\"210.75\"]}", 0},
	{"{\"store\":[{\"numeric\":[\">\",0]}]}", 0},
	/* exists */
	{"{\"store\":[{\"exists\":true}]}", 1},
	{"{\"encrypted\":[{\"exists\":false}]}", 1},
	{"{\"store\":[{\"exists\":false}]}", 0},
	{"{\"encrypted\":[{\"exists\":true}]}", 0},
	{"{\"blob\":[{\"exists\":true}]}", 1},
	{"{\"blob\":[\"AAEC\"]}", 0},
	/* a missing key matches nothing else */
	{"{\"color\":[\"red\"]}", 0},
	/* cidr */
	{"{\"source_ip\":[{\"cidr\":\"10.0.0.0/24\"}]}", 1},
	{"{\"source_ip\":[{\"cidr\":\"10.0.1.0/24\"}]}", 0},
	/* $or */
	{"{\"store\":[\"example_corp\"],\"$or\":[{\"event\":[\"x\"]},"
	 "{\"price_usd\":[{\"numeric\":[\">\",200]}]}]}", 1},
	{"{\"$or\":[{\"event\":[\"x\"]},{\"store\":[\"y\"]}]}", 0},
	/* nested keys do not exist in attributes */
	{"{\"order\":{\"total\":[\"5\"]}}", 0},
	/* the empty policy lets everything through */
	{"{}", 1},
};

static const struct match_case body_cases[] = {
	{"{\"store\":[\"example_corp\"],\"price_usd\":[{\"numeric\":"
	 "[\">=\",100]}]}", 1},
	{"{\"customer_interests\":[\"rugby\"]}", 1},
	{"{\"order\":{\"total\":{\"amount\":[{\"numeric\":[\">\",1]}]}}}", 1},
	{"{\"order\":{\"total\":{\"currency\":[\"USD\"]}}}", 0},
	{"{\"order\":{\"total\":{\"tax\":[{\"exists\":false}]}}}", 1},
	{"{\"order\":{\"shipping\":{\"carrier\":[{\"exists\":false}]}}}", 1},
	{"{\"delivery\":[null]}", 1},
	{"{\"gift\":[false]}", 1},
	{"{\"gift\":[true]}", 0},
	{"{\"price_usd\":[210.75]}", 1},
	{"{\"source\":[\"aws.cloudwatch\"],\"$or\":[{\"metricName\":"
	 "[\"CPUUtilization\"]},{\"namespace\":[\"AWS/EC2\"]}]}", 1},
	{"{\"source\":[\"aws.cloudwatch\"],\"$or\":[{\"metricName\":"
	 "[\"ReadLatency\"]},{\"namespace\":[\"AWS/EC2\"]}]}", 0},
	{"{\"store\":[{\"prefix\":\"example\"}]}", 1},
};

static void test_attribute_scope(void **state)
{
	(void)state;
	cJSON *attrs = cJSON_Parse(attrs_json);
	assert_non_null(attrs);
	for (size_t i = 0; i < sizeof(attr_cases) / sizeof(*attr_cases); i++) {
		char err[256] = "";
		const struct match_case *c = &attr_cases[i];
		if (sns_filter_check(c->policy, err, sizeof(err)) != 0)
			fail_msg("case %zu: valid policy refused: %s (%s)", i,
				 c->policy, err);
		int got = sns_filter_match(c->policy, 0, attrs, NULL);
		if (got != c->expect)
			fail_msg("case %zu: %s: got %d, want %d", i, c->policy,
				 got, c->expect);
	}
	cJSON_Delete(attrs);
}

static void test_body_scope(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(body_cases) / sizeof(*body_cases); i++) {
		char err[256] = "";
		const struct match_case *c = &body_cases[i];
		if (sns_filter_check(c->policy, err, sizeof(err)) != 0)
			fail_msg("case %zu: valid policy refused: %s (%s)", i,
				 c->policy, err);
		int got = sns_filter_match(c->policy, 1, NULL, body_json);
		if (got != c->expect)
			fail_msg("case %zu: %s: got %d, want %d", i, c->policy,
				 got, c->expect);
	}
	/* a body that is not JSON matches no body-scope policy */
	assert_int_equal(sns_filter_match("{\"a\":[\"b\"]}", 1, NULL,
					  "not json"), 0);
}

static void test_no_attributes(void **state)
{
	(void)state;
	assert_int_equal(sns_filter_match("{\"a\":[\"b\"]}", 0, NULL, "x"), 0);
	assert_int_equal(sns_filter_match("{\"a\":[{\"exists\":false}]}", 0,
					  NULL, "x"), 1);
}

static void test_invalid_policies(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"not json",
		"[\"a\"]",
		"{\"a\":\"b\"}",
		"{\"a\":[]}",
		"{\"a\":[{\"numeric\":[\">\",\"x\"]}]}",
		"{\"a\":[{\"numeric\":[\"~\",1]}]}",
		"{\"a\":[{\"numeric\":[\">\",5,\"<\",1]}]}",
		"{\"a\":[{\"unknown\":1}]}",
		"{\"a\":[{\"exists\":\"yes\"}]}",
		"{\"a\":[{\"prefix\":1}]}",
		"{\"a\":[{\"anything-but\":[true]}]}",
		"{\"$or\":[{\"a\":[\"b\"]}]}",
		"{\"a\":[[\"nested\"]]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char err[256] = "";
		if (sns_filter_check(bad[i], err, sizeof(err)) == 0)
			fail_msg("accepted an invalid policy: %s", bad[i]);
		assert_non_null(strstr(err, "Invalid parameter: FilterPolicy"));
		/* and evaluation of garbage never matches */
		if (strcmp(bad[i], "not json") == 0)
			assert_int_equal(sns_filter_match(bad[i], 0, NULL, ""),
					 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attribute_scope),
		cmocka_unit_test(test_body_scope),
		cmocka_unit_test(test_no_attributes),
		cmocka_unit_test(test_invalid_policies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
