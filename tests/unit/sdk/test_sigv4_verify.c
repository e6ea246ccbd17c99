/*
 * test_sigv4_verify.c - unit tests for sdk/sigv4_verify.c that need no
 * vectors: the Authorization and credential parsers (accepted variants,
 * every rejection, outputs untouched on failure), dates, the checks
 * sigv4_verify makes before it computes a signature (missing, repeated
 * or malformed auth, dates, presigned parameters) and the AWS error
 * table.  The vector-driven sign/verify tests are in test_sigv4.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sigv4.h"

/* The secret lookup: a table of one key. */
struct keyring {
	const char *access_key;
	const char *secret;
};

static const char *lookup(void *arg, const char *access_key)
{
	const struct keyring *k = arg;
	return strcmp(access_key, k->access_key) == 0 ? k->secret : NULL;
}

static enum sigv4_err verify_with(const struct sigv4_request *r,
				  const struct keyring *keys, time_t now)
{
	struct sigv4_verified out;
	enum sigv4_err e = sigv4_verify(r, lookup, (void *)keys, now, &out);
	sigv4_verified_free(&out);
	return e;
}

static void test_parse_authorization_variants(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3/aws4_request, "
		"SignedHeaders=host;x-amz-date, Signature=abcdef0123",
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3/aws4_request,"
		"SignedHeaders=host;x-amz-date,Signature=abcdef0123",
		"  AWS4-HMAC-SHA256   Signature=abcdef0123 ,  SignedHeaders=host;x-amz-date"
		" ,Credential=AKID/20250101/us-east-1/s3/aws4_request  ",
	};
	struct sigv4_auth a;

	for (size_t i = 0; i < 3; i++) {
		memset(&a, 0, sizeof(a));
		assert_int_equal(sigv4_parse_authorization(ok[i], &a), SIGV4_OK);
		assert_string_equal(a.access_key, "AKID");
		assert_string_equal(a.date, "20250101");
		assert_string_equal(a.region, "us-east-1");
		assert_string_equal(a.service, "s3");
		assert_string_equal(a.signed_headers, "host;x-amz-date");
		assert_string_equal(a.signature, "abcdef0123");
	}
}

static void test_parse_authorization_errors(void **state)
{
	(void)state;
	static const struct {
		const char *header;
		enum sigv4_err err;
	} cases[] = {
		{ "AWS AKID:c2ln", SIGV4_ERR_ALGORITHM },
		{ "AWS4-ECDSA-P256-SHA256 Credential=A/20250101/r/s/aws4_request, "
		  "SignedHeaders=host, Signature=ab", SIGV4_ERR_ALGORITHM },
		{ "", SIGV4_ERR_ALGORITHM },
		{ "AWS4-HMAC-SHA256", SIGV4_ERR_INCOMPLETE },
		{ "AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4_request, "
		  "SignedHeaders=host", SIGV4_ERR_INCOMPLETE },
		{ "AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4_request, "
		  "SignedHeaders=host, Signature=", SIGV4_ERR_INCOMPLETE },
		{ "AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4_reques, "
		  "SignedHeaders=host, Signature=ab", SIGV4_ERR_MALFORMED },
		{ "AWS4-HMAC-SHA256 Credential=A/20250101/r/aws4_request, "
		  "SignedHeaders=host, Signature=ab", SIGV4_ERR_MALFORMED },
		{ "AWS4-HMAC-SHA256 Credential=A/2025011/r/s/aws4_request, "
		  "SignedHeaders=host, Signature=ab", SIGV4_ERR_MALFORMED },
		{ "AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4_request, "
		  "SignedHeaders=host, Signature=xyz", SIGV4_ERR_MALFORMED },
		{ "AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4_request, "
		  "SignedHeaders=host;;date, Signature=ab", SIGV4_ERR_MALFORMED },
		{ "AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4_request, "
		  "Credential=A/20250101/r/s/aws4_request, SignedHeaders=host, "
		  "Signature=ab", SIGV4_ERR_MALFORMED },
		{ "AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4_request, "
		  "SignedHeaders=host, Signature=ab, Extra=1", SIGV4_ERR_MALFORMED },
		{ "AWS4-HMAC-SHA256 Credential A/20250101/r/s/aws4_request",
		  SIGV4_ERR_MALFORMED },
		{ "AWS4-HMAC-SHA256 Credential=A/20250101/r/s/aws4_request, "
		  "SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef"
		  "0123456789abcdef0123456789abcdef0", SIGV4_ERR_MALFORMED },
	};
	struct sigv4_auth a, sentinel;

	memset(&sentinel, 0x5a, sizeof(sentinel));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = sentinel;
		int e = sigv4_parse_authorization(cases[i].header, &a);
		if (e != (int)cases[i].err) {
			print_error("case %zu (%s): got %d want %d\n", i,
				    cases[i].header, e, cases[i].err);
			fail();
		}
		assert_memory_equal(&a, &sentinel, sizeof(a)); /* untouched */
	}
	/* an access key longer than the buffer */
	char big[400];
	snprintf(big, sizeof(big), "AWS4-HMAC-SHA256 Credential=%0200d/20250101/r/s/"
		 "aws4_request, SignedHeaders=host, Signature=ab", 0);
	assert_int_equal(sigv4_parse_authorization(big, &a), SIGV4_ERR_MALFORMED);
}

static void test_parse_credential(void **state)
{
	(void)state;
	struct sigv4_auth a;

	assert_int_equal(sigv4_parse_credential(
		"AKIDEXAMPLE/20250101/eu-west-1/dynamodb/aws4_request", &a), SIGV4_OK);
	assert_string_equal(a.access_key, "AKIDEXAMPLE");
	assert_string_equal(a.date, "20250101");
	assert_string_equal(a.region, "eu-west-1");
	assert_string_equal(a.service, "dynamodb");
	static const char *const bad[] = {
		"", "AKID", "AKID/20250101/r/s", "AKID/20250101/r/s/aws4_request/x",
		"/20250101/r/s/aws4_request", "AKID/2025010a/r/s/aws4_request",
		"AKID/20250101//s/aws4_request", "AKID/20250101/r//aws4_request",
		"AK ID/20250101/r/s/aws4_request", "AKID/20250101/r/s/AWS4_REQUEST",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sigv4_parse_credential(bad[i], &a), SIGV4_ERR_MALFORMED);
}

static void test_dates(void **state)
{
	(void)state;
	char s[17];
	time_t t = 0;

	sigv4_format_date(1735689600, s);
	assert_string_equal(s, "20250101T000000Z");
	assert_int_equal(sigv4_parse_date("20250615T123456Z", &t), 0);
	sigv4_format_date(t, s);
	assert_string_equal(s, "20250615T123456Z");
	static const char *const bad[] = { "20250101T000000", "20250101 000000Z",
		"2025-01-01T00:00:00Z", "20251301T000000Z", "20250230T000000Z",
		"20250101T250000Z", "20250101T000000Zx", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sigv4_parse_date(bad[i], &t), -1);
}

/* Verify a hand-built request; headers and query given. */
static enum sigv4_err verify_raw(const struct sigv4_header *h, size_t n,
				 const char *query, time_t now)
{
	struct sigv4_request r = { .method = "GET", .path = "/b/k", .query = query,
				   .headers = h, .header_count = n };
	struct keyring keys = { "AKID", "secret" };
	return verify_with(&r, &keys, now);
}

static void test_verify_request_errors(void **state)
{
	(void)state;
	const char *authz = "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/"
			    "s3/aws4_request, SignedHeaders=host;x-amz-date, "
			    "Signature=0000000000000000000000000000000000000000"
			    "000000000000000000000000";
	time_t now = 1735689600;
	struct sigv4_header h[] = { { "Host", "h" }, { "Authorization", authz },
				    { "X-Amz-Date", "20250101T000000Z" } };

	assert_int_equal(verify_raw(h, 1, NULL, now), SIGV4_ERR_MISSING);
	assert_int_equal(verify_raw(h, 1, "a=1&X-Amz-Date=x", now), SIGV4_ERR_MISSING);
	assert_int_equal(verify_raw(h, 3, NULL, now), SIGV4_ERR_SIGNATURE);
	assert_int_equal(verify_raw(h, 3, "X-Amz-Signature=ab", now),
			 SIGV4_ERR_MULTIPLE);
	/* no date at all, a bad date, a date of another day */
	assert_int_equal(verify_raw(h, 2, NULL, now), SIGV4_ERR_DATE);
	struct sigv4_header bad_date[] = { h[0], h[1], { "x-amz-date", "yesterday" } };
	assert_int_equal(verify_raw(bad_date, 3, NULL, now), SIGV4_ERR_DATE);
	struct sigv4_header other_day[] = { h[0], h[1],
					    { "X-Amz-Date", "20250102T000000Z" } };
	assert_int_equal(verify_raw(other_day, 3, NULL, now + 86400),
			 SIGV4_ERR_CREDENTIAL_DATE);
	/* the Date header stands in for X-Amz-Date */
	struct sigv4_header http_date[] = { h[0], h[1],
					    { "Date", "Wed, 01 Jan 2025 00:00:00 GMT" } };
	assert_int_equal(verify_raw(http_date, 3, NULL, now), SIGV4_ERR_SIGNATURE);
	assert_int_equal(verify_raw(http_date, 3, NULL, now + 3600),
			 SIGV4_ERR_TIME_SKEWED);
	struct sigv4_header bad_http[] = { h[0], h[1], { "Date", "Wed, 01 Jan 2025" } };
	assert_int_equal(verify_raw(bad_http, 3, NULL, now), SIGV4_ERR_DATE);
	struct sigv4_header sigv2[] = { h[0], { "Authorization", "AWS AKID:c2ln" }, h[2] };
	assert_int_equal(verify_raw(sigv2, 3, NULL, now), SIGV4_ERR_ALGORITHM);
	struct sigv4_header unknown[] = { h[0],
		{ "Authorization", "AWS4-HMAC-SHA256 Credential=NOPE/20250101/us-east-1/"
		  "s3/aws4_request, SignedHeaders=host, Signature=00" }, h[2] };
	assert_int_equal(verify_raw(unknown, 3, NULL, now), SIGV4_ERR_UNKNOWN_KEY);
}

static void test_verify_presigned_errors(void **state)
{
	(void)state;
	struct sigv4_header h[] = { { "Host", "h" } };
	time_t now = 1735689600;
	const char *base = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
			   "AKID%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&"
			   "X-Amz-Date=20250101T000000Z&X-Amz-SignedHeaders=host&"
			   "X-Amz-Signature=00";
	char q[512];

	snprintf(q, sizeof(q), "%s&X-Amz-Expires=60", base);
	assert_int_equal(verify_raw(h, 1, q, now), SIGV4_ERR_SIGNATURE);
	assert_int_equal(verify_raw(h, 1, base, now), SIGV4_ERR_QUERY);
	snprintf(q, sizeof(q), "%s&X-Amz-Expires=604801", base);
	assert_int_equal(verify_raw(h, 1, q, now), SIGV4_ERR_EXPIRES_TOO_LONG);
	snprintf(q, sizeof(q), "%s&X-Amz-Expires=-1", base);
	assert_int_equal(verify_raw(h, 1, q, now), SIGV4_ERR_QUERY);
	snprintf(q, sizeof(q), "%s&X-Amz-Expires=60&X-Amz-Expires=60", base);
	assert_int_equal(verify_raw(h, 1, q, now), SIGV4_ERR_QUERY);
	assert_int_equal(verify_raw(h, 1,
		"X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential="
		"AKID%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&"
		"X-Amz-Date=20250101T000000Z&X-Amz-SignedHeaders=host&"
		"X-Amz-Signature=00&X-Amz-Expires=60", now), SIGV4_ERR_ALGORITHM);
	assert_int_equal(verify_raw(h, 1,
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2Fbad&"
		"X-Amz-Date=20250101T000000Z&X-Amz-SignedHeaders=host&"
		"X-Amz-Signature=00&X-Amz-Expires=60", now), SIGV4_ERR_QUERY);
	assert_int_equal(verify_raw(h, 1,
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
		"AKID%2F20250102%2Fus-east-1%2Fs3%2Faws4_request&"
		"X-Amz-Date=20250101T000000Z&X-Amz-SignedHeaders=host&"
		"X-Amz-Signature=00&X-Amz-Expires=60", now), SIGV4_ERR_CREDENTIAL_DATE);
	assert_int_equal(verify_raw(h, 1,
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
		"AKID%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&"
		"X-Amz-Date=20250101T000000Z&X-Amz-SignedHeaders=host&"
		"X-Amz-Signature=%zz&X-Amz-Expires=60", now), SIGV4_ERR_QUERY);
}

static void test_error_table(void **state)
{
	(void)state;
	assert_string_equal(sigv4_error_code(SIGV4_ERR_SIGNATURE, 1),
			    "SignatureDoesNotMatch");
	assert_string_equal(sigv4_error_message(SIGV4_ERR_SIGNATURE, 1),
		"The request signature we calculated does not match the signature "
		"you provided. Check your key and signing method.");
	assert_int_equal(sigv4_error_status(SIGV4_ERR_SIGNATURE, 1), 403);
	assert_string_equal(sigv4_error_code(SIGV4_ERR_SIGNATURE, 0),
			    "SignatureDoesNotMatch");
	assert_string_equal(sigv4_error_code(SIGV4_ERR_UNKNOWN_KEY, 1),
			    "InvalidAccessKeyId");
	assert_string_equal(sigv4_error_code(SIGV4_ERR_UNKNOWN_KEY, 0),
			    "UnrecognizedClientException");
	assert_string_equal(sigv4_error_code(SIGV4_ERR_INCOMPLETE, 0),
			    "IncompleteSignature");
	assert_string_equal(sigv4_error_code(SIGV4_ERR_MALFORMED, 1),
			    "AuthorizationHeaderMalformed");
	assert_string_equal(sigv4_error_code(SIGV4_ERR_TIME_SKEWED, 1),
			    "RequestTimeTooSkewed");
	assert_string_equal(sigv4_error_code(SIGV4_ERR_EXPIRED, 1), "AccessDenied");
	assert_string_equal(sigv4_error_message(SIGV4_ERR_EXPIRED, 1),
			    "Request has expired");
	assert_string_equal(sigv4_error_code(SIGV4_ERR_QUERY, 1),
			    "AuthorizationQueryParametersError");
	assert_string_equal(sigv4_error_code(SIGV4_ERR_MISSING, 0),
			    "MissingAuthenticationToken");
	assert_int_equal(sigv4_error_status(SIGV4_ERR_MALFORMED, 1), 400);
	/* every error has a code, a message and a 4xx status, both ways */
	for (int e = SIGV4_ERR_MISSING; e <= SIGV4_ERR_SIGNATURE; e++) {
		for (int s3 = 0; s3 < 2; s3++) {
			assert_true(strlen(sigv4_error_code(e, s3)) > 0);
			assert_true(strlen(sigv4_error_message(e, s3)) > 0);
			assert_in_range(sigv4_error_status(e, s3), 400, 403);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_authorization_variants),
		cmocka_unit_test(test_parse_authorization_errors),
		cmocka_unit_test(test_parse_credential),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_verify_request_errors),
		cmocka_unit_test(test_verify_presigned_errors),
		cmocka_unit_test(test_error_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
