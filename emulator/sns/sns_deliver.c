/*
 * sns_deliver.c - getting queued messages to their subscribers.
 *
 * Publish and Subscribe write one `outbox` row per delivery in the same
 * transaction as the rest of their work, with the exact body to send, so
 * nothing is lost across a crash or a restart: rows still `pending` are
 * picked up again at the next start.  SNS_WORKERS threads take due rows
 * (claiming each in a transaction, so no row goes out twice at once) and:
 *   - http/https: POST the body with SNS's headers (libcurl, 15 s
 *     timeout like AWS).  2xx is delivered; 5xx, 429, a timeout or a
 *     connection failure is retried on the delivery policy's schedule;
 *     any other status is a client-side error and is not retried.
 *   - lambda: hand the event to the Lambda service (bus.lambda_invoke_
 *     async).  While no Lambda service is part of the build the row
 *     stays pending and is looked at again every second: never dropped.
 * A row that runs out of retries is `dead-lettered` when the
 * subscription has a RedrivePolicy (the target ARN is recorded; there is
 * no SQS here to receive it) and `failed` otherwise.  Every row's state,
 * attempts, last HTTP status and error are listed in /_emulator/resources.
 *
 * Retry schedule (AWS's four phases of a healthyRetryPolicy): after
 * numNoDelayRetries immediate retries, numMinDelayRetries at
 * minDelayTarget, then the backoff phase from minDelayTarget to
 * maxDelayTarget (linear, arithmetic, geometric or exponential), then
 * numMaxDelayRetries at maxDelayTarget; numRetries in all.  No jitter, so
 * tests can rely on the schedule.  With --fast-retries a second of delay
 * counts as a millisecond.
 */
#include "config.h"
#include "log.h"
#include "sns.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HTTP_TIMEOUT_MS 15000
#define LAMBDA_WAIT_MS 1000 /* re-check for a Lambda service */
#define IDLE_WAIT_MS 1000

/* AWS's policy for the protocols it manages (Lambda). */
static const char lambda_policy[] =
	"{\"minDelayTarget\":1,\"maxDelayTarget\":20,\"numRetries\":100015,"
	"\"numNoDelayRetries\":3,\"numMinDelayRetries\":2,"
	"\"numMaxDelayRetries\":100000,\"backoffFunction\":\"exponential\"}";

struct retry_policy {
	long min_delay, max_delay, retries, no_delay, min_retries,
		max_retries;
	char backoff[16];
};

static long num_field(const cJSON *o, const char *name, long dflt, int *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!v)
		return dflt;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble != (double)(long)v->valuedouble) {
		*bad = 1;
		return dflt;
	}
	return (long)v->valuedouble;
}

/* Read a healthyRetryPolicy object (NULL: AWS's HTTP default) with AWS's
 * defaults for missing fields; 0, or -1 when a field is invalid. */
static int parse_policy(const cJSON *o, struct retry_policy *p)
{
	int bad = 0;
	p->min_delay = num_field(o, "minDelayTarget", 20, &bad);
	p->max_delay = num_field(o, "maxDelayTarget", 20, &bad);
	p->retries = num_field(o, "numRetries", 3, &bad);
	p->no_delay = num_field(o, "numNoDelayRetries", 0, &bad);
	p->min_retries = num_field(o, "numMinDelayRetries", 0, &bad);
	p->max_retries = num_field(o, "numMaxDelayRetries", 0, &bad);
	snprintf(p->backoff, sizeof(p->backoff), "linear");
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "backoffFunction");
	if (b) {
		if (!cJSON_IsString(b) ||
		    (strcmp(b->valuestring, "linear") != 0 &&
		     strcmp(b->valuestring, "arithmetic") != 0 &&
		     strcmp(b->valuestring, "geometric") != 0 &&
		     strcmp(b->valuestring, "exponential") != 0))
			return -1;
		snprintf(p->backoff, sizeof(p->backoff), "%s", b->valuestring);
	}
	if (bad || p->min_delay > p->max_delay ||
	    p->no_delay + p->min_retries + p->max_retries > p->retries)
		return -1;
	return 0;
}

long sns_retry_delay_ms(const char *policy_json, int retry, int fast)
{
	struct retry_policy p;
	cJSON *o = policy_json ? cJSON_Parse(policy_json) : NULL;
	int rc = parse_policy(o, &p);
	cJSON_Delete(o);
	if (rc || retry < 1 || retry > p.retries)
		return -1;
	double secs;
	long backoff_n = p.retries - p.no_delay - p.min_retries -
			 p.max_retries;
	if (retry <= p.no_delay) {
		secs = 0;
	} else if (retry <= p.no_delay + p.min_retries) {
		secs = (double)p.min_delay;
	} else if (retry <= p.no_delay + p.min_retries + backoff_n) {
		double t = (double)(retry - p.no_delay - p.min_retries) /
			   (double)backoff_n;
		double span = (double)(p.max_delay - p.min_delay);
		if (strcmp(p.backoff, "exponential") == 0 && p.min_delay > 0)
			secs = (double)p.min_delay *
			       pow((double)p.max_delay / (double)p.min_delay, t);
		else if (strcmp(p.backoff, "geometric") == 0)
			secs = (double)p.min_delay + span * t * t * t;
		else if (strcmp(p.backoff, "arithmetic") == 0)
			secs = (double)p.min_delay + span * t * t;
		else
			secs = (double)p.min_delay + span * t;
	} else {
		secs = (double)p.max_delay;
	}
	return fast ? (long)(secs + 0.5) : (long)(secs * 1000.0 + 0.5);
}

int sns_delivery_policy_check(const char *json, int topic_level)
{
	cJSON *o = cJSON_Parse(json);
	const cJSON *h = o;
	if (topic_level) {
		h = cJSON_GetObjectItemCaseSensitive(o, "http");
		if (h && !cJSON_IsObject(h))
			h = NULL;
		h = h ? cJSON_GetObjectItemCaseSensitive(
				h, "defaultHealthyRetryPolicy")
		      : NULL;
	} else {
		h = cJSON_GetObjectItemCaseSensitive(o, "healthyRetryPolicy");
	}
	struct retry_policy p;
	int rc = !cJSON_IsObject(o) || (h && !cJSON_IsObject(h)) ||
		 (h && (parse_policy(h, &p) || p.retries > 100 ||
			p.max_delay > 3600 || p.min_delay < 1));
	cJSON_Delete(o);
	return rc ? -1 : 0;
}

char *sns_effective_retry_policy(const cJSON *topic_attrs,
				 const cJSON *sub_attrs)
{
	const cJSON *tp = cJSON_GetObjectItemCaseSensitive(topic_attrs,
							   "DeliveryPolicy");
	const cJSON *sp = cJSON_GetObjectItemCaseSensitive(sub_attrs,
							   "DeliveryPolicy");
	cJSON *t = cJSON_IsString(tp) ? cJSON_Parse(tp->valuestring) : NULL;
	cJSON *s = cJSON_IsString(sp) ? cJSON_Parse(sp->valuestring) : NULL;
	const cJSON *http = cJSON_GetObjectItemCaseSensitive(t, "http");
	const cJSON *chosen = cJSON_GetObjectItemCaseSensitive(
		http, "defaultHealthyRetryPolicy");
	const cJSON *no_override = cJSON_GetObjectItemCaseSensitive(
		http, "disableSubscriptionOverrides");
	const cJSON *own = cJSON_GetObjectItemCaseSensitive(
		s, "healthyRetryPolicy");
	if (own && !cJSON_IsTrue(no_override))
		chosen = own;
	struct retry_policy p;
	if (!chosen || parse_policy(chosen, &p))
		parse_policy(NULL, &p);
	char *out = xasprintf(
		"{\"minDelayTarget\":%ld,\"maxDelayTarget\":%ld,"
		"\"numRetries\":%ld,\"numMaxDelayRetries\":%ld,"
		"\"numNoDelayRetries\":%ld,\"numMinDelayRetries\":%ld,"
		"\"backoffFunction\":\"%s\"}",
		p.min_delay, p.max_delay, p.retries, p.max_retries, p.no_delay,
		p.min_retries, p.backoff);
	cJSON_Delete(t);
	cJSON_Delete(s);
	return out;
}

int sns_outbox_add(struct sns *sns, const struct sns_outbox_row *row)
{
	sqlite3_stmt *st = store_prepare(
		sns->db,
		"INSERT INTO outbox(sub_arn, topic_arn, protocol, endpoint, "
		"msg_type, message_id, body, raw, policy, dlq, state, "
		"attempts, next_ms, created_ms, claimed) VALUES(?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', 0, ?11, ?11, 0)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, row->sub_arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->topic_arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->protocol, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, row->endpoint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, row->msg_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, row->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, row->body, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, row->raw);
	if (row->policy)
		sqlite3_bind_text(st, 9, row->policy, -1, SQLITE_STATIC);
	if (row->dlq)
		sqlite3_bind_text(st, 10, row->dlq, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, time_now_ms());
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A claimed row, copied out of SQLite (heap strings). */
struct job {
	int64_t id;
	char *sub_arn, *topic_arn, *protocol, *endpoint, *msg_type,
		*message_id, *body, *policy, *dlq;
	int raw, attempts;
};

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? xstrdup(v) : NULL;
}

static void job_free(struct job *j)
{
	free(j->sub_arn);
	free(j->topic_arn);
	free(j->protocol);
	free(j->endpoint);
	free(j->msg_type);
	free(j->message_id);
	free(j->body);
	free(j->policy);
	free(j->dlq);
}

/*
 * Claim the next due row into j.  Returns 1 (claimed), 0 (none due;
 * *next_ms is when the earliest pending row is due, or -1) or -1.
 */
static int claim(struct sns *sns, struct job *j, int64_t *next_ms)
{
	int64_t now = time_now_ms();
	*next_ms = -1;
	if (store_begin(sns->db))
		return -1;
	sqlite3_stmt *st = store_prepare(
		sns->db,
		"SELECT id, sub_arn, topic_arn, protocol, endpoint, msg_type, "
		"message_id, body, policy, dlq, raw, attempts, next_ms FROM "
		"outbox WHERE state = 'pending' AND claimed = 0 ORDER BY "
		"next_ms, id LIMIT 1");
	int got = 0;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		int64_t due = sqlite3_column_int64(st, 12);
		if (due <= now) {
			memset(j, 0, sizeof(*j));
			j->id = sqlite3_column_int64(st, 0);
			j->sub_arn = col_dup(st, 1);
			j->topic_arn = col_dup(st, 2);
			j->protocol = col_dup(st, 3);
			j->endpoint = col_dup(st, 4);
			j->msg_type = col_dup(st, 5);
			j->message_id = col_dup(st, 6);
			j->body = col_dup(st, 7);
			j->policy = col_dup(st, 8);
			j->dlq = col_dup(st, 9);
			j->raw = sqlite3_column_int(st, 10);
			j->attempts = sqlite3_column_int(st, 11);
			got = 1;
		} else {
			*next_ms = due;
		}
	}
	if (st)
		sqlite3_reset(st);
	if (got) {
		st = store_prepare(sns->db,
				   "UPDATE outbox SET claimed = 1 WHERE id = ?1");
		if (!st)
			got = -1;
		else {
			sqlite3_bind_int64(st, 1, j->id);
			if (sqlite3_step(st) != SQLITE_DONE)
				got = -1;
			sqlite3_reset(st);
		}
	}
	if (got < 0 || store_commit(sns->db)) {
		store_rollback(sns->db);
		if (got > 0)
			job_free(j);
		return -1;
	}
	return got;
}

/* Outcome of one attempt. */
enum outcome {
	OUT_DELIVERED,
	OUT_RETRY,      /* server-side error: retry on the schedule */
	OUT_CLIENT,     /* client-side error: no retry */
	OUT_WAIT,       /* no Lambda service yet: not an attempt */
};

struct worker_ctx {
	struct sns *sns;
	const struct sns_curl *api; /* NULL until the first HTTP job */
	CURL *curl;
};

static int abort_on_stop(void *arg, curl_off_t a, curl_off_t b,
			 curl_off_t c, curl_off_t d)
{
	(void)a;
	(void)b;
	(void)c;
	(void)d;
	struct sns *sns = arg;
	pthread_mutex_lock(&sns->lock);
	int stop = sns->stopping;
	pthread_mutex_unlock(&sns->lock);
	return stop;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* POST j's body to its endpoint; the HTTP status into *status. */
static enum outcome post_http(struct worker_ctx *w, const struct job *j,
			      long *status, char *err, size_t errlen)
{
	CURL *c = w->curl;
	struct curl_slist *h = NULL;
	char line[2200];
	w->api->easy_reset(c);
	h = w->api->slist_append(h, "Content-Type: text/plain; charset=UTF-8");
	h = w->api->slist_append(h, "User-Agent: Amazon Simple Notification "
				 "Service Agent");
	h = w->api->slist_append(h, "Expect:");
	snprintf(line, sizeof(line), "x-amz-sns-message-type: %s",
		 j->msg_type);
	h = w->api->slist_append(h, line);
	snprintf(line, sizeof(line), "x-amz-sns-message-id: %s",
		 j->message_id);
	h = w->api->slist_append(h, line);
	snprintf(line, sizeof(line), "x-amz-sns-topic-arn: %s", j->topic_arn);
	h = w->api->slist_append(h, line);
	if (strcmp(j->msg_type, "SubscriptionConfirmation") != 0) {
		snprintf(line, sizeof(line), "x-amz-sns-subscription-arn: %s",
			 j->sub_arn);
		h = w->api->slist_append(h, line);
	}
	if (j->raw)
		h = w->api->slist_append(h, "x-amz-sns-rawdelivery: true");
	char errbuf[CURL_ERROR_SIZE] = "";
	w->api->easy_setopt(c, CURLOPT_URL, j->endpoint);
	w->api->easy_setopt(c, CURLOPT_HTTPHEADER, h);
	w->api->easy_setopt(c, CURLOPT_POSTFIELDS, j->body);
	w->api->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)strlen(j->body));
	w->api->easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
	w->api->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	w->api->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	w->api->easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	w->api->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	w->api->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	w->api->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
	w->api->easy_setopt(c, CURLOPT_XFERINFODATA, w->sns);
	CURLcode rc = w->api->easy_perform(c);
	w->api->slist_free_all(h);
	*status = 0;
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", errbuf[0] ? errbuf
						      : w->api->easy_strerror(rc));
		return OUT_RETRY;
	}
	w->api->easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (*status >= 200 && *status < 300)
		return OUT_DELIVERED;
	snprintf(err, errlen, "the endpoint answered HTTP %ld", *status);
	if (*status >= 500 || *status == 429)
		return OUT_RETRY;
	return OUT_CLIENT;
}

static enum outcome hand_to_lambda(struct sns *sns, const struct job *j,
				   char *err, size_t errlen)
{
	struct bus *bus = &sns->emu->bus;
	if (!bus->lambda_invoke_async) {
		snprintf(err, errlen, "no Lambda service in this build yet: "
				      "the event stays queued");
		return OUT_WAIT;
	}
	if (bus->lambda_invoke_async(bus->lambda, j->endpoint, j->body,
				     strlen(j->body), err, errlen))
		return OUT_RETRY;
	return OUT_DELIVERED;
}

/* Record the outcome of an attempt on j's row. */
static void record(struct sns *sns, const struct job *j, enum outcome o,
		   long status, const char *err)
{
	int64_t now = time_now_ms();
	int attempts = j->attempts + (o == OUT_WAIT ? 0 : 1);
	const char *state = "pending";
	int64_t next = now;
	if (o == OUT_DELIVERED) {
		state = "delivered";
	} else if (o == OUT_WAIT) {
		next = now + LAMBDA_WAIT_MS;
	} else {
		const char *policy = j->policy;
		if (strcmp(j->protocol, "lambda") == 0)
			policy = lambda_policy;
		long delay = o == OUT_CLIENT
				     ? -1
				     : sns_retry_delay_ms(policy, attempts,
							  sns->fast_retries);
		if (delay < 0)
			state = j->dlq ? "dead-lettered" : "failed";
		else
			next = now + delay;
	}
	if (strcmp(state, "pending") != 0 && o != OUT_DELIVERED)
		log_warn("sns: delivery %lld of %s to %s %s after %d attempts:"
			 " %s", (long long)j->id, j->message_id, j->endpoint,
			 state, attempts, err);
	if (store_begin(sns->db))
		return;
	sqlite3_stmt *st = store_prepare(
		sns->db,
		"UPDATE outbox SET state = CASE WHEN state = 'pending' THEN ?2 "
		"ELSE state END, attempts = ?3, next_ms = ?4, last_ms = ?5, "
		"last_status = ?6, last_error = ?7, claimed = 0 WHERE id = ?1");
	int rc = -1;
	if (st) {
		sqlite3_bind_int64(st, 1, j->id);
		sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, attempts);
		sqlite3_bind_int64(st, 4, next);
		sqlite3_bind_int64(st, 5, now);
		if (status)
			sqlite3_bind_int64(st, 6, status);
		if (err && *err && o != OUT_DELIVERED)
			sqlite3_bind_text(st, 7, err, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	if (rc || store_commit(sns->db))
		store_rollback(sns->db);
}

/* Sleep until the next row is due, a wake-up, or shutdown. */
static void wait_for_work(struct sns *sns, uint64_t gen, int64_t next_ms)
{
	int64_t now = time_now_ms();
	int64_t wait = next_ms < 0 ? IDLE_WAIT_MS : next_ms - now;
	if (wait > IDLE_WAIT_MS)
		wait = IDLE_WAIT_MS;
	if (wait <= 0)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += wait / 1000;
	ts.tv_nsec += (long)(wait % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sns->lock);
	while (!sns->stopping && sns->queued_gen == gen) {
		if (pthread_cond_timedwait(&sns->wake, &sns->lock, &ts) ==
		    ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&sns->lock);
}

/* This worker's libcurl handle, made on its first HTTP job; 0 when
 * libcurl cannot be had (the job is retried later). */
static int open_curl(struct worker_ctx *w)
{
	if (w->curl)
		return 1;
	w->api = sns_curl_get(&w->sns->curl);
	if (w->api)
		w->curl = w->api->easy_init();
	return w->curl != NULL;
}

static void *worker_main(void *arg)
{
	struct sns *sns = arg;
	struct worker_ctx w = {.sns = sns, .api = NULL, .curl = NULL};
	while (1) {
		pthread_mutex_lock(&sns->lock);
		int stop = sns->stopping;
		uint64_t gen = sns->queued_gen;
		pthread_mutex_unlock(&sns->lock);
		if (stop)
			break;
		struct job j;
		int64_t next_ms;
		int got = claim(sns, &j, &next_ms);
		if (got <= 0) {
			wait_for_work(sns, gen, got < 0 ? -1 : next_ms);
			continue;
		}
		char err[512] = "";
		long status = 0;
		enum outcome o;
		if (strcmp(j.protocol, "lambda") == 0)
			o = hand_to_lambda(sns, &j, err, sizeof(err));
		else if (open_curl(&w))
			o = post_http(&w, &j, &status, err, sizeof(err));
		else
			o = OUT_RETRY;
		record(sns, &j, o, status, err);
		job_free(&j);
	}
	if (w.curl)
		w.api->easy_cleanup(w.curl);
	return NULL;
}

int sns_deliver_start(struct sns *sns)
{
	for (int i = 0; i < SNS_WORKERS; i++) {
		if (pthread_create(&sns->workers[i], NULL, worker_main, sns)) {
			sns_deliver_stop(sns);
			return -1;
		}
		sns->started = i + 1;
	}
	return 0;
}

void sns_deliver_stop(struct sns *sns)
{
	pthread_mutex_lock(&sns->lock);
	sns->stopping = 1;
	pthread_cond_broadcast(&sns->wake);
	pthread_mutex_unlock(&sns->lock);
	for (int i = 0; i < sns->started; i++)
		pthread_join(sns->workers[i], NULL);
	sns->started = 0;
}

cJSON *sns_outbox_resources(struct sns *sns)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *st = store_prepare(
		sns->db,
		"SELECT id, sub_arn, protocol, endpoint, msg_type, message_id, "
		"state, attempts, last_status, last_error, next_ms, dlq FROM "
		"outbox ORDER BY id DESC LIMIT 1000");
	if (!st)
		return arr;
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id",
					(double)sqlite3_column_int64(st, 0));
		static const char *const names[] = {
			NULL, "subscription_arn", "protocol", "endpoint",
			"type", "message_id", "state"};
		for (int i = 1; i <= 6; i++)
			cJSON_AddStringToObject(
				o, names[i],
				(const char *)sqlite3_column_text(st, i));
		cJSON_AddNumberToObject(o, "attempts", sqlite3_column_int(st, 7));
		if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			cJSON_AddNumberToObject(o, "last_status",
						sqlite3_column_int(st, 8));
		if (sqlite3_column_type(st, 9) != SQLITE_NULL)
			cJSON_AddStringToObject(
				o, "last_error",
				(const char *)sqlite3_column_text(st, 9));
		cJSON_AddNumberToObject(o, "next_attempt_ms",
					(double)sqlite3_column_int64(st, 10));
		if (sqlite3_column_type(st, 11) != SQLITE_NULL)
			cJSON_AddStringToObject(
				o, "dead_letter_target_arn",
				(const char *)sqlite3_column_text(st, 11));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(st);
	return arr;
}
