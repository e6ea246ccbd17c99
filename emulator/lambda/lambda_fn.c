/*
 * lambda_fn.c - the function control plane: CreateFunction, GetFunction,
 * GetFunctionConfiguration, ListFunctions, DeleteFunction,
 * UpdateFunctionCode and UpdateFunctionConfiguration (versions are in
 * lambda_version.c).
 *
 * State transitions follow Lambda's so waiters work: CreateFunction
 * answers State=Pending (the code is already unpacked when it answers,
 * so the stored state, and every later read, is Active); an update
 * answers LastUpdateStatus=InProgress and reads back Successful.  Every
 * write is one transaction; a new code blob is committed before the row
 * that points at it and removed again when the row cannot be written.
 */
#include "config.h"
#include "edge/edge.h"
#include "lambda.h"
#include "protocol.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The URL GetFunction gives for downloading the deployment package. */
static char *code_location(struct request *req, const char *name,
			   const char *blob)
{
	const struct emulator *emu = req->emu;
	int port = emu->edge ? edge_port(emu->edge) : emu->config->port;
	return arena_printf(req->arena, "http://%s:%d/_lambda/code/%s/%s.zip",
			    emu->config->host, port, name, blob);
}

/* A fresh $LATEST configuration with Lambda's defaults. */
static cJSON *default_config(struct request *req, const char *name)
{
	cJSON *cfg = cJSON_CreateObject();
	cJSON_AddStringToObject(cfg, "FunctionName", name);
	cJSON_AddStringToObject(cfg, "FunctionArn",
				lambda_function_arn(req->arena, req->emu, name,
						    NULL));
	cJSON_AddStringToObject(cfg, "Description", "");
	cJSON_AddNumberToObject(cfg, "Timeout", 3);
	cJSON_AddNumberToObject(cfg, "MemorySize", 128);
	cJSON_AddStringToObject(cfg, "Version", "$LATEST");
	cJSON *tracing = cJSON_AddObjectToObject(cfg, "TracingConfig");
	cJSON_AddStringToObject(tracing, "Mode", "PassThrough");
	cJSON_AddStringToObject(cfg, "PackageType", "Zip");
	cJSON *arch = cJSON_AddArrayToObject(cfg, "Architectures");
	cJSON_AddItemToArray(arch, cJSON_CreateString("x86_64"));
	cJSON *eph = cJSON_AddObjectToObject(cfg, "EphemeralStorage");
	cJSON_AddNumberToObject(eph, "Size", 512);
	cJSON *snap = cJSON_AddObjectToObject(cfg, "SnapStart");
	cJSON_AddStringToObject(snap, "ApplyOn", "None");
	cJSON_AddStringToObject(snap, "OptimizationStatus", "Off");
	cJSON *logging = cJSON_AddObjectToObject(cfg, "LoggingConfig");
	cJSON_AddStringToObject(logging, "LogFormat", "Text");
	cJSON_AddStringToObject(logging, "LogGroup",
				arena_printf(req->arena, "/aws/lambda/%s",
					     name));
	cJSON_AddStringToObject(cfg, "State", "Active");
	cJSON_AddStringToObject(cfg, "LastUpdateStatus", "Successful");
	return cfg;
}

void lambda_set_str(cJSON *cfg, const char *field, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(cfg, field);
	if (value)
		cJSON_AddStringToObject(cfg, field, value);
}

static void set_num(cJSON *cfg, const char *field, double value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(cfg, field);
	cJSON_AddNumberToObject(cfg, field, value);
}

/* The copy of cfg a write answers with: Pending / InProgress. */
static cJSON *in_progress(const cJSON *cfg, int creating)
{
	cJSON *out = cJSON_Duplicate(cfg, 1);
	if (creating) {
		lambda_set_str(out, "State", "Pending");
		lambda_set_str(out, "StateReason", "The function is being created.");
		lambda_set_str(out, "StateReasonCode", "Creating");
	} else {
		lambda_set_str(out, "LastUpdateStatus", "InProgress");
	}
	return out;
}

static char *print(const cJSON *json)
{
	return cJSON_PrintUnformatted(json);
}

int lambda_create_function(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	cJSON *body = req_json_body(req, "InvalidRequestContentException");
	if (!body)
		return -1;
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(body,
							  "FunctionName");
	const char *name, *qualifier;
	if (!cJSON_IsString(fn) ||
	    lambda_parse_function_name(req->arena, fn->valuestring, &name,
				       &qualifier) || qualifier)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%s' at "
				 "'functionName' failed to satisfy constraint: "
				 "Member must satisfy regular expression "
				 "pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?"
				 "([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
				 "(function:)?([a-zA-Z0-9-_]+)",
				 cJSON_IsString(fn) ? fn->valuestring : "");
	int exists = 0;
	cJSON *old = lambda_db_config(st, name, NULL, NULL, &exists);
	cJSON_Delete(old);
	if (exists)
		return req_error(req, 409, "ResourceConflictException",
				 "Function already exist: %s", name);
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(body, "Tags");
	if (tags && !cJSON_IsObject(tags))
		return req_error(req, 400, "InvalidRequestContentException",
				 "Could not parse request body into json: "
				 "field 'Tags' has the wrong type");
	cJSON *cfg = default_config(req, name);
	if (lambda_config_apply(req, cfg, body, 1)) {
		cJSON_Delete(cfg);
		return -1;
	}
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "Code");
	if (!cJSON_IsObject(code)) {
		cJSON_Delete(cfg);
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value null at "
				 "'code' failed to satisfy constraint: Member "
				 "must not be null");
	}
	char blob[STORE_BLOB_ID_LEN + 1], sha[64];
	int64_t size;
	if (lambda_code_store(st, req, code, blob, sha, &size)) {
		cJSON_Delete(cfg);
		return -1;
	}
	set_num(cfg, "CodeSize", (double)size);
	lambda_set_str(cfg, "CodeSha256", sha);
	lambda_config_touch(cfg);

	char *text = print(cfg);
	char *tags_text = tags ? print(tags) : xstrdup("{}");
	cJSON *answer = NULL;
	int rc = -1;
	if (store_begin(st->db) == 0) {
		sqlite3_stmt *stmt = store_prepare(
			st->db, "INSERT INTO functions (name, config, "
				"code_blob, tags, created_ms) "
				"VALUES (?, ?, ?, ?, ?)");
		if (stmt) {
			sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(stmt, 2, text, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(stmt, 3, blob, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(stmt, 4, tags_text, -1,
					  SQLITE_TRANSIENT);
			sqlite3_bind_int64(stmt, 5, time_now_ms());
			rc = sqlite3_step(stmt);
			sqlite3_reset(stmt);
			if (rc == SQLITE_CONSTRAINT) {
				store_rollback(st->db);
				lambda_code_remove(st, blob);
				free(text);
				free(tags_text);
				cJSON_Delete(cfg);
				return req_error(req, 409,
						 "ResourceConflictException",
						 "Function already exist: %s",
						 name);
			}
			rc = rc == SQLITE_DONE ? 0 : -1;
		}
		const cJSON *pub = cJSON_GetObjectItemCaseSensitive(body,
								   "Publish");
		if (rc == 0 && cJSON_IsTrue(pub)) {
			answer = lambda_publish_locked(st, req, name, cfg, blob, NULL);
			if (!answer)
				rc = -1;
		}
		if (rc == 0 && store_commit(st->db))
			rc = -1;
		if (rc)
			store_rollback(st->db);
	}
	free(text);
	free(tags_text);
	if (rc) {
		cJSON_Delete(answer);
		cJSON_Delete(cfg);
		lambda_code_remove(st, blob);
		return req_error(req, 500, "ServiceException",
				 "cannot store the function");
	}
	cJSON *out = in_progress(answer ? answer : cfg, 1);
	cJSON_Delete(answer);
	cJSON_Delete(cfg);
	resp->status = 201;
	resp_json(resp, &lambda_service, out);
	return 0;
}

int lambda_get_function_configuration(struct request *req,
				      struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	cJSON *cfg = lambda_db_config(st, name, qualifier, NULL, NULL);
	if (!cfg)
		return lambda_not_found(req, name, qualifier);
	resp_json(resp, &lambda_service, cfg);
	return 0;
}

int lambda_get_function(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	char blob[STORE_BLOB_ID_LEN + 1];
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	cJSON *cfg = lambda_db_config(st, name, qualifier, blob, NULL);
	if (!cfg)
		return lambda_not_found(req, name, qualifier);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "Configuration", cfg);
	cJSON *code = cJSON_AddObjectToObject(out, "Code");
	cJSON_AddStringToObject(code, "RepositoryType", "S3");
	cJSON_AddStringToObject(code, "Location",
				code_location(req, name, blob));
	char *tags = lambda_db_column(st, name, "tags", NULL);
	cJSON *tj = tags ? cJSON_Parse(tags) : NULL;
	free(tags);
	cJSON_AddItemToObject(out, "Tags", tj ? tj : cJSON_CreateObject());
	int reserved = lambda_db_concurrency(st, name);
	if (reserved >= 0) {
		cJSON *c = cJSON_AddObjectToObject(out, "Concurrency");
		cJSON_AddNumberToObject(c, "ReservedConcurrentExecutions",
					reserved);
	}
	resp_json(resp, &lambda_service, out);
	return 0;
}

/* MaxItems of a list call (1..10000, default dflt); -1 with an error. */
int lambda_max_items(struct request *req, int dflt)
{
	const char *m = req_query(req, "MaxItems");
	if (!m || !*m)
		return dflt;
	char *end;
	long v = strtol(m, &end, 10);
	if (*end || v < 1 || v > 10000)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%s' at "
				 "'maxItems' failed to satisfy constraint: "
				 "Member must have value %s", m,
				 v < 1 ? "greater than or equal to 1"
				       : "less than or equal to 10000");
	return (int)v;
}

int lambda_list_functions(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	int max = lambda_max_items(req, 50);
	if (max < 0)
		return -1;
	const char *marker = req_query(req, "Marker");
	const char *fv = req_query(req, "FunctionVersion");
	int all = fv && strcmp(fv, "ALL") == 0;
	if (fv && *fv && !all)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%s' at "
				 "'functionVersion' failed to satisfy "
				 "constraint: Member must satisfy enum value "
				 "set: [ALL]", fv);
	sqlite3_stmt *stmt = store_prepare(
		st->db,
		all ? "SELECT name || ':' || '0', config FROM functions "
		      "UNION ALL SELECT name || ':' || printf('%010d', "
		      "version), config FROM versions ORDER BY 1"
		    : "SELECT name, config FROM functions ORDER BY name");
	if (!stmt)
		return req_error(req, 500, "ServiceException",
				 "cannot list functions");
	cJSON *out = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(out, "Functions");
	int n = 0, more = 0;
	const char *last = NULL;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(stmt, 0);
		if (marker && *marker && strcmp(key, marker) <= 0)
			continue;
		if (n == max) {
			more = 1;
			break;
		}
		cJSON *cfg = cJSON_Parse(
			(const char *)sqlite3_column_text(stmt, 1));
		if (cfg) {
			cJSON_AddItemToArray(list, cfg);
			n++;
			last = arena_strdup(req->arena, key);
		}
	}
	sqlite3_reset(stmt);
	if (more && last)
		cJSON_AddStringToObject(out, "NextMarker", last);
	resp_json(resp, &lambda_service, out);
	return 0;
}

/* Whether aliases point at version of name; when they do, record
 * Lambda's 409 naming them ([a, b]) and return 1. */
static int version_aliased(struct request *req, struct lambda_state *st,
			   const char *name, const char *version)
{
	sqlite3_stmt *stmt = store_prepare(st->db,
		"SELECT group_concat(alias, ', ') FROM (SELECT alias FROM "
		"aliases WHERE name = ? AND version = ? ORDER BY alias)");
	if (!stmt)
		return 0;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, version, -1, SQLITE_TRANSIENT);
	int found = 0;
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		found = 1;
		req_error(req, 409, "ResourceConflictException",
			  "Unable to delete version because the following "
			  "aliases reference it: [%s]",
			  (const char *)sqlite3_column_text(stmt, 0));
	}
	sqlite3_reset(stmt);
	return found;
}

/* Code blobs of name ($LATEST and versions), for removal. */
static int collect_blobs(struct lambda_state *st, const char *name,
			 const char *version, char ***out, size_t *n)
{
	sqlite3_stmt *stmt = store_prepare(
		st->db, version ? "SELECT code_blob FROM versions WHERE name = ? "
				  "AND version = ? AND code_blob NOT IN "
				  "(SELECT code_blob FROM functions WHERE "
				  "name = ?1 UNION SELECT code_blob FROM "
				  "versions WHERE name = ?1 AND version <> ?2)"
				: "SELECT code_blob FROM functions WHERE "
				  "name = ? UNION SELECT code_blob FROM "
				  "versions WHERE name = ?1");
	*out = NULL;
	*n = 0;
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	if (version)
		sqlite3_bind_int64(stmt, 2, strtoll(version, NULL, 10));
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof(char *));
		(*out)[(*n)++] = xstrdup(
			(const char *)sqlite3_column_text(stmt, 0));
	}
	sqlite3_reset(stmt);
	return 0;
}

int lambda_delete_function(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	int exists;
	cJSON *cfg = lambda_db_config(st, name, qualifier, NULL, &exists);
	if (!cfg)
		return lambda_not_found(req, name, qualifier);
	cJSON_Delete(cfg);
	if (qualifier && strcmp(qualifier, "$LATEST") == 0)
		return req_error(req, 400, "InvalidParameterValueException",
				 "$LATEST version cannot be deleted without "
				 "deleting the function.");
	for (const char *p = qualifier; p && *p; p++)
		if (*p < '0' || *p > '9')
			return req_error(req, 400,
					 "InvalidParameterValueException",
					 "Deletion of aliases is not "
					 "supported.");
	if (qualifier && version_aliased(req, st, name, qualifier))
		return -1;
	char **blobs;
	size_t n_blobs;
	int rc = -1;
	if (store_begin(st->db) == 0) {
		collect_blobs(st, name, qualifier, &blobs, &n_blobs);
		sqlite3_stmt *stmt = store_prepare(
			st->db, qualifier ? "DELETE FROM versions WHERE "
					    "name = ? AND version = ?"
					  : "DELETE FROM functions WHERE "
					    "name = ?");
		if (stmt) {
			sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
			if (qualifier)
				sqlite3_bind_int64(stmt, 2,
						   strtoll(qualifier, NULL, 10));
			rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
			sqlite3_reset(stmt);
		}
		if (rc == 0 && store_commit(st->db))
			rc = -1;
		if (rc) {
			store_rollback(st->db);
		} else {
			lambda_pool_forget(st, name, 1);
			for (size_t i = 0; i < n_blobs; i++)
				lambda_code_remove(st, blobs[i]);
		}
		for (size_t i = 0; i < n_blobs; i++)
			free(blobs[i]);
		free(blobs);
	}
	if (rc)
		return req_error(req, 500, "ServiceException",
				 "cannot delete the function");
	resp->status = 204;
	return 0;
}

/* RevisionId precondition of an update body; -1 with the error. */
int lambda_check_revision(struct request *req, const cJSON *body,
			  const cJSON *cfg)
{
	const cJSON *rev = cJSON_GetObjectItemCaseSensitive(body, "RevisionId");
	const char *cur = lambda_config_str(cfg, "RevisionId");
	if (cJSON_IsString(rev) && cur && strcmp(rev->valuestring, cur) != 0)
		return req_error(req, 412, "PreconditionFailedException",
				 "The Revision Id provided does not match the "
				 "latest Revision Id. Call the GetFunction/"
				 "GetAlias API to retrieve the latest Revision "
				 "Id");
	return 0;
}

/* Write $LATEST's config (and blob when not NULL) in the open
 * transaction; 0 or -1. */
static int save_latest(struct lambda_state *st, const char *name,
		       const cJSON *cfg, const char *blob)
{
	char *text = print(cfg);
	sqlite3_stmt *stmt = store_prepare(
		st->db, "UPDATE functions SET config = ?, code_blob = "
			"coalesce(?, code_blob) WHERE name = ?");
	int rc = -1;
	if (stmt) {
		sqlite3_bind_text(stmt, 1, text, -1, SQLITE_TRANSIENT);
		if (blob)
			sqlite3_bind_text(stmt, 2, blob, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(stmt, 2);
		sqlite3_bind_text(stmt, 3, name, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(stmt);
	}
	free(text);
	return rc;
}

/* The common tail of both updates: optional publish, commit, answer. */
static int finish_update(struct lambda_state *st, struct request *req,
			 struct response *resp, const char *name, cJSON *cfg,
			 const char *new_blob, const char *old_blob,
			 int publish)
{
	cJSON *version = NULL;
	int rc = save_latest(st, name, cfg, new_blob);
	if (rc == 0 && publish) {
		version = lambda_publish_locked(st, req, name, cfg,
					 new_blob ? new_blob : old_blob, NULL);
		if (!version)
			rc = -1;
	}
	/* The old package goes when no version still runs it. */
	int old_used = 1;
	if (rc == 0 && new_blob) {
		sqlite3_stmt *stmt = store_prepare(
			st->db, "SELECT count(*) FROM versions WHERE "
				"name = ? AND code_blob = ?");
		if (stmt) {
			sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(stmt, 2, old_blob, -1,
					  SQLITE_TRANSIENT);
			if (sqlite3_step(stmt) == SQLITE_ROW)
				old_used = sqlite3_column_int(stmt, 0) > 0;
			sqlite3_reset(stmt);
		}
	}
	if (rc == 0 && store_commit(st->db))
		rc = -1;
	if (rc) {
		store_rollback(st->db);
		cJSON_Delete(cfg);
		cJSON_Delete(version);
		if (new_blob)
			lambda_code_remove(st, new_blob);
		return req_error(req, 500, "ServiceException",
				 "cannot update the function");
	}
	lambda_pool_forget(st, name, 0);
	if (new_blob && !old_used)
		lambda_code_remove(st, old_blob);
	cJSON *out = in_progress(version ? version : cfg, 0);
	cJSON_Delete(version);
	cJSON_Delete(cfg);
	resp_json(resp, &lambda_service, out);
	return 0;
}

int lambda_update_function_code(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	cJSON *body = req_json_body(req, "InvalidRequestContentException");
	if (!body)
		return -1;
	char blob[STORE_BLOB_ID_LEN + 1], sha[64];
	int64_t size;
	{
		cJSON *probe = lambda_db_config(st, name, NULL, NULL, NULL);
		if (!probe)
			return lambda_not_found(req, name, NULL);
		int bad = lambda_check_revision(req, body, probe);
		cJSON_Delete(probe);
		if (bad)
			return -1;
	}
	const cJSON *arch = cJSON_GetObjectItemCaseSensitive(body,
							    "Architectures");
	if (lambda_code_store(st, req, body, blob, sha, &size))
		return -1;
	if (store_begin(st->db)) {
		lambda_code_remove(st, blob);
		return req_error(req, 500, "ServiceException",
				 "cannot update the function");
	}
	char old_blob[STORE_BLOB_ID_LEN + 1];
	cJSON *cfg = lambda_db_config(st, name, NULL, old_blob, NULL);
	if (!cfg || lambda_check_revision(req, body, cfg)) {
		store_rollback(st->db);
		lambda_code_remove(st, blob);
		cJSON_Delete(cfg);
		return cfg ? -1 : lambda_not_found(req, name, NULL);
	}
	if (cJSON_IsArray(arch)) {
		cJSON_ReplaceItemInObjectCaseSensitive(
			cfg, "Architectures", cJSON_Duplicate(arch, 1));
	}
	set_num(cfg, "CodeSize", (double)size);
	lambda_set_str(cfg, "CodeSha256", sha);
	lambda_config_touch(cfg);
	return finish_update(st, req, resp, name, cfg, blob, old_blob,
			     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
				     body, "Publish")));
}

int lambda_update_function_configuration(struct request *req,
					 struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	cJSON *body = req_json_body(req, "InvalidRequestContentException");
	if (!body)
		return -1;
	if (store_begin(st->db))
		return req_error(req, 500, "ServiceException",
				 "cannot update the function");
	char blob[STORE_BLOB_ID_LEN + 1];
	cJSON *cfg = lambda_db_config(st, name, NULL, blob, NULL);
	if (!cfg) {
		store_rollback(st->db);
		return lambda_not_found(req, name, NULL);
	}
	if (lambda_check_revision(req, body, cfg) ||
	    lambda_config_apply(req, cfg, body, 0)) {
		store_rollback(st->db);
		cJSON_Delete(cfg);
		return -1;
	}
	lambda_config_touch(cfg);
	return finish_update(st, req, resp, name, cfg, NULL, blob, 0);
}

