/*
 * runtime_client.h - the AWS Lambda Runtime API client: the loop a
 * custom runtime (`bootstrap`) runs.
 *
 *   next      GET  /2018-06-01/runtime/invocation/next   (long poll)
 *   response  POST /2018-06-01/runtime/invocation/{id}/response
 *   error     POST /2018-06-01/runtime/invocation/{id}/error
 *   init      POST /2018-06-01/runtime/init/error
 *
 * The API's address comes from AWS_LAMBDA_RUNTIME_API (host:port), as
 * Lambda and the emulator set it.  Each invocation carries the request
 * id, deadline, function ARN and trace id from the Lambda-Runtime-*
 * headers; the loop exports the trace id as _X_AMZN_TRACE_ID, as the AWS
 * runtimes do.  Error bodies are Lambda's {"errorMessage", "errorType",
 * "stackTrace"} with the Lambda-Runtime-Function-Error-Type header.
 *
 * Ownership: the strings of a struct runtime_invocation belong to the
 * client and stay valid until the next runtime_client_next (or free).
 */
#ifndef IMGPIPE_RUNTIME_CLIENT_H
#define IMGPIPE_RUNTIME_CLIENT_H

#include <stddef.h>

#include "aws_error.h"
#include "buf.h"

#define RUNTIME_RESPONSE_MAX (6u << 20) /* Lambda's synchronous payload limit */

struct runtime_invocation {
	const char *request_id;       /* Lambda-Runtime-Aws-Request-Id */
	long long deadline_ms;        /* Lambda-Runtime-Deadline-Ms (epoch ms) */
	const char *function_arn;     /* Lambda-Runtime-Invoked-Function-Arn */
	const char *trace_id;         /* Lambda-Runtime-Trace-Id, "" if none */
	const char *client_context;   /* Lambda-Runtime-Client-Context, or NULL */
	const char *cognito_identity; /* Lambda-Runtime-Cognito-Identity, or NULL */
	const char *payload;          /* the event (NUL-terminated) */
	size_t payload_len;
};

/* What a handler reports when it fails (fixed fields). */
struct runtime_failure {
	char type[128];               /* errorType, e.g. "Pipeline.Transient" */
	char message[1024];           /* errorMessage */
};

/*
 * A handler: read inv, append the response (JSON) to response (capped at
 * RUNTIME_RESPONSE_MAX) and return 0; or fill failure and return -1.
 */
typedef int runtime_handler_fn(void *arg, const struct runtime_invocation *inv,
			       struct buf *response, struct runtime_failure *failure);

struct runtime_client;

/*
 * A client for api ("host:port"; NULL: $AWS_LAMBDA_RUNTIME_API).  NULL
 * with err "InvalidParameter" when there is no address.
 */
struct runtime_client *runtime_client_new(const char *api, struct aws_error *err);
void runtime_client_free(struct runtime_client *rc);

/* Wait for the next invocation (no timeout).  0 or -1. */
int runtime_client_next(struct runtime_client *rc, struct runtime_invocation *inv,
			struct aws_error *err);
/* Post the response of invocation request_id. */
int runtime_client_respond(struct runtime_client *rc, const char *request_id,
			   const void *body, size_t len, struct aws_error *err);
/* Post an invocation error. */
int runtime_client_fail(struct runtime_client *rc, const char *request_id,
			const char *type, const char *message, struct aws_error *err);
/* Post an initialisation error (then the runtime should exit). */
int runtime_client_init_error(struct runtime_client *rc, const char *type,
			      const char *message, struct aws_error *err);

/*
 * The loop: next -> handler -> response or error, max_invocations times
 * (0: until the Runtime API fails, which is how Lambda ends a runtime).
 * Returns 0 after max_invocations, else -1 with err from the call that
 * failed.
 */
int runtime_client_run(struct runtime_client *rc, runtime_handler_fn *handler,
		       void *arg, long max_invocations, struct aws_error *err);

/* Milliseconds left before inv's deadline (negative when past). */
long long runtime_remaining_ms(const struct runtime_invocation *inv);

#endif
