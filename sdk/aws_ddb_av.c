/*
 * aws_ddb_av.c - the AttributeValue builder and readers of aws_ddb.h,
 * and the conversion of DynamoDB JSON to plain JSON.
 */
#include "aws_ddb.h"
#include "hash.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {"<type>": value}, taking value. */
static cJSON *typed(const char *type, cJSON *value)
{
	cJSON *av = cJSON_CreateObject();
	cJSON_AddItemToObject(av, type, value);
	return av;
}

cJSON *aws_ddb_s(const char *s)
{
	return typed("S", cJSON_CreateString(s ? s : ""));
}

/* Is text a number DynamoDB accepts (optional sign, digits, '.', exponent)? */
static int number_literal(const char *t)
{
	const char *p = t;
	int digits = 0;
	if (*p == '-' || *p == '+')
		p++;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

cJSON *aws_ddb_n(const char *text)
{
	if (!text || !number_literal(text))
		return NULL;
	return typed("N", cJSON_CreateString(text));
}

cJSON *aws_ddb_n_int(long long v)
{
	char s[32];
	snprintf(s, sizeof(s), "%lld", v);
	return typed("N", cJSON_CreateString(s));
}

cJSON *aws_ddb_n_double(double v)
{
	char s[40];
	if (!isfinite(v))
		return NULL;
	snprintf(s, sizeof(s), "%.17g", v);
	return typed("N", cJSON_CreateString(s));
}

cJSON *aws_ddb_bool(int v)
{
	return typed("BOOL", cJSON_CreateBool(v != 0));
}

cJSON *aws_ddb_null(void)
{
	return typed("NULL", cJSON_CreateTrue());
}

cJSON *aws_ddb_b(const void *data, size_t len)
{
	char *b64 = xmalloc(HASH_BASE64_LEN(len) + 1);
	hash_base64_encode(data, len, b64);
	cJSON *av = typed("B", cJSON_CreateString(b64));
	free(b64);
	return av;
}

cJSON *aws_ddb_ss(const char *const *v, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
	return typed("SS", arr);
}

cJSON *aws_ddb_m(void)
{
	return typed("M", cJSON_CreateObject());
}

cJSON *aws_ddb_l(void)
{
	return typed("L", cJSON_CreateArray());
}

cJSON *aws_ddb_item(void)
{
	return cJSON_CreateObject();
}

int aws_ddb_put(cJSON *map, const char *name, cJSON *av)
{
	if (!map || !av || !name || !cJSON_IsObject(map)) {
		cJSON_Delete(av);
		return -1;
	}
	if (cJSON_GetObjectItemCaseSensitive(map, name))
		cJSON_ReplaceItemInObjectCaseSensitive(map, name, av);
	else
		cJSON_AddItemToObject(map, name, av);
	return 0;
}

int aws_ddb_append(cJSON *list, cJSON *av)
{
	cJSON *arr = list ? cJSON_GetObjectItemCaseSensitive(list, "L") : NULL;
	if (!cJSON_IsArray(arr) || !av) {
		cJSON_Delete(av);
		return -1;
	}
	cJSON_AddItemToArray(arr, av);
	return 0;
}

cJSON *aws_ddb_map(const cJSON *m)
{
	cJSON *inner = m ? cJSON_GetObjectItemCaseSensitive(m, "M") : NULL;
	return cJSON_IsObject(inner) ? inner : NULL;
}

const cJSON *aws_ddb_get(const cJSON *map, const char *name)
{
	const cJSON *av = map ? cJSON_GetObjectItemCaseSensitive(map, name) : NULL;
	return cJSON_IsObject(av) ? av : NULL;
}

const char *aws_ddb_get_s(const cJSON *map, const char *name)
{
	const cJSON *av = aws_ddb_get(map, name);
	return av ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(av, "S")) : NULL;
}

int aws_ddb_get_ll(const cJSON *map, const char *name, long long *out)
{
	const cJSON *av = aws_ddb_get(map, name);
	const char *n = av ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(av, "N")) : NULL;
	if (!n || !*n)
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(n, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int aws_ddb_get_bool(const cJSON *map, const char *name, int *out)
{
	const cJSON *av = aws_ddb_get(map, name);
	const cJSON *b = av ? cJSON_GetObjectItemCaseSensitive(av, "BOOL") : NULL;
	if (!cJSON_IsBool(b))
		return -1;
	*out = cJSON_IsTrue(b);
	return 0;
}

/* Plain JSON for one AttributeValue, or NULL. */
static cJSON *av_to_json(const cJSON *av)
{
	const cJSON *v = av && cJSON_IsObject(av) ? av->child : NULL;
	if (!v || v->next)
		return NULL;
	const char *t = v->string;
	if ((strcmp(t, "S") == 0 || strcmp(t, "B") == 0) && cJSON_IsString(v))
		return cJSON_CreateString(v->valuestring);
	if (strcmp(t, "N") == 0 && cJSON_IsString(v) && number_literal(v->valuestring))
		return cJSON_CreateRaw(v->valuestring);
	if (strcmp(t, "BOOL") == 0 && cJSON_IsBool(v))
		return cJSON_CreateBool(cJSON_IsTrue(v));
	if (strcmp(t, "NULL") == 0)
		return cJSON_CreateNull();
	if ((strcmp(t, "SS") == 0 || strcmp(t, "NS") == 0 || strcmp(t, "BS") == 0) &&
	    cJSON_IsArray(v)) {
		cJSON *arr = cJSON_CreateArray();
		const cJSON *e;
		cJSON_ArrayForEach(e, v) {
			if (!cJSON_IsString(e) || (t[0] == 'N' && !number_literal(e->valuestring))) {
				cJSON_Delete(arr);
				return NULL;
			}
			cJSON_AddItemToArray(arr, t[0] == 'N' ? cJSON_CreateRaw(e->valuestring) :
					     cJSON_CreateString(e->valuestring));
		}
		return arr;
	}
	if (strcmp(t, "L") == 0 && cJSON_IsArray(v)) {
		cJSON *arr = cJSON_CreateArray();
		const cJSON *e;
		cJSON_ArrayForEach(e, v) {
			cJSON *j = av_to_json(e);
			if (!j) {
				cJSON_Delete(arr);
				return NULL;
			}
			cJSON_AddItemToArray(arr, j);
		}
		return arr;
	}
	if (strcmp(t, "M") == 0 && cJSON_IsObject(v))
		return aws_ddb_to_json(v);
	return NULL;
}

cJSON *aws_ddb_to_json(const cJSON *item)
{
	if (!cJSON_IsObject(item))
		return NULL;
	cJSON *out = cJSON_CreateObject();
	const cJSON *a;
	cJSON_ArrayForEach(a, item) {
		cJSON *j = av_to_json(a);
		if (!j) {
			cJSON_Delete(out);
			return NULL;
		}
		cJSON_AddItemToObject(out, a->string, j);
	}
	return out;
}
