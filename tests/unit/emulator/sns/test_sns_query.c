/*
 * test_sns_query.c - SNS's Query-protocol inputs: the numbered maps and
 * lists botocore serialises (Attributes.entry.N.key/value,
 * TagKeys.member.N, Tags.member.N.Key/Value), parsed from a real form
 * body with req_parse_form, the ARN checks, and the XML entry encoder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sns/sns.h"

struct fixture {
	struct request req;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->req.arena = arena_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_destroy(f->req.arena);
	free(f);
	return 0;
}

/* Load a form body as the decoded request parameters. */
static void form(struct request *req, const char *body)
{
	assert_int_equal(req_parse_form(req, body, strlen(body), &req->query,
					&req->n_query), 0);
}

static void test_map(void **state)
{
	struct fixture *f = *state;
	form(&f->req, "Action=CreateTopic&Name=t&Attributes.entry.1.key="
		      "DisplayName&Attributes.entry.1.value=My+Topic%21&"
		      "Attributes.entry.2.key=Policy&Attributes.entry.2.value="
		      "%7B%22a%22%3A1%7D&Attributes.entry.4.key=Gap");
	struct sns_pair *p;
	int n = sns_query_map(&f->req, "Attributes", &p);
	assert_int_equal(n, 2); /* numbering stops at the first gap */
	assert_string_equal(p[0].key, "DisplayName");
	assert_string_equal(p[0].value, "My Topic!");
	assert_string_equal(p[1].key, "Policy");
	assert_string_equal(p[1].value, "{\"a\":1}");
	assert_int_equal(sns_query_map(&f->req, "Nothing", &p), 0);
}

static void test_map_entry_without_key(void **state)
{
	struct fixture *f = *state;
	form(&f->req, "Attributes.entry.1.value=x");
	struct sns_pair *p;
	assert_int_equal(sns_query_map(&f->req, "Attributes", &p), -1);
	assert_int_equal(f->req.err.status, 400);
	assert_string_equal(f->req.err.code, "InvalidParameter");
}

static void test_lists_and_tags(void **state)
{
	struct fixture *f = *state;
	form(&f->req, "TagKeys.member.1=a&TagKeys.member.2=b+c&Tags.member.1."
		      "Key=team&Tags.member.1.Value=&Tags.member.2.Key=env&"
		      "Tags.member.2.Value=dev");
	const char **keys;
	assert_int_equal(sns_query_list(&f->req, "TagKeys", &keys), 2);
	assert_string_equal(keys[1], "b c");
	struct sns_pair *tags;
	assert_int_equal(sns_query_tags(&f->req, "Tags", &tags), 2);
	assert_string_equal(tags[0].key, "team");
	assert_string_equal(tags[0].value, "");
	assert_string_equal(tags[1].value, "dev");
}

static void test_require(void **state)
{
	struct fixture *f = *state;
	form(&f->req, "Name=x");
	assert_string_equal(sns_require(&f->req, "Name"), "x");
	assert_null(sns_require(&f->req, "TopicArn"));
	assert_string_equal(f->req.err.code, "InvalidParameter");
	assert_non_null(strstr(f->req.err.message, "TopicArn"));
}

static void test_arns(void **state)
{
	(void)state;
	assert_true(sns_arn_is_topic("arn:aws:sns:us-east-1:123456789012:t"));
	assert_true(sns_arn_is_topic("arn:aws:sns:us-east-1:123456789012:"
				     "o.fifo"));
	assert_false(sns_arn_is_topic("arn:aws:sns:us-east-1:123456789012:"));
	assert_false(sns_arn_is_topic("arn:aws:sqs:us-east-1:123456789012:t"));
	assert_false(sns_arn_is_topic("arn:aws:sns:us-east-1:123456789012:t:"
				      "sub"));
	assert_false(sns_arn_is_topic("arn:aws:sns:us-east-1:1:bad name"));
	assert_false(sns_arn_is_topic("not-an-arn"));
	assert_true(sns_arn_is_subscription("arn:aws:sns:us-east-1:1:t:"
					    "8a21d249-4329-4871-acc6-"
					    "7be709c6ea7f"));
	assert_false(sns_arn_is_subscription("arn:aws:sns:us-east-1:1:t"));
	assert_false(sns_arn_is_subscription("pending confirmation"));
}

static void test_xml_entry_escapes(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	sns_xml_entry(&b, "Policy", "{\"a\":\"<&>\"}");
	assert_non_null(strstr(b.data, "<entry><key>Policy</key><value>"
				       "{&quot;a&quot;:&quot;&lt;&amp;&gt;"
				       "&quot;}</value></entry>"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_entry_without_key,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lists_and_tags, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_require, setup, teardown),
		cmocka_unit_test(test_arns),
		cmocka_unit_test(test_xml_entry_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
