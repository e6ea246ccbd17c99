/*
 * aws_retry.c - the "standard" retry mode of the AWS SDKs: which failures
 * are retried, the full-jitter exponential backoff, and the per-client
 * retry quota (see aws_http.h).  Pure functions, so tests can check the
 * policy without a network.
 */
#include "aws_http.h"

#include <curl/curl.h>
#include <string.h>

/* Error codes the SDKs treat as throttling (botocore's union of them). */
static const char *const throttle_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException",
	"RequestThrottledException", "TooManyRequestsException",
	"ProvisionedThroughputExceededException", "TransactionInProgressException",
	"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
	"RequestThrottled", "SlowDown", "EC2ThrottledException",
};

/* Codes retried as transient whatever their status. */
static const char *const transient_codes[] = {
	"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
};

static int in_list(const char *code, const char *const *list, size_t n)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return 1;
	return 0;
}

enum aws_retry_kind aws_retry_classify(int curl_code, int status, const char *code)
{
	switch (curl_code) {
	case CURLE_OK:
		break;
	case CURLE_OPERATION_TIMEDOUT:
		return AWS_RETRY_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return AWS_RETRY_TRANSIENT;
	default:
		return AWS_RETRY_NO; /* local failures: a retry would fail again */
	}
	if (in_list(code, throttle_codes, sizeof(throttle_codes) / sizeof(*throttle_codes)) ||
	    status == 429)
		return AWS_RETRY_THROTTLE;
	if (in_list(code, transient_codes, sizeof(transient_codes) / sizeof(*transient_codes)))
		return AWS_RETRY_TRANSIENT;
	if (status == 500 || status == 502 || status == 503 || status == 504)
		return AWS_RETRY_TRANSIENT;
	return AWS_RETRY_NO;
}

long aws_retry_delay_ms(int attempt, double rand01)
{
	if (attempt < 1)
		attempt = 1;
	if (rand01 < 0)
		rand01 = 0;
	if (rand01 >= 1)
		rand01 = 0.999999;
	long ceiling = AWS_RETRY_MAX_BACKOFF_MS;
	if (attempt <= 15) {
		long exp = 1000L << (attempt - 1);
		if (exp < ceiling)
			ceiling = exp;
	}
	return (long)(rand01 * (double)ceiling);
}

int aws_retry_quota_acquire(int *quota, enum aws_retry_kind kind)
{
	int cost = kind == AWS_RETRY_TIMEOUT ? AWS_RETRY_TIMEOUT_COST : AWS_RETRY_COST;
	if (kind == AWS_RETRY_NO || *quota < cost)
		return 0;
	*quota -= cost;
	return cost;
}

void aws_retry_quota_release(int *quota, int cost)
{
	*quota += cost > 0 ? cost : 1;
	if (*quota > AWS_RETRY_QUOTA_INITIAL)
		*quota = AWS_RETRY_QUOTA_INITIAL;
}
