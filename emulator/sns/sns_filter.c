/*
 * sns_filter.c - SNS filter policies (see sns_filter.h for the grammar).
 *
 * Evaluation walks the policy object: every key must match (AND), the
 * conditions in a key's array are alternatives (OR), "$or" holds
 * alternative sub-policies.  A key's candidates are the values it names:
 *   MessageAttributes scope: String -> the string; Number -> the number;
 *     String.Array -> each element of the JSON array; Binary -> none (the
 *     attribute exists but no value condition matches it);
 *   MessageBody scope: the JSON value at that path, each element if it
 *     is an array.
 * A condition matches when any candidate satisfies it; "exists" looks at
 * the key alone.  A missing key matches only {"exists": false};
 * "anything-but" needs the key to be present, as on AWS.  A policy the
 * checker refuses matches nothing.
 */
#include "sns_filter.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 16

/* ---------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------- */

static int bad(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "Invalid parameter: FilterPolicy: %s", why);
	return -1;
}

static int check_numeric(const cJSON *arr, char *err, size_t errlen)
{
	int n = cJSON_GetArraySize(arr);
	if (!cJSON_IsArray(arr) || n == 0 || n % 2 || n > 4)
		return bad(err, errlen, "Value of numeric must be an array.");
	for (int i = 0; i < n; i += 2) {
		const cJSON *op = cJSON_GetArrayItem(arr, i);
		const cJSON *v = cJSON_GetArrayItem(arr, i + 1);
		if (!cJSON_IsString(op) ||
		    (strcmp(op->valuestring, "=") != 0 &&
		     strcmp(op->valuestring, "<") != 0 &&
		     strcmp(op->valuestring, "<=") != 0 &&
		     strcmp(op->valuestring, ">") != 0 &&
		     strcmp(op->valuestring, ">=") != 0))
			return bad(err, errlen, "Unrecognized numeric range "
						"operator");
		if (!cJSON_IsNumber(v))
			return bad(err, errlen, "Value of numeric operator "
						"must be numeric");
		if (n == 4 && i == 0 && op->valuestring[0] != '>')
			return bad(err, errlen, "Too many elements in numeric "
						"expression");
		if (n == 4 && i == 2 && op->valuestring[0] != '<')
			return bad(err, errlen, "Bad numeric range operator");
	}
	if (n == 4 && cJSON_GetArrayItem(arr, 1)->valuedouble >=
			      cJSON_GetArrayItem(arr, 3)->valuedouble)
		return bad(err, errlen, "Bottom must be less than top");
	return 0;
}

static int check_cond(const cJSON *c, char *err, size_t errlen)
{
	if (cJSON_IsString(c) || cJSON_IsNumber(c) || cJSON_IsBool(c) ||
	    cJSON_IsNull(c))
		return 0;
	if (!cJSON_IsObject(c) || !c->child || c->child->next)
		return bad(err, errlen, "Match value must be String, number, "
					"true, false, or null");
	const cJSON *a = c->child;
	const char *op = a->string;
	if (strcmp(op, "prefix") == 0 || strcmp(op, "suffix") == 0 ||
	    strcmp(op, "equals-ignore-case") == 0) {
		if (!cJSON_IsString(a))
			return bad(err, errlen, "prefix/suffix match pattern "
						"must be a string");
		return 0;
	}
	if (strcmp(op, "exists") == 0) {
		if (!cJSON_IsBool(a))
			return bad(err, errlen, "exists match pattern must be "
						"either true or false.");
		return 0;
	}
	if (strcmp(op, "numeric") == 0)
		return check_numeric(a, err, errlen);
	if (strcmp(op, "cidr") == 0) {
		if (!cJSON_IsString(a) || !strchr(a->valuestring, '/'))
			return bad(err, errlen, "Malformed CIDR");
		return 0;
	}
	if (strcmp(op, "anything-but") == 0) {
		if (cJSON_IsString(a) || cJSON_IsNumber(a))
			return 0;
		if (cJSON_IsArray(a) && cJSON_GetArraySize(a) > 0) {
			for (const cJSON *e = a->child; e; e = e->next)
				if (!cJSON_IsString(e) && !cJSON_IsNumber(e))
					return bad(err, errlen,
						   "Inside anything but list, "
						   "start|null|boolean is not "
						   "supported.");
			return 0;
		}
		if (cJSON_IsObject(a) && a->child && !a->child->next &&
		    (strcmp(a->child->string, "prefix") == 0 ||
		     strcmp(a->child->string, "suffix") == 0) &&
		    cJSON_IsString(a->child))
			return 0;
		return bad(err, errlen, "Value of anything-but must be an "
					"array or single string/number value.");
	}
	char why[160];
	snprintf(why, sizeof(why), "Unrecognized match type %.60s", op);
	return bad(err, errlen, why);
}

static int check_obj(const cJSON *o, int depth, char *err, size_t errlen)
{
	if (depth > MAX_DEPTH)
		return bad(err, errlen, "Filter policy is too complex");
	for (const cJSON *k = o->child; k; k = k->next) {
		if (strcmp(k->string, "$or") == 0) {
			if (!cJSON_IsArray(k) || cJSON_GetArraySize(k) < 2)
				return bad(err, errlen,
					   "$or must have at least 2 "
					   "elements");
			for (const cJSON *e = k->child; e; e = e->next)
				if (!cJSON_IsObject(e) ||
				    check_obj(e, depth + 1, err, errlen))
					return cJSON_IsObject(e)
						       ? -1
						       : bad(err, errlen,
							     "$or elements must "
							     "be objects");
			continue;
		}
		if (cJSON_IsObject(k)) {
			if (check_obj(k, depth + 1, err, errlen))
				return -1;
			continue;
		}
		if (!cJSON_IsArray(k) || !k->child)
			return bad(err, errlen, "Match value must be String, "
						"number, true, false, or null");
		for (const cJSON *c = k->child; c; c = c->next)
			if (check_cond(c, err, errlen))
				return -1;
	}
	return 0;
}

int sns_filter_check(const char *policy, char *err, size_t errlen)
{
	cJSON *p = cJSON_Parse(policy);
	int rc;
	if (!cJSON_IsObject(p))
		rc = bad(err, errlen, "failed to parse JSON.");
	else
		rc = check_obj(p, 0, err, errlen);
	cJSON_Delete(p);
	return rc;
}

/* ---------------------------------------------------------------------
 * Evaluation
 * ------------------------------------------------------------------- */

static int ipv4_in(const char *ip, const char *cidr)
{
	char net[64];
	const char *slash = strchr(cidr, '/');
	if (!slash || (size_t)(slash - cidr) >= sizeof(net))
		return 0;
	memcpy(net, cidr, (size_t)(slash - cidr));
	net[slash - cidr] = '\0';
	int bits = atoi(slash + 1);
	struct in_addr a, n;
	if (bits < 0 || bits > 32 || inet_pton(AF_INET, ip, &a) != 1 ||
	    inet_pton(AF_INET, net, &n) != 1)
		return 0;
	uint32_t mask = bits ? htonl(~0u << (32 - bits)) : 0;
	return (a.s_addr & mask) == (n.s_addr & mask);
}

static int numeric_ok(const cJSON *arr, double v)
{
	for (const cJSON *op = arr->child; op && op->next;
	     op = op->next->next) {
		double x = op->next->valuedouble;
		const char *o = op->valuestring;
		int ok = strcmp(o, "=") == 0    ? v == x
			 : strcmp(o, "<") == 0  ? v < x
			 : strcmp(o, "<=") == 0 ? v <= x
			 : strcmp(o, ">") == 0  ? v > x
						: v >= x;
		if (!ok)
			return 0;
	}
	return 1;
}

static int same_scalar(const cJSON *a, const cJSON *b)
{
	if (cJSON_IsString(a) && cJSON_IsString(b))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	return 0;
}

static int has_affix(const char *s, const char *affix, int suffix)
{
	size_t n = strlen(s), m = strlen(affix);
	if (m > n)
		return 0;
	return strncmp(suffix ? s + n - m : s, affix, m) == 0;
}

/* Does one candidate value satisfy condition c (not "exists")? */
static int cond_ok(const cJSON *c, const cJSON *v)
{
	if (cJSON_IsString(c) || cJSON_IsNumber(c))
		return same_scalar(c, v);
	if (cJSON_IsBool(c))
		return cJSON_IsBool(v) && cJSON_IsTrue(c) == cJSON_IsTrue(v);
	if (cJSON_IsNull(c))
		return cJSON_IsNull(v);
	const cJSON *a = c->child;
	if (!a)
		return 0;
	const char *op = a->string;
	int is_str = cJSON_IsString(v);
	if (strcmp(op, "prefix") == 0 || strcmp(op, "suffix") == 0)
		return is_str && has_affix(v->valuestring, a->valuestring,
					   op[0] == 's');
	if (strcmp(op, "equals-ignore-case") == 0)
		return is_str && strcasecmp(v->valuestring, a->valuestring) == 0;
	if (strcmp(op, "numeric") == 0)
		return cJSON_IsNumber(v) && numeric_ok(a, v->valuedouble);
	if (strcmp(op, "cidr") == 0)
		return is_str && ipv4_in(v->valuestring, a->valuestring);
	if (strcmp(op, "anything-but") == 0) {
		if (cJSON_IsArray(a)) {
			for (const cJSON *e = a->child; e; e = e->next)
				if (same_scalar(e, v))
					return 0;
			return 1;
		}
		if (cJSON_IsObject(a) && a->child)
			return !is_str ||
			       !has_affix(v->valuestring,
					  a->child->valuestring,
					  a->child->string[0] == 's');
		return !same_scalar(a, v);
	}
	return 0;
}

/* The candidates of a present field, into a new cJSON array. */
static cJSON *candidates(const cJSON *field, int body_scope)
{
	cJSON *out = cJSON_CreateArray();
	if (body_scope) {
		if (cJSON_IsArray(field)) {
			for (const cJSON *e = field->child; e; e = e->next)
				if (!cJSON_IsObject(e) && !cJSON_IsArray(e))
					cJSON_AddItemToArray(
						out, cJSON_Duplicate(e, 0));
		} else if (!cJSON_IsObject(field)) {
			cJSON_AddItemToArray(out, cJSON_Duplicate(field, 0));
		}
		return out;
	}
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(field, "Type");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(field, "Value");
	if (!cJSON_IsString(t) || !cJSON_IsString(v))
		return out;
	if (strcmp(t->valuestring, "String") == 0) {
		cJSON_AddItemToArray(out, cJSON_CreateString(v->valuestring));
	} else if (strcmp(t->valuestring, "Number") == 0) {
		char *end;
		double d = strtod(v->valuestring, &end);
		if (!*end && isfinite(d))
			cJSON_AddItemToArray(out, cJSON_CreateNumber(d));
	} else if (strcmp(t->valuestring, "String.Array") == 0) {
		cJSON *arr = cJSON_Parse(v->valuestring);
		for (const cJSON *e = cJSON_IsArray(arr) ? arr->child : NULL;
		     e; e = e->next)
			if (!cJSON_IsObject(e) && !cJSON_IsArray(e))
				cJSON_AddItemToArray(out,
						     cJSON_Duplicate(e, 0));
		cJSON_Delete(arr);
	}
	return out;
}

/* Does the key whose conditions are `conds` match field (NULL: absent)? */
static int leaf_ok(const cJSON *conds, const cJSON *field, int body_scope)
{
	cJSON *cands = field ? candidates(field, body_scope) : NULL;
	int ok = 0;
	for (const cJSON *c = conds->child; c && !ok; c = c->next) {
		if (cJSON_IsObject(c) && c->child &&
		    strcmp(c->child->string, "exists") == 0) {
			ok = (field != NULL) == cJSON_IsTrue(c->child);
			continue;
		}
		for (const cJSON *v = cands ? cands->child : NULL; v && !ok;
		     v = v->next)
			ok = cond_ok(c, v);
	}
	cJSON_Delete(cands);
	return ok;
}

static int obj_ok(const cJSON *pol, const cJSON *node, int body_scope,
		  int depth)
{
	if (depth > MAX_DEPTH)
		return 0;
	for (const cJSON *k = pol->child; k; k = k->next) {
		if (strcmp(k->string, "$or") == 0) {
			int any = 0;
			for (const cJSON *e = k->child; e && !any; e = e->next)
				any = cJSON_IsObject(e) &&
				      obj_ok(e, node, body_scope, depth + 1);
			if (!any)
				return 0;
			continue;
		}
		const cJSON *field =
			cJSON_IsObject(node)
				? cJSON_GetObjectItemCaseSensitive(node,
								   k->string)
				: NULL;
		if (cJSON_IsObject(k)) {
			/* Nested keys exist only in message bodies. */
			if (!body_scope ||
			    !obj_ok(k, field, body_scope, depth + 1))
				return 0;
			continue;
		}
		if (!cJSON_IsArray(k) || !leaf_ok(k, field, body_scope))
			return 0;
	}
	return 1;
}

int sns_filter_match(const char *policy, int body_scope,
		     const cJSON *attrs, const char *body)
{
	char err[256];
	cJSON *p = cJSON_Parse(policy);
	/* Only checked policies are evaluated: the evaluator relies on the
	 * shapes the checker guarantees. */
	if (!cJSON_IsObject(p) || check_obj(p, 0, err, sizeof(err))) {
		cJSON_Delete(p);
		return 0;
	}
	int ok;
	if (body_scope) {
		cJSON *doc = body ? cJSON_Parse(body) : NULL;
		ok = cJSON_IsObject(doc) && obj_ok(p, doc, 1, 0);
		cJSON_Delete(doc);
	} else {
		ok = obj_ok(p, attrs, 0, 0);
	}
	cJSON_Delete(p);
	return ok;
}
