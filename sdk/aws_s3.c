/*
 * aws_s3.c - the S3 operations of aws_s3.h over aws_http.c.
 *
 * Each operation builds the request path (path style or virtual-hosted),
 * its signed headers and query, sends it with retries and reads the
 * answer: headers into struct aws_s3_object, ListObjectsV2's XML through
 * aws_xml.  ListObjectsV2 asks for encoding-type=url, as botocore does,
 * so keys with characters XML 1.0 cannot carry survive the trip.
 */
#include "aws_s3.h"
#include "aws_xml.h"
#include "uri.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define S3_GET_DEFAULT_MAX (64u << 20)
#define S3_PATH_CAP (64u << 10)
#define S3_MAX_HEADERS 32

struct aws_s3 {
	struct aws_client http;
};

struct aws_s3 *aws_s3_new(const struct aws_config *cfg, struct aws_error *err)
{
	struct aws_s3 *s3 = xcalloc(1, sizeof(*s3));
	if (aws_client_init(&s3->http, cfg, AWS_SERVICE_S3, err) != 0) {
		free(s3);
		return NULL;
	}
	return s3;
}

void aws_s3_free(struct aws_s3 *s3)
{
	if (!s3)
		return;
	aws_client_cleanup(&s3->http);
	free(s3);
}

struct aws_client *aws_s3_http(struct aws_s3 *s3)
{
	return &s3->http;
}

/* Bucket names usable as a DNS label in a virtual-hosted request. */
static int virtual_hostable(const char *bucket)
{
	size_t n = strlen(bucket);
	if (n < 3 || n > 63 || bucket[0] == '-' || bucket[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((bucket[i] >= 'a' && bucket[i] <= 'z') ||
		      (bucket[i] >= '0' && bucket[i] <= '9') || bucket[i] == '-'))
			return 0;
	return 1;
}

/* The request target of bucket/key: path and host prefix. */
struct target {
	struct buf path;
	char *host_prefix;
};

/* Build the target; returns 0 or -1 (err) for an empty bucket or a long key. */
static int make_target(struct aws_s3 *s3, const char *bucket, const char *key,
		       struct target *t, struct aws_error *err)
{
	buf_init(&t->path, S3_PATH_CAP);
	t->host_prefix = NULL;
	if (!bucket || !*bucket)
		return aws_error_set(err, 0, "InvalidParameter", "bucket name is empty");
	int rc = 0;
	if (!s3->http.custom_endpoint && virtual_hostable(bucket)) {
		t->host_prefix = xasprintf("%s.", bucket);
		rc |= buf_putc(&t->path, '/');
	} else {
		rc |= buf_putc(&t->path, '/');
		rc |= uri_encode(&t->path, bucket, strlen(bucket), 0);
		if (key)
			rc |= buf_putc(&t->path, '/');
	}
	if (key)
		rc |= uri_encode(&t->path, key, strlen(key), 1);
	if (rc) {
		buf_free(&t->path);
		return aws_error_set(err, 0, "InvalidParameter", "key too long");
	}
	return 0;
}

static void target_free(struct target *t)
{
	buf_free(&t->path);
	free(t->host_prefix);
}

/* Copy header name of resp into dst (size bytes), "" when absent. */
static void copy_header(char *dst, size_t size, const struct aws_http_response *resp,
			const char *name)
{
	const char *v = aws_http_response_header(resp, name);
	snprintf(dst, size, "%s", v ? v : "");
}

static void fill_info(struct aws_s3_object *info, const struct aws_http_response *resp)
{
	if (!info)
		return;
	memset(info, 0, sizeof(*info));
	const char *len = aws_http_response_header(resp, "content-length");
	info->size = len ? strtoull(len, NULL, 10) : 0;
	copy_header(info->etag, sizeof(info->etag), resp, "etag");
	copy_header(info->content_type, sizeof(info->content_type), resp, "content-type");
	copy_header(info->cache_control, sizeof(info->cache_control), resp, "cache-control");
	copy_header(info->last_modified, sizeof(info->last_modified), resp, "last-modified");
	copy_header(info->version_id, sizeof(info->version_id), resp, "x-amz-version-id");
}

/*
 * Send one request to bucket/key.  Headers and query as for
 * aws_http_request; resp is always initialised (caller frees).
 */
static int s3_call(struct aws_s3 *s3, struct aws_http_request *req,
		   const char *bucket, const char *key,
		   struct aws_http_response *resp, struct aws_error *err)
{
	struct target t;
	memset(resp, 0, sizeof(*resp));
	if (make_target(s3, bucket, key, &t, err) != 0)
		return -1;
	req->path = t.path.data;
	req->host_prefix = t.host_prefix;
	req->s3 = 1;
	int rc = aws_http_send(&s3->http, req, resp, err);
	target_free(&t);
	return rc;
}

int aws_s3_head_object(struct aws_s3 *s3, const char *bucket, const char *key,
		       struct aws_s3_object *info, struct aws_error *err)
{
	struct aws_http_request req = { .method = "HEAD", .body_fd = -1, .out_fd = -1 };
	struct aws_http_response resp;
	int rc = s3_call(s3, &req, bucket, key, &resp, err);
	if (rc == 0)
		fill_info(info, &resp);
	aws_http_response_free(&resp);
	return rc;
}

int aws_s3_delete_object(struct aws_s3 *s3, const char *bucket, const char *key,
			 struct aws_error *err)
{
	struct aws_http_request req = { .method = "DELETE", .body_fd = -1, .out_fd = -1 };
	struct aws_http_response resp;
	int rc = s3_call(s3, &req, bucket, key, &resp, err);
	aws_http_response_free(&resp);
	return rc;
}

int aws_s3_get_object(struct aws_s3 *s3, const char *bucket, const char *key,
		      size_t max_size, char **data, size_t *len,
		      struct aws_s3_object *info, struct aws_error *err)
{
	struct aws_http_request req = {
		.method = "GET", .body_fd = -1, .out_fd = -1,
		.body_cap = max_size ? max_size : S3_GET_DEFAULT_MAX,
	};
	struct aws_http_response resp;
	int rc = s3_call(s3, &req, bucket, key, &resp, err);
	if (rc == 0) {
		fill_info(info, &resp);
		*data = buf_detach(&resp.body, len);
	}
	aws_http_response_free(&resp);
	return rc;
}

int aws_s3_get_object_file(struct aws_s3 *s3, const char *bucket, const char *key,
			   const char *path, struct aws_s3_object *info,
			   struct aws_error *err)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		aws_error_set(err, 0, "ClientError", "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	struct aws_http_request req = { .method = "GET", .body_fd = -1, .out_fd = fd };
	struct aws_http_response resp;
	int rc = s3_call(s3, &req, bucket, key, &resp, err);
	if (rc == 0 && (fsync(fd) != 0 || fchmod(fd, 0644) != 0))
		rc = aws_error_set(err, 0, "ClientError", "cannot write %s: %s", tmp,
				   strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = aws_error_set(err, 0, "ClientError", "cannot write %s: %s", tmp,
				   strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = aws_error_set(err, 0, "ClientError", "cannot rename to %s: %s", path,
				   strerror(errno));
	if (rc == 0)
		fill_info(info, &resp);
	else
		unlink(tmp);
	aws_http_response_free(&resp);
	free(tmp);
	return rc;
}

/* Headers of a put from opts into h (room for S3_MAX_HEADERS); returns count. */
static size_t put_headers(const struct aws_s3_put_opts *opts, struct aws_http_header *h,
			  char **meta_names)
{
	size_t n = 0;
	if (!opts)
		return 0;
	if (opts->content_type)
		h[n++] = (struct aws_http_header){ "Content-Type", opts->content_type };
	if (opts->cache_control)
		h[n++] = (struct aws_http_header){ "Cache-Control", opts->cache_control };
	if (opts->content_disposition)
		h[n++] = (struct aws_http_header){ "Content-Disposition", opts->content_disposition };
	if (opts->if_none_match)
		h[n++] = (struct aws_http_header){ "If-None-Match", opts->if_none_match };
	for (size_t i = 0; i < opts->metadata_count && n < S3_MAX_HEADERS; i++) {
		meta_names[i] = xasprintf("x-amz-meta-%s", opts->metadata[i].name);
		h[n++] = (struct aws_http_header){ meta_names[i], opts->metadata[i].value };
	}
	return n;
}

/* The put shared by the memory and file variants. */
static int put_common(struct aws_s3 *s3, const char *bucket, const char *key,
		      struct aws_http_request *req, const struct aws_s3_put_opts *opts,
		      struct aws_s3_object *info, struct aws_error *err)
{
	struct aws_http_header h[S3_MAX_HEADERS];
	char *meta_names[S3_MAX_HEADERS] = { 0 };
	if (opts && opts->metadata_count > S3_MAX_HEADERS - 4)
		return aws_error_set(err, 0, "InvalidParameter",
				     "at most %d metadata entries", S3_MAX_HEADERS - 4);
	if (!key || !*key)
		return aws_error_set(err, 0, "InvalidParameter", "key is empty");
	req->method = "PUT";
	req->headers = h;
	req->header_count = put_headers(opts, h, meta_names);
	req->out_fd = -1;
	struct aws_http_response resp;
	int rc = s3_call(s3, req, bucket, key, &resp, err);
	if (rc == 0 && info) {
		/* a put's answer describes the request, not the object: keep
		 * only what S3 reports about the new object */
		memset(info, 0, sizeof(*info));
		copy_header(info->etag, sizeof(info->etag), &resp, "etag");
		copy_header(info->version_id, sizeof(info->version_id), &resp, "x-amz-version-id");
		info->size = req->body_fd >= 0 ? req->body_fd_len : req->body_len;
	}
	aws_http_response_free(&resp);
	for (size_t i = 0; i < S3_MAX_HEADERS; i++)
		free(meta_names[i]);
	return rc;
}

int aws_s3_put_object(struct aws_s3 *s3, const char *bucket, const char *key,
		      const void *data, size_t len, const struct aws_s3_put_opts *opts,
		      struct aws_s3_object *info, struct aws_error *err)
{
	struct aws_http_request req = { .body = data, .body_len = len, .body_fd = -1 };
	return put_common(s3, bucket, key, &req, opts, info, err);
}

int aws_s3_put_object_file(struct aws_s3 *s3, const char *bucket, const char *key,
			   const char *path, const struct aws_s3_put_opts *opts,
			   struct aws_s3_object *info, struct aws_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return aws_error_set(err, 0, "ClientError", "cannot open %s: %s", path,
				     strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return aws_error_set(err, 0, "ClientError", "%s is not a regular file", path);
	}
	struct aws_http_request req = {
		.body_fd = fd, .body_fd_len = (uint64_t)st.st_size,
		/* over TLS the transport protects the body; skip the extra read */
		.payload_hash = strcmp(s3->http.scheme, "https") == 0 ?
				SIGV4_UNSIGNED_PAYLOAD : NULL,
	};
	int rc = put_common(s3, bucket, key, &req, opts, info, err);
	close(fd);
	return rc;
}

/* Append "&name=value" (encoded) to q when value is set. */
static int add_param(struct buf *q, const char *name, const char *value)
{
	if (!value)
		return 0;
	int rc = buf_printf(q, "&%s=", name);
	return rc | uri_encode(q, value, strlen(value), 0);
}

/* Decode an encoding-type=url value into a heap string. */
static char *url_decoded(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s), out_len;
	char *out = xmalloc(n + 1);
	if (uri_form_decode(s, n, out, &out_len) != 0)
		memcpy(out, s, n + 1);
	return out;
}

/* Fill list from a ListBucketResult document.  Returns 0 or -1. */
static int parse_list(const struct aws_xml *doc, struct aws_s3_list *list)
{
	if (strcmp(doc->name, "ListBucketResult") != 0)
		return -1;
	const char *enc = aws_xml_text(aws_xml_child(doc, "EncodingType"));
	int decode = enc && strcmp(enc, "url") == 0;
	size_t n = 0, np = 0;
	for (const struct aws_xml *c = aws_xml_child(doc, "Contents"); c; c = aws_xml_next(c, "Contents"))
		n++;
	for (const struct aws_xml *c = aws_xml_child(doc, "CommonPrefixes"); c;
	     c = aws_xml_next(c, "CommonPrefixes"))
		np++;
	list->entries = xcalloc(n ? n : 1, sizeof(*list->entries));
	list->prefixes = xcalloc(np ? np : 1, sizeof(*list->prefixes));
	for (const struct aws_xml *c = aws_xml_child(doc, "Contents"); c; c = aws_xml_next(c, "Contents")) {
		struct aws_s3_list_entry *e = &list->entries[list->count++];
		const char *key = aws_xml_text(aws_xml_child(c, "Key"));
		e->key = decode ? url_decoded(key ? key : "") : xstrdup(key ? key : "");
		const char *size = aws_xml_text(aws_xml_child(c, "Size"));
		e->size = size ? strtoull(size, NULL, 10) : 0;
		e->etag = xstrdup(aws_xml_text(aws_xml_child(c, "ETag")) ?
				  aws_xml_text(aws_xml_child(c, "ETag")) : "");
		e->last_modified = xstrdup(aws_xml_text(aws_xml_child(c, "LastModified")) ?
					   aws_xml_text(aws_xml_child(c, "LastModified")) : "");
		e->storage_class = xstrdup(aws_xml_text(aws_xml_child(c, "StorageClass")) ?
					   aws_xml_text(aws_xml_child(c, "StorageClass")) : "");
	}
	for (const struct aws_xml *c = aws_xml_child(doc, "CommonPrefixes"); c;
	     c = aws_xml_next(c, "CommonPrefixes")) {
		const char *p = aws_xml_text(aws_xml_child(c, "Prefix"));
		list->prefixes[list->prefix_count++] = decode ? url_decoded(p ? p : "") :
						       xstrdup(p ? p : "");
	}
	const char *tr = aws_xml_text(aws_xml_child(doc, "IsTruncated"));
	list->truncated = tr && strcmp(tr, "true") == 0;
	const char *next = aws_xml_text(aws_xml_child(doc, "NextContinuationToken"));
	list->next_token = next && *next ? xstrdup(next) : NULL;
	return 0;
}

int aws_s3_list_objects_v2(struct aws_s3 *s3, const char *bucket,
			   const struct aws_s3_list_opts *opts, struct aws_s3_list *out,
			   struct aws_error *err)
{
	struct buf q;
	char max[32];
	memset(out, 0, sizeof(*out));
	buf_init(&q, S3_PATH_CAP);
	int rc = buf_puts(&q, "list-type=2&encoding-type=url");
	if (opts) {
		rc |= add_param(&q, "continuation-token", opts->continuation_token);
		rc |= add_param(&q, "delimiter", opts->delimiter);
		rc |= add_param(&q, "prefix", opts->prefix);
		rc |= add_param(&q, "start-after", opts->start_after);
		if (opts->max_keys > 0) {
			snprintf(max, sizeof(max), "%d", opts->max_keys);
			rc |= add_param(&q, "max-keys", max);
		}
	}
	if (rc) {
		buf_free(&q);
		return aws_error_set(err, 0, "InvalidParameter", "list parameters too long");
	}
	struct aws_http_request req = { .method = "GET", .query = q.data, .body_fd = -1, .out_fd = -1 };
	struct aws_http_response resp;
	rc = s3_call(s3, &req, bucket, NULL, &resp, err);
	if (rc == 0) {
		struct aws_xml *doc = aws_xml_parse(resp.body.data, resp.body.len);
		if (!doc || parse_list(doc, out) != 0) {
			aws_s3_list_free(out);
			rc = aws_error_set(err, (int)resp.status, "ClientError",
					   "unreadable ListObjectsV2 response");
		}
		aws_xml_free(doc);
	}
	aws_http_response_free(&resp);
	buf_free(&q);
	return rc;
}

void aws_s3_list_free(struct aws_s3_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->entries[i].key);
		free(list->entries[i].etag);
		free(list->entries[i].last_modified);
		free(list->entries[i].storage_class);
	}
	for (size_t i = 0; i < list->prefix_count; i++)
		free(list->prefixes[i]);
	free(list->entries);
	free(list->prefixes);
	free(list->next_token);
	memset(list, 0, sizeof(*list));
}

char *aws_s3_presign(struct aws_s3 *s3, const char *method, const char *bucket,
		     const char *key, unsigned long expires, struct aws_error *err)
{
	struct aws_client *c = &s3->http;
	if (expires < 1 || expires > SIGV4_MAX_EXPIRES) {
		aws_error_set(err, 0, "InvalidParameter",
			      "expires must be between 1 and %d seconds", SIGV4_MAX_EXPIRES);
		return NULL;
	}
	struct target t;
	if (make_target(s3, bucket, key, &t, err) != 0)
		return NULL;
	char *host = xasprintf("%s%s", t.host_prefix ? t.host_prefix : "", c->host);
	char *path = xasprintf("%s%s", c->base_path, t.path.data);
	struct sigv4_header h = { "host", host };
	struct sigv4_request req = {
		.method = method, .path = path, .headers = &h, .header_count = 1,
		.payload_hash = NULL, .double_encode_path = 0,
	};
	struct sigv4_credentials cred = { c->access_key, c->secret_key, c->session_token };
	struct sigv4_signed sig;
	char *url = NULL;
	if (sigv4_presign(&req, &cred, c->region, c->service, time(NULL), expires, &sig) == 0) {
		url = xasprintf("%s://%s%s?%s", c->scheme, host, path, sig.query);
		sigv4_signed_free(&sig);
	} else {
		aws_error_set(err, 0, "InvalidParameter", "the request could not be presigned");
	}
	free(host);
	free(path);
	target_free(&t);
	return url;
}
