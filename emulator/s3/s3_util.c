/*
 * s3_util.c - small helpers every S3 file shares: the XML envelope of
 * answers and the parsing of request bodies, checksum header/element
 * names, ETag and date formats, blob-to-blob copies, and the headers,
 * tags and storage class an object takes from its request.
 */
#include "s3_int.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "timefmt.h"
#include "xalloc.h"

void s3_xml_begin(struct buf *b, const char *root)
{
	buf_init(b, 256u << 20);
	xml_decl(b);
	xml_open_ns(b, root, S3_NS);
}

void s3_xml_send(struct response *resp, struct buf *b, const char *root)
{
	if (root)
		xml_close(b, root);
	resp_header(resp, "Content-Type", "application/xml");
	resp_body_buf(resp, b);
}

struct xml_node *s3_body_xml(struct request *req, const char *root)
{
	char err[160];
	struct xml_node *doc = NULL;
	if (req->body && req->body_len)
		doc = xml_parse(req->arena, req->body, req->body_len, err,
				sizeof(err));
	if (!doc || (root && strcmp(doc->name, root) != 0)) {
		req_error(req, 400, "MalformedXML",
			  "The XML you provided was not well-formed or did "
			  "not validate against our published schema");
		return NULL;
	}
	return doc;
}

static const char *const ck_names[][3] = {
	{"CRC32", "x-amz-checksum-crc32", "ChecksumCRC32"},
	{"CRC32C", "x-amz-checksum-crc32c", "ChecksumCRC32C"},
	{"CRC64NVME", "x-amz-checksum-crc64nvme", "ChecksumCRC64NVME"},
	{"SHA1", "x-amz-checksum-sha1", "ChecksumSHA1"},
	{"SHA256", "x-amz-checksum-sha256", "ChecksumSHA256"},
};

static int ck_index(const char *alg)
{
	for (size_t i = 0; alg && i < sizeof(ck_names) / sizeof(*ck_names);
	     i++)
		if (strcasecmp(alg, ck_names[i][0]) == 0)
			return (int)i;
	return -1;
}

const char *s3_ck_header(const char *alg)
{
	int i = ck_index(alg);
	return i < 0 ? NULL : ck_names[i][1];
}

const char *s3_ck_element(const char *alg)
{
	int i = ck_index(alg);
	return i < 0 ? NULL : ck_names[i][2];
}

void s3_etag_header(struct request *req, struct response *resp,
		    const char *etag)
{
	resp_header(resp, "ETag", arena_printf(req->arena, "\"%s\"", etag));
}

char *s3_http_date(struct request *req, int64_t ms)
{
	char out[TIMEFMT_MAX];
	time_http_date(ms, out);
	return arena_strdup(req->arena, out);
}

char *s3_iso_date(struct request *req, int64_t ms)
{
	char out[TIMEFMT_MAX];
	time_iso8601_ms(ms, out);
	return arena_strdup(req->arena, out);
}

int s3_blob_copy(struct request *req, const char *src_blob, uint64_t off,
		 uint64_t len, struct store_blob_writer *w,
		 struct hash_ctx *md5, struct hash_ctx *ck)
{
	struct s3 *s3 = req->service_state;
	int fd = store_blob_open(s3->store, src_blob);
	if (fd < 0)
		return s3_internal(req, "open source blob");
	size_t cap = 1u << 20;
	char *chunk = xmalloc(cap);
	int rc = 0;
	while (len > 0) {
		size_t want = len < cap ? (size_t)len : cap;
		ssize_t got = pread(fd, chunk, want, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || store_blob_write(w, chunk, (size_t)got)) {
			rc = req_error(req, 500, "InternalError",
				       "We encountered an internal error. "
				       "Please try again.");
			break;
		}
		if (md5)
			hash_update(md5, chunk, (size_t)got);
		if (ck)
			hash_update(ck, chunk, (size_t)got);
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	free(chunk);
	close(fd);
	return rc;
}

/* Headers an object keeps, as sent on PUT and returned on GET/HEAD. */
static const char *const kept_headers[][2] = {
	{"content-type", "Content-Type"},
	{"content-encoding", "Content-Encoding"},
	{"content-disposition", "Content-Disposition"},
	{"content-language", "Content-Language"},
	{"cache-control", "Cache-Control"},
	{"expires", "Expires"},
	{"x-amz-website-redirect-location", "x-amz-website-redirect-location"},
};

/* Content-Encoding without the aws-chunked token (NULL when nothing is
 * left). */
static char *strip_aws_chunked(struct request *req, const char *v)
{
	struct buf b;
	buf_init(&b, 4096);
	const char *p = v;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *s = p, *e = p + n;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if ((size_t)(e - s) && !((size_t)(e - s) == 11 &&
					 strncasecmp(s, "aws-chunked", 11) == 0)) {
			if (b.len)
				buf_putc(&b, ',');
			buf_append(&b, s, (size_t)(e - s));
		}
		p += n;
		if (*p == ',')
			p++;
	}
	char *out = b.len ? arena_strdup(req->arena, b.data) : NULL;
	buf_free(&b);
	return out;
}

char *s3_headers_from_request(struct request *req)
{
	cJSON *j = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof(kept_headers) / sizeof(*kept_headers);
	     i++) {
		const char *v = req_header(req, kept_headers[i][0]);
		if (v && i == 1)
			v = strip_aws_chunked(req, v);
		if (v)
			cJSON_AddStringToObject(j, kept_headers[i][1], v);
	}
	if (!cJSON_GetObjectItem(j, "Content-Type"))
		cJSON_AddStringToObject(j, "Content-Type",
					"binary/octet-stream");
	for (size_t i = 0; i < req->n_headers; i++)
		if (strncmp(req->headers[i].name, "x-amz-meta-", 11) == 0 &&
		    !cJSON_GetObjectItem(j, req->headers[i].name))
			cJSON_AddStringToObject(j, req->headers[i].name,
						req->headers[i].value);
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	char *out = arena_strdup(req->arena, text);
	free(text);
	return out;
}

int s3_tags_from_query(struct request *req, const char *q, const char **json)
{
	struct kv *pairs;
	size_t n;
	*json = NULL;
	if (!q || !*q)
		return 0;
	if (req_parse_pairs(req->arena, q, strlen(q), 1, &pairs, &n))
		return req_error(req, 400, "InvalidArgument",
				 "The header 'x-amz-tagging' shall be "
				 "encoded as UTF-8 then URLEncoded URL query "
				 "parameters without tag name duplicates.");
	if (n > 10)
		return req_error(req, 400, "BadRequest",
				 "Object tags cannot be greater than 10");
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < i; k++)
			if (strcmp(pairs[k].name, pairs[i].name) == 0) {
				cJSON_Delete(arr);
				return req_error(req, 400, "InvalidArgument",
						 "The header 'x-amz-tagging' "
						 "shall be encoded as UTF-8 "
						 "then URLEncoded URL query "
						 "parameters without tag name "
						 "duplicates.");
			}
		cJSON *t = cJSON_CreateArray();
		cJSON_AddItemToArray(t, cJSON_CreateString(pairs[i].name));
		cJSON_AddItemToArray(t, cJSON_CreateString(pairs[i].value));
		cJSON_AddItemToArray(arr, t);
	}
	char *text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	*json = arena_strdup(req->arena, text);
	free(text);
	return 0;
}

int s3_storage_class(struct request *req, const char **out)
{
	static const char *const classes[] = {
		"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
		"INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS",
		"GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
	};
	const char *v = req_header(req, "x-amz-storage-class");
	*out = "STANDARD";
	if (!v)
		return 0;
	for (size_t i = 0; i < sizeof(classes) / sizeof(*classes); i++)
		if (strcmp(v, classes[i]) == 0) {
			*out = classes[i];
			return 0;
		}
	return req_error(req, 400, "InvalidStorageClass",
			 "The storage class you specified is not valid");
}

