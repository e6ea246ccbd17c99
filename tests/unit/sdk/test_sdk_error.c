/*
 * test_sdk_error.c - unit tests for sdk/aws_error.c and sdk/aws_xml.c:
 * AWS error bodies in the S3 REST-XML, Query and JSON shapes, the
 * X-Amzn-ErrorType header, bodiless answers, and the XML tree itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aws_error.h"
#include "aws_xml.h"

static void parse(struct aws_error *e, int status, const char *body, const char *ctype,
		  const char *etype, const char *rid)
{
	assert_int_equal(aws_error_parse(e, status, body, body ? strlen(body) : 0, ctype,
					 etype, rid), -1);
}

static void test_s3_xml(void **state)
{
	(void)state;
	struct aws_error e;
	parse(&e, 404,
	      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
	      "<Key>a&amp;b</Key><RequestId>4442587FB7D0A2F9</RequestId>"
	      "<HostId>abc</HostId></Error>", "application/xml", NULL, "HDR-ID");
	assert_int_equal(e.http_status, 404);
	assert_string_equal(e.code, "NoSuchKey");
	assert_string_equal(e.message, "The specified key does not exist.");
	assert_string_equal(e.request_id, "4442587FB7D0A2F9"); /* body beats header */
}

static void test_query_xml(void **state)
{
	(void)state;
	struct aws_error e;
	parse(&e, 404,
	      "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
	      "  <Error><Type>Sender</Type><Code>NotFound</Code>\n"
	      "    <Message>Topic does not exist</Message></Error>\n"
	      "  <RequestId>9dd01905-5012-5f99-8663-4b3ecd0dfaef</RequestId>\n"
	      "</ErrorResponse>", "text/xml", NULL, NULL);
	assert_string_equal(e.code, "NotFound");
	assert_string_equal(e.message, "Topic does not exist");
	assert_string_equal(e.request_id, "9dd01905-5012-5f99-8663-4b3ecd0dfaef");
}

static void test_json(void **state)
{
	(void)state;
	struct aws_error e;
	parse(&e, 400,
	      "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
	      "\"message\":\"The conditional request failed\"}",
	      "application/x-amz-json-1.0", NULL, "RID-1");
	assert_string_equal(e.code, "ConditionalCheckFailedException");
	assert_string_equal(e.message, "The conditional request failed");
	assert_string_equal(e.request_id, "RID-1");

	parse(&e, 400, "{\"__type\":\"ValidationException\",\"Message\":\"bad\"}", NULL, NULL, NULL);
	assert_string_equal(e.code, "ValidationException");
	assert_string_equal(e.message, "bad");

	/* REST-JSON: the header names the error */
	parse(&e, 404, "{\"message\":\"Function not found\"}", "application/json",
	      "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.lambda/",
	      NULL);
	assert_string_equal(e.code, "ResourceNotFoundException");
	assert_string_equal(e.message, "Function not found");

	/* Lambda runtime errors */
	parse(&e, 400, "{\"errorMessage\":\"x\",\"errorType\":\"InvalidRequestID\"}", NULL, NULL, NULL);
	assert_string_equal(e.message, "x");
	assert_string_equal(e.code, "BadRequest");
}

static void test_bodiless_and_garbage(void **state)
{
	(void)state;
	struct aws_error e;
	parse(&e, 404, NULL, NULL, NULL, "R");
	assert_string_equal(e.code, "NotFound");
	assert_string_equal(e.message, "");
	assert_string_equal(e.request_id, "R");
	parse(&e, 403, "", NULL, NULL, NULL);
	assert_string_equal(e.code, "Forbidden");
	parse(&e, 304, NULL, NULL, NULL, NULL);
	assert_string_equal(e.code, "NotModified");
	parse(&e, 503, "<html><body>busy</body></html>", "text/html", NULL, NULL);
	assert_string_equal(e.code, "ServiceUnavailable");
	parse(&e, 500, "<Error><Code>Internal", NULL, NULL, NULL); /* truncated */
	assert_string_equal(e.code, "InternalError");
	parse(&e, 400, "{not json", "application/json", NULL, NULL);
	assert_string_equal(e.code, "BadRequest");
	parse(&e, 418, NULL, NULL, NULL, NULL);
	assert_string_equal(e.code, "UnknownError");
}

static void test_set_truncates(void **state)
{
	(void)state;
	struct aws_error e;
	char big[3000];
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(aws_error_set(&e, 0, "ClientError", "%s", big), -1);
	assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
	assert_string_equal(e.code, "ClientError");
	assert_int_equal(e.http_status, 0);
	assert_int_equal(aws_error_set(NULL, 0, "X", "y"), -1);
}

static void test_xml_tree(void **state)
{
	(void)state;
	const char *doc =
		"<?xml version=\"1.0\"?><s3:ListBucketResult xmlns:s3=\"urn:x\">"
		"<Name>b</Name><Contents><Key>k1</Key></Contents>"
		"<Contents><Key>k2 &lt;&gt;</Key></Contents><Other/>"
		"<Contents><Key></Key></Contents></s3:ListBucketResult>";
	struct aws_xml *x = aws_xml_parse(doc, strlen(doc));
	assert_non_null(x);
	assert_string_equal(x->name, "ListBucketResult");
	assert_string_equal(aws_xml_text(aws_xml_child(x, "Name")), "b");
	const struct aws_xml *c = aws_xml_child(x, "Contents");
	assert_string_equal(aws_xml_text(aws_xml_child(c, "Key")), "k1");
	c = aws_xml_next(c, "Contents");
	assert_string_equal(aws_xml_text(aws_xml_path(c, "Key")), "k2 <>");
	c = aws_xml_next(c, "Contents");
	assert_string_equal(aws_xml_text(aws_xml_child(c, "Key")), "");
	assert_null(aws_xml_next(c, "Contents"));
	assert_null(aws_xml_path(x, "Contents/Nope"));
	assert_null(aws_xml_text(NULL));
	aws_xml_free(x);

	assert_null(aws_xml_parse("<a><b></a>", 10));
	assert_null(aws_xml_parse("", 0));
	assert_null(aws_xml_parse("plain", 5));
	/* entity expansion is refused, not expanded */
	const char *bomb = "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
			   "<x>&b;&b;</x>";
	x = aws_xml_parse(bomb, strlen(bomb));
	if (x) /* expat may expand small internal entities; bounded either way */
		assert_true(x->text_len <= 100);
	aws_xml_free(x);
	/* deep nesting past the limit fails cleanly */
	char deep[70 * 3 + 70 * 4 + 1];
	size_t o = 0;
	for (int i = 0; i < 70; i++)
		o += (size_t)sprintf(deep + o, "<a>");
	for (int i = 0; i < 70; i++)
		o += (size_t)sprintf(deep + o, "</a>");
	assert_null(aws_xml_parse(deep, o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s3_xml),
		cmocka_unit_test(test_query_xml),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_bodiless_and_garbage),
		cmocka_unit_test(test_set_truncates),
		cmocka_unit_test(test_xml_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
