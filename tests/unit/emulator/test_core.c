/*
 * test_core.c - the emulator's small core pieces: arena, REST path
 * templates, query/form pairs, per-protocol error encoding, settings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "protocol.h"
#include "router.h"
#include "service.h"

/* ---- arena ---------------------------------------------------------- */

static int deferred_calls;
static void count_call(void *p)
{
	(void)p;
	deferred_calls++;
}

static void test_arena_alloc_and_defer(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	char *small = arena_strdup(a, "hello");
	assert_string_equal(small, "hello");
	/* Big allocations get their own block and stay usable. */
	char *big = arena_alloc(a, 100000);
	memset(big, 'x', 100000);
	char *after = arena_printf(a, "%d-%s", 42, "z");
	assert_string_equal(after, "42-z");
	assert_string_equal(small, "hello");
	assert_int_equal(((uintptr_t)arena_alloc(a, 3)) % _Alignof(max_align_t), 0);
	deferred_calls = 0;
	arena_defer(a, count_call, NULL);
	arena_defer(a, count_call, NULL);
	arena_destroy(a);
	assert_int_equal(deferred_calls, 2);
}

/* ---- REST templates ------------------------------------------------- */

static void test_template_match(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct kv caps[4];
	size_t n = 0;
	assert_true(router_match_template(a, "/2015-03-31/functions/{FunctionName}/policy/{StatementId}",
					  "/2015-03-31/functions/my%2Dfn/policy/s1", caps, 4, &n));
	assert_int_equal(n, 2);
	assert_string_equal(caps[0].name, "FunctionName");
	assert_string_equal(caps[0].value, "my-fn");
	assert_string_equal(caps[1].value, "s1");
	/* A segment capture stops at '/'; no match when the path goes on. */
	assert_false(router_match_template(a, "/v2/apis/{apiId}", "/v2/apis/a/b", caps, 4, &n));
	/* Greedy capture takes the rest, decoded. */
	assert_true(router_match_template(a, "/b/{Key+}", "/b/a/b%20c//d", caps, 4, &n));
	assert_string_equal(caps[0].name, "Key");
	assert_string_equal(caps[0].value, "a/b c//d");
	/* Empty captures and bad escapes never match. */
	assert_false(router_match_template(a, "/f/{Name}", "/f/", caps, 4, &n));
	assert_false(router_match_template(a, "/f/{Name}", "/f/%zz", caps, 4, &n));
	assert_false(router_match_template(a, "/f/{Name}", "/g/x", caps, 4, &n));
	/* Too many captures for the room given. */
	assert_false(router_match_template(a, "/{a}/{b}", "/x/y", caps, 1, &n));
	arena_destroy(a);
}

/* ---- query and form pairs -------------------------------------------- */

static void test_pairs(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct kv *kv;
	size_t n;
	const char *q = "a=1&b=&c&&d=x%20y+z&a=2";
	assert_int_equal(req_parse_pairs(a, q, strlen(q), 0, &kv, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(kv_get(kv, n, "a"), "1");
	assert_string_equal(kv_get(kv, n, "b"), "");
	assert_string_equal(kv_get(kv, n, "c"), "");
	assert_string_equal(kv_get(kv, n, "d"), "x y+z"); /* URL query: + stays */
	assert_null(kv_get(kv, n, "e"));
	assert_string_equal(kv[4].value, "2");
	assert_int_equal(req_parse_pairs(a, q, strlen(q), 1, &kv, &n), 0);
	assert_string_equal(kv_get(kv, n, "d"), "x y z"); /* form: + is space */
	assert_int_equal(req_parse_pairs(a, "x=%4", 4, 0, &kv, &n), -1);
	assert_int_equal(req_parse_pairs(a, "", 0, 0, &kv, &n), 0);
	assert_int_equal(n, 0);
	arena_destroy(a);
}

/* ---- error encoders ------------------------------------------------- */

struct fixture {
	struct arena *arena;
	struct request req;
	struct response resp;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->arena = arena_new();
	f->req.arena = f->arena;
	strcpy(f->req.request_id, "req-1");
	f->req.method = "GET";
	f->req.path = "/x";
	f->resp.arena = f->arena;
	f->resp.fd = -1;
	f->resp.status = 200;
}

static void fixture_free(struct fixture *f)
{
	resp_release(&f->resp);
	arena_destroy(f->arena);
}

static const struct service json_svc = {
	.name = "dynamodb",
	.protocol = PROTO_JSON,
	.flags = SVC_JSON_CRC32,
	.error_namespace = "com.amazonaws.dynamodb.v20120810#",
	.json_content_type = "application/x-amz-json-1.0",
};

static void test_error_json(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	assert_int_equal(req_error(&f.req, 400, "ResourceNotFoundException",
				   "Requested resource not found"), -1);
	/* The first error wins. */
	req_error(&f.req, 500, "Other", "ignored");
	protocol_write_error(&json_svc, PROTO_JSON, &f.req, &f.resp);
	assert_int_equal(f.resp.status, 400);
	assert_string_equal(resp_get_header(&f.resp, "Content-Type"),
			    "application/x-amz-json-1.0");
	assert_non_null(resp_get_header(&f.resp, "x-amz-crc32"));
	cJSON *doc = cJSON_Parse(f.resp.body);
	assert_non_null(doc);
	assert_string_equal(cJSON_GetObjectItem(doc, "__type")->valuestring,
			    "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
	assert_string_equal(cJSON_GetObjectItem(doc, "message")->valuestring,
			    "Requested resource not found");
	cJSON_Delete(doc);
	fixture_free(&f);

	/* A code that names its own namespace is kept as it is. */
	fixture_init(&f);
	req_error(&f.req, 400, "com.amazon.coral.validate#ValidationException", "bad");
	protocol_write_error(&json_svc, PROTO_JSON, &f.req, &f.resp);
	assert_non_null(strstr(f.resp.body,
			       "\"__type\":\"com.amazon.coral.validate#ValidationException\""));
	fixture_free(&f);

	/* JSON members of any type travel in the body. */
	fixture_init(&f);
	req_error(&f.req, 400, "TransactionCanceledException", "canceled");
	cJSON *reasons = cJSON_CreateArray();
	cJSON_AddItemToArray(reasons, cJSON_CreateString("None"));
	req_error_json(&f.req, "CancellationReasons", reasons);
	protocol_write_error(&json_svc, PROTO_JSON, &f.req, &f.resp);
	doc = cJSON_Parse(f.resp.body);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(doc, "CancellationReasons")));
	cJSON_Delete(doc);
	fixture_free(&f);
}

static void test_error_xml_escapes_and_extras(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	req_error(&f.req, 404, "NoSuchKey", "The specified key does not exist.");
	req_error_extra(&f.req, "Key", "a<b>&\"c'");
	protocol_write_error(NULL, PROTO_REST_XML, &f.req, &f.resp);
	assert_int_equal(f.resp.status, 404);
	assert_string_equal(resp_get_header(&f.resp, "Content-Type"), "application/xml");
	assert_non_null(strstr(f.resp.body, "<Code>NoSuchKey</Code>"));
	assert_non_null(strstr(f.resp.body, "<Key>a&lt;b&gt;&amp;&quot;c&apos;</Key>"));
	assert_non_null(strstr(f.resp.body, "<RequestId>req-1</RequestId>"));
	fixture_free(&f);
}

static void test_error_query_and_rest_json(void **state)
{
	(void)state;
	const struct service q = {.name = "sns", .protocol = PROTO_QUERY,
				  .error_namespace = "http://sns.amazonaws.com/doc/2010-03-31/"};
	struct fixture f;
	fixture_init(&f);
	req_error(&f.req, 404, "NotFound", "Topic does not exist");
	protocol_write_error(&q, PROTO_QUERY, &f.req, &f.resp);
	assert_int_equal(f.resp.status, 404);
	assert_non_null(strstr(f.resp.body,
			       "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"));
	assert_non_null(strstr(f.resp.body, "<Type>Sender</Type>"));
	assert_non_null(strstr(f.resp.body, "<Code>NotFound</Code>"));
	fixture_free(&f);

	fixture_init(&f);
	req_error(&f.req, 503, "ServiceException", "down");
	protocol_write_error(NULL, PROTO_REST_JSON, &f.req, &f.resp);
	assert_string_equal(resp_get_header(&f.resp, "X-Amzn-ErrorType"), "ServiceException");
	assert_non_null(strstr(f.resp.body, "\"Type\":\"Service\""));
	fixture_free(&f);

	/* A handler that fails without recording why still answers. */
	fixture_init(&f);
	protocol_write_error(NULL, PROTO_REST_XML, &f.req, &f.resp);
	assert_int_equal(f.resp.status, 500);
	assert_non_null(strstr(f.resp.body, "<Code>InternalFailure</Code>"));
	fixture_free(&f);
}

static void test_unknown_operation_per_protocol(void **state)
{
	(void)state;
	struct fixture f;
	const struct service query = {.name = "sts", .protocol = PROTO_QUERY};
	fixture_init(&f);
	protocol_unknown_operation(&query, &f.req, "Nope");
	assert_int_equal(f.req.err.status, 400);
	assert_string_equal(f.req.err.code, "InvalidAction");
	assert_string_equal(f.req.err.message,
			    "The action Nope is not valid for this web service.");
	fixture_free(&f);
	fixture_init(&f);
	protocol_unknown_operation(&json_svc, &f.req, "Nope");
	assert_string_equal(f.req.err.code,
			    "com.amazon.coral.service#UnknownOperationException");
	fixture_free(&f);
}

static void test_json_body(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	f.req.body = (char *)"{\"a\":1}";
	f.req.body_len = strlen(f.req.body);
	cJSON *j = req_json_body(&f.req, "SerializationException");
	assert_non_null(j);
	assert_int_equal(cJSON_GetObjectItem(j, "a")->valueint, 1);
	fixture_free(&f);
	fixture_init(&f);
	f.req.body = (char *)"[1]";
	f.req.body_len = 3;
	assert_null(req_json_body(&f.req, "SerializationException"));
	assert_string_equal(f.req.err.code, "SerializationException");
	fixture_free(&f);
	fixture_init(&f);
	f.req.body = (char *)"{\"a\":";
	f.req.body_len = 5;
	assert_null(req_json_body(&f.req, "InvalidRequestContentException"));
	assert_int_equal(f.req.err.status, 400);
	fixture_free(&f);
}

/* ---- settings ------------------------------------------------------- */

static void test_config(void **state)
{
	(void)state;
	struct config cfg;
	char err[256];
	const char *argv1[] = {"emulator", "--port", "0", "--redis-port=off", "--auth",
			 "sigv4", "--data-dir", "/tmp/x", "--durability", "full", NULL};
	unsetenv("IMGPIPE_PORT");
	assert_int_equal(config_parse(&cfg, 10, (char **)argv1, err, sizeof(err)), 0);
	assert_int_equal(cfg.port, 0);
	assert_int_equal(cfg.redis_port, -1);
	assert_int_equal(cfg.auth, AUTH_SIGV4);
	assert_string_equal(cfg.data_dir, "/tmp/x");
	assert_int_equal(cfg.durability, STORE_DURABILITY_FULL);
	assert_string_equal(cfg.host, "127.0.0.1");

	/* The environment is read, and a flag beats it. */
	setenv("IMGPIPE_PORT", "5000", 1);
	const char *argv2[] = {"emulator", NULL};
	assert_int_equal(config_parse(&cfg, 1, (char **)argv2, err, sizeof(err)), 0);
	assert_int_equal(cfg.port, 5000);
	const char *argv3[] = {"emulator", "--port", "6000", NULL};
	assert_int_equal(config_parse(&cfg, 3, (char **)argv3, err, sizeof(err)), 0);
	assert_int_equal(cfg.port, 6000);
	setenv("IMGPIPE_PORT", "nope", 1);
	assert_int_equal(config_parse(&cfg, 1, (char **)argv2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "IMGPIPE_PORT"));
	unsetenv("IMGPIPE_PORT");

	const char *bad[][3] = {{"emulator", "--port", "65536"},
			  {"emulator", "--account-id", "12"},
			  {"emulator", "--log-level", "loud"},
			  {"emulator", "--bogus", "1"}};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(config_parse(&cfg, 3, (char **)bad[i], err, sizeof(err)), -1);
	const char *missing[] = {"emulator", "--port", NULL};
	assert_int_equal(config_parse(&cfg, 2, (char **)missing, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs a value"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_alloc_and_defer),
		cmocka_unit_test(test_template_match),
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_error_json),
		cmocka_unit_test(test_error_xml_escapes_and_extras),
		cmocka_unit_test(test_error_query_and_rest_json),
		cmocka_unit_test(test_unknown_operation_per_protocol),
		cmocka_unit_test(test_json_body),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
