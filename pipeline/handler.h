/*
 * handler.h - the Lambda handler of the image pipeline: S3 event records
 * in, variants + a DynamoDB item + a Redis cache entry + an SNS event out.
 *
 * For each record of an S3 event (eventVersion 2.x, ObjectCreated:*):
 *
 *   1. only keys `uploads/{image_id}.{ext}` of the uploads bucket are
 *      processed (image_id: 1-128 of [A-Za-z0-9_-]); everything else,
 *      including the pipeline's own outputs, is skipped;
 *   2. the item of image_id is read: when it already records this upload
 *      (same sequencer, or same ETag for records without one) or a newer
 *      one, the record is a redelivery and nothing is redone;
 *   3. HEAD: a missing object is skipped ("gone"), a changed ETag means
 *      the upload was overwritten and a newer event will come
 *      ("superseded"), a size over the limit fails without downloading;
 *   4. GET, SHA-256, the image core (pipeline/image.h);
 *   5. the variants are PUT to the processed bucket at
 *      `{image_id}/{variant}.{ext}` (Content-Type, Cache-Control: public,
 *      max-age=31536000, immutable); for a bad input the configured
 *      variant keys are deleted instead, so none is left behind;
 *   6. the item is written last (the commit point), conditionally:
 *      only when no item exists or it records an older upload;
 *   7. the item is cached in Redis as `image:{image_id}` (JSON, TTL 1 h;
 *      Redis errors are logged, never fatal), `image.processed` or
 *      `image.failed` is published to the topic (message attribute
 *      `event`), and the item is marked `published_at`.  A redelivery of
 *      a committed but unpublished record redoes step 7 only, so every
 *      committed image is announced at least once.
 *
 * Outcomes: bad input (empty, not an image, truncated, corrupt, too many
 * pixels, too large, unsupported) is a status=failed item with error
 * {code, message}, `image.failed`, and a successful invocation.  An error
 * of S3, DynamoDB or SNS (5xx, throttling, timeouts, and also access or
 * configuration errors), or an internal encoder failure, fails the
 * invocation (errorType Pipeline.Transient or Pipeline.Dependency) so
 * Lambda retries it; the other records of the event are still processed.
 *
 * Configuration (environment): UPLOAD_BUCKET, PROCESSED_BUCKET,
 * TABLE_NAME (required), TOPIC_ARN (no events without it), REDIS_URL
 * (redis://host:port[/db]; no cache without it), IMGPIPE_VARIANTS,
 * IMGPIPE_MAX_PIXELS, IMGPIPE_MAX_BYTES (pipeline/image.h), and the AWS
 * SDK variables (sdk/aws_config.h).
 *
 * libvips must be initialised (imgpipe_image_init) before
 * pipeline_handle runs.  A struct pipeline is used by one thread.
 */
#ifndef IMGPIPE_HANDLER_H
#define IMGPIPE_HANDLER_H

#include <stddef.h>

#include "aws_error.h"
#include "buf.h"
#include "runtime_client.h"

#define PIPELINE_ID_MAX 128
#define PIPELINE_SEQ_LEN 32 /* sequencers are compared padded to this */
#define PIPELINE_CACHE_TTL 3600
#define PIPELINE_CACHE_CONTROL "public, max-age=31536000, immutable"

struct pipeline;

/* Getenv-like lookup, so tests can configure a pipeline without setenv. */
typedef const char *pipeline_getenv_fn(void *arg, const char *name);

/*
 * A pipeline configured from the environment (getenv when env is NULL):
 * settings and the S3/DynamoDB/SNS/Redis clients (nothing is connected
 * yet).  The image settings (IMGPIPE_*) always come from the process
 * environment, through imgpipe_config_from_env.  Returns NULL with the reason in err when a
 * variable is missing or invalid.  Free with pipeline_free.
 */
struct pipeline *pipeline_new(pipeline_getenv_fn *env, void *arg, char *err,
			      size_t errlen);
void pipeline_free(struct pipeline *p);

/*
 * The runtime handler (runtime_handler_fn): arg is the struct pipeline.
 * Appends {"records": [{"key", "image_id", "outcome", "reason"}...]} to
 * response and returns 0, or fills failure and returns -1 when a record
 * met a dependency error (see above).  A payload that is not an S3 event
 * is answered with zero records (never retried).
 */
int pipeline_handle(void *arg, const struct runtime_invocation *inv,
		    struct buf *response, struct runtime_failure *failure);

/* ---- pieces exposed for the unit tests -------------------------------- */

/*
 * The image id and extension of an uploads key (already URL-decoded):
 * "uploads/{id}.{ext}" with id 1-128 of [A-Za-z0-9_-] and ext 1-16 of
 * [A-Za-z0-9].  Returns 0 with id/ext filled (id holds PIPELINE_ID_MAX+1,
 * ext 17 bytes), or -1.
 */
int pipeline_parse_key(const char *key, char *id, char *ext);

/*
 * An S3 event key (form-encoded: '+' is a space) decoded into out
 * (room for strlen(key)+1).  Returns 0, or -1 on a bad escape or a NUL.
 */
int pipeline_decode_key(const char *key, char *out);

/*
 * seq (upper- or lower-case hex, at most PIPELINE_SEQ_LEN digits) as
 * upper-case hex right-padded with '0' to PIPELINE_SEQ_LEN, so that two
 * sequencers compare as strings the way S3 says they compare.  out holds
 * PIPELINE_SEQ_LEN+1 bytes; "" for NULL/"" input.  Returns 0 or -1.
 */
int pipeline_norm_sequencer(const char *seq, char *out);

/* 1 when err is worth retrying soon (no response, 5xx, 429, throttling). */
int pipeline_error_transient(const struct aws_error *err);

#endif
