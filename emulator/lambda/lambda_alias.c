/*
 * lambda_alias.c - aliases: CreateAlias, GetAlias, ListAliases,
 * UpdateAlias, DeleteAlias.
 *
 * An alias names a version ("$LATEST" or a published number); the
 * aliases table keeps the target (used by qualifier resolution in
 * lambda_db_config, so Invoke/GetFunction with an alias run or show that
 * version) and the AliasConfiguration as Lambda returns it.
 * RoutingConfig (weighted routing) is validated loosely, stored and
 * returned, but every invocation goes to FunctionVersion.
 */
#include "lambda.h"
#include "ids.h"
#include "protocol.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Alias names: (?!^[0-9]+$)([a-zA-Z0-9-_]+), 1-128 characters. */
static int valid_alias(const char *s)
{
	size_t n = strlen(s);
	int digits = 1;
	if (n < 1 || n > 128)
		return 0;
	for (const char *p = s; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
		if (*p < '0' || *p > '9')
			digits = 0;
	}
	return !digits;
}

/* Check FunctionVersion of name exists; -1 with the error recorded. */
static int check_version(struct request *req, struct lambda_state *st,
			 const char *name, const char *version)
{
	int plain = strcmp(version, "$LATEST") == 0;
	for (const char *p = version; !plain && *p; p++)
		if (*p < '0' || *p > '9')
			return req_error(req, 400, "ValidationException",
				"1 validation error detected: Value '%s' at "
				"'functionVersion' failed to satisfy "
				"constraint: Member must satisfy regular "
				"expression pattern: (\\$LATEST|[0-9]+)",
				version);
	cJSON *cfg = lambda_db_config(st, name, version, NULL, NULL);
	if (!cfg)
		return lambda_not_found(req, name, version);
	cJSON_Delete(cfg);
	return 0;
}

/* The stored AliasConfiguration of name:alias (caller frees), or NULL. */
static cJSON *load_alias(struct lambda_state *st, const char *name,
			 const char *alias)
{
	sqlite3_stmt *s = store_prepare(st->db,
		"SELECT config FROM aliases WHERE name = ? AND alias = ?");
	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, alias, -1, SQLITE_TRANSIENT);
	cJSON *cfg = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		cfg = cJSON_Parse((const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return cfg;
}

static int no_alias(struct request *req, const char *name, const char *alias)
{
	return req_error(req, 404, "ResourceNotFoundException",
			 "Cannot find alias arn: %s",
			 lambda_function_arn(req->arena, req->emu, name,
					     alias));
}

/* Fill cfg's fields from body (FunctionVersion, Description,
 * RoutingConfig) and a new RevisionId. */
static void apply(cJSON *cfg, const cJSON *body)
{
	static const char *const fields[] = {"FunctionVersion", "Description",
					     "RoutingConfig"};
	for (size_t i = 0; i < 3; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(body,
								 fields[i]);
		if (!v)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(cfg, fields[i]);
		cJSON_AddItemToObject(cfg, fields[i], cJSON_Duplicate(v, 1));
	}
	char rev[37];
	ids_uuid4(rev);
	cJSON_DeleteItemFromObjectCaseSensitive(cfg, "RevisionId");
	cJSON_AddStringToObject(cfg, "RevisionId", rev);
}

/* INSERT (create) or UPDATE the row of cfg; SQLite's step result. */
static int save(struct lambda_state *st, const char *name, const char *alias,
		const cJSON *cfg, int create)
{
	sqlite3_stmt *s = store_prepare(st->db, create
		? "INSERT INTO aliases (name, alias, version, config) "
		  "VALUES (?1, ?2, ?3, ?4)"
		: "UPDATE aliases SET version = ?3, config = ?4 WHERE "
		  "name = ?1 AND alias = ?2");
	if (!s)
		return SQLITE_ERROR;
	char *text = cJSON_PrintUnformatted(cfg);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, alias, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, lambda_config_str(cfg, "FunctionVersion"), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, text, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	free(text);
	return rc;
}

int lambda_create_alias(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	cJSON *body = req_json_body(req, "InvalidRequestContentException");
	if (!body)
		return -1;
	const char *alias = lambda_config_str(body, "Name");
	const char *version = lambda_config_str(body, "FunctionVersion");
	if (!alias || !version)
		return req_error(req, 400, "InvalidParameterValueException",
				 "Name and FunctionVersion are required.");
	if (!valid_alias(alias))
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%s' at "
				 "'name' failed to satisfy constraint: Member "
				 "must satisfy regular expression pattern: "
				 "(?!^[0-9]+$)([a-zA-Z0-9-_]+)", alias);
	cJSON *fn = lambda_db_config(st, name, NULL, NULL, NULL);
	if (!fn)
		return lambda_not_found(req, name, NULL);
	cJSON_Delete(fn);
	if (check_version(req, st, name, version))
		return -1;
	cJSON *cfg = cJSON_CreateObject();
	cJSON_AddStringToObject(cfg, "AliasArn",
		lambda_function_arn(req->arena, req->emu, name, alias));
	cJSON_AddStringToObject(cfg, "Name", alias);
	cJSON_AddStringToObject(cfg, "Description", "");
	apply(cfg, body);
	int rc = save(st, name, alias, cfg, 1);
	if (rc == SQLITE_CONSTRAINT) {
		cJSON_Delete(cfg);
		return req_error(req, 409, "ResourceConflictException",
				 "Alias already exists: %s",
				 lambda_function_arn(req->arena, req->emu,
						     name, alias));
	}
	if (rc != SQLITE_DONE) {
		cJSON_Delete(cfg);
		return req_error(req, 500, "ServiceException",
				 "cannot store the alias");
	}
	resp->status = 201;
	resp_json(resp, &lambda_service, cfg);
	return 0;
}

int lambda_get_alias(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	const char *alias = req_path_param(req, "Name");
	cJSON *cfg = load_alias(st, name, alias);
	if (!cfg)
		return no_alias(req, name, alias);
	resp_json(resp, &lambda_service, cfg);
	return 0;
}

int lambda_update_alias(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	cJSON *body = req_json_body(req, "InvalidRequestContentException");
	if (!body)
		return -1;
	const char *alias = req_path_param(req, "Name");
	const char *version = lambda_config_str(body, "FunctionVersion");
	if (version && check_version(req, st, name, version))
		return -1;
	if (store_begin(st->db))
		return req_error(req, 500, "ServiceException",
				 "cannot store the alias");
	cJSON *cfg = load_alias(st, name, alias);
	if (!cfg) {
		store_rollback(st->db);
		return no_alias(req, name, alias);
	}
	if (lambda_check_revision(req, body, cfg)) {
		store_rollback(st->db);
		cJSON_Delete(cfg);
		return -1;
	}
	apply(cfg, body);
	if (save(st, name, alias, cfg, 0) != SQLITE_DONE ||
	    store_commit(st->db)) {
		store_rollback(st->db);
		cJSON_Delete(cfg);
		return req_error(req, 500, "ServiceException",
				 "cannot store the alias");
	}
	resp_json(resp, &lambda_service, cfg);
	return 0;
}

int lambda_delete_alias(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	const char *alias = req_path_param(req, "Name");
	sqlite3_stmt *s = store_prepare(st->db,
		"DELETE FROM aliases WHERE name = ? AND alias = ?");
	if (!s)
		return req_error(req, 500, "ServiceException",
				 "cannot delete the alias");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, alias, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return req_error(req, 500, "ServiceException",
				 "cannot delete the alias");
	resp->status = 204;
	return 0;
}

int lambda_list_aliases(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	int max = lambda_max_items(req, 50);
	if (max < 0)
		return -1;
	cJSON *fn = lambda_db_config(st, name, NULL, NULL, NULL);
	if (!fn)
		return lambda_not_found(req, name, NULL);
	cJSON_Delete(fn);
	const char *version = req_query(req, "FunctionVersion");
	const char *marker = req_query(req, "Marker");
	sqlite3_stmt *s = store_prepare(st->db,
		"SELECT alias, config FROM aliases WHERE name = ?1 AND "
		"alias > ?2 AND (?3 IS NULL OR version = ?3) ORDER BY alias");
	if (!s)
		return req_error(req, 500, "ServiceException",
				 "cannot list aliases");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, marker ? marker : "", -1, SQLITE_TRANSIENT);
	if (version)
		sqlite3_bind_text(s, 3, version, -1, SQLITE_TRANSIENT);
	cJSON *out = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(out, "Aliases");
	int n = 0;
	char *last = NULL;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n == max) {
			cJSON_AddStringToObject(out, "NextMarker", last);
			break;
		}
		cJSON *cfg = cJSON_Parse((const char *)sqlite3_column_text(s, 1));
		if (!cfg)
			continue;
		last = arena_strdup(req->arena,
				    (const char *)sqlite3_column_text(s, 0));
		cJSON_AddItemToArray(list, cfg);
		n++;
	}
	sqlite3_reset(s);
	resp_json(resp, &lambda_service, out);
	return 0;
}
