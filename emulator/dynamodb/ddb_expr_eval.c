/*
 * ddb_expr_eval.c - running parsed expressions against items:
 * conditions (ConditionExpression, FilterExpression), updates
 * (UpdateExpression: SET with + - if_not_exists list_append, REMOVE
 * with list indexes, ADD to numbers and sets, DELETE from sets) and
 * projections (ProjectionExpression, UPDATED_OLD/UPDATED_NEW).
 *
 * DynamoDB's rules followed here: a comparison with a missing attribute
 * is false (<> is true when exactly one side is missing); ordering
 * comparisons of values of different types are false, not errors; every
 * operand of an update reads the item as it was before the update;
 * REMOVE of list elements uses the indexes of the original list.
 * Computed values (sizes, sums) are cJSON trees freed with the arena.
 */
#include "ddb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void delete_json(void *p)
{
	cJSON_Delete(p);
}

/* Keep a computed value alive until the arena goes. */
static cJSON *keep(struct ddb_expr_ctx *c, cJSON *v)
{
	arena_defer(c->arena, delete_json, v);
	return v;
}

static int err(struct ddb_expr_ctx *c, const char *kind, const char *msg)
{
	snprintf(c->err, sizeof(c->err), "Invalid %s: %s", kind, msg);
	return -1;
}

const cJSON *ddb_path_get(const cJSON *item, const struct ddb_path *p)
{
	if (!item || !p->n || !p->e[0].name)
		return NULL;
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(item, p->e[0].name);
	for (size_t i = 1; av && i < p->n; i++) {
		enum ddb_type t = ddb_type_of(av);
		if (p->e[i].name) {
			av = t == DT_M ? cJSON_GetObjectItemCaseSensitive(
						 av->child, p->e[i].name)
				       : NULL;
		} else {
			av = t == DT_L ? cJSON_GetArrayItem(av->child,
							    (int)p->e[i].index)
				       : NULL;
		}
	}
	return av;
}

/* ---- conditions ------------------------------------------------- */

static const cJSON *operand(struct ddb_expr_ctx *c, const struct ddb_node *n,
			    const cJSON *item)
{
	if (n->type == DN_VALUE)
		return n->value;
	if (n->type == DN_PATH)
		return ddb_path_get(item, &n->path);
	if (n->type != DN_SIZE)
		return NULL;
	const cJSON *v = ddb_path_get(item, &n->kids[0]->path);
	long size;
	switch (ddb_type_of(v)) {
	case DT_S:
		size = (long)strlen(v->child->valuestring);
		break;
	case DT_B: {
		unsigned char *bytes;
		size_t len;
		if (ddb_b64_bytes(c->arena, v->child->valuestring, &bytes,
				  &len))
			return NULL;
		size = (long)len;
		break;
	}
	case DT_SS:
	case DT_NS:
	case DT_BS:
	case DT_L:
	case DT_M:
		size = cJSON_GetArraySize(v->child);
		break;
	default:
		return NULL;
	}
	char text[32];
	struct ddb_num num;
	snprintf(text, sizeof(text), "%ld", size);
	ddb_num_parse(text, &num);
	return keep(c, ddb_value_new_num(&num));
}

static int compare(enum ddb_cmp op, const cJSON *a, const cJSON *b)
{
	int ok;
	if (!a || !b)
		return op == CMP_NE && (a || b);
	if (op == CMP_EQ)
		return ddb_value_equal(a, b);
	if (op == CMP_NE)
		return !ddb_value_equal(a, b);
	int r = ddb_value_cmp(a, b, &ok);
	if (!ok)
		return 0;
	switch (op) {
	case CMP_LT: return r < 0;
	case CMP_LE: return r <= 0;
	case CMP_GT: return r > 0;
	case CMP_GE: return r >= 0;
	default: return 0;
	}
}

static int begins_with(struct ddb_expr_ctx *c, const cJSON *a,
		       const cJSON *b)
{
	enum ddb_type ta = ddb_type_of(a), tb = ddb_type_of(b);
	if (!a || !b || ta != tb)
		return 0;
	if (ta == DT_S)
		return strncmp(a->child->valuestring, b->child->valuestring,
			       strlen(b->child->valuestring)) == 0;
	if (ta == DT_B) {
		unsigned char *x, *y;
		size_t lx, ly;
		if (ddb_b64_bytes(c->arena, a->child->valuestring, &x, &lx) ||
		    ddb_b64_bytes(c->arena, b->child->valuestring, &y, &ly))
			return 0;
		return ly <= lx && memcmp(x, y, ly) == 0;
	}
	return 0;
}

static int contains(const cJSON *a, const cJSON *b)
{
	enum ddb_type ta = ddb_type_of(a), tb = ddb_type_of(b);
	if (!a || !b)
		return 0;
	if (ta == DT_S && tb == DT_S)
		return strstr(a->child->valuestring,
			      b->child->valuestring) != NULL;
	if ((ta == DT_SS && tb == DT_S) || (ta == DT_NS && tb == DT_N) ||
	    (ta == DT_BS && tb == DT_B)) {
		for (const cJSON *e = a->child->child; e; e = e->next) {
			cJSON tmp_av, tmp_v;
			memset(&tmp_av, 0, sizeof(tmp_av));
			tmp_v = *e;
			tmp_v.next = tmp_v.prev = NULL;
			tmp_v.string = (char *)ddb_type_name(tb);
			tmp_av.type = cJSON_Object;
			tmp_av.child = &tmp_v;
			if (ddb_value_equal(&tmp_av, b))
				return 1;
		}
		return 0;
	}
	if (ta == DT_L) {
		for (const cJSON *e = a->child->child; e; e = e->next)
			if (ddb_value_equal(e, b))
				return 1;
	}
	return 0;
}

int ddb_eval_condition(struct ddb_expr_ctx *c, const struct ddb_node *n,
		       const cJSON *item)
{
	int r;
	switch (n->type) {
	case DN_AND:
		r = ddb_eval_condition(c, n->kids[0], item);
		return r <= 0 ? r : ddb_eval_condition(c, n->kids[1], item);
	case DN_OR:
		r = ddb_eval_condition(c, n->kids[0], item);
		return r != 0 ? r : ddb_eval_condition(c, n->kids[1], item);
	case DN_NOT:
		r = ddb_eval_condition(c, n->kids[0], item);
		return r < 0 ? r : !r;
	case DN_CMP:
		return compare(n->cmp, operand(c, n->kids[0], item),
			       operand(c, n->kids[1], item));
	case DN_BETWEEN: {
		const cJSON *a = operand(c, n->kids[0], item);
		const cJSON *lo = operand(c, n->kids[1], item);
		const cJSON *hi = operand(c, n->kids[2], item);
		return compare(CMP_GE, a, lo) && compare(CMP_LE, a, hi);
	}
	case DN_IN: {
		const cJSON *a = operand(c, n->kids[0], item);
		for (size_t i = 1; a && i < n->n_kids; i++)
			if (ddb_value_equal(a, operand(c, n->kids[i], item)))
				return 1;
		return 0;
	}
	case DN_EXISTS:
		return ddb_path_get(item, &n->kids[0]->path) != NULL;
	case DN_NOT_EXISTS:
		return ddb_path_get(item, &n->kids[0]->path) == NULL;
	case DN_TYPE: {
		const cJSON *t = operand(c, n->kids[1], item);
		enum ddb_type want = DT_BAD;
		if (ddb_type_of(t) == DT_S)
			want = ddb_type_parse(t->child->valuestring);
		if (want == DT_BAD) {
			snprintf(c->err, sizeof(c->err), "Invalid "
				 "ConditionExpression: Invalid attribute type "
				 "name found; type: %s, valid types: { B,NULL,"
				 "SS,BOOL,L,BS,N,NS,S,M }",
				 ddb_type_of(t) == DT_S ? t->child->valuestring
							: "");
			return -1;
		}
		return ddb_type_of(ddb_path_get(item, &n->kids[0]->path)) ==
		       want;
	}
	case DN_BEGINS:
		return begins_with(c, operand(c, n->kids[0], item),
				   operand(c, n->kids[1], item));
	case DN_CONTAINS:
		return contains(operand(c, n->kids[0], item),
				operand(c, n->kids[1], item));
	default:
		break;
	}
	return err(c, "ConditionExpression", "unexpected operand");
}

/* ---- updates ---------------------------------------------------- */

static const char *long_type(enum ddb_type t)
{
	switch (t) {
	case DT_S: return "STRING";
	case DT_N: return "NUMBER";
	case DT_B: return "BINARY";
	case DT_BOOL: return "BOOLEAN";
	case DT_NULL: return "NULL";
	case DT_M: return "MAP";
	case DT_L: return "LIST";
	case DT_SS: return "STRING SET";
	case DT_NS: return "NUMBER SET";
	case DT_BS: return "BINARY SET";
	default: return "UNKNOWN";
	}
}

static int arith(struct ddb_expr_ctx *c, int minus, const cJSON *a,
		 const cJSON *b, const cJSON **out)
{
	struct ddb_num x, y, r;
	if (ddb_type_of(a) != DT_N || ddb_type_of(b) != DT_N ||
	    ddb_value_num(a, &x) || ddb_value_num(b, &y))
		return err(c, "UpdateExpression", "An operand in the update "
			   "expression has an incorrect data type");
	enum ddb_num_status st = minus ? ddb_num_sub(&x, &y, &r)
				       : ddb_num_add(&x, &y, &r);
	if (st != DDB_NUM_OK) {
		snprintf(c->err, sizeof(c->err), "%s", ddb_num_message(st));
		return -1;
	}
	*out = keep(c, ddb_value_new_num(&r));
	return 0;
}

/* Value of a SET operand, read from the old item. */
static int set_value(struct ddb_expr_ctx *c, const struct ddb_node *n,
		     const cJSON *old, const cJSON **out)
{
	const cJSON *a, *b;
	switch (n->type) {
	case DN_VALUE:
		*out = n->value;
		return 0;
	case DN_PATH:
		*out = ddb_path_get(old, &n->path);
		if (!*out)
			return err(c, "UpdateExpression", "The provided "
				   "expression refers to an attribute that "
				   "does not exist in the item");
		return 0;
	case DN_IF_NOT_EXISTS:
		*out = ddb_path_get(old, &n->kids[0]->path);
		return *out ? 0 : set_value(c, n->kids[1], old, out);
	case DN_LIST_APPEND:
		if (set_value(c, n->kids[0], old, &a) ||
		    set_value(c, n->kids[1], old, &b))
			return -1;
		for (int i = 0; i < 2; i++) {
			const cJSON *v = i ? b : a;
			if (ddb_type_of(v) != DT_L) {
				char msg[200];
				snprintf(msg, sizeof(msg), "Incorrect operand "
					 "type for operator or function; "
					 "operator or function: list_append, "
					 "operand type: %s",
					 ddb_type_name(ddb_type_of(v)));
				return err(c, "UpdateExpression", msg);
			}
		}
		cJSON *r = cJSON_Duplicate(a, 1);
		cJSON *list = r->child;
		for (const cJSON *e = b->child->child; e; e = e->next)
			cJSON_AddItemToArray(list, cJSON_Duplicate(e, 1));
		*out = keep(c, r);
		return 0;
	case DN_PLUS:
	case DN_MINUS:
		if (set_value(c, n->kids[0], old, &a) ||
		    set_value(c, n->kids[1], old, &b))
			return -1;
		return arith(c, n->type == DN_MINUS, a, b, out);
	default:
		break;
	}
	return err(c, "UpdateExpression", "unexpected operand");
}

/* The container (map object or list array) holding the last element of
 * p in item, or NULL when the parent path does not exist/has the wrong
 * type. */
static cJSON *parent_of(cJSON *item, const struct ddb_path *p)
{
	if (p->n == 1)
		return item;
	struct ddb_path up = {p->e, p->n - 1};
	cJSON *av = (cJSON *)ddb_path_get(item, &up);
	enum ddb_type t = ddb_type_of(av);
	if (p->e[p->n - 1].name ? t != DT_M : t != DT_L)
		return NULL;
	return av->child;
}

static int invalid_path(struct ddb_expr_ctx *c)
{
	snprintf(c->err, sizeof(c->err), "The document path provided in the "
		 "update expression is invalid for update");
	return -1;
}

static int set_path(struct ddb_expr_ctx *c, cJSON *item,
		    const struct ddb_path *p, const cJSON *value)
{
	cJSON *parent = parent_of(item, p);
	const struct ddb_path_elem *last = &p->e[p->n - 1];
	cJSON *copy = cJSON_Duplicate(value, 1);
	if (!parent) {
		cJSON_Delete(copy);
		return invalid_path(c);
	}
	if (last->name) {
		if (cJSON_GetObjectItemCaseSensitive(parent, last->name))
			cJSON_ReplaceItemInObjectCaseSensitive(parent,
							       last->name,
							       copy);
		else
			cJSON_AddItemToObject(parent, last->name, copy);
	} else if (last->index < cJSON_GetArraySize(parent)) {
		cJSON_ReplaceItemInArray(parent, (int)last->index, copy);
	} else {
		cJSON_AddItemToArray(parent, copy);
	}
	return 0;
}

/* REMOVE: map members go at once; list elements become Raw markers that
 * sweep_removed() deletes afterwards, so indexes stay the original. */
static int remove_path(struct ddb_expr_ctx *c, cJSON *item,
		       const struct ddb_path *p)
{
	cJSON *parent = parent_of(item, p);
	const struct ddb_path_elem *last = &p->e[p->n - 1];
	if (!parent) {
		struct ddb_path up = {p->e, p->n - 1};
		return ddb_path_get(item, &up) ? invalid_path(c) : 0;
	}
	if (last->name)
		cJSON_DeleteItemFromObjectCaseSensitive(parent, last->name);
	else if (last->index < cJSON_GetArraySize(parent))
		cJSON_ReplaceItemInArray(parent, (int)last->index,
					 cJSON_CreateRaw(""));
	return 0;
}

static void sweep_removed(cJSON *node)
{
	cJSON *e = node ? node->child : NULL;
	while (e) {
		cJSON *next = e->next;
		if (cJSON_IsRaw(e))
			cJSON_Delete(cJSON_DetachItemViaPointer(node, e));
		else
			sweep_removed(e);
		e = next;
	}
}

static int set_type(enum ddb_type t)
{
	return t == DT_SS || t == DT_NS || t == DT_BS;
}

/* Are two set elements (strings of set type t) the same member? */
static int same_member(const cJSON *x, const cJSON *y, enum ddb_type t)
{
	if (t == DT_NS) {
		struct ddb_num a, b;
		return !ddb_num_parse(x->valuestring, &a) &&
		       !ddb_num_parse(y->valuestring, &b) && !ddb_num_cmp(&a, &b);
	}
	return strcmp(x->valuestring, y->valuestring) == 0;
}

/* The member of set array equal to s, or NULL. */
static cJSON *set_find(const cJSON *arr, const cJSON *s, enum ddb_type t)
{
	for (cJSON *e = arr->child; e; e = e->next)
		if (same_member(e, s, t))
			return e;
	return NULL;
}

static int add_or_delete(struct ddb_expr_ctx *c, cJSON *item,
			 const struct ddb_update_action *a, const cJSON *v)
{
	int del = a->op == UPD_DELETE;
	enum ddb_type tv = ddb_type_of(v);
	char msg[200];
	if (del ? !set_type(tv) : (tv != DT_N && !set_type(tv))) {
		snprintf(msg, sizeof(msg), "Incorrect operand type for operator "
			 "or function; operator: %s, operand type: %s",
			 del ? "DELETE" : "ADD", long_type(tv));
		return err(c, "UpdateExpression", msg);
	}
	cJSON *cur = (cJSON *)ddb_path_get(item, &a->path);
	if (!cur)
		return del ? 0 : set_path(c, item, &a->path, v);
	if (ddb_type_of(cur) != tv)
		return err(c, "UpdateExpression", "An operand in the update "
			   "expression has an incorrect data type");
	if (tv == DT_N) {
		const cJSON *sum;
		if (arith(c, 0, cur, v, &sum))
			return -1;
		return set_path(c, item, &a->path, sum);
	}
	cJSON *arr = cur->child;
	for (const cJSON *e = v->child->child; e; e = e->next) {
		cJSON *has = set_find(arr, e, tv);
		if (!del && !has)
			cJSON_AddItemToArray(arr, cJSON_Duplicate(e, 0));
		else if (del && has)
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, has));
	}
	if (!arr->child) {
		struct ddb_path_elem *last = &a->path.e[a->path.n - 1];
		cJSON *parent = parent_of(item, &a->path);
		if (last->name)
			cJSON_DeleteItemFromObjectCaseSensitive(parent,
								last->name);
		else
			cJSON_ReplaceItemInArray(parent, (int)last->index,
						 cJSON_CreateRaw(""));
	}
	return 0;
}

int ddb_apply_update(struct ddb_expr_ctx *c, const struct ddb_update *u,
		     const cJSON *old, cJSON *item)
{
	const cJSON **vals = arena_calloc(c->arena, (u->n + 1) * sizeof(*vals));
	for (size_t i = 0; i < u->n; i++) {
		const struct ddb_update_action *a = &u->a[i];
		if (a->op == UPD_SET && set_value(c, a->value, old, &vals[i]))
			return -1;
		if (a->op == UPD_ADD || a->op == UPD_DELETE)
			vals[i] = a->value->value;
	}
	for (size_t i = 0; i < u->n; i++) {
		const struct ddb_update_action *a = &u->a[i];
		int rc = 0;
		switch (a->op) {
		case UPD_SET:
			rc = set_path(c, item, &a->path, vals[i]);
			break;
		case UPD_REMOVE:
			rc = remove_path(c, item, &a->path);
			break;
		case UPD_ADD:
		case UPD_DELETE:
			rc = add_or_delete(c, item, a, vals[i]);
			break;
		}
		if (rc)
			return -1;
	}
	sweep_removed(item);
	return 0;
}

/* ---- projection ------------------------------------------------- */

/* Lists being built are keyed by zero-padded index in an object, so
 * several paths into one list element meet; fix_lists() turns them back
 * into arrays in index order. */
static void fix_lists(cJSON *obj)
{
	for (cJSON *e = obj ? obj->child : NULL; e; e = e->next) {
		if (!cJSON_IsObject(e))
			continue;
		cJSON *v = e->child;
		if (v && v->string && strcmp(v->string, "L") == 0 &&
		    cJSON_IsObject(v)) {
			cJSON *arr = cJSON_CreateArray();
			/* Keys were inserted unsorted: pick the smallest. */
			while (v->child) {
				cJSON *min = v->child;
				for (cJSON *x = min->next; x; x = x->next)
					if (strcmp(x->string, min->string) < 0)
						min = x;
				cJSON_AddItemToArray(
					arr, cJSON_DetachItemViaPointer(v, min));
			}
			cJSON_ReplaceItemInObjectCaseSensitive(e, "L", arr);
			v = arr;
		}
		if (v && cJSON_IsObject(v) && v->string &&
		    strcmp(v->string, "M") == 0)
			fix_lists(v);
		else if (v && cJSON_IsArray(v))
			fix_lists(v);
	}
}

static void put_path(cJSON *dst, const struct ddb_path *p, size_t i,
		     const cJSON *value)
{
	const struct ddb_path_elem *e = &p->e[i];
	char key[24];
	const char *name = e->name;
	if (!name) {
		snprintf(key, sizeof(key), "%012ld", e->index);
		name = key;
	}
	if (i == p->n - 1) {
		if (!cJSON_GetObjectItemCaseSensitive(dst, name))
			cJSON_AddItemToObject(dst, name,
					      cJSON_Duplicate(value, 1));
		return;
	}
	const char *ctype = p->e[i + 1].name ? "M" : "L";
	cJSON *av = cJSON_GetObjectItemCaseSensitive(dst, name);
	if (!av) {
		av = cJSON_AddObjectToObject(dst, name);
		cJSON_AddObjectToObject(av, ctype);
	}
	put_path(av->child, p, i + 1, value);
}

cJSON *ddb_project(const struct ddb_projection *p, const cJSON *item)
{
	cJSON *out = cJSON_CreateObject();
	for (size_t i = 0; i < p->n; i++) {
		const cJSON *v = ddb_path_get(item, &p->paths[i]);
		if (v)
			put_path(out, &p->paths[i], 0, v);
	}
	fix_lists(out);
	return out;
}
