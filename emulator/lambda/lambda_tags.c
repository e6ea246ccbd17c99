/*
 * lambda_tags.c - ListTags, TagResource, UntagResource (on function
 * ARNs, /2017-03-31/tags/{ARN}) and GetAccountSettings.
 *
 * Tags live in the functions row as a JSON object; Lambda allows 50 per
 * function, keys up to 128 and values up to 256 characters.
 */
#include "config.h"
#include "lambda.h"
#include "protocol.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TAGS 50

/* The function a tagging ARN names; -1 with the error recorded. */
static int tag_target(struct request *req, const char **name)
{
	const char *arn = req_path_param(req, "Resource");
	const char *qualifier;
	if (!arn || strncmp(arn, "arn:", 4) != 0 ||
	    lambda_parse_function_name(req->arena, arn, name, &qualifier))
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%s' at "
				 "'resource' failed to satisfy constraint: "
				 "Member must satisfy regular expression "
				 "pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}"
				 "((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:"
				 "\\d{12}:(function:[a-zA-Z0-9-_]+(:"
				 "(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:"
				 "[a-zA-Z0-9-_]+)", arn ? arn : "");
	return 0;
}

/* The tags object of name (caller frees), or NULL when no function. */
static cJSON *load_tags(struct lambda_state *st, const char *name)
{
	int found;
	char *text = lambda_db_column(st, name, "tags", &found);
	if (!found)
		return NULL;
	cJSON *tags = text ? cJSON_Parse(text) : NULL;
	free(text);
	return tags ? tags : cJSON_CreateObject();
}

static int not_found(struct request *req)
{
	return req_error(req, 404, "ResourceNotFoundException",
			 "Function not found: %s",
			 req_path_param(req, "Resource"));
}

int lambda_list_tags(struct request *req, struct response *resp)
{
	const char *name;
	if (tag_target(req, &name))
		return -1;
	cJSON *tags = load_tags(lambda_state_of(req), name);
	if (!tags)
		return not_found(req);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "Tags", tags);
	resp_json(resp, &lambda_service, out);
	return 0;
}

int lambda_tag_resource(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name;
	if (tag_target(req, &name))
		return -1;
	cJSON *body = req_json_body(req, "InvalidRequestContentException");
	if (!body)
		return -1;
	const cJSON *add = cJSON_GetObjectItemCaseSensitive(body, "Tags");
	if (!cJSON_IsObject(add))
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value null at "
				 "'tags' failed to satisfy constraint: Member "
				 "must not be null");
	const cJSON *t;
	cJSON_ArrayForEach(t, add) {
		if (!cJSON_IsString(t) || strlen(t->string) > 128 ||
		    !*t->string || strlen(t->valuestring) > 256)
			return req_error(req, 400,
					 "InvalidParameterValueException",
					 "Invalid tag: key or value is too "
					 "long, empty or not a string");
	}
	if (store_begin(st->db))
		return req_error(req, 500, "ServiceException",
				 "cannot store the tags");
	cJSON *tags = load_tags(st, name);
	if (!tags) {
		store_rollback(st->db);
		return not_found(req);
	}
	cJSON_ArrayForEach(t, add) {
		cJSON_DeleteItemFromObjectCaseSensitive(tags, t->string);
		cJSON_AddStringToObject(tags, t->string, t->valuestring);
	}
	if (cJSON_GetArraySize(tags) > MAX_TAGS) {
		store_rollback(st->db);
		cJSON_Delete(tags);
		return req_error(req, 400, "InvalidParameterValueException",
				 "Number of tags exceeds resource tag limit.");
	}
	char *text = cJSON_PrintUnformatted(tags);
	cJSON_Delete(tags);
	int rc = lambda_db_set_column(st, name, "tags", text);
	free(text);
	if (rc || store_commit(st->db)) {
		store_rollback(st->db);
		return req_error(req, 500, "ServiceException",
				 "cannot store the tags");
	}
	resp->status = 204;
	return 0;
}

int lambda_untag_resource(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name;
	if (tag_target(req, &name))
		return -1;
	if (store_begin(st->db))
		return req_error(req, 500, "ServiceException",
				 "cannot store the tags");
	cJSON *tags = load_tags(st, name);
	if (!tags) {
		store_rollback(st->db);
		return not_found(req);
	}
	for (size_t i = 0; i < req->n_query; i++)
		if (strcmp(req->query[i].name, "tagKeys") == 0)
			cJSON_DeleteItemFromObjectCaseSensitive(
				tags, req->query[i].value);
	char *text = cJSON_PrintUnformatted(tags);
	cJSON_Delete(tags);
	int rc = lambda_db_set_column(st, name, "tags", text);
	free(text);
	if (rc || store_commit(st->db)) {
		store_rollback(st->db);
		return req_error(req, 500, "ServiceException",
				 "cannot store the tags");
	}
	resp->status = 204;
	return 0;
}

int lambda_get_account_settings(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	long long functions = 0, code = 0, reserved = 0;
	sqlite3_stmt *stmt = store_prepare(
		st->db, "SELECT count(*), coalesce(sum(json_extract(config, "
			"'$.CodeSize')), 0), coalesce(sum(concurrency), 0) "
			"FROM functions");
	if (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
		functions = sqlite3_column_int64(stmt, 0);
		code = sqlite3_column_int64(stmt, 1);
		reserved = sqlite3_column_int64(stmt, 2);
	}
	if (stmt)
		sqlite3_reset(stmt);
	cJSON *out = cJSON_CreateObject();
	cJSON *limit = cJSON_AddObjectToObject(out, "AccountLimit");
	cJSON_AddNumberToObject(limit, "TotalCodeSize", 80530636800.0);
	cJSON_AddNumberToObject(limit, "CodeSizeUnzipped", 262144000);
	cJSON_AddNumberToObject(limit, "CodeSizeZipped", 52428800);
	cJSON_AddNumberToObject(limit, "ConcurrentExecutions", 1000);
	cJSON_AddNumberToObject(limit, "UnreservedConcurrentExecutions",
				(double)(1000 - reserved));
	cJSON *usage = cJSON_AddObjectToObject(out, "AccountUsage");
	cJSON_AddNumberToObject(usage, "TotalCodeSize", (double)code);
	cJSON_AddNumberToObject(usage, "FunctionCount", (double)functions);
	resp_json(resp, &lambda_service, out);
	return 0;
}
