/*
 * s3_multipart.c - multipart uploads: CreateMultipartUpload,
 * UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload,
 * ListParts, ListMultipartUploads (UploadPart itself streams, in
 * s3_put.c).
 *
 * Each part is its own blob.  Complete checks the part list (order,
 * ETags, 5 MiB minimum except the last), concatenates the parts into one
 * new blob while computing the full-object checksum, commits it, and in
 * one transaction removes the upload and makes the object current; only
 * then are the part blobs removed.  The ETag is the MD5 of the parts'
 * binary MD5s followed by "-<count>", and a COMPOSITE checksum is the
 * checksum of the parts' binary checksums followed by "-<count>", as S3
 * computes them.
 */
#include "s3_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ids.h"
#include "timefmt.h"

static int no_such_upload(struct request *req, const char *id)
{
	req_error(req, 404, "NoSuchUpload",
		  "The specified upload does not exist. The upload ID may be "
		  "invalid, or the upload may have been aborted or "
		  "completed.");
	req_error_extra(req, "UploadId", id ? id : "");
	return -1;
}

/* Canonical spelling of a checksum algorithm name, or NULL. */
static const char *canon_alg(const char *alg)
{
	static const char *const algs[] = {"CRC32", "CRC32C", "CRC64NVME",
					   "SHA1", "SHA256"};
	for (size_t i = 0; alg && i < sizeof(algs) / sizeof(*algs); i++)
		if (strcasecmp(alg, algs[i]) == 0)
			return algs[i];
	return NULL;
}

int s3_create_multipart(struct request *req, struct response *resp)
{
	struct s3 *s3 = req->service_state;
	const char *bucket = s3_bucket_name(req), *key = s3_key_name(req);
	const char *sc, *tags;
	if (s3_require_bucket(req, bucket) || s3_storage_class(req, &sc) ||
	    s3_tags_from_query(req, req_header(req, "x-amz-tagging"), &tags))
		return -1;
	if (strlen(key) > S3_MAX_KEY)
		return req_error(req, 400, "KeyTooLongError",
				 "Your key is too long");
	const char *alg_h = req_header(req, "x-amz-checksum-algorithm");
	const char *type = req_header(req, "x-amz-checksum-type");
	const char *alg = canon_alg(alg_h);
	if (alg_h && !alg)
		return req_error(req, 400, "InvalidRequest",
				 "Checksum algorithm provided is unsupported. "
				 "Please try again with any of the valid "
				 "types: [CRC32, CRC32C, CRC64NVME, SHA1, "
				 "SHA256]");
	if (type && strcmp(type, "COMPOSITE") != 0 &&
	    strcmp(type, "FULL_OBJECT") != 0)
		return req_error(req, 400, "InvalidRequest",
				 "Value for x-amz-checksum-type header is "
				 "invalid.");
	if (type && !alg)
		return req_error(req, 400, "InvalidRequest",
				 "The x-amz-checksum-type header can only be "
				 "used with the x-amz-checksum-algorithm "
				 "header.");
	if (alg && !type)
		type = strcmp(alg, "CRC64NVME") == 0 ? "FULL_OBJECT"
						     : "COMPOSITE";
	if (alg && ((strcmp(type, "FULL_OBJECT") == 0 &&
		     strncmp(alg, "SHA", 3) == 0) ||
		    (strcmp(type, "COMPOSITE") == 0 &&
		     strcmp(alg, "CRC64NVME") == 0)))
		return req_error(req, 400, "InvalidRequest",
				 "The %s checksum type cannot be used with "
				 "the %s checksum algorithm.",
				 type, alg);
	char id[65];
	ids_alnum(id, 64);
	sqlite3_stmt *st = store_prepare(
		s3->db, "INSERT INTO uploads (id, bucket, key, created, "
			"headers, storage_class, ck_alg, ck_type, tags) VALUES "
			"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (!st)
		return s3_internal(req, "prepare");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, time_now_ms());
	sqlite3_bind_text(st, 5, s3_headers_from_request(req), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 6, sc, -1, SQLITE_STATIC);
	if (alg) {
		sqlite3_bind_text(st, 7, alg, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, type, -1, SQLITE_STATIC);
	}
	if (tags)
		sqlite3_bind_text(st, 9, tags, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return s3_internal(req, "create upload");
	struct buf b;
	s3_xml_begin(&b, "InitiateMultipartUploadResult");
	xml_elem(&b, "Bucket", bucket);
	xml_elem(&b, "Key", key);
	xml_elem(&b, "UploadId", id);
	if (alg) {
		resp_header(resp, "x-amz-checksum-algorithm", alg);
		resp_header(resp, "x-amz-checksum-type", type);
	}
	resp_header(resp, "x-amz-server-side-encryption", "AES256");
	s3_xml_send(resp, &b, "InitiateMultipartUploadResult");
	return 0;
}

struct upload {
	const char *id, *headers, *storage_class, *ck_alg, *ck_type, *tags;
	int64_t created;
};

/* Load upload id of this request's bucket/key: 0, or -1 NoSuchUpload. */
static int load_upload(struct request *req, const char *id, struct upload *u)
{
	struct s3 *s3 = req->service_state;
	if (s3_require_bucket(req, s3_bucket_name(req)))
		return -1;
	sqlite3_stmt *st = store_prepare(
		s3->db, "SELECT headers, storage_class, ck_alg, ck_type, tags,"
			" created FROM uploads WHERE id = ?1 AND bucket = ?2 "
			"AND key = ?3");
	if (!st)
		return s3_internal(req, "prepare");
	sqlite3_bind_text(st, 1, id ? id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s3_bucket_name(req), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s3_key_name(req), -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return no_such_upload(req, id);
	}
	const char *cols[5];
	for (int i = 0; i < 5; i++) {
		const unsigned char *t = sqlite3_column_text(st, i);
		cols[i] = t ? arena_strdup(req->arena, (const char *)t) : NULL;
	}
	u->id = id;
	u->headers = cols[0];
	u->storage_class = cols[1];
	u->ck_alg = cols[2];
	u->ck_type = cols[3];
	u->tags = cols[4];
	u->created = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	return 0;
}

struct part {
	int num;
	char blob[STORE_BLOB_ID_LEN + 1];
	uint64_t size;
	const char *etag, *ck_value;
	int64_t mtime;
};

/* Every part of upload id, by number, into the arena.  -1 on error. */
static int load_parts(struct request *req, const char *id, struct part **out,
		      size_t *n_out)
{
	struct s3 *s3 = req->service_state;
	sqlite3_stmt *st = store_prepare(
		s3->db, "SELECT num, blob, size, etag, ck_value, mtime FROM "
			"parts WHERE upload = ?1 ORDER BY num");
	if (!st)
		return s3_internal(req, "prepare");
	size_t cap = 16, n = 0;
	struct part *parts = arena_alloc(req->arena, cap * sizeof(*parts));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			struct part *grown = arena_alloc(req->arena,
							 2 * cap * sizeof(*parts));
			memcpy(grown, parts, n * sizeof(*parts));
			parts = grown;
			cap *= 2;
		}
		struct part *p = &parts[n++];
		p->num = sqlite3_column_int(st, 0);
		snprintf(p->blob, sizeof(p->blob), "%s",
			 sqlite3_column_text(st, 1));
		p->size = (uint64_t)sqlite3_column_int64(st, 2);
		p->etag = arena_strdup(req->arena,
				       (const char *)sqlite3_column_text(st, 3));
		const unsigned char *ck = sqlite3_column_text(st, 4);
		p->ck_value = ck ? arena_strdup(req->arena, (const char *)ck)
				 : NULL;
		p->mtime = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	*out = parts;
	*n_out = n;
	return 0;
}

static struct part *find_part(struct part *parts, size_t n, int num)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (parts[mid].num == num)
			return &parts[mid];
		if (parts[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *strip_quotes(struct request *req, const char *etag)
{
	size_t n = strlen(etag);
	if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"')
		return arena_strndup(req->arena, etag + 1, n - 2);
	return etag;
}

static int invalid_part(struct request *req)
{
	return req_error(req, 400, "InvalidPart",
			 "One or more of the specified parts could not be "
			 "found.  The part may not have been uploaded, or the "
			 "specified entity tag may not match the part's "
			 "entity tag.");
}

int s3_complete_multipart(struct request *req, struct response *resp)
{
	struct s3 *s3 = req->service_state;
	const char *id = req_query(req, "uploadId");
	struct upload u;
	struct part *stored;
	size_t n_stored;
	if (load_upload(req, id, &u))
		return -1;
	struct xml_node *doc = s3_body_xml(req, "CompleteMultipartUpload");
	if (!doc)
		return -1;
	size_t n = xml_count(doc, "Part");
	if (n == 0)
		return req_error(req, 400, "MalformedXML",
				 "The XML you provided was not well-formed or "
				 "did not validate against our published "
				 "schema");
	if (load_parts(req, id, &stored, &n_stored))
		return -1;
	struct part **use = arena_alloc(req->arena, n * sizeof(*use));
	size_t i = 0;
	int prev = 0;
	for (struct xml_node *x = xml_child(doc, "Part"); x; x = xml_next(x)) {
		const char *pn = xml_child_text(x, "PartNumber");
		const char *etag = xml_child_text(x, "ETag");
		int num = pn ? atoi(pn) : 0;
		if (num <= prev)
			return num < 1 ? invalid_part(req)
				       : req_error(req, 400,
						   "InvalidPartOrder",
						   "The list of parts was not "
						   "in ascending order. Parts "
						   "must be ordered by part "
						   "number.");
		prev = num;
		struct part *p = find_part(stored, n_stored, num);
		if (!p || !etag || strcmp(strip_quotes(req, etag), p->etag) != 0)
			return invalid_part(req);
		if (u.ck_alg) {
			const char *given = xml_child_text(x, s3_ck_element(u.ck_alg));
			if (given && (!p->ck_value ||
				      strcmp(given, p->ck_value) != 0))
				return invalid_part(req);
		}
		use[i++] = p;
	}
	for (i = 0; i + 1 < n; i++)
		if (use[i]->size < S3_MIN_PART) {
			req_error(req, 400, "EntityTooSmall",
				  "Your proposed upload is smaller than the "
				  "minimum allowed object size.");
			req_error_extra(req, "ProposedSize",
					arena_printf(req->arena, "%" PRIu64,
						     use[i]->size));
			req_error_extra(req, "MinSizeAllowed", "5242880");
			req_error_extra(req, "PartNumber",
					arena_printf(req->arena, "%d",
						     use[i]->num));
			req_error_extra(req, "ETag", use[i]->etag);
			return -1;
		}

	/* ETag and composite checksum from the parts' digests. */
	struct hash_ctx md5s, cks;
	int composite = u.ck_alg && strcmp(u.ck_type, "COMPOSITE") == 0;
	const char *full_alg = u.ck_alg ? u.ck_alg : "CRC64NVME";
	enum hash_alg ha;
	hash_alg_from_name(full_alg, &ha);
	hash_init(&md5s, HASH_MD5);
	hash_init(&cks, ha);
	uint64_t total = 0;
	for (i = 0; i < n; i++) {
		unsigned char raw[HASH_MAX_LEN];
		size_t rl;
		if (hash_unhex(use[i]->etag, raw, HASH_MD5_LEN) == 0)
			hash_update(&md5s, raw, HASH_MD5_LEN);
		if (composite && use[i]->ck_value &&
		    hash_base64_decode(use[i]->ck_value,
				       strlen(use[i]->ck_value), raw,
				       sizeof(raw), &rl) == 0)
			hash_update(&cks, raw, rl);
		total += use[i]->size;
	}
	unsigned char d[HASH_MAX_LEN];
	char hex[2 * HASH_MD5_LEN + 1];
	char ck[HASH_BASE64_LEN(HASH_MAX_LEN) + 1] = "";
	hash_hex(d, hash_final(&md5s, d), hex);
	if (composite)
		hash_base64_encode(d, hash_final(&cks, d), ck);

	/* Concatenate the parts into the object's blob. */
	struct store_blob_writer *w;
	struct s3_object o;
	memset(&o, 0, sizeof(o));
	int rc = store_blob_create(s3->store, &w);
	if (rc) {
		hash_free(&md5s);
		hash_free(&cks);
		return s3_internal(req, "create blob");
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = s3_blob_copy(req, use[i]->blob, 0, use[i]->size, w, NULL,
				  composite ? NULL : &cks);
	if (rc == 0 && !composite)
		hash_base64_encode(d, hash_final(&cks, d), ck);
	hash_free(&md5s);
	hash_free(&cks);
	if (rc) {
		store_blob_abort(w);
		return -1;
	}
	store_blob_new_id(o.blob);
	if (store_blob_commit(w, o.blob))
		return s3_internal(req, "commit blob");
	o.bucket = s3_bucket_name(req);
	o.key = s3_key_name(req);
	o.size = total;
	o.etag = arena_printf(req->arena, "%s-%zu", hex, n);
	o.mtime_ms = time_now_ms();
	o.headers = u.headers;
	o.storage_class = u.storage_class;
	o.tags = u.tags;
	o.ck_alg = full_alg;
	o.ck_value = composite ? arena_printf(req->arena, "%s-%zu", ck, n)
			       : arena_strdup(req->arena, ck);
	o.ck_type = composite ? "COMPOSITE" : "FULL_OBJECT";
	o.parts = (int)n;
	o.completes_upload = id;
	if (s3_object_commit(req, &o, "ObjectCreated:CompleteMultipartUpload")) {
		store_blob_remove(s3->store, o.blob);
		return -1;
	}
	for (i = 0; i < n_stored; i++)
		store_blob_remove(s3->store, stored[i].blob);
	struct buf b;
	s3_xml_begin(&b, "CompleteMultipartUploadResult");
	xml_elem(&b, "Location",
		 arena_printf(req->arena, "http://%s/%s/%s", req->host,
			      o.bucket, o.key));
	xml_elem(&b, "Bucket", o.bucket);
	xml_elem(&b, "Key", o.key);
	xml_elem(&b, "ETag", arena_printf(req->arena, "\"%s\"", o.etag));
	if (u.ck_alg) {
		xml_elem(&b, s3_ck_element(o.ck_alg), o.ck_value);
		xml_elem(&b, "ChecksumType", o.ck_type);
	}
	resp_header(resp, "x-amz-server-side-encryption", "AES256");
	s3_xml_send(resp, &b, "CompleteMultipartUploadResult");
	return 0;
}

int s3_abort_multipart(struct request *req, struct response *resp)
{
	struct s3 *s3 = req->service_state;
	const char *id = req_query(req, "uploadId");
	struct upload u;
	struct part *parts;
	size_t n;
	if (load_upload(req, id, &u) || load_parts(req, id, &parts, &n))
		return -1;
	sqlite3_stmt *st = store_prepare(s3->db,
					 "DELETE FROM uploads WHERE id = ?1");
	if (!st)
		return s3_internal(req, "prepare");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return s3_internal(req, "abort upload");
	for (size_t i = 0; i < n; i++)
		store_blob_remove(s3->store, parts[i].blob);
	resp->status = 204;
	return 0;
}

static void owner_and_initiator(struct buf *b)
{
	buf_puts(b, "<Initiator><ID>" S3_OWNER_ID "</ID><DisplayName>"
		    S3_OWNER_NAME "</DisplayName></Initiator><Owner><ID>"
		    S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME
		    "</DisplayName></Owner>");
}

int s3_list_parts(struct request *req, struct response *resp)
{
	const char *id = req_query(req, "uploadId");
	const char *mp = req_query(req, "max-parts");
	const char *marker = req_query(req, "part-number-marker");
	struct upload u;
	struct part *parts;
	size_t n;
	if (load_upload(req, id, &u) || load_parts(req, id, &parts, &n))
		return -1;
	long max = mp ? atol(mp) : 1000, after = marker ? atol(marker) : 0;
	if (max < 0 || max > 1000)
		max = 1000;
	struct buf b;
	s3_xml_begin(&b, "ListPartsResult");
	xml_elem(&b, "Bucket", s3_bucket_name(req));
	xml_elem(&b, "Key", s3_key_name(req));
	xml_elem(&b, "UploadId", id);
	xml_elemf(&b, "PartNumberMarker", "%ld", after);
	long shown = 0, last = 0;
	int truncated = 0;
	struct buf items;
	buf_init(&items, 64u << 20);
	for (size_t i = 0; i < n; i++) {
		if (parts[i].num <= after)
			continue;
		if (shown == max) {
			truncated = 1;
			break;
		}
		xml_open(&items, "Part");
		xml_elemf(&items, "PartNumber", "%d", parts[i].num);
		xml_elem(&items, "LastModified", s3_iso_date(req, parts[i].mtime));
		xml_elem(&items, "ETag",
			 arena_printf(req->arena, "\"%s\"", parts[i].etag));
		xml_elemf(&items, "Size", "%" PRIu64, parts[i].size);
		if (u.ck_alg && parts[i].ck_value)
			xml_elem(&items, s3_ck_element(u.ck_alg),
				 parts[i].ck_value);
		xml_close(&items, "Part");
		last = parts[i].num;
		shown++;
	}
	if (truncated)
		xml_elemf(&b, "NextPartNumberMarker", "%ld", last);
	xml_elemf(&b, "MaxParts", "%ld", max);
	xml_elem(&b, "IsTruncated", truncated ? "true" : "false");
	if (items.data)
		buf_append(&b, items.data, items.len);
	buf_free(&items);
	owner_and_initiator(&b);
	xml_elem(&b, "StorageClass", u.storage_class);
	if (u.ck_alg) {
		xml_elem(&b, "ChecksumAlgorithm", u.ck_alg);
		xml_elem(&b, "ChecksumType", u.ck_type);
	}
	s3_xml_send(resp, &b, "ListPartsResult");
	return 0;
}

int s3_list_multipart_uploads(struct request *req, struct response *resp)
{
	struct s3 *s3 = req->service_state;
	const char *bucket = s3_bucket_name(req);
	const char *prefix = req_query(req, "prefix");
	const char *mu = req_query(req, "max-uploads");
	const char *km = req_query(req, "key-marker");
	if (s3_require_bucket(req, bucket))
		return -1;
	long max = mu ? atol(mu) : 1000;
	if (max < 0 || max > 1000)
		max = 1000;
	sqlite3_stmt *st = store_prepare(
		s3->db, "SELECT key, id, created, storage_class, ck_alg, "
			"ck_type FROM uploads WHERE bucket = ?1 AND key > ?2 "
			"ORDER BY key, created");
	if (!st)
		return s3_internal(req, "prepare");
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, km ? km : "", -1, SQLITE_STATIC);
	struct buf items;
	buf_init(&items, 64u << 20);
	long shown = 0;
	int truncated = 0;
	const char *last_key = NULL, *last_id = NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		if (prefix && strncmp(key, prefix, strlen(prefix)) != 0)
			continue;
		if (shown == max) {
			truncated = 1;
			break;
		}
		xml_open(&items, "Upload");
		xml_elem(&items, "Key", key);
		xml_elem(&items, "UploadId",
			 (const char *)sqlite3_column_text(st, 1));
		owner_and_initiator(&items);
		xml_elem(&items, "StorageClass",
			 (const char *)sqlite3_column_text(st, 3));
		xml_elem(&items, "Initiated",
			 s3_iso_date(req, sqlite3_column_int64(st, 2)));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			xml_elem(&items, "ChecksumAlgorithm",
				 (const char *)sqlite3_column_text(st, 4));
			xml_elem(&items, "ChecksumType",
				 (const char *)sqlite3_column_text(st, 5));
		}
		xml_close(&items, "Upload");
		last_key = arena_strdup(req->arena, key);
		last_id = arena_strdup(req->arena,
				       (const char *)sqlite3_column_text(st, 1));
		shown++;
	}
	sqlite3_reset(st);
	struct buf b;
	s3_xml_begin(&b, "ListMultipartUploadsResult");
	xml_elem(&b, "Bucket", bucket);
	xml_elem(&b, "KeyMarker", km ? km : "");
	xml_elem(&b, "UploadIdMarker", "");
	if (truncated) {
		xml_elem(&b, "NextKeyMarker", last_key);
		xml_elem(&b, "NextUploadIdMarker", last_id);
	}
	if (prefix)
		xml_elem(&b, "Prefix", prefix);
	xml_elemf(&b, "MaxUploads", "%ld", max);
	xml_elem(&b, "IsTruncated", truncated ? "true" : "false");
	if (items.data)
		buf_append(&b, items.data, items.len);
	buf_free(&items);
	s3_xml_send(resp, &b, "ListMultipartUploadsResult");
	return 0;
}

int s3_upload_part_copy(struct request *req, struct response *resp)
{
	struct s3 *s3 = req->service_state;
	const char *upload_id, *alg;
	int num;
	struct s3_object src;
	if (s3_part_target(req, &upload_id, &num, &alg) ||
	    s3_copy_source(req, &src))
		return -1;
	uint64_t off = 0, len = src.size;
	const char *range = req_header(req, "x-amz-copy-source-range");
	if (range) {
		unsigned long long a, z;
		int used = 0;
		if (sscanf(range, "bytes=%llu-%llu%n", &a, &z, &used) != 2 ||
		    range[used] || z < a)
			return req_error(req, 400, "InvalidArgument",
					 "The x-amz-copy-source-range value "
					 "must be of the form bytes=first-last "
					 "where first and last are the "
					 "zero-based offsets of the first and "
					 "last bytes to copy");
		if (z >= src.size)
			return req_error(req, 400, "InvalidRange",
					 "The requested range is not "
					 "satisfiable");
		off = a;
		len = z - a + 1;
	}
	struct store_blob_writer *w;
	struct hash_ctx md5, ck;
	enum hash_alg ha = HASH_CRC32;
	if (alg)
		hash_alg_from_name(alg, &ha);
	if (store_blob_create(s3->store, &w))
		return s3_internal(req, "create blob");
	hash_init(&md5, HASH_MD5);
	hash_init(&ck, ha);
	int rc = s3_blob_copy(req, src.blob, off, len, w, &md5,
			      alg ? &ck : NULL);
	unsigned char d[HASH_MAX_LEN];
	char etag[2 * HASH_MD5_LEN + 1];
	char ckv[HASH_BASE64_LEN(HASH_MAX_LEN) + 1] = "";
	char blob[STORE_BLOB_ID_LEN + 1];
	hash_hex(d, hash_final(&md5, d), etag);
	if (alg)
		hash_base64_encode(d, hash_final(&ck, d), ckv);
	hash_free(&md5);
	hash_free(&ck);
	if (rc) {
		store_blob_abort(w);
		return -1;
	}
	store_blob_new_id(blob);
	if (store_blob_commit(w, blob))
		return s3_internal(req, "commit blob");
	if (s3_part_commit(req, upload_id, num, blob, len, etag,
			   alg ? ckv : NULL)) {
		store_blob_remove(s3->store, blob);
		return -1;
	}
	struct buf b;
	s3_xml_begin(&b, "CopyPartResult");
	xml_elem(&b, "ETag", arena_printf(req->arena, "\"%s\"", etag));
	xml_elem(&b, "LastModified", s3_iso_date(req, time_now_ms()));
	if (alg)
		xml_elem(&b, s3_ck_element(alg), ckv);
	s3_xml_send(resp, &b, "CopyPartResult");
	return 0;
}
