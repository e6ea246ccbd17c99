/*
 * lambda.c - AWS Lambda: the control plane (REST-JSON, SigV4 scope
 * "lambda"), Invoke, and the Runtime API that `bootstrap` processes call.
 *
 * What it emulates: functions with custom runtimes (provided.al2023,
 * provided.al2, provided) deployed as zips; the zip is unpacked in the
 * data dir and its `bootstrap` runs as a native child process, exactly as
 * Lambda's provided runtimes start it, speaking the Runtime API on the
 * edge port.  Invoke runs it synchronously or through a durable async
 * queue with Lambda's retry rules (lambda_invoke.c, lambda_async.c);
 * S3 and SNS reach the queue through the bus hook registered here.
 *
 * Two service rows share one state:
 *   lambda_service          /2015-03-31/functions... and the other dated
 *                           prefixes Lambda's API uses (signed)
 *   lambda_runtime_service  /2018-06-01/runtime/... and /_lambda/...
 *                           (unsigned: the Runtime API and the package
 *                           download URL GetFunction gives)
 * The runtime row has no init; its handlers find the state through
 * emu->bus.lambda.
 *
 * Not supported: container images, layers' contents (Layers are stored
 * and reported only), aliases' weighted routing (stored, not applied),
 * function URLs, event source mappings, provisioned concurrency,
 * response streaming, code signing (always "none").
 *
 * Settings read from the environment (documented in docs/services/
 * lambda.md): IMGPIPE_LAMBDA_CONCURRENCY (workers per function, 10),
 * IMGPIPE_LAMBDA_SYNC_WAIT_MS (how long a sync call waits for a busy
 * pool, 2000), IMGPIPE_LAMBDA_RETRY_DELAY_MS (async retry unit, 60000:
 * retries after 1 and 2 minutes).
 */
#include "lambda.h"
#include "ids.h"
#include "log.h"
#include "protocol.h"
#include "services.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MB (1024u * 1024u)

static long env_long(const char *name, long dflt, long lo, long hi)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end || n < lo || n > hi) {
		log_warn("lambda: ignoring %s=%s (want %ld..%ld)", name, v, lo,
			 hi);
		return dflt;
	}
	return n;
}

static int lambda_init(struct emulator *emu, void **state, char *errbuf,
		       size_t errlen)
{
	struct lambda_state *st = xcalloc(1, sizeof(*st));
	st->emu = emu;
	st->wake_pipe[0] = st->wake_pipe[1] = -1;
	st->inotify_fd = -1;
	snprintf(st->root, sizeof(st->root), "%s/lambda",
		 store_data_dir(emu->store));
	char code[PATH_MAX + 8];
	snprintf(code, sizeof(code), "%s/code", st->root);
	if ((mkdir(st->root, 0755) && errno != EEXIST) ||
	    (mkdir(code, 0755) && errno != EEXIST)) {
		snprintf(errbuf, errlen, "lambda: cannot create '%s': %s", code,
			 strerror(errno));
		free(st);
		return -1;
	}
	if (lambda_db_open(st, errbuf, errlen)) {
		free(st);
		return -1;
	}
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->wake, NULL);
	st->default_cap = (int)env_long("IMGPIPE_LAMBDA_CONCURRENCY",
					LAMBDA_DEFAULT_CAP, 1, 1000);
	st->sync_wait_ms = (int)env_long("IMGPIPE_LAMBDA_SYNC_WAIT_MS", 2000,
					 0, 900000);
	st->retry_base_ms = env_long("IMGPIPE_LAMBDA_RETRY_DELAY_MS", 60000,
				     0, 3600000);
	char tok[49];
	ids_alnum(tok, 48);
	tok[48] = '\0';
	snprintf(st->session_token, sizeof(st->session_token), "%s", tok);
	emu->bus.lambda = st;
	emu->bus.lambda_invoke_async = lambda_bus_invoke_async;
	emu->bus.lambda_allows = lambda_bus_allows;
	*state = st;
	return 0;
}

static int lambda_start(void *state)
{
	struct lambda_state *st = state;
	if (lambda_pool_start(st))
		return -1;
	if (lambda_dispatcher_start(st)) {
		lambda_pool_stop(st);
		return -1;
	}
	st->threads_started = 1;
	return 0;
}

static void lambda_shutdown(void *state)
{
	struct lambda_state *st = state;
	if (!st)
		return;
	if (st->threads_started)
		lambda_dispatcher_stop(st);
	lambda_pool_stop(st);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->wake);
	if (st->emu->bus.lambda == st) {
		st->emu->bus.lambda = NULL;
		st->emu->bus.lambda_invoke_async = NULL;
		st->emu->bus.lambda_allows = NULL;
	}
	free(st);
}

/* Every function, its package removed, its workers killed. */
static int lambda_reset(void *state)
{
	struct lambda_state *st = state;
	lambda_pool_clear(st);
	char **blobs = NULL;
	size_t n = 0;
	int rc = store_begin(st->db);
	sqlite3_stmt *stmt = rc ? NULL : store_prepare(
		st->db, "SELECT code_blob FROM functions UNION "
			"SELECT code_blob FROM versions");
	while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
		blobs = xrealloc(blobs, (n + 1) * sizeof(char *));
		blobs[n++] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	}
	if (stmt)
		sqlite3_reset(stmt);
	if (rc == 0)
		rc = store_exec(st->db, "DELETE FROM versions");
	if (rc == 0)
		rc = store_exec(st->db, "DELETE FROM aliases");
	if (rc == 0)
		rc = store_exec(st->db, "DELETE FROM functions");
	if (rc == 0)
		rc = store_exec(st->db, "DELETE FROM async_events");
	if (rc == 0)
		rc = store_exec(st->db, "DELETE FROM async_failures");
	if (rc == 0)
		rc = store_commit(st->db);
	if (rc)
		store_rollback(st->db);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			lambda_code_remove(st, blobs[i]);
		free(blobs[i]);
	}
	free(blobs);
	return rc ? -1 : 0;
}

static long long count_rows(struct lambda_state *st, const char *sql)
{
	long long n = 0;
	sqlite3_stmt *stmt = store_prepare(st->db, sql);
	if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	if (stmt)
		sqlite3_reset(stmt);
	return n;
}

static void *lambda_resources(void *state)
{
	struct lambda_state *st = state;
	cJSON *out = cJSON_CreateObject();
	cJSON *fns = cJSON_AddArrayToObject(out, "functions");
	sqlite3_stmt *stmt = store_prepare(
		st->db, "SELECT name, json_extract(config, '$.FunctionArn'), "
			"last_version FROM functions ORDER BY name");
	while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
		cJSON *f = cJSON_CreateObject();
		cJSON_AddStringToObject(
			f, "name", (const char *)sqlite3_column_text(stmt, 0));
		cJSON_AddStringToObject(
			f, "arn", (const char *)sqlite3_column_text(stmt, 1));
		cJSON_AddNumberToObject(f, "versions",
					sqlite3_column_int(stmt, 2));
		cJSON_AddItemToArray(fns, f);
	}
	if (stmt)
		sqlite3_reset(stmt);
	cJSON_AddNumberToObject(out, "queued_events",
				(double)count_rows(st, "SELECT count(*) FROM "
						       "async_events"));
	cJSON_AddNumberToObject(out, "failed_events",
				(double)count_rows(st, "SELECT count(*) FROM "
						       "async_failures"));
	cJSON_AddItemToObject(out, "pools", lambda_pool_describe(st));
	return out;
}

/* GET /_lambda/code/{FunctionName}/{blob}.zip: the package GetFunction
 * points at. */
static int lambda_get_code(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name = req_path_param(req, "FunctionName");
	const char *file = req_path_param(req, "File");
	char blob[STORE_BLOB_ID_LEN + 1];
	size_t n = file ? strlen(file) : 0;
	if (n != STORE_BLOB_ID_LEN + 4 || strcmp(file + STORE_BLOB_ID_LEN,
						   ".zip") != 0)
		return req_error(req, 404, "ResourceNotFoundException",
				 "The resource you requested does not exist.");
	memcpy(blob, file, STORE_BLOB_ID_LEN);
	blob[STORE_BLOB_ID_LEN] = '\0';
	sqlite3_stmt *stmt = store_prepare(
		st->db, "SELECT 1 FROM functions WHERE name = ?1 AND "
			"code_blob = ?2 UNION SELECT 1 FROM versions WHERE "
			"name = ?1 AND code_blob = ?2");
	int known = 0;
	if (stmt) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 2, blob, -1, SQLITE_TRANSIENT);
		known = sqlite3_step(stmt) == SQLITE_ROW;
		sqlite3_reset(stmt);
	}
	int fd = known ? store_blob_open(st->emu->store, blob) : -1;
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb)) {
		if (fd >= 0)
			close(fd);
		return req_error(req, 404, "ResourceNotFoundException",
				 "The resource you requested does not exist.");
	}
	resp_header(resp, "Content-Type", "application/zip");
	resp_body_fd(resp, fd, 0, (uint64_t)sb.st_size);
	return 0;
}

#define F "/2015-03-31/functions"
#define FN F "/{FunctionName}"

static const struct service_op lambda_ops[] = {
	{"CreateFunction", "POST", F, lambda_create_function, NULL, 0,
	 80 * MB},
	{"ListFunctions", "GET", F, lambda_list_functions, NULL, 0, 0},
	{"GetFunction", "GET", FN, lambda_get_function, NULL, 0, 0},
	{"DeleteFunction", "DELETE", FN, lambda_delete_function, NULL, 0, 0},
	{"GetFunctionConfiguration", "GET", FN "/configuration",
	 lambda_get_function_configuration, NULL, 0, 0},
	{"UpdateFunctionConfiguration", "PUT", FN "/configuration",
	 lambda_update_function_configuration, NULL, 0, 0},
	{"UpdateFunctionCode", "PUT", FN "/code", lambda_update_function_code,
	 NULL, 0, 80 * MB},
	{"Invoke", "POST", FN "/invocations", lambda_invoke, NULL, 0, 7 * MB},
	{"PublishVersion", "POST", FN "/versions", lambda_publish_version,
	 NULL, 0, 0},
	{"ListVersionsByFunction", "GET", FN "/versions",
	 lambda_list_versions, NULL, 0, 0},
	{"CreateAlias", "POST", FN "/aliases", lambda_create_alias, NULL, 0,
	 0},
	{"ListAliases", "GET", FN "/aliases", lambda_list_aliases, NULL, 0, 0},
	{"GetAlias", "GET", FN "/aliases/{Name}", lambda_get_alias, NULL, 0,
	 0},
	{"UpdateAlias", "PUT", FN "/aliases/{Name}", lambda_update_alias,
	 NULL, 0, 0},
	{"DeleteAlias", "DELETE", FN "/aliases/{Name}", lambda_delete_alias,
	 NULL, 0, 0},
	{"AddPermission", "POST", FN "/policy", lambda_add_permission, NULL, 0,
	 0},
	{"GetPolicy", "GET", FN "/policy", lambda_get_policy, NULL, 0, 0},
	{"RemovePermission", "DELETE", FN "/policy/{StatementId}",
	 lambda_remove_permission, NULL, 0, 0},
	{"InvokeAsync", "POST", "/2014-11-13/functions/{FunctionName}/"
				"invoke-async",
	 lambda_invoke_async_v1, NULL, 0, MB},
	{"PutFunctionEventInvokeConfig", "PUT",
	 "/2019-09-25/functions/{FunctionName}/event-invoke-config",
	 lambda_put_event_invoke_config, NULL, 0, 0},
	{"UpdateFunctionEventInvokeConfig", "POST",
	 "/2019-09-25/functions/{FunctionName}/event-invoke-config",
	 lambda_update_event_invoke_config, NULL, 0, 0},
	{"GetFunctionEventInvokeConfig", "GET",
	 "/2019-09-25/functions/{FunctionName}/event-invoke-config",
	 lambda_get_event_invoke_config, NULL, 0, 0},
	{"DeleteFunctionEventInvokeConfig", "DELETE",
	 "/2019-09-25/functions/{FunctionName}/event-invoke-config",
	 lambda_delete_event_invoke_config, NULL, 0, 0},
	{"PutFunctionConcurrency", "PUT",
	 "/2017-10-31/functions/{FunctionName}/concurrency",
	 lambda_put_concurrency, NULL, 0, 0},
	{"DeleteFunctionConcurrency", "DELETE",
	 "/2017-10-31/functions/{FunctionName}/concurrency",
	 lambda_delete_concurrency, NULL, 0, 0},
	{"GetFunctionConcurrency", "GET",
	 "/2019-09-30/functions/{FunctionName}/concurrency",
	 lambda_get_concurrency, NULL, 0, 0},
	{"GetFunctionCodeSigningConfig", "GET",
	 "/2020-06-30/functions/{FunctionName}/code-signing-config",
	 lambda_get_code_signing, NULL, 0, 0},
	{"ListTags", "GET", "/2017-03-31/tags/{Resource}", lambda_list_tags,
	 NULL, 0, 0},
	{"TagResource", "POST", "/2017-03-31/tags/{Resource}",
	 lambda_tag_resource, NULL, 0, 0},
	{"UntagResource", "DELETE", "/2017-03-31/tags/{Resource}",
	 lambda_untag_resource, NULL, 0, 0},
	{"GetAccountSettings", "GET", "/2016-08-19/account-settings",
	 lambda_get_account_settings, NULL, 0, 0},
};

static const char *const lambda_paths[] = {
	"/2015-03-31/functions", "/2014-11-13/functions",
	"/2019-09-25/functions", "/2017-10-31/functions",
	"/2019-09-30/functions", "/2020-06-30/functions",
	"/2017-03-31/tags/",     "/2016-08-19/account-settings",
	NULL,
};

const struct service lambda_service = {
	.name = "lambda",
	.signing_name = "lambda",
	.path_prefixes = lambda_paths,
	.protocol = PROTO_REST_JSON,
	.flags = SVC_ERROR_MESSAGE_CAPITAL,
	.json_content_type = "application/json",
	.max_body = MB,
	.init = lambda_init,
	.start = lambda_start,
	.shutdown = lambda_shutdown,
	.reset = lambda_reset,
	.resources = lambda_resources,
	.ops = lambda_ops,
	.n_ops = sizeof(lambda_ops) / sizeof(lambda_ops[0]),
};

#define RT "/2018-06-01/runtime"
#define TK "/_lambda/{Token}" RT
#define RESP_MAX (LAMBDA_RESPONSE_MAX + MB)

static const struct service_op lambda_runtime_ops[] = {
	{"RuntimeNext", "GET", TK "/invocation/next", lambda_rt_next, NULL,
	 OP_NO_AUTH, 0},
	{"RuntimeResponse", "POST", TK "/invocation/{RequestId}/response",
	 lambda_rt_response, NULL, OP_NO_AUTH, RESP_MAX},
	{"RuntimeError", "POST", TK "/invocation/{RequestId}/error",
	 lambda_rt_error, NULL, OP_NO_AUTH, RESP_MAX},
	{"RuntimeInitError", "POST", TK "/init/error", lambda_rt_init_error,
	 NULL, OP_NO_AUTH, RESP_MAX},
	{"RuntimeNext", "GET", RT "/invocation/next", lambda_rt_next, NULL,
	 OP_NO_AUTH, 0},
	{"RuntimeResponse", "POST", RT "/invocation/{RequestId}/response",
	 lambda_rt_response, NULL, OP_NO_AUTH, RESP_MAX},
	{"RuntimeError", "POST", RT "/invocation/{RequestId}/error",
	 lambda_rt_error, NULL, OP_NO_AUTH, RESP_MAX},
	{"RuntimeInitError", "POST", RT "/init/error", lambda_rt_init_error,
	 NULL, OP_NO_AUTH, RESP_MAX},
	{"GetFunctionCode", "GET", "/_lambda/code/{FunctionName}/{File}",
	 lambda_get_code, NULL, OP_NO_AUTH, 0},
};

static const char *const lambda_runtime_paths[] = {"/2018-06-01/runtime/",
						   "/_lambda/", NULL};

const struct service lambda_runtime_service = {
	.name = "lambda-runtime",
	.path_prefixes = lambda_runtime_paths,
	.protocol = PROTO_REST_JSON,
	.flags = SVC_UNSIGNED,
	.json_content_type = "application/json",
	.max_body = MB,
	.ops = lambda_runtime_ops,
	.n_ops = sizeof(lambda_runtime_ops) / sizeof(lambda_runtime_ops[0]),
};
