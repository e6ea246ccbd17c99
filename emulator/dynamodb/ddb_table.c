/*
 * ddb_table.c - DynamoDB's control plane for tables: CreateTable,
 * DescribeTable, ListTables, UpdateTable, DeleteTable, and loading a
 * table's schema for the data plane.
 *
 * A table is one ddb_tables row holding the parts of its
 * TableDescription that do not change with the data; DescribeTable adds
 * TableStatus and the live ItemCount/TableSizeBytes (and per index) from
 * the item rows.  Tables are usable as soon as CreateTable returns:
 * CreateTable answers CREATING, UpdateTable UPDATING and DeleteTable
 * DELETING as AWS does, and DescribeTable always ACTIVE, so waiters
 * finish on their first poll.  A GSI added by UpdateTable is backfilled
 * in the same transaction.
 */
#include "config.h"
#include "ddb.h"
#include "ids.h"
#include "protocol.h"
#include "timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct store_db *db_of(struct request *req)
{
	return ((struct ddb_state *)req->service_state)->db;
}

static void delete_json(void *p)
{
	cJSON_Delete(p);
}

/* Read a KeySchema array into keys, checking it against defs. */
static int parse_keys(struct request *req, const cJSON *schema,
		      const cJSON *defs, struct ddb_keys *keys,
		      const char *where)
{
	memset(keys, 0, sizeof(*keys));
	int n = cJSON_GetArraySize(schema);
	if (!cJSON_IsArray(schema) || n < 1 || n > 2)
		return ddb_invalid(req, "1 validation error detected: Value "
				   "'%s' at '%s' failed to satisfy "
				   "constraint: Member must have length less "
				   "than or equal to 2", "", where);
	for (int i = 0; i < n; i++) {
		const cJSON *e = cJSON_GetArrayItem(schema, i);
		const char *name = ddb_str(e, "AttributeName");
		const char *type = ddb_str(e, "KeyType");
		if (!name || !type)
			return ddb_invalid(req, "Invalid KeySchema: Some "
					   "KeySchemaElement is not valid");
		if (i == 0 && strcmp(type, "HASH") != 0)
			return ddb_invalid(req, "Invalid KeySchema: The first "
					   "KeySchemaElement is not a HASH key "
					   "type");
		if (i == 1 && strcmp(type, "RANGE") != 0)
			return ddb_invalid(req, "Invalid KeySchema: The second "
					   "KeySchemaElement is not a RANGE key "
					   "type");
		struct ddb_keydef *kd = i ? &keys->range : &keys->hash;
		kd->name = name;
		const cJSON *d;
		cJSON_ArrayForEach(d, defs)
			if (ddb_str(d, "AttributeName") &&
			    strcmp(ddb_str(d, "AttributeName"), name) == 0)
				kd->type = ddb_type_parse(
					ddb_str(d, "AttributeType")
						? ddb_str(d, "AttributeType")
						: "");
		if (kd->type == DT_BAD) {
			struct buf b;
			buf_init(&b, 1 << 16);
			cJSON_ArrayForEach(d, defs)
				buf_printf(&b, "%s%s", b.len ? ", " : "",
					   ddb_str(d, "AttributeName")
						   ? ddb_str(d, "AttributeName")
						   : "");
			ddb_invalid(req, "One or more parameter values were "
				    "invalid: Some index key attributes are "
				    "not defined in AttributeDefinitions. Keys:"
				    " [%s], AttributeDefinitions: [%s]", name,
				    b.data ? b.data : "");
			buf_free(&b);
			return -1;
		}
	}
	if (keys->range.name && strcmp(keys->range.name, keys->hash.name) == 0)
		return ddb_invalid(req, "Both the Hash Key and the Range Key "
				   "element in the KeySchema have the same "
				   "name");
	return 0;
}

static int parse_projection(struct request *req, const cJSON *proj,
			    struct ddb_index *ix)
{
	const char *type = ddb_str(proj, "ProjectionType");
	const cJSON *nk = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
	if (!type || strcmp(type, "ALL") == 0)
		ix->proj = DDB_PROJ_ALL;
	else if (strcmp(type, "KEYS_ONLY") == 0)
		ix->proj = DDB_PROJ_KEYS_ONLY;
	else if (strcmp(type, "INCLUDE") == 0)
		ix->proj = DDB_PROJ_INCLUDE;
	else
		return ddb_invalid(req, "1 validation error detected: Value "
				   "'%s' at 'projection.projectionType' failed "
				   "to satisfy constraint: Member must satisfy "
				   "enum value set: [ALL, INCLUDE, KEYS_ONLY]",
				   type);
	if (ix->proj != DDB_PROJ_INCLUDE && nk)
		return ddb_invalid(req, "One or more parameter values were "
				   "invalid: ProjectionType is %s, but "
				   "NonKeyAttributes is specified",
				   type ? type : "ALL");
	if (ix->proj == DDB_PROJ_INCLUDE && !cJSON_GetArraySize(nk))
		return ddb_invalid(req, "One or more parameter values were "
				   "invalid: NonKeyAttributes must not be "
				   "empty");
	ix->non_key = nk;
	return 0;
}

/* Fill t's keys and indexes from its stored description. */
static int table_from_desc(struct request *req, struct ddb_table *t)
{
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(
		t->desc, "AttributeDefinitions");
	if (parse_keys(req, cJSON_GetObjectItemCaseSensitive(t->desc,
							     "KeySchema"),
		       defs, &t->keys, "keySchema"))
		return -1;
	t->n_idx = 0;
	for (int g = 0; g < 2; g++) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(
			t->desc, g ? "GlobalSecondaryIndexes"
				   : "LocalSecondaryIndexes");
		const cJSON *e;
		cJSON_ArrayForEach(e, list) {
			if (t->n_idx == DDB_MAX_INDEXES)
				break;
			struct ddb_index *ix = &t->idx[t->n_idx];
			ix->name = ddb_str(e, "IndexName");
			ix->global = g;
			if (parse_keys(req, cJSON_GetObjectItemCaseSensitive(
						    e, "KeySchema"),
				       defs, &ix->keys, "keySchema") ||
			    parse_projection(req,
					     cJSON_GetObjectItemCaseSensitive(
						     e, "Projection"), ix))
				return -1;
			t->n_idx++;
		}
	}
	const cJSON *dp = cJSON_GetObjectItemCaseSensitive(
		t->desc, "DeletionProtectionEnabled");
	t->deletion_protection = cJSON_IsTrue(dp);
	return 0;
}

int ddb_table_find(struct request *req, const char *name,
		   struct ddb_table **out)
{
	sqlite3_stmt *st = store_prepare(db_of(req),
		"SELECT id, desc, ttl_attr, ttl_status FROM ddb_tables "
		"WHERE name = ?1");
	if (!st)
		return req_error(req, 500, "InternalServerError",
				 "Internal server error");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return 1;
		return req_error(req, 500, "InternalServerError",
				 "Internal server error");
	}
	struct ddb_table *t = arena_calloc(req->arena, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->desc = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
	if (sqlite3_column_type(st, 2) != SQLITE_NULL &&
	    strcmp((const char *)sqlite3_column_text(st, 3), "ENABLED") == 0)
		t->ttl_attr = arena_strdup(
			req->arena, (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	if (!t->desc)
		return req_error(req, 500, "InternalServerError",
				 "Internal server error");
	arena_defer(req->arena, delete_json, t->desc);
	t->name = ddb_str(t->desc, "TableName");
	if (table_from_desc(req, t))
		return -1;
	*out = t;
	return 0;
}

int ddb_table_load(struct request *req, const char *name,
		   struct ddb_table **out)
{
	if (!name)
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'tableName' failed to satisfy "
				   "constraint: Member must not be null");
	int rc = ddb_table_find(req, name, out);
	if (rc == 1)
		return req_error(req, 400, "ResourceNotFoundException",
				 "Requested resource not found");
	return rc;
}

const struct ddb_index *ddb_table_index(const struct ddb_table *t,
					const char *name)
{
	for (size_t i = 0; i < t->n_idx; i++)
		if (strcmp(t->idx[i].name, name) == 0)
			return &t->idx[i];
	return NULL;
}

/* count and bytes of a table (index == NULL) or of one index. */
static void counts(struct request *req, const struct ddb_table *t,
		   const char *index, double *count, double *bytes)
{
	sqlite3_stmt *st = store_prepare(db_of(req), index
		? "SELECT count(*), coalesce(sum(i.size), 0) FROM "
		  "ddb_index_rows r JOIN ddb_items i ON i.tid = r.tid AND "
		  "i.pk = r.pk AND i.sk = r.sk WHERE r.tid = ?1 AND "
		  "r.iname = ?2"
		: "SELECT count(*), coalesce(sum(size), 0) FROM ddb_items "
		  "WHERE tid = ?1 AND ?2 IS NULL");
	*count = *bytes = 0;
	if (!st)
		return;
	sqlite3_bind_int64(st, 1, t->id);
	if (index)
		sqlite3_bind_text(st, 2, index, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*count = (double)sqlite3_column_int64(st, 0);
		*bytes = (double)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
}

cJSON *ddb_table_describe(struct request *req, const struct ddb_table *t,
			  const char *status)
{
	cJSON *d = cJSON_Duplicate(t->desc, 1);
	double count, bytes;
	counts(req, t, NULL, &count, &bytes);
	cJSON_AddStringToObject(d, "TableStatus", status);
	cJSON_AddNumberToObject(d, "TableSizeBytes", bytes);
	cJSON_AddNumberToObject(d, "ItemCount", count);
	for (int g = 0; g < 2; g++) {
		cJSON *list = cJSON_GetObjectItemCaseSensitive(
			d, g ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
		cJSON *e;
		cJSON_ArrayForEach(e, list) {
			counts(req, t, ddb_str(e, "IndexName"), &count, &bytes);
			if (g)
				cJSON_AddStringToObject(e, "IndexStatus",
							"ACTIVE");
			cJSON_AddNumberToObject(e, "IndexSizeBytes", bytes);
			cJSON_AddNumberToObject(e, "ItemCount", count);
		}
	}
	return d;
}

/* ProvisionedThroughput as DescribeTable shows it. */
static cJSON *throughput(const cJSON *in, int on_demand)
{
	cJSON *pt = cJSON_CreateObject();
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(in, "ReadCapacityUnits");
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(in, "WriteCapacityUnits");
	cJSON_AddNumberToObject(pt, "NumberOfDecreasesToday", 0);
	cJSON_AddNumberToObject(pt, "ReadCapacityUnits",
				on_demand || !cJSON_IsNumber(r) ? 0 : r->valuedouble);
	cJSON_AddNumberToObject(pt, "WriteCapacityUnits",
				on_demand || !cJSON_IsNumber(w) ? 0 : w->valuedouble);
	return pt;
}

static int check_throughput(struct request *req, const cJSON *pt,
			    int on_demand)
{
	if (on_demand && pt)
		return ddb_invalid(req, "One or more parameter values were "
				   "invalid: Neither ReadCapacityUnits nor "
				   "WriteCapacityUnits can be specified when "
				   "BillingMode is PAY_PER_REQUEST");
	if (!on_demand) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(
			pt, "ReadCapacityUnits");
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(
			pt, "WriteCapacityUnits");
		if (!cJSON_IsNumber(r) || !cJSON_IsNumber(w))
			return ddb_invalid(req, "One or more parameter values "
					   "were invalid: ReadCapacityUnits and "
					   "WriteCapacityUnits must both be "
					   "specified when BillingMode is "
					   "PROVISIONED");
		if (r->valuedouble < 1 || w->valuedouble < 1)
			return ddb_invalid(req, "One or more parameter values "
					   "were invalid: Each value for "
					   "ReadCapacityUnits and "
					   "WriteCapacityUnits must be at "
					   "least 1");
	}
	return 0;
}

static const char *table_arn(struct request *req, const char *name)
{
	return arena_printf(req->arena, "arn:aws:dynamodb:%s:%s:table/%s",
			    req->identity.region, req->emu->config->account_id,
			    name);
}

/* Build a stored index description from a request element; checks it.
 * g: global.  Returns the new object or NULL (error recorded). */
static cJSON *index_desc(struct request *req, const cJSON *e, const cJSON *defs,
			 const struct ddb_keys *tk, int g, int on_demand,
			 const char *tarn)
{
	struct ddb_index ix;
	const char *name = ddb_str(e, "IndexName");
	const cJSON *proj = cJSON_GetObjectItemCaseSensitive(e, "Projection");
	if (!name || strlen(name) < 3 || strlen(name) > 255) {
		ddb_invalid(req, "1 validation error detected: Value '%s' at "
			    "'indexName' failed to satisfy constraint: Member "
			    "must have length greater than or equal to 3",
			    name ? name : "null");
		return NULL;
	}
	if (!proj) {
		ddb_invalid(req, "1 validation error detected: Value null at "
			    "'%sSecondaryIndexes.1.member.projection' failed "
			    "to satisfy constraint: Member must not be null",
			    g ? "global" : "local");
		return NULL;
	}
	if (parse_keys(req, cJSON_GetObjectItemCaseSensitive(e, "KeySchema"),
		       defs, &ix.keys, "keySchema") ||
	    parse_projection(req, proj, &ix))
		return NULL;
	if (!g) {
		if (!tk->range.name) {
			ddb_invalid(req, "One or more parameter values were "
				    "invalid: Table KeySchema does not have a "
				    "range key, which is required when "
				    "specifying a LocalSecondaryIndex");
			return NULL;
		}
		if (!ix.keys.range.name) {
			ddb_invalid(req, "One or more parameter values were "
				    "invalid: Index KeySchema does not have a "
				    "range key for index: %s", name);
			return NULL;
		}
		if (strcmp(ix.keys.hash.name, tk->hash.name) != 0) {
			ddb_invalid(req, "One or more parameter values were "
				    "invalid: Index KeySchema does not have the "
				    "same leading hash key as table KeySchema "
				    "for index: %s. index hash key: %s, table "
				    "hash key: %s", name, ix.keys.hash.name,
				    tk->hash.name);
			return NULL;
		}
	}
	const cJSON *pt = cJSON_GetObjectItemCaseSensitive(
		e, "ProvisionedThroughput");
	if (g && check_throughput(req, pt, on_demand))
		return NULL;
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "IndexName", name);
	cJSON_AddItemToObject(d, "KeySchema", cJSON_Duplicate(
		cJSON_GetObjectItemCaseSensitive(e, "KeySchema"), 1));
	cJSON *p = cJSON_Duplicate(proj, 1);
	if (!cJSON_GetObjectItemCaseSensitive(p, "ProjectionType"))
		cJSON_AddStringToObject(p, "ProjectionType", "ALL");
	cJSON_AddItemToObject(d, "Projection", p);
	if (g)
		cJSON_AddItemToObject(d, "ProvisionedThroughput",
				      throughput(pt, on_demand));
	cJSON_AddStringToObject(d, "IndexArn", arena_printf(
		req->arena, "%s/index/%s", tarn, name));
	return d;
}

/* Do the attribute definitions name exactly the key attributes used? */
static int check_defs_used(struct request *req, const cJSON *desc)
{
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(
		desc, "AttributeDefinitions");
	const cJSON *d;
	cJSON_ArrayForEach(d, defs) {
		const char *name = ddb_str(d, "AttributeName");
		int used = 0;
		const char *lists[] = {"KeySchema", "LocalSecondaryIndexes",
				       "GlobalSecondaryIndexes"};
		for (int l = 0; l < 3 && !used; l++) {
			const cJSON *list = cJSON_GetObjectItemCaseSensitive(
				desc, lists[l]);
			const cJSON *e;
			cJSON_ArrayForEach(e, list) {
				const cJSON *ks = l ? cJSON_GetObjectItemCaseSensitive(
					e, "KeySchema") : e;
				const cJSON *k;
				if (!l) {
					if (name && ddb_str(ks, "AttributeName") &&
					    !strcmp(ddb_str(ks, "AttributeName"),
						    name))
						used = 1;
					continue;
				}
				cJSON_ArrayForEach(k, ks)
					if (name && ddb_str(k, "AttributeName") &&
					    !strcmp(ddb_str(k, "AttributeName"),
						    name))
						used = 1;
			}
		}
		if (!used)
			return ddb_invalid(req, "One or more parameter values "
					   "were invalid: Number of attributes "
					   "in KeySchema does not exactly match "
					   "number of attributes defined in "
					   "AttributeDefinitions");
		const char *type = ddb_str(d, "AttributeType");
		if (!type || (strcmp(type, "S") && strcmp(type, "N") &&
			      strcmp(type, "B")))
			return ddb_invalid(req, "1 validation error detected: "
					   "Value '%s' at 'attributeDefinitions"
					   ".member.attributeType' failed to "
					   "satisfy constraint: Member must "
					   "satisfy enum value set: [B, N, S]",
					   type ? type : "null");
	}
	return 0;
}

static int valid_table_name(struct request *req, const char *name)
{
	if (!name)
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'tableName' failed to satisfy "
				   "constraint: Member must not be null");
	size_t n = strlen(name);
	if (n < 3 || n > 255)
		return ddb_invalid(req, "TableName must be at least 3 "
				   "characters long and at most 255 "
				   "characters long");
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.'))
			return ddb_invalid(req, "1 validation error detected: "
					   "Value '%s' at 'tableName' failed "
					   "to satisfy constraint: Member must "
					   "satisfy regular expression pattern:"
					   " [a-zA-Z0-9_.-]+", name);
	return 0;
}

static void add_stream(struct request *req, cJSON *d, const cJSON *spec,
		       const char *tarn)
{
	cJSON_DeleteItemFromObjectCaseSensitive(d, "StreamSpecification");
	cJSON_DeleteItemFromObjectCaseSensitive(d, "LatestStreamLabel");
	cJSON_DeleteItemFromObjectCaseSensitive(d, "LatestStreamArn");
	if (!spec || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			     spec, "StreamEnabled")))
		return;
	char label[TIMEFMT_MAX];
	time_iso8601_ms(time_now_ms(), label);
	label[23] = 0; /* 2025-01-02T03:04:05.678 */
	cJSON_AddItemToObject(d, "StreamSpecification", cJSON_Duplicate(spec, 1));
	cJSON_AddStringToObject(d, "LatestStreamLabel", label);
	cJSON_AddStringToObject(d, "LatestStreamArn", arena_printf(
		req->arena, "%s/stream/%s", tarn, label));
}

static void add_sse(struct request *req, cJSON *d, const cJSON *spec)
{
	cJSON_DeleteItemFromObjectCaseSensitive(d, "SSEDescription");
	if (!spec || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec,
								    "Enabled")))
		return;
	cJSON *s = cJSON_AddObjectToObject(d, "SSEDescription");
	const char *key = ddb_str(spec, "KMSMasterKeyId");
	cJSON_AddStringToObject(s, "Status", "ENABLED");
	cJSON_AddStringToObject(s, "SSEType", "KMS");
	cJSON_AddStringToObject(s, "KMSMasterKeyArn", key && !strncmp(key, "arn:", 4)
		? key : arena_printf(req->arena, "arn:aws:kms:%s:%s:key/%s",
				     req->identity.region,
				     req->emu->config->account_id,
				     key ? key : "aws/dynamodb"));
}

static void set_billing(cJSON *d, const char *mode)
{
	cJSON_DeleteItemFromObjectCaseSensitive(d, "BillingModeSummary");
	cJSON *b = cJSON_AddObjectToObject(d, "BillingModeSummary");
	cJSON_AddStringToObject(b, "BillingMode", mode);
	if (strcmp(mode, "PAY_PER_REQUEST") == 0)
		cJSON_AddNumberToObject(b, "LastUpdateToPayPerRequestDateTime",
					(double)time_now_ms() / 1000.0);
}

int ddb_create_table(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	if (!body)
		return -1;
	const char *name = ddb_str(body, "TableName");
	const char *mode = ddb_str(body, "BillingMode");
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(
		body, "AttributeDefinitions");
	const cJSON *ks = cJSON_GetObjectItemCaseSensitive(body, "KeySchema");
	struct ddb_keys tk;
	if (valid_table_name(req, name))
		return -1;
	if (!ks)
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'keySchema' failed to satisfy "
				   "constraint: Member must not be null");
	if (!defs)
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'attributeDefinitions' failed to "
				   "satisfy constraint: Member must not be null");
	if (mode && strcmp(mode, "PROVISIONED") &&
	    strcmp(mode, "PAY_PER_REQUEST"))
		return ddb_invalid(req, "1 validation error detected: Value "
				   "'%s' at 'billingMode' failed to satisfy "
				   "constraint: Member must satisfy enum value "
				   "set: [PROVISIONED, PAY_PER_REQUEST]", mode);
	int on_demand = mode && strcmp(mode, "PAY_PER_REQUEST") == 0;
	if (parse_keys(req, ks, defs, &tk, "keySchema") ||
	    check_throughput(req, cJSON_GetObjectItemCaseSensitive(
				     body, "ProvisionedThroughput"),
			     on_demand))
		return -1;

	const char *tarn = table_arn(req, name);
	char uuid[37];
	ids_uuid4(uuid);
	cJSON *d = cJSON_CreateObject();
	arena_defer(req->arena, delete_json, d);
	cJSON_AddItemToObject(d, "AttributeDefinitions", cJSON_Duplicate(defs, 1));
	cJSON_AddStringToObject(d, "TableName", name);
	cJSON_AddItemToObject(d, "KeySchema", cJSON_Duplicate(ks, 1));
	cJSON_AddNumberToObject(d, "CreationDateTime",
				(double)time_now_ms() / 1000.0);
	cJSON_AddItemToObject(d, "ProvisionedThroughput", throughput(
		cJSON_GetObjectItemCaseSensitive(body, "ProvisionedThroughput"),
		on_demand));
	cJSON_AddStringToObject(d, "TableArn", tarn);
	cJSON_AddStringToObject(d, "TableId", uuid);
	if (mode)
		set_billing(d, mode);
	for (int g = 0; g < 2; g++) {
		const char *key = g ? "GlobalSecondaryIndexes"
				    : "LocalSecondaryIndexes";
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, key);
		const cJSON *e;
		if (!list)
			continue;
		if (!cJSON_GetArraySize(list))
			return ddb_invalid(req, "One or more parameter values "
					   "were invalid: List of %s is empty",
					   key);
		cJSON *out = cJSON_AddArrayToObject(d, key);
		cJSON_ArrayForEach(e, list) {
			cJSON *ix = index_desc(req, e, defs, &tk, g, on_demand,
					       tarn);
			if (!ix)
				return -1;
			const cJSON *o;
			const char *iname = ddb_str(ix, "IndexName");
			for (int h = 0; h < 2; h++)
				cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(
					d, h ? "GlobalSecondaryIndexes"
					     : "LocalSecondaryIndexes"))
					if (!strcmp(ddb_str(o, "IndexName"), iname)) {
						cJSON_Delete(ix);
						return ddb_invalid(req, "One or "
							"more parameter values "
							"were invalid: Duplicate "
							"index name: %s", iname);
					}
			cJSON_AddItemToArray(out, ix);
		}
	}
	if (check_defs_used(req, d))
		return -1;
	add_stream(req, d, cJSON_GetObjectItemCaseSensitive(
			   body, "StreamSpecification"), tarn);
	add_sse(req, d, cJSON_GetObjectItemCaseSensitive(body, "SSESpecification"));
	cJSON_AddBoolToObject(d, "DeletionProtectionEnabled", cJSON_IsTrue(
		cJSON_GetObjectItemCaseSensitive(body, "DeletionProtectionEnabled")));
	if (ddb_str(body, "TableClass")) {
		cJSON *tc = cJSON_AddObjectToObject(d, "TableClassSummary");
		cJSON_AddStringToObject(tc, "TableClass",
					ddb_str(body, "TableClass"));
	}
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(body, "Tags");
	char *text = cJSON_PrintUnformatted(d);
	char *tags_text = tags ? cJSON_PrintUnformatted(tags) : strdup("[]");
	sqlite3_stmt *st = store_prepare(db_of(req),
		"INSERT INTO ddb_tables(name, desc, tags) VALUES (?1, ?2, ?3)");
	if (!st) {
		free(text);
		free(tags_text);
		return req_error(req, 500, "InternalServerError",
				 "Internal server error");
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, free);
	sqlite3_bind_text(st, 3, tags_text, -1, free);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT)
		return req_error(req, 400, "ResourceInUseException",
				 "Table already exists: %s", name);
	if (rc != SQLITE_DONE)
		return req_error(req, 500, "InternalServerError",
				 "Internal server error");
	struct ddb_table *t;
	if (ddb_table_load(req, name, &t))
		return -1;
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "TableDescription",
			      ddb_table_describe(req, t, "CREATING"));
	resp_json(resp, req->service, out);
	return 0;
}

int ddb_describe_table(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t;
	if (!body)
		return -1;
	const char *name = ddb_str(body, "TableName");
	if (!name)
		return ddb_table_load(req, name, &t);
	int rc = ddb_table_find(req, name, &t);
	if (rc == 1)
		return req_error(req, 400, "ResourceNotFoundException",
				 "Requested resource not found: Table: %s not "
				 "found", name);
	if (rc)
		return -1;
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "Table", ddb_table_describe(req, t,
							       "ACTIVE"));
	resp_json(resp, req->service, out);
	return 0;
}

int ddb_list_tables(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	if (!body)
		return -1;
	const char *start = ddb_str(body, "ExclusiveStartTableName");
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(body, "Limit");
	int limit = 100;
	if (lim) {
		if (!cJSON_IsNumber(lim) || lim->valuedouble < 1 ||
		    lim->valuedouble > 100)
			return ddb_invalid(req, "1 validation error detected: "
					   "Value '%g' at 'limit' failed to "
					   "satisfy constraint: Member must "
					   "have value %s", lim->valuedouble,
					   lim->valuedouble < 1
						   ? "greater than or equal to 1"
						   : "less than or equal to 100");
		limit = (int)lim->valuedouble;
	}
	sqlite3_stmt *st = store_prepare(db_of(req),
		"SELECT name FROM ddb_tables WHERE name > ?1 ORDER BY name "
		"LIMIT ?2");
	if (!st)
		return req_error(req, 500, "InternalServerError",
				 "Internal server error");
	sqlite3_bind_text(st, 1, start ? start : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit + 1);
	cJSON *out = cJSON_CreateObject();
	cJSON *names = cJSON_AddArrayToObject(out, "TableNames");
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n++ == limit) {
			cJSON *last = cJSON_GetArrayItem(names, limit - 1);
			cJSON_AddStringToObject(out, "LastEvaluatedTableName",
						last->valuestring);
			break;
		}
		cJSON_AddItemToArray(names, cJSON_CreateString(
			(const char *)sqlite3_column_text(st, 0)));
	}
	sqlite3_reset(st);
	resp_json(resp, req->service, out);
	return 0;
}

int ddb_delete_table(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t;
	if (!body || ddb_table_load(req, ddb_str(body, "TableName"), &t))
		return -1;
	if (t->deletion_protection)
		return ddb_invalid(req, "Resource cannot be deleted as it is "
				   "currently protected against deletion. "
				   "Disable deletion protection first.");
	cJSON *desc = ddb_table_describe(req, t, "DELETING");
	if (ddb_begin(req)) {
		cJSON_Delete(desc);
		return -1;
	}
	sqlite3_stmt *st = store_prepare(db_of(req),
		"DELETE FROM ddb_tables WHERE id = ?1");
	int ok = st != NULL;
	if (ok) {
		sqlite3_bind_int64(st, 1, t->id);
		ok = sqlite3_step(st) == SQLITE_DONE;
		sqlite3_reset(st);
	}
	if (!ok || ddb_store_drop(db_of(req), t->id, NULL) || ddb_commit(req)) {
		ddb_rollback(req);
		cJSON_Delete(desc);
		return req_error(req, 500, "InternalServerError",
				 "Internal server error");
	}
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "TableDescription", desc);
	resp_json(resp, req->service, out);
	return 0;
}
