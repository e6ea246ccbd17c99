// fuzz-sources: emulator/sns/sns_filter.c
// fuzz-pkgs: libcjson
// fuzz-dict: "prefix"
// fuzz-dict: "suffix"
// fuzz-dict: "anything-but"
// fuzz-dict: "numeric"
// fuzz-dict: "exists"
// fuzz-dict: "equals-ignore-case"
// fuzz-dict: "cidr"
// fuzz-dict: "$or"
// fuzz-seed: {"store":["example_corp"],"price":[{"numeric":[">",0,"<=",150]}]}|{"a":{"b":[1,"x",null]},"store":"example_corp","price":5}
// fuzz-seed: {"$or":[{"a":[{"prefix":"x"}]},{"b":[{"anything-but":{"suffix":"y"}}]}]}|{"a":"xyz","b":["q","y"]}
/*
 * fuzz_sns_filter.c - libFuzzer target for SNS filter policies
 * (emulator/sns/sns_filter.c).  The input is "policy|document": the
 * policy is validated, then evaluated against the document both as a
 * message body and as message attributes (each top-level key of the
 * document becomes a String, Number or String.Array attribute).  Nothing
 * may crash, leak or read out of bounds, and only a policy the checker
 * accepts may match anything.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sns/sns_filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Turn a JSON object into SNS attributes {"k":{"Type","Value"}}. */
static cJSON *as_attributes(const char *doc)
{
	cJSON *in = cJSON_Parse(doc);
	if (!cJSON_IsObject(in)) {
		cJSON_Delete(in);
		return NULL;
	}
	cJSON *out = cJSON_CreateObject();
	for (const cJSON *k = in->child; k; k = k->next) {
		cJSON *a = cJSON_CreateObject();
		if (cJSON_IsString(k)) {
			cJSON_AddStringToObject(a, "Type", "String");
			cJSON_AddStringToObject(a, "Value", k->valuestring);
		} else {
			char *text = cJSON_PrintUnformatted(k);
			cJSON_AddStringToObject(a, "Type",
						cJSON_IsNumber(k) ? "Number"
								  : "String.Array");
			cJSON_AddStringToObject(a, "Value", text ? text : "");
			free(text);
		}
		cJSON_AddItemToObject(out, k->string, a);
	}
	cJSON_Delete(in);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char *bar = strchr(text, '|');
	const char *doc = "";
	if (bar) {
		*bar = '\0';
		doc = bar + 1;
	}
	char err[256];
	int valid = sns_filter_check(text, err, sizeof(err)) == 0;
	int body = sns_filter_match(text, 1, NULL, doc);
	cJSON *attrs = as_attributes(doc);
	int attr = sns_filter_match(text, 0, attrs, NULL);
	cJSON_Delete(attrs);
	if ((body || attr) && !valid)
		abort();
	free(text);
	return 0;
}
