/*
 * fuzz_ddb_expr.c - libFuzzer target for DynamoDB's expression parsers
 * and evaluator: the input is split at the first NUL into a condition
 * and an update expression, parsed with a fixed set of placeholders, and
 * evaluated / applied against a fixed item.  Any crash, leak or
 * sanitizer report is a bug; parse errors are expected.
 *
 * fuzz-pkgs: libcjson libcrypto sqlite3
 * fuzz-seed: attribute_exists(#a) AND a < :v
 * fuzz-sources: emulator/dynamodb/ddb_number.c emulator/dynamodb/ddb_value.c emulator/dynamodb/ddb_expr_lex.c emulator/dynamodb/ddb_expr_parse.c emulator/dynamodb/ddb_expr_eval.c emulator/dynamodb/ddb_reserved.c emulator/arena.c sdk/hash.c sdk/buf.c sdk/xalloc.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynamodb/ddb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *item_json =
		"{\"a\":{\"N\":\"1\"},\"b\":{\"L\":[{\"S\":\"x\"},{\"M\":{\"c\":"
		"{\"SS\":[\"p\",\"q\"]}}}]},\"s\":{\"S\":\"str\"}}";
	static const char *values_json =
		"{\":v\":{\"N\":\"2\"},\":s\":{\"S\":\"x\"},\":l\":{\"L\":[]},"
		"\":ss\":{\"SS\":[\"p\"]}}";
	static const char *names_json = "{\"#a\":\"a\",\"#b\":\"b\"}";
	char *text = malloc(size + 2);
	memcpy(text, data, size);
	text[size] = 0;
	text[size + 1] = 0;
	const char *cond = text;
	const char *upd = text + strlen(text) + 1;
	if (upd > text + size)
		upd = "";

	struct arena *a = arena_new();
	cJSON *item = cJSON_Parse(item_json);
	cJSON *values = cJSON_Parse(values_json);
	cJSON *names = cJSON_Parse(names_json);
	struct ddb_expr_ctx c;
	struct ddb_node *n;
	struct ddb_update u;
	struct ddb_projection p;

	ddb_expr_ctx_init(&c, a, names, values);
	if (ddb_parse_condition(&c, DDB_EXPR_CONDITION, cond, &n) == 0)
		(void)ddb_eval_condition(&c, n, item);
	if (ddb_parse_projection(&c, cond, &p) == 0)
		cJSON_Delete(ddb_project(&p, item));
	if (ddb_parse_update(&c, upd, &u) == 0) {
		cJSON *copy = cJSON_Duplicate(item, 1);
		(void)ddb_apply_update(&c, &u, item, copy);
		cJSON_Delete(copy);
	}
	(void)ddb_expr_check_unused(&c);

	cJSON_Delete(item);
	cJSON_Delete(values);
	cJSON_Delete(names);
	arena_destroy(a);
	free(text);
	return 0;
}
