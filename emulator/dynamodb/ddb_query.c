/*
 * ddb_query.c - Query and Scan, on tables and on secondary indexes.
 *
 * A Query is one range scan of the primary key (ddb_items) or of an
 * index (ddb_index_rows joined to ddb_items): the key condition becomes
 * bounds on the encoded sort key, ExclusiveStartKey a row-value bound,
 * ScanIndexForward the ORDER BY direction.  Rows are read until Limit
 * items were evaluated or 1 MB of items was read (the page limits AWS
 * applies before FilterExpression), then LastEvaluatedKey is the key of
 * the last item read.  A Scan walks the same rows in key order; parallel
 * scans put an item in segment crc32(partition key) % TotalSegments.
 */
#include "ddb.h"
#include "hash.h"
#include "protocol.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct store_db *db_of(struct request *req)
{
	return ((struct ddb_state *)req->service_state)->db;
}

/* One page being built. */
struct page {
	struct ddb_table *t;
	const struct ddb_index *ix;
	struct ddb_expr_ctx ctx;
	struct ddb_node *filter;
	struct ddb_projection proj;
	int use_proj, count_only;
	long limit; /* 0 = none */
	cJSON *items;
	long count, scanned;
	size_t bytes;
	cJSON *last; /* key of the last item read */
	int stopped;
};

/* Common request parts: table, index, expressions, Select, Limit. */
static int page_setup(struct request *req, const cJSON *body, struct page *p,
		      const char *key_expr, struct ddb_node **key_cond)
{
	static const char *const legacy[] = {
		"KeyConditions", "QueryFilter", "ScanFilter",
		"AttributesToGet", "ConditionalOperator"};
	char err[512];
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < 5; i++)
		if (cJSON_GetObjectItemCaseSensitive(body, legacy[i]))
			return ddb_invalid(req, "The legacy parameter %s is not "
					   "supported by this emulator; use "
					   "expressions instead", legacy[i]);
	if (ddb_table_load(req, ddb_str(body, "TableName"), &p->t))
		return -1;
	const char *iname = ddb_str(body, "IndexName");
	if (iname) {
		p->ix = ddb_table_index(p->t, iname);
		if (!p->ix)
			return ddb_invalid(req, "The table does not have the "
					   "specified index: %s", iname);
		if (p->ix->global && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
					     body, "ConsistentRead")))
			return ddb_invalid(req, "Consistent reads are not "
					   "supported on global secondary "
					   "indexes");
	}
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(body, "Limit");
	if (lim) {
		if (!cJSON_IsNumber(lim) || lim->valuedouble < 1)
			return ddb_invalid(req, "1 validation error detected: "
					   "Value '%g' at 'limit' failed to "
					   "satisfy constraint: Member must "
					   "have value greater than or equal "
					   "to 1", cJSON_IsNumber(lim)
						   ? lim->valuedouble : 0);
		p->limit = (long)lim->valuedouble;
	}
	const char *fe = ddb_str(body, "FilterExpression");
	const char *pe = ddb_str(body, "ProjectionExpression");
	const char *sel = ddb_str(body, "Select");
	if (ddb_expr_setup(req, body, &p->ctx, fe || pe || key_expr))
		return -1;
	if (key_expr && ddb_parse_condition(&p->ctx, DDB_EXPR_KEY, key_expr,
					    key_cond))
		return ddb_invalid(req, "%s", p->ctx.err);
	if (fe && ddb_parse_condition(&p->ctx, DDB_EXPR_FILTER, fe,
				      &p->filter))
		return ddb_invalid(req, "%s", p->ctx.err);
	if (pe && ddb_parse_projection(&p->ctx, pe, &p->proj))
		return ddb_invalid(req, "%s", p->ctx.err);
	if (ddb_expr_check_unused(&p->ctx))
		return ddb_invalid(req, "%s", p->ctx.err);
	p->use_proj = pe != NULL;
	if (sel) {
		if (strcmp(sel, "ALL_ATTRIBUTES") && strcmp(sel, "COUNT") &&
		    strcmp(sel, "ALL_PROJECTED_ATTRIBUTES") &&
		    strcmp(sel, "SPECIFIC_ATTRIBUTES"))
			return ddb_invalid(req, "1 validation error detected: "
					   "Value '%s' at 'select' failed to "
					   "satisfy constraint: Member must "
					   "satisfy enum value set: [SPECIFIC_"
					   "ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
					   "ALL_PROJECTED_ATTRIBUTES]", sel);
		if (pe && strcmp(sel, "SPECIFIC_ATTRIBUTES"))
			return ddb_invalid(req, "Cannot specify the "
					   "ProjectionExpression when choosing "
					   "to get %s", sel);
		if (!strcmp(sel, "ALL_PROJECTED_ATTRIBUTES") && !p->ix)
			return ddb_invalid(req, "ALL_PROJECTED_ATTRIBUTES can be "
					   "used only when Querying using an "
					   "IndexName");
		if (!strcmp(sel, "ALL_ATTRIBUTES") && p->ix && p->ix->global &&
		    p->ix->proj != DDB_PROJ_ALL)
			return ddb_invalid(req, "One or more parameter values "
					   "were invalid: Select type "
					   "ALL_ATTRIBUTES is not supported for "
					   "global secondary index %s because "
					   "its projection type is not ALL",
					   p->ix->name);
		p->count_only = !strcmp(sel, "COUNT");
	}
	/* An index that does not project everything returns its own
	 * attributes unless asked otherwise. */
	if (!pe && p->ix && p->ix->proj != DDB_PROJ_ALL &&
	    !(sel && !strcmp(sel, "ALL_ATTRIBUTES"))) {
		const char *names[4] = {p->t->keys.hash.name,
					p->t->keys.range.name,
					p->ix->keys.hash.name,
					p->ix->keys.range.name};
		size_t n = 4 + (size_t)cJSON_GetArraySize(p->ix->non_key);
		p->proj.paths = arena_calloc(req->arena, n * sizeof(*p->proj.paths));
		const cJSON *nk = p->ix->non_key ? p->ix->non_key->child : NULL;
		for (size_t i = 0; i < n; i++) {
			const char *name = i < 4 ? names[i] : nk->valuestring;
			if (i >= 4)
				nk = nk->next;
			if (!name)
				continue;
			struct ddb_path *pp = &p->proj.paths[p->proj.n++];
			pp->n = 1;
			pp->e = arena_calloc(req->arena, sizeof(*pp->e));
			pp->e[0].name = name;
			pp->e[0].index = -1;
		}
		p->use_proj = 1;
	}
	(void)err;
	p->items = cJSON_CreateArray();
	return 0;
}

/* Read one row's item: count it, filter it, keep it.  Returns 1 when the
 * page is full, 0 to go on, -1 on error. */
static int page_row(struct request *req, struct page *p, const char *body)
{
	cJSON *item = cJSON_Parse(body);
	if (!item)
		return 0;
	p->scanned++;
	p->bytes += ddb_item_size(item);
	int keep = 1;
	if (p->filter) {
		keep = ddb_eval_condition(&p->ctx, p->filter, item);
		if (keep < 0) {
			cJSON_Delete(item);
			return ddb_invalid(req, "%s", p->ctx.err);
		}
	}
	cJSON_Delete(p->last);
	p->last = ddb_key_map(p->t, p->ix, item);
	if (keep) {
		p->count++;
		if (!p->count_only)
			cJSON_AddItemToArray(p->items, p->use_proj
				? ddb_project(&p->proj, item)
				: cJSON_Duplicate(item, 1));
	}
	cJSON_Delete(item);
	if ((p->limit && p->scanned >= p->limit) || p->bytes >= DDB_PAGE_BYTES) {
		p->stopped = 1;
		return 1;
	}
	return 0;
}

static int page_answer(struct request *req, struct response *resp,
		       const cJSON *body, struct page *p)
{
	cJSON *out = cJSON_CreateObject();
	if (!p->count_only)
		cJSON_AddItemToObject(out, "Items", p->items);
	else
		cJSON_Delete(p->items);
	cJSON_AddNumberToObject(out, "Count", (double)p->count);
	cJSON_AddNumberToObject(out, "ScannedCount", (double)p->scanned);
	if (p->stopped && p->last)
		cJSON_AddItemToObject(out, "LastEvaluatedKey", p->last);
	else
		cJSON_Delete(p->last);
	double units = ceil((double)p->bytes / 4096.0);
	if (units < 1)
		units = 1;
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body,
							   "ConsistentRead")))
		units /= 2;
	cJSON *cc = ddb_consumed(body, p->t->name, units);
	if (cc)
		cJSON_AddItemToObject(out, "ConsumedCapacity", cc);
	resp_json(resp, req->service, out);
	return 0;
}

/* Encoded ExclusiveStartKey: table key (and index key).  0 or -1. */
static int start_key(struct request *req, const struct page *p,
		     const cJSON *esk, struct ddb_key *tk, struct ddb_key *ik)
{
	const struct ddb_keydef *kds[4] = {
		&p->t->keys.hash, &p->t->keys.range,
		p->ix ? &p->ix->keys.hash : NULL,
		p->ix ? &p->ix->keys.range : NULL};
	char err[512];
	if (!cJSON_IsObject(esk) || ddb_item_check((cJSON *)esk, err,
						   sizeof(err)))
		return ddb_invalid(req, "The provided starting key is invalid");
	for (int i = 0; i < 4; i++) {
		if (!kds[i] || !kds[i]->name)
			continue;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(esk,
								  kds[i]->name);
		if (ddb_type_of(v) != kds[i]->type)
			return ddb_invalid(req, "The provided starting key is "
					   "invalid: The provided key element "
					   "does not match the schema");
	}
	if (ddb_extract_key(req, &p->t->keys, esk, 0, tk))
		return -1;
	if (p->ix && !ddb_index_key(req->arena, p->ix, esk, ik))
		return ddb_invalid(req, "The provided starting key is invalid");
	return 0;
}

/* ---- Query ---------------------------------------------------------- */

struct bound {
	const unsigned char *lo, *hi;
	size_t lo_len, hi_len;
	int lo_incl, hi_incl, has_lo, has_hi;
};

static int key_value(struct request *req, const struct ddb_node *n,
		     const struct ddb_keydef *kd, const unsigned char **out,
		     size_t *len)
{
	unsigned char *b;
	if (n->type != DN_VALUE || ddb_type_of(n->value) != kd->type)
		return ddb_invalid(req, "One or more parameter values were "
				   "invalid: Condition parameter type does not "
				   "match schema type");
	if (ddb_key_bytes(req->arena, n->value, &b, len))
		return ddb_invalid(req, "Query key condition not supported");
	*out = b;
	return 0;
}

/* The single attribute name a key predicate is about, or NULL. */
static const char *pred_attr(const struct ddb_node *n)
{
	if (n->type != DN_CMP && n->type != DN_BETWEEN && n->type != DN_BEGINS)
		return NULL;
	const struct ddb_node *l = n->kids[0];
	if (l->type != DN_PATH || l->path.n != 1 || !l->path.e[0].name)
		return NULL;
	return l->path.e[0].name;
}

/* Split the key condition into the partition key value and sort-key
 * bounds, with DynamoDB's errors for shapes it refuses. */
static int key_condition(struct request *req, const struct ddb_node *kc,
			 const struct ddb_keys *keys, struct ddb_key *pk,
			 struct bound *b)
{
	const struct ddb_node *preds[2] = {kc, NULL};
	const struct ddb_node *hp = NULL, *rp = NULL;
	memset(b, 0, sizeof(*b));
	if (kc->type == DN_AND) {
		preds[0] = kc->kids[0];
		preds[1] = kc->kids[1];
	}
	for (int i = 0; i < 2 && preds[i]; i++) {
		const char *a = pred_attr(preds[i]);
		if (!a)
			return ddb_invalid(req, "Invalid KeyConditionExpression:"
					   " Query key condition not supported");
		if (!strcmp(a, keys->hash.name) && !hp)
			hp = preds[i];
		else if (keys->range.name && !strcmp(a, keys->range.name) && !rp)
			rp = preds[i];
		else
			return ddb_invalid(req, "Query condition missed key "
					   "schema element: %s",
					   !hp ? keys->hash.name
					       : keys->range.name ? keys->range.name
								  : a);
	}
	if (!hp)
		return ddb_invalid(req, "Query condition missed key schema "
				   "element: %s", keys->hash.name);
	if (hp->type != DN_CMP || hp->cmp != CMP_EQ)
		return ddb_invalid(req, "Query key condition not supported");
	if (key_value(req, hp->kids[1], &keys->hash, &pk->pk, &pk->pk_len))
		return -1;
	if (!rp)
		return 0;
	const unsigned char *v1, *v2;
	size_t l1, l2;
	if (key_value(req, rp->kids[1], &keys->range, &v1, &l1))
		return -1;
	if (rp->type == DN_CMP) {
		switch (rp->cmp) {
		case CMP_EQ:
			b->lo = b->hi = v1;
			b->lo_len = b->hi_len = l1;
			b->has_lo = b->has_hi = b->lo_incl = b->hi_incl = 1;
			break;
		case CMP_LT:
		case CMP_LE:
			b->hi = v1;
			b->hi_len = l1;
			b->has_hi = 1;
			b->hi_incl = rp->cmp == CMP_LE;
			break;
		case CMP_GT:
		case CMP_GE:
			b->lo = v1;
			b->lo_len = l1;
			b->has_lo = 1;
			b->lo_incl = rp->cmp == CMP_GE;
			break;
		default:
			return ddb_invalid(req, "Unsupported operator on "
					   "KeyCondition: <>");
		}
	} else if (rp->type == DN_BETWEEN) {
		if (key_value(req, rp->kids[2], &keys->range, &v2, &l2))
			return -1;
		int c = memcmp(v1, v2, l1 < l2 ? l1 : l2);
		if (c > 0 || (c == 0 && l1 > l2))
			return ddb_invalid(req, "Invalid KeyConditionExpression:"
					   " The BETWEEN operator requires upper"
					   " bound to be greater than or equal "
					   "to lower bound");
		b->lo = v1;
		b->lo_len = l1;
		b->hi = v2;
		b->hi_len = l2;
		b->has_lo = b->has_hi = b->lo_incl = b->hi_incl = 1;
	} else {
		if (keys->range.type == DT_N)
			return ddb_invalid(req, "Invalid KeyConditionExpression:"
					   " Incorrect operand type for operator"
					   " or function; operator or function:"
					   " begins_with, operand type: N");
		b->lo = v1;
		b->lo_len = l1;
		b->has_lo = b->lo_incl = 1;
		/* Upper bound: the prefix with its last non-0xFF byte + 1. */
		unsigned char *hi = arena_alloc(req->arena, l1 + 1);
		size_t n = l1;
		memcpy(hi, v1, l1);
		while (n && hi[n - 1] == 0xFF)
			n--;
		if (n) {
			hi[n - 1]++;
			b->hi = hi;
			b->hi_len = n;
			b->has_hi = 1;
		}
	}
	return 0;
}

int ddb_query(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct page p;
	struct ddb_node *kc = NULL;
	struct ddb_key pk, stk, sik;
	struct bound b;
	if (!body)
		return -1;
	const char *kce = ddb_str(body, "KeyConditionExpression");
	if (!kce && !cJSON_GetObjectItemCaseSensitive(body, "KeyConditions"))
		return ddb_invalid(req, "Either the KeyConditions or "
				   "KeyConditionExpression parameter must be "
				   "specified in the request.");
	if (page_setup(req, body, &p, kce, &kc))
		return -1;
	const struct ddb_keys *keys = p.ix ? &p.ix->keys : &p.t->keys;
	if (key_condition(req, kc, keys, &pk, &b))
		goto fail;
	const cJSON *esk = cJSON_GetObjectItemCaseSensitive(body,
							    "ExclusiveStartKey");
	if (esk && start_key(req, &p, esk, &stk, &sik))
		goto fail;
	int fwd = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
		body, "ScanIndexForward"));
	const char *col = p.ix ? "r.isk" : "i.sk";
	char sql[1024];
	int n = snprintf(sql, sizeof(sql), p.ix
		? "SELECT i.body FROM ddb_index_rows r JOIN ddb_items i ON "
		  "i.tid = r.tid AND i.pk = r.pk AND i.sk = r.sk WHERE "
		  "r.tid = ?1 AND r.iname = ?6 AND r.ipk = ?2"
		: "SELECT i.body FROM ddb_items i WHERE i.tid = ?1 AND "
		  "i.pk = ?2 AND ?6 IS NULL");
	if (b.has_lo)
		n += snprintf(sql + n, sizeof(sql) - (size_t)n, " AND %s %s ?3",
			      col, b.lo_incl ? ">=" : ">");
	if (b.has_hi)
		n += snprintf(sql + n, sizeof(sql) - (size_t)n, " AND %s %s ?4",
			      col, b.hi_incl ? "<=" : "<");
	if (esk)
		n += snprintf(sql + n, sizeof(sql) - (size_t)n, p.ix
			      ? " AND (r.isk, r.pk, r.sk) %s (?5, ?7, ?8)"
			      : " AND i.sk %s ?5 AND ?7 IS NOT NULL",
			      fwd ? ">" : "<");
	snprintf(sql + n, sizeof(sql) - (size_t)n, p.ix
		 ? " ORDER BY r.isk %s, r.pk %s, r.sk %s"
		 : " ORDER BY i.sk %s", fwd ? "ASC" : "DESC",
		 fwd ? "ASC" : "DESC", fwd ? "ASC" : "DESC");
	sqlite3_stmt *st = store_prepare(db_of(req), sql);
	if (!st) {
		req_error(req, 500, "InternalServerError", "Internal server error");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, p.t->id);
	sqlite3_bind_blob(st, 2, pk.pk, (int)pk.pk_len, SQLITE_STATIC);
	if (b.has_lo)
		sqlite3_bind_blob(st, 3, b.lo, (int)b.lo_len, SQLITE_STATIC);
	if (b.has_hi)
		sqlite3_bind_blob(st, 4, b.hi, (int)b.hi_len, SQLITE_STATIC);
	if (esk && p.ix) {
		sqlite3_bind_blob(st, 5, sik.sk, (int)sik.sk_len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 7, stk.pk, (int)stk.pk_len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 8, stk.sk, (int)stk.sk_len, SQLITE_STATIC);
	} else if (esk) {
		sqlite3_bind_blob(st, 5, stk.sk, (int)stk.sk_len, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, 1);
	}
	if (p.ix)
		sqlite3_bind_text(st, 6, p.ix->name, -1, SQLITE_STATIC);
	int rc, r = 0;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = page_row(req, &p, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (r < 0)
		goto fail;
	return page_answer(req, resp, body, &p);
fail:
	cJSON_Delete(p.items);
	cJSON_Delete(p.last);
	return -1;
}

/* ---- Scan ----------------------------------------------------------- */

int ddb_scan(struct request *req, struct response *resp)
{
	cJSON *body = req_json_body(req, DDB_SERIALIZATION);
	struct page p;
	struct ddb_key stk, sik;
	if (!body)
		return -1;
	const cJSON *seg = cJSON_GetObjectItemCaseSensitive(body, "Segment");
	const cJSON *tot = cJSON_GetObjectItemCaseSensitive(body,
							    "TotalSegments");
	if (seg && !tot)
		return ddb_invalid(req, "The TotalSegments parameter is required "
				   "but was not present in the request when "
				   "Segment parameter is present");
	if (tot && !seg)
		return ddb_invalid(req, "The Segment parameter is required but "
				   "was not present in the request when "
				   "parameter TotalSegments is present");
	long segment = 0, total = 1;
	if (seg) {
		segment = (long)seg->valuedouble;
		total = (long)tot->valuedouble;
		if (total < 1 || total > 1000000)
			return ddb_invalid(req, "1 validation error detected: "
					   "Value '%ld' at 'totalSegments' failed"
					   " to satisfy constraint: Member must "
					   "have value %s", total, total < 1
					   ? "greater than or equal to 1"
					   : "less than or equal to 1000000");
		if (segment < 0 || segment >= total)
			return ddb_invalid(req, "The Segment parameter is "
					   "zero-based and must be less than "
					   "parameter TotalSegments: Segment: "
					   "%ld is not less than TotalSegments: "
					   "%ld", segment, total);
	}
	if (page_setup(req, body, &p, NULL, NULL))
		return -1;
	const cJSON *esk = cJSON_GetObjectItemCaseSensitive(body,
							    "ExclusiveStartKey");
	if (esk && start_key(req, &p, esk, &stk, &sik))
		goto fail;
	const char *sql = p.ix
		? (esk ? "SELECT r.pk, i.body FROM ddb_index_rows r JOIN "
			 "ddb_items i ON i.tid = r.tid AND i.pk = r.pk AND "
			 "i.sk = r.sk WHERE r.tid = ?1 AND r.iname = ?2 AND "
			 "(r.ipk, r.isk, r.pk, r.sk) > (?3, ?4, ?5, ?6) "
			 "ORDER BY r.ipk, r.isk, r.pk, r.sk"
		       : "SELECT r.pk, i.body FROM ddb_index_rows r JOIN "
			 "ddb_items i ON i.tid = r.tid AND i.pk = r.pk AND "
			 "i.sk = r.sk WHERE r.tid = ?1 AND r.iname = ?2 "
			 "ORDER BY r.ipk, r.isk, r.pk, r.sk")
		: (esk ? "SELECT pk, body FROM ddb_items WHERE tid = ?1 AND "
			 "(pk, sk) > (?5, ?6) ORDER BY pk, sk"
		       : "SELECT pk, body FROM ddb_items WHERE tid = ?1 "
			 "ORDER BY pk, sk");
	sqlite3_stmt *st = store_prepare(db_of(req), sql);
	if (!st) {
		req_error(req, 500, "InternalServerError", "Internal server error");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, p.t->id);
	if (p.ix)
		sqlite3_bind_text(st, 2, p.ix->name, -1, SQLITE_STATIC);
	if (esk && p.ix) {
		sqlite3_bind_blob(st, 3, sik.pk, (int)sik.pk_len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, sik.sk, (int)sik.sk_len, SQLITE_STATIC);
	}
	if (esk) {
		sqlite3_bind_blob(st, 5, stk.pk, (int)stk.pk_len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 6, stk.sk, (int)stk.sk_len, SQLITE_STATIC);
	}
	int rc, r = 0;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (total > 1) {
			uint32_t h = hash_crc32(0, sqlite3_column_blob(st, 0),
						(size_t)sqlite3_column_bytes(st, 0));
			if ((long)(h % (uint32_t)total) != segment)
				continue;
		}
		r = page_row(req, &p, (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (r < 0)
		goto fail;
	return page_answer(req, resp, body, &p);
fail:
	cJSON_Delete(p.items);
	cJSON_Delete(p.last);
	return -1;
}
