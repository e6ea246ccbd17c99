/*
 * lambda_policy.c - evaluating a function's resource policy for other
 * services (the bus hook lambda_allows).
 *
 * AddPermission (lambda_extra.c) records statements; with --auth sigv4
 * S3 asks, before it accepts a notification destination, whether the
 * policy lets its service principal invoke the function for the
 * bucket's ARN.  The evaluation is the subset of IAM that such
 * policies use: Effect, Action (lambda:InvokeFunction, lambda:*, *),
 * Principal ("*", a string, or {"Service"/"AWS": string or list}) and
 * the aws:SourceArn / aws:SourceAccount conditions (ArnLike, ArnEquals,
 * StringLike, StringEquals; * and ? wildcards where IAM allows them).
 * A statement without a SourceArn condition allows every source, as in
 * AWS.  An explicit Deny that matches wins.
 */
#include "config.h"
#include "lambda.h"
#include "service.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* IAM wildcard match of s against pat ('*' any run, '?' one char). */
static int glob(const char *pat, const char *s)
{
	if (!*pat)
		return !*s;
	if (*pat == '*')
		return glob(pat + 1, s) || (*s && glob(pat, s + 1));
	if (!*s || (*pat != '?' && *pat != *s))
		return 0;
	return glob(pat + 1, s + 1);
}

/* Does v (a string or an array of strings) hold a value that matches
 * s: exactly, case-insensitively (nocase) or as a wildcard (like)? */
static int any_value(const cJSON *v, const char *s, int like, int nocase)
{
	if (cJSON_IsString(v)) {
		if (like)
			return glob(v->valuestring, s);
		return nocase ? strcasecmp(v->valuestring, s) == 0
			      : strcmp(v->valuestring, s) == 0;
	}
	const cJSON *e, *list = cJSON_IsArray(v) ? v : NULL;
	cJSON_ArrayForEach(e, list)
		if (any_value(e, s, like, nocase))
			return 1;
	return 0;
}

static int principal_ok(const cJSON *p, const char *principal)
{
	if (cJSON_IsString(p))
		return strcmp(p->valuestring, "*") == 0 ||
		       strcmp(p->valuestring, principal) == 0;
	const cJSON *kind, *obj = cJSON_IsObject(p) ? p : NULL;
	cJSON_ArrayForEach(kind, obj)
		if (any_value(kind, "*", 0, 0) ||
		    (strcmp(kind->string, "Service") == 0 &&
		     any_value(kind, principal, 0, 0)))
			return 1;
	return 0;
}

/*
 * Do the conditions of a statement hold for a call with this source ARN
 * and account?  Keys other than aws:SourceArn / aws:SourceAccount are
 * not known for service calls and fail the statement (as IAM does for
 * a missing key under a non-IfExists operator).
 */
static int conditions_ok(const cJSON *cond, const char *source_arn,
			 const char *account)
{
	const cJSON *op, *ops = cJSON_IsObject(cond) ? cond : NULL;
	cJSON_ArrayForEach(op, ops) {
		int arn_op = strcmp(op->string, "ArnLike") == 0 ||
			     strcmp(op->string, "ArnEquals") == 0;
		int like = arn_op || strcmp(op->string, "StringLike") == 0;
		if (!like && strcmp(op->string, "StringEquals") != 0)
			return 0;
		const cJSON *key;
		cJSON_ArrayForEach(key, op) {
			const char *value;
			if (strcasecmp(key->string, "aws:SourceArn") == 0)
				value = source_arn;
			else if (strcasecmp(key->string,
					    "aws:SourceAccount") == 0)
				value = account;
			else
				return 0;
			if (!value || !any_value(key, value, like, 0))
				return 0;
		}
	}
	return 1;
}

/* Does statement s apply to principal invoking for source_arn? */
static int statement_matches(const cJSON *s, const char *principal,
			     const char *source_arn, const char *account)
{
	const cJSON *action = cJSON_GetObjectItemCaseSensitive(s, "Action");
	if (!any_value(action, "lambda:InvokeFunction", 0, 1) &&
	    !any_value(action, "lambda:*", 0, 1) &&
	    !any_value(action, "*", 0, 0))
		return 0;
	if (!principal_ok(cJSON_GetObjectItemCaseSensitive(s, "Principal"),
			  principal))
		return 0;
	return conditions_ok(cJSON_GetObjectItemCaseSensitive(s, "Condition"),
			     source_arn, account);
}

int lambda_bus_allows(void *lambda, const char *function_arn,
		      const char *principal, const char *source_arn)
{
	struct lambda_state *st = lambda;
	struct arena *arena = arena_new();
	const char *name, *qualifier;
	int found = 0, allowed = 0, denied = 0;
	char *text = NULL;
	if (lambda_parse_function_name(arena, function_arn, &name,
				       &qualifier) == 0) {
		cJSON *cfg = lambda_db_config(st, name, qualifier, NULL, NULL);
		found = cfg != NULL;
		cJSON_Delete(cfg);
		if (found)
			text = lambda_db_column(st, name, "policy", NULL);
	}
	cJSON *policy = text ? cJSON_Parse(text) : NULL;
	free(text);
	const cJSON *s, *stmts =
		cJSON_GetObjectItemCaseSensitive(policy, "Statement");
	cJSON_ArrayForEach(s, stmts) {
		if (!statement_matches(s, principal, source_arn,
				       st->emu->config->account_id))
			continue;
		const cJSON *effect =
			cJSON_GetObjectItemCaseSensitive(s, "Effect");
		if (cJSON_IsString(effect) &&
		    strcmp(effect->valuestring, "Deny") == 0)
			denied = 1;
		else
			allowed = 1;
	}
	cJSON_Delete(policy);
	arena_destroy(arena);
	return found && allowed && !denied;
}
