/*
 * s3.c - Amazon S3 (REST-XML): the service row, the operation table, how
 * a request becomes an operation, and the service hooks.
 *
 * Addressing, as AWS does it:
 *   path style       http://127.0.0.1:4566/<bucket>/<key>
 *   virtual-hosted   Host <bucket>.s3.localhost[:port], <bucket>.localhost,
 *                    <bucket>.s3.localhost.localstack.cloud,
 *                    <bucket>.s3[.<region>|-<region>].amazonaws.com
 * The key is the rest of the raw path, percent-decoded exactly once ('+'
 * stays '+'); it is never used as a file name (bytes live in blobs named
 * by random ids), so "../" or "//" in a key are just characters.
 *
 * The operation comes from the method, whether there is a bucket and a
 * key, the sub-resource query keys (?uploads, ?uploadId=, ?tagging,
 * ?list-type=2, ...) and x-amz-copy-source; see s3_resolve().  What is
 * emulated and what is not is listed in docs/services/s3.md.
 */
#include "s3_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "config.h"
#include "log.h"
#include "services.h"
#include "timefmt.h"
#include "uri.h"
#include "xalloc.h"

/* ---------------------------------------------------------------------
 * Operation table.  Every row's handler is s3_handle, which runs the
 * implementation named in s3_impl[] and adds CORS headers.  GetObject,
 * HeadObject and PutObject have a second row flagged OP_NO_AUTH, chosen
 * for SigV2 presigned URLs (which S3 checks itself, see sigv2_check).
 * ------------------------------------------------------------------- */

static op_handler_fn s3_handle;

#define XML_BODY (2u << 20)
#define ROW(name) {name, NULL, NULL, s3_handle, NULL, 0, XML_BODY}

static const struct service_op s3_ops[] = {
	ROW("ListBuckets"), ROW("CreateBucket"), ROW("DeleteBucket"),
	ROW("HeadBucket"), ROW("GetBucketLocation"), ROW("ListObjects"),
	ROW("ListObjectsV2"), ROW("ListObjectVersions"),
	ROW("ListMultipartUploads"), ROW("DeleteObjects"),
	ROW("GetBucketNotificationConfiguration"),
	ROW("PutBucketNotificationConfiguration"),
	{"PutObject", NULL, NULL, s3_handle, s3_put_object_begin,
	 OP_STREAM_BODY, 0},
	{"UploadPart", NULL, NULL, s3_handle, s3_upload_part_begin,
	 OP_STREAM_BODY, 0},
	ROW("GetObject"), ROW("HeadObject"), ROW("DeleteObject"),
	ROW("CopyObject"), ROW("GetObjectTagging"), ROW("PutObjectTagging"),
	ROW("DeleteObjectTagging"), ROW("GetObjectAttributes"),
	ROW("GetObjectAcl"), ROW("PutObjectAcl"),
	ROW("CreateMultipartUpload"), ROW("CompleteMultipartUpload"),
	ROW("AbortMultipartUpload"), ROW("ListParts"), ROW("UploadPartCopy"),
	{"PreflightRequest", NULL, NULL, s3_handle, NULL, OP_NO_AUTH, 0},
	/* the POST policy is the authentication (s3_post.c) */
	{"PostObject", NULL, NULL, s3_handle, s3_post_object_begin,
	 OP_STREAM_BODY | OP_NO_AUTH, 0},
	/* Bucket sub-resources: one generic implementation per method
	 * (s3_bucket.c's table says which document each one is). */
	ROW("GetBucketVersioning"), ROW("PutBucketVersioning"),
	ROW("GetBucketTagging"), ROW("PutBucketTagging"),
	ROW("DeleteBucketTagging"),
	ROW("GetBucketPolicy"), ROW("PutBucketPolicy"),
	ROW("DeleteBucketPolicy"),
	ROW("GetBucketCors"), ROW("PutBucketCors"), ROW("DeleteBucketCors"),
	ROW("GetBucketLifecycleConfiguration"),
	ROW("PutBucketLifecycleConfiguration"), ROW("DeleteBucketLifecycle"),
	ROW("GetBucketEncryption"), ROW("PutBucketEncryption"),
	ROW("DeleteBucketEncryption"),
	ROW("GetBucketOwnershipControls"), ROW("PutBucketOwnershipControls"),
	ROW("DeleteBucketOwnershipControls"),
	ROW("GetPublicAccessBlock"), ROW("PutPublicAccessBlock"),
	ROW("DeletePublicAccessBlock"),
	ROW("GetBucketAcl"), ROW("PutBucketAcl"),
	ROW("GetBucketWebsite"), ROW("PutBucketWebsite"),
	ROW("DeleteBucketWebsite"),
	ROW("GetBucketLogging"), ROW("PutBucketLogging"),
	ROW("GetBucketAccelerateConfiguration"),
	ROW("PutBucketAccelerateConfiguration"),
	ROW("GetBucketRequestPayment"), ROW("PutBucketRequestPayment"),
	ROW("GetObjectLockConfiguration"), ROW("PutObjectLockConfiguration"),
	ROW("GetBucketReplication"), ROW("PutBucketReplication"),
	ROW("DeleteBucketReplication"),
	/* SigV2 presigned URLs (checked by S3 itself) */
	{"GetObject", NULL, NULL, s3_handle, NULL, OP_NO_AUTH, XML_BODY},
	{"HeadObject", NULL, NULL, s3_handle, NULL, OP_NO_AUTH, XML_BODY},
	{"PutObject", NULL, NULL, s3_handle, s3_put_object_begin,
	 OP_STREAM_BODY | OP_NO_AUTH, 0},
};
#undef ROW

#define N_OPS (sizeof(s3_ops) / sizeof(s3_ops[0]))
#define N_PRESIGNED_V2 3 /* the last rows of s3_ops */

static const struct {
	const char *name;
	op_handler_fn *fn;
} s3_impl[] = {
	{"ListBuckets", s3_list_buckets},
	{"CreateBucket", s3_create_bucket},
	{"DeleteBucket", s3_delete_bucket},
	{"HeadBucket", s3_head_bucket},
	{"GetBucketLocation", s3_get_bucket_location},
	{"ListObjects", s3_list_objects},
	{"ListObjectsV2", s3_list_objects_v2},
	{"ListObjectVersions", s3_list_object_versions},
	{"ListMultipartUploads", s3_list_multipart_uploads},
	{"DeleteObjects", s3_delete_objects},
	{"GetBucketNotificationConfiguration", s3_get_notification},
	{"PutBucketNotificationConfiguration", s3_put_notification},
	{"PutObject", s3_put_object},
	{"UploadPart", s3_upload_part},
	{"GetObject", s3_get_object},
	{"HeadObject", s3_head_object},
	{"DeleteObject", s3_delete_object},
	{"CopyObject", s3_copy_object},
	{"GetObjectTagging", s3_get_object_tagging},
	{"PutObjectTagging", s3_put_object_tagging},
	{"DeleteObjectTagging", s3_delete_object_tagging},
	{"GetObjectAttributes", s3_get_object_attributes},
	{"GetObjectAcl", s3_get_object_acl},
	{"PutObjectAcl", s3_put_object_acl},
	{"CreateMultipartUpload", s3_create_multipart},
	{"CompleteMultipartUpload", s3_complete_multipart},
	{"AbortMultipartUpload", s3_abort_multipart},
	{"ListParts", s3_list_parts},
	{"UploadPartCopy", s3_upload_part_copy},
	{"PreflightRequest", s3_options},
	{"PostObject", s3_post_object},
};

static int s3_handle(struct request *req, struct response *resp)
{
	op_handler_fn *fn = NULL;
	int rc;
	for (size_t i = 0; !fn && i < sizeof(s3_impl) / sizeof(*s3_impl); i++)
		if (strcmp(s3_impl[i].name, req->op->name) == 0)
			fn = s3_impl[i].fn;
	if (fn)
		rc = fn(req, resp);
	else if (strcmp(req->method, "GET") == 0) /* a sub-resource row */
		rc = s3_bucket_config_get(req, resp);
	else if (strcmp(req->method, "PUT") == 0)
		rc = s3_bucket_config_put(req, resp);
	else
		rc = s3_bucket_config_delete(req, resp);
	if (rc == 0 && req_header(req, "origin"))
		s3_cors_headers(req, resp);
	return rc;
}

static const struct service_op *op_named(const char *name)
{
	for (size_t i = 0; i < N_OPS - N_PRESIGNED_V2; i++)
		if (strcmp(s3_ops[i].name, name) == 0)
			return &s3_ops[i];
	return NULL;
}

/* ---------------------------------------------------------------------
 * Addressing
 * ------------------------------------------------------------------- */

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && strncasecmp(s + len - n, suffix, n) == 0;
}

/*
 * The bucket named by a virtual-hosted Host, into out (cap bytes).
 * Returns 1 with a bucket, 0 when the host is an S3 endpoint without
 * one (path style), -1 when the host is not S3's.
 */
static int host_bucket(const char *host, char *out, size_t cap)
{
	size_t len = strcspn(host, ":");
	static const char *const suffixes[] = {
		".s3.localhost.localstack.cloud", ".s3.localhost", ".localhost",
	};
	static const char *const endpoints[] = {
		"s3.localhost.localstack.cloud", "s3.localhost",
		"localhost.localstack.cloud", "localhost",
	};
	if (len == 0 || strstr(host, ".execute-api."))
		return -1;
	for (size_t i = 0; i < sizeof(endpoints) / sizeof(*endpoints); i++)
		if (strlen(endpoints[i]) == len &&
		    strncasecmp(host, endpoints[i], len) == 0)
			return 0;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		if (!ends_with(host, len, suffixes[i]))
			continue;
		size_t blen = len - strlen(suffixes[i]);
		if (blen == 0 || blen >= cap)
			return -1;
		memcpy(out, host, blen);
		out[blen] = '\0';
		return 1;
	}
	if (ends_with(host, len, ".amazonaws.com")) {
		if (strncasecmp(host, "s3.", 3) == 0 ||
		    strncasecmp(host, "s3-", 3) == 0)
			return 0;
		/* <bucket>.s3.amazonaws.com, <bucket>.s3.<region>..., and
		 * <bucket>.s3-<region>...: the last ".s3." / ".s3-" wins
		 * since bucket names may contain dots. */
		const char *cut = NULL;
		for (const char *p = host; p < host + len; p++)
			if (strncasecmp(p, ".s3.", 4) == 0 ||
			    strncasecmp(p, ".s3-", 4) == 0)
				cut = p;
		if (!cut || cut == host || (size_t)(cut - host) >= cap)
			return -1;
		memcpy(out, host, (size_t)(cut - host));
		out[cut - host] = '\0';
		return 1;
	}
	return -1;
}

static int s3_match_host(const char *host)
{
	char bucket[256];
	return host_bucket(host, bucket, sizeof(bucket)) >= 0 &&
	       strncasecmp(host, "localhost", 9) != 0;
}

const char *s3_bucket_name(const struct request *req)
{
	return req_path_param(req, "Bucket");
}

const char *s3_key_name(const struct request *req)
{
	return req_path_param(req, "Key");
}

const char *s3_region(const struct request *req)
{
	return req->emu->config->region;
}

/* Split the target into Bucket and Key path parameters.  -1 with an
 * error recorded on a malformed escape. */
static int parse_target(struct request *req, const char **bucket,
			const char **key)
{
	char vhost[256];
	const char *p = req->raw_path;
	const char *seg;
	size_t seg_len, out_len;
	*bucket = *key = NULL;
	if (*p == '/')
		p++;
	if (host_bucket(req->host, vhost, sizeof(vhost)) == 1) {
		*bucket = arena_strdup(req->arena, vhost);
		seg = p;
		seg_len = 0;
	} else {
		seg = p;
		seg_len = strcspn(p, "/");
		if (seg_len) {
			char *b = arena_alloc(req->arena, seg_len + 1);
			if (uri_decode(seg, seg_len, b, &out_len))
				goto bad;
			*bucket = b;
		}
		p += seg_len;
		if (*p == '/')
			p++;
	}
	size_t klen = strlen(p);
	if (*bucket && klen) {
		char *k = arena_alloc(req->arena, klen + 1);
		if (uri_decode(p, klen, k, &out_len) || strlen(k) != out_len)
			goto bad;
		*key = k;
	}
	struct kv *kv = arena_alloc(req->arena, 2 * sizeof(*kv));
	size_t n = 0;
	if (*bucket)
		kv[n++] = (struct kv){"Bucket", *bucket};
	if (*key)
		kv[n++] = (struct kv){"Key", *key};
	req->path_params = kv;
	req->n_path_params = n;
	return 0;
bad:
	return req_error(req, 400, "InvalidURI",
			 "Couldn't parse the specified URI.");
}

static int has(const struct request *req, const char *q)
{
	return req_query(req, q) != NULL;
}

/* Sub-resources S3 has that this emulator does not. */
static const char *const unsupported_subresources[] = {
	"analytics", "metrics", "inventory", "intelligent-tiering",
	"policyStatus", "legal-hold", "retention", "torrent", "restore",
	"select", "metadataTable", NULL,
};

static const struct service_op *resolve_bucket(struct request *req)
{
	const char *m = req->method;
	const struct s3_subres *sr = s3_subres_find(req);
	if (sr) {
		if (strcmp(m, "GET") == 0)
			return op_named(sr->get_op);
		if (strcmp(m, "PUT") == 0)
			return op_named(sr->put_op);
		if (strcmp(m, "DELETE") == 0 && sr->delete_op)
			return op_named(sr->delete_op);
		return NULL;
	}
	if (has(req, "notification")) {
		if (strcmp(m, "GET") == 0)
			return op_named("GetBucketNotificationConfiguration");
		if (strcmp(m, "PUT") == 0)
			return op_named("PutBucketNotificationConfiguration");
		return NULL;
	}
	if (strcmp(m, "GET") == 0) {
		if (has(req, "location"))
			return op_named("GetBucketLocation");
		if (has(req, "uploads"))
			return op_named("ListMultipartUploads");
		if (has(req, "versions"))
			return op_named("ListObjectVersions");
		const char *lt = req_query(req, "list-type");
		if (lt && strcmp(lt, "2") == 0)
			return op_named("ListObjectsV2");
		return op_named("ListObjects");
	}
	if (strcmp(m, "PUT") == 0)
		return op_named("CreateBucket");
	if (strcmp(m, "DELETE") == 0)
		return op_named("DeleteBucket");
	if (strcmp(m, "HEAD") == 0)
		return op_named("HeadBucket");
	if (strcmp(m, "POST") == 0 && has(req, "delete"))
		return op_named("DeleteObjects");
	const char *ctype = req_header(req, "content-type");
	if (strcmp(m, "POST") == 0 && ctype &&
	    strncasecmp(ctype, "multipart/form-data", 19) == 0)
		return op_named("PostObject");
	return NULL;
}

static const struct service_op *resolve_object(struct request *req)
{
	const char *m = req->method;
	int upload = has(req, "uploadId");
	if (strcmp(m, "PUT") == 0) {
		if (upload || has(req, "partNumber"))
			return op_named(req_header(req, "x-amz-copy-source")
						? "UploadPartCopy"
						: "UploadPart");
		if (has(req, "tagging"))
			return op_named("PutObjectTagging");
		if (has(req, "acl"))
			return op_named("PutObjectAcl");
		if (req_header(req, "x-amz-copy-source"))
			return op_named("CopyObject");
		return op_named("PutObject");
	}
	if (strcmp(m, "GET") == 0) {
		if (upload)
			return op_named("ListParts");
		if (has(req, "tagging"))
			return op_named("GetObjectTagging");
		if (has(req, "acl"))
			return op_named("GetObjectAcl");
		if (has(req, "attributes"))
			return op_named("GetObjectAttributes");
		return op_named("GetObject");
	}
	if (strcmp(m, "HEAD") == 0)
		return op_named("HeadObject");
	if (strcmp(m, "DELETE") == 0) {
		if (upload)
			return op_named("AbortMultipartUpload");
		if (has(req, "tagging"))
			return op_named("DeleteObjectTagging");
		return op_named("DeleteObject");
	}
	if (strcmp(m, "POST") == 0) {
		if (has(req, "uploads"))
			return op_named("CreateMultipartUpload");
		if (upload)
			return op_named("CompleteMultipartUpload");
	}
	return NULL;
}

/*
 * A presigned URL past X-Amz-Date + X-Amz-Expires is refused as S3 does,
 * also with --auth off (where nothing else would notice).  -1 with the
 * error recorded.
 */
static int check_presigned_expiry(struct request *req)
{
	const char *date = req_query(req, "X-Amz-Date");
	const char *exp = req_query(req, "X-Amz-Expires");
	int64_t t;
	char *end;
	if (!date || !exp || time_parse_iso8601(date, &t))
		return 0;
	long secs = strtol(exp, &end, 10);
	if (end == exp || *end || secs < 0)
		return 0;
	int64_t now = time_now_ms();
	if (now <= t + (int64_t)secs * 1000)
		return 0;
	req_error(req, 403, "AccessDenied", "Request has expired");
	req_error_extra(req, "X-Amz-Expires", exp);
	req_error_extra(req, "Expires", s3_iso_date(req, t + secs * 1000));
	req_error_extra(req, "ServerTime", s3_iso_date(req, now));
	return -1;
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->name, ((const struct kv *)b)->name);
}

/* SigV2's CanonicalizedResource: the path as sent (with /bucket for
 * virtual-hosted requests) and the sub-resources it signs. */
static void sigv2_resource(struct request *req, struct buf *b)
{
	static const char *const signed_params[] = {
		"acl", "cors", "delete", "lifecycle", "location", "logging",
		"notification", "partNumber", "policy", "requestPayment",
		"response-cache-control", "response-content-disposition",
		"response-content-encoding", "response-content-language",
		"response-content-type", "response-expires", "restore",
		"tagging", "torrent", "uploadId", "uploads", "versionId",
		"versioning", "versions", "website", NULL,
	};
	char vhost[256];
	if (host_bucket(req->host, vhost, sizeof(vhost)) == 1) {
		buf_putc(b, '/');
		buf_puts(b, vhost);
	}
	buf_puts(b, req->raw_path);
	struct kv *sub = arena_alloc(req->arena,
				     (req->n_query + 1) * sizeof(*sub));
	size_t n = 0;
	for (size_t i = 0; i < req->n_query; i++)
		for (const char *const *p = signed_params; *p; p++)
			if (strcmp(req->query[i].name, *p) == 0)
				sub[n++] = req->query[i];
	qsort(sub, n, sizeof(*sub), kv_cmp);
	for (size_t i = 0; i < n; i++) {
		buf_putc(b, i ? '&' : '?');
		buf_puts(b, sub[i].name);
		if (*sub[i].value) {
			buf_putc(b, '=');
			buf_puts(b, sub[i].value);
		}
	}
}

/*
 * A SigV2 presigned URL (AWSAccessKeyId, Signature, Expires: what boto3
 * and the aws cli generate for S3 by default): refuse it when expired
 * and, with --auth sigv4, check its HMAC-SHA1 signature.  Returns 1 for
 * a valid SigV2 URL, 0 when the request is not one, -1 with the error
 * recorded.
 */
static int sigv2_check(struct request *req)
{
	const struct config *cfg = req->emu->config;
	const char *key = req_query(req, "AWSAccessKeyId");
	const char *sig = req_query(req, "Signature");
	const char *expires = req_query(req, "Expires");
	char *end;
	if (!key || !sig || !expires)
		return 0;
	long long exp = strtoll(expires, &end, 10);
	int64_t now = time_now_ms();
	if (end == expires || *end)
		return req_error(req, 403, "AccessDenied",
				 "Invalid date (should be seconds since "
				 "epoch): %s", expires);
	if (now / 1000 > exp) {
		req_error(req, 403, "AccessDenied", "Request has expired");
		req_error_extra(req, "Expires", s3_iso_date(req, exp * 1000));
		req_error_extra(req, "ServerTime", s3_iso_date(req, now));
		return -1;
	}
	if (cfg->auth == AUTH_OFF)
		return 1;
	if (strcmp(key, cfg->access_key) != 0) {
		req_error(req, 403, "InvalidAccessKeyId",
			  "The AWS Access Key Id you provided does not exist "
			  "in our records.");
		req_error_extra(req, "AWSAccessKeyId", key);
		return -1;
	}
	struct buf sts;
	buf_init(&sts, 64 * 1024);
	const char *md5 = req_header(req, "content-md5");
	const char *ctype = req_header(req, "content-type");
	buf_printf(&sts, "%s\n%s\n%s\n%s\n", req->method, md5 ? md5 : "",
		   ctype ? ctype : "", expires);
	struct kv *amz = arena_alloc(req->arena,
				     (req->n_headers + 1) * sizeof(*amz));
	size_t n = 0;
	for (size_t i = 0; i < req->n_headers; i++)
		if (strncmp(req->headers[i].name, "x-amz-", 6) == 0)
			amz[n++] = req->headers[i];
	qsort(amz, n, sizeof(*amz), kv_cmp);
	for (size_t i = 0; i < n; i++)
		buf_printf(&sts, "%s:%s\n", amz[i].name, amz[i].value);
	sigv2_resource(req, &sts);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char b64[HASH_BASE64_LEN(EVP_MAX_MD_SIZE) + 1];
	HMAC(EVP_sha1(), cfg->secret_key, (int)strlen(cfg->secret_key),
	     (const unsigned char *)(sts.data ? sts.data : ""), sts.len, mac,
	     &maclen);
	hash_base64_encode(mac, maclen, b64);
	int ok = strlen(b64) == strlen(sig) && hash_equal(b64, sig, strlen(sig));
	if (!ok) {
		req_error(req, 403, "SignatureDoesNotMatch",
			  "The request signature we calculated does not match "
			  "the signature you provided. Check your key and "
			  "signing method.");
		req_error_extra(req, "AWSAccessKeyId", key);
		req_error_extra(req, "StringToSign",
				arena_strdup(req->arena, sts.data ? sts.data : ""));
		req_error_extra(req, "SignatureProvided", sig);
	}
	buf_free(&sts);
	return ok ? 1 : -1;
}

/* The OP_NO_AUTH twin of op for a checked SigV2 presigned URL. */
static const struct service_op *presigned_v2_row(const struct service_op *op)
{
	for (size_t i = N_OPS - N_PRESIGNED_V2; op && i < N_OPS; i++)
		if (strcmp(s3_ops[i].name, op->name) == 0)
			return &s3_ops[i];
	return op;
}

static const struct service_op *s3_resolve(const struct service *svc,
					   struct request *req)
{
	const char *bucket, *key;
	(void)svc;
	if (parse_target(req, &bucket, &key) || check_presigned_expiry(req))
		return NULL;
	for (const char *const *u = unsupported_subresources; *u; u++)
		if (has(req, *u)) {
			req_error(req, 501, "NotImplemented",
				  "A header you provided implies "
				  "functionality that is not implemented");
			return NULL;
		}
	const struct service_op *op = NULL;
	if (strcmp(req->method, "OPTIONS") == 0 && bucket)
		op = op_named("PreflightRequest");
	else if (!bucket && strcmp(req->method, "GET") == 0)
		op = op_named("ListBuckets");
	else if (bucket && !key)
		op = resolve_bucket(req);
	else if (bucket)
		op = resolve_object(req);
	if (!op && !req->err.status)
		req_error(req, 405, "MethodNotAllowed",
			  "The specified method is not allowed against this "
			  "resource.");
	if (op) {
		int v2 = sigv2_check(req);
		if (v2 < 0)
			return NULL;
		if (v2)
			op = presigned_v2_row(op);
	}
	return op;
}

/* ---------------------------------------------------------------------
 * Hooks
 * ------------------------------------------------------------------- */

static int s3_init(struct emulator *emu, void **out, char *errbuf,
		   size_t errlen)
{
	struct s3 *s3 = xcalloc(1, sizeof(*s3));
	s3->emu = emu;
	s3->store = emu->store;
	pthread_mutex_init(&s3->lock, NULL);
	pthread_cond_init(&s3->cond, NULL);
	atomic_init(&s3->seq, (uint64_t)time_now_ms() << 16);
	if (s3_db_open(s3, errbuf, errlen)) {
		pthread_mutex_destroy(&s3->lock);
		pthread_cond_destroy(&s3->cond);
		free(s3);
		return -1;
	}
	emu->bus.s3 = s3;
	emu->bus.s3_read_object = s3_bus_read_object;
	*out = s3;
	return 0;
}

static int s3_start(void *state)
{
	return s3_notify_start(state);
}

static void s3_shutdown(void *state)
{
	struct s3 *s3 = state;
	if (!s3)
		return;
	s3_notify_stop(s3);
	if (s3->emu && s3->emu->bus.s3 == s3) {
		s3->emu->bus.s3 = NULL;
		s3->emu->bus.s3_read_object = NULL;
	}
	pthread_mutex_destroy(&s3->lock);
	pthread_cond_destroy(&s3->cond);
	free(s3);
}

static int s3_reset(void *state)
{
	return s3_db_reset(state);
}

static void *s3_resources(void *state)
{
	struct s3 *s3 = state;
	cJSON *json = cJSON_CreateObject();
	cJSON *buckets = cJSON_AddArrayToObject(json, "buckets");
	sqlite3_stmt *st = store_prepare(
		s3->db, "SELECT b.name, b.region, (SELECT count(*) FROM "
			"objects o WHERE o.bucket = b.name), (SELECT "
			"coalesce(sum(size), 0) FROM objects o WHERE "
			"o.bucket = b.name) FROM buckets b ORDER BY b.name");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		cJSON *b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "name",
					(const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(b, "region",
					(const char *)sqlite3_column_text(st, 1));
		cJSON_AddNumberToObject(b, "objects",
					(double)sqlite3_column_int64(st, 2));
		cJSON_AddNumberToObject(b, "bytes",
					(double)sqlite3_column_int64(st, 3));
		cJSON_AddItemToArray(buckets, b);
	}
	if (st)
		sqlite3_reset(st);
	cJSON *events = s3_notify_resources(s3);
	if (events)
		cJSON_AddItemToObject(json, "events", events);
	return json;
}

const struct service s3_service = {
	.name = "s3",
	.signing_name = "s3",
	.protocol = PROTO_REST_XML,
	.flags = SVC_FALLBACK,
	.max_body = XML_BODY,
	.match_host = s3_match_host,
	.init = s3_init,
	.start = s3_start,
	.shutdown = s3_shutdown,
	.reset = s3_reset,
	.resources = s3_resources,
	.resolve = s3_resolve,
	.ops = s3_ops,
	.n_ops = N_OPS,
};
