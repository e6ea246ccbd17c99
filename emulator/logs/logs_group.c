/*
 * logs_group.c - CloudWatch Logs log groups: CreateLogGroup,
 * DeleteLogGroup, DescribeLogGroups, Put/DeleteRetentionPolicy and the
 * two generations of tag operations (TagResource & co. on the group ARN,
 * the deprecated TagLogGroup & co. on its name).  Error codes and
 * messages follow the service (InvalidParameterException,
 * ResourceAlreadyExistsException, ResourceNotFoundException).
 */
#include "logs.h"
#include "protocol.h"
#include "services.h"
#include "timefmt.h"

#include <stdio.h>
#include <string.h>

static const int retention_days[] = {1,   3,    5,    7,    14,   30,
				     60,  90,   120,  150,  180,  365,
				     400, 545,  731,  1096, 1827, 2192,
				     2557, 2922, 3288, 3653};

/* Whether name matches [\.\-_/#A-Za-z0-9]+ and is at most 512 long. */
static int valid_group_name(const char *name)
{
	size_t n = strlen(name);
	if (n < 1 || n > 512)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-/#", *p)))
			return 0;
	return 1;
}

/* Insert or replace the members of the tags object for group (inside a
 * transaction).  0, or -1 with an error recorded. */
static int put_tags(struct request *req, struct logs_state *s,
		    const char *group, const cJSON *tags)
{
	if (cJSON_GetArraySize(tags) > 50)
		return req_error(req, 400, "InvalidParameterException",
				 "1 validation error detected: Value at "
				 "'tags' failed to satisfy constraint: Member "
				 "must have length less than or equal to 50");
	for (const cJSON *t = tags ? tags->child : NULL; t; t = t->next) {
		if (!cJSON_IsString(t))
			return req_error(req, 400, "SerializationException",
					 "Unexpected value type for tags");
		sqlite3_stmt *st = store_prepare(s->db,
			"INSERT OR REPLACE INTO group_tags (grp, key, value) "
			"VALUES (?, ?, ?)");
		if (!st)
			return req_error(req, 500, "ServiceUnavailableException",
					 "internal error");
		sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, t->string, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, t->valuestring, -1, SQLITE_TRANSIENT);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return req_error(req, 500, "ServiceUnavailableException",
					 "internal error");
	}
	return 0;
}

/* The tags of group as a JSON object. */
static cJSON *get_tags(struct logs_state *s, const char *group)
{
	cJSON *tags = cJSON_CreateObject();
	sqlite3_stmt *st = store_prepare(s->db,
		"SELECT key, value FROM group_tags WHERE grp = ? ORDER BY key");
	if (!st)
		return tags;
	sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddStringToObject(tags,
			(const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	return tags;
}

/* Run one statement with group (and an optional int) bound; 0 or -1
 * (internal error recorded).  *changes: rows changed. */
static int run1(struct request *req, struct logs_state *s, const char *sql,
		const char *group, const char *text2, int64_t num,
		int *changes)
{
	sqlite3_stmt *st = store_prepare(s->db, sql);
	if (!st)
		return req_error(req, 500, "ServiceUnavailableException",
				 "internal error");
	sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(st) >= 2) {
		if (text2)
			sqlite3_bind_text(st, 2, text2, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(st, 2, num);
	}
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (changes)
		*changes = sqlite3_changes(store_db_conn(s->db));
	if (rc != SQLITE_DONE)
		return req_error(req, 500, "ServiceUnavailableException",
				 "internal error");
	return 0;
}

int logs_create_group(struct request *req, struct response *resp)
{
	struct logs_state *s = req->service_state;
	cJSON *body = req_json_body(req, "SerializationException");
	if (!body)
		return -1;
	const char *name = logs_str(body, "logGroupName");
	if (!name)
		return req_error(req, 400, "InvalidParameterException",
				 "1 validation error detected: Value null at "
				 "'logGroupName' failed to satisfy constraint:"
				 " Member must not be null");
	if (!valid_group_name(name))
		return req_error(req, 400, "InvalidParameterException",
				 "1 validation error detected: Value '%s' at "
				 "'logGroupName' failed to satisfy constraint:"
				 " Member must satisfy regular expression "
				 "pattern: [\\.\\-_/#A-Za-z0-9]+", name);
	const char *cls = logs_str(body, "logGroupClass");
	if (cls && strcmp(cls, "STANDARD") && strcmp(cls, "INFREQUENT_ACCESS")
	    && strcmp(cls, "DELIVERY"))
		return req_error(req, 400, "InvalidParameterException",
				 "1 validation error detected: Value '%s' at "
				 "'logGroupClass' failed to satisfy constraint:"
				 " Member must satisfy enum value set: "
				 "[DELIVERY, STANDARD, INFREQUENT_ACCESS]", cls);
	if (store_begin(s->db))
		return req_error(req, 500, "ServiceUnavailableException",
				 "internal error");
	if (logs_group_exists(s, name)) {
		store_rollback(s->db);
		return req_error(req, 400, "ResourceAlreadyExistsException",
				 "The specified log group already exists");
	}
	if (run1(req, s, "INSERT INTO groups (name, created, class) VALUES "
		 "(?1, ?2, 'STANDARD')", name, NULL, time_now_ms(), NULL) ||
	    (cls && run1(req, s, "UPDATE groups SET class = ?2 WHERE name = "
			 "?1", name, cls, 0, NULL)) ||
	    put_tags(req, s, name,
		     cJSON_GetObjectItemCaseSensitive(body, "tags")) ||
	    store_commit(s->db)) {
		store_rollback(s->db);
		return req_error(req, 500, "ServiceUnavailableException",
				 "internal error");
	}
	resp_json(resp, &logs_service, cJSON_CreateObject());
	return 0;
}

int logs_delete_group(struct request *req, struct response *resp)
{
	struct logs_state *s = req->service_state;
	cJSON *body = req_json_body(req, "SerializationException");
	if (!body)
		return -1;
	const char *name = logs_group_param(req, body);
	if (!name)
		return -1;
	int changes = 0;
	if (store_begin(s->db))
		return req_error(req, 500, "ServiceUnavailableException",
				 "internal error");
	if (run1(req, s, "DELETE FROM events WHERE grp = ?", name, NULL, 0,
		 NULL) ||
	    run1(req, s, "DELETE FROM groups WHERE name = ?", name, NULL, 0,
		 &changes)) {
		store_rollback(s->db);
		return -1;
	}
	if (!changes) {
		store_rollback(s->db);
		return logs_no_group(req);
	}
	if (store_commit(s->db)) {
		store_rollback(s->db);
		return req_error(req, 500, "ServiceUnavailableException",
				 "internal error");
	}
	resp_json(resp, &logs_service, cJSON_CreateObject());
	return 0;
}

int logs_describe_groups(struct request *req, struct response *resp)
{
	struct logs_state *s = req->service_state;
	cJSON *body = req_json_body(req, "SerializationException");
	if (!body)
		return -1;
	const char *prefix = logs_str(body, "logGroupNamePrefix");
	const char *pattern = logs_str(body, "logGroupNamePattern");
	const char *token = logs_str(body, "nextToken");
	int64_t limit = 50;
	if (logs_int(req, body, "limit", &limit) < 0)
		return -1;
	if (prefix && pattern)
		return req_error(req, 400, "InvalidParameterException",
				 "LogGroup name prefix and LogGroup name "
				 "pattern are mutually exclusive parameters.");
	if (limit < 1 || limit > 50)
		return req_error(req, 400, "InvalidParameterException",
				 "1 validation error detected: Value '%lld' at"
				 " 'limit' failed to satisfy constraint: Member"
				 " must have value between 1 and 50",
				 (long long)limit);
	sqlite3_stmt *st = store_prepare(s->db,
		"SELECT name, created, retention, class, (SELECT coalesce("
		"sum(length(msg)), 0) FROM events e WHERE e.grp = g.name) FROM "
		"groups g WHERE substr(name, 1, length(?1)) = ?1 AND instr("
		"name, ?2) > 0 AND name > ?3 ORDER BY name LIMIT ?4");
	if (!st)
		return req_error(req, 500, "ServiceUnavailableException",
				 "internal error");
	sqlite3_bind_text(st, 1, prefix ? prefix : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, pattern ? pattern : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, token ? token : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, limit + 1);
	cJSON *out = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(out, "logGroups");
	int n = 0;
	const char *last = NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (n == limit) {
			cJSON_AddStringToObject(out, "nextToken", last);
			break;
		}
		const char *arn = logs_group_arn(req, name);
		cJSON *g = cJSON_CreateObject();
		cJSON_AddStringToObject(g, "logGroupName", name);
		cJSON_AddNumberToObject(g, "creationTime",
					(double)sqlite3_column_int64(st, 1));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			cJSON_AddNumberToObject(g, "retentionInDays",
				(double)sqlite3_column_int64(st, 2));
		cJSON_AddNumberToObject(g, "metricFilterCount", 0);
		cJSON_AddStringToObject(g, "arn",
			arena_printf(req->arena, "%s:*", arn));
		cJSON_AddNumberToObject(g, "storedBytes",
					(double)sqlite3_column_int64(st, 4));
		cJSON_AddStringToObject(g, "logGroupClass",
			(const char *)sqlite3_column_text(st, 3));
		cJSON_AddStringToObject(g, "logGroupArn", arn);
		cJSON_AddItemToArray(arr, g);
		last = cJSON_GetObjectItem(g, "logGroupName")->valuestring;
		n++;
	}
	sqlite3_reset(st);
	resp_json(resp, &logs_service, out);
	return 0;
}

/* Put (put 1: retentionInDays of the body) or delete (put 0) the
 * retention of the body's group. */
static int set_retention(struct request *req, struct response *resp,
			 int put)
{
	int64_t days = 0;
	struct logs_state *s = req->service_state;
	cJSON *body = req_json_body(req, "SerializationException");
	if (!body)
		return -1;
	const char *name = logs_group_param(req, body);
	if (!name)
		return -1;
	if (put) {
		int has = logs_int(req, body, "retentionInDays", &days);
		if (has < 0)
			return -1;
		if (!has)
			return req_error(req, 400, "InvalidParameterException",
				"1 validation error detected: Value null at "
				"'retentionInDays' failed to satisfy "
				"constraint: Member must not be null");
		int ok = 0;
		for (size_t i = 0; i < sizeof(retention_days) /
				       sizeof(retention_days[0]); i++)
			ok |= retention_days[i] == days;
		if (!ok)
			return req_error(req, 400, "InvalidParameterException",
				"1 validation error detected: Value '%lld' at "
				"'retentionInDays' failed to satisfy "
				"constraint: Member must satisfy enum value "
				"set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, "
				"180, 365, 400, 545, 731, 1096, 1827, 2192, "
				"2557, 2922, 3288, 3653]", (long long)days);
	}
	int changes = 0;
	if (put ? run1(req, s, "UPDATE groups SET retention = ?2 WHERE "
			    "name = ?1", name, NULL, days, &changes)
		     : run1(req, s, "UPDATE groups SET retention = NULL WHERE "
			    "name = ?1", name, NULL, 0, &changes))
		return -1;
	if (!changes)
		return logs_no_group(req);
	resp_json(resp, &logs_service, cJSON_CreateObject());
	return 0;
}

int logs_put_retention(struct request *req, struct response *resp)
{
	return set_retention(req, resp, 1);
}

int logs_delete_retention(struct request *req, struct response *resp)
{
	return set_retention(req, resp, 0);
}

/* The group a log-group ARN names (with or without ":*"), or NULL with
 * an error recorded. */
static const char *arn_group(struct request *req, const char *arn)
{
	const char *p = arn ? strstr(arn, ":log-group:") : NULL;
	if (!arn || strncmp(arn, "arn:", 4) || !p)
		return req_error(req, 400, "InvalidParameterException",
				 "Invalid resourceArn"), NULL;
	char *n = arena_strdup(req->arena, p + 11);
	size_t l = strlen(n);
	if (l >= 2 && strcmp(n + l - 2, ":*") == 0)
		n[l - 2] = '\0';
	return n;
}

/* Add tags (tag_obj) or remove keys (key_arr) on group, atomically. */
static int change_tags(struct request *req, struct response *resp,
		       const char *group, const cJSON *tag_obj,
		       const cJSON *key_arr)
{
	struct logs_state *s = req->service_state;
	if (store_begin(s->db))
		return req_error(req, 500, "ServiceUnavailableException",
				 "internal error");
	if (!logs_group_exists(s, group)) {
		store_rollback(s->db);
		return logs_no_group(req);
	}
	int rc = tag_obj ? put_tags(req, s, group, tag_obj) : 0;
	for (const cJSON *k = key_arr ? key_arr->child : NULL; !rc && k;
	     k = k->next)
		if (cJSON_IsString(k))
			rc = run1(req, s, "DELETE FROM group_tags WHERE grp = "
				  "?1 AND key = ?2", group, k->valuestring, 0,
				  NULL);
	if (rc || store_commit(s->db)) {
		store_rollback(s->db);
		return rc ? -1 : req_error(req, 500,
					   "ServiceUnavailableException",
					   "internal error");
	}
	resp_json(resp, &logs_service, cJSON_CreateObject());
	return 0;
}

int logs_tag_resource(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? arn_group(req, logs_str(body, "resourceArn"))
			     : NULL;
	if (!g)
		return -1;
	return change_tags(req, resp, g,
			   cJSON_GetObjectItemCaseSensitive(body, "tags"), NULL);
}

int logs_untag_resource(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? arn_group(req, logs_str(body, "resourceArn"))
			     : NULL;
	if (!g)
		return -1;
	return change_tags(req, resp, g, NULL,
			   cJSON_GetObjectItemCaseSensitive(body, "tagKeys"));
}

int logs_tag_group(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? logs_group_param(req, body) : NULL;
	if (!g)
		return -1;
	return change_tags(req, resp, g,
			   cJSON_GetObjectItemCaseSensitive(body, "tags"), NULL);
}

int logs_untag_group(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? logs_group_param(req, body) : NULL;
	if (!g)
		return -1;
	return change_tags(req, resp, g, NULL,
			   cJSON_GetObjectItemCaseSensitive(body, "tags"));
}

/* {"tags": {...}} of group. */
static int list_tags(struct request *req, struct response *resp,
		     const char *group)
{
	struct logs_state *s = req->service_state;
	if (!logs_group_exists(s, group))
		return logs_no_group(req);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "tags", get_tags(s, group));
	resp_json(resp, &logs_service, out);
	return 0;
}

int logs_list_tags_resource(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? arn_group(req, logs_str(body, "resourceArn"))
			     : NULL;
	return g ? list_tags(req, resp, g) : -1;
}

int logs_list_tags_group(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, "SerializationException");
	const char *g = body ? logs_group_param(req, body) : NULL;
	return g ? list_tags(req, resp, g) : -1;
}
