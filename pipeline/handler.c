/*
 * handler.c - the Lambda handler: configuration, the S3 event, and the
 * flow of one record (handler.h describes it).  The DynamoDB item, the
 * Redis entry and the SNS message are built in handler_item.c.
 *
 * Errors: a dependency call that fails makes the record "error" and the
 * invocation fail (Lambda retries); bad input is an outcome, never an
 * error.  Nothing here exits or aborts on bad input.
 */
#include "handler.h"
#include "handler_int.h"
#include "hash.h"
#include "image.h"
#include "uri.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small pure helpers (unit-tested) --------------------------------- */

static int id_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int pipeline_parse_key(const char *key, char *id, char *ext)
{
	static const char prefix[] = "uploads/";
	if (strncmp(key, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	const char *s = key + sizeof(prefix) - 1;
	const char *dot = strchr(s, '.');
	if (!dot || dot == s || (size_t)(dot - s) > PIPELINE_ID_MAX)
		return -1;
	for (const char *p = s; p < dot; p++)
		if (!id_char((unsigned char)*p))
			return -1;
	size_t elen = strlen(dot + 1);
	if (elen == 0 || elen > 16)
		return -1;
	for (const char *p = dot + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return -1;
	memcpy(id, s, (size_t)(dot - s));
	id[dot - s] = '\0';
	memcpy(ext, dot + 1, elen + 1);
	return 0;
}

int pipeline_decode_key(const char *key, char *out)
{
	size_t n;
	if (uri_form_decode(key, strlen(key), out, &n))
		return -1;
	return strlen(out) == n ? 0 : -1;
}

int pipeline_norm_sequencer(const char *seq, char *out)
{
	size_t n = seq ? strlen(seq) : 0;
	if (n > PIPELINE_SEQ_LEN)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = seq[i];
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return -1;
		out[i] = c;
	}
	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	memset(out + n, '0', PIPELINE_SEQ_LEN - n);
	out[PIPELINE_SEQ_LEN] = '\0';
	return 0;
}

int pipeline_error_transient(const struct aws_error *err)
{
	static const char *const codes[] = {
		"ConnectionError", "TimeoutError", "Throttling",
		"ThrottlingException", "ThrottledException", "SlowDown",
		"RequestLimitExceeded", "RequestThrottled",
		"ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestTimeout",
		"RequestTimeoutException", "InternalError", "InternalFailure",
		"ServiceUnavailable", "LimitExceededException", NULL,
	};
	if (err->http_status >= 500 || err->http_status == 429)
		return 1;
	for (size_t i = 0; codes[i]; i++)
		if (strcmp(err->code, codes[i]) == 0)
			return 1;
	return 0;
}

/* ---- configuration ---------------------------------------------------- */

static const char *std_getenv(void *arg, const char *name)
{
	(void)arg;
	return getenv(name);
}

/* The value of a required variable, or NULL with err filled. */
static const char *need(pipeline_getenv_fn *env, void *arg, const char *name,
			char *err, size_t errlen)
{
	const char *v = env(arg, name);
	if (!v || !*v) {
		snprintf(err, errlen, "%s is not set", name);
		return NULL;
	}
	return v;
}

/* aws_getenv_fn adapter over a pipeline_getenv_fn. */
struct env_pair {
	pipeline_getenv_fn *fn;
	void *arg;
};

static const char *aws_env(void *arg, const char *name)
{
	const struct env_pair *e = arg;
	return e->fn(e->arg, name);
}

struct pipeline *pipeline_new(pipeline_getenv_fn *env, void *arg, char *err,
			      size_t errlen)
{
	if (!env)
		env = std_getenv;
	const char *up = need(env, arg, "UPLOAD_BUCKET", err, errlen);
	const char *pr = up ? need(env, arg, "PROCESSED_BUCKET", err, errlen)
			    : NULL;
	const char *tb = pr ? need(env, arg, "TABLE_NAME", err, errlen) : NULL;
	if (!tb)
		return NULL;
	struct pipeline *p = xcalloc(1, sizeof(*p));
	p->upload_bucket = xstrdup(up);
	p->processed_bucket = xstrdup(pr);
	p->table = xstrdup(tb);
	const char *topic = env(arg, "TOPIC_ARN");
	p->topic_arn = topic && *topic ? xstrdup(topic) : NULL;
	if (imgpipe_config_from_env(&p->img, err, errlen))
		goto fail;

	struct aws_error e;
	struct env_pair ep = {env, arg};
	if (aws_config_load_env(&p->cfg, aws_env, &ep, &e)) {
		snprintf(err, errlen, "AWS configuration: %s: %s", e.code,
			 e.message);
		goto fail;
	}
	p->have_cfg = 1;
	if (!(p->s3 = aws_s3_new(&p->cfg, &e)) ||
	    !(p->ddb = aws_ddb_new(&p->cfg, &e)) ||
	    !(p->sns = aws_sns_new(&p->cfg, &e))) {
		snprintf(err, errlen, "AWS client: %s: %s", e.code, e.message);
		goto fail;
	}
	const char *url = env(arg, "REDIS_URL");
	if (url && *url) {
		p->redis = redis_client_new_url(url, 500, 1000, &e);
		if (!p->redis) {
			snprintf(err, errlen, "REDIS_URL: %s", e.message);
			goto fail;
		}
	}
	return p;
fail:
	pipeline_free(p);
	return NULL;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	aws_s3_free(p->s3);
	aws_ddb_free(p->ddb);
	aws_sns_free(p->sns);
	if (p->redis)
		redis_client_free(p->redis);
	if (p->have_cfg)
		aws_config_free(&p->cfg);
	free(p->upload_bucket);
	free(p->processed_bucket);
	free(p->table);
	free(p->topic_arn);
	free(p);
}

/* ---- logging ---------------------------------------------------------- */

void pipeline_log(const struct record *r, const char *fmt, ...)
{
	va_list ap;
	char msg[1536];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "imgpipe %s image=%s key=%s: %s\n",
		r && r->request_id ? r->request_id : "-",
		r && r->id[0] ? r->id : "-", r && r->key ? r->key : "-", msg);
}

/* Record a dependency failure on r; returns -1. */
int pipeline_dep_error(struct record *r, const char *what,
		       const struct aws_error *e)
{
	r->transient = pipeline_error_transient(e);
	snprintf(r->reason, sizeof(r->reason), "%s: %.100s%s%.500s (HTTP %d)", what,
		 e->code, e->message[0] ? ": " : "", e->message,
		 e->http_status);
	r->outcome = "error";
	pipeline_log(r, "%s", r->reason);
	return -1;
}

/* ---- one record ------------------------------------------------------- */

/* An ETag without its quotes into out (130 bytes). */
static void unquote(const char *etag, char *out)
{
	size_t n = strlen(etag);
	if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"')
		snprintf(out, 130, "%.*s", (int)(n - 2), etag + 1);
	else
		snprintf(out, 130, "%s", etag);
}

/*
 * Does the stored item already record this upload (1: same one, 2: a
 * newer one) or not (0)?
 */
static int already_done(const struct record *r, const cJSON *item)
{
	if (!item)
		return 0;
	const char *seq = aws_ddb_get_s(item, "source_sequencer");
	const char *etag = aws_ddb_get_s(item, "source_etag");
	if (r->seq[0] && seq && seq[0]) {
		int c = strcmp(seq, r->seq);
		return c == 0 ? 1 : c > 0 ? 2 : 0;
	}
	if (!r->seq[0] && r->etag[0] && etag && strcmp(etag, r->etag) == 0)
		return 1;
	return 0;
}

/* Delete the configured variants of r's image (bad input: none left). */
static int delete_variants(struct pipeline *p, struct record *r)
{
	for (size_t i = 0; i < p->img.n_variants; i++) {
		const struct imgpipe_variant_spec *v = &p->img.variants[i];
		char *key = xasprintf("%s/%s.%s", r->id, v->name,
				      imgpipe_format_ext(v->format));
		struct aws_error e;
		int rc = aws_s3_delete_object(p->s3, p->processed_bucket, key,
					      &e);
		free(key);
		if (rc && strcmp(e.code, "NoSuchKey") != 0 &&
		    strcmp(e.code, "NotFound") != 0)
			return pipeline_dep_error(r, "DeleteObject", &e);
	}
	return 0;
}

/* PUT every variant of res; 0 or -1 (dependency error on r). */
static int put_variants(struct pipeline *p, struct record *r,
			const struct imgpipe_result *res)
{
	for (size_t i = 0; i < res->n_variants; i++) {
		const struct imgpipe_variant *v = &res->variants[i];
		char *key = xasprintf("%s/%s.%s", r->id, v->name,
				      imgpipe_format_ext(v->format));
		struct aws_s3_meta meta[] = {{"image-id", r->id},
					     {"source-etag", r->etag}};
		struct aws_s3_put_opts o = {
			.content_type = imgpipe_format_mime(v->format),
			.cache_control = PIPELINE_CACHE_CONTROL,
			.metadata = meta,
			.metadata_count = r->etag[0] ? 2 : 1,
		};
		struct aws_error e;
		int rc = aws_s3_put_object(p->s3, p->processed_bucket, key,
					   v->data, v->len, &o, NULL, &e);
		free(key);
		if (rc)
			return pipeline_dep_error(r, "PutObject", &e);
	}
	return 0;
}

/*
 * Fetch and process r's object into *res (the caller frees it).
 * Returns 0 with res filled (res->fail may be a bad-input code), 1 when
 * the record needs no processing (outcome set), or -1 (dependency error).
 */
static int fetch_and_process(struct pipeline *p, struct record *r,
			     struct imgpipe_result *res)
{
	struct aws_s3_object info;
	struct aws_error e;
	char etag[130];

	memset(res, 0, sizeof(*res));
	if (aws_s3_head_object(p->s3, p->upload_bucket, r->key, &info, &e)) {
		if (strcmp(e.code, "NotFound") == 0 ||
		    strcmp(e.code, "NoSuchKey") == 0) {
			r->outcome = "gone";
			snprintf(r->reason, sizeof(r->reason),
				 "the object no longer exists");
			return 1;
		}
		return pipeline_dep_error(r, "HeadObject", &e);
	}
	unquote(info.etag, etag);
	if (r->etag[0] && strcmp(etag, r->etag) != 0) {
		r->outcome = "superseded";
		snprintf(r->reason, sizeof(r->reason),
			 "the object was replaced (ETag %s)", etag);
		return 1;
	}
	if (!r->etag[0])
		snprintf(r->etag, sizeof(r->etag), "%s", etag);
	r->bytes = info.size;
	if (p->img.max_bytes && info.size > p->img.max_bytes) {
		res->fail = IMGPIPE_FAIL_TOO_LARGE;
		snprintf(res->message, sizeof(res->message),
			 "%llu bytes, more than the limit of %llu",
			 (unsigned long long)info.size,
			 (unsigned long long)p->img.max_bytes);
		return 0;
	}
	char *data = NULL;
	size_t len = 0;
	size_t cap = p->img.max_bytes ? (size_t)p->img.max_bytes : 0;
	if (aws_s3_get_object(p->s3, p->upload_bucket, r->key, cap, &data, &len,
			      &info, &e)) {
		if (strcmp(e.code, "NoSuchKey") == 0) {
			r->outcome = "gone";
			snprintf(r->reason, sizeof(r->reason),
				 "the object no longer exists");
			return 1;
		}
		return pipeline_dep_error(r, "GetObject", &e);
	}
	unquote(info.etag, etag);
	if (strcmp(etag, r->etag) != 0) {
		free(data);
		r->outcome = "superseded";
		snprintf(r->reason, sizeof(r->reason),
			 "the object was replaced (ETag %s)", etag);
		return 1;
	}
	r->bytes = len;
	hash_sha256_hex(data, len, r->sha256);
	imgpipe_image_process(data, len, &p->img, res);
	free(data);
	return 0;
}

/*
 * Process one record r (fields parsed).  Returns 0 (outcome set) or -1
 * (dependency error, r->reason set).
 */
static int process_record(struct pipeline *p, struct record *r)
{
	cJSON *key = aws_ddb_item(), *item = NULL;
	struct aws_error e;
	aws_ddb_put(key, "image_id", aws_ddb_s(r->id));
	int rc = aws_ddb_get_item(p->ddb, p->table, key, 1, NULL, NULL, &item,
				  &e);
	cJSON_Delete(key);
	if (rc)
		return pipeline_dep_error(r, "GetItem", &e);
	int done = already_done(r, item);
	if (done) {
		rc = 0;
		if (done == 2) {
			r->outcome = "stale";
			snprintf(r->reason, sizeof(r->reason),
				 "a newer upload is already recorded");
		} else if (aws_ddb_get(item, "published_at")) {
			r->outcome = "duplicate";
			snprintf(r->reason, sizeof(r->reason),
				 "already processed");
		} else {
			r->outcome = "duplicate";
			snprintf(r->reason, sizeof(r->reason),
				 "already committed; announcing it");
			rc = pipeline_announce(p, r, item);
		}
		cJSON_Delete(item);
		return rc;
	}
	cJSON_Delete(item);

	struct imgpipe_result res;
	rc = fetch_and_process(p, r, &res);
	if (rc) {
		imgpipe_result_free(&res);
		return rc < 0 ? -1 : 0;
	}
	if (res.fail == IMGPIPE_FAIL_INTERNAL) {
		r->transient = 1;
		r->outcome = "error";
		snprintf(r->reason, sizeof(r->reason), "internal: %s",
			 res.message);
		pipeline_log(r, "%s", r->reason);
		imgpipe_result_free(&res);
		return -1;
	}
	rc = res.fail == IMGPIPE_OK ? put_variants(p, r, &res)
				    : delete_variants(p, r);
	if (rc == 0) {
		item = pipeline_build_item(p, r, &res);
		imgpipe_result_free(&res);
		rc = pipeline_commit(p, r, item);
		cJSON_Delete(item);
	} else {
		imgpipe_result_free(&res);
	}
	return rc;
}

/* ---- the event -------------------------------------------------------- */

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * Fill r from one event record; returns 0 to process it, 1 when it is
 * skipped (outcome and reason set).  r->key is heap (caller frees).
 */
static int parse_record(struct pipeline *p, const cJSON *rec, struct record *r)
{
	const char *source = str_at(rec, "eventSource", NULL);
	const char *name = str_at(rec, "eventName", NULL);
	const cJSON *s3 = cJSON_GetObjectItemCaseSensitive(rec, "s3");
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(s3, "object");
	const char *bucket = str_at(s3, "bucket", "name");
	const char *key = str_at(obj, "key", NULL);

	r->outcome = "skipped";
	if (key) {
		r->key = xstrdup(key);
		if (pipeline_decode_key(key, r->key)) {
			snprintf(r->reason, sizeof(r->reason),
				 "the key is not validly encoded");
			return 1;
		}
	}
	if (!source || strcmp(source, "aws:s3") != 0 || !bucket || !key) {
		snprintf(r->reason, sizeof(r->reason), "not an S3 record");
		return 1;
	}
	if (!name || strncmp(name, "ObjectCreated:", 14) != 0) {
		snprintf(r->reason, sizeof(r->reason), "event %s is ignored",
			 name ? name : "(none)");
		return 1;
	}
	if (strcmp(bucket, p->upload_bucket) != 0) {
		snprintf(r->reason, sizeof(r->reason),
			 "bucket %s is not the uploads bucket", bucket);
		return 1;
	}
	if (pipeline_parse_key(r->key, r->id, r->ext)) {
		snprintf(r->reason, sizeof(r->reason),
			 "not an uploads/{image_id}.{ext} key");
		return 1;
	}
	const char *etag = str_at(obj, "eTag", NULL);
	if (etag)
		unquote(etag, r->etag);
	if (pipeline_norm_sequencer(str_at(obj, "sequencer", NULL), r->seq)) {
		snprintf(r->reason, sizeof(r->reason), "bad sequencer");
		return 1;
	}
	const char *t = str_at(rec, "eventTime", NULL);
	if (t && strlen(t) < sizeof(r->event_time))
		snprintf(r->event_time, sizeof(r->event_time), "%s", t);
	return 0;
}

int pipeline_handle(void *arg, const struct runtime_invocation *inv,
		    struct buf *response, struct runtime_failure *failure)
{
	struct pipeline *p = arg;
	cJSON *event = cJSON_ParseWithLength(inv->payload, inv->payload_len);
	const cJSON *records = cJSON_GetObjectItemCaseSensitive(event, "Records");
	cJSON *out = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(out, "records");
	int errors = 0, transient = 0;
	char first[512] = "";

	if (!cJSON_IsArray(records))
		pipeline_log(NULL, "request %s: not an S3 event; ignored",
			     inv->request_id);
	const cJSON *rec;
	if (!cJSON_IsArray(records))
		records = NULL;
	cJSON_ArrayForEach(rec, records) {
		struct record r;
		memset(&r, 0, sizeof(r));
		r.request_id = inv->request_id;
		if (parse_record(p, rec, &r) == 0 && process_record(p, &r)) {
			errors++;
			transient += r.transient;
			if (!first[0])
				snprintf(first, sizeof(first), "%.200s: %.300s",
					 r.key, r.reason);
		}
		if (strcmp(r.outcome, "skipped") != 0 || r.key)
			pipeline_log(&r, "%s%s%s", r.outcome,
				     r.reason[0] ? ": " : "", r.reason);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", r.key ? r.key : "");
		cJSON_AddStringToObject(o, "image_id", r.id);
		cJSON_AddStringToObject(o, "outcome", r.outcome);
		cJSON_AddStringToObject(o, "reason", r.reason);
		cJSON_AddItemToArray(list, o);
		free(r.key);
	}
	cJSON_Delete(event);
	int rc = 0;
	if (errors) {
		snprintf(failure->type, sizeof(failure->type), "%s",
			 transient == errors ? "Pipeline.Transient"
					     : "Pipeline.Dependency");
		snprintf(failure->message, sizeof(failure->message),
			 "%d record(s) failed; first: %s", errors, first);
		rc = -1;
	} else {
		char *text = cJSON_PrintUnformatted(out);
		if (buf_puts(response, text)) {
			snprintf(failure->type, sizeof(failure->type),
				 "Function.ResponseSizeTooLarge");
			snprintf(failure->message, sizeof(failure->message),
				 "the summary is too large");
			rc = -1;
		}
		free(text);
	}
	cJSON_Delete(out);
	return rc;
}
