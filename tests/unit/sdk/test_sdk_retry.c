/*
 * test_sdk_retry.c - unit tests for sdk/aws_retry.c: which failures the
 * standard retry mode retries, the full-jitter backoff bounds, and the
 * retry quota's accounting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "aws_http.h"

static void test_classify(void **state)
{
	(void)state;
	/* transport failures */
	assert_int_equal(aws_retry_classify(CURLE_OPERATION_TIMEDOUT, 0, NULL), AWS_RETRY_TIMEOUT);
	assert_int_equal(aws_retry_classify(CURLE_COULDNT_CONNECT, 0, NULL), AWS_RETRY_TRANSIENT);
	assert_int_equal(aws_retry_classify(CURLE_RECV_ERROR, 0, NULL), AWS_RETRY_TRANSIENT);
	assert_int_equal(aws_retry_classify(CURLE_GOT_NOTHING, 0, NULL), AWS_RETRY_TRANSIENT);
	assert_int_equal(aws_retry_classify(CURLE_WRITE_ERROR, 0, NULL), AWS_RETRY_NO);
	assert_int_equal(aws_retry_classify(CURLE_URL_MALFORMAT, 0, NULL), AWS_RETRY_NO);
	/* statuses */
	assert_int_equal(aws_retry_classify(0, 500, "InternalError"), AWS_RETRY_TRANSIENT);
	assert_int_equal(aws_retry_classify(0, 502, "BadGateway"), AWS_RETRY_TRANSIENT);
	assert_int_equal(aws_retry_classify(0, 503, "ServiceUnavailable"), AWS_RETRY_TRANSIENT);
	assert_int_equal(aws_retry_classify(0, 504, NULL), AWS_RETRY_TRANSIENT);
	assert_int_equal(aws_retry_classify(0, 501, "NotImplemented"), AWS_RETRY_NO);
	assert_int_equal(aws_retry_classify(0, 429, "Whatever"), AWS_RETRY_THROTTLE);
	/* codes */
	assert_int_equal(aws_retry_classify(0, 503, "SlowDown"), AWS_RETRY_THROTTLE);
	assert_int_equal(aws_retry_classify(0, 400, "ThrottlingException"), AWS_RETRY_THROTTLE);
	assert_int_equal(aws_retry_classify(0, 400, "Throttling"), AWS_RETRY_THROTTLE);
	assert_int_equal(aws_retry_classify(0, 400, "ProvisionedThroughputExceededException"),
			 AWS_RETRY_THROTTLE);
	assert_int_equal(aws_retry_classify(0, 400, "RequestTimeout"), AWS_RETRY_TRANSIENT);
	assert_int_equal(aws_retry_classify(0, 408, "RequestTimeoutException"), AWS_RETRY_TRANSIENT);
	/* final answers */
	assert_int_equal(aws_retry_classify(0, 400, "ConditionalCheckFailedException"), AWS_RETRY_NO);
	assert_int_equal(aws_retry_classify(0, 404, "NoSuchKey"), AWS_RETRY_NO);
	assert_int_equal(aws_retry_classify(0, 403, "AccessDenied"), AWS_RETRY_NO);
	assert_int_equal(aws_retry_classify(0, 400, "ValidationException"), AWS_RETRY_NO);
}

static void test_delay(void **state)
{
	(void)state;
	/* rand * min(2^(i-1) s, 20 s) */
	assert_int_equal(aws_retry_delay_ms(1, 0.0), 0);
	assert_int_equal(aws_retry_delay_ms(1, 0.5), 500);
	assert_int_equal(aws_retry_delay_ms(2, 0.5), 1000);
	assert_int_equal(aws_retry_delay_ms(3, 0.5), 2000);
	assert_int_equal(aws_retry_delay_ms(5, 0.25), 4000);
	/* capped at 20 s from the sixth retry on (2^5 = 32 > 20) */
	assert_int_equal(aws_retry_delay_ms(6, 0.5), 10000);
	assert_int_equal(aws_retry_delay_ms(40, 0.5), 10000);
	assert_true(aws_retry_delay_ms(40, 0.9999) < AWS_RETRY_MAX_BACKOFF_MS);
	/* inputs out of range are clamped, never negative or past the cap */
	assert_int_equal(aws_retry_delay_ms(0, 0.5), 500);
	assert_int_equal(aws_retry_delay_ms(1, -3), 0);
	assert_true(aws_retry_delay_ms(1, 7) < 1000);
	for (int i = 1; i < 20; i++)
		for (double r = 0; r < 1; r += 0.125)
			assert_true(aws_retry_delay_ms(i, r) <= AWS_RETRY_MAX_BACKOFF_MS);
}

static void test_quota(void **state)
{
	(void)state;
	int q = AWS_RETRY_QUOTA_INITIAL;
	assert_int_equal(aws_retry_quota_acquire(&q, AWS_RETRY_TRANSIENT), AWS_RETRY_COST);
	assert_int_equal(q, 495);
	assert_int_equal(aws_retry_quota_acquire(&q, AWS_RETRY_TIMEOUT), AWS_RETRY_TIMEOUT_COST);
	assert_int_equal(q, 485);
	assert_int_equal(aws_retry_quota_acquire(&q, AWS_RETRY_NO), 0);
	assert_int_equal(q, 485);
	aws_retry_quota_release(&q, 10); /* a success after a retry refunds it */
	assert_int_equal(q, 495);
	aws_retry_quota_release(&q, 0);  /* a first-try success adds 1 */
	assert_int_equal(q, 496);
	for (int i = 0; i < 10; i++)
		aws_retry_quota_release(&q, 0);
	assert_int_equal(q, AWS_RETRY_QUOTA_INITIAL); /* never above the start */
	/* drain: 100 retries of 5 empty it, then no more retries */
	for (int i = 0; i < 100; i++)
		assert_int_equal(aws_retry_quota_acquire(&q, AWS_RETRY_THROTTLE), AWS_RETRY_COST);
	assert_int_equal(q, 0);
	assert_int_equal(aws_retry_quota_acquire(&q, AWS_RETRY_THROTTLE), 0);
	q = 7;
	assert_int_equal(aws_retry_quota_acquire(&q, AWS_RETRY_TIMEOUT), 0);
	assert_int_equal(aws_retry_quota_acquire(&q, AWS_RETRY_TRANSIENT), AWS_RETRY_COST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_quota),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
