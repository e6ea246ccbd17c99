/*
 * lambda_config.c - the FunctionConfiguration document.
 *
 * A function's configuration is kept as the very JSON object
 * GetFunctionConfiguration returns; CreateFunction and
 * UpdateFunctionConfiguration apply their request fields to it here,
 * with Lambda's validation and its error codes (ValidationException for
 * constraint violations in AWS's "1 validation error detected" wording,
 * InvalidParameterValueException for semantic ones).  Fields Lambda
 * stores but the emulator does not act on (VpcConfig, KMSKeyArn, Layers,
 * TracingConfig, DeadLetterConfig, ...) are stored and returned as given.
 */
#include "lambda.h"
#include "ids.h"
#include "timefmt.h"

#include <cjson/cJSON.h>
#include <string.h>

int lambda_config_int(const cJSON *cfg, const char *field, int dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, field);
	return cJSON_IsNumber(v) ? v->valueint : dflt;
}

const char *lambda_config_str(const cJSON *cfg, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, field);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void lambda_config_touch(cJSON *cfg)
{
	char when[40], rev[37];
	lambda_time_modified(time_now_ms(), when);
	ids_uuid4(rev);
	cJSON_DeleteItemFromObjectCaseSensitive(cfg, "LastModified");
	cJSON_AddStringToObject(cfg, "LastModified", when);
	cJSON_DeleteItemFromObjectCaseSensitive(cfg, "RevisionId");
	cJSON_AddStringToObject(cfg, "RevisionId", rev);
}

/* Replace field of cfg with a copy of v. */
static void set_copy(cJSON *cfg, const char *field, const cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(cfg, field);
	cJSON_AddItemToObject(cfg, field, cJSON_Duplicate(v, 1));
}

static int type_error(struct request *req, const char *field)
{
	return req_error(req, 400, "InvalidRequestContentException",
			 "Could not parse request body into json: Could not "
			 "parse payload into json: field '%s' has the wrong "
			 "type", field);
}

/* Integer field within [lo, hi] (AWS's constraint wording). */
static int apply_int(struct request *req, cJSON *cfg, const cJSON *body,
		     const char *field, const char *member, int lo, int hi)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, field);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)v->valueint)
		return type_error(req, field);
	if (v->valueint < lo)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%d' at "
				 "'%s' failed to satisfy constraint: Member "
				 "must have value greater than or equal to %d",
				 v->valueint, member, lo);
	if (v->valueint > hi)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%d' at "
				 "'%s' failed to satisfy constraint: Member "
				 "must have value less than or equal to %d",
				 v->valueint, member, hi);
	set_copy(cfg, field, v);
	return 0;
}

static int role_ok(const char *role)
{
	/* arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+ */
	if (strncmp(role, "arn:aws", 7) != 0)
		return 0;
	const char *p = strstr(role, ":iam::");
	if (!p)
		return 0;
	p += 6;
	for (int i = 0; i < 12; i++, p++)
		if (*p < '0' || *p > '9')
			return 0;
	if (strncmp(p, ":role", 5) != 0)
		return 0;
	p += 5;
	if (*p == '/')
		p++;
	if (!*p)
		return 0;
	for (; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
			    "XYZ0123456789_+=,.@-/", *p))
			return 0;
	return 1;
}

/* Keys Lambda sets itself and refuses in Environment.Variables. */
static int reserved_env(const char *k)
{
	static const char *const reserved[] = {
		"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION",
		"AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
		"AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
		"AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
		"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API",
		"LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"};
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcmp(reserved[i], k) == 0)
			return 1;
	return 0;
}

static int apply_environment(struct request *req, cJSON *cfg,
			     const cJSON *env)
{
	if (!cJSON_IsObject(env))
		return type_error(req, "Environment");
	const cJSON *vars = cJSON_GetObjectItemCaseSensitive(env, "Variables");
	if (vars && !cJSON_IsObject(vars))
		return type_error(req, "Environment.Variables");
	const cJSON *v;
	size_t total = 0;
	cJSON_ArrayForEach(v, vars) {
		if (!cJSON_IsString(v))
			return type_error(req, "Environment.Variables");
		if (reserved_env(v->string))
			return req_error(
				req, 400, "InvalidParameterValueException",
				"Lambda was unable to configure your "
				"environment variables because the environment "
				"variables you have provided contains reserved "
				"keys that are currently not supported for "
				"modification. Reserved keys used in this "
				"request: %s", v->string);
		total += strlen(v->string) + strlen(v->valuestring);
	}
	if (total > 4096)
		return req_error(req, 400, "InvalidParameterValueException",
				 "Lambda was unable to configure your "
				 "environment variables because the environment "
				 "variables you have provided exceeded the 4KB "
				 "limit. String measured: %zu", total);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "Variables",
			      vars ? cJSON_Duplicate(vars, 1)
				   : cJSON_CreateObject());
	cJSON_DeleteItemFromObjectCaseSensitive(cfg, "Environment");
	cJSON_AddItemToObject(cfg, "Environment", out);
	return 0;
}

static int apply_runtime(struct request *req, cJSON *cfg, const cJSON *v)
{
	if (!cJSON_IsString(v))
		return type_error(req, "Runtime");
	const char *r = v->valuestring;
	if (strcmp(r, "provided.al2023") != 0 &&
	    strcmp(r, "provided.al2") != 0 && strcmp(r, "provided") != 0)
		return req_error(req, 400, "InvalidParameterValueException",
				 "The runtime parameter of %s is not supported "
				 "by this emulator: it runs custom runtimes "
				 "(provided.al2023, provided.al2, provided) as "
				 "native processes", r);
	set_copy(cfg, "Runtime", v);
	return 0;
}

static int apply_architectures(struct request *req, cJSON *cfg,
			       const cJSON *v)
{
	if (!cJSON_IsArray(v))
		return type_error(req, "Architectures");
	if (cJSON_GetArraySize(v) != 1)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value at "
				 "'architectures' failed to satisfy constraint: "
				 "Member must have length less than or equal "
				 "to 1");
	const cJSON *a = cJSON_GetArrayItem(v, 0);
	if (!cJSON_IsString(a) || (strcmp(a->valuestring, "x86_64") != 0 &&
				   strcmp(a->valuestring, "arm64") != 0))
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value at "
				 "'architectures' failed to satisfy constraint: "
				 "Member must satisfy constraint: [Member must "
				 "satisfy enum value set: [x86_64, arm64]]");
	set_copy(cfg, "Architectures", v);
	return 0;
}

static int apply_layers(struct request *req, cJSON *cfg, const cJSON *v)
{
	if (!cJSON_IsArray(v))
		return type_error(req, "Layers");
	cJSON *out = cJSON_CreateArray();
	const cJSON *l;
	cJSON_ArrayForEach(l, v) {
		if (!cJSON_IsString(l)) {
			cJSON_Delete(out);
			return type_error(req, "Layers");
		}
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "Arn", l->valuestring);
		cJSON_AddNumberToObject(o, "CodeSize", 0);
		cJSON_AddItemToArray(out, o);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(cfg, "Layers");
	if (cJSON_GetArraySize(out))
		cJSON_AddItemToObject(cfg, "Layers", out);
	else
		cJSON_Delete(out);
	return 0;
}

/* Stored as given (objects the emulator keeps but does not act on). */
static int apply_object(struct request *req, cJSON *cfg, const cJSON *body,
			const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, field);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsObject(v))
		return type_error(req, field);
	set_copy(cfg, field, v);
	return 0;
}

static int apply_string(struct request *req, cJSON *cfg, const cJSON *body,
			const char *field, size_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, field);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return type_error(req, field);
	if (strlen(v->valuestring) > max)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value at '%c%s' "
				 "failed to satisfy constraint: Member must "
				 "have length less than or equal to %zu",
				 field[0] + 32, field + 1, max);
	set_copy(cfg, field, v);
	return 0;
}

int lambda_config_apply(struct request *req, cJSON *cfg, const cJSON *body,
			int is_create)
{
	const cJSON *v;
	if (is_create) {
		v = cJSON_GetObjectItemCaseSensitive(body, "PackageType");
		if (v && (!cJSON_IsString(v) ||
			  strcmp(v->valuestring, "Zip") != 0))
			return req_error(req, 400,
					 "InvalidParameterValueException",
					 "PackageType Image is not supported "
					 "by this emulator; use Zip");
		v = cJSON_GetObjectItemCaseSensitive(body, "Architectures");
		if (v && apply_architectures(req, cfg, v))
			return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "Runtime");
	if (v && !cJSON_IsNull(v) && apply_runtime(req, cfg, v))
		return -1;
	if (is_create && !cJSON_GetObjectItemCaseSensitive(cfg, "Runtime"))
		return req_error(req, 400, "InvalidParameterValueException",
				 "Runtime and Handler are mandatory parameters "
				 "for functions created with deployment "
				 "packages.");
	v = cJSON_GetObjectItemCaseSensitive(body, "Role");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v))
			return type_error(req, "Role");
		if (!role_ok(v->valuestring))
			return req_error(
				req, 400, "ValidationException",
				"1 validation error detected: Value '%s' at "
				"'role' failed to satisfy constraint: Member "
				"must satisfy regular expression pattern: "
				"arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?"
				"[a-zA-Z_0-9+=,.@\\-_/]+", v->valuestring);
		set_copy(cfg, "Role", v);
	} else if (is_create) {
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value null at "
				 "'role' failed to satisfy constraint: Member "
				 "must not be null");
	}
	if (apply_string(req, cfg, body, "Handler", 128) ||
	    apply_string(req, cfg, body, "Description", 256) ||
	    apply_string(req, cfg, body, "KMSKeyArn", 2048) ||
	    apply_int(req, cfg, body, "Timeout", "timeout", 1, 900) ||
	    apply_int(req, cfg, body, "MemorySize", "memorySize", 128,
		      10240))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(body, "Environment");
	if (v && !cJSON_IsNull(v) && apply_environment(req, cfg, v))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(body, "Layers");
	if (v && !cJSON_IsNull(v) && apply_layers(req, cfg, v))
		return -1;
	if (apply_object(req, cfg, body, "TracingConfig") ||
	    apply_object(req, cfg, body, "DeadLetterConfig") ||
	    apply_object(req, cfg, body, "VpcConfig") ||
	    apply_object(req, cfg, body, "EphemeralStorage") ||
	    apply_object(req, cfg, body, "LoggingConfig") ||
	    apply_object(req, cfg, body, "ImageConfig"))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(body, "EphemeralStorage");
	if (cJSON_IsObject(v)) {
		int size = lambda_config_int(v, "Size", 512);
		if (size < 512 || size > 10240)
			return req_error(req, 400, "ValidationException",
					 "1 validation error detected: Value "
					 "'%d' at 'ephemeralStorage.size' "
					 "failed to satisfy constraint: Member "
					 "must have value %s", size,
					 size < 512 ? "greater than or equal "
						      "to 512"
						    : "less than or equal to "
						      "10240");
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "FileSystemConfigs");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsArray(v))
			return type_error(req, "FileSystemConfigs");
		set_copy(cfg, "FileSystemConfigs", v);
	}
	return 0;
}
