/*
 * lambda_names.c - function names, ARNs and qualifiers as Lambda reads
 * them.  Every operation that takes a FunctionName accepts a bare name,
 * a partial ARN (123456789012:function:name) or a full ARN, each with an
 * optional ":qualifier" (version, alias or $LATEST); a ?Qualifier= query
 * parameter must then agree with it.
 */
#include "config.h"
#include "lambda.h"
#include "timefmt.h"

#include <stdio.h>
#include <string.h>

int lambda_valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return 0;
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* $LATEST, a version number or an alias name. */
static int valid_qualifier(const char *s)
{
	if (strcmp(s, "$LATEST") == 0)
		return 1;
	size_t n = strlen(s);
	if (n == 0 || n > 128)
		return 0;
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int lambda_parse_function_name(struct arena *arena, const char *input,
			       const char **name, const char **qualifier)
{
	const char *parts[9];
	size_t n = 0;
	if (!input || !*input || strlen(input) > 256)
		return -1;
	char *copy = arena_strdup(arena, input);
	for (char *p = copy;; ) {
		if (n == 9)
			return -1;
		parts[n++] = p;
		char *colon = strchr(p, ':');
		if (!colon)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	size_t base; /* index of the name */
	if (strcmp(parts[0], "arn") == 0) {
		if (n < 7 || n > 8 || strncmp(parts[1], "aws", 3) != 0 ||
		    strcmp(parts[2], "lambda") != 0 ||
		    strcmp(parts[5], "function") != 0)
			return -1;
		base = 6;
	} else if (n >= 3 && strcmp(parts[1], "function") == 0) {
		if (n > 4 || strlen(parts[0]) != 12)
			return -1;
		base = 2;
	} else {
		if (n > 2)
			return -1;
		base = 0;
	}
	if (!lambda_valid_name(parts[base]))
		return -1;
	*name = parts[base];
	*qualifier = NULL;
	if (n > base + 1) {
		if (!valid_qualifier(parts[base + 1]))
			return -1;
		*qualifier = parts[base + 1];
	}
	return 0;
}

char *lambda_function_arn(struct arena *arena, const struct emulator *emu,
			  const char *name, const char *qualifier)
{
	const struct config *cfg = emu->config;
	if (qualifier)
		return arena_printf(arena, "arn:aws:lambda:%s:%s:function:%s:%s",
				    cfg->region, cfg->account_id, name,
				    qualifier);
	return arena_printf(arena, "arn:aws:lambda:%s:%s:function:%s",
			    cfg->region, cfg->account_id, name);
}

int lambda_req_function(struct request *req, const char **name,
			const char **qualifier)
{
	const char *raw = req_path_param(req, "FunctionName");
	const char *q = req_query(req, "Qualifier");
	if (!raw || lambda_parse_function_name(req->arena, raw, name,
					       qualifier))
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%s' at "
				 "'functionName' failed to satisfy constraint: "
				 "Member must satisfy regular expression "
				 "pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?"
				 "([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
				 "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|"
				 "[a-zA-Z0-9-_]+))?",
				 raw ? raw : "");
	if (q && *q) {
		if (!valid_qualifier(q))
			return req_error(req, 400, "ValidationException",
					 "1 validation error detected: Value "
					 "'%s' at 'qualifier' failed to satisfy "
					 "constraint: Member must satisfy "
					 "regular expression pattern: "
					 "(|[a-zA-Z0-9$_-]+)", q);
		if (*qualifier && strcmp(*qualifier, q) != 0)
			return req_error(req, 400,
					 "InvalidParameterValueException",
					 "The derived qualifier from the "
					 "function name does not match the "
					 "specified qualifier.");
		*qualifier = q;
	}
	return 0;
}

int lambda_not_found(struct request *req, const char *name,
		     const char *qualifier)
{
	return req_error(req, 404, "ResourceNotFoundException",
			 "Function not found: %s",
			 lambda_function_arn(req->arena, req->emu, name,
					     qualifier));
}

void lambda_time_modified(int64_t ms, char out[40])
{
	char iso[TIMEFMT_MAX];
	time_iso8601_ms(ms, iso);
	/* "YYYY-MM-DDTHH:MM:SS.mmmZ" -> "YYYY-MM-DDTHH:MM:SS.mmm+0000" */
	size_t n = strcspn(iso, "Z");
	if (n > 34)
		n = 34;
	memcpy(out, iso, n);
	memcpy(out + n, "+0000", 6);
}
