/*
 * lambda_runtime.c - the Lambda Runtime API (2018-06-01) that `bootstrap`
 * processes talk to, on the edge port, unsigned:
 *
 *   GET  .../runtime/invocation/next             the next event (parks)
 *   POST .../runtime/invocation/{id}/response    the result
 *   POST .../runtime/invocation/{id}/error       a function error
 *   POST .../runtime/init/error                  init failed
 *
 * each under /_lambda/{token}/2018-06-01 (the token in
 * AWS_LAMBDA_RUNTIME_API names the worker) or bare /2018-06-01 (taken
 * as the only live worker).  /next parks the request (OP_SUSPEND) until
 * an invocation arrives, holding no HTTP thread.  Answers follow the
 * Runtime API: 202 {"status":"OK"} on a result, 400 InvalidRequestID for
 * an id the worker does not hold, 413 for a response over 6 MB (the
 * invocation then fails with Function.ResponseSizeTooLarge).
 */
#include "lambda.h"
#include "protocol.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct lambda_state *lambda_state_of(struct request *req)
{
	return req->emu->bus.lambda;
}

static void accepted(struct response *resp)
{
	resp->status = 202;
	resp_header(resp, "Content-Type", "application/json");
	resp_body(resp, "{\"status\":\"OK\"}", 15);
}

static int unknown_worker(struct request *req)
{
	return req_error(req, 403, "InvalidWorker",
			 "no execution environment answers to this Runtime "
			 "API endpoint");
}

/* The edge wants a parked /next back (shutdown): give it up unless an
 * invocation was already handed to it (op_state is cleared then). */
static int next_cancel(struct request *req)
{
	struct lambda_state *st = lambda_state_of(req);
	pthread_mutex_lock(&st->lock);
	struct lambda_worker *w = req->op_state;
	int gave_up = 0;
	if (w && w->next_req == req) {
		w->next_req = NULL;
		gave_up = 1;
	}
	req->op_state = NULL;
	pthread_mutex_unlock(&st->lock);
	return gave_up;
}

int lambda_rt_next(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	(void)resp;
	pthread_mutex_lock(&st->lock);
	struct lambda_worker *w =
		lambda_pool_worker(st, req_path_param(req, "Token"));
	if (!w) {
		pthread_mutex_unlock(&st->lock);
		return unknown_worker(req);
	}
	if (w->next_req || w->inv) {
		pthread_mutex_unlock(&st->lock);
		return req_error(req, 400, "InvalidStateTransition",
				 "State transition from %s to Ready failed "
				 "for runtime",
				 w->inv ? "Running" : "Ready");
	}
	if (w->state == LW_STARTING)
		w->state = LW_IDLE;
	if (!w->ready) {
		w->ready = 1;
		w->init_ms = time_now_ms() - w->spawned_ms;
	}
	struct lambda_inv *inv = w->retire ? NULL : lambda_pool_take(w->rt);
	if (inv) {
		lambda_pool_deliver(st, w, inv, req);
		pthread_mutex_unlock(&st->lock);
		return 0;
	}
	w->next_req = req;
	req->op_state = w;
	req->cancel = next_cancel;
	pthread_mutex_unlock(&st->lock);
	return OP_SUSPEND;
}

/* The worker of req holding invocation {RequestId}; lock held.  NULL
 * with the error recorded. */
static struct lambda_worker *holder(struct lambda_state *st,
				    struct request *req)
{
	struct lambda_worker *w =
		lambda_pool_worker(st, req_path_param(req, "Token"));
	const char *id = req_path_param(req, "RequestId");
	if (!w) {
		unknown_worker(req);
		return NULL;
	}
	if (!w->inv || !id || strcmp(w->inv->request_id, id) != 0) {
		req_error(req, 400, "InvalidRequestID", "Invalid request ID");
		return NULL;
	}
	return w;
}

int lambda_rt_response(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	pthread_mutex_lock(&st->lock);
	struct lambda_worker *w = holder(st, req);
	if (!w) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	if (req->body_len > LAMBDA_RESPONSE_MAX) {
		lambda_inv_function_error(
			st, w->inv, "Function.ResponseSizeTooLarge",
			"Response payload size exceeded maximum allowed "
			"payload size (6291456 bytes).");
		pthread_mutex_unlock(&st->lock);
		lambda_flush(st);
		return req_error(req, 413, "RequestEntityTooLarge",
				 "Response payload size exceeded maximum "
				 "allowed payload size (6291456 bytes).");
	}
	char *copy = xmalloc(req->body_len + 1);
	memcpy(copy, req->body ? req->body : "", req->body_len);
	copy[req->body_len] = '\0';
	lambda_inv_finish(st, w->inv, copy, req->body_len, NULL, NULL);
	pthread_mutex_unlock(&st->lock);
	lambda_flush(st);
	accepted(resp);
	return 0;
}

/*
 * The error document a runtime posted: its JSON body when it is an
 * object (errorType defaulting to the Lambda-Runtime-Function-Error-Type
 * header), else one built from that header.  Heap string; *type gets
 * the errorType (heap).
 */
static char *posted_error(struct request *req, char **type)
{
	const char *hdr = req_header(req, "lambda-runtime-function-error-type");
	cJSON *doc = req->body_len ? cJSON_ParseWithLength(req->body,
							   req->body_len)
				   : NULL;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "errorMessage", "");
	}
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "errorType");
	if (!cJSON_IsString(t)) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "errorType");
		cJSON_AddStringToObject(doc, "errorType",
					hdr && *hdr ? hdr : "Runtime.Unknown");
		t = cJSON_GetObjectItemCaseSensitive(doc, "errorType");
	}
	*type = xstrdup(t->valuestring);
	char *s = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return s;
}

int lambda_rt_error(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	char *type;
	char *body = posted_error(req, &type);
	pthread_mutex_lock(&st->lock);
	struct lambda_worker *w = holder(st, req);
	if (!w) {
		pthread_mutex_unlock(&st->lock);
		free(body);
		free(type);
		return -1;
	}
	lambda_inv_finish(st, w->inv, body, strlen(body), "Unhandled", type);
	pthread_mutex_unlock(&st->lock);
	free(type);
	lambda_flush(st);
	accepted(resp);
	return 0;
}

int lambda_rt_init_error(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	char *type;
	char *body = posted_error(req, &type);
	pthread_mutex_lock(&st->lock);
	struct lambda_worker *w =
		lambda_pool_worker(st, req_path_param(req, "Token"));
	if (!w || w->ready) {
		pthread_mutex_unlock(&st->lock);
		free(body);
		free(type);
		if (!w)
			return unknown_worker(req);
		return req_error(req, 403, "InvalidStateTransition",
				 "State transition from Ready to InitError "
				 "failed for runtime");
	}
	free(w->init_error);
	free(w->init_error_type);
	w->init_error = body;
	w->init_error_type = type;
	/* Lambda ends an environment whose init failed. */
	lambda_worker_kill(w);
	pthread_mutex_unlock(&st->lock);
	lambda_pool_kick(st);
	accepted(resp);
	return 0;
}
