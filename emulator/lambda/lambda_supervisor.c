/*
 * lambda_supervisor.c - the thread that watches the workers, and the
 * operations on whole pools (forget after an update or delete, clear on
 * reset and stop, describe for /_emulator/resources).
 *
 * Every 20 ms, or as soon as a worker writes output or someone kicks
 * the wake pipe, it: reads the workers' output into their invocations'
 * logs; reaps exited workers (wait4, which also gives the peak RSS for
 * REPORT) and fails what they were doing; kills workers past their
 * invocation's deadline or their init deadline; fails synchronous calls
 * that waited too long for a worker (TooManyRequestsException); starts
 * workers for waiting invocations; frees the pools of deleted functions
 * once they are empty.  Workers and pools are freed only here (or in
 * lambda_pool_stop once this thread has exited).
 */
#include "lambda.h"
#include "log.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* "exit status 1" / "signal: killed", as Lambda words them. */
static void exit_reason(int status, char *out, size_t len)
{
	if (WIFEXITED(status)) {
		snprintf(out, len, "exit status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		const char *name = strsignal(WTERMSIG(status));
		char lower[64];
		size_t i = 0;
		for (; name && name[i] && i + 1 < sizeof(lower); i++)
			lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z')
						  ? name[i] + 32
						  : name[i]);
		lower[i] = '\0';
		snprintf(out, len, "signal: %s", lower);
	} else {
		snprintf(out, len, "unknown exit");
	}
}

/* Fail a parked /next of w (the worker is going away). */
static void drop_next(struct lambda_state *st, struct lambda_worker *w)
{
	struct request *req = w->next_req;
	if (!req)
		return;
	w->next_req = NULL;
	req->op_state = NULL;
	req_error(req, 410, "WorkerGone",
		  "this execution environment was shut down");
	lambda_pool_push_resume(st, req);
}

/* w has exited: settle what it was doing, unlink and free it. */
static void worker_gone(struct lambda_state *st, struct lambda_rt *rt,
			struct lambda_worker *w)
{
	char reason[96];
	lambda_pool_drain(st, w);
	lambda_worker_flush_partial(w);
	exit_reason(w->exit_status, reason, sizeof(reason));
	if (w->inv) {
		char msg[160];
		snprintf(msg, sizeof(msg), "Runtime exited with error: %s",
			 reason);
		lambda_inv_function_error(st, w->inv, "Runtime.ExitError", msg);
	} else if (!w->ready && !w->retire) {
		/* Died during init: the call that started it fails, with
		 * what the runtime reported through /init/error if it did. */
		struct lambda_inv *inv = lambda_pool_take(rt);
		if (inv && w->init_error) {
			char *body = w->init_error;
			w->init_error = NULL;
			lambda_inv_finish(st, inv, body, strlen(body),
					  "Unhandled", w->init_error_type
							       ? w->init_error_type
							       : "Runtime.Unknown");
		} else if (inv) {
			char msg[160];
			snprintf(msg, sizeof(msg),
				 "Runtime exited with error: %s", reason);
			lambda_inv_function_error(st, inv, "Runtime.ExitError",
						  msg);
		}
	}
	drop_next(st, w);
	if (w->out_fd >= 0)
		close(w->out_fd);
	for (struct lambda_worker **p = &rt->workers; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	rt->n_workers--;
	log_info("lambda: worker %s (pid %d) of %s ended (%s)", w->token,
		 (int)w->pid, rt->name, reason);
	free(w->init_error);
	free(w->init_error_type);
	free(w);
}

/* One pass over every pool (lock held). */
static void check_all(struct lambda_state *st)
{
	int64_t now = time_now_ms();
	for (struct lambda_rt **prt = &st->rts; *prt;) {
		struct lambda_rt *rt = *prt;
		for (struct lambda_worker *w = rt->workers, *next; w; w = next) {
			next = w->next;
			if (!w->exited) {
				int status;
				struct rusage ru;
				pid_t r = wait4(w->pid, &status, WNOHANG, &ru);
				if (r == w->pid) {
					w->exited = 1;
					w->exit_status = status;
					w->maxrss_kb = ru.ru_maxrss;
				}
			}
			if (!w->exited && w->inv && w->state == LW_BUSY &&
			    now > w->inv->deadline_ms) {
				struct lambda_inv *inv = w->inv;
				char line[200], when[TIMEFMT_MAX], msg[64];
				time_iso8601_ms(now, when);
				snprintf(msg, sizeof(msg),
					 "Task timed out after %d.00 seconds",
					 rt->timeout_s);
				int n = snprintf(line, sizeof(line), "%s %s %s\n",
						 when, inv->request_id, msg);
				lambda_pool_drain(st, w);
				lambda_inv_log(inv, line, (size_t)n);
				lambda_worker_kill(w);
				w->killed_for_timeout = 1;
				lambda_inv_function_error(st, inv,
							  "Sandbox.Timedout",
							  msg);
			} else if (!w->exited && w->state == LW_STARTING &&
				   now > w->init_deadline_ms) {
				lambda_worker_kill(w);
			}
			if (w->exited)
				worker_gone(st, rt, w);
		}
		for (struct lambda_inv **pi = &rt->pending; *pi;) {
			struct lambda_inv *inv = *pi;
			if (inv->wait_deadline_ms && now > inv->wait_deadline_ms) {
				*pi = inv->next;
				inv->next = NULL;
				inv->http_status = 429;
				inv->err_code = "TooManyRequestsException";
				inv->err_message = xstrdup("Rate Exceeded.");
				lambda_inv_finish(st, inv, NULL, 0, NULL, NULL);
				continue;
			}
			pi = &inv->next;
		}
		/* pending_tail after removals */
		rt->pending_tail = NULL;
		for (struct lambda_inv *p = rt->pending; p; p = p->next)
			rt->pending_tail = p;
		lambda_pool_ensure(st, rt);
		if (rt->stale && !rt->workers && !rt->pending) {
			*prt = rt->next;
			lambda_rt_free(rt);
			continue;
		}
		prt = &rt->next;
	}
}

static void rt_forget(struct lambda_state *st, struct lambda_rt *rt,
		      int deleting);

/* A hot-reload directory changed (lock held): recycle the pools that run
 * from it, as UpdateFunctionCode does. */
static void hot_reload(struct lambda_state *st)
{
	int wds[64];
	size_t n = lambda_hot_read(st, wds, 64);
	for (struct lambda_rt *rt = st->rts; rt; rt = rt->next)
		for (size_t i = 0; i < n; i++)
			if (!rt->stale && rt->hot_wd && rt->hot_wd == wds[i]) {
				log_info("lambda: %s changed, reloading %s",
					 rt->code_dir, rt->name);
				rt_forget(st, rt, 0);
				break;
			}
}

static void *supervisor_main(void *arg)
{
	struct lambda_state *st = arg;
	struct pollfd *pfds = NULL;
	struct lambda_worker **ws = NULL;
	size_t alloc = 0;
	pthread_mutex_lock(&st->lock);
	while (!st->stopping) {
		size_t n = 2;
		for (struct lambda_rt *rt = st->rts; rt; rt = rt->next)
			for (struct lambda_worker *w = rt->workers; w;
			     w = w->next)
				n++;
		if (n > alloc) {
			alloc = n * 2;
			pfds = xrealloc(pfds, alloc * sizeof(*pfds));
			ws = xrealloc(ws, alloc * sizeof(*ws));
		}
		size_t k = 0;
		pfds[k].fd = st->wake_pipe[0];
		pfds[k].events = POLLIN;
		ws[k++] = NULL;
		pfds[k].fd = st->inotify_fd; /* poll ignores -1 */
		pfds[k].events = POLLIN;
		ws[k++] = NULL;
		for (struct lambda_rt *rt = st->rts; rt; rt = rt->next)
			for (struct lambda_worker *w = rt->workers; w;
			     w = w->next) {
				if (w->out_fd < 0)
					continue;
				pfds[k].fd = w->out_fd;
				pfds[k].events = POLLIN;
				ws[k++] = w;
			}
		pthread_mutex_unlock(&st->lock);
		poll(pfds, k, 20);
		pthread_mutex_lock(&st->lock);
		if (pfds[0].revents) {
			char drain[64];
			while (read(st->wake_pipe[0], drain, sizeof(drain)) > 0)
				;
		}
		if (pfds[1].revents)
			hot_reload(st);
		for (size_t i = 2; i < k; i++)
			if (pfds[i].revents)
				lambda_pool_drain(st, ws[i]);
		check_all(st);
		pthread_mutex_unlock(&st->lock);
		lambda_flush(st);
		pthread_mutex_lock(&st->lock);
	}
	pthread_mutex_unlock(&st->lock);
	free(pfds);
	free(ws);
	return NULL;
}

int lambda_pool_start(struct lambda_state *st)
{
	lambda_hot_start(st);
	if (pipe2(st->wake_pipe, O_CLOEXEC | O_NONBLOCK)) {
		lambda_hot_stop(st);
		return -1;
	}
	if (pthread_create(&st->supervisor, NULL, supervisor_main, st)) {
		close(st->wake_pipe[0]);
		close(st->wake_pipe[1]);
		st->wake_pipe[0] = st->wake_pipe[1] = -1;
		lambda_hot_stop(st);
		return -1;
	}
	return 0;
}

/* Kill what rt runs and fail what waits (lock held); deleting: the
 * function is gone, else its configuration changed. */
static void rt_forget(struct lambda_state *st, struct lambda_rt *rt,
		      int deleting)
{
	for (struct lambda_worker *w = rt->workers; w; w = w->next) {
		if (deleting || w->state != LW_BUSY) {
			drop_next(st, w);
			lambda_worker_kill(w);
			w->retire = 1;
		} else {
			w->retire = 1;
		}
	}
	if (deleting) {
		rt->stale = 1;
		struct lambda_inv *inv;
		while ((inv = lambda_pool_take(rt))) {
			inv->http_status = 404;
			inv->err_code = "ResourceNotFoundException";
			inv->err_message = xasprintf("Function not found: %s",
						     rt->arn);
			lambda_inv_finish(st, inv, NULL, 0, NULL, NULL);
		}
	} else {
		rt->reload = 1;
	}
}

void lambda_pool_forget(struct lambda_state *st, const char *name,
			int kill_busy)
{
	pthread_mutex_lock(&st->lock);
	for (struct lambda_rt *rt = st->rts; rt; rt = rt->next)
		if (!rt->stale && strcmp(rt->name, name) == 0)
			rt_forget(st, rt, kill_busy);
	pthread_mutex_unlock(&st->lock);
	lambda_flush(st);
	lambda_pool_kick(st);
}

void lambda_pool_clear(struct lambda_state *st)
{
	pthread_mutex_lock(&st->lock);
	for (struct lambda_rt *rt = st->rts; rt; rt = rt->next)
		if (!rt->stale)
			rt_forget(st, rt, 1);
	pthread_mutex_unlock(&st->lock);
	lambda_flush(st);
	lambda_pool_kick(st);
}

void lambda_pool_stop(struct lambda_state *st)
{
	pthread_mutex_lock(&st->lock);
	st->stopping = 1;
	pthread_mutex_unlock(&st->lock);
	if (st->wake_pipe[1] >= 0) {
		lambda_pool_kick(st);
		pthread_join(st->supervisor, NULL);
	}
	/* The edge is gone: no parked request may be touched any more. */
	pthread_mutex_lock(&st->lock);
	st->edge_stopping = 1;
	for (struct lambda_rt *rt = st->rts; rt; rt = rt->next) {
		for (struct lambda_worker *w = rt->workers; w; w = w->next) {
			lambda_worker_kill(w);
			if (!w->exited) {
				int status;
				struct rusage ru;
				while (wait4(w->pid, &status, 0, &ru) < 0 &&
				       errno == EINTR)
					;
				w->exited = 1;
				w->exit_status = status;
				w->maxrss_kb = ru.ru_maxrss;
			}
		}
		rt->stale = 1;
	}
	/* Free every pool (worker_gone settles running invocations). */
	while (st->rts) {
		struct lambda_rt *rt = st->rts;
		while (rt->workers)
			worker_gone(st, rt, rt->workers);
		struct lambda_inv *inv;
		while ((inv = lambda_pool_take(rt))) {
			inv->http_status = 503;
			inv->err_code = "ServiceException";
			inv->err_message = xstrdup("the emulator is stopping");
			lambda_inv_finish(st, inv, NULL, 0, NULL, NULL);
		}
		st->rts = rt->next;
		lambda_rt_free(rt);
	}
	pthread_mutex_unlock(&st->lock);
	lambda_flush(st);
	lambda_hot_stop(st);
	if (st->wake_pipe[0] >= 0) {
		close(st->wake_pipe[0]);
		close(st->wake_pipe[1]);
		st->wake_pipe[0] = st->wake_pipe[1] = -1;
	}
}

cJSON *lambda_pool_describe(struct lambda_state *st)
{
	cJSON *out = cJSON_CreateArray();
	pthread_mutex_lock(&st->lock);
	for (struct lambda_rt *rt = st->rts; rt; rt = rt->next) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "function", rt->name);
		cJSON_AddStringToObject(o, "version", rt->version);
		cJSON_AddNumberToObject(o, "workers", rt->n_workers);
		cJSON_AddNumberToObject(o, "busy", rt->n_busy);
		int waiting = 0;
		for (struct lambda_inv *p = rt->pending; p; p = p->next)
			waiting++;
		cJSON_AddNumberToObject(o, "waiting", waiting);
		cJSON_AddNumberToObject(o, "cap", rt->cap);
		cJSON_AddBoolToObject(o, "deleted", rt->stale);
		cJSON_AddItemToArray(out, o);
	}
	pthread_mutex_unlock(&st->lock);
	return out;
}
