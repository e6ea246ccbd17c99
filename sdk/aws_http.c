/*
 * aws_http.c - signed AWS requests over one libcurl easy handle per
 * client, with standard-mode retries (policy in aws_retry.c).
 *
 * Per attempt: curl_easy_reset (which keeps the connection cache), sign
 * with a fresh X-Amz-Date, set the headers ourselves (Host included, so
 * what is signed is what is sent; curl's default Accept, Expect and
 * Content-Type are removed), stream the body from memory or a file with
 * a read callback, collect the headers of the final response, and send
 * the body to a capped buffer or, for a 2xx answer, to a file.
 */
#include "aws_http.h"
#include "hash.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#ifndef IMGPIPE_VERSION
#define IMGPIPE_VERSION "0.0.0"
#endif

#define EXPECT_THRESHOLD (1u << 20) /* bodies above this use 100-continue */
#define MAX_RESP_HEADERS 256


/*
 * The CA bundle for HTTPS: AWS_CA_BUNDLE as the AWS SDKs read it, else
 * the first system bundle that exists.  libcurl's built-in path is the
 * build host's (Debian: /etc/ssl/certs/ca-certificates.crt); the Lambda
 * zip built here runs on Amazon Linux, whose bundle lives elsewhere.
 * NULL: leave libcurl's default.
 */
const char *aws_ca_bundle(void)
{
	static const char *const candidates[] = {
		"/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu */
		"/etc/pki/tls/certs/ca-bundle.crt",   /* Amazon Linux, Fedora */
		"/etc/ssl/cert.pem",                  /* Alpine, macOS */
		NULL,
	};
	const char *env = getenv("AWS_CA_BUNDLE");
	if (env && *env)
		return env;
	for (size_t i = 0; candidates[i]; i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* xorshift64* step: the jitter source (not for secrets). */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/*
 * Split endpoint "scheme://authority[/path]" into host (the authority)
 * and base path.  Returns 0 or -1 when it is not http(s).
 */
static int split_endpoint(const char *url, char **host, char **base)
{
	const char *p;
	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return -1;
	size_t n = strcspn(p, "/?#");
	if (n == 0 || p[n] == '?' || p[n] == '#')
		return -1;
	*host = xstrndup(p, n);
	*base = xstrdup(p + n);
	return 0;
}

int aws_client_init(struct aws_client *c, const struct aws_config *cfg,
		    enum aws_service svc, struct aws_error *err)
{
	memset(c, 0, sizeof(*c));
	pthread_once(&curl_once, curl_init_once);
	c->endpoint = aws_config_endpoint(cfg, svc, &c->custom_endpoint);
	if (split_endpoint(c->endpoint, &c->host, &c->base_path) != 0) {
		aws_error_set(err, 0, "InvalidParameter",
			      "Invalid endpoint URL '%s': expected http(s)://host[:port][/path]",
			      c->endpoint);
		free(c->endpoint);
		c->endpoint = NULL;
		return -1;
	}
	c->scheme = xstrndup(c->endpoint, strcspn(c->endpoint, ":"));
	for (char *p = c->scheme; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	c->curl = curl_easy_init();
	if (!c->curl) {
		aws_client_cleanup(c);
		return aws_error_set(err, 0, "ClientError", "curl_easy_init failed");
	}
	c->service = xstrdup(aws_service_name(svc));
	c->region = xstrdup(cfg->region);
	c->access_key = xstrdup(cfg->access_key ? cfg->access_key : "");
	c->secret_key = xstrdup(cfg->secret_key ? cfg->secret_key : "");
	c->session_token = cfg->session_token ? xstrdup(cfg->session_token) : NULL;
	c->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 3;
	c->connect_timeout_ms = 5000;
	c->idle_timeout_s = 60;
	c->retry_quota = AWS_RETRY_QUOTA_INITIAL;
	if (getrandom(&c->rng, sizeof(c->rng), 0) != (ssize_t)sizeof(c->rng) || !c->rng)
		c->rng = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL | 1;
	return 0;
}

void aws_client_cleanup(struct aws_client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->service);
	free(c->region);
	free(c->endpoint);
	free(c->scheme);
	free(c->host);
	free(c->base_path);
	free(c->access_key);
	free(c->secret_key);
	free(c->session_token);
	memset(c, 0, sizeof(*c));
}

/* ---- responses ------------------------------------------------------------ */

static void headers_clear(struct aws_http_response *r)
{
	for (size_t i = 0; i < r->header_count; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	r->header_count = 0;
}

void aws_http_response_free(struct aws_http_response *resp)
{
	headers_clear(resp);
	free(resp->headers);
	buf_free(&resp->body);
	memset(resp, 0, sizeof(*resp));
}

const char *aws_http_response_header(const struct aws_http_response *resp,
				     const char *lower_name)
{
	for (size_t i = 0; i < resp->header_count; i++)
		if (strcmp(resp->headers[i].name, lower_name) == 0)
			return resp->headers[i].value;
	return NULL;
}

/* State shared with the curl callbacks during one attempt. */
struct transfer {
	struct aws_client *c;
	const struct aws_http_request *req;
	struct aws_http_response *resp;
	uint64_t sent;        /* body bytes handed to curl */
	int sink_failed;      /* 1: body cap or file write failed */
	int read_failed;      /* 1: reading the file body failed */
};

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		headers_clear(t->resp); /* a new response (after 100 Continue...) */
		return len;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon || t->resp->header_count >= MAX_RESP_HEADERS)
		return len;
	struct aws_http_response *r = t->resp;
	if (r->header_count == r->header_alloc) {
		r->header_alloc = r->header_alloc ? 2 * r->header_alloc : 16;
		r->headers = xrealloc(r->headers, r->header_alloc * sizeof(*r->headers));
	}
	size_t nlen = (size_t)(colon - data);
	char *name = xstrndup(data, nlen);
	for (char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	const char *v = colon + 1;
	size_t vlen = len - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
	r->headers[r->header_count].name = name;
	r->headers[r->header_count].value = xstrndup(v, vlen);
	r->header_count++;
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	long status = 0;
	curl_easy_getinfo(t->c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (t->req->out_fd >= 0 && status >= 200 && status < 300) {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(t->req->out_fd, data + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				t->sink_failed = 1;
				return 0;
			}
			off += (size_t)w;
		}
		t->resp->fd_bytes += len;
		return len;
	}
	if (buf_append(&t->resp->body, data, len) != 0) {
		t->sink_failed = 1;
		return 0;
	}
	return len;
}

static size_t on_read(char *out, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	const struct aws_http_request *req = t->req;
	size_t want = size * n;
	uint64_t total = req->body_fd >= 0 ? req->body_fd_len : req->body_len;
	if (t->sent >= total)
		return 0;
	if (want > total - t->sent)
		want = (size_t)(total - t->sent);
	if (req->body_fd < 0) {
		memcpy(out, (const char *)req->body + t->sent, want);
	} else {
		ssize_t r;
		do
			r = pread(req->body_fd, out, want, (off_t)t->sent);
		while (r < 0 && errno == EINTR);
		if (r <= 0) {
			t->read_failed = 1;
			return CURL_READFUNC_ABORT;
		}
		want = (size_t)r;
	}
	t->sent += want;
	return want;
}

/* ---- one attempt ------------------------------------------------------------ */

/* Hex SHA-256 of the request body (memory or file) into hex. */
static int body_hash(const struct aws_http_request *req, char hex[65])
{
	if (req->body_fd < 0) {
		hash_sha256_hex(req->body ? req->body : "", req->body_len, hex);
		return 0;
	}
	struct hash_ctx h;
	unsigned char digest[HASH_SHA256_LEN];
	char *chunk = xmalloc(1u << 16);
	uint64_t off = 0;
	int rc = 0;
	hash_init(&h, HASH_SHA256);
	while (off < req->body_fd_len) {
		size_t want = req->body_fd_len - off < (1u << 16) ?
			      (size_t)(req->body_fd_len - off) : (1u << 16);
		ssize_t r = pread(req->body_fd, chunk, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = -1;
			break;
		}
		hash_update(&h, chunk, (size_t)r);
		off += (uint64_t)r;
	}
	hash_final(&h, digest);
	hash_free(&h);
	free(chunk);
	hash_hex(digest, sizeof(digest), hex);
	return rc;
}

/* Append "Name: value" to list. */
static struct curl_slist *add_header(struct curl_slist *list, const char *name,
				     const char *value)
{
	char *line = xasprintf("%s: %s", name, value);
	struct curl_slist *l = curl_slist_append(list, line);
	free(line);
	return l ? l : list;
}

/* Does req carry header name (case-insensitive)? */
static int has_header(const struct aws_http_request *req, const char *name)
{
	for (size_t i = 0; i < req->header_count; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Sign and perform one attempt.  Returns the CURLcode; a signing failure
 * is reported as CURLE_BAD_FUNCTION_ARGUMENT.
 */
static int attempt(struct aws_client *c, const struct aws_http_request *req,
		   const char *payload_hash, const char *sdk_request,
		   const char *invocation_id, struct transfer *t)
{
	CURL *curl = c->curl;
	char *path = xasprintf("%s%s", c->base_path, req->path);
	char *host = xasprintf("%s%s", req->host_prefix ? req->host_prefix : "", c->host);
	size_t nsig = req->header_count + 2;
	struct sigv4_header *sh = xcalloc(nsig, sizeof(*sh));
	size_t k = 0;
	sh[k++] = (struct sigv4_header){ "host", host };
	for (size_t i = 0; i < req->header_count; i++)
		sh[k++] = (struct sigv4_header){ req->headers[i].name, req->headers[i].value };
	if (req->s3)
		sh[k++] = (struct sigv4_header){ "x-amz-content-sha256", payload_hash };
	struct sigv4_request sreq = {
		.method = req->method, .path = path, .query = req->query,
		.headers = sh, .header_count = k, .payload_hash = payload_hash,
		.double_encode_path = !req->s3,
	};
	struct sigv4_credentials cred = { c->access_key, c->secret_key, c->session_token };
	struct sigv4_signed sig;
	int rc = sigv4_sign(&sreq, &cred, c->region, c->service, time(NULL), &sig);
	if (rc != 0) {
		free(path);
		free(host);
		free(sh);
		snprintf(c->curl_error, sizeof(c->curl_error), "request could not be signed");
		return CURLE_BAD_FUNCTION_ARGUMENT;
	}

	struct curl_slist *hl = NULL;
	for (size_t i = 0; i < k; i++)
		hl = add_header(hl, sh[i].name, sh[i].value);
	hl = add_header(hl, "X-Amz-Date", sig.amz_date);
	if (c->session_token)
		hl = add_header(hl, "X-Amz-Security-Token", c->session_token);
	hl = add_header(hl, "Authorization", sig.authorization);
	hl = add_header(hl, "amz-sdk-invocation-id", invocation_id);
	hl = add_header(hl, "amz-sdk-request", sdk_request);
	hl = curl_slist_append(hl, "Accept:");
	if (!has_header(req, "content-type"))
		hl = curl_slist_append(hl, "Content-Type:");
	uint64_t body_len = req->body_fd >= 0 ? req->body_fd_len : req->body_len;
	if (body_len <= EXPECT_THRESHOLD)
		hl = curl_slist_append(hl, "Expect:");
	sigv4_signed_free(&sig);
	free(sh);

	char *url = xasprintf("%s://%s%s%s%s", c->scheme, host, path,
			      req->query && *req->query ? "?" : "",
			      req->query ? req->query : "");
	free(path);
	free(host);

	curl_easy_reset(curl);
	c->curl_error[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "imgpipe-sdk/" IMGPIPE_VERSION);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, c->curl_error);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	const char *ca = aws_ca_bundle();
	if (ca)
		curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, c->idle_timeout_s);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->total_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, t);
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	} else if (strcmp(req->method, "PUT") == 0) {
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body_len);
	} else if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
	}
	CURLcode cc = curl_easy_perform(curl);
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	t->resp->status = status;
	curl_slist_free_all(hl);
	free(url);
	return (int)cc;
}

/* Reset the per-attempt parts of resp and of the file sink. */
static int reset_for_attempt(const struct aws_http_request *req,
			     struct aws_http_response *resp)
{
	headers_clear(resp);
	buf_reset(&resp->body);
	resp->status = 0;
	resp->fd_bytes = 0;
	if (req->out_fd >= 0) {
		if (ftruncate(req->out_fd, 0) != 0 && errno != EINVAL)
			return -1;
		if (lseek(req->out_fd, 0, SEEK_SET) < 0 && errno != ESPIPE)
			return -1;
	}
	return 0;
}

/* Fill err for a failed attempt (curl failure or non-2xx answer). */
static void attempt_error(struct aws_client *c, struct transfer *t, int cc,
			  struct aws_error *err)
{
	struct aws_http_response *r = t->resp;
	if (t->read_failed) {
		aws_error_set(err, 0, "ClientError", "reading the request body failed");
	} else if (t->sink_failed) {
		aws_error_set(err, (int)r->status, "ClientError", "%s",
			      t->req->out_fd >= 0 ? "writing the response body failed" :
			      "response body larger than the limit");
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		aws_error_set(err, 0, "TimeoutError", "%s", c->curl_error[0] ?
			      c->curl_error : curl_easy_strerror((CURLcode)cc));
	} else if (cc != CURLE_OK) {
		const char *code = aws_retry_classify(cc, 0, NULL) == AWS_RETRY_NO ?
				   "ClientError" : "ConnectionError";
		aws_error_set(err, 0, code, "%s", c->curl_error[0] ?
			      c->curl_error : curl_easy_strerror((CURLcode)cc));
	} else {
		const char *rid = aws_http_response_header(r, "x-amzn-requestid");
		if (!rid)
			rid = aws_http_response_header(r, "x-amz-request-id");
		aws_error_parse(err, (int)r->status, r->body.data, r->body.len,
				aws_http_response_header(r, "content-type"),
				aws_http_response_header(r, "x-amzn-errortype"), rid);
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int aws_http_send(struct aws_client *c, const struct aws_http_request *req,
		  struct aws_http_response *resp, struct aws_error *err)
{
	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, req->body_cap ? req->body_cap : AWS_HTTP_BODY_CAP_DEFAULT);
	aws_error_clear(err);
	char hash[65];
	const char *payload_hash = req->payload_hash;
	if (!payload_hash) {
		if (body_hash(req, hash) != 0)
			return aws_error_set(err, 0, "ClientError",
					     "reading the request body failed");
		payload_hash = hash;
	}
	char invocation[40];
	uint64_t a = rng_next(&c->rng), b = rng_next(&c->rng);
	snprintf(invocation, sizeof(invocation), "%08x-%04x-4%03x-%04x-%012llx",
		 (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
		 (unsigned)a & 0xfff, (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
		 (unsigned long long)(b & 0xffffffffffffULL));

	int last_cost = 0;
	for (int n = 1;; n++) {
		char sdk_request[64];
		struct transfer t = { .c = c, .req = req, .resp = resp };
		snprintf(sdk_request, sizeof(sdk_request), "attempt=%d; max=%d", n,
			 c->max_attempts);
		if (reset_for_attempt(req, resp) != 0)
			return aws_error_set(err, 0, "ClientError",
					     "cannot rewind the output file: %s", strerror(errno));
		int cc = attempt(c, req, payload_hash, sdk_request, invocation, &t);
		resp->attempts = n;
		if (cc == CURLE_OK && !t.sink_failed && resp->status >= 200 && resp->status < 300) {
			aws_retry_quota_release(&c->retry_quota, last_cost);
			return 0;
		}
		attempt_error(c, &t, cc, err);
		enum aws_retry_kind kind = t.sink_failed || t.read_failed ? AWS_RETRY_NO :
			aws_retry_classify(cc, (int)resp->status, err->code);
		if (kind == AWS_RETRY_NO || n >= c->max_attempts)
			return -1;
		last_cost = aws_retry_quota_acquire(&c->retry_quota, kind);
		if (!last_cost)
			return -1;
		double r01 = (double)(rng_next(&c->rng) >> 11) / 9007199254740992.0;
		sleep_ms(aws_retry_delay_ms(n, r01));
	}
}
