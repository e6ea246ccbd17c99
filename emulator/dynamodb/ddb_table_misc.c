/*
 * ddb_table_misc.c - the rest of DynamoDB's control plane, what the
 * Terraform provider calls around aws_dynamodb_table: UpdateTable
 * (billing mode, throughput, GSI create/delete with backfill, streams,
 * SSE, deletion protection), Describe/UpdateTimeToLive,
 * Describe/UpdateContinuousBackups, Tag/Untag/ListTagsOfResource,
 * DescribeEndpoints and DescribeLimits.
 */
#include "config.h"
#include "ddb.h"
#include "protocol.h"
#include "timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct store_db *db_of(struct request *req)
{
	return ((struct ddb_state *)req->service_state)->db;
}

static int internal(struct request *req)
{
	return req_error(req, 500, "InternalServerError",
			 "Internal server error");
}

/* Run an UPDATE of one ddb_tables column (text) for table id. */
static int set_column(struct request *req, int64_t id, const char *sql,
		      const char *text)
{
	sqlite3_stmt *st = store_prepare(db_of(req), sql);
	if (!st)
		return internal(req);
	sqlite3_bind_int64(st, 1, id);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 2);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : internal(req);
}

static int save_desc(struct request *req, const struct ddb_table *t)
{
	char *text = cJSON_PrintUnformatted(t->desc);
	int rc = set_column(req, t->id, "UPDATE ddb_tables SET desc = ?2 "
			    "WHERE id = ?1", text);
	free(text);
	return rc;
}

static cJSON *pt_object(const cJSON *in, int on_demand)
{
	cJSON *pt = cJSON_CreateObject();
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(in, "ReadCapacityUnits");
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(in, "WriteCapacityUnits");
	cJSON_AddNumberToObject(pt, "NumberOfDecreasesToday", 0);
	cJSON_AddNumberToObject(pt, "ReadCapacityUnits",
				on_demand || !r ? 0 : r->valuedouble);
	cJSON_AddNumberToObject(pt, "WriteCapacityUnits",
				on_demand || !w ? 0 : w->valuedouble);
	return pt;
}

/* Merge new AttributeDefinitions into the table's (UpdateTable). */
static void merge_defs(cJSON *desc, const cJSON *defs)
{
	cJSON *mine = cJSON_GetObjectItemCaseSensitive(desc,
						       "AttributeDefinitions");
	const cJSON *d;
	cJSON_ArrayForEach(d, defs) {
		const char *name = ddb_str(d, "AttributeName");
		const cJSON *m;
		int have = 0;
		cJSON_ArrayForEach(m, mine)
			if (name && ddb_str(m, "AttributeName") &&
			    !strcmp(ddb_str(m, "AttributeName"), name))
				have = 1;
		if (!have && name)
			cJSON_AddItemToArray(mine, cJSON_Duplicate(d, 1));
	}
}

static int gsi_create(struct request *req, struct ddb_table *t,
		      const cJSON *c, int on_demand)
{
	const char *name = ddb_str(c, "IndexName");
	if (!name)
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'indexName' failed to satisfy "
				   "constraint: Member must not be null");
	if (ddb_table_index(t, name))
		return ddb_invalid(req, "One or more parameter values were "
				   "invalid: Index with name: %s already "
				   "exists", name);
	cJSON *list = cJSON_GetObjectItemCaseSensitive(t->desc,
						       "GlobalSecondaryIndexes");
	if (!list)
		list = cJSON_AddArrayToObject(t->desc, "GlobalSecondaryIndexes");
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "IndexName", name);
	cJSON_AddItemToObject(d, "KeySchema", cJSON_Duplicate(
		cJSON_GetObjectItemCaseSensitive(c, "KeySchema"), 1));
	const cJSON *proj = cJSON_GetObjectItemCaseSensitive(c, "Projection");
	cJSON_AddItemToObject(d, "Projection", proj ? cJSON_Duplicate(proj, 1)
						    : cJSON_Parse("{\"ProjectionType\":\"ALL\"}"));
	cJSON_AddItemToObject(d, "ProvisionedThroughput", pt_object(
		cJSON_GetObjectItemCaseSensitive(c, "ProvisionedThroughput"),
		on_demand));
	cJSON_AddStringToObject(d, "IndexArn", arena_printf(
		req->arena, "%s/index/%s", ddb_str(t->desc, "TableArn"), name));
	cJSON_AddItemToArray(list, d);
	return 0;
}

static int gsi_delete(struct request *req, struct ddb_table *t,
		      const char *name)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(t->desc,
						       "GlobalSecondaryIndexes");
	int i = 0;
	cJSON *e;
	cJSON_ArrayForEach(e, list) {
		if (name && !strcmp(ddb_str(e, "IndexName"), name)) {
			cJSON_DeleteItemFromArray(list, i);
			if (!cJSON_GetArraySize(list))
				cJSON_DeleteItemFromObjectCaseSensitive(
					t->desc, "GlobalSecondaryIndexes");
			return ddb_store_drop(db_of(req), t->id, name)
				       ? internal(req) : 0;
		}
		i++;
	}
	return req_error(req, 400, "ResourceNotFoundException",
			 "Requested resource not found: Index: %s not found "
			 "for table: %s", name ? name : "", t->name);
}

/* Apply UpdateTable's changes to t->desc (inside the transaction). */
static int update_desc(struct request *req, struct ddb_table *t,
		       const cJSON *body)
{
	const char *mode = ddb_str(body, "BillingMode");
	const cJSON *bms = cJSON_GetObjectItemCaseSensitive(t->desc,
							    "BillingModeSummary");
	int on_demand = bms && ddb_str(bms, "BillingMode") &&
			!strcmp(ddb_str(bms, "BillingMode"), "PAY_PER_REQUEST");
	const cJSON *pt = cJSON_GetObjectItemCaseSensitive(
		body, "ProvisionedThroughput");
	if (mode) {
		on_demand = strcmp(mode, "PAY_PER_REQUEST") == 0;
		cJSON_DeleteItemFromObjectCaseSensitive(t->desc,
							"BillingModeSummary");
		cJSON *b = cJSON_AddObjectToObject(t->desc, "BillingModeSummary");
		cJSON_AddStringToObject(b, "BillingMode", mode);
		if (on_demand)
			cJSON_AddNumberToObject(b, "LastUpdateToPayPerRequestDateTime",
						(double)time_now_ms() / 1000.0);
	}
	if (on_demand && pt)
		return ddb_invalid(req, "One or more parameter values were "
				   "invalid: Neither ReadCapacityUnits nor "
				   "WriteCapacityUnits can be specified when "
				   "BillingMode is PAY_PER_REQUEST");
	if (mode || pt)
		cJSON_ReplaceItemInObjectCaseSensitive(
			t->desc, "ProvisionedThroughput", pt_object(pt, on_demand));
	merge_defs(t->desc, cJSON_GetObjectItemCaseSensitive(
			    body, "AttributeDefinitions"));
	const cJSON *u;
	cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(
				   body, "GlobalSecondaryIndexUpdates")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(u, "Create");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(u, "Delete");
		if (c && gsi_create(req, t, c, on_demand))
			return -1;
		if (d && gsi_delete(req, t, ddb_str(d, "IndexName")))
			return -1;
	}
	const cJSON *ss = cJSON_GetObjectItemCaseSensitive(body,
							   "StreamSpecification");
	if (ss) {
		cJSON_DeleteItemFromObjectCaseSensitive(t->desc,
							"StreamSpecification");
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			    ss, "StreamEnabled"))) {
			char label[TIMEFMT_MAX];
			time_iso8601_ms(time_now_ms(), label);
			label[23] = 0;
			cJSON_AddItemToObject(t->desc, "StreamSpecification",
					      cJSON_Duplicate(ss, 1));
			cJSON_DeleteItemFromObjectCaseSensitive(t->desc,
								"LatestStreamLabel");
			cJSON_DeleteItemFromObjectCaseSensitive(t->desc,
								"LatestStreamArn");
			cJSON_AddStringToObject(t->desc, "LatestStreamLabel", label);
			cJSON_AddStringToObject(t->desc, "LatestStreamArn",
				arena_printf(req->arena, "%s/stream/%s",
					     ddb_str(t->desc, "TableArn"), label));
		}
	}
	const cJSON *dp = cJSON_GetObjectItemCaseSensitive(
		body, "DeletionProtectionEnabled");
	if (dp)
		cJSON_ReplaceItemInObjectCaseSensitive(
			t->desc, "DeletionProtectionEnabled",
			cJSON_CreateBool(cJSON_IsTrue(dp)));
	if (ddb_str(body, "TableClass")) {
		cJSON_DeleteItemFromObjectCaseSensitive(t->desc,
							"TableClassSummary");
		cJSON *tc = cJSON_AddObjectToObject(t->desc, "TableClassSummary");
		cJSON_AddStringToObject(tc, "TableClass",
					ddb_str(body, "TableClass"));
	}
	return 0;
}

int ddb_update_table(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t, *nt;
	if (!body || ddb_table_load(req, ddb_str(body, "TableName"), &t))
		return -1;
	static const char *const fields[] = {
		"BillingMode", "ProvisionedThroughput",
		"GlobalSecondaryIndexUpdates", "StreamSpecification",
		"SSESpecification", "DeletionProtectionEnabled", "TableClass",
		"ReplicaUpdates", "OnDemandThroughput",
		"WarmThroughput", "AttributeDefinitions"};
	int any = 0;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		any |= cJSON_GetObjectItemCaseSensitive(body, fields[i]) != NULL;
	if (!any)
		return ddb_invalid(req, "At least one of ProvisionedThroughput, "
				   "BillingMode, UpdateStreamEnabled, "
				   "GlobalSecondaryIndexUpdates or "
				   "SSESpecification or ReplicaUpdates is "
				   "required");
	if (ddb_begin(req))
		return -1;
	if (update_desc(req, t, body) || save_desc(req, t) ||
	    ddb_table_find(req, t->name, &nt)) {
		ddb_rollback(req);
		return -1;
	}
	/* Backfill every GSI the update created. */
	for (size_t i = 0; i < nt->n_idx; i++) {
		if (!ddb_table_index(t, nt->idx[i].name) &&
		    ddb_store_backfill(req, nt, &nt->idx[i])) {
			ddb_rollback(req);
			return -1;
		}
	}
	if (ddb_commit(req))
		return -1;
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "TableDescription",
			      ddb_table_describe(req, nt, "UPDATING"));
	resp_json(resp, req->service, out);
	return 0;
}

/* ---- TTL ---------------------------------------------------------- */

static int ttl_row(struct request *req, int64_t id, char *attr, size_t alen,
		   int *enabled)
{
	sqlite3_stmt *st = store_prepare(db_of(req),
		"SELECT ttl_attr, ttl_status FROM ddb_tables WHERE id = ?1");
	if (!st)
		return internal(req);
	sqlite3_bind_int64(st, 1, id);
	*attr = 0;
	*enabled = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			snprintf(attr, alen, "%s", sqlite3_column_text(st, 0));
		*enabled = !strcmp((const char *)sqlite3_column_text(st, 1),
				   "ENABLED");
	}
	sqlite3_reset(st);
	return 0;
}

/* Tables not found for TTL and backups: the ops' own messages. */
static int load_named(struct request *req, const cJSON *body,
		      struct ddb_table **t, int backups)
{
	const char *name = ddb_str(body, "TableName");
	if (!name)
		return ddb_table_load(req, name, t);
	int rc = ddb_table_find(req, name, t);
	if (rc == 1 && backups)
		return req_error(req, 400, "TableNotFoundException",
				 "Table not found: %s", name);
	if (rc == 1)
		return req_error(req, 400, "ResourceNotFoundException",
				 "Requested resource not found: Table: %s not "
				 "found", name);
	return rc;
}

int ddb_describe_ttl(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t;
	char attr[256];
	int enabled;
	if (!body || load_named(req, body, &t, 0) ||
	    ttl_row(req, t->id, attr, sizeof(attr), &enabled))
		return -1;
	cJSON *out = cJSON_CreateObject();
	cJSON *d = cJSON_AddObjectToObject(out, "TimeToLiveDescription");
	cJSON_AddStringToObject(d, "TimeToLiveStatus",
				enabled ? "ENABLED" : "DISABLED");
	if (enabled)
		cJSON_AddStringToObject(d, "AttributeName", attr);
	resp_json(resp, req->service, out);
	return 0;
}

int ddb_update_ttl(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t;
	char attr[256];
	int enabled;
	if (!body || load_named(req, body, &t, 0) ||
	    ttl_row(req, t->id, attr, sizeof(attr), &enabled))
		return -1;
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(
		body, "TimeToLiveSpecification");
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(spec, "Enabled");
	const char *name = ddb_str(spec, "AttributeName");
	if (!spec || !cJSON_IsBool(en) || !name || !*name)
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'timeToLiveSpecification' failed "
				   "to satisfy constraint: Member must not be "
				   "null");
	if (cJSON_IsTrue(en) && enabled)
		return ddb_invalid(req, "TimeToLive is already enabled");
	if (!cJSON_IsTrue(en) && !enabled)
		return ddb_invalid(req, "TimeToLive is already disabled");
	if (!cJSON_IsTrue(en) && strcmp(name, attr) != 0)
		return ddb_invalid(req, "TimeToLive attribute name does not "
				   "match the current attribute name");
	if (ddb_begin(req))
		return -1;
	t->ttl_attr = cJSON_IsTrue(en) ? name : NULL;
	if (set_column(req, t->id, "UPDATE ddb_tables SET ttl_attr = ?2, "
		       "ttl_status = CASE WHEN ?2 IS NULL THEN 'DISABLED' "
		       "ELSE 'ENABLED' END WHERE id = ?1", t->ttl_attr) ||
	    ddb_store_set_ttl(req, t) || ddb_commit(req)) {
		ddb_rollback(req);
		return -1;
	}
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "TimeToLiveSpecification",
			      cJSON_Duplicate(spec, 1));
	resp_json(resp, req->service, out);
	return 0;
}

/* ---- continuous backups -------------------------------------------- */

static int backups_answer(struct request *req, struct response *resp,
			  int64_t id)
{
	sqlite3_stmt *st = store_prepare(db_of(req),
		"SELECT pitr FROM ddb_tables WHERE id = ?1");
	int pitr = 0;
	if (!st)
		return internal(req);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		pitr = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	cJSON *out = cJSON_CreateObject();
	cJSON *d = cJSON_AddObjectToObject(out, "ContinuousBackupsDescription");
	cJSON_AddStringToObject(d, "ContinuousBackupsStatus", "ENABLED");
	cJSON *p = cJSON_AddObjectToObject(d, "PointInTimeRecoveryDescription");
	cJSON_AddStringToObject(p, "PointInTimeRecoveryStatus",
				pitr ? "ENABLED" : "DISABLED");
	if (pitr) {
		double now = (double)time_now_ms() / 1000.0;
		cJSON_AddNumberToObject(p, "RecoveryPeriodInDays", 35);
		cJSON_AddNumberToObject(p, "EarliestRestorableDateTime", now);
		cJSON_AddNumberToObject(p, "LatestRestorableDateTime", now);
	}
	resp_json(resp, req->service, out);
	return 0;
}

int ddb_describe_backups(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t;
	if (!body || load_named(req, body, &t, 1))
		return -1;
	return backups_answer(req, resp, t->id);
}

int ddb_update_backups(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t;
	if (!body || load_named(req, body, &t, 1))
		return -1;
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(
		body, "PointInTimeRecoverySpecification");
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(
		spec, "PointInTimeRecoveryEnabled");
	if (!cJSON_IsBool(en))
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'pointInTimeRecoverySpecification."
				   "pointInTimeRecoveryEnabled' failed to "
				   "satisfy constraint: Member must not be "
				   "null");
	if (set_column(req, t->id, cJSON_IsTrue(en)
		       ? "UPDATE ddb_tables SET pitr = 1 WHERE id = ?1 AND "
			 "?2 IS NULL"
		       : "UPDATE ddb_tables SET pitr = 0 WHERE id = ?1 AND "
			 "?2 IS NULL", NULL))
		return -1;
	return backups_answer(req, resp, t->id);
}

/* ---- tags --------------------------------------------------------- */

/* The table an ARN names; the op's error recorded when none. */
static int table_by_arn(struct request *req, const char *arn,
			struct ddb_table **t)
{
	const char *slash = arn ? strstr(arn, ":table/") : NULL;
	if (!arn)
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'resourceArn' failed to satisfy "
				   "constraint: Member must not be null");
	if (strncmp(arn, "arn:", 4) != 0 || !slash)
		return ddb_invalid(req, "Invalid TableArn: Invalid ResourceArn "
				   "provided as input %s", arn);
	const char *name = arena_strdup(req->arena, slash + 7);
	char *sub = strchr(name, '/');
	if (sub)
		*sub = 0;
	int rc = ddb_table_find(req, name, t);
	if (rc == 1)
		return req_error(req, 400, "ResourceNotFoundException",
				 "Requested resource not found: ResourcArn: %s "
				 "not found", arn);
	return rc;
}

static cJSON *load_tags(struct request *req, int64_t id)
{
	sqlite3_stmt *st = store_prepare(db_of(req),
		"SELECT tags FROM ddb_tables WHERE id = ?1");
	cJSON *tags = NULL;
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		tags = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return tags ? tags : cJSON_CreateArray();
}

static int save_tags(struct request *req, int64_t id, cJSON *tags)
{
	char *text = cJSON_PrintUnformatted(tags);
	int rc = set_column(req, id, "UPDATE ddb_tables SET tags = ?2 WHERE "
			    "id = ?1", text);
	free(text);
	cJSON_Delete(tags);
	return rc;
}

static void drop_tag(cJSON *tags, const char *key)
{
	int i = 0;
	cJSON *e;
	cJSON_ArrayForEach(e, tags) {
		if (ddb_str(e, "Key") && !strcmp(ddb_str(e, "Key"), key)) {
			cJSON_DeleteItemFromArray(tags, i);
			return;
		}
		i++;
	}
}

int ddb_tag_resource(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t;
	if (!body || table_by_arn(req, ddb_str(body, "ResourceArn"), &t))
		return -1;
	const cJSON *add = cJSON_GetObjectItemCaseSensitive(body, "Tags");
	const cJSON *e;
	if (!cJSON_GetArraySize(add))
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'tags' failed to satisfy "
				   "constraint: Member must not be null");
	cJSON_ArrayForEach(e, add)
		if (!ddb_str(e, "Key") || !ddb_str(e, "Value"))
			return ddb_invalid(req, "One or more parameter values "
					   "were invalid: Tag key and value "
					   "must not be null");
	cJSON *tags = load_tags(req, t->id);
	if (!tags)
		return internal(req);
	cJSON_ArrayForEach(e, add) {
		drop_tag(tags, ddb_str(e, "Key"));
		cJSON_AddItemToArray(tags, cJSON_Duplicate(e, 1));
	}
	if (save_tags(req, t->id, tags))
		return -1;
	resp_json(resp, req->service, cJSON_CreateObject());
	return 0;
}

int ddb_untag_resource(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t;
	if (!body || table_by_arn(req, ddb_str(body, "ResourceArn"), &t))
		return -1;
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(body, "TagKeys");
	if (!cJSON_IsArray(keys))
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'tagKeys' failed to satisfy "
				   "constraint: Member must not be null");
	cJSON *tags = load_tags(req, t->id);
	const cJSON *k;
	if (!tags)
		return internal(req);
	cJSON_ArrayForEach(k, keys)
		if (cJSON_IsString(k))
			drop_tag(tags, k->valuestring);
	if (save_tags(req, t->id, tags))
		return -1;
	resp_json(resp, req->service, cJSON_CreateObject());
	return 0;
}

int ddb_list_tags(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t;
	if (!body || table_by_arn(req, ddb_str(body, "ResourceArn"), &t))
		return -1;
	cJSON *tags = load_tags(req, t->id);
	if (!tags)
		return internal(req);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "Tags", tags);
	resp_json(resp, req->service, out);
	return 0;
}

/* ---- endpoints and limits ------------------------------------------ */

int ddb_describe_endpoints(struct request *req, struct response *resp)
{
	cJSON *out = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(out, "Endpoints");
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "Address", req->host && *req->host
		? req->host
		: arena_printf(req->arena, "dynamodb.%s.amazonaws.com",
			       req->identity.region));
	cJSON_AddNumberToObject(e, "CachePeriodInMinutes", 1440);
	cJSON_AddItemToArray(list, e);
	resp_json(resp, req->service, out);
	return 0;
}

int ddb_describe_limits(struct request *req, struct response *resp)
{
	cJSON *out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "AccountMaxReadCapacityUnits", 80000);
	cJSON_AddNumberToObject(out, "AccountMaxWriteCapacityUnits", 80000);
	cJSON_AddNumberToObject(out, "TableMaxReadCapacityUnits", 40000);
	cJSON_AddNumberToObject(out, "TableMaxWriteCapacityUnits", 40000);
	resp_json(resp, req->service, out);
	return 0;
}
