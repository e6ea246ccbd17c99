/*
 * aws_s3.h - S3 client: get (to memory or a file), put (from memory or a
 * file, streamed), head, delete, ListObjectsV2 and presigned URLs.
 *
 *   struct aws_config cfg;  aws_config_load(&cfg, &err);
 *   struct aws_s3 *s3 = aws_s3_new(&cfg, &err);
 *   aws_s3_put_object(s3, "bucket", "a/b.jpg", data, len, &opts, &info, &err);
 *   aws_s3_free(s3);
 *
 * Addressing: path style (endpoint/bucket/key) with a configured endpoint
 * (the emulator, moto, MinIO...), virtual-hosted (bucket.s3.region...)
 * on AWS for bucket names that are valid DNS labels.  Keys are sent
 * percent-encoded as SigV4 for S3 wants them.  A payload is signed with
 * its SHA-256 over http, as UNSIGNED-PAYLOAD over https for file bodies.
 *
 * Every function returns 0 or -1 with err filled (S3's code: NoSuchKey,
 * NoSuchBucket, AccessDenied, PreconditionFailed...; "NotFound" for a
 * HEAD of a missing key, since HEAD answers have no body).  One client
 * per thread.
 */
#ifndef IMGPIPE_AWS_S3_H
#define IMGPIPE_AWS_S3_H

#include <stddef.h>
#include <stdint.h>

#include "aws_config.h"
#include "aws_error.h"
#include "aws_http.h"

struct aws_s3;

/* One user metadata pair (sent as x-amz-meta-<name>). */
struct aws_s3_meta {
	const char *name;
	const char *value;
};

/* Options for a put; every field may be NULL/0. */
struct aws_s3_put_opts {
	const char *content_type;     /* Content-Type */
	const char *cache_control;    /* Cache-Control */
	const char *content_disposition;
	const char *if_none_match;    /* "*": create only (412 PreconditionFailed if it exists) */
	const struct aws_s3_meta *metadata;
	size_t metadata_count;
};

/* What a get or head learnt about the object (a put fills etag, version_id, size). */
struct aws_s3_object {
	uint64_t size;              /* Content-Length (get, head) */
	char etag[130];             /* ETag as sent, quotes included */
	char content_type[256];
	char cache_control[256];
	char last_modified[64];     /* HTTP date */
	char version_id[130];       /* x-amz-version-id, "" when none */
};

/* Options for ListObjectsV2; every field may be NULL/0. */
struct aws_s3_list_opts {
	const char *prefix;
	const char *delimiter;
	const char *continuation_token;
	const char *start_after;
	int max_keys;               /* 0: the server's default (1000) */
};

struct aws_s3_list_entry {
	char *key;
	uint64_t size;
	char *etag;
	char *last_modified;        /* ISO 8601 as S3 writes it */
	char *storage_class;
};

/* One page of ListObjectsV2.  Owns everything; aws_s3_list_free. */
struct aws_s3_list {
	struct aws_s3_list_entry *entries;
	size_t count;
	char **prefixes;            /* CommonPrefixes (with a delimiter) */
	size_t prefix_count;
	int truncated;              /* IsTruncated */
	char *next_token;           /* NextContinuationToken, or NULL */
};

/* A client for cfg (copied).  NULL with err filled on a bad endpoint. */
struct aws_s3 *aws_s3_new(const struct aws_config *cfg, struct aws_error *err);
void aws_s3_free(struct aws_s3 *s3);
/* The underlying HTTP client, to adjust timeouts (borrowed). */
struct aws_client *aws_s3_http(struct aws_s3 *s3);

/*
 * GET into memory.  max_size: refuse bodies larger than this (0: 64 MiB;
 * err "ClientError").  *data (caller frees; NUL-terminated for
 * convenience) and *len are set on success.  info may be NULL.
 */
int aws_s3_get_object(struct aws_s3 *s3, const char *bucket, const char *key,
		      size_t max_size, char **data, size_t *len,
		      struct aws_s3_object *info, struct aws_error *err);
/*
 * GET into the file path, written to a temporary file beside it and
 * renamed over path only when complete (nothing is left on failure).
 */
int aws_s3_get_object_file(struct aws_s3 *s3, const char *bucket, const char *key,
			   const char *path, struct aws_s3_object *info,
			   struct aws_error *err);
/* PUT len bytes of data.  info (ETag, version id) may be NULL. */
int aws_s3_put_object(struct aws_s3 *s3, const char *bucket, const char *key,
		      const void *data, size_t len, const struct aws_s3_put_opts *opts,
		      struct aws_s3_object *info, struct aws_error *err);
/* PUT the contents of the file path, streamed (never held in memory). */
int aws_s3_put_object_file(struct aws_s3 *s3, const char *bucket, const char *key,
			   const char *path, const struct aws_s3_put_opts *opts,
			   struct aws_s3_object *info, struct aws_error *err);
/* HEAD: size, ETag, type...  A missing key fails with code "NotFound". */
int aws_s3_head_object(struct aws_s3 *s3, const char *bucket, const char *key,
		       struct aws_s3_object *info, struct aws_error *err);
/* DELETE (S3 answers 204 whether or not the key existed). */
int aws_s3_delete_object(struct aws_s3 *s3, const char *bucket, const char *key,
			 struct aws_error *err);
/* One page of ListObjectsV2 into out (zeroed first; free with aws_s3_list_free). */
int aws_s3_list_objects_v2(struct aws_s3 *s3, const char *bucket,
			   const struct aws_s3_list_opts *opts, struct aws_s3_list *out,
			   struct aws_error *err);
void aws_s3_list_free(struct aws_s3_list *list);
/*
 * A presigned URL for method ("GET", "PUT", "HEAD", "DELETE") on
 * bucket/key, valid expires seconds (1..604800).  Returns a heap string
 * (caller frees) or NULL with err filled.  Nothing is sent.
 */
char *aws_s3_presign(struct aws_s3 *s3, const char *method, const char *bucket,
		     const char *key, unsigned long expires, struct aws_error *err);

#endif
