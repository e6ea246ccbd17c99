/*
 * lambda_invoke.c - Invoke and the asynchronous invocation queue.
 *
 * Invoke (POST /2015-03-31/functions/{name}/invocations):
 *   RequestResponse  the call parks (OP_SUSPEND) until a worker answers;
 *                    200 with the function's payload, X-Amz-Executed-
 *                    Version, X-Amz-Function-Error: Unhandled on a
 *                    function error, X-Amz-Log-Result (base64 of the
 *                    last 4 KB of the log) with LogType: Tail.
 *   Event            202 once the event is durably queued (SQLite).
 *   DryRun           204 when the function exists.
 * Payloads must be JSON, at most 6 MB (sync) or 256 KB (Event).
 *
 * The async queue (async_events) is run by the dispatcher thread: due
 * events go to the pools (at most LAMBDA_ASYNC_INFLIGHT at once, in due
 * order); a failure is retried after retry_base_ms x attempt (Lambda:
 * 1 min, then 2 min) up to MaximumRetryAttempts (default 2) and within
 * MaximumEventAgeInSeconds (default 6 h), then recorded in
 * async_failures and sent to the OnFailure destination / DLQ when one is
 * configured; a success goes to the OnSuccess destination.  Destinations
 * that are SNS topics are published through the bus, Lambda functions
 * get an Event invocation; other kinds are logged and skipped.  Rows
 * marked running when the process stopped run again at the next start.
 */
#include "config.h"
#include "hash.h"
#include "ids.h"
#include "lambda.h"
#include "log.h"
#include "protocol.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LAMBDA_ASYNC_INFLIGHT 64

/* The edge wants a parked Invoke back (shutdown): give it up unless
 * the invocation already finished and its answer is on the way
 * (op_state is cleared when it finishes). */
static int invoke_cancel(struct request *req)
{
	struct lambda_state *st = lambda_state_of(req);
	pthread_mutex_lock(&st->lock);
	struct lambda_inv *inv = req->op_state;
	if (inv)
		inv->req = NULL;
	req->op_state = NULL;
	pthread_mutex_unlock(&st->lock);
	return inv != NULL;
}

int lambda_invoke(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	const char *type = req_header(req, "x-amz-invocation-type");
	if (!type || !*type)
		type = "RequestResponse";
	int is_event = strcmp(type, "Event") == 0;
	int dry = strcmp(type, "DryRun") == 0;
	if (!is_event && !dry && strcmp(type, "RequestResponse") != 0)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%s' at "
				 "'invocationType' failed to satisfy "
				 "constraint: Member must satisfy enum value "
				 "set: [Event, RequestResponse, DryRun]", type);
	const char *log_type = req_header(req, "x-amz-log-type");
	if (log_type && *log_type && strcmp(log_type, "Tail") != 0 &&
	    strcmp(log_type, "None") != 0)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%s' at "
				 "'logType' failed to satisfy constraint: "
				 "Member must satisfy enum value set: [None, "
				 "Tail]", log_type);
	size_t limit = is_event ? LAMBDA_ASYNC_MAX_PAYLOAD
				: LAMBDA_SYNC_MAX_PAYLOAD;
	if (req->body_len > limit)
		return req_error(req, 413, "RequestEntityTooLargeException",
				 "Request must be smaller than %zu bytes for "
				 "the InvokeFunction operation", limit);
	if (req->body_len) {
		cJSON *doc = cJSON_ParseWithLength(req->body, req->body_len);
		if (!doc)
			return req_error(req, 400,
					 "InvalidRequestContentException",
					 "Could not parse request body into "
					 "json: Could not parse payload into "
					 "json: Unexpected character: was "
					 "expecting (JSON String, Number, "
					 "Array, Object or token 'null', "
					 "'true' or 'false')");
		cJSON_Delete(doc);
	}
	if (is_event || dry) {
		cJSON *cfg = lambda_db_config(st, name, qualifier, NULL, NULL);
		if (!cfg)
			return lambda_not_found(req, name, qualifier);
		const char *version = lambda_config_str(cfg, "Version");
		resp_header(resp, "X-Amz-Executed-Version",
			    version ? version : "$LATEST");
		cJSON_Delete(cfg);
		if (dry) {
			resp->status = 204;
			return 0;
		}
		if (lambda_async_enqueue(st, name, qualifier, req->body, req->body_len,
			    req->request_id))
			return req_error(req, 500, "ServiceException",
					 "cannot queue the event");
		resp->status = 202;
		return 0;
	}

	struct lambda_inv *inv = lambda_inv_new(req->body, req->body_len);
	memcpy(inv->request_id, req->request_id, sizeof(inv->request_id) - 1);
	inv->request_id[sizeof(inv->request_id) - 1] = '\0';
	inv->log_tail = log_type && strcmp(log_type, "Tail") == 0;
	const char *cc = req_header(req, "x-amz-client-context");
	if (cc && *cc) {
		size_t n = strlen(cc), out_len;
		char *decoded = xmalloc(n + 1);
		if (hash_base64_decode(cc, n, (unsigned char *)decoded, n,
				       &out_len) == 0) {
			decoded[out_len] = '\0';
			inv->client_context = decoded;
		} else {
			free(decoded);
		}
	}
	inv->req = req;
	req->op_state = inv;
	req->cancel = invoke_cancel;
	if (lambda_pool_submit(st, name, qualifier, inv, 0)) {
		req->op_state = NULL;
		req->cancel = NULL;
		req_error(req, inv->http_status, inv->err_code, "%s",
			  inv->err_message ? inv->err_message : "");
		if (inv->http_status == 429)
			req_error_extra(req, "Reason",
					"ReservedFunctionConcurrentInvocation"
					"LimitExceeded");
		lambda_inv_free(inv);
		return -1;
	}
	return OP_SUSPEND;
}

int lambda_invoke_async_v1(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (lambda_req_function(req, &name, &qualifier))
		return -1;
	if (req->body_len > LAMBDA_ASYNC_MAX_PAYLOAD)
		return req_error(req, 413, "RequestEntityTooLargeException",
				 "Request must be smaller than %u bytes for "
				 "the InvokeAsync operation",
				 LAMBDA_ASYNC_MAX_PAYLOAD);
	cJSON *cfg = lambda_db_config(st, name, qualifier, NULL, NULL);
	if (!cfg)
		return lambda_not_found(req, name, qualifier);
	cJSON_Delete(cfg);
	if (lambda_async_enqueue(st, name, qualifier, req->body, req->body_len,
		    req->request_id))
		return req_error(req, 500, "ServiceException",
				 "cannot queue the event");
	resp->status = 202;
	cJSON *out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "Status", 202);
	resp_json(resp, &lambda_service, out);
	return 0;
}

int lambda_bus_invoke_async(void *lambda, const char *function_arn,
			    const char *payload, size_t len, char *errbuf,
			    size_t errlen)
{
	struct lambda_state *st = lambda;
	struct arena *arena = arena_new();
	const char *name, *qualifier;
	int rc = -1;
	char id[37];
	if (lambda_parse_function_name(arena, function_arn, &name,
				       &qualifier)) {
		snprintf(errbuf, errlen, "invalid function name: %s",
			 function_arn);
	} else if (len > LAMBDA_ASYNC_MAX_PAYLOAD) {
		snprintf(errbuf, errlen, "payload of %zu bytes is over the "
			 "%u byte limit", len, LAMBDA_ASYNC_MAX_PAYLOAD);
	} else {
		cJSON *cfg = lambda_db_config(st, name, qualifier, NULL, NULL);
		if (!cfg) {
			snprintf(errbuf, errlen, "Function not found: %s",
				 function_arn);
		} else {
			cJSON_Delete(cfg);
			ids_uuid4(id);
			rc = lambda_async_enqueue(st, name, qualifier, payload, len, id);
			if (rc)
				snprintf(errbuf, errlen,
					 "cannot queue the event");
		}
	}
	arena_destroy(arena);
	return rc;
}

/* The answer to a finished synchronous Invoke. */
static void answer_sync(struct lambda_inv *inv)
{
	struct request *req = inv->req;
	if (inv->err_code) {
		req_error(req, inv->http_status, inv->err_code, "%s",
			  inv->err_message ? inv->err_message : "");
		if (inv->http_status == 429)
			req_error_extra(req, "Reason",
					"ConcurrentInvocationLimitExceeded");
		req_resume(req);
		return;
	}
	struct response *resp = req_response(req);
	resp->status = 200;
	resp_header(resp, "Content-Type", "application/json");
	resp_header(resp, "X-Amz-Executed-Version",
		    inv->version ? inv->version : "$LATEST");
	if (inv->function_error)
		resp_header(resp, "X-Amz-Function-Error", inv->function_error);
	if (inv->log_tail) {
		size_t n = inv->log.len, from = 0;
		if (n > LAMBDA_LOG_TAIL) {
			from = n - LAMBDA_LOG_TAIL;
			n = LAMBDA_LOG_TAIL;
		}
		char *b64 = arena_alloc(req->arena, n / 3 * 4 + 8);
		hash_base64_encode(inv->log.data ? inv->log.data + from : "",
				   n, b64);
		resp_header(resp, "X-Amz-Log-Result", b64);
	}
	if (inv->result) {
		resp_body_take(resp, inv->result, inv->result_len);
		inv->result = NULL;
	}
	req_resume(req);
}

void lambda_invoke_completed(struct lambda_state *st, struct lambda_inv *inv)
{
	if (inv->log.len)
		log_debug("lambda: %s log:\n%s", inv->request_id,
			  inv->log.data);
	/* Into CloudWatch Logs, outside the lock (this runs from
	 * lambda_flush). */
	struct bus *bus = &st->emu->bus;
	if (inv->log.len && inv->log_stream && bus->logs_put)
		bus->logs_put(bus->logs, inv->log_group, inv->log_stream,
			      inv->log.data, inv->log.len, time_now_ms());
	if (inv->async_id) {
		lambda_async_completed(st, inv);
		return;
	}
	if (inv->req)
		answer_sync(inv);
	lambda_inv_free(inv);
}
