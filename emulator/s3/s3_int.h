/*
 * s3_int.h - what the files of the S3 service share (not for other
 * services: they reach S3 only over HTTP or the bus).
 *
 *   s3.c           service row, op table, request resolution, hooks
 *   s3_db.c        schema, bucket/object rows, bucket configurations
 *   s3_bucket.c    bucket operations and their sub-resources
 *   s3_put.c       streaming uploads (PutObject, UploadPart): checksums,
 *                  Content-MD5, aws-chunked
 *   s3_object.c    Get/Head/Delete/Copy, tagging, attributes
 *   s3_list.c      ListBuckets, ListObjects(V2), ListObjectVersions
 *   s3_multipart.c the multipart upload operations
 *   s3_notify.c    notification configuration, event records, outbox and
 *                  its delivery thread
 *   s3_cors.c      CORS preflight and response headers
 *   s3_post.c      browser POST-policy uploads (PostObject)
 *   s3_util.c      helpers every file shares (XML envelopes, dates,
 *                  checksum names, blob copies, request headers)
 */
#ifndef IMGPIPE_S3_INT_H
#define IMGPIPE_S3_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "hash.h"
#include "service.h"
#include "store.h"
#include "xml.h"

#define S3_NS "http://s3.amazonaws.com/doc/2006-03-01/"
#define S3_OWNER_ID \
	"75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
#define S3_OWNER_NAME "imgpipe"
#define S3_MAX_KEY 1024
#define S3_MIN_PART (5u * 1024 * 1024)
#define S3_MAX_PARTS 10000

/* The service's state (the init hook's result). */
struct s3 {
	struct emulator *emu;
	struct store *store;
	struct store_db *db;
	/* delivery thread of the event outbox */
	pthread_t thread;
	int thread_running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stopping;
	atomic_uint_fast64_t seq; /* event sequencer */
};

/* One object row (strings owned by the request arena). */
struct s3_object {
	const char *bucket;
	const char *key;
	char blob[STORE_BLOB_ID_LEN + 1];
	uint64_t size;
	const char *etag;          /* hex, no quotes ("<hex>-N" multipart) */
	int64_t mtime_ms;
	const char *headers;       /* JSON object: Content-Type, x-amz-meta-* */
	const char *storage_class; /* "STANDARD", ... */
	const char *ck_alg;        /* "CRC32", ... or NULL */
	const char *ck_value;      /* base64 (multipart composite: "...-N") */
	const char *ck_type;       /* "FULL_OBJECT" / "COMPOSITE" or NULL */
	int parts;                 /* 0 for a single PUT */
	const char *tags;          /* JSON array of [key, value], or NULL */
	/* s3_object_commit: the multipart upload this object completes,
	 * removed in the same transaction (NoSuchUpload if it is gone). */
	const char *completes_upload;
};

/* A bucket sub-resource stored as one document (s3_bucket.c). */
struct s3_subres {
	const char *query;       /* "cors": the query key naming it */
	const char *get_op, *put_op, *delete_op; /* delete_op may be NULL */
	const char *root;        /* XML root element; NULL: JSON (policy) */
	int missing_status;      /* 404 when unset is an error, else 0 */
	const char *missing_code, *missing_message;
	const char *default_body; /* answer when unset (inner XML), or NULL */
};
const struct s3_subres *s3_subres_find(const struct request *req);

/* ---- s3.c -------------------------------------------------------- */
const char *s3_bucket_name(const struct request *req);
const char *s3_key_name(const struct request *req);
/* Region the emulator answers for. */
const char *s3_region(const struct request *req);

/* ---- s3_db.c ----------------------------------------------------- */
int s3_db_open(struct s3 *s3, char *errbuf, size_t errlen);
/* 1 bucket exists, 0 not; *region (arena) when wanted. */
int s3_bucket_lookup(struct request *req, const char *bucket,
		     const char **region);
/* 0 when the bucket exists, else -1 with NoSuchBucket recorded. */
int s3_require_bucket(struct request *req, const char *bucket);
int s3_no_such_bucket(struct request *req, const char *bucket);
int s3_no_such_key(struct request *req, const char *key);
int s3_internal(struct request *req, const char *what);
/* Load an object row: 1 found, 0 not found, -1 error recorded. */
int s3_object_load(struct request *req, const char *bucket, const char *key,
		   struct s3_object *o);
/*
 * Make o the current object of its key: one transaction replaces the
 * row and queues the event (event_name, e.g. "ObjectCreated:Put"); the
 * blob of the replaced object is removed after the commit.  On failure
 * the error is recorded and o's blob is left for the caller to remove.
 */
int s3_object_commit(struct request *req, const struct s3_object *o,
		     const char *event_name);
/* Delete the row of bucket/key (and later its blob); *existed set. */
int s3_object_delete(struct request *req, const char *bucket,
		     const char *key, int *existed);
/* Copy an object's row fields from a statement at column 0.. */
void s3_object_from_row(struct request *req, void *stmt, struct s3_object *o);
#define S3_OBJECT_COLUMNS \
	"bucket, key, blob, size, etag, mtime, headers, storage_class, " \
	"ck_alg, ck_value, ck_type, parts, tags"
/* A bucket configuration document (kind: "cors", "policy", ...): 1 and
 * *body (arena) when set, 0 when not, -1 error recorded. */
int s3_config_get(struct request *req, const char *bucket, const char *kind,
		  const char **body);
int s3_config_put(struct request *req, const char *bucket, const char *kind,
		  const char *body, size_t len);
int s3_config_delete(struct request *req, const char *bucket,
		     const char *kind);
int s3_db_reset(struct s3 *s3);

/* ---- shared helpers ---------------------------------------------- */
/* Start an S3 XML answer: declaration + <root xmlns=S3_NS>. */
void s3_xml_begin(struct buf *b, const char *root);
/* Finish root, set Content-Type and hand b to resp. */
void s3_xml_send(struct response *resp, struct buf *b, const char *root);
/* Parse the request body as XML; NULL with MalformedXML recorded. */
struct xml_node *s3_body_xml(struct request *req, const char *root);
/* The "<alg>" response/header names for a checksum algorithm name. */
const char *s3_ck_header(const char *alg); /* "x-amz-checksum-crc32" */
const char *s3_ck_element(const char *alg); /* "ChecksumCRC32" */
/* Write the ETag header value "\"<etag>\"". */
void s3_etag_header(struct request *req, struct response *resp,
		    const char *etag);
/* HTTP date and ISO8601 of ms. */
char *s3_http_date(struct request *req, int64_t ms);
char *s3_iso_date(struct request *req, int64_t ms);
/* Copy a whole blob into a new writer; the caller commits it.  Updates
 * md5 (when not NULL) with the bytes copied.  -1 error recorded. */
int s3_blob_copy(struct request *req, const char *src_blob, uint64_t off,
		 uint64_t len, struct store_blob_writer *w,
		 struct hash_ctx *md5, struct hash_ctx *ck);
/* Build the headers JSON of a new object from the request's headers. */
char *s3_headers_from_request(struct request *req);
/* Parse "k1=v1&k2=v2" (x-amz-tagging) into the tags JSON; NULL and an
 * error recorded when malformed; "" -> NULL tags with *ok = 1. */
int s3_tags_from_query(struct request *req, const char *q, const char **json);
/* Validate and normalise x-amz-storage-class; -1 error recorded. */
int s3_storage_class(struct request *req, const char **out);

/* ---- s3_put.c ---------------------------------------------------- */
/* Part number, upload and the upload's checksum algorithm (or NULL) of
 * an UploadPart(Copy); -1 error recorded. */
int s3_part_target(struct request *req, const char **upload_id, int *num,
		   const char **ck_alg);
/*
 * Record part num of upload_id (replacing an earlier one) in one
 * transaction that also checks the upload still exists; the replaced
 * part's blob is removed after the commit.  0, or -1 error recorded.
 */
int s3_part_commit(struct request *req, const char *upload_id, int num,
		   const char *blob, uint64_t size, const char *etag,
		   const char *ck_value);

/* ---- s3_object.c ------------------------------------------------- */
/*
 * The object named by x-amz-copy-source, after the
 * x-amz-copy-source-if-* conditions: 0 with *src filled, or -1 with the
 * error recorded (NoSuchBucket/NoSuchKey of the source, 412).
 */
int s3_copy_source(struct request *req, struct s3_object *src);

/* ---- operations --------------------------------------------------- */
op_handler_fn s3_list_buckets, s3_create_bucket, s3_delete_bucket,
	s3_head_bucket, s3_get_bucket_location, s3_bucket_config_get,
	s3_bucket_config_put, s3_bucket_config_delete;
op_handler_fn s3_put_object, s3_upload_part;
op_begin_fn s3_put_object_begin, s3_upload_part_begin;
op_handler_fn s3_get_object, s3_head_object, s3_delete_object,
	s3_delete_objects, s3_copy_object, s3_get_object_tagging,
	s3_put_object_tagging, s3_delete_object_tagging,
	s3_get_object_attributes, s3_get_object_acl, s3_put_object_acl;
op_handler_fn s3_list_objects, s3_list_objects_v2, s3_list_object_versions;
op_handler_fn s3_create_multipart, s3_complete_multipart,
	s3_abort_multipart, s3_list_parts, s3_list_multipart_uploads,
	s3_upload_part_copy;
op_handler_fn s3_get_notification, s3_put_notification;
op_handler_fn s3_options, s3_post_object;
op_begin_fn s3_post_object_begin;

/* ---- s3_notify.c ------------------------------------------------- */
/* Inside an open transaction: queue the records of event_name for every
 * matching rule of the bucket.  -1 on a database error. */
int s3_notify_enqueue(struct request *req, const char *bucket,
		      const char *key, const char *event_name, uint64_t size,
		      const char *etag);
/* bus.s3_read_object (s3_bus.c); errbuf gets "NoSuchBucket",
 * "NoSuchKey", "TooLarge" or a reason. */
int s3_bus_read_object(void *state, const char *bucket, const char *key,
		       size_t max_len, char **data, size_t *len,
		       char *errbuf, size_t errlen);
int s3_notify_start(struct s3 *s3);
void s3_notify_stop(struct s3 *s3);
void s3_notify_wake(struct s3 *s3);
/* Outbox as JSON (cJSON*), for /_emulator/resources. */
void *s3_notify_resources(struct s3 *s3);

/* ---- s3_cors.c --------------------------------------------------- */
/* Add Access-Control-* headers when the request has an Origin that the
 * bucket's CORS rules allow. */
void s3_cors_headers(struct request *req, struct response *resp);

#endif
