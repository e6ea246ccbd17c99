/*
 * ddb_item.c - single-item writes and reads: PutItem, GetItem,
 * UpdateItem, DeleteItem, and the write machinery BatchWriteItem and
 * TransactWriteItems reuse (struct ddb_write: prepare = parse and check
 * the request, evaluate = read the old item, check the condition and
 * compute the new one, apply = store it; all inside one transaction).
 *
 * Key rules follow DynamoDB: an Item must hold the key attributes with
 * the declared types (and index key attributes, when present, must have
 * their declared types); a Key must hold exactly the key attributes; key
 * attributes cannot be updated; items are at most 400 KB.
 */
#include "ddb.h"
#include "protocol.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void delete_json(void *p)
{
	cJSON_Delete(p);
}

static cJSON *keep(struct request *req, cJSON *v)
{
	if (v)
		arena_defer(req->arena, delete_json, v);
	return v;
}

static int key_part(struct request *req, const struct ddb_keydef *kd,
		    const cJSON *item, int as_key, const unsigned char **out,
		    size_t *len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, kd->name);
	enum ddb_type t = ddb_type_of(v);
	unsigned char *bytes;
	if (!v || t != kd->type) {
		if (as_key)
			return ddb_invalid(req, "The provided key element does "
					   "not match the schema");
		if (!v)
			return ddb_invalid(req, "One or more parameter values "
					   "were invalid: Missing the key %s in "
					   "the item", kd->name);
		return ddb_invalid(req, "One or more parameter values were "
				   "invalid: Type mismatch for key %s "
				   "expected: %s actual: %s", kd->name,
				   ddb_type_name(kd->type),
				   t == DT_BAD ? "" : ddb_type_name(t));
	}
	if (ddb_key_bytes(req->arena, v, &bytes, len))
		return ddb_invalid(req, "The provided key element does not "
				   "match the schema");
	if (*len == 0)
		return ddb_invalid(req, "One or more parameter values are not "
				   "valid. The AttributeValue for a key "
				   "attribute cannot contain an empty %s value. "
				   "Key: %s", t == DT_B ? "binary" : "string",
				   kd->name);
	*out = bytes;
	return 0;
}

int ddb_extract_key(struct request *req, const struct ddb_keys *keys,
		    const cJSON *item, int as_key, struct ddb_key *out)
{
	int want = keys->range.name ? 2 : 1;
	if (as_key && cJSON_GetArraySize(item) != want)
		return ddb_invalid(req, "The provided key element does not "
				   "match the schema");
	if (key_part(req, &keys->hash, item, as_key, &out->pk, &out->pk_len))
		return -1;
	if (out->pk_len > 2048)
		return ddb_invalid(req, "One or more parameter values were "
				   "invalid: Size of hashkey has exceeded the "
				   "maximum size limit of2048 bytes");
	out->sk = (const unsigned char *)"";
	out->sk_len = 0;
	if (keys->range.name) {
		if (key_part(req, &keys->range, item, as_key, &out->sk,
			     &out->sk_len))
			return -1;
		if (out->sk_len > 1024)
			return ddb_invalid(req, "One or more parameter values "
					   "were invalid: Aggregated size of "
					   "all range keys has exceeded the "
					   "size limit of 1024 bytes");
	}
	return 0;
}

cJSON *ddb_key_map(const struct ddb_table *t, const struct ddb_index *ix,
		   const cJSON *item)
{
	cJSON *k = cJSON_CreateObject();
	const char *names[4] = {t->keys.hash.name, t->keys.range.name,
				ix ? ix->keys.hash.name : NULL,
				ix ? ix->keys.range.name : NULL};
	for (int i = 0; i < 4; i++) {
		const cJSON *v;
		if (!names[i] || cJSON_GetObjectItemCaseSensitive(k, names[i]))
			continue;
		v = cJSON_GetObjectItemCaseSensitive(item, names[i]);
		if (v)
			cJSON_AddItemToObject(k, names[i], cJSON_Duplicate(v, 1));
	}
	return k;
}

/* Index key attributes present in item must have the declared types. */
static int check_index_types(struct request *req, const struct ddb_table *t,
			     const cJSON *item)
{
	for (size_t i = 0; i < t->n_idx; i++) {
		const struct ddb_keydef *kds[2] = {&t->idx[i].keys.hash,
						   &t->idx[i].keys.range};
		for (int k = 0; k < 2; k++) {
			if (!kds[k]->name)
				continue;
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(
				item, kds[k]->name);
			enum ddb_type ty = ddb_type_of(v);
			if (v && ty != kds[k]->type)
				return ddb_invalid(req, "One or more parameter "
					"values were invalid: Type mismatch for "
					"Index Key %s Expected: %s Actual: %s "
					"IndexName: %s", kds[k]->name,
					ddb_type_name(kds[k]->type),
					ddb_type_name(ty), t->idx[i].name);
			if (v && (ty == DT_S || ty == DT_B) &&
			    !*v->child->valuestring)
				return ddb_invalid(req, "One or more parameter "
					"values are not valid. A value specified "
					"for a secondary index key is not "
					"supported. The AttributeValue for a key "
					"attribute cannot contain an empty "
					"string value. IndexName: %s, "
					"IndexKey: %s", t->idx[i].name,
					kds[k]->name);
		}
	}
	return 0;
}

static int reject_legacy(struct request *req, const cJSON *body,
			 const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cJSON_GetObjectItemCaseSensitive(body, names[i]))
			return ddb_invalid(req, "The legacy parameter %s is not "
					   "supported by this emulator; use "
					   "expressions instead", names[i]);
	return 0;
}

int ddb_write_prepare(struct request *req, const cJSON *body,
		      enum ddb_write_kind kind, struct ddb_write *w)
{
	static const char *const legacy[] = {"Expected", "AttributeUpdates",
					     "ConditionalOperator"};
	char err[512];
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	if (reject_legacy(req, body, legacy, 3) ||
	    ddb_table_load(req, ddb_str(body, "TableName"), &w->table))
		return -1;
	const char *field = kind == DDB_W_PUT ? "Item" : "Key";
	w->item = cJSON_GetObjectItemCaseSensitive(body, field);
	if (!cJSON_IsObject(w->item))
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at '%s' failed to satisfy constraint: "
				   "Member must not be null",
				   kind == DDB_W_PUT ? "item" : "key");
	if (ddb_item_check(w->item, err, sizeof(err)))
		return ddb_invalid(req, "%s", err);
	if (ddb_extract_key(req, &w->table->keys, w->item, kind != DDB_W_PUT,
			    &w->key))
		return -1;
	if (kind == DDB_W_PUT) {
		if (ddb_item_size(w->item) > DDB_MAX_ITEM_SIZE)
			return ddb_invalid(req, "Item size has exceeded the "
					   "maximum allowed size");
		if (check_index_types(req, w->table, w->item))
			return -1;
	}
	const char *cond = ddb_str(body, "ConditionExpression");
	const char *upd = ddb_str(body, "UpdateExpression");
	if (kind != DDB_W_UPDATE)
		upd = NULL;
	if (kind == DDB_W_CHECK && !cond)
		return ddb_invalid(req, "The expression can not be empty;");
	if (ddb_expr_setup(req, body, &w->ctx, cond || upd))
		return -1;
	if (cond && ddb_parse_condition(&w->ctx, DDB_EXPR_CONDITION, cond,
					&w->cond))
		return ddb_invalid(req, "%s", w->ctx.err);
	if (upd && ddb_parse_update(&w->ctx, upd, &w->update))
		return ddb_invalid(req, "%s", w->ctx.err);
	if (ddb_expr_check_unused(&w->ctx))
		return ddb_invalid(req, "%s", w->ctx.err);
	for (size_t i = 0; i < w->update.n; i++) {
		const char *name = w->update.a[i].path.e[0].name;
		if (!strcmp(name, w->table->keys.hash.name) ||
		    (w->table->keys.range.name &&
		     !strcmp(name, w->table->keys.range.name)))
			return ddb_invalid(req, "One or more parameter values "
					   "were invalid: Cannot update "
					   "attribute %s. This attribute is "
					   "part of the key", name);
	}
	return 0;
}

int ddb_write_evaluate(struct request *req, struct ddb_write *w)
{
	if (ddb_store_get(req, w->table, &w->key, &w->old))
		return -1;
	if (w->cond) {
		int r = ddb_eval_condition(&w->ctx, w->cond, w->old);
		if (r < 0)
			return ddb_invalid(req, "%s", w->ctx.err);
		if (!r) {
			w->cond_failed = 1;
			return 0;
		}
	}
	if (w->kind == DDB_W_PUT) {
		w->new_item = w->item;
	} else if (w->kind == DDB_W_UPDATE) {
		w->new_item = keep(req, cJSON_Duplicate(w->old ? w->old
							       : w->item, 1));
		if (ddb_apply_update(&w->ctx, &w->update, w->old, w->new_item))
			return ddb_invalid(req, "%s", w->ctx.err);
		if (ddb_item_size(w->new_item) > DDB_MAX_ITEM_SIZE)
			return ddb_invalid(req, "Item size to update has "
					   "exceeded the maximum allowed size");
		if (check_index_types(req, w->table, w->new_item))
			return -1;
	}
	return 0;
}

int ddb_write_apply(struct request *req, struct ddb_write *w)
{
	switch (w->kind) {
	case DDB_W_PUT:
	case DDB_W_UPDATE:
		return ddb_store_put(req, w->table, &w->key, w->old,
				     w->new_item);
	case DDB_W_DELETE:
		return ddb_store_delete(req, w->table, &w->key, w->old);
	case DDB_W_CHECK:
		break;
	}
	return 0;
}

/* Which ReturnValues an operation takes; -1 with the error recorded. */
static int return_values(struct request *req, const cJSON *body,
			 int update, const char **out)
{
	static const char *const all[] = {"NONE", "ALL_OLD", "UPDATED_OLD",
					  "ALL_NEW", "UPDATED_NEW"};
	const char *rv = ddb_str(body, "ReturnValues");
	*out = "NONE";
	if (!rv)
		return 0;
	for (int i = 0; i < 5; i++)
		if (!strcmp(rv, all[i])) {
			if (!update && i > 1)
				return ddb_invalid(req, "Return values set to "
						   "invalid value");
			*out = all[i];
			return 0;
		}
	return ddb_invalid(req, "1 validation error detected: Value '%s' at "
			   "'returnValues' failed to satisfy constraint: "
			   "Member must satisfy enum value set: [ALL_NEW, "
			   "UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", rv);
}

static int check_rvoccf(struct request *req, const cJSON *body)
{
	const char *v = ddb_str(body, "ReturnValuesOnConditionCheckFailure");
	if (v && strcmp(v, "ALL_OLD") && strcmp(v, "NONE"))
		return ddb_invalid(req, "1 validation error detected: Value "
				   "'%s' at 'returnValuesOnConditionCheck"
				   "Failure' failed to satisfy constraint: "
				   "Member must satisfy enum value set: "
				   "[ALL_OLD, NONE]", v);
	return 0;
}

/* The ConditionalCheckFailedException answer (with Item if asked). */
static int condition_failed(struct request *req, struct response *resp,
			    const cJSON *body, const cJSON *old)
{
	const char *v = ddb_str(body, "ReturnValuesOnConditionCheckFailure");
	cJSON *extra = cJSON_CreateObject();
	if (v && !strcmp(v, "ALL_OLD") && old)
		cJSON_AddItemToObject(extra, "Item", cJSON_Duplicate(old, 1));
	return ddb_error_with(req, resp, 400,
			      "com.amazonaws.dynamodb.v20120810#"
			      "ConditionalCheckFailedException",
			      "The conditional request failed", extra);
}

static double write_units(const struct ddb_write *w)
{
	size_t a = ddb_item_size(w->old), b = ddb_item_size(w->new_item);
	double u = ceil((double)(a > b ? a : b) / 1024.0);
	return u < 1 ? 1 : u;
}

/* The whole single-item write: PutItem, DeleteItem, UpdateItem. */
static int single_write(struct request *req, struct response *resp,
			enum ddb_write_kind kind)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_write w;
	const char *rv;
	if (!body || return_values(req, body, kind == DDB_W_UPDATE, &rv) ||
	    check_rvoccf(req, body) || ddb_write_prepare(req, body, kind, &w))
		return -1;
	if (ddb_begin(req))
		return -1;
	if (ddb_write_evaluate(req, &w)) {
		ddb_rollback(req);
		return -1;
	}
	if (w.cond_failed) {
		ddb_rollback(req);
		return condition_failed(req, resp, body, w.old);
	}
	if (ddb_write_apply(req, &w) || ddb_commit(req)) {
		ddb_rollback(req);
		return -1;
	}
	cJSON *out = cJSON_CreateObject();
	cJSON *attrs = NULL;
	if (!strcmp(rv, "ALL_OLD") && w.old)
		attrs = cJSON_Duplicate(w.old, 1);
	else if (!strcmp(rv, "ALL_NEW") && w.new_item)
		attrs = cJSON_Duplicate(w.new_item, 1);
	else if (!strncmp(rv, "UPDATED_", 8)) {
		struct ddb_projection p;
		p.n = w.update.n;
		p.paths = arena_alloc(req->arena, (p.n + 1) * sizeof(*p.paths));
		for (size_t i = 0; i < p.n; i++)
			p.paths[i] = w.update.a[i].path;
		attrs = ddb_project(&p, rv[8] == 'O' ? w.old : w.new_item);
	}
	if (attrs && !attrs->child) {
		cJSON_Delete(attrs);
		attrs = NULL;
	}
	if (attrs)
		cJSON_AddItemToObject(out, "Attributes", attrs);
	cJSON *cc = ddb_consumed(body, w.table->name, write_units(&w));
	if (cc)
		cJSON_AddItemToObject(out, "ConsumedCapacity", cc);
	resp_json(resp, req->service, out);
	return 0;
}

int ddb_put_item(struct request *req, struct response *resp)
{
	return single_write(req, resp, DDB_W_PUT);
}

int ddb_delete_item(struct request *req, struct response *resp)
{
	return single_write(req, resp, DDB_W_DELETE);
}

int ddb_update_item(struct request *req, struct response *resp)
{
	return single_write(req, resp, DDB_W_UPDATE);
}

int ddb_get_item(struct request *req, struct response *resp)
{
	static const char *const legacy[] = {"AttributesToGet"};
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct ddb_table *t;
	struct ddb_key k;
	struct ddb_expr_ctx c;
	struct ddb_projection proj = {0};
	char err[512];
	cJSON *item;
	if (!body || reject_legacy(req, body, legacy, 1) ||
	    ddb_table_load(req, ddb_str(body, "TableName"), &t))
		return -1;
	cJSON *key = cJSON_GetObjectItemCaseSensitive(body, "Key");
	if (!cJSON_IsObject(key))
		return ddb_invalid(req, "1 validation error detected: Value "
				   "null at 'key' failed to satisfy "
				   "constraint: Member must not be null");
	if (ddb_item_check(key, err, sizeof(err)))
		return ddb_invalid(req, "%s", err);
	if (ddb_extract_key(req, &t->keys, key, 1, &k))
		return -1;
	const char *pe = ddb_str(body, "ProjectionExpression");
	if (ddb_expr_setup(req, body, &c, pe != NULL))
		return -1;
	if (pe && ddb_parse_projection(&c, pe, &proj))
		return ddb_invalid(req, "%s", c.err);
	if (ddb_expr_check_unused(&c))
		return ddb_invalid(req, "%s", c.err);
	if (ddb_store_get(req, t, &k, &item))
		return -1;
	cJSON *out = cJSON_CreateObject();
	if (item)
		cJSON_AddItemToObject(out, "Item", pe ? ddb_project(&proj, item)
						      : cJSON_Duplicate(item, 1));
	double units = ceil((double)ddb_item_size(item) / 4096.0);
	if (units < 1)
		units = 1;
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body,
							   "ConsistentRead")))
		units /= 2;
	cJSON *cc = ddb_consumed(body, t->name, units);
	if (cc)
		cJSON_AddItemToObject(out, "ConsumedCapacity", cc);
	resp_json(resp, req->service, out);
	return 0;
}
