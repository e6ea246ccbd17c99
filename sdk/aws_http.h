/*
 * aws_http.h - one signed AWS request over libcurl, with the AWS SDKs'
 * "standard" retry mode.  The S3, DynamoDB and SNS clients are built on
 * struct aws_client.
 *
 * A client holds one libcurl easy handle, so connections are reused from
 * one call to the next (keep-alive); it is not thread-safe: use one
 * client per thread.  curl_global_init runs once per process (the first
 * aws_client_init, under pthread_once).
 *
 * Each attempt is signed afresh with SigV4 (sdk/sigv4.h).  Retries
 * (standard mode, as botocore and the other SDKs do it):
 *   - at most cfg->max_attempts attempts (default 3);
 *   - retried: connection failures and timeouts, HTTP 500/502/503/504,
 *     the transient codes RequestTimeout, RequestTimeoutException,
 *     PriorRequestNotComplete, and the throttling codes (HTTP 429,
 *     Throttling, ThrottlingException, SlowDown,
 *     ProvisionedThroughputExceededException, ...);
 *   - delay before retry i (1-based): rand[0,1) * min(2^(i-1) s, 20 s)
 *     ("full jitter");
 *   - a retry quota per client: 500 tokens, a retry costs 5 (10 after a
 *     timeout), a success gives back what its retries took, or 1.
 * A file body is re-read from its start and a file sink truncated before
 * each attempt.
 *
 * Every request carries amz-sdk-invocation-id and amz-sdk-request
 * ("attempt=N; max=M"), as the AWS SDKs send them.
 */
#ifndef IMGPIPE_AWS_HTTP_H
#define IMGPIPE_AWS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "aws_config.h"
#include "aws_error.h"
#include "buf.h"
#include "sigv4.h"

#define AWS_RETRY_MAX_BACKOFF_MS 20000
#define AWS_RETRY_QUOTA_INITIAL 500
#define AWS_RETRY_COST 5
#define AWS_RETRY_TIMEOUT_COST 10
#define AWS_HTTP_BODY_CAP_DEFAULT (64u << 20) /* in-memory response bodies */

/* How a failed attempt may be retried. */
enum aws_retry_kind {
	AWS_RETRY_NO = 0,      /* a final answer */
	AWS_RETRY_TRANSIENT,   /* 5xx, connection failure, transient code */
	AWS_RETRY_THROTTLE,    /* throttling code or 429 */
	AWS_RETRY_TIMEOUT,     /* the transfer timed out */
};

/* One client: endpoint, credentials, connection and retry state. */
struct aws_client {
	void *curl;              /* CURL easy handle (connection cache) */
	char *service;           /* signing name: "s3", "dynamodb", "sns" */
	char *region;
	char *endpoint;          /* configured URL, no trailing '/' */
	char *scheme;            /* "http" or "https" */
	char *host;              /* Host header value as curl sends it */
	char *base_path;         /* path part of the endpoint ("" or "/base") */
	int custom_endpoint;     /* 1 when configured (not the AWS default) */
	char *access_key, *secret_key, *session_token;
	int max_attempts;
	long connect_timeout_ms; /* default 5000 */
	long idle_timeout_s;     /* abort after this long without progress; default 60 */
	long total_timeout_ms;   /* whole-attempt limit, 0 = none (default) */
	int retry_quota;         /* tokens left */
	uint64_t rng;            /* jitter state */
	char curl_error[256];    /* CURLOPT_ERRORBUFFER */
};

/* An extra request header (name as sent; value copied by libcurl). */
struct aws_http_header {
	const char *name;
	const char *value;
};

/* What to send.  Every pointer is borrowed for the call. */
struct aws_http_request {
	const char *method;      /* "GET", "PUT", "POST", "HEAD", "DELETE" */
	const char *path;        /* percent-encoded, starting with '/' (endpoint base prepended) */
	const char *query;       /* percent-encoded query without '?', or NULL */
	const struct aws_http_header *headers; /* signed extra headers */
	size_t header_count;
	const void *body;        /* in-memory body, or NULL */
	size_t body_len;
	int body_fd;             /* file body read with pread from 0 (-1: none) */
	uint64_t body_fd_len;    /* its length */
	const char *payload_hash;/* hex SHA-256 of the body, UNSIGNED-PAYLOAD; NULL: computed */
	const char *host_prefix; /* "bucket." for virtual-hosted S3, or NULL */
	int s3;                  /* S3 rules: x-amz-content-sha256, no double encoding */
	int out_fd;              /* 2xx body goes here (-1: into resp->body) */
	size_t body_cap;         /* cap for resp->body; 0: AWS_HTTP_BODY_CAP_DEFAULT */
};

/* One response header, name lowercased; both strings owned. */
struct aws_http_resp_header {
	char *name;
	char *value;
};

/* What came back.  Free with aws_http_response_free (always). */
struct aws_http_response {
	long status;                          /* HTTP status, 0 if none */
	struct buf body;                      /* body (unless sent to out_fd) */
	struct aws_http_resp_header *headers; /* of the last attempt */
	size_t header_count;
	size_t header_alloc;
	int attempts;                         /* attempts made */
	uint64_t fd_bytes;                    /* bytes written to out_fd */
};

/*
 * Set up c for svc from cfg (copied; cfg may be freed afterwards).
 * Returns 0, or -1 with err "InvalidParameter" for an endpoint URL that is
 * not http(s)://host[:port][/path].  Pair with aws_client_cleanup.
 */
int aws_client_init(struct aws_client *c, const struct aws_config *cfg,
		    enum aws_service svc, struct aws_error *err);
void aws_client_cleanup(struct aws_client *c);

/*
 * Send req with retries.  Returns 0 for a 2xx answer, else -1 with err
 * filled (the service's code/message/request id, or ConnectionError /
 * TimeoutError / ClientError with http_status 0).  resp is initialised
 * by the call whatever happens; the caller frees it.
 */
int aws_http_send(struct aws_client *c, const struct aws_http_request *req,
		  struct aws_http_response *resp, struct aws_error *err);
void aws_http_response_free(struct aws_http_response *resp);
/* Value of header lower_name in resp (borrowed), or NULL. */
const char *aws_http_response_header(const struct aws_http_response *resp,
				     const char *lower_name);

/* ---- retry policy, exposed for tests ---------------------------------- */

/*
 * Classify a failed attempt: curl_code (CURLcode, 0 when a response came),
 * status and the parsed error code.
 */
enum aws_retry_kind aws_retry_classify(int curl_code, int status, const char *code);
/* Delay before retry number attempt (1 = first retry), rand01 in [0,1). */
long aws_retry_delay_ms(int attempt, double rand01);
/*
 * Take the tokens a retry of kind costs from *quota.  Returns the cost
 * taken, or 0 when the quota cannot pay (do not retry).
 */
int aws_retry_quota_acquire(int *quota, enum aws_retry_kind kind);
/* After a success: give back cost (the last retry's), or 1 when none. */
void aws_retry_quota_release(int *quota, int cost);

/* The CA bundle HTTPS uses: $AWS_CA_BUNDLE, else the first system bundle
 * found (Debian's, then Amazon Linux's, ...), else NULL for libcurl's
 * built-in default.  The string is static or the environment's. */
const char *aws_ca_bundle(void);

#endif
