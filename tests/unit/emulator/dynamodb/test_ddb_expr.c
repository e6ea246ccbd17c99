/*
 * test_ddb_expr.c - DynamoDB expressions, table-driven: conditions
 * evaluated against one item (the developer guide's ProductCatalog
 * examples), DynamoDB's parse errors, updates applied to an item, and
 * projections.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dynamodb/ddb.h"

static const char *item_json =
	"{\"Id\":{\"N\":\"123\"},\"Title\":{\"S\":\"Bicycle 123\"},"
	"\"Price\":{\"N\":\"500\"},\"Color\":{\"SS\":[\"Red\",\"Black\"]},"
	"\"ProductCategory\":{\"S\":\"Bicycle\"},\"InStock\":{\"BOOL\":true},"
	"\"Pictures\":{\"M\":{\"FrontView\":{\"S\":\"http://x/front.jpg\"},"
	"\"SideView\":{\"S\":\"http://x/side.jpg\"}}},"
	"\"RelatedItems\":{\"L\":[{\"N\":\"341\"},{\"N\":\"472\"},"
	"{\"N\":\"649\"}]},\"Nothing\":{\"NULL\":true},\"Bin\":{\"B\":\"AAEC\"}}";

static const char *values_json =
	"{\":p\":{\"N\":\"500\"},\":lo\":{\"N\":\"100\"},\":hi\":{\"N\":\"500.0\"},"
	"\":c\":{\"S\":\"Red\"},\":bi\":{\"S\":\"Bicycle\"},\":b\":{\"S\":\"Bi\"},"
	"\":two\":{\"N\":\"2\"},\":ss\":{\"S\":\"SS\"},\":t\":{\"BOOL\":true},"
	"\":n\":{\"N\":\"472\"},\":one\":{\"N\":\"1\"},\":three\":{\"N\":\"3\"},"
	"\":l\":{\"L\":[{\"S\":\"x\"}]},\":set\":{\"SS\":[\"Blue\",\"Red\"]},"
	"\":bin\":{\"B\":\"AA==\"}}";

static const char *names_json = "{\"#pc\":\"ProductCategory\",\"#n\":\"Nothing\"}";

struct fixture {
	struct arena *arena;
	cJSON *item, *values, *names;
};

static int setup(void **state)
{
	static struct fixture f;
	f.arena = arena_new();
	f.item = cJSON_Parse(item_json);
	f.values = cJSON_Parse(values_json);
	f.names = cJSON_Parse(names_json);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	cJSON_Delete(f->item);
	cJSON_Delete(f->values);
	cJSON_Delete(f->names);
	arena_destroy(f->arena);
	return 0;
}

/* 1 / 0 for a condition, or -1 with the error text in err. */
static int eval(struct fixture *f, const char *expr, char *err)
{
	struct ddb_expr_ctx c;
	struct ddb_node *n;
	ddb_expr_ctx_init(&c, f->arena, f->names, f->values);
	if (ddb_parse_condition(&c, DDB_EXPR_CONDITION, expr, &n)) {
		strcpy(err, c.err);
		return -1;
	}
	int r = ddb_eval_condition(&c, n, f->item);
	if (r < 0)
		strcpy(err, c.err);
	return r;
}

static void test_conditions(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *expr;
		int want;
	} cases[] = {
		{"Price = :p", 1},
		{"Price <> :p", 0},
		{"Price BETWEEN :lo AND :hi", 1},
		{"Price > :hi", 0},
		{"Price >= :hi AND Price <= :p", 1},
		{"#pc IN (:c, :bi)", 1},
		{"#pc = :bi AND NOT (Price < :lo OR InStock = :t)", 0},
		{"begins_with(Title, :b)", 1},
		{"begins_with(Bin, :bin)", 1},
		{"contains(Color, :c)", 1},
		{"contains(Title, :c)", 0},
		{"contains(RelatedItems, :n)", 1},
		{"size(Color) = :two", 1},
		{"size(RelatedItems) > :two", 1},
		{"attribute_type(Color, :ss)", 1},
		{"attribute_exists(Pictures.SideView)", 1},
		{"attribute_exists(Pictures.RearView)", 0},
		{"attribute_not_exists(Gone)", 1},
		{"attribute_exists(#n)", 1},
		{"RelatedItems[1] = :n", 1},
		{"RelatedItems[7] = :n", 0},
		{"Gone <> :p", 1},
		{"Gone = :p", 0},
		{"Title < :p", 0}, /* different types: false, not an error */
		{"(((Price = :p)))", 1},
		{"Price = :p and InStock = :t or Price = :one", 1},
	};
	char err[1024];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = eval(f, cases[i].expr, err);
		if (r != cases[i].want)
			fail_msg("%s: got %d (%s)", cases[i].expr, r,
				 r < 0 ? err : "");
	}
}

static void test_condition_errors(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *expr, *msg;
	} cases[] = {
		{"Price = ", "Invalid ConditionExpression: Syntax error; token: "
			     "\"<EOF>\", near: \"= \""},
		{"", "Invalid ConditionExpression: The expression can not be "
		     "empty;"},
		{"Price = :nope", "Invalid ConditionExpression: An expression "
		 "attribute value used in expression is not defined; attribute "
		 "value: :nope"},
		{"#x = :p", "Invalid ConditionExpression: An expression attribute "
		 "name used in the document path is not defined; attribute "
		 "name: #x"},
		{"Size = :p", "Invalid ConditionExpression: Attribute name is a "
		 "reserved keyword; reserved keyword: Size"},
		{"foo(Price)", NULL},
		{"attribute_exists(:p)", "Invalid ConditionExpression: Operator "
		 "or function requires a document path; operator or function: "
		 "attribute_exists"},
		{"begins_with(Title)", "Invalid ConditionExpression: Incorrect "
		 "number of operands for operator or function; operator or "
		 "function: begins_with, number of operands: 1"},
	};
	char err[1024];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(eval(f, cases[i].expr, err), -1);
		if (cases[i].msg)
			assert_string_equal(err, cases[i].msg);
	}
}

static void test_unused_placeholders(void **state)
{
	struct fixture *f = *state;
	struct ddb_expr_ctx c;
	struct ddb_node *n;
	ddb_expr_ctx_init(&c, f->arena, f->names, f->values);
	assert_int_equal(ddb_parse_condition(&c, DDB_EXPR_CONDITION,
					     "#pc = :bi", &n), 0);
	assert_int_equal(ddb_expr_check_unused(&c), -1);
	assert_string_equal(c.err, "Value provided in ExpressionAttributeNames "
			    "unused in expressions: keys: {#n}");
}

static const char *update(struct fixture *f, const char *expr)
{
	static char out[4096];
	struct ddb_expr_ctx c;
	struct ddb_update u;
	ddb_expr_ctx_init(&c, f->arena, f->names, f->values);
	if (ddb_parse_update(&c, expr, &u)) {
		snprintf(out, sizeof(out), "ERR %s", c.err);
		return out;
	}
	cJSON *item = cJSON_Duplicate(f->item, 1);
	if (ddb_apply_update(&c, &u, f->item, item)) {
		snprintf(out, sizeof(out), "ERR %s", c.err);
	} else {
		char *s = cJSON_PrintUnformatted(item);
		snprintf(out, sizeof(out), "%s", s);
		cJSON_free(s);
	}
	cJSON_Delete(item);
	return out;
}

static void test_updates(void **state)
{
	struct fixture *f = *state;
	assert_non_null(strstr(update(f, "SET Price = Price - :lo"),
			       "\"Price\":{\"N\":\"400\"}"));
	assert_non_null(strstr(update(f, "SET Cnt = if_not_exists(Cnt, :one) + :two"),
			       "\"Cnt\":{\"N\":\"3\"}"));
	assert_non_null(strstr(update(f, "SET RelatedItems[1] = :one"),
			       "\"RelatedItems\":{\"L\":[{\"N\":\"341\"},"
			       "{\"N\":\"1\"},{\"N\":\"649\"}]}"));
	assert_non_null(strstr(update(f, "SET RelatedItems[9] = :one"),
			       "{\"N\":\"649\"},{\"N\":\"1\"}]"));
	assert_non_null(strstr(update(f, "REMOVE RelatedItems[0], RelatedItems[2]"),
			       "\"RelatedItems\":{\"L\":[{\"N\":\"472\"}]}"));
	assert_non_null(strstr(update(f, "SET Pictures.RearView = :c"),
			       "\"RearView\":{\"S\":\"Red\"}"));
	assert_non_null(strstr(update(f, "ADD Color :set"),
			       "[\"Red\",\"Black\",\"Blue\"]"));
	assert_non_null(strstr(update(f, "DELETE Color :set"),
			       "\"Color\":{\"SS\":[\"Black\"]}"));
	assert_non_null(strstr(update(f, "SET L2 = list_append(:l, RelatedItems)"),
			       "\"L2\":{\"L\":[{\"S\":\"x\"},{\"N\":\"341\"}"));
	assert_null(strstr(update(f, "REMOVE Title, InStock"), "Title"));
	assert_string_equal(update(f, "SET Gone.x = :one"),
			    "ERR The document path provided in the update "
			    "expression is invalid for update");
	assert_string_equal(update(f, "SET Title = Title + :one"),
			    "ERR Invalid UpdateExpression: An operand in the "
			    "update expression has an incorrect data type");
	assert_string_equal(update(f, "SET Price = :p SET Title = :c"),
			    "ERR Invalid UpdateExpression: The \"SET\" section "
			    "can only be used once in an update expression;");
	assert_string_equal(update(f, "SET Price = :p REMOVE Price"),
			    "ERR Invalid UpdateExpression: Two document paths "
			    "overlap with each other; must remove or rewrite "
			    "one of these paths; path one: [Price], path two: "
			    "[Price]");
}

static void test_projection(void **state)
{
	struct fixture *f = *state;
	struct ddb_expr_ctx c;
	struct ddb_projection p;
	ddb_expr_ctx_init(&c, f->arena, f->names, f->values);
	assert_int_equal(ddb_parse_projection(&c, "Title, RelatedItems[2], "
					      "RelatedItems[0], Pictures.FrontView",
					      &p), 0);
	cJSON *out = ddb_project(&p, f->item);
	char *s = cJSON_PrintUnformatted(out);
	assert_string_equal(s, "{\"Title\":{\"S\":\"Bicycle 123\"},"
			    "\"RelatedItems\":{\"L\":[{\"N\":\"341\"},"
			    "{\"N\":\"649\"}]},\"Pictures\":{\"M\":{\"FrontView\""
			    ":{\"S\":\"http://x/front.jpg\"}}}}");
	cJSON_free(s);
	cJSON_Delete(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_condition_errors),
		cmocka_unit_test(test_unused_placeholders),
		cmocka_unit_test(test_updates),
		cmocka_unit_test(test_projection),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
