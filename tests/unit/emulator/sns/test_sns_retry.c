/*
 * test_sns_retry.c - the SNS delivery retry schedule (AWS's four phases
 * of a healthyRetryPolicy), DeliveryPolicy validation, and which policy
 * applies to a subscription.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "sns/sns.h"

static void test_default_http_policy(void **state)
{
	(void)state;
	/* 3 retries, 20 s apart */
	for (int r = 1; r <= 3; r++)
		assert_int_equal(sns_retry_delay_ms(NULL, r, 0), 20000);
	assert_int_equal(sns_retry_delay_ms(NULL, 4, 0), -1);
	assert_int_equal(sns_retry_delay_ms(NULL, 0, 0), -1);
	/* --fast-retries: a second counts as a millisecond */
	assert_int_equal(sns_retry_delay_ms(NULL, 1, 1), 20);
}

static void test_four_phases(void **state)
{
	(void)state;
	const char *p = "{\"minDelayTarget\":1,\"maxDelayTarget\":60,"
			"\"numRetries\":50,\"numNoDelayRetries\":3,"
			"\"numMinDelayRetries\":2,\"numMaxDelayRetries\":35,"
			"\"backoffFunction\":\"linear\"}";
	for (int r = 1; r <= 3; r++)
		assert_int_equal(sns_retry_delay_ms(p, r, 0), 0);
	assert_int_equal(sns_retry_delay_ms(p, 4, 0), 1000);
	assert_int_equal(sns_retry_delay_ms(p, 5, 0), 1000);
	/* backoff: 10 retries from 1 s towards 60 s, rising */
	long prev = 1000;
	for (int r = 6; r <= 15; r++) {
		long d = sns_retry_delay_ms(p, r, 0);
		assert_true(d > prev);
		prev = d;
	}
	assert_int_equal(sns_retry_delay_ms(p, 6, 0), 6900);
	assert_int_equal(sns_retry_delay_ms(p, 15, 0), 60000);
	for (int r = 16; r <= 50; r++)
		assert_int_equal(sns_retry_delay_ms(p, r, 0), 60000);
	assert_int_equal(sns_retry_delay_ms(p, 51, 0), -1);
}

static void test_backoff_functions(void **state)
{
	(void)state;
	const char *exp = "{\"minDelayTarget\":1,\"maxDelayTarget\":16,"
			  "\"numRetries\":4,\"backoffFunction\":"
			  "\"exponential\"}";
	/* 1 * 16^(k/4): 2, 4, 8, 16 s */
	assert_int_equal(sns_retry_delay_ms(exp, 1, 0), 2000);
	assert_int_equal(sns_retry_delay_ms(exp, 2, 0), 4000);
	assert_int_equal(sns_retry_delay_ms(exp, 4, 0), 16000);
	const char *geo = "{\"minDelayTarget\":1,\"maxDelayTarget\":9,"
			  "\"numRetries\":2,\"backoffFunction\":"
			  "\"geometric\"}";
	assert_int_equal(sns_retry_delay_ms(geo, 1, 0), 2000);
	assert_int_equal(sns_retry_delay_ms(geo, 2, 0), 9000);
}

static void test_policy_validation(void **state)
{
	(void)state;
	assert_int_equal(sns_delivery_policy_check(
				 "{\"healthyRetryPolicy\":{\"numRetries\":5,"
				 "\"minDelayTarget\":2,\"maxDelayTarget\":30}}",
				 0), 0);
	assert_int_equal(sns_delivery_policy_check(
				 "{\"http\":{\"defaultHealthyRetryPolicy\":{"
				 "\"numRetries\":5}}}", 1), 0);
	static const char *const bad_sub[] = {
		"nope",
		"{\"healthyRetryPolicy\":{\"numRetries\":101}}",
		"{\"healthyRetryPolicy\":{\"minDelayTarget\":30,"
		"\"maxDelayTarget\":2}}",
		"{\"healthyRetryPolicy\":{\"maxDelayTarget\":3601}}",
		"{\"healthyRetryPolicy\":{\"numRetries\":2,"
		"\"numNoDelayRetries\":3}}",
		"{\"healthyRetryPolicy\":{\"backoffFunction\":\"cubic\"}}",
		"{\"healthyRetryPolicy\":{\"numRetries\":\"3\"}}",
		"{\"healthyRetryPolicy\":[]}",
	};
	for (size_t i = 0; i < sizeof(bad_sub) / sizeof(*bad_sub); i++)
		if (sns_delivery_policy_check(bad_sub[i], 0) == 0)
			fail_msg("accepted %s", bad_sub[i]);
}

static void test_effective_policy(void **state)
{
	(void)state;
	cJSON *topic = cJSON_Parse(
		"{\"DeliveryPolicy\":\"{\\\"http\\\":{\\\"defaultHealthyRetry"
		"Policy\\\":{\\\"numRetries\\\":7}}}\"}");
	cJSON *sub = cJSON_Parse(
		"{\"DeliveryPolicy\":\"{\\\"healthyRetryPolicy\\\":{"
		"\\\"numRetries\\\":9}}\"}");
	cJSON *none = cJSON_CreateObject();
	char *p = sns_effective_retry_policy(none, none);
	assert_non_null(strstr(p, "\"numRetries\":3"));
	free(p);
	p = sns_effective_retry_policy(topic, none);
	assert_non_null(strstr(p, "\"numRetries\":7"));
	free(p);
	p = sns_effective_retry_policy(topic, sub);
	assert_non_null(strstr(p, "\"numRetries\":9"));
	assert_int_equal(sns_retry_delay_ms(p, 9, 0), 20000);
	assert_int_equal(sns_retry_delay_ms(p, 10, 0), -1);
	free(p);
	cJSON *locked = cJSON_Parse(
		"{\"DeliveryPolicy\":\"{\\\"http\\\":{\\\"defaultHealthyRetry"
		"Policy\\\":{\\\"numRetries\\\":7},\\\"disableSubscription"
		"Overrides\\\":true}}\"}");
	p = sns_effective_retry_policy(locked, sub);
	assert_non_null(strstr(p, "\"numRetries\":7"));
	free(p);
	cJSON_Delete(locked);
	cJSON_Delete(topic);
	cJSON_Delete(sub);
	cJSON_Delete(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_http_policy),
		cmocka_unit_test(test_four_phases),
		cmocka_unit_test(test_backoff_functions),
		cmocka_unit_test(test_policy_validation),
		cmocka_unit_test(test_effective_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
