/*
 * test_handler.c - the Lambda handler's pure parts: uploads keys, key
 * decoding, sequencer normalisation, error classification, configuration
 * from the environment, and records that are skipped without any call
 * (the calls themselves are covered by tests/integration/test_pipeline*.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"

static void test_parse_key(void **state)
{
	char id[PIPELINE_ID_MAX + 1], ext[17];
	(void)state;
	assert_int_equal(pipeline_parse_key("uploads/abc-1_Z.jpg", id, ext), 0);
	assert_string_equal(id, "abc-1_Z");
	assert_string_equal(ext, "jpg");
	assert_int_equal(pipeline_parse_key("uploads/x.HEIC", id, ext), 0);
	assert_string_equal(ext, "HEIC");
	static const char *const bad[] = {
		"uploads/", "uploads/.jpg", "uploads/abc", "uploads/abc.",
		"uploads/a/b.jpg", "uploads/a b.jpg", "uploads/a.b.c",
		"other/a.jpg", "Uploads/a.jpg", "abc/thumb.jpg",
		"uploads/a.jp-g", "uploads/a.12345678901234567", NULL,
	};
	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(pipeline_parse_key(bad[i], id, ext), -1);
	char long_id[PIPELINE_ID_MAX + 32];
	memcpy(long_id, "uploads/", 8);
	memset(long_id + 8, 'a', PIPELINE_ID_MAX);
	strcpy(long_id + 8 + PIPELINE_ID_MAX, ".png");
	assert_int_equal(pipeline_parse_key(long_id, id, ext), 0);
	assert_int_equal((int)strlen(id), PIPELINE_ID_MAX);
	memset(long_id + 8, 'a', PIPELINE_ID_MAX + 1);
	strcpy(long_id + 9 + PIPELINE_ID_MAX, ".png");
	assert_int_equal(pipeline_parse_key(long_id, id, ext), -1);
}

static void test_decode_key(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(pipeline_decode_key("uploads/red+flower%2B1.jpg", out), 0);
	assert_string_equal(out, "uploads/red flower+1.jpg");
	assert_int_equal(pipeline_decode_key("uploads/%zz.jpg", out), -1);
	assert_int_equal(pipeline_decode_key("uploads/a%00b.jpg", out), -1);
}

static void test_sequencer(void **state)
{
	char a[PIPELINE_SEQ_LEN + 1], b[PIPELINE_SEQ_LEN + 1];
	(void)state;
	assert_int_equal(pipeline_norm_sequencer("0055AED6DCD90281E5", a), 0);
	assert_int_equal((int)strlen(a), PIPELINE_SEQ_LEN);
	assert_memory_equal(a, "0055AED6DCD90281E5000000", 24);
	/* S3: compare after right-padding the shorter one with zeros */
	assert_int_equal(pipeline_norm_sequencer("0055aed6dcd90281e6", b), 0);
	assert_true(strcmp(a, b) < 0);
	assert_int_equal(pipeline_norm_sequencer("0055AED6DCD90281E5", b), 0);
	assert_string_equal(a, b);
	assert_int_equal(pipeline_norm_sequencer("0055AED6DCD9", b), 0);
	assert_true(strcmp(b, a) < 0);
	assert_int_equal(pipeline_norm_sequencer(NULL, a), 0);
	assert_string_equal(a, "");
	assert_int_equal(pipeline_norm_sequencer("XYZ", a), -1);
	assert_int_equal(pipeline_norm_sequencer(
				 "000000000000000000000000000000000", a), -1);
}

static void test_transient(void **state)
{
	struct aws_error e;
	(void)state;
	memset(&e, 0, sizeof(e));
	strcpy(e.code, "ConnectionError");
	assert_true(pipeline_error_transient(&e));
	strcpy(e.code, "ProvisionedThroughputExceededException");
	e.http_status = 400;
	assert_true(pipeline_error_transient(&e));
	strcpy(e.code, "InternalError");
	e.http_status = 500;
	assert_true(pipeline_error_transient(&e));
	strcpy(e.code, "SlowDown");
	e.http_status = 503;
	assert_true(pipeline_error_transient(&e));
	strcpy(e.code, "AccessDenied");
	e.http_status = 403;
	assert_false(pipeline_error_transient(&e));
	strcpy(e.code, "ResourceNotFoundException");
	e.http_status = 400;
	assert_false(pipeline_error_transient(&e));
	strcpy(e.code, "TooManyRequests");
	e.http_status = 429;
	assert_true(pipeline_error_transient(&e));
}

/* A fake environment: NULL-terminated name, value pairs. */
static const char *fake_env(void *arg, const char *name)
{
	const char *const *kv = arg;
	for (size_t i = 0; kv[i]; i += 2)
		if (strcmp(kv[i], name) == 0)
			return kv[i + 1];
	return NULL;
}

#define BASE_ENV                                                        \
	"AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test",  \
		"AWS_REGION", "us-east-1", "AWS_CONFIG_FILE", "/dev/null", \
		"AWS_SHARED_CREDENTIALS_FILE", "/dev/null",                 \
		"AWS_ENDPOINT_URL", "http://127.0.0.1:1"

static void test_config(void **state)
{
	char err[512];
	(void)state;
	const char *none[] = {BASE_ENV, NULL};
	assert_null(pipeline_new(fake_env, (void *)none, err, sizeof(err)));
	assert_string_equal(err, "UPLOAD_BUCKET is not set");
	const char *no_table[] = {BASE_ENV, "UPLOAD_BUCKET", "u",
				  "PROCESSED_BUCKET", "p", NULL};
	assert_null(pipeline_new(fake_env, (void *)no_table, err, sizeof(err)));
	assert_string_equal(err, "TABLE_NAME is not set");
	/* the image settings come from the process environment */
	const char *ok[] = {BASE_ENV, "UPLOAD_BUCKET", "u", "PROCESSED_BUCKET",
			    "p", "TABLE_NAME", "t", NULL};
	setenv("IMGPIPE_VARIANTS", "[{\"name\":\"x\"}]", 1);
	assert_null(pipeline_new(fake_env, (void *)ok, err, sizeof(err)));
	assert_non_null(strstr(err, "IMGPIPE_VARIANTS"));
	unsetenv("IMGPIPE_VARIANTS");
	setenv("IMGPIPE_MAX_BYTES", "12k", 1);
	assert_null(pipeline_new(fake_env, (void *)ok, err, sizeof(err)));
	assert_non_null(strstr(err, "IMGPIPE_MAX_BYTES"));
	unsetenv("IMGPIPE_MAX_BYTES");
	struct pipeline *p = pipeline_new(fake_env, (void *)ok, err, sizeof(err));
	assert_non_null(p);
	pipeline_free(p);
	const char *bad_redis[] = {BASE_ENV, "UPLOAD_BUCKET", "u",
				   "PROCESSED_BUCKET", "p", "TABLE_NAME", "t",
				   "REDIS_URL", "http://x", NULL};
	assert_null(pipeline_new(fake_env, (void *)bad_redis, err, sizeof(err)));
	assert_non_null(strstr(err, "REDIS_URL"));
	const char *no_creds[] = {"AWS_REGION", "us-east-1", "AWS_CONFIG_FILE",
				  "/dev/null", "AWS_SHARED_CREDENTIALS_FILE",
				  "/dev/null", "UPLOAD_BUCKET", "u",
				  "PROCESSED_BUCKET", "p", "TABLE_NAME", "t", NULL};
	assert_null(pipeline_new(fake_env, (void *)no_creds, err, sizeof(err)));
	assert_non_null(strstr(err, "NoCredentials"));
}

/* Invoke the handler on payload; returns its rc and the response. */
static int run(struct pipeline *p, const char *payload, cJSON **out,
	       struct runtime_failure *f)
{
	struct runtime_invocation inv = {
		.request_id = "r-1", .payload = payload,
		.payload_len = strlen(payload),
	};
	struct buf b;
	buf_init(&b, RUNTIME_RESPONSE_MAX);
	memset(f, 0, sizeof(*f));
	int rc = pipeline_handle(p, &inv, &b, f);
	*out = b.data ? cJSON_Parse(b.data) : NULL;
	buf_free(&b);
	return rc;
}

static void test_skipped_records(void **state)
{
	char err[512];
	(void)state;
	const char *env[] = {BASE_ENV, "UPLOAD_BUCKET", "up", "PROCESSED_BUCKET",
			     "pr", "TABLE_NAME", "t", NULL};
	struct pipeline *p = pipeline_new(fake_env, (void *)env, err, sizeof(err));
	assert_non_null(p);
	struct runtime_failure f;
	cJSON *out;
	assert_int_equal(run(p, "{\"not\":\"s3\"}", &out, &f), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "records")), 0);
	cJSON_Delete(out);
	assert_int_equal(run(p, "not json", &out, &f), 0);
	cJSON_Delete(out);

	const char *ev =
		"{\"Records\":["
		"{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
		"\"s3\":{\"bucket\":{\"name\":\"pr\"},\"object\":{\"key\":\"uploads/a.jpg\"}}},"
		"{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectRemoved:Delete\","
		"\"s3\":{\"bucket\":{\"name\":\"up\"},\"object\":{\"key\":\"uploads/a.jpg\"}}},"
		"{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
		"\"s3\":{\"bucket\":{\"name\":\"up\"},\"object\":{\"key\":\"a/thumb.jpg\"}}},"
		"{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
		"\"s3\":{\"bucket\":{\"name\":\"up\"},\"object\":{\"key\":\"uploads/bad%zz.jpg\"}}},"
		"{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
		"\"s3\":{\"bucket\":{\"name\":\"up\"},\"object\":{\"key\":\"uploads/a.jpg\","
		"\"sequencer\":\"not-hex\"}}},"
		"{\"eventSource\":\"aws:sqs\"}"
		"]}";
	assert_int_equal(run(p, ev, &out, &f), 0);
	const cJSON *recs = cJSON_GetObjectItem(out, "records");
	assert_int_equal(cJSON_GetArraySize(recs), 6);
	const cJSON *r;
	cJSON_ArrayForEach(r, recs) {
		assert_string_equal(cJSON_GetObjectItem(r, "outcome")->valuestring,
				    "skipped");
		assert_true(strlen(cJSON_GetObjectItem(r, "reason")->valuestring) > 0);
	}
	assert_non_null(strstr(cJSON_GetArrayItem(recs, 0)->child->valuestring,
			       "uploads/a.jpg"));
	cJSON_Delete(out);
	pipeline_free(p);
}

/* A record that gets past the checks meets an unreachable endpoint: the
 * invocation fails as transient (Lambda retries it). */
static void test_unreachable_dependency_fails_invocation(void **state)
{
	char err[512];
	(void)state;
	const char *env[] = {BASE_ENV, "UPLOAD_BUCKET", "up", "PROCESSED_BUCKET",
			     "pr", "TABLE_NAME", "t", "AWS_MAX_ATTEMPTS", "1", NULL};
	struct pipeline *p = pipeline_new(fake_env, (void *)env, err, sizeof(err));
	assert_non_null(p);
	struct runtime_failure f;
	cJSON *out;
	const char *ev =
		"{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":"
		"\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"up\"},"
		"\"object\":{\"key\":\"uploads/x1.png\",\"eTag\":\"abc\","
		"\"sequencer\":\"01\"}}}]}";
	assert_int_equal(run(p, ev, &out, &f), -1);
	assert_null(out);
	assert_string_equal(f.type, "Pipeline.Transient");
	assert_non_null(strstr(f.message, "uploads/x1.png"));
	assert_non_null(strstr(f.message, "GetItem"));
	pipeline_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_key),
		cmocka_unit_test(test_decode_key),
		cmocka_unit_test(test_sequencer),
		cmocka_unit_test(test_transient),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_skipped_records),
		cmocka_unit_test(test_unreachable_dependency_fails_invocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
