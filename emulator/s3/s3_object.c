/*
 * s3_object.c - reading and changing stored objects: GetObject,
 * HeadObject (sendfile from the blob; single ranges; RFC 7232
 * conditionals as S3 applies them; response-* overrides), DeleteObject,
 * DeleteObjects, CopyObject, object tagging and GetObjectAttributes.
 */
#include "s3_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "timefmt.h"
#include "uri.h"

/* Load bucket/key or record NoSuchBucket / NoSuchKey.  0 or -1. */
static int load_or_fail(struct request *req, const char *bucket,
			const char *key, struct s3_object *o)
{
	int found = s3_object_load(req, bucket, key, o);
	if (found > 0)
		return 0;
	if (found == 0 && !s3_require_bucket(req, bucket))
		s3_no_such_key(req, key);
	return -1;
}

/* Does the If-Match / If-None-Match list match etag? */
static int etag_list_matches(const char *list, const char *etag)
{
	const char *p = list;
	size_t elen = strlen(etag);
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, ",");
		const char *s = p, *e = p + n;
		while (e > s && e[-1] == ' ')
			e--;
		if (e - s == 1 && *s == '*')
			return 1;
		if (e - s >= 2 && strncmp(s, "W/", 2) == 0)
			s += 2;
		if (e - s >= 2 && *s == '"' && e[-1] == '"') {
			s++;
			e--;
		}
		if ((size_t)(e - s) == elen && strncmp(s, etag, elen) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static int precondition_failed(struct request *req, const char *cond)
{
	req_error(req, 412, "PreconditionFailed",
		  "At least one of the pre-conditions you specified did not "
		  "hold");
	req_error_extra(req, "Condition", cond);
	return -1;
}

/*
 * RFC 7232 section 6 order, as S3 applies it.  names: the four header
 * names (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since
 * or their x-amz-copy-source-if-* forms).  Returns 0 to go on, 304 for
 * Not Modified (only when allow_304), -1 with 412 recorded.
 */
static int check_conditions(struct request *req, const struct s3_object *o,
			    const char *const names[4], int allow_304)
{
	const char *im = req_header(req, names[0]);
	const char *inm = req_header(req, names[1]);
	const char *ims = req_header(req, names[2]);
	const char *ius = req_header(req, names[3]);
	int64_t t, now = time_now_ms();
	int64_t mtime_s = o->mtime_ms / 1000;
	if (im) {
		if (!etag_list_matches(im, o->etag))
			return precondition_failed(req, "If-Match");
	} else if (ius && time_parse_http_date(ius, &t) == 0 &&
		   mtime_s > t / 1000) {
		return precondition_failed(req, "If-Unmodified-Since");
	}
	if (inm) {
		if (etag_list_matches(inm, o->etag))
			return allow_304 ? 304
					 : precondition_failed(req,
							       "If-None-Match");
	} else if (ims && time_parse_http_date(ims, &t) == 0 && t <= now &&
		   mtime_s <= t / 1000) {
		return allow_304 ? 304
				 : precondition_failed(req,
						       "If-Modified-Since");
	}
	return 0;
}

/* Parse a single "bytes=a-b" range against size.  Returns 1 with
 * off and len set, 0 to serve the whole object (no range, or a form S3
 * ignores), -1 with 416 recorded. */
static int parse_range(struct request *req, struct response *resp,
		       const char *range, uint64_t size, uint64_t *off,
		       uint64_t *len)
{
	if (!range || strncmp(range, "bytes=", 6) != 0 || strchr(range, ','))
		return 0;
	const char *p = range + 6;
	char *end;
	uint64_t first, last;
	if (*p == '-') {
		uint64_t suffix = strtoull(p + 1, &end, 10);
		if (end == p + 1 || *end)
			return 0;
		if (suffix == 0 || size == 0)
			goto unsatisfiable;
		first = suffix >= size ? 0 : size - suffix;
		last = size - 1;
	} else {
		first = strtoull(p, &end, 10);
		if (end == p || *end != '-')
			return 0;
		p = end + 1;
		if (*p) {
			last = strtoull(p, &end, 10);
			if (*end || last < first)
				return 0;
		} else {
			last = UINT64_MAX;
		}
		if (first >= size)
			goto unsatisfiable;
		if (last >= size)
			last = size - 1;
	}
	*off = first;
	*len = last - first + 1;
	return 1;
unsatisfiable:
	resp_headerf(resp, "Content-Range", "bytes */%" PRIu64, size);
	req_error(req, 416, "InvalidRange",
		  "The requested range is not satisfiable");
	req_error_extra(req, "RangeRequested", range);
	req_error_extra(req, "ActualObjectSize",
			arena_printf(req->arena, "%" PRIu64, size));
	return -1;
}

static size_t tag_count(const char *tags)
{
	cJSON *j = tags ? cJSON_Parse(tags) : NULL;
	size_t n = j ? (size_t)cJSON_GetArraySize(j) : 0;
	cJSON_Delete(j);
	return n;
}

/* The headers GET and HEAD answer with, for o. */
static void object_headers(struct request *req, struct response *resp,
			   const struct s3_object *o, int whole)
{
	static const char *const overrides[][2] = {
		{"response-content-type", "Content-Type"},
		{"response-content-language", "Content-Language"},
		{"response-expires", "Expires"},
		{"response-cache-control", "Cache-Control"},
		{"response-content-disposition", "Content-Disposition"},
		{"response-content-encoding", "Content-Encoding"},
	};
	cJSON *h = cJSON_Parse(o->headers ? o->headers : "{}");
	cJSON *it;
	cJSON_ArrayForEach(it, h) {
		int overridden = 0;
		for (size_t i = 0; i < sizeof(overrides) / sizeof(*overrides);
		     i++)
			if (strcasecmp(it->string, overrides[i][1]) == 0 &&
			    req_query(req, overrides[i][0]))
				overridden = 1;
		if (!overridden && cJSON_IsString(it))
			resp_header(resp, arena_strdup(req->arena, it->string),
				    arena_strdup(req->arena, it->valuestring));
	}
	cJSON_Delete(h);
	for (size_t i = 0; i < sizeof(overrides) / sizeof(*overrides); i++) {
		const char *v = req_query(req, overrides[i][0]);
		if (v)
			resp_header(resp, overrides[i][1], v);
	}
	s3_etag_header(req, resp, o->etag);
	resp_header(resp, "Last-Modified", s3_http_date(req, o->mtime_ms));
	resp_header(resp, "Accept-Ranges", "bytes");
	resp_header(resp, "x-amz-server-side-encryption", "AES256");
	if (o->storage_class && strcmp(o->storage_class, "STANDARD") != 0)
		resp_header(resp, "x-amz-storage-class", o->storage_class);
	size_t tags = tag_count(o->tags);
	if (tags && strcmp(req->method, "GET") == 0)
		resp_headerf(resp, "x-amz-tagging-count", "%zu", tags);
	const char *mode = req_header(req, "x-amz-checksum-mode");
	if (whole && o->ck_alg && mode && strcasecmp(mode, "ENABLED") == 0) {
		resp_header(resp, s3_ck_header(o->ck_alg), o->ck_value);
		if (o->ck_type)
			resp_header(resp, "x-amz-checksum-type", o->ck_type);
	}
}

static const char *const plain_conditions[4] = {
	"if-match", "if-none-match", "if-modified-since",
	"if-unmodified-since"};

/* GET and HEAD. */
static int read_object(struct request *req, struct response *resp,
		       int head)
{
	const char *bucket = s3_bucket_name(req), *key = s3_key_name(req);
	struct s3_object o;
	struct s3 *s3 = req->service_state;
	int fd = -1;
	for (int attempt = 0; attempt < 3; attempt++) {
		if (load_or_fail(req, bucket, key, &o))
			return -1;
		if (head)
			break;
		fd = store_blob_open(s3->store, o.blob);
		if (fd >= 0 || errno != ENOENT)
			break; /* else replaced since the row was read */
	}
	if (!head && fd < 0)
		return s3_internal(req, "open blob");
	int cond = check_conditions(req, &o, plain_conditions, 1);
	if (cond) {
		if (fd >= 0)
			close(fd);
		if (cond < 0)
			return -1;
		resp->status = 304;
		s3_etag_header(req, resp, o.etag);
		resp_header(resp, "Last-Modified",
			    s3_http_date(req, o.mtime_ms));
		return 0;
	}
	uint64_t off = 0, len = o.size;
	int ranged = 0;
	const char *pn = req_query(req, "partNumber");
	if (pn) {
		if (strcmp(pn, "1") != 0 || o.parts > 1) {
			if (fd >= 0)
				close(fd);
			return req_error(req, 416, "InvalidPartNumber",
					 "The requested partnumber is not "
					 "satisfiable");
		}
		if (o.parts)
			resp_headerf(resp, "x-amz-mp-parts-count", "%d",
				     o.parts);
	} else {
		ranged = parse_range(req, resp, req_header(req, "range"),
				     o.size, &off, &len);
	}
	if (ranged < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	object_headers(req, resp, &o, !ranged);
	if (ranged) {
		resp->status = 206;
		resp_headerf(resp, "Content-Range",
			     "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, off,
			     off + len - 1, o.size);
	}
	if (head) {
		resp_headerf(resp, "Content-Length", "%" PRIu64, len);
		return 0;
	}
	resp_body_fd(resp, fd, (off_t)off, len);
	return 0;
}

int s3_get_object(struct request *req, struct response *resp)
{
	return read_object(req, resp, 0);
}

int s3_head_object(struct request *req, struct response *resp)
{
	return read_object(req, resp, 1);
}

int s3_delete_object(struct request *req, struct response *resp)
{
	const char *bucket = s3_bucket_name(req);
	int existed;
	if (s3_require_bucket(req, bucket))
		return -1;
	const char *vid = req_query(req, "versionId");
	if (vid && strcmp(vid, "null") != 0)
		return req_error(req, 400, "InvalidArgument",
				 "Invalid version id specified");
	if (s3_object_delete(req, bucket, s3_key_name(req), &existed))
		return -1;
	resp->status = 204;
	return 0;
}

int s3_delete_objects(struct request *req, struct response *resp)
{
	const char *bucket = s3_bucket_name(req);
	if (s3_require_bucket(req, bucket))
		return -1;
	const char *md5 = req_header(req, "content-md5");
	if (md5) {
		unsigned char d[HASH_MD5_LEN];
		char b64[HASH_BASE64_LEN(HASH_MD5_LEN) + 1];
		hash_md5(req->body ? req->body : "", req->body_len, d);
		hash_base64_encode(d, sizeof(d), b64);
		if (strcmp(b64, md5) != 0)
			return req_error(req, 400, "BadDigest",
					 "The Content-MD5 you specified did "
					 "not match what we received.");
	}
	struct xml_node *doc = s3_body_xml(req, "Delete");
	if (!doc)
		return -1;
	size_t n = xml_count(doc, "Object");
	if (n == 0 || n > 1000)
		return req_error(req, 400, "MalformedXML",
				 "The XML you provided was not well-formed or "
				 "did not validate against our published "
				 "schema");
	const char *quiet = xml_child_text(doc, "Quiet");
	int is_quiet = quiet && strcasecmp(quiet, "true") == 0;
	struct buf b;
	s3_xml_begin(&b, "DeleteResult");
	for (struct xml_node *obj = xml_child(doc, "Object"); obj;
	     obj = xml_next(obj)) {
		const char *key = xml_child_text(obj, "Key");
		const char *vid = xml_child_text(obj, "VersionId");
		const char *code = NULL, *msg = NULL;
		int existed;
		if (!key) {
			buf_free(&b);
			return req_error(req, 400, "MalformedXML",
					 "The XML you provided was not "
					 "well-formed or did not validate "
					 "against our published schema");
		}
		if (vid && strcmp(vid, "null") != 0) {
			code = "NoSuchVersion";
			msg = "The specified version does not exist.";
		} else if (strlen(key) > S3_MAX_KEY) {
			code = "KeyTooLongError";
			msg = "Your key is too long";
		} else if (s3_object_delete(req, bucket, key, &existed)) {
			code = "InternalError";
			msg = "We encountered an internal error. Please try "
			      "again.";
			memset(&req->err, 0, sizeof(req->err));
		}
		if (code) {
			xml_open(&b, "Error");
			xml_elem(&b, "Key", key);
			if (vid)
				xml_elem(&b, "VersionId", vid);
			xml_elem(&b, "Code", code);
			xml_elem(&b, "Message", msg);
			xml_close(&b, "Error");
		} else if (!is_quiet) {
			xml_open(&b, "Deleted");
			xml_elem(&b, "Key", key);
			if (vid)
				xml_elem(&b, "VersionId", vid);
			xml_close(&b, "Deleted");
		}
	}
	s3_xml_send(resp, &b, "DeleteResult");
	return 0;
}

/* ---------------------------------------------------------------------
 * CopyObject
 * ------------------------------------------------------------------- */

int s3_copy_source(struct request *req, struct s3_object *src)
{
	const char *raw = req_header(req, "x-amz-copy-source");
	size_t len = strcspn(raw, "?");
	char *dec = arena_alloc(req->arena, len + 1);
	size_t dlen;
	if (uri_decode(raw, len, dec, &dlen) || strlen(dec) != dlen)
		goto bad;
	if (*dec == '/')
		dec++;
	char *slash = strchr(dec, '/');
	if (!slash || slash == dec || !slash[1])
		goto bad;
	*slash = '\0';
	const char *q = raw[len] ? raw + len + 1 : NULL;
	if (q && strncmp(q, "versionId=", 10) == 0 &&
	    strcmp(q + 10, "null") != 0)
		return req_error(req, 400, "InvalidArgument",
				 "Invalid version id specified");
	if (load_or_fail(req, dec, slash + 1, src))
		return -1;
	static const char *const names[4] = {
		"x-amz-copy-source-if-match",
		"x-amz-copy-source-if-none-match",
		"x-amz-copy-source-if-modified-since",
		"x-amz-copy-source-if-unmodified-since"};
	if (check_conditions(req, src, names, 0))
		return -1;
	return 0;
bad:
	return req_error(req, 400, "InvalidArgument",
			 "Copy Source must mention the source bucket and key: "
			 "sourcebucket/sourcekey");
}

/* Copy src's bytes into a new committed blob (id into blob), computing
 * the MD5 ETag and, when alg, the checksum.  0 or -1 error recorded. */
static int copy_bytes(struct request *req, const struct s3_object *src,
		      const char *alg, char blob[STORE_BLOB_ID_LEN + 1],
		      char etag[2 * HASH_MD5_LEN + 1], char *ck_b64)
{
	struct s3 *s3 = req->service_state;
	struct store_blob_writer *w;
	struct hash_ctx md5, ck;
	enum hash_alg ha = HASH_CRC64NVME;
	unsigned char d[HASH_MAX_LEN];
	if (alg)
		hash_alg_from_name(alg, &ha);
	if (store_blob_create(s3->store, &w))
		return s3_internal(req, "create blob");
	hash_init(&md5, HASH_MD5);
	hash_init(&ck, ha);
	int rc = s3_blob_copy(req, src->blob, 0, src->size, w, &md5,
			      alg ? &ck : NULL);
	if (rc == 0) {
		size_t n = hash_final(&md5, d);
		hash_hex(d, n, etag);
		if (alg) {
			n = hash_final(&ck, d);
			hash_base64_encode(d, n, ck_b64);
		}
		store_blob_new_id(blob);
		if (store_blob_commit(w, blob))
			rc = s3_internal(req, "commit blob");
	} else {
		store_blob_abort(w);
	}
	hash_free(&md5);
	hash_free(&ck);
	return rc;
}

int s3_copy_object(struct request *req, struct response *resp)
{
	const char *bucket = s3_bucket_name(req), *key = s3_key_name(req);
	struct s3_object src, o;
	if (strlen(key) > S3_MAX_KEY)
		return req_error(req, 400, "KeyTooLongError",
				 "Your key is too long");
	if (s3_require_bucket(req, bucket) || s3_copy_source(req, &src))
		return -1;
	if (src.size > (5ull << 30))
		return req_error(req, 400, "InvalidRequest",
				 "The specified copy source is larger than the "
				 "maximum allowable size for a copy source: "
				 "5368709120");
	const char *md = req_header(req, "x-amz-metadata-directive");
	const char *td = req_header(req, "x-amz-tagging-directive");
	if (md && strcmp(md, "COPY") != 0 && strcmp(md, "REPLACE") != 0)
		return req_error(req, 400, "InvalidArgument",
				 "Unknown metadata directive.");
	if (td && strcmp(td, "COPY") != 0 && strcmp(td, "REPLACE") != 0)
		return req_error(req, 400, "InvalidArgument",
				 "Unknown tagging directive.");
	int replace_meta = md && strcmp(md, "REPLACE") == 0;
	const char *sc;
	if (s3_storage_class(req, &sc))
		return -1;
	const char *alg = req_header(req, "x-amz-checksum-algorithm");
	enum hash_alg ha;
	if (alg && hash_alg_from_name(alg, &ha))
		return req_error(req, 400, "InvalidRequest",
				 "Checksum algorithm provided is unsupported. "
				 "Please try again with any of the valid "
				 "types: [CRC32, CRC32C, CRC64NVME, SHA1, "
				 "SHA256]");
	if (strcmp(src.bucket, bucket) == 0 && strcmp(src.key, key) == 0 &&
	    !replace_meta && !req_header(req, "x-amz-storage-class") &&
	    !req_header(req, "x-amz-website-redirect-location") &&
	    !req_header(req, "x-amz-server-side-encryption") && !alg)
		return req_error(req, 400, "InvalidRequest",
				 "This copy request is illegal because it is "
				 "trying to copy an object to itself without "
				 "changing the object's metadata, storage "
				 "class, website redirect location or "
				 "encryption attributes.");
	memset(&o, 0, sizeof(o));
	o.bucket = bucket;
	o.key = key;
	o.headers = replace_meta ? s3_headers_from_request(req) : src.headers;
	o.storage_class = req_header(req, "x-amz-storage-class")
				  ? sc
				  : src.storage_class;
	o.tags = src.tags;
	if (td && strcmp(td, "REPLACE") == 0 &&
	    s3_tags_from_query(req, req_header(req, "x-amz-tagging"), &o.tags))
		return -1;
	if (!alg)
		alg = src.ck_alg && strcmp(src.ck_type ? src.ck_type : "",
					   "COMPOSITE") != 0
			      ? src.ck_alg
			      : "CRC64NVME";
	char etag[2 * HASH_MD5_LEN + 1];
	char ck[HASH_BASE64_LEN(HASH_MAX_LEN) + 1];
	for (const char *c = "CRC32\0CRC32C\0CRC64NVME\0SHA1\0SHA256\0"; *c;
	     c += strlen(c) + 1)
		if (strcasecmp(c, alg) == 0)
			alg = c;
	if (copy_bytes(req, &src, alg, o.blob, etag, ck))
		return -1;
	o.size = src.size;
	o.etag = etag;
	o.mtime_ms = time_now_ms();
	o.ck_alg = alg;
	o.ck_value = ck;
	o.ck_type = "FULL_OBJECT";
	if (s3_object_commit(req, &o, "ObjectCreated:Copy")) {
		store_blob_remove(((struct s3 *)req->service_state)->store,
				  o.blob);
		return -1;
	}
	struct buf b;
	s3_xml_begin(&b, "CopyObjectResult");
	xml_elem(&b, "ETag", arena_printf(req->arena, "\"%s\"", etag));
	xml_elem(&b, "LastModified", s3_iso_date(req, o.mtime_ms));
	xml_elem(&b, "ChecksumType", "FULL_OBJECT");
	xml_elem(&b, s3_ck_element(alg), ck);
	resp_header(resp, "x-amz-server-side-encryption", "AES256");
	s3_xml_send(resp, &b, "CopyObjectResult");
	return 0;
}

/* ---------------------------------------------------------------------
 * Tagging and attributes
 * ------------------------------------------------------------------- */

int s3_get_object_tagging(struct request *req, struct response *resp)
{
	struct s3_object o;
	if (load_or_fail(req, s3_bucket_name(req), s3_key_name(req), &o))
		return -1;
	struct buf b;
	s3_xml_begin(&b, "Tagging");
	xml_open(&b, "TagSet");
	cJSON *tags = o.tags ? cJSON_Parse(o.tags) : NULL;
	cJSON *t;
	cJSON_ArrayForEach(t, tags) {
		xml_open(&b, "Tag");
		xml_elem(&b, "Key", cJSON_GetArrayItem(t, 0)->valuestring);
		xml_elem(&b, "Value", cJSON_GetArrayItem(t, 1)->valuestring);
		xml_close(&b, "Tag");
	}
	cJSON_Delete(tags);
	xml_close(&b, "TagSet");
	s3_xml_send(resp, &b, "Tagging");
	return 0;
}

/* Replace the tags of bucket/key with json (NULL: none). */
static int set_tags(struct request *req, const char *json)
{
	struct s3 *s3 = req->service_state;
	const char *bucket = s3_bucket_name(req), *key = s3_key_name(req);
	sqlite3_stmt *st = store_prepare(s3->db, "UPDATE objects SET tags = ?1"
						 " WHERE bucket = ?2 AND key = ?3");
	if (!st)
		return s3_internal(req, "prepare");
	if (json)
		sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int changed = sqlite3_changes(store_db_conn(s3->db));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return s3_internal(req, "set tags");
	if (!changed) {
		if (!s3_require_bucket(req, bucket))
			s3_no_such_key(req, key);
		return -1;
	}
	return 0;
}

int s3_put_object_tagging(struct request *req, struct response *resp)
{
	(void)resp;
	struct xml_node *doc = s3_body_xml(req, "Tagging");
	struct xml_node *set = xml_child(doc, "TagSet");
	if (!doc)
		return -1;
	if (!set)
		return req_error(req, 400, "MalformedXML",
				 "The XML you provided was not well-formed or "
				 "did not validate against our published "
				 "schema");
	if (xml_count(set, "Tag") > 10)
		return req_error(req, 400, "BadRequest",
				 "Object tags cannot be greater than 10");
	cJSON *arr = cJSON_CreateArray();
	for (struct xml_node *t = xml_child(set, "Tag"); t; t = xml_next(t)) {
		const char *k = xml_child_text(t, "Key");
		const char *v = xml_child_text(t, "Value");
		cJSON *prev;
		int dup = 0;
		cJSON_ArrayForEach(prev, arr)
			dup |= k && strcmp(cJSON_GetArrayItem(prev, 0)
						   ->valuestring, k) == 0;
		if (!k || !v || dup) {
			cJSON_Delete(arr);
			return dup ? req_error(req, 400, "InvalidTag",
					       "Cannot provide multiple Tags "
					       "with the same key")
				   : req_error(req, 400, "MalformedXML",
					       "The XML you provided was not "
					       "well-formed or did not "
					       "validate against our "
					       "published schema");
		}
		cJSON *pair = cJSON_CreateArray();
		cJSON_AddItemToArray(pair, cJSON_CreateString(k));
		cJSON_AddItemToArray(pair, cJSON_CreateString(v));
		cJSON_AddItemToArray(arr, pair);
	}
	char *text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	int rc = set_tags(req, text);
	free(text);
	return rc;
}

int s3_delete_object_tagging(struct request *req, struct response *resp)
{
	if (set_tags(req, NULL))
		return -1;
	resp->status = 204;
	return 0;
}

int s3_get_object_attributes(struct request *req, struct response *resp)
{
	struct s3_object o;
	const char *want = req_header(req, "x-amz-object-attributes");
	if (load_or_fail(req, s3_bucket_name(req), s3_key_name(req), &o))
		return -1;
	if (!want || !*want)
		return req_error(req, 400, "InvalidArgument",
				 "Invalid attribute name specified.");
	struct buf b;
	s3_xml_begin(&b, "GetObjectAttributesResponse");
	if (strstr(want, "ETag"))
		xml_elem(&b, "ETag", o.etag);
	if (strstr(want, "Checksum") && o.ck_alg) {
		xml_open(&b, "Checksum");
		xml_elem(&b, s3_ck_element(o.ck_alg), o.ck_value);
		xml_elem(&b, "ChecksumType",
			 o.ck_type ? o.ck_type : "FULL_OBJECT");
		xml_close(&b, "Checksum");
	}
	if (strstr(want, "ObjectParts") && o.parts) {
		xml_open(&b, "ObjectParts");
		xml_elemf(&b, "TotalPartsCount", "%d", o.parts);
		xml_close(&b, "ObjectParts");
	}
	if (strstr(want, "StorageClass"))
		xml_elem(&b, "StorageClass", o.storage_class);
	if (strstr(want, "ObjectSize"))
		xml_elemf(&b, "ObjectSize", "%" PRIu64, o.size);
	resp_header(resp, "Last-Modified", s3_http_date(req, o.mtime_ms));
	s3_xml_send(resp, &b, "GetObjectAttributesResponse");
	return 0;
}
