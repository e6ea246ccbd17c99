/*
 * aws_error.h - the error every sdk call reports: AWS error code, message,
 * request id and HTTP status, as the AWS SDKs surface them.
 *
 * Every sdk function that can fail returns 0 or -1 and, on -1, fills a
 * struct aws_error that the caller owns (fixed-size fields, nothing to
 * free; long messages are truncated).  For a failure that never got an
 * HTTP response, http_status is 0 and code is one of the sdk's own:
 *
 *   ConnectionError   could not connect / connection reset
 *   TimeoutError      connect or transfer timed out
 *   InvalidParameter  the caller's arguments were refused before sending
 *   ClientError       a local failure (file I/O, malformed response)
 *
 * For a response without a parsable error body (HEAD, an empty 404) the
 * code is derived from the status as the service models name it
 * ("NotFound" for 404, "Forbidden", "BadRequest", "NotModified"...).
 *
 * aws_error_parse reads the three wire shapes of AWS error bodies:
 *   REST-XML (S3)   <Error><Code/><Message/><RequestId/></Error>
 *   Query (SNS)     <ErrorResponse><Error><Code/><Message/></Error>
 *                   <RequestId/></ErrorResponse>
 *   JSON (DynamoDB) {"__type": "ns#Code", "message": "..."}, or the
 *                   X-Amzn-ErrorType header (REST-JSON)
 */
#ifndef IMGPIPE_AWS_ERROR_H
#define IMGPIPE_AWS_ERROR_H

#include <stddef.h>

struct aws_error {
	int http_status;        /* HTTP status, 0 when no response came */
	char code[128];         /* "NoSuchKey", "ConditionalCheckFailedException"... */
	char message[1024];     /* the service's message (may be empty) */
	char request_id[128];   /* x-amz-request-id / x-amzn-RequestId / body */
};

/* Zero err (NULL is allowed and ignored by every aws_error_* function). */
void aws_error_clear(struct aws_error *err);

/*
 * Fill err with status, code and a printf-style message; the request id
 * is cleared.  Returns -1 so callers can `return aws_error_set(...)`.
 */
int aws_error_set(struct aws_error *err, int http_status, const char *code,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Parse an error response into err.  body/len: the response body (may be
 * empty); content_type, error_type_header (X-Amzn-ErrorType) and
 * request_id_header (x-amzn-RequestId or x-amz-request-id) may be NULL.
 * The code falls back to one derived from status when the body names
 * none.  Always fills err; returns -1 (for `return aws_error_parse(..)`).
 */
int aws_error_parse(struct aws_error *err, int status, const char *body,
		    size_t len, const char *content_type,
		    const char *error_type_header, const char *request_id_header);

/* The code AWS services use for a bodiless response of status. */
const char *aws_error_status_code(int status);

#endif
