/*
 * service.h - what an emulated service is, and what its handlers see.
 *
 * A service (S3, DynamoDB, SNS, ...) is one `const struct service` row: how
 * the router recognises its requests, which wire protocol it speaks, and a
 * table of operations.  The router (router.c) picks the service and the
 * operation; the edge (edge/edge.c) turns HTTP into a `struct request` and
 * a `struct response` back into HTTP.  A service never sees libmicrohttpd
 * and the router never sees a service's internals: adding an operation is
 * adding a row and a function.
 *
 * Life of a request, in call order:
 *   1. edge: headers complete -> struct request (method, raw path, query,
 *      headers, arena, request id).
 *   2. router_route(): picks the service (and the operation when the
 *      headers name it), checks authentication, size limits.
 *   3. op->begin (optional, OP_STREAM_BODY): may install req->sink to take
 *      the body as it arrives; otherwise the edge buffers the body in
 *      req->body up to the op's limit.
 *   4. body complete -> for Query-protocol services the Action is read from
 *      the form body now; the router rejects unknown operations.
 *   5. op->handler(req, resp): does the work, fills resp, returns 0; or
 *      records an error with req_error() and returns -1.  It may also
 *      return OP_SUSPEND and finish later with req_resume().
 *   6. on error the service's protocol encoder writes the wire-form error.
 *   7. edge sends resp, logs one access line, destroys the arena.
 *
 * Errors are values: a handler never writes an error body; it calls
 * req_error(req, status, code, fmt, ...) where the failure is detected and
 * returns -1, and the protocol encoder (protocol.c) renders it.
 */
#ifndef IMGPIPE_SERVICE_H
#define IMGPIPE_SERVICE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arena.h"
#include "buf.h"

struct config;
struct store;
struct service;
struct service_op;
struct emulator;
struct router;
struct redis_server;
struct edge;
struct request;
struct sigv4_stream;
struct cJSON;

/* ---------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------- */

#define AWS_ERR_MAX_EXTRA 4

/* An AWS-shaped error: what the protocol encoder turns into wire form. */
struct aws_err {
	int status;          /* HTTP status, 0 = no error recorded */
	const char *code;    /* "NoSuchBucket", "ValidationException", ... */
	const char *message; /* human text, AWS's wording where known */
	const char *sender;  /* "Sender" or "Receiver" (Query/XML <Type>) */
	/* Extra elements some protocols carry (S3: BucketName, Key, ...). */
	struct {
		const char *name;
		const char *value;
	} extra[AWS_ERR_MAX_EXTRA];
	size_t n_extra;
	/* JSON protocols: further members of the error body, values of any
	 * JSON type (DynamoDB's Item, CancellationReasons); a cJSON object
	 * owned by the request's arena, or NULL. */
	struct cJSON *json_fields;
};

/* ---------------------------------------------------------------------
 * Request
 * ------------------------------------------------------------------- */

struct kv {
	const char *name;
	const char *value;
};

/*
 * Where the body goes when an operation streams it (OP_STREAM_BODY).
 * Callbacks return 0, or -1 with an error recorded on the request.
 * abort is called instead of finish when the request fails or the client
 * goes away; it must release whatever write took.
 */
struct body_sink {
	int (*write)(struct request *req, const char *data, size_t len);
	int (*finish)(struct request *req);
	void (*abort)(struct request *req);
};

/* Who signed the request, when it was signed (SigV4). */
struct identity {
	const char *access_key; /* NULL when unsigned */
	const char *region;     /* from the credential scope, else config */
	const char *scope;      /* signing name: "s3", "dynamodb", ... */
};

struct request {
	struct arena *arena;      /* everything request-scoped */
	struct emulator *emu;     /* process-wide context (config, store) */
	char request_id[40];      /* also sent as x-amz-request-id */
	const char *method;       /* "GET", "PUT", ... */
	const char *raw_path;     /* path exactly as sent (percent-encoded) */
	const char *path;         /* raw_path percent-decoded */
	const char *raw_query;    /* query exactly as sent, without '?', or "" */
	struct kv *query;         /* decoded query parameters, in order */
	size_t n_query;
	struct kv *headers;       /* names lower-cased, in order */
	size_t n_headers;
	const char *host;         /* Host header, or "" */
	uint64_t content_length;  /* from the header; UINT64_MAX if absent */

	struct identity identity;
	/* Set by auth when the body is aws-chunked with signed chunks: the
	 * chain an OP_STREAM_BODY operation checks chunk signatures with. */
	struct sigv4_stream *sigv4_stream;

	/* Body: buffered (default) or streamed to a sink (OP_STREAM_BODY). */
	char *body;               /* NUL-terminated buffered body, or NULL */
	size_t body_len;
	const struct body_sink *sink;
	void *op_state;           /* the operation's own per-request state */

	/* Set by the router. */
	const struct service *service;
	void *service_state;      /* the service's instance state */
	const struct service_op *op;
	struct kv *path_params;   /* REST: {Name} captures of op->path */
	size_t n_path_params;

	struct aws_err err;
	/* MAY be set by an operation that suspends: called (on any thread,
	 * with no edge lock held) when the edge wants to abandon the parked
	 * request, e.g. at shutdown.  Returns 1 when the owner gives it up
	 * (forgets the pointer and will never call req_resume; the edge then
	 * answers it and it is gone), or 0 when the owner is already
	 * finishing it and will call req_resume itself. */
	int (*cancel)(struct request *req);
	struct edge_conn *conn;   /* opaque, owned by the edge */
};

/* Header value by lower-case name, or NULL. */
const char *req_header(const struct request *req, const char *name);
/* Decoded query parameter by name, or NULL; "" for `?name` / `?name=`. */
const char *req_query(const struct request *req, const char *name);
/* A {Name} capture of the matched REST path template, decoded, or NULL. */
const char *req_path_param(const struct request *req, const char *name);
/* Parse an application/x-www-form-urlencoded body into the arena. */
int req_parse_form(struct request *req, const char *body, size_t len,
		   struct kv **out, size_t *n_out);
/* Split "a=1&b=&c" into decoded pairs in the arena; form_plus: '+' is a
 * space (forms) rather than itself (URL queries).  -1 on a bad escape. */
int req_parse_pairs(struct arena *arena, const char *text, size_t len,
		    int form_plus, struct kv **out, size_t *n_out);
/* Value of a field in a parsed form, or NULL. */
const char *kv_get(const struct kv *kv, size_t n, const char *name);

/*
 * Record an error on the request (first one wins: the place that detects
 * a failure describes it, callers only propagate).  Returns -1 so a
 * handler can `return req_error(...)`.
 */
int req_error(struct request *req, int status, const char *code,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Add an extra element (e.g. S3's <BucketName>) to the recorded error. */
void req_error_extra(struct request *req, const char *name, const char *value);
/* JSON protocols: add member name (any JSON value; ownership of value
 * passes to the request) to the recorded error's body. */
void req_error_json(struct request *req, const char *name,
		    struct cJSON *value);

/*
 * A handler that returned OP_SUSPEND finishes later, from any thread:
 * fill req_response(req) (or record an error with req_error), then call
 * req_resume(req) exactly once.  The request must not be touched after.
 */
struct response *req_response(struct request *req);
void req_resume(struct request *req);

/* ---------------------------------------------------------------------
 * Response
 * ------------------------------------------------------------------- */

struct response {
	int status;               /* default 200 */
	struct kv *headers;       /* arena-owned */
	size_t n_headers;
	size_t alloc_headers;
	struct arena *arena;
	/* Body: memory or a file descriptor, never both. */
	char *body;               /* heap, owned by the response (free()) */
	size_t body_len;
	int fd;                   /* -1, or owned by the response */
	off_t fd_offset;
	uint64_t fd_length;
	int head_only;            /* send headers of the body, no body (HEAD) */
};

void resp_header(struct response *resp, const char *name, const char *value);
void resp_headerf(struct response *resp, const char *name, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));
const char *resp_get_header(const struct response *resp, const char *name);
/* Copy len bytes as the body. */
void resp_body(struct response *resp, const void *data, size_t len);
/* Take ownership of a heap body (freed with free()). */
void resp_body_take(struct response *resp, char *data, size_t len);
/* Take the contents of a buf as the body; the buf is left empty. */
void resp_body_buf(struct response *resp, struct buf *b);
/* Serve length bytes of fd from offset (sendfile); takes ownership of fd. */
void resp_body_fd(struct response *resp, int fd, off_t offset,
		  uint64_t length);

/* Release what the response owns (the edge, once it is sent). */
void resp_release(struct response *resp);

/* ---------------------------------------------------------------------
 * Operations and services
 * ------------------------------------------------------------------- */

/* Handler return values besides 0 (done) and -1 (error recorded). */
#define OP_SUSPEND 1 /* the response comes later, through req_resume() */

typedef int op_handler_fn(struct request *req, struct response *resp);
typedef int op_begin_fn(struct request *req);

/* Operation flags. */
#define OP_STREAM_BODY (1u << 0) /* begin() installs a sink for the body */
#define OP_NO_AUTH     (1u << 1) /* served without a signature (runtime API,
				    presigned checks done by the op) */

struct service_op {
	const char *name;        /* AWS operation name: "PutObject" */
	const char *method;      /* REST protocols: HTTP method, else NULL */
	const char *path;        /* REST protocols: path template
				    ("/2015-03-31/functions/{FunctionName}"),
				    else NULL */
	op_handler_fn *handler;  /* MUST be set */
	op_begin_fn *begin;      /* MAY be set; runs when headers arrive */
	unsigned flags;          /* OP_* */
	size_t max_body;         /* buffered body limit; 0 = service default */
};

/* The wire protocol a service speaks; chooses the error encoder. */
enum protocol {
	PROTO_REST_XML,  /* S3 */
	PROTO_JSON,      /* X-Amz-Target JSON 1.0/1.1 (DynamoDB, Logs) */
	PROTO_REST_JSON, /* Lambda, API Gateway v2 */
	PROTO_QUERY,     /* Action= form, XML responses (SNS, IAM, STS) */
};

/* Service flags. */
#define SVC_FALLBACK    (1u << 0) /* takes requests nothing else claims (S3) */
#define SVC_UNSIGNED    (1u << 1) /* path-routed, no SigV4 (admin, runtime) */
#define SVC_JSON_CRC32  (1u << 2) /* x-amz-crc32 on JSON answers (DynamoDB) */
#define SVC_ERROR_MESSAGE_CAPITAL (1u << 3) /* REST-JSON error bodies say
					       "Message" (Lambda) */

struct service {
	const char *name;          /* "s3", "dynamodb": logs, health, docs */
	const char *signing_name;  /* SigV4 credential-scope service, or NULL */
	const char *target_prefix; /* "DynamoDB_20120810." (PROTO_JSON) */
	const char *query_version; /* "2010-03-31" (PROTO_QUERY) */
	const char *const *path_prefixes; /* NULL-terminated, or NULL */
	enum protocol protocol;
	unsigned flags;            /* SVC_* */
	/* PROTO_JSON: "com.amazonaws.dynamodb.v20120810#", prepended to
	 * __type; PROTO_QUERY: XML namespace of responses. */
	const char *error_namespace;
	const char *json_content_type; /* PROTO_JSON: x-amz-json-1.0 or 1.1 */
	size_t max_body;           /* default buffered body limit */

	/* MAY: does this Host header name this service (virtual hosts)? */
	int (*match_host)(const char *host);
	/* MAY: create the service's state; returns 0 or -1 with errbuf. */
	int (*init)(struct emulator *emu, void **state, char *errbuf,
		    size_t errlen);
	/* MAY: start background work (threads, timers) once every service
	 * is initialised and the bus is complete; returns 0 or -1. */
	int (*start)(void *state);
	/* MAY: stop background work and release the state. */
	void (*shutdown)(void *state);
	/* MAY: wipe all state (POST /_emulator/reset). */
	int (*reset)(void *state);
	/* MAY: describe every resource as JSON (GET /_emulator/resources);
	 * returns a cJSON* (as void* to keep cJSON out of this header). */
	void *(*resources)(void *state);
	/* MAY: find the operation for a request when the generic lookup by
	 * protocol (target, Action, method+path) does not fit (S3). */
	const struct service_op *(*resolve)(const struct service *svc,
					     struct request *req);

	const struct service_op *ops;
	size_t n_ops;
};

/*
 * Calls between services.  The service that answers a call registers it
 * in its init hook; callers use it only from their start hook on (when
 * every init has run) and never include another service's headers.  A
 * NULL hook means that service is not part of this build: callers keep
 * the work queued, never drop it.
 */
struct bus {
	void *lambda; /* the Lambda service's state */
	/* Queue an asynchronous (InvocationType=Event) invocation of
	 * function_arn (an ARN or a name) with a JSON payload.  Returns 0
	 * once it is durably queued, or -1 with errbuf (unknown function). */
	int (*lambda_invoke_async)(void *lambda, const char *function_arn,
				   const char *payload, size_t len,
				   char *errbuf, size_t errlen);
	/* Does function_arn's resource policy let principal (a service,
	 * "s3.amazonaws.com") invoke it for source_arn?  1 allowed, 0 not
	 * (also: no such function). */
	int (*lambda_allows)(void *lambda, const char *function_arn,
			     const char *principal, const char *source_arn);
	void *sns; /* the SNS service's state */
	/* Publish to topic_arn (subject may be NULL); the new message id is
	 * written to message_id (37 bytes).  0, or -1 with errbuf. */
	int (*sns_publish)(void *sns, const char *topic_arn,
			   const char *subject, const char *message,
			   char message_id[37], char *errbuf, size_t errlen);
	void *logs; /* the CloudWatch Logs service's state */
	/* Append text (one event per line) to stream in group, creating
	 * both when missing; ts_ms is the events' timestamp.  0, or -1
	 * (logged). */
	int (*logs_put)(void *logs, const char *group, const char *stream,
			const char *text, size_t len, int64_t ts_ms);
	/* The newest `limit` events of group, oldest first, as a cJSON
	 * array (as void*; the caller owns it), or NULL: no such group. */
	void *(*logs_query)(void *logs, const char *group, int limit);
	void *s3; /* the S3 service's state */
	/* Read the whole object bucket/key into *data (heap, the caller
	 * frees it) and *len.  0, or -1 with errbuf (no such bucket/key,
	 * too large: over max_len bytes). */
	int (*s3_read_object)(void *s3, const char *bucket, const char *key,
			      size_t max_len, char **data, size_t *len,
			      char *errbuf, size_t errlen);
};

/* The process-wide context every handler can reach through req->emu. */
struct emulator {
	struct bus bus;
	const struct config *config;
	struct store *store;
	struct router *router;       /* every service (router.h) */
	struct redis_server *redis;  /* NULL with --redis-port off */
	struct edge *edge;
	int64_t started_ms;        /* wall clock at start, ms since epoch */
	const char *version;
};

#endif
