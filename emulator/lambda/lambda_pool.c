/*
 * lambda_pool.c - scheduling invocations onto workers.
 *
 * Each function version that has been invoked has a lambda_rt: its
 * configuration as the workers need it, its workers and a FIFO of
 * invocations waiting for one.  An invocation goes straight to a worker
 * whose GET /invocation/next is parked; otherwise it waits in the FIFO
 * and a worker is started when fewer are starting or idle than wait,
 * up to the function's cap (reserved concurrency, else LAMBDA_DEFAULT_CAP).
 * A synchronous call that finds every worker busy at the cap waits
 * st->sync_wait_ms for one, then fails with TooManyRequestsException.
 *
 * The supervisor thread polls the workers' output pipes, reaps exited
 * children (wait4), enforces Timeout (SIGKILL to the process group, then
 * "Task timed out after N.00 seconds"), turns a crash into
 * Runtime.ExitError and an init failure into the error the runtime
 * reported, fails sync waiters past their wait, and frees what a delete
 * left behind.  Workers and pools are freed only by the supervisor (or
 * at stop, once it has exited), so pointers taken under the lock stay
 * valid across its poll.
 */
#include "config.h"
#include "hash.h"
#include "ids.h"
#include "lambda.h"
#include "log.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

struct lambda_inv *lambda_inv_new(const char *payload, size_t len)
{
	struct lambda_inv *inv = xcalloc(1, sizeof(*inv));
	inv->payload = xmalloc(len + 1);
	if (len)
		memcpy(inv->payload, payload, len);
	inv->payload[len] = '\0';
	inv->len = len;
	ids_uuid4(inv->request_id);
	buf_init(&inv->log, LAMBDA_INV_LOG_CAP + 1);
	inv->queued_ms = time_now_ms();
	inv->http_status = 200;
	return inv;
}

void lambda_inv_free(struct lambda_inv *inv)
{
	if (!inv)
		return;
	free(inv->payload);
	free(inv->client_context);
	free(inv->version);
	free(inv->err_message);
	free(inv->result);
	free(inv->function_error);
	free(inv->error_type);
	free(inv->function);
	free(inv->qualifier);
	free(inv->log_group);
	free(inv->log_stream);
	buf_free(&inv->log);
	free(inv);
}

void lambda_pool_push_resume(struct lambda_state *st, struct request *req)
{
	struct lambda_resume *r = xmalloc(sizeof(*r));
	r->req = req;
	r->next = st->resume;
	st->resume = r;
}

void lambda_pool_kick(struct lambda_state *st)
{
	char c = 1;
	if (st->wake_pipe[1] >= 0 && write(st->wake_pipe[1], &c, 1) < 0 &&
	    errno != EAGAIN)
		log_debug("lambda: cannot wake the supervisor: %s",
			  strerror(errno));
}

/* {"errorType":type,"errorMessage":msg} as a heap string. */
static char *error_payload(const char *type, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *error_payload(const char *type, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "errorType", type);
	cJSON_AddStringToObject(o, "errorMessage", msg);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* Function error result (errorType/errorMessage) for inv; lock held. */
void lambda_inv_function_error(struct lambda_state *st,
			       struct lambda_inv *inv, const char *type,
			       const char *msg)
{
	char *payload = error_payload(type, "RequestId: %s Error: %s",
				      inv->request_id, msg);
	lambda_inv_finish(st, inv, payload, strlen(payload), "Unhandled",
			  type);
}

void lambda_inv_finish(struct lambda_state *st, struct lambda_inv *inv,
		       char *result, size_t len, const char *function_error,
		       const char *error_type)
{
	struct lambda_worker *w = inv->worker;
	int rss = 0;
	if (w) {
		free(inv->log_group);
		free(inv->log_stream);
		inv->log_group = xasprintf("/aws/lambda/%s", w->rt->name);
		inv->log_stream = xstrdup(w->log_stream);
		lambda_pool_drain(st, w);
		lambda_worker_flush_partial(w);
		rss = w->exited ? (int)((w->maxrss_kb + 1023) / 1024)
				: lambda_worker_max_rss_mb(w);
		w->inv = NULL;
		w->rt->n_busy--;
		if (w->state == LW_BUSY)
			w->state = LW_IDLE;
		if (w->retire && w->state == LW_IDLE)
			lambda_worker_kill(w);
		inv->worker = NULL;
	}
	if (inv->started_us) {
		double ms = (double)(time_mono_us() - inv->started_us) / 1000.0;
		long long billed = (long long)ms + 1;
		char line[512];
		int n = snprintf(line, sizeof(line), "END RequestId: %s\n",
				 inv->request_id);
		lambda_inv_log(inv, line, (size_t)n);
		n = snprintf(line, sizeof(line),
			     "REPORT RequestId: %s\tDuration: %.2f ms\t"
			     "Billed Duration: %lld ms\tMemory Size: %d MB\t"
			     "Max Memory Used: %d MB\t",
			     inv->request_id, ms, billed,
			     w ? w->rt->memory_mb : 0, rss);
		lambda_inv_log(inv, line, (size_t)n);
		if (inv->cold) {
			n = snprintf(line, sizeof(line),
				     "Init Duration: %lld.00 ms\t",
				     (long long)inv->init_ms);
			lambda_inv_log(inv, line, (size_t)n);
		}
		lambda_inv_log(inv, "\n", 1);
	}
	free(inv->result);
	inv->result = result;
	inv->result_len = len;
	if (function_error)
		inv->function_error = xstrdup(function_error);
	if (error_type && !inv->error_type)
		inv->error_type = xstrdup(error_type);
	inv->done = 1;
	if (inv->req)
		inv->req->op_state = NULL;
	inv->next = st->done;
	st->done = inv;
}

void lambda_pool_deliver(struct lambda_state *st, struct lambda_worker *w,
			 struct lambda_inv *inv, struct request *next_req)
{
	struct lambda_rt *rt = w->rt;
	(void)st;
	w->state = LW_BUSY;
	w->inv = inv;
	inv->worker = w;
	rt->n_busy++;
	if (!w->served) {
		w->served = 1;
		inv->cold = 1;
		inv->init_ms = w->init_ms;
	}
	inv->deadline_ms = time_now_ms() + (int64_t)rt->timeout_s * 1000;
	inv->started_us = time_mono_us();
	free(inv->version);
	inv->version = xstrdup(rt->version);
	char line[160];
	int n = snprintf(line, sizeof(line), "START RequestId: %s Version: %s\n",
			 inv->request_id, rt->version);
	lambda_inv_log(inv, line, (size_t)n);

	struct response *resp = req_response(next_req);
	char trace[96], a[9], b[25], c[17];
	ids_hex(a, 8);
	ids_hex(b, 24);
	ids_hex(c, 16);
	a[8] = b[24] = c[16] = '\0';
	snprintf(trace, sizeof(trace), "Root=1-%s-%s;Parent=%s;Sampled=0", a,
		 b, c);
	resp_header(resp, "Content-Type", "application/json");
	resp_header(resp, "Lambda-Runtime-Aws-Request-Id", inv->request_id);
	resp_headerf(resp, "Lambda-Runtime-Deadline-Ms", "%lld",
		     (long long)inv->deadline_ms);
	resp_header(resp, "Lambda-Runtime-Invoked-Function-Arn", rt->arn);
	resp_header(resp, "Lambda-Runtime-Trace-Id", trace);
	if (inv->client_context)
		resp_header(resp, "Lambda-Runtime-Client-Context",
			    inv->client_context);
	if (inv->len)
		resp_body(resp, inv->payload, inv->len);
	else
		resp_body(resp, "{}", 2);
	if (w->next_req == next_req)
		w->next_req = NULL;
	next_req->op_state = NULL;
}

struct lambda_worker *lambda_pool_worker(struct lambda_state *st,
					 const char *token)
{
	struct lambda_worker *only = NULL;
	int live = 0;
	for (struct lambda_rt *rt = st->rts; rt; rt = rt->next) {
		for (struct lambda_worker *w = rt->workers; w; w = w->next) {
			if (w->state == LW_DEAD)
				continue;
			if (token && *token && strcmp(w->token, token) == 0)
				return w;
			live++;
			only = w;
		}
	}
	if ((!token || !*token) && live == 1)
		return only;
	return NULL;
}

static struct lambda_rt *find_rt(struct lambda_state *st, const char *name,
				 const char *version)
{
	for (struct lambda_rt *rt = st->rts; rt; rt = rt->next)
		if (!rt->stale && strcmp(rt->name, name) == 0 &&
		    strcmp(rt->version, version) == 0)
			return rt;
	return NULL;
}

void lambda_rt_free(struct lambda_rt *rt)
{
	free(rt->name);
	free(rt->version);
	free(rt->arn);
	free(rt->code_dir);
	free(rt->handler);
	lambda_worker_free_env(rt->env);
	free(rt);
}

/* Start workers for what waits, within the cap (lock held). */
void lambda_pool_ensure(struct lambda_state *st, struct lambda_rt *rt)
{
	if (rt->stale || st->stopping)
		return;
	int free_workers = 0, waiting = 0;
	for (struct lambda_worker *w = rt->workers; w; w = w->next) {
		if ((w->state == LW_STARTING || w->state == LW_IDLE) &&
		    !w->retire)
			free_workers++;
		/* Died in init, not reaped yet: its reaping settles one
		 * waiting call, so do not start another for that one. */
		else if (w->state == LW_DEAD && !w->ready && !w->retire)
			free_workers++;
	}
	for (struct lambda_inv *inv = rt->pending; inv; inv = inv->next)
		waiting++;
	while (waiting > free_workers && rt->n_workers < rt->cap) {
		char why[PATH_MAX + 64];
		if (lambda_worker_spawn(st, rt, why, sizeof(why))) {
			free_workers++;
			continue;
		}
		/* Every waiting call fails the way Lambda's would. */
		while (rt->pending) {
			struct lambda_inv *inv = rt->pending;
			rt->pending = inv->next;
			lambda_inv_function_error(st, inv, "Runtime.InvalidEntrypoint",
					   why);
		}
		rt->pending_tail = NULL;
		break;
	}
}

/* A new pool for name/qualifier from the database (no lock held); NULL
 * with the error recorded on inv. */
static struct lambda_rt *rt_load(struct lambda_state *st, const char *name,
				 const char *qualifier, struct lambda_inv *inv)
{
	char blob[STORE_BLOB_ID_LEN + 1];
	cJSON *cfg = lambda_db_config(st, name, qualifier, blob, NULL);
	if (!cfg) {
		const struct config *c = st->emu->config;
		inv->http_status = 404;
		inv->err_code = "ResourceNotFoundException";
		inv->err_message = xasprintf(
			"Function not found: arn:aws:lambda:%s:%s:function:%s%s%s",
			c->region, c->account_id, name, qualifier ? ":" : "",
			qualifier ? qualifier : "");
		return NULL;
	}
	struct lambda_rt *rt = xcalloc(1, sizeof(*rt));
	rt->name = xstrdup(name);
	const char *v = lambda_config_str(cfg, "Version");
	rt->version = xstrdup(v ? v : "$LATEST");
	const char *arn = lambda_config_str(cfg, "FunctionArn");
	rt->arn = xstrdup(arn ? arn : name);
	const char *handler = lambda_config_str(cfg, "Handler");
	rt->handler = handler ? xstrdup(handler) : NULL;
	rt->timeout_s = lambda_config_int(cfg, "Timeout", 3);
	rt->memory_mb = lambda_config_int(cfg, "MemorySize", 128);
	int reserved = lambda_db_concurrency(st, name);
	rt->cap = reserved >= 0 ? reserved : st->default_cap;
	rt->code_dir = lambda_code_dir(st, blob);
	if (!rt->code_dir) {
		cJSON_Delete(cfg);
		lambda_rt_free(rt);
		inv->http_status = 500;
		inv->err_code = "ServiceException";
		inv->err_message = xstrdup("cannot unpack the function code");
		return NULL;
	}
	if (lambda_hot_blob(blob))
		rt->hot_wd = lambda_hot_watch(st, rt->code_dir);
	rt->env = lambda_worker_env(st, rt, cfg);
	cJSON_Delete(cfg);
	return rt;
}

/* Move fresh's configuration into rt (lock held); frees fresh. */
static void rt_adopt(struct lambda_rt *rt, struct lambda_rt *fresh)
{
#define SWAP(f) do { __typeof__(rt->f) t = rt->f; rt->f = fresh->f; \
		     fresh->f = t; } while (0)
	SWAP(arn);
	SWAP(code_dir);
	SWAP(hot_wd);
	SWAP(handler);
	SWAP(env);
	SWAP(timeout_s);
	SWAP(memory_mb);
	SWAP(cap);
#undef SWAP
	rt->reload = 0;
	lambda_rt_free(fresh);
}

static int is_plain_version(const char *q)
{
	if (!q || strcmp(q, "$LATEST") == 0)
		return 1;
	for (; *q; q++)
		if (*q < '0' || *q > '9')
			return 0;
	return 1;
}

int lambda_pool_submit(struct lambda_state *st, const char *name,
		       const char *qualifier, struct lambda_inv *inv,
		       int is_async)
{
	const char *version = qualifier ? qualifier : "$LATEST";
	int need_load = !is_plain_version(qualifier);
	pthread_mutex_lock(&st->lock);
	if (!need_load) {
		struct lambda_rt *rt = find_rt(st, name, version);
		need_load = !rt || rt->reload;
	}
	pthread_mutex_unlock(&st->lock);

	struct lambda_rt *fresh = NULL;
	if (need_load) {
		fresh = rt_load(st, name, qualifier, inv);
		if (!fresh)
			return -1;
		version = fresh->version;
	}
	pthread_mutex_lock(&st->lock);
	struct lambda_rt *rt = find_rt(st, name, version);
	if (fresh && rt) {
		rt_adopt(rt, fresh);
	} else if (fresh) {
		rt = fresh;
		rt->next = st->rts;
		st->rts = rt;
	} else if (!rt) {
		/* Deleted between the two looks. */
		pthread_mutex_unlock(&st->lock);
		return lambda_pool_submit(st, name, qualifier, inv, is_async);
	}
	if (rt->cap == 0) {
		pthread_mutex_unlock(&st->lock);
		inv->http_status = 429;
		inv->err_code = "TooManyRequestsException";
		inv->err_message = xstrdup("Rate Exceeded.");
		return -1;
	}
	inv->queued_ms = time_now_ms();
	struct lambda_worker *idle = NULL;
	for (struct lambda_worker *w = rt->workers; w && !idle; w = w->next)
		if (w->state == LW_IDLE && w->next_req && !w->retire)
			idle = w;
	if (idle && !rt->pending) {
		struct request *next_req = idle->next_req;
		lambda_pool_deliver(st, idle, inv, next_req);
		lambda_pool_push_resume(st, next_req);
	} else {
		int free_workers = 0;
		for (struct lambda_worker *w = rt->workers; w; w = w->next)
			if (w->state != LW_BUSY && w->state != LW_DEAD)
				free_workers++;
		int waiting = 1;
		for (struct lambda_inv *p = rt->pending; p; p = p->next)
			waiting++;
		if (!is_async && waiting > free_workers &&
		    rt->n_workers >= rt->cap)
			inv->wait_deadline_ms = inv->queued_ms + st->sync_wait_ms;
		inv->next = NULL;
		if (rt->pending_tail)
			rt->pending_tail->next = inv;
		else
			rt->pending = inv;
		rt->pending_tail = inv;
		lambda_pool_ensure(st, rt);
	}
	pthread_mutex_unlock(&st->lock);
	lambda_flush(st);
	lambda_pool_kick(st);
	return 0;
}

struct lambda_inv *lambda_pool_take(struct lambda_rt *rt)
{
	struct lambda_inv *inv = rt->pending;
	if (inv) {
		rt->pending = inv->next;
		if (!rt->pending)
			rt->pending_tail = NULL;
		inv->next = NULL;
	}
	return inv;
}

void lambda_flush(struct lambda_state *st)
{
	pthread_mutex_lock(&st->lock);
	struct lambda_resume *r = st->resume;
	struct lambda_inv *done = st->done;
	int edge_stopping = st->edge_stopping;
	st->resume = NULL;
	st->done = NULL;
	pthread_mutex_unlock(&st->lock);
	while (r) {
		struct lambda_resume *next = r->next;
		/* Once the edge cancels parked requests it answers them
		 * itself; resuming one then would race with that. */
		if (!edge_stopping)
			req_resume(r->req);
		free(r);
		r = next;
	}
	/* The list is newest first: report in arrival order. */
	struct lambda_inv *rev = NULL;
	while (done) {
		struct lambda_inv *next = done->next;
		done->next = rev;
		rev = done;
		done = next;
	}
	while (rev) {
		struct lambda_inv *next = rev->next;
		rev->next = NULL;
		if (edge_stopping)
			rev->req = NULL;
		lambda_invoke_completed(st, rev);
		rev = next;
	}
}
