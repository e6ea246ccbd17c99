/*
 * s3_put.c - streaming uploads: PutObject and UploadPart.
 *
 * The begin hook (headers in) checks what can be checked before a byte
 * arrives (bucket, upload, key length, digests' syntax, checksum
 * headers), opens a blob writer in the store's tmp/ and installs the
 * body sink.  The sink writes each slice to the blob as it arrives while
 * computing MD5 (the ETag), the flexible checksum (the one the client
 * named, else CRC64NVME as S3 does) and, for a hex x-amz-content-sha256,
 * SHA-256.  Bodies sent as Content-Encoding: aws-chunked (STREAMING-*
 * payload hashes, signed chunks or unsigned with a trailer) are decoded
 * through sdk/aws_chunked.h first; the checksum may then come in the
 * trailer.  Memory use does not depend on the object's size.
 *
 * finish verifies everything (BadDigest, XAmzContentSHA256Mismatch,
 * chunk signatures) and only then commits the blob; the handler then
 * commits the row in one transaction.  A failure at any step removes the
 * blob: the object is either stored whole or not at all.
 */
#include "s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_chunked.h"
#include "log.h"
#include "timefmt.h"

#define S3_MAX_PUT (5ull << 30) /* largest single PUT S3 accepts */

struct s3_put {
	struct s3 *s3;
	struct store_blob_writer *w;   /* open until commit or abort */
	char blob[STORE_BLOB_ID_LEN + 1];
	int blob_committed;            /* blob renamed into place */
	int row_committed;             /* a row refers to the blob */
	struct hash_ctx md5;
	int md5_on;
	struct hash_ctx ck;            /* flexible checksum */
	int ck_on;
	const char *ck_alg;            /* "CRC32", ... */
	const char *ck_expected;       /* base64 from a header, or NULL */
	int ck_trailer;                /* the value comes in the trailer */
	int ck_given;                  /* the client named the checksum */
	struct hash_ctx sha;           /* x-amz-content-sha256 check */
	int sha_on;
	const char *sha_expected;
	struct aws_chunked dec;
	int chunked;
	const char *content_md5;       /* base64 as sent, or NULL */
	uint64_t size;
	/* results, set by finish */
	char etag[2 * HASH_MD5_LEN + 1];
	char ck_value[HASH_BASE64_LEN(HASH_MAX_LEN) + 1];
	/* UploadPart */
	const char *upload_id;
	int part_number;
};

/* Release whatever the upload still holds (arena cleanup; idempotent). */
static void put_release(void *arg)
{
	struct s3_put *p = arg;
	if (p->w) {
		store_blob_abort(p->w);
		p->w = NULL;
	}
	if (p->blob_committed && !p->row_committed) {
		store_blob_remove(p->s3->store, p->blob);
		p->blob_committed = 0;
	}
	if (p->md5_on)
		hash_free(&p->md5);
	if (p->ck_on)
		hash_free(&p->ck);
	if (p->sha_on)
		hash_free(&p->sha);
	p->md5_on = p->ck_on = p->sha_on = 0;
	if (p->chunked) {
		aws_chunked_free(&p->dec);
		p->chunked = 0;
	}
}

/* Payload bytes (decoded): to the blob and the digests. */
static int consume(void *arg, const void *data, size_t len)
{
	struct s3_put *p = arg;
	if (store_blob_write(p->w, data, len))
		return -1;
	hash_update(&p->md5, data, len);
	if (p->ck_on)
		hash_update(&p->ck, data, len);
	p->size += len;
	return 0;
}

static int sink_write(struct request *req, const char *data, size_t len)
{
	struct s3_put *p = req->op_state;
	if (p->sha_on)
		hash_update(&p->sha, data, len);
	if (p->chunked) {
		enum aws_chunked_err e = aws_chunked_feed(&p->dec, data, len);
		if (e == AWS_CHUNKED_OK)
			return 0;
		if (e == AWS_CHUNKED_ERR_SINK)
			return s3_internal(req, "write blob");
		return req_error(req, aws_chunked_error_status(e),
				 aws_chunked_error_code(e), "%s",
				 aws_chunked_error_message(e));
	}
	if (p->size + len > S3_MAX_PUT)
		return req_error(req, 400, "EntityTooLarge",
				 "Your proposed upload exceeds the maximum "
				 "allowed size");
	if (consume(p, data, len))
		return s3_internal(req, "write blob");
	return 0;
}

static void sink_abort(struct request *req)
{
	put_release(req->op_state);
}

static int bad_digest_ck(struct request *req, const char *alg)
{
	return req_error(req, 400, "BadDigest",
			 "The %s you specified did not match the calculated "
			 "checksum.", alg);
}

static int sink_finish(struct request *req)
{
	struct s3_put *p = req->op_state;
	unsigned char d[HASH_MAX_LEN];
	char b64[HASH_BASE64_LEN(HASH_MAX_LEN) + 1];
	int rc = -1;

	if (p->chunked) {
		enum aws_chunked_err e = aws_chunked_finish(&p->dec);
		if (e != AWS_CHUNKED_OK) {
			req_error(req, aws_chunked_error_status(e),
				  aws_chunked_error_code(e), "%s",
				  aws_chunked_error_message(e));
			goto out;
		}
		if (p->ck_trailer) {
			const char *v = aws_chunked_trailer(
				&p->dec, s3_ck_header(p->ck_alg));
			if (!v) {
				req_error(req, 400, "InvalidRequest",
					  "The trailer %s was declared in "
					  "x-amz-trailer but not sent.",
					  s3_ck_header(p->ck_alg));
				goto out;
			}
			p->ck_expected = arena_strdup(req->arena, v);
		}
	}
	size_t n = hash_final(&p->md5, d);
	hash_hex(d, n, p->etag);
	if (p->content_md5) {
		hash_base64_encode(d, n, b64);
		if (strcmp(b64, p->content_md5) != 0) {
			req_error(req, 400, "BadDigest",
				  "The Content-MD5 you specified did not match "
				  "what we received.");
			req_error_extra(req, "ExpectedDigest", p->content_md5);
			req_error_extra(req, "CalculatedDigest",
					arena_strdup(req->arena, b64));
			goto out;
		}
	}
	if (p->sha_on) {
		char hex[2 * HASH_SHA256_LEN + 1];
		n = hash_final(&p->sha, d);
		hash_hex(d, n, hex);
		if (strcasecmp(hex, p->sha_expected) != 0) {
			req_error(req, 400, "XAmzContentSHA256Mismatch",
				  "The provided 'x-amz-content-sha256' header "
				  "does not match what was computed.");
			req_error_extra(req, "ClientComputedContentSHA256",
					p->sha_expected);
			req_error_extra(req, "S3ComputedContentSHA256",
					arena_strdup(req->arena, hex));
			goto out;
		}
	}
	if (p->ck_on) {
		n = hash_final(&p->ck, d);
		hash_base64_encode(d, n, p->ck_value);
		if (p->ck_expected && strcmp(p->ck_value, p->ck_expected) != 0) {
			bad_digest_ck(req, p->ck_alg);
			goto out;
		}
	}
	struct store_blob_writer *w = p->w;
	p->w = NULL;
	store_blob_new_id(p->blob);
	if (store_blob_commit(w, p->blob)) {
		s3_internal(req, "commit blob");
		goto out;
	}
	p->blob_committed = 1;
	rc = 0;
out:
	if (rc)
		put_release(p);
	return rc;
}

static const struct body_sink put_sink = {sink_write, sink_finish,
					  sink_abort};

/* Which flexible checksum the request names, and its expected value.
 * -1 with an error recorded when the headers contradict each other. */
static int pick_checksum(struct request *req, struct s3_put *p,
			 const char *default_alg)
{
	static const char *const algs[] = {"CRC32", "CRC32C", "CRC64NVME",
					   "SHA1", "SHA256"};
	const char *sdk = req_header(req, "x-amz-sdk-checksum-algorithm");
	const char *trailer = req_header(req, "x-amz-trailer");
	int found = 0;
	for (size_t i = 0; i < sizeof(algs) / sizeof(*algs); i++) {
		const char *v = req_header(req, s3_ck_header(algs[i]));
		if (!v)
			continue;
		if (found++)
			return req_error(req, 400, "InvalidRequest",
					 "Expecting a single x-amz-checksum- "
					 "header. Multiple checksum Types are "
					 "not allowed.");
		unsigned char raw[HASH_MAX_LEN];
		size_t rawlen;
		enum hash_alg ha;
		hash_alg_from_name(algs[i], &ha);
		if (hash_base64_decode(v, strlen(v), raw, sizeof(raw),
				       &rawlen) ||
		    rawlen != hash_len(ha))
			return req_error(req, 400, "InvalidRequest",
					 "Value for %s header is invalid.",
					 s3_ck_header(algs[i]));
		p->ck_alg = algs[i];
		p->ck_expected = v;
	}
	if (!found && trailer) {
		for (size_t i = 0; i < sizeof(algs) / sizeof(*algs); i++)
			if (strcasecmp(trailer, s3_ck_header(algs[i])) == 0) {
				p->ck_alg = algs[i];
				p->ck_trailer = 1;
			}
		if (!p->ck_alg)
			return req_error(req, 400, "InvalidRequest",
					 "The value specified in the "
					 "x-amz-trailer header is not "
					 "supported");
		if (!p->chunked)
			return req_error(req, 400, "InvalidRequest",
					 "x-amz-trailer requires an "
					 "aws-chunked request body");
	}
	if (sdk) {
		enum hash_alg ha;
		if (hash_alg_from_name(sdk, &ha))
			return req_error(req, 400, "InvalidRequest",
					 "Checksum algorithm provided is "
					 "unsupported. Please try again with "
					 "any of the valid types: [CRC32, "
					 "CRC32C, CRC64NVME, SHA1, SHA256]");
		if (!p->ck_alg)
			return req_error(req, 400, "InvalidRequest",
					 "x-amz-sdk-checksum-algorithm "
					 "specified, but no corresponding "
					 "x-amz-checksum-* or x-amz-trailer "
					 "headers were found.");
		if (strcasecmp(sdk, p->ck_alg) != 0)
			return req_error(req, 400, "InvalidRequest",
					 "Value for x-amz-sdk-checksum-algorithm"
					 " header is invalid.");
	}
	p->ck_given = p->ck_alg != NULL;
	if (p->ck_alg && default_alg && p->upload_id &&
	    strcasecmp(p->ck_alg, default_alg) != 0)
		return req_error(req, 400, "InvalidRequest",
				 "Checksum Type mismatch occurred, expected "
				 "checksum Type: %s, actual checksum Type: %s",
				 default_alg, p->ck_alg);
	if (!p->ck_alg)
		p->ck_alg = default_alg;
	if (p->ck_alg) {
		enum hash_alg ha;
		hash_alg_from_name(p->ck_alg, &ha);
		hash_init(&p->ck, ha);
		p->ck_on = 1;
	}
	return 0;
}

/*
 * Everything both uploads check before the body.  Returns 0 with the
 * sink installed, or -1 with an error recorded and nothing held.
 */
static int begin_upload(struct request *req, struct s3_put *p,
			const char *default_alg)
{
	const char *key = s3_key_name(req);
	p->s3 = req->service_state;
	arena_defer(req->arena, put_release, p);
	if (strlen(key) > S3_MAX_KEY)
		return req_error(req, 400, "KeyTooLongError",
				 "Your key is too long");
	if (req->content_length != UINT64_MAX &&
	    req->content_length > S3_MAX_PUT + (1u << 20))
		return req_error(req, 400, "EntityTooLarge",
				 "Your proposed upload exceeds the maximum "
				 "allowed size");
	const char *md5 = req_header(req, "content-md5");
	if (md5) {
		unsigned char raw[HASH_MD5_LEN];
		size_t rawlen;
		if (hash_base64_decode(md5, strlen(md5), raw, sizeof(raw),
				       &rawlen) ||
		    rawlen != HASH_MD5_LEN)
			return req_error(req, 400, "InvalidDigest",
					 "The Content-MD5 you specified was "
					 "invalid.");
		p->content_md5 = md5;
	}
	const char *sha = req_header(req, "x-amz-content-sha256");
	enum aws_chunked_mode mode;
	if (sha && aws_chunked_mode_from_hash(sha, &mode) == 0) {
		const char *dl = req_header(req, "x-amz-decoded-content-length");
		uint64_t declared = AWS_CHUNKED_UNKNOWN_LENGTH;
		if (dl) {
			char *end;
			declared = strtoull(dl, &end, 10);
			if (end == dl || *end)
				return req_error(req, 400, "InvalidArgument",
						 "x-amz-decoded-content-length"
						 " is not a number");
		} else if (mode != AWS_CHUNKED_UNSIGNED_TRAILER) {
			return req_error(req, 411, "MissingContentLength",
					 "You must provide the Content-Length "
					 "HTTP header.");
		}
		if (declared != AWS_CHUNKED_UNKNOWN_LENGTH &&
		    declared > S3_MAX_PUT)
			return req_error(req, 400, "EntityTooLarge",
					 "Your proposed upload exceeds the "
					 "maximum allowed size");
		aws_chunked_init(&p->dec, mode, req->sigv4_stream, declared,
				 consume, p);
		p->chunked = 1;
	} else if (sha && strlen(sha) == 2 * HASH_SHA256_LEN) {
		p->sha_expected = sha;
		hash_init(&p->sha, HASH_SHA256);
		p->sha_on = 1;
	}
	if (pick_checksum(req, p, default_alg))
		return -1;
	hash_init(&p->md5, HASH_MD5);
	p->md5_on = 1;
	if (store_blob_create(p->s3->store, &p->w))
		return s3_internal(req, "create blob");
	req->op_state = p;
	req->sink = &put_sink;
	return 0;
}

int s3_put_object_begin(struct request *req)
{
	struct s3_put *p = arena_calloc(req->arena, sizeof(*p));
	const char *sc;
	const char *tags;
	if (s3_require_bucket(req, s3_bucket_name(req)) ||
	    s3_storage_class(req, &sc) ||
	    s3_tags_from_query(req, req_header(req, "x-amz-tagging"), &tags))
		return -1;
	return begin_upload(req, p, "CRC64NVME"); /* S3's default */
}

/* Checksum headers of a stored object or part. */
static void checksum_headers(struct request *req, struct response *resp,
			     const struct s3_put *p, const char *type)
{
	(void)req;
	if (!p->ck_alg)
		return;
	resp_header(resp, s3_ck_header(p->ck_alg), p->ck_value);
	if (type)
		resp_header(resp, "x-amz-checksum-type", type);
}

int s3_put_object(struct request *req, struct response *resp)
{
	struct s3_put *p = req->op_state;
	struct s3_object o;
	memset(&o, 0, sizeof(o));
	o.bucket = s3_bucket_name(req);
	o.key = s3_key_name(req);
	memcpy(o.blob, p->blob, sizeof(o.blob));
	o.size = p->size;
	o.etag = p->etag;
	o.mtime_ms = time_now_ms();
	o.headers = s3_headers_from_request(req);
	s3_storage_class(req, &o.storage_class);
	if (s3_tags_from_query(req, req_header(req, "x-amz-tagging"), &o.tags))
		return -1;
	o.ck_alg = p->ck_alg;
	o.ck_value = p->ck_value;
	o.ck_type = "FULL_OBJECT";
	const char *inm = req_header(req, "if-none-match");
	if (inm && strcmp(inm, "*") == 0) {
		struct s3_object cur;
		int found = s3_object_load(req, o.bucket, o.key, &cur);
		if (found < 0)
			return -1;
		if (found) {
			req_error(req, 412, "PreconditionFailed",
				  "At least one of the pre-conditions you "
				  "specified did not hold");
			req_error_extra(req, "Condition", "If-None-Match");
			return -1;
		}
	}
	if (s3_object_commit(req, &o, "ObjectCreated:Put"))
		return -1;
	p->row_committed = 1;
	s3_etag_header(req, resp, p->etag);
	checksum_headers(req, resp, p, "FULL_OBJECT");
	resp_header(resp, "x-amz-server-side-encryption", "AES256");
	return 0;
}

/* ---------------------------------------------------------------------
 * UploadPart
 * ------------------------------------------------------------------- */

int s3_part_target(struct request *req, const char **upload_id, int *num,
		   const char **ck_alg)
{
	const char *pn = req_query(req, "partNumber");
	const char *id = req_query(req, "uploadId");
	char *end = NULL;
	long v = pn ? strtol(pn, &end, 10) : 0;
	if (!pn || end == pn || *end || v < 1 || v > S3_MAX_PARTS)
		return req_error(req, 400, "InvalidArgument",
				 "Part number must be an integer between 1 "
				 "and 10000, inclusive");
	if (s3_require_bucket(req, s3_bucket_name(req)))
		return -1;
	struct s3 *s3 = req->service_state;
	sqlite3_stmt *st = store_prepare(s3->db,
					 "SELECT ck_alg FROM uploads WHERE id = ?1 "
					 "AND bucket = ?2 AND key = ?3");
	if (!st)
		return s3_internal(req, "prepare");
	sqlite3_bind_text(st, 1, id ? id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s3_bucket_name(req), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s3_key_name(req), -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*ck_alg = NULL;
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*ck_alg = arena_strdup(req->arena,
				       (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		req_error(req, 404, "NoSuchUpload",
			  "The specified upload does not exist. The upload ID "
			  "may be invalid, or the upload may have been aborted"
			  " or completed.");
		req_error_extra(req, "UploadId", id ? id : "");
		return -1;
	}
	*upload_id = id;
	*num = (int)v;
	return 0;
}

int s3_part_commit(struct request *req, const char *upload_id, int num,
		   const char *blob, uint64_t size, const char *etag,
		   const char *ck_value)
{
	struct s3 *s3 = req->service_state;
	char old[STORE_BLOB_ID_LEN + 1] = "";
	if (store_begin(s3->db))
		return s3_internal(req, "begin");
	sqlite3_stmt *st = store_prepare(s3->db, "SELECT blob FROM parts "
						 "WHERE upload = ?1 AND num = ?2");
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, num);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(old, sizeof(old), "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	st = store_prepare(s3->db, "INSERT OR REPLACE INTO parts (upload, "
				   "num, blob, size, etag, ck_value, mtime) "
				   "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE "
				   "EXISTS (SELECT 1 FROM uploads WHERE id = ?1)");
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, upload_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, num);
	sqlite3_bind_text(st, 3, blob, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)size);
	sqlite3_bind_text(st, 5, etag, -1, SQLITE_STATIC);
	if (ck_value)
		sqlite3_bind_text(st, 6, ck_value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, time_now_ms());
	int rc = sqlite3_step(st);
	int changed = sqlite3_changes(store_db_conn(s3->db));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (!changed) {
		store_rollback(s3->db);
		req_error(req, 404, "NoSuchUpload",
			  "The specified upload does not exist. The upload ID "
			  "may be invalid, or the upload may have been aborted"
			  " or completed.");
		req_error_extra(req, "UploadId", upload_id);
		return -1;
	}
	if (store_commit(s3->db))
		goto fail;
	if (old[0])
		store_blob_remove(s3->store, old);
	return 0;
fail:
	store_rollback(s3->db);
	return s3_internal(req, "part commit");
}

int s3_upload_part_begin(struct request *req)
{
	struct s3_put *p = arena_calloc(req->arena, sizeof(*p));
	const char *alg;
	if (s3_part_target(req, &p->upload_id, &p->part_number, &alg))
		return -1;
	return begin_upload(req, p, alg);
}

int s3_upload_part(struct request *req, struct response *resp)
{
	struct s3_put *p = req->op_state;
	if (s3_part_commit(req, p->upload_id, p->part_number, p->blob,
			   p->size, p->etag, p->ck_alg ? p->ck_value : NULL))
		return -1;
	p->row_committed = 1;
	s3_etag_header(req, resp, p->etag);
	checksum_headers(req, resp, p, NULL);
	resp_header(resp, "x-amz-server-side-encryption", "AES256");
	return 0;
}
