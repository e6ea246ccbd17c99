/*
 * ddb_value.c - DynamoDB AttributeValues as cJSON trees ({"S": "x"}):
 * validation with DynamoDB's messages (numbers canonicalised in place),
 * item size as DynamoDB counts it, equality, ordering of S/N/B, and the
 * key bytes an item is stored under (S: UTF-8 bytes, B: raw bytes,
 * N: ddb_num_key), whose memcmp order is DynamoDB's sort order.
 */
#include "ddb.h"
#include "hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

static const char *const type_names[] = {
	[DT_BAD] = "", [DT_S] = "S", [DT_N] = "N", [DT_B] = "B",
	[DT_BOOL] = "BOOL", [DT_NULL] = "NULL", [DT_M] = "M", [DT_L] = "L",
	[DT_SS] = "SS", [DT_NS] = "NS", [DT_BS] = "BS",
};

enum ddb_type ddb_type_parse(const char *name)
{
	for (int t = DT_S; t <= DT_BS; t++)
		if (strcmp(type_names[t], name) == 0)
			return (enum ddb_type)t;
	return DT_BAD;
}

const char *ddb_type_name(enum ddb_type t)
{
	return type_names[t];
}

enum ddb_type ddb_type_of(const cJSON *av)
{
	if (!cJSON_IsObject(av) || !av->child || av->child->next ||
	    !av->child->string)
		return DT_BAD;
	return ddb_type_parse(av->child->string);
}

int ddb_value_num(const cJSON *av, struct ddb_num *out)
{
	const cJSON *v = av->child;
	if (!v || !cJSON_IsString(v))
		return -1;
	return ddb_num_parse(v->valuestring, out) == DDB_NUM_OK ? 0 : -1;
}

cJSON *ddb_value_new_num(const struct ddb_num *n)
{
	char text[DDB_NUM_TEXT_MAX];
	ddb_num_format(n, text);
	cJSON *av = cJSON_CreateObject();
	cJSON_AddStringToObject(av, "N", text);
	return av;
}

/* Canonicalise the number in string s (a cJSON string) in place. */
static int check_number(cJSON *s, char *err, size_t errlen)
{
	struct ddb_num n;
	char text[DDB_NUM_TEXT_MAX];
	if (!cJSON_IsString(s) || !*s->valuestring) {
		snprintf(err, errlen, "%s",
			 ddb_num_message(DDB_NUM_EINVAL));
		return -1;
	}
	enum ddb_num_status st = ddb_num_parse(s->valuestring, &n);
	if (st == DDB_NUM_EINVAL) {
		snprintf(err, errlen, "%s: %s", ddb_num_message(st),
			 s->valuestring);
		return -1;
	}
	if (st != DDB_NUM_OK) {
		snprintf(err, errlen, "%s", ddb_num_message(st));
		return -1;
	}
	ddb_num_format(&n, text);
	if (strcmp(text, s->valuestring) != 0)
		cJSON_SetValuestring(s, text);
	return 0;
}

static int check_b64(const cJSON *s, char *err, size_t errlen)
{
	if (!cJSON_IsString(s)) {
		snprintf(err, errlen, "Invalid base64 for a Binary value");
		return -1;
	}
	size_t len = strlen(s->valuestring), out_len;
	unsigned char *tmp = malloc(len / 4 * 3 + 3);
	int rc = hash_base64_decode(s->valuestring, len, tmp,
				    len / 4 * 3 + 3, &out_len);
	free(tmp);
	if (rc) {
		snprintf(err, errlen, "'%.60s' can not be converted to a Blob",
			 s->valuestring);
		return -1;
	}
	return 0;
}

/* Set elements: strings, non-empty list, no duplicates. */
static int check_set(cJSON *arr, enum ddb_type t, char *err, size_t errlen)
{
	static const char *empty[] = {
		[DT_SS] = "One or more parameter values were invalid: An "
			  "string set  may not be empty",
		[DT_NS] = "One or more parameter values were invalid: An "
			  "number set  may not be empty",
		[DT_BS] = "One or more parameter values were invalid: Binary "
			  "sets should not be empty",
	};
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "Supplied AttributeValue is empty, must "
			 "contain exactly one of the supported datatypes");
		return -1;
	}
	if (!arr->child) {
		snprintf(err, errlen, "%s", empty[t]);
		return -1;
	}
	for (cJSON *e = arr->child; e; e = e->next) {
		if (!cJSON_IsString(e)) {
			snprintf(err, errlen, "Supplied AttributeValue is "
				 "empty, must contain exactly one of the "
				 "supported datatypes");
			return -1;
		}
		if (t == DT_NS && check_number(e, err, errlen))
			return -1;
		if (t == DT_BS && check_b64(e, err, errlen))
			return -1;
	}
	for (cJSON *e = arr->child; e; e = e->next)
		for (cJSON *f = e->next; f; f = f->next)
			if (strcmp(e->valuestring, f->valuestring) == 0) {
				if (t == DT_NS)
					snprintf(err, errlen, "Input "
						 "collection contains "
						 "duplicates");
				else
					snprintf(err, errlen, "One or more "
						 "parameter values were "
						 "invalid: Input collection "
						 "contains duplicates.");
				return -1;
			}
	return 0;
}

static int check_value(cJSON *av, int depth, char *err, size_t errlen)
{
	if (depth > MAX_DEPTH) {
		snprintf(err, errlen, "Nesting Levels have exceeded supported "
			 "limits");
		return -1;
	}
	if (!cJSON_IsObject(av) || !av->child) {
		snprintf(err, errlen, "Supplied AttributeValue is empty, must "
			 "contain exactly one of the supported datatypes");
		return -1;
	}
	if (av->child->next) {
		snprintf(err, errlen, "Supplied AttributeValue has more than "
			 "one datatypes set, must contain exactly one of the "
			 "supported datatypes");
		return -1;
	}
	cJSON *v = av->child;
	enum ddb_type t = ddb_type_parse(v->string);
	switch (t) {
	case DT_S:
		if (cJSON_IsString(v))
			return 0;
		break;
	case DT_N:
		return check_number(v, err, errlen);
	case DT_B:
		return check_b64(v, err, errlen);
	case DT_BOOL:
		if (cJSON_IsBool(v))
			return 0;
		break;
	case DT_NULL:
		if (cJSON_IsTrue(v))
			return 0;
		snprintf(err, errlen, "One or more parameter values were "
			 "invalid: Null attribute value types must have the "
			 "value of true");
		return -1;
	case DT_SS:
	case DT_NS:
	case DT_BS:
		return check_set(v, t, err, errlen);
	case DT_M:
		if (!cJSON_IsObject(v))
			break;
		for (cJSON *e = v->child; e; e = e->next)
			if (check_value(e, depth + 1, err, errlen))
				return -1;
		return 0;
	case DT_L:
		if (!cJSON_IsArray(v))
			break;
		for (cJSON *e = v->child; e; e = e->next)
			if (check_value(e, depth + 1, err, errlen))
				return -1;
		return 0;
	case DT_BAD:
		break;
	}
	snprintf(err, errlen, "Supplied AttributeValue is empty, must contain "
		 "exactly one of the supported datatypes");
	return -1;
}

int ddb_value_check(cJSON *av, char *err, size_t errlen)
{
	return check_value(av, 0, err, errlen);
}

int ddb_item_check(cJSON *item, char *err, size_t errlen)
{
	if (!cJSON_IsObject(item)) {
		snprintf(err, errlen, "Supplied AttributeValue is empty, must "
			 "contain exactly one of the supported datatypes");
		return -1;
	}
	for (cJSON *a = item->child; a; a = a->next)
		if (check_value(a, 1, err, errlen))
			return -1;
	return 0;
}

static size_t b64_len(const char *s)
{
	size_t n = strlen(s);
	size_t out = n / 4 * 3;
	if (n >= 1 && s[n - 1] == '=')
		out--;
	if (n >= 2 && s[n - 2] == '=')
		out--;
	return out;
}

static size_t num_size(const char *text)
{
	struct ddb_num n;
	if (ddb_num_parse(text, &n) != DDB_NUM_OK || !n.sign)
		return 1;
	int nd = ddb_num_digits(&n);
	return (size_t)(nd + 1) / 2 + 1 + (n.sign < 0 ? 1 : 0);
}

size_t ddb_value_size(const cJSON *av)
{
	const cJSON *v = av ? av->child : NULL;
	size_t size = 0;
	if (!v)
		return 0;
	switch (ddb_type_parse(v->string)) {
	case DT_S:
		return strlen(v->valuestring);
	case DT_N:
		return num_size(v->valuestring);
	case DT_B:
		return b64_len(v->valuestring);
	case DT_BOOL:
	case DT_NULL:
		return 1;
	case DT_SS:
		for (const cJSON *e = v->child; e; e = e->next)
			size += strlen(e->valuestring);
		return size;
	case DT_NS:
		for (const cJSON *e = v->child; e; e = e->next)
			size += num_size(e->valuestring);
		return size;
	case DT_BS:
		for (const cJSON *e = v->child; e; e = e->next)
			size += b64_len(e->valuestring);
		return size;
	case DT_M:
		size = 3;
		for (const cJSON *e = v->child; e; e = e->next)
			size += strlen(e->string) + ddb_value_size(e) + 1;
		return size;
	case DT_L:
		size = 3;
		for (const cJSON *e = v->child; e; e = e->next)
			size += ddb_value_size(e) + 1;
		return size;
	case DT_BAD:
		break;
	}
	return 0;
}

size_t ddb_item_size(const cJSON *item)
{
	size_t size = 0;
	for (const cJSON *a = item ? item->child : NULL; a; a = a->next)
		size += strlen(a->string) + ddb_value_size(a);
	return size;
}

int ddb_b64_bytes(struct arena *a, const char *text, unsigned char **out,
		  size_t *len)
{
	size_t n = strlen(text);
	*out = arena_alloc(a, n / 4 * 3 + 3);
	return hash_base64_decode(text, n, *out, n / 4 * 3 + 3, len);
}

/* memcmp order of two base64 texts' bytes. */
static int cmp_b64(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), na, nb;
	unsigned char *ba = malloc(la / 4 * 3 + 3), *bb = malloc(lb / 4 * 3 + 3);
	int c = 0;
	if (hash_base64_decode(a, la, ba, la / 4 * 3 + 3, &na) ||
	    hash_base64_decode(b, lb, bb, lb / 4 * 3 + 3, &nb)) {
		c = strcmp(a, b);
	} else {
		c = memcmp(ba, bb, na < nb ? na : nb);
		if (!c)
			c = na < nb ? -1 : na > nb;
	}
	free(ba);
	free(bb);
	return c;
}

static int num_text_cmp(const char *a, const char *b)
{
	struct ddb_num na, nb;
	if (ddb_num_parse(a, &na) || ddb_num_parse(b, &nb))
		return strcmp(a, b);
	return ddb_num_cmp(&na, &nb);
}

int ddb_value_cmp(const cJSON *a, const cJSON *b, int *ok)
{
	enum ddb_type ta = ddb_type_of(a), tb = ddb_type_of(b);
	*ok = 0;
	if (ta != tb || (ta != DT_S && ta != DT_N && ta != DT_B))
		return 0;
	*ok = 1;
	const char *x = a->child->valuestring, *y = b->child->valuestring;
	if (ta == DT_S)
		return strcmp(x, y);
	if (ta == DT_N)
		return num_text_cmp(x, y);
	return cmp_b64(x, y);
}

/* Is string e (of set type t) in set array s? */
static int set_has(const cJSON *s, const char *e, enum ddb_type t)
{
	for (const cJSON *x = s->child; x; x = x->next) {
		if (t == DT_NS ? num_text_cmp(x->valuestring, e) == 0
			       : strcmp(x->valuestring, e) == 0)
			return 1;
	}
	return 0;
}

int ddb_value_equal(const cJSON *a, const cJSON *b)
{
	enum ddb_type ta = ddb_type_of(a), tb = ddb_type_of(b);
	if (ta != tb || ta == DT_BAD)
		return 0;
	const cJSON *x = a->child, *y = b->child;
	switch (ta) {
	case DT_S:
	case DT_B:
		return strcmp(x->valuestring, y->valuestring) == 0;
	case DT_N:
		return num_text_cmp(x->valuestring, y->valuestring) == 0;
	case DT_BOOL:
		return cJSON_IsTrue(x) == cJSON_IsTrue(y);
	case DT_NULL:
		return 1;
	case DT_SS:
	case DT_NS:
	case DT_BS:
		if (cJSON_GetArraySize(x) != cJSON_GetArraySize(y))
			return 0;
		for (const cJSON *e = x->child; e; e = e->next)
			if (!set_has(y, e->valuestring, ta))
				return 0;
		return 1;
	case DT_M:
		if (cJSON_GetArraySize(x) != cJSON_GetArraySize(y))
			return 0;
		for (const cJSON *e = x->child; e; e = e->next) {
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(
				y, e->string);
			if (!f || !ddb_value_equal(e, f))
				return 0;
		}
		return 1;
	case DT_L: {
		const cJSON *e = x->child, *f = y->child;
		for (; e && f; e = e->next, f = f->next)
			if (!ddb_value_equal(e, f))
				return 0;
		return !e && !f;
	}
	case DT_BAD:
		break;
	}
	return 0;
}

int ddb_key_bytes(struct arena *a, const cJSON *av, unsigned char **out,
		  size_t *len)
{
	enum ddb_type t = ddb_type_of(av);
	const char *text = t == DT_BAD ? NULL : av->child->valuestring;
	if (!text)
		return -1;
	if (t == DT_S) {
		*len = strlen(text);
		*out = (unsigned char *)arena_strdup(a, text);
		return 0;
	}
	if (t == DT_N) {
		struct ddb_num n;
		if (ddb_num_parse(text, &n) != DDB_NUM_OK)
			return -1;
		*out = arena_alloc(a, DDB_NUM_KEY_MAX);
		*len = ddb_num_key(&n, *out);
		return 0;
	}
	if (t == DT_B)
		return ddb_b64_bytes(a, text, out, len);
	return -1;
}
