/*
 * lambda_async.c - the durable queue of asynchronous invocations and the
 * dispatcher thread that runs it (see lambda_invoke.c for the rules).
 *
 * An event is a row of async_events from the moment Invoke answers 202
 * (or the bus hook returns 0) until it succeeds or is given up; giving
 * up moves it to async_failures in one transaction.  `running` marks the
 * rows handed to a pool; lambda_db_open clears it at start, so what was
 * running when the process died runs again.
 */
#include "config.h"
#include "lambda.h"
#include "log.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LAMBDA_ASYNC_INFLIGHT 64
#define DEFAULT_RETRIES 2
#define DEFAULT_MAX_AGE_S 21600

int lambda_async_enqueue(struct lambda_state *st, const char *name,
			 const char *qualifier, const char *payload,
			 size_t len, const char *request_id)
{
	sqlite3_stmt *stmt = store_prepare(
		st->db, "INSERT INTO async_events (request_id, function, "
			"qualifier, payload, enqueued_ms, due_ms) "
			"VALUES (?, ?, ?, ?, ?, ?)");
	if (!stmt)
		return -1;
	int64_t now = time_now_ms();
	sqlite3_bind_text(stmt, 1, request_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, qualifier ? qualifier : "$LATEST", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_blob(stmt, 4, len ? payload : "", (int)len,
			  SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 5, now);
	sqlite3_bind_int64(stmt, 6, now);
	int rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return -1;
	pthread_mutex_lock(&st->lock);
	pthread_cond_signal(&st->wake);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

/* MaximumRetryAttempts / MaximumEventAgeInSeconds / destinations of
 * name: the stored event invoke config (caller frees), or NULL. */
static cJSON *invoke_config(struct lambda_state *st, const char *name)
{
	char *text = lambda_db_column(st, name, "invoke_config", NULL);
	cJSON *eic = text ? cJSON_Parse(text) : NULL;
	free(text);
	return eic;
}

/* Send message to a destination ARN (SNS topic or Lambda function). */
static void send_to(struct lambda_state *st, const char *arn,
		    const char *message)
{
	char err[256] = "";
	if (strstr(arn, ":sns:")) {
		struct bus *bus = &st->emu->bus;
		char id[37];
		if (!bus->sns_publish) {
			log_warn("lambda: destination %s: SNS is not part of "
				 "this build", arn);
			return;
		}
		if (bus->sns_publish(bus->sns, arn, NULL, message, id, err,
				     sizeof(err)))
			log_warn("lambda: destination %s: %s", arn, err);
		return;
	}
	if (strstr(arn, ":lambda:")) {
		if (lambda_bus_invoke_async(st, arn, message, strlen(message),
					    err, sizeof(err)))
			log_warn("lambda: destination %s: %s", arn, err);
		return;
	}
	log_warn("lambda: destination %s: only SNS topics and Lambda "
		 "functions are emulated", arn);
}

/* Lambda's destination record for inv. */
static char *destination_record(struct lambda_state *st,
				struct lambda_inv *inv, const char *condition,
				int attempts)
{
	const struct config *c = st->emu->config;
	char when[TIMEFMT_MAX], arn[512];
	time_iso8601_ms(time_now_ms(), when);
	snprintf(arn, sizeof(arn), "arn:aws:lambda:%s:%s:function:%s:%s",
		 c->region, c->account_id, inv->function, inv->qualifier);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "version", "1.0");
	cJSON_AddStringToObject(o, "timestamp", when);
	cJSON *rc = cJSON_AddObjectToObject(o, "requestContext");
	cJSON_AddStringToObject(rc, "requestId", inv->request_id);
	cJSON_AddStringToObject(rc, "functionArn", arn);
	cJSON_AddStringToObject(rc, "condition", condition);
	cJSON_AddNumberToObject(rc, "approximateInvokeCount", attempts);
	cJSON *req = cJSON_ParseWithLength(inv->payload, inv->len);
	cJSON_AddItemToObject(o, "requestPayload",
			      req ? req : cJSON_CreateString(inv->payload));
	cJSON *resp = cJSON_AddObjectToObject(o, "responseContext");
	cJSON_AddNumberToObject(resp, "statusCode",
				inv->err_code ? inv->http_status : 200);
	cJSON_AddStringToObject(resp, "executedVersion",
				inv->version ? inv->version : "$LATEST");
	if (inv->function_error)
		cJSON_AddStringToObject(resp, "functionError",
					inv->function_error);
	if (inv->result) {
		cJSON *r = cJSON_ParseWithLength(inv->result, inv->result_len);
		cJSON_AddItemToObject(o, "responsePayload",
				      r ? r : cJSON_CreateString(inv->result));
	}
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void send_destination(struct lambda_state *st, const cJSON *eic,
			     const char *which, struct lambda_inv *inv,
			     const char *condition, int attempts)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(eic,
							 "DestinationConfig"),
			which),
		"Destination");
	if (!cJSON_IsString(d) || !*d->valuestring)
		return;
	char *record = destination_record(st, inv, condition, attempts);
	send_to(st, d->valuestring, record);
	free(record);
}

/* The function's dead-letter queue, if one is configured. */
static void send_dlq(struct lambda_state *st, struct lambda_inv *inv)
{
	cJSON *cfg = lambda_db_config(st, inv->function, NULL, NULL, NULL);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cfg, "DeadLetterConfig"),
		"TargetArn");
	if (cJSON_IsString(t) && *t->valuestring)
		send_to(st, t->valuestring, inv->payload);
	cJSON_Delete(cfg);
}

static int exec_id(struct lambda_state *st, const char *sql, int64_t id)
{
	sqlite3_stmt *stmt = store_prepare(st->db, sql);
	if (!stmt)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	int rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Give the event up: async_failures + delete, one transaction. */
static void give_up(struct lambda_state *st, struct lambda_inv *inv,
		    const char *condition, int attempts, const cJSON *eic)
{
	int rc = store_begin(st->db);
	sqlite3_stmt *stmt = rc ? NULL : store_prepare(
		st->db, "INSERT INTO async_failures (request_id, function, "
			"qualifier, payload, attempts, condition, error, "
			"failed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (stmt) {
		sqlite3_bind_text(stmt, 1, inv->request_id, -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 2, inv->function, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 3, inv->qualifier, -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_blob(stmt, 4, inv->payload, (int)inv->len,
				  SQLITE_TRANSIENT);
		sqlite3_bind_int(stmt, 5, attempts);
		sqlite3_bind_text(stmt, 6, condition, -1, SQLITE_TRANSIENT);
		const char *err = inv->error_type ? inv->error_type
						  : inv->err_code;
		if (err)
			sqlite3_bind_text(stmt, 7, err, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(stmt, 7);
		sqlite3_bind_int64(stmt, 8, time_now_ms());
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(stmt);
	}
	if (rc == 0)
		rc = exec_id(st, "DELETE FROM async_events WHERE id = ?",
			     inv->async_id);
	if (rc == 0)
		rc = store_commit(st->db);
	if (rc) {
		store_rollback(st->db);
		log_error("lambda: cannot record the failed event %s",
			  inv->request_id);
		return;
	}
	log_info("lambda: event %s for %s failed (%s after %d attempts)",
		 inv->request_id, inv->function, condition, attempts);
	send_destination(st, eic, "OnFailure", inv, condition, attempts);
	send_dlq(st, inv);
}

void lambda_async_completed(struct lambda_state *st, struct lambda_inv *inv)
{
	pthread_mutex_lock(&st->lock);
	st->async_running--;
	int stopping = st->stopping;
	pthread_cond_signal(&st->wake);
	pthread_mutex_unlock(&st->lock);
	int64_t now = time_now_ms();
	int ok = !inv->err_code && !inv->function_error;
	if (!ok && stopping) {
		/* Cut short by the shutdown: the row stays and the event
		 * runs again at the next start. */
		lambda_inv_free(inv);
		return;
	}
	if (!ok && inv->http_status == 429) {
		/* Throttled: not an attempt; try again shortly. */
		sqlite3_stmt *stmt = store_prepare(
			st->db, "UPDATE async_events SET running = 0, "
				"due_ms = ? WHERE id = ?");
		if (stmt) {
			sqlite3_bind_int64(stmt, 1, now + 1000);
			sqlite3_bind_int64(stmt, 2, inv->async_id);
			sqlite3_step(stmt);
			sqlite3_reset(stmt);
		}
		lambda_inv_free(inv);
		return;
	}
	cJSON *eic = invoke_config(st, inv->function);
	int attempts = inv->attempts + 1;
	if (ok) {
		exec_id(st, "DELETE FROM async_events WHERE id = ?",
			inv->async_id);
		send_destination(st, eic, "OnSuccess", inv, "Success",
				 attempts);
	} else {
		int max_retries = lambda_config_int(
			eic, "MaximumRetryAttempts", DEFAULT_RETRIES);
		int max_age = lambda_config_int(
			eic, "MaximumEventAgeInSeconds", DEFAULT_MAX_AGE_S);
		int64_t due = now + st->retry_base_ms * attempts;
		int gone = inv->http_status == 404;
		if (!gone && attempts <= max_retries &&
		    due - inv->enqueued_ms <= (int64_t)max_age * 1000) {
			sqlite3_stmt *stmt = store_prepare(
				st->db, "UPDATE async_events SET attempts = ?, "
					"running = 0, due_ms = ? WHERE id = ?");
			if (stmt) {
				sqlite3_bind_int(stmt, 1, attempts);
				sqlite3_bind_int64(stmt, 2, due);
				sqlite3_bind_int64(stmt, 3, inv->async_id);
				sqlite3_step(stmt);
				sqlite3_reset(stmt);
			}
			log_info("lambda: event %s for %s failed (%s); retry "
				 "%d in %lld ms", inv->request_id,
				 inv->function,
				 inv->error_type ? inv->error_type : "error",
				 attempts, (long long)(due - now));
		} else {
			give_up(st, inv,
				gone ? "ResourceNotFound"
				     : attempts > max_retries
					       ? "RetriesExhausted"
					       : "EventAgeExceeded",
				attempts, eic);
		}
	}
	cJSON_Delete(eic);
	lambda_inv_free(inv);
}

/* Hand the due events to the pools; returns ms until the next is due. */
static int64_t dispatch_due(struct lambda_state *st)
{
	if (!__atomic_load_n(&st->emu->edge, __ATOMIC_ACQUIRE))
		return 50; /* workers need the edge's port */
	pthread_mutex_lock(&st->lock);
	int room = LAMBDA_ASYNC_INFLIGHT - st->async_running;
	pthread_mutex_unlock(&st->lock);
	int64_t now = time_now_ms();
	struct lambda_inv *batch = NULL, **tail = &batch;
	sqlite3_stmt *stmt = room <= 0 ? NULL : store_prepare(
		st->db, "SELECT id, request_id, function, qualifier, payload, "
			"attempts, enqueued_ms FROM async_events WHERE "
			"running = 0 AND due_ms <= ? ORDER BY due_ms, id "
			"LIMIT ?");
	if (stmt) {
		sqlite3_bind_int64(stmt, 1, now);
		sqlite3_bind_int(stmt, 2, room);
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			struct lambda_inv *inv = lambda_inv_new(
				sqlite3_column_blob(stmt, 4),
				(size_t)sqlite3_column_bytes(stmt, 4));
			inv->async_id = sqlite3_column_int64(stmt, 0);
			snprintf(inv->request_id, sizeof(inv->request_id), "%s",
				 (const char *)sqlite3_column_text(stmt, 1));
			inv->function = xstrdup(
				(const char *)sqlite3_column_text(stmt, 2));
			inv->qualifier = xstrdup(
				(const char *)sqlite3_column_text(stmt, 3));
			inv->attempts = sqlite3_column_int(stmt, 5);
			inv->enqueued_ms = sqlite3_column_int64(stmt, 6);
			*tail = inv;
			tail = &inv->next;
		}
		sqlite3_reset(stmt);
	}
	while (batch) {
		struct lambda_inv *inv = batch;
		batch = inv->next;
		inv->next = NULL;
		cJSON *eic = invoke_config(st, inv->function);
		int max_age = lambda_config_int(eic, "MaximumEventAgeInSeconds",
						DEFAULT_MAX_AGE_S);
		if (now - inv->enqueued_ms > (int64_t)max_age * 1000) {
			give_up(st, inv, "EventAgeExceeded", inv->attempts, eic);
			cJSON_Delete(eic);
			lambda_inv_free(inv);
			continue;
		}
		cJSON_Delete(eic);
		exec_id(st, "UPDATE async_events SET running = 1 WHERE id = ?",
			inv->async_id);
		pthread_mutex_lock(&st->lock);
		st->async_running++;
		pthread_mutex_unlock(&st->lock);
		if (lambda_pool_submit(st, inv->function,
				       strcmp(inv->qualifier, "$LATEST")
					       ? inv->qualifier
					       : NULL,
				       inv, 1)) {
			/* Not taken (gone, throttled): settle it here. */
			lambda_async_completed(st, inv);
		}
	}
	stmt = store_prepare(st->db, "SELECT min(due_ms) FROM async_events "
				     "WHERE running = 0");
	int64_t wait = 1000;
	if (stmt) {
		if (sqlite3_step(stmt) == SQLITE_ROW &&
		    sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
			int64_t d = sqlite3_column_int64(stmt, 0) - time_now_ms();
			wait = d < 0 ? 0 : d < 1000 ? d : 1000;
		}
		sqlite3_reset(stmt);
	}
	return wait;
}

static void *dispatcher_main(void *arg)
{
	struct lambda_state *st = arg;
	pthread_mutex_lock(&st->lock);
	while (!st->stopping) {
		pthread_mutex_unlock(&st->lock);
		int64_t wait = dispatch_due(st);
		pthread_mutex_lock(&st->lock);
		if (st->stopping)
			break;
		if (wait <= 0)
			wait = 5;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait / 1000;
		ts.tv_nsec += (long)(wait % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&st->wake, &st->lock, &ts);
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

int lambda_dispatcher_start(struct lambda_state *st)
{
	return pthread_create(&st->dispatcher, NULL, dispatcher_main, st) ? -1
									  : 0;
}

void lambda_dispatcher_stop(struct lambda_state *st)
{
	pthread_mutex_lock(&st->lock);
	st->stopping = 1;
	pthread_cond_broadcast(&st->wake);
	pthread_mutex_unlock(&st->lock);
	pthread_join(st->dispatcher, NULL);
}
