/*
 * ddb_batch.c - BatchGetItem (at most 100 keys, 16 MB of items; the rest
 * comes back in UnprocessedKeys) and BatchWriteItem (at most 25 puts and
 * deletes, no conditions).  Every write of a batch is applied in one
 * transaction, so UnprocessedItems is always empty: the emulator never
 * throttles.  Duplicate keys in one table are DynamoDB's
 * ValidationException.
 */
#include "ddb.h"
#include "protocol.h"

#include <stdio.h>
#include <string.h>

#define BATCH_GET_BYTES (16 * 1024 * 1024)

static void delete_json(void *p)
{
	cJSON_Delete(p);
}

/* Are two encoded keys the same? */
static int same_key(const struct ddb_key *a, const struct ddb_key *b)
{
	return a->pk_len == b->pk_len && a->sk_len == b->sk_len &&
	       !memcmp(a->pk, b->pk, a->pk_len) &&
	       !memcmp(a->sk, b->sk, a->sk_len);
}

static int need_items(struct request *req, const cJSON *ri)
{
	if (!cJSON_IsObject(ri) || !ri->child)
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'requestItems' failed to satisfy "
				   "constraint: Member must not be null");
	return 0;
}

int ddb_batch_get(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	if (!body)
		return -1;
	const cJSON *ri = cJSON_GetObjectItemCaseSensitive(body, "RequestItems");
	const cJSON *tab;
	char err[512];
	int total = 0;
	if (need_items(req, ri))
		return -1;
	cJSON_ArrayForEach(tab, ri)
		total += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
			tab, "Keys"));
	if (total > 100)
		return ddb_invalid(req, "Too many items requested for the "
				   "BatchGetItem call");
	cJSON *out = cJSON_CreateObject();
	arena_defer(req->arena, delete_json, out);
	cJSON *responses = cJSON_AddObjectToObject(out, "Responses");
	cJSON *unprocessed = cJSON_AddObjectToObject(out, "UnprocessedKeys");
	size_t bytes = 0;
	cJSON_ArrayForEach(tab, ri) {
		struct ddb_table *t;
		struct ddb_expr_ctx c;
		struct ddb_projection proj = {0};
		if (cJSON_GetObjectItemCaseSensitive(tab, "AttributesToGet"))
			return ddb_invalid(req, "The legacy parameter "
					   "AttributesToGet is not supported by "
					   "this emulator; use expressions "
					   "instead");
		if (ddb_table_load(req, tab->string, &t))
			return -1;
		const cJSON *keys = cJSON_GetObjectItemCaseSensitive(tab, "Keys");
		int n = cJSON_GetArraySize(keys);
		if (n < 1)
			return ddb_invalid(req, "1 validation error detected: "
					   "Value null at 'requestItems.%s."
					   "member.keys' failed to satisfy "
					   "constraint: Member must not be null",
					   tab->string);
		const char *pe = ddb_str(tab, "ProjectionExpression");
		if (ddb_expr_setup(req, tab, &c, pe != NULL))
			return -1;
		if (pe && ddb_parse_projection(&c, pe, &proj))
			return ddb_invalid(req, "%s", c.err);
		if (ddb_expr_check_unused(&c))
			return ddb_invalid(req, "%s", c.err);
		struct ddb_key *ks = arena_alloc(req->arena, (size_t)n * sizeof(*ks));
		int i = 0;
		const cJSON *k;
		cJSON_ArrayForEach(k, keys) {
			if (ddb_item_check((cJSON *)k, err, sizeof(err)))
				return ddb_invalid(req, "%s", err);
			if (ddb_extract_key(req, &t->keys, k, 1, &ks[i]))
				return -1;
			for (int j = 0; j < i; j++)
				if (same_key(&ks[i], &ks[j]))
					return ddb_invalid(req, "Provided list "
						"of item keys contains "
						"duplicates");
			i++;
		}
		cJSON *items = cJSON_AddArrayToObject(responses, tab->string);
		cJSON *left = NULL;
		i = 0;
		cJSON_ArrayForEach(k, keys) {
			cJSON *item;
			if (bytes >= BATCH_GET_BYTES) {
				if (!left) {
					cJSON *u = cJSON_AddObjectToObject(
						unprocessed, tab->string);
					left = cJSON_AddArrayToObject(u, "Keys");
					if (pe)
						cJSON_AddStringToObject(
							u, "ProjectionExpression",
							pe);
					if (c.names)
						cJSON_AddItemToObject(
							u, "ExpressionAttributeNames",
							cJSON_Duplicate(c.names, 1));
				}
				cJSON_AddItemToArray(left, cJSON_Duplicate(k, 1));
				i++;
				continue;
			}
			if (ddb_store_get(req, t, &ks[i++], &item))
				return -1;
			if (!item)
				continue;
			bytes += ddb_item_size(item);
			cJSON_AddItemToArray(items, pe ? ddb_project(&proj, item)
						       : cJSON_Duplicate(item, 1));
		}
	}
	resp_json(resp, req->service, cJSON_Duplicate(out, 1));
	return 0;
}

int ddb_batch_write(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	if (!body)
		return -1;
	const cJSON *ri = cJSON_GetObjectItemCaseSensitive(body, "RequestItems");
	const cJSON *tab;
	int total = 0;
	if (need_items(req, ri))
		return -1;
	cJSON_ArrayForEach(tab, ri)
		total += cJSON_GetArraySize(tab);
	if (total > 25)
		return ddb_invalid(req, "Too many items requested for the "
				   "BatchWriteItem call");
	struct ddb_write *w = arena_calloc(req->arena,
					   (size_t)(total + 1) * sizeof(*w));
	int n = 0;
	cJSON_ArrayForEach(tab, ri) {
		const cJSON *r;
		if (cJSON_GetArraySize(tab) < 1)
			return ddb_invalid(req, "1 validation error detected: "
					   "Value '[]' at 'requestItems' failed "
					   "to satisfy constraint: Map value "
					   "must satisfy constraint: [Member "
					   "must have length greater than or "
					   "equal to 1]");
		cJSON_ArrayForEach(r, tab) {
			const cJSON *put = cJSON_GetObjectItemCaseSensitive(
				r, "PutRequest");
			const cJSON *del = cJSON_GetObjectItemCaseSensitive(
				r, "DeleteRequest");
			if (!put == !del)
				return ddb_invalid(req, "Supplied AttributeValue "
						   "has more than one datatypes "
						   "set, must contain exactly one "
						   "of the supported datatypes");
			cJSON *sub = cJSON_CreateObject();
			arena_defer(req->arena, delete_json, sub);
			cJSON_AddStringToObject(sub, "TableName", tab->string);
			const char *f = put ? "Item" : "Key";
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(
				put ? put : del, f);
			if (v)
				cJSON_AddItemToObject(sub, f,
						      cJSON_Duplicate(v, 1));
			if (ddb_write_prepare(req, sub, put ? DDB_W_PUT
							     : DDB_W_DELETE,
					      &w[n]))
				return -1;
			for (int j = 0; j < n; j++)
				if (w[j].table->id == w[n].table->id &&
				    same_key(&w[j].key, &w[n].key))
					return ddb_invalid(req, "Provided list "
						"of item keys contains "
						"duplicates");
			n++;
		}
	}
	if (ddb_begin(req))
		return -1;
	for (int i = 0; i < n; i++) {
		if (ddb_write_evaluate(req, &w[i]) ||
		    ddb_write_apply(req, &w[i])) {
			ddb_rollback(req);
			return -1;
		}
	}
	if (ddb_commit(req))
		return -1;
	cJSON *out = cJSON_CreateObject();
	cJSON_AddObjectToObject(out, "UnprocessedItems");
	resp_json(resp, req->service, out);
	return 0;
}
