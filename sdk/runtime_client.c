/*
 * runtime_client.c - Lambda Runtime API client (see runtime_client.h):
 * plain unsigned HTTP/1.1 on one libcurl easy handle kept for the life of
 * the runtime, so the long poll and the posts share a connection.
 */
#include "runtime_client.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#define RUNTIME_EVENT_MAX (8u << 20)
#define RUNTIME_PREFIX "/2018-06-01/runtime"

struct runtime_client {
	CURL *curl;
	char *base;                  /* http://host:port/2018-06-01/runtime */
	struct buf body;             /* the current event */
	char *hdr[6];                /* the current Lambda-Runtime-* values */
	char curl_error[CURL_ERROR_SIZE];
};

/* The Lambda-Runtime-* headers kept, in struct runtime_invocation order. */
static const char *const runtime_headers[6] = {
	"lambda-runtime-aws-request-id", "lambda-runtime-deadline-ms",
	"lambda-runtime-invoked-function-arn", "lambda-runtime-trace-id",
	"lambda-runtime-client-context", "lambda-runtime-cognito-identity",
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct runtime_client *runtime_client_new(const char *api, struct aws_error *err)
{
	if (!api)
		api = getenv("AWS_LAMBDA_RUNTIME_API");
	if (!api || !*api) {
		aws_error_set(err, 0, "InvalidParameter", "AWS_LAMBDA_RUNTIME_API is not set");
		return NULL;
	}
	pthread_once(&curl_once, curl_init_once);
	struct runtime_client *rc = xcalloc(1, sizeof(*rc));
	rc->curl = curl_easy_init();
	if (!rc->curl) {
		free(rc);
		aws_error_set(err, 0, "ClientError", "curl_easy_init failed");
		return NULL;
	}
	rc->base = xasprintf("http://%s" RUNTIME_PREFIX, api);
	buf_init(&rc->body, RUNTIME_EVENT_MAX);
	return rc;
}

static void clear_headers(struct runtime_client *rc)
{
	for (int i = 0; i < 6; i++) {
		free(rc->hdr[i]);
		rc->hdr[i] = NULL;
	}
}

void runtime_client_free(struct runtime_client *rc)
{
	if (!rc)
		return;
	curl_easy_cleanup(rc->curl);
	clear_headers(rc);
	buf_free(&rc->body);
	free(rc->base);
	free(rc);
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct runtime_client *rc = arg;
	size_t len = size * n;
	const char *colon = memchr(data, ':', len);
	if (!colon)
		return len;
	size_t nlen = (size_t)(colon - data);
	for (int i = 0; i < 6; i++) {
		if (strlen(runtime_headers[i]) != nlen ||
		    strncasecmp(data, runtime_headers[i], nlen) != 0)
			continue;
		const char *v = colon + 1;
		size_t vlen = len - nlen - 1;
		while (vlen && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
			vlen--;
		free(rc->hdr[i]);
		rc->hdr[i] = xstrndup(v, vlen);
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct runtime_client *rc = arg;
	return buf_append(&rc->body, data, size * n) == 0 ? size * n : 0;
}

/*
 * One request to base + path.  body NULL for GET.  error_type: the
 * Lambda-Runtime-Function-Error-Type header, or NULL.  Returns 0 when
 * the status is expect, else -1 with err.
 */
static int request(struct runtime_client *rc, const char *path, const void *body,
		   size_t len, const char *error_type, long expect, struct aws_error *err)
{
	CURL *c = rc->curl;
	char *url = xasprintf("%s%s", rc->base, path);
	struct curl_slist *hl = curl_slist_append(NULL, "Expect:");
	hl = curl_slist_append(hl, "Accept:");
	char *eh = NULL;
	if (body)
		hl = curl_slist_append(hl, "Content-Type: application/json");
	if (error_type) {
		eh = xasprintf("Lambda-Runtime-Function-Error-Type: %s", error_type);
		hl = curl_slist_append(hl, eh);
	}
	buf_reset(&rc->body);
	clear_headers(rc);
	curl_easy_reset(c);
	rc->curl_error[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, rc->curl_error);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, rc);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, rc);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "imgpipe-sdk/runtime");
	if (body) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	CURLcode cc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hl);
	free(eh);
	free(url);
	if (cc != CURLE_OK)
		return aws_error_set(err, 0, cc == CURLE_OPERATION_TIMEDOUT ? "TimeoutError" :
				     "ConnectionError", "Runtime API %s: %s", path,
				     rc->curl_error[0] ? rc->curl_error : curl_easy_strerror(cc));
	if (status != expect)
		return aws_error_parse(err, (int)status, rc->body.data, rc->body.len,
				       "application/json", NULL, NULL);
	return 0;
}

int runtime_client_next(struct runtime_client *rc, struct runtime_invocation *inv,
			struct aws_error *err)
{
	memset(inv, 0, sizeof(*inv));
	if (request(rc, "/invocation/next", NULL, 0, NULL, 200, err) != 0)
		return -1;
	if (!rc->hdr[0] || !*rc->hdr[0])
		return aws_error_set(err, 200, "ClientError",
				     "Runtime API answered without Lambda-Runtime-Aws-Request-Id");
	inv->request_id = rc->hdr[0];
	inv->deadline_ms = rc->hdr[1] ? strtoll(rc->hdr[1], NULL, 10) : 0;
	inv->function_arn = rc->hdr[2] ? rc->hdr[2] : "";
	inv->trace_id = rc->hdr[3] ? rc->hdr[3] : "";
	inv->client_context = rc->hdr[4];
	inv->cognito_identity = rc->hdr[5];
	inv->payload = rc->body.data ? rc->body.data : "";
	inv->payload_len = rc->body.len;
	return 0;
}

int runtime_client_respond(struct runtime_client *rc, const char *request_id,
			   const void *body, size_t len, struct aws_error *err)
{
	char *path = xasprintf("/invocation/%s/response", request_id);
	int r = request(rc, path, body ? body : "", len, NULL, 202, err);
	free(path);
	return r;
}

/* Lambda's error document; caller frees. */
static char *error_body(const char *type, const char *message)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "errorMessage", message ? message : "");
	cJSON_AddStringToObject(d, "errorType", type ? type : "Unhandled");
	cJSON_AddArrayToObject(d, "stackTrace");
	char *s = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	return s;
}

int runtime_client_fail(struct runtime_client *rc, const char *request_id,
			const char *type, const char *message, struct aws_error *err)
{
	char *path = xasprintf("/invocation/%s/error", request_id);
	char *body = error_body(type, message);
	int r = request(rc, path, body, strlen(body), type ? type : "Unhandled", 202, err);
	free(body);
	free(path);
	return r;
}

int runtime_client_init_error(struct runtime_client *rc, const char *type,
			      const char *message, struct aws_error *err)
{
	char *body = error_body(type, message);
	int r = request(rc, "/init/error", body, strlen(body), type ? type : "Unhandled",
			202, err);
	free(body);
	return r;
}

long long runtime_remaining_ms(const struct runtime_invocation *inv)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return inv->deadline_ms - ((long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

int runtime_client_run(struct runtime_client *rc, runtime_handler_fn *handler,
		       void *arg, long max_invocations, struct aws_error *err)
{
	for (long n = 0; max_invocations <= 0 || n < max_invocations; n++) {
		struct runtime_invocation inv;
		if (runtime_client_next(rc, &inv, err) != 0)
			return -1;
		char *id = xstrdup(inv.request_id);
		if (inv.trace_id[0])
			setenv("_X_AMZN_TRACE_ID", inv.trace_id, 1);
		else
			unsetenv("_X_AMZN_TRACE_ID");
		struct buf out;
		struct runtime_failure failure;
		memset(&failure, 0, sizeof(failure));
		buf_init(&out, RUNTIME_RESPONSE_MAX);
		int hr = handler(arg, &inv, &out, &failure);
		int r;
		if (hr == 0) {
			r = runtime_client_respond(rc, id, out.data ? out.data : "", out.len, err);
			if (r != 0 && err && err->http_status == 413)
				r = runtime_client_fail(rc, id, "Function.ResponseSizeTooLarge",
							"Response payload size exceeded maximum allowed payload size.",
							err);
		} else {
			r = runtime_client_fail(rc, id, failure.type[0] ? failure.type : "Unhandled",
						failure.message, err);
		}
		buf_free(&out);
		free(id);
		if (r != 0)
			return -1;
	}
	return 0;
}
