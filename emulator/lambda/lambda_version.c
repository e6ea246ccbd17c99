/*
 * lambda_version.c - published versions: PublishVersion,
 * ListVersionsByFunction, and the freezing of $LATEST that CreateFunction
 * and UpdateFunctionCode do with Publish=true.
 *
 * A version is a frozen copy of $LATEST's configuration (Version "N",
 * a qualified FunctionArn) sharing $LATEST's code blob.  Publishing when
 * nothing changed since the last version returns that version, as Lambda
 * does.  Numbers come from functions.last_version, so a deleted version's
 * number is never reused.
 */
#include "lambda.h"
#include "protocol.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Freeze $LATEST (cfg, code blob) as the next version inside the open
 * transaction; returns the version's configuration (caller frees) or
 * NULL on a database error. */
cJSON *lambda_publish_locked(struct lambda_state *st, struct request *req,
			     const char *name, const cJSON *latest,
			     const char *blob, const char *description)
{
	sqlite3_stmt *stmt = store_prepare(
		st->db, "UPDATE functions SET last_version = last_version + 1 "
			"WHERE name = ? RETURNING last_version");
	if (!stmt)
		return NULL;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return NULL;
	}
	int64_t version = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	char vs[24];
	snprintf(vs, sizeof(vs), "%lld", (long long)version);
	cJSON *cfg = cJSON_Duplicate(latest, 1);
	lambda_set_str(cfg, "Version", vs);
	lambda_set_str(cfg, "FunctionArn",
		lambda_function_arn(req->arena, req->emu, name, vs));
	if (description)
		lambda_set_str(cfg, "Description", description);
	lambda_config_touch(cfg);
	char *text = cJSON_PrintUnformatted(cfg);
	stmt = store_prepare(st->db, "INSERT INTO versions (name, version, "
				     "config, code_blob) VALUES (?, ?, ?, ?)");
	int rc = SQLITE_ERROR;
	if (stmt) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(stmt, 2, version);
		sqlite3_bind_text(stmt, 3, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 4, blob, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
	}
	free(text);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(cfg);
		return NULL;
	}
	return cfg;
}

/* Does version cfg hold the same code and settings as latest? */
static int same_as(const cJSON *version, const cJSON *latest)
{
	cJSON *a = cJSON_Duplicate(version, 1), *b = cJSON_Duplicate(latest, 1);
	static const char *const skip[] = {"Version", "FunctionArn",
					   "LastModified", "RevisionId",
					   "Description"};
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
		cJSON_DeleteItemFromObjectCaseSensitive(a, skip[i]);
		cJSON_DeleteItemFromObjectCaseSensitive(b, skip[i]);
	}
	int same = cJSON_Compare(a, b, 1);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return same;
}

int lambda_publish_version(struct request *req, struct response *resp)
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
				 "cannot publish a version");
	char blob[STORE_BLOB_ID_LEN + 1];
	cJSON *cfg = lambda_db_config(st, name, NULL, blob, NULL);
	if (!cfg) {
		store_rollback(st->db);
		return lambda_not_found(req, name, NULL);
	}
	const cJSON *sha = cJSON_GetObjectItemCaseSensitive(body, "CodeSha256");
	const char *cur = lambda_config_str(cfg, "CodeSha256");
	if (lambda_check_revision(req, body, cfg) ||
	    (cJSON_IsString(sha) && cur && strcmp(sha->valuestring, cur))) {
		if (!req->err.status)
			req_error(req, 400, "InvalidParameterValueException",
				  "CodeSHA256 (%s) is different from current "
				  "CodeSHA256 in $LATEST (%s). Please try "
				  "again.", sha->valuestring, cur);
		store_rollback(st->db);
		cJSON_Delete(cfg);
		return -1;
	}
	/* Nothing changed since the last version: that version again. */
	sqlite3_stmt *stmt = store_prepare(
		st->db, "SELECT config FROM versions WHERE name = ? "
			"ORDER BY version DESC LIMIT 1");
	cJSON *last = NULL;
	if (stmt) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			last = cJSON_Parse(
				(const char *)sqlite3_column_text(stmt, 0));
		sqlite3_reset(stmt);
	}
	if (last && same_as(last, cfg)) {
		store_rollback(st->db);
		cJSON_Delete(cfg);
		resp->status = 201;
		resp_json(resp, &lambda_service, last);
		return 0;
	}
	cJSON_Delete(last);
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(body,
							    "Description");
	cJSON *version = lambda_publish_locked(
		st, req, name, cfg, blob,
		cJSON_IsString(desc) ? desc->valuestring : NULL);
	cJSON_Delete(cfg);
	if (!version || store_commit(st->db)) {
		store_rollback(st->db);
		cJSON_Delete(version);
		return req_error(req, 500, "ServiceException",
				 "cannot publish a version");
	}
	resp->status = 201;
	resp_json(resp, &lambda_service, version);
	return 0;
}

int lambda_list_versions(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	int max = lambda_max_items(req, 50);
	if (max < 0)
		return -1;
	cJSON *latest = lambda_db_config(st, name, NULL, NULL, NULL);
	if (!latest)
		return lambda_not_found(req, name, NULL);
	const char *marker = req_query(req, "Marker");
	long after = -1; /* -1: start with $LATEST */
	if (marker && *marker)
		after = strtol(marker, NULL, 10);
	cJSON *out = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(out, "Versions");
	int n = 0;
	if (after < 0) {
		cJSON_AddItemToArray(list, latest);
		n++;
		after = 0;
	} else {
		cJSON_Delete(latest);
	}
	sqlite3_stmt *stmt = store_prepare(
		st->db, "SELECT version, config FROM versions WHERE name = ? "
			"AND version > ? ORDER BY version");
	long last = after;
	int more = 0;
	if (stmt) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(stmt, 2, after);
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			if (n == max) {
				more = 1;
				break;
			}
			cJSON *cfg = cJSON_Parse(
				(const char *)sqlite3_column_text(stmt, 1));
			if (!cfg)
				continue;
			cJSON_AddItemToArray(list, cfg);
			last = (long)sqlite3_column_int64(stmt, 0);
			n++;
		}
		sqlite3_reset(stmt);
	}
	if (more) {
		char m[24];
		snprintf(m, sizeof(m), "%ld", last);
		cJSON_AddStringToObject(out, "NextMarker", m);
	}
	resp_json(resp, &lambda_service, out);
	return 0;
}
