/*
 * s3_list.c - ListBuckets, ListObjects, ListObjectsV2 and
 * ListObjectVersions.
 *
 * Keys are listed in UTF-8 byte order (SQLite's BINARY collation over
 * the objects primary key), read in one ordered index scan.  With a
 * delimiter, keys that share a common prefix are rolled up into one
 * CommonPrefixes entry and the scan jumps past all of them (to the
 * smallest string greater than every key with that prefix), so a
 * listing costs what it returns, not what the bucket holds.
 *
 * Objects are not versioned here: ListObjectVersions answers every
 * object as version "null", IsLatest, as S3 does for a bucket that never
 * had versioning enabled.
 */
#include "s3_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

struct entry {
	const char *prefix;   /* a CommonPrefixes entry, or NULL */
	struct s3_object o;   /* else an object */
};

struct listing {
	struct entry *items;
	size_t n;
	int truncated;
	const char *last;     /* last key or prefix returned */
};

/* The smallest string greater than every string starting with p. */
static char *after_prefix(struct request *req, const char *p)
{
	size_t n = strlen(p);
	char *s = arena_strndup(req->arena, p, n);
	while (n > 0) {
		unsigned char c = (unsigned char)s[n - 1];
		if (c < 0xff) {
			s[n - 1] = (char)(c + 1);
			s[n] = '\0';
			return s;
		}
		n--;
	}
	return NULL; /* no such string: nothing can follow */
}

/*
 * List bucket's keys after `after` (exclusive; NULL or "" from the
 * start) that begin with prefix, rolling up at delim, up to max entries.
 * Returns 0 or -1 with an error recorded.
 */
static int walk(struct request *req, const char *bucket, const char *prefix,
		const char *delim, const char *after, size_t max,
		struct listing *out)
{
	struct s3 *s3 = req->service_state;
	size_t plen = strlen(prefix), dlen = delim ? strlen(delim) : 0;
	const char *start = after && strcmp(after, prefix) > 0 ? after : prefix;
	sqlite3_stmt *st = store_prepare(
		s3->db, "SELECT " S3_OBJECT_COLUMNS " FROM objects WHERE "
			"bucket = ?1 AND key >= ?2 ORDER BY key");
	if (!st)
		return s3_internal(req, "prepare");
	memset(out, 0, sizeof(*out));
	out->items = arena_calloc(req->arena,
				  (max ? max : 1) * sizeof(*out->items));
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, start, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 1);
		if (strncmp(key, prefix, plen) != 0)
			break;
		if (after && strcmp(key, after) <= 0)
			continue;
		const char *d = dlen ? strstr(key + plen, delim) : NULL;
		char *cp = NULL;
		if (d) {
			cp = arena_strndup(req->arena, key,
					   (size_t)(d - key) + dlen);
			if (after && strcmp(cp, after) <= 0)
				cp = NULL; /* the marker's own prefix: skip on */
		}
		if (d && !cp) {
			/* keys under a prefix already returned */
		} else if (out->n == max) {
			out->truncated = 1;
			break;
		} else if (cp) {
			out->items[out->n].prefix = cp;
			out->last = cp;
			out->n++;
		} else {
			s3_object_from_row(req, st, &out->items[out->n].o);
			out->last = out->items[out->n].o.key;
			out->n++;
			continue;
		}
		if (d) {
			/* jump past every key under this prefix */
			const char *pfx = arena_strndup(req->arena, key,
							(size_t)(d - key) + dlen);
			char *next = after_prefix(req, pfx);
			if (!next)
				break;
			sqlite3_reset(st);
			sqlite3_bind_text(st, 2, next, -1, SQLITE_STATIC);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return s3_internal(req, "list");
	return 0;
}

/* max-keys: 1000 when absent, at most 1000; -1 with an error. */
static int max_keys(struct request *req, const char *name, size_t *out)
{
	const char *v = req_query(req, name);
	*out = 1000;
	if (!v)
		return 0;
	char *end;
	long long n = strtoll(v, &end, 10);
	if (end == v || *end || n < 0 || n > 2147483647LL)
		return req_error(req, 400, "InvalidArgument",
				 "Provided %s not an integer or within "
				 "integer range", name);
	if (n < 1000)
		*out = (size_t)n;
	return 0;
}

/* encoding-type: 1 for url, 0 for none, -1 with an error. */
static int encoding(struct request *req)
{
	const char *v = req_query(req, "encoding-type");
	if (!v)
		return 0;
	if (strcmp(v, "url") == 0)
		return 1;
	return req_error(req, 400, "InvalidArgument",
			 "Invalid Encoding Method specified in Request");
}

/* <name>value</name>, URL-encoded when enc. */
static void elem(struct request *req, struct buf *b, const char *name,
		 const char *value, int enc)
{
	if (!enc) {
		xml_elem(b, name, value);
		return;
	}
	struct buf e;
	buf_init(&e, 16384);
	uri_encode(&e, value, strlen(value), 1);
	xml_elem(b, name, e.data ? e.data : "");
	buf_free(&e);
	(void)req;
}

static void owner(struct buf *b)
{
	buf_puts(b, "<Owner><ID>" S3_OWNER_ID "</ID><DisplayName>"
		    S3_OWNER_NAME "</DisplayName></Owner>");
}

/* The common part of one listed object. */
static void object_fields(struct request *req, struct buf *b,
			  const struct s3_object *o, int enc)
{
	char num[24];
	elem(req, b, "Key", o->key, enc);
	xml_elem(b, "LastModified", s3_iso_date(req, o->mtime_ms));
	/* the ETag is hex (and "-N"): nothing in it needs escaping */
	buf_puts(b, "<ETag>&quot;");
	buf_puts(b, o->etag);
	buf_puts(b, "&quot;</ETag>");
	if (o->ck_alg) {
		xml_elem(b, "ChecksumAlgorithm", o->ck_alg);
		xml_elem(b, "ChecksumType", o->ck_type ? o->ck_type
						       : "FULL_OBJECT");
	}
	char *p = num + sizeof(num) - 1;
	uint64_t v = o->size;
	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	xml_elem(b, "Size", p);
	xml_elem(b, "StorageClass", o->storage_class);
}

static void common_prefixes(struct request *req, struct buf *b,
			    const struct listing *l, int enc)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!l->items[i].prefix)
			continue;
		xml_open(b, "CommonPrefixes");
		elem(req, b, "Prefix", l->items[i].prefix, enc);
		xml_close(b, "CommonPrefixes");
	}
}

int s3_list_objects_v2(struct request *req, struct response *resp)
{
	const char *bucket = s3_bucket_name(req);
	const char *prefix = req_query(req, "prefix");
	const char *delim = req_query(req, "delimiter");
	const char *token = req_query(req, "continuation-token");
	const char *start_after = req_query(req, "start-after");
	const char *fetch = req_query(req, "fetch-owner");
	size_t max;
	int enc = encoding(req);
	if (enc < 0 || max_keys(req, "max-keys", &max) ||
	    s3_require_bucket(req, bucket))
		return -1;
	if (!prefix)
		prefix = "";
	if (delim && !*delim)
		delim = NULL;
	const char *after = start_after;
	if (token) {
		size_t tl = strlen(token), n;
		unsigned char *raw = arena_alloc(req->arena, tl + 1);
		if (!*token || hash_base64_decode(token, tl, raw, tl, &n))
			return req_error(req, 400, "InvalidArgument",
					 "The continuation token provided is "
					 "incorrect");
		raw[n] = '\0';
		after = (const char *)raw;
	}
	struct listing l;
	if (walk(req, bucket, prefix, delim, after, max, &l))
		return -1;
	struct buf b;
	s3_xml_begin(&b, "ListBucketResult");
	xml_elem(&b, "Name", bucket);
	elem(req, &b, "Prefix", prefix, enc);
	if (delim)
		elem(req, &b, "Delimiter", delim, enc);
	xml_elemf(&b, "MaxKeys", "%zu", max);
	xml_elemf(&b, "KeyCount", "%zu", l.n);
	xml_elem(&b, "IsTruncated", l.truncated ? "true" : "false");
	if (token)
		xml_elem(&b, "ContinuationToken", token);
	if (l.truncated && l.last) {
		size_t ll = strlen(l.last);
		char *t = arena_alloc(req->arena, HASH_BASE64_LEN(ll) + 1);
		hash_base64_encode(l.last, ll, t);
		xml_elem(&b, "NextContinuationToken", t);
	}
	if (start_after)
		elem(req, &b, "StartAfter", start_after, enc);
	if (enc)
		xml_elem(&b, "EncodingType", "url");
	for (size_t i = 0; i < l.n; i++) {
		if (l.items[i].prefix)
			continue;
		xml_open(&b, "Contents");
		object_fields(req, &b, &l.items[i].o, enc);
		if (fetch && strcmp(fetch, "true") == 0)
			owner(&b);
		xml_close(&b, "Contents");
	}
	common_prefixes(req, &b, &l, enc);
	s3_xml_send(resp, &b, "ListBucketResult");
	return 0;
}

int s3_list_objects(struct request *req, struct response *resp)
{
	const char *bucket = s3_bucket_name(req);
	const char *prefix = req_query(req, "prefix");
	const char *delim = req_query(req, "delimiter");
	const char *marker = req_query(req, "marker");
	size_t max;
	int enc = encoding(req);
	if (enc < 0 || max_keys(req, "max-keys", &max) ||
	    s3_require_bucket(req, bucket))
		return -1;
	if (!prefix)
		prefix = "";
	if (delim && !*delim)
		delim = NULL;
	struct listing l;
	if (walk(req, bucket, prefix, delim, marker, max, &l))
		return -1;
	struct buf b;
	s3_xml_begin(&b, "ListBucketResult");
	xml_elem(&b, "Name", bucket);
	elem(req, &b, "Prefix", prefix, enc);
	elem(req, &b, "Marker", marker ? marker : "", enc);
	if (l.truncated && delim && l.last)
		elem(req, &b, "NextMarker", l.last, enc);
	xml_elemf(&b, "MaxKeys", "%zu", max);
	if (delim)
		elem(req, &b, "Delimiter", delim, enc);
	xml_elem(&b, "IsTruncated", l.truncated ? "true" : "false");
	if (enc)
		xml_elem(&b, "EncodingType", "url");
	for (size_t i = 0; i < l.n; i++) {
		if (l.items[i].prefix)
			continue;
		xml_open(&b, "Contents");
		object_fields(req, &b, &l.items[i].o, enc);
		owner(&b);
		xml_close(&b, "Contents");
	}
	common_prefixes(req, &b, &l, enc);
	s3_xml_send(resp, &b, "ListBucketResult");
	return 0;
}

int s3_list_object_versions(struct request *req, struct response *resp)
{
	const char *bucket = s3_bucket_name(req);
	const char *prefix = req_query(req, "prefix");
	const char *delim = req_query(req, "delimiter");
	const char *km = req_query(req, "key-marker");
	const char *vm = req_query(req, "version-id-marker");
	size_t max;
	int enc = encoding(req);
	if (enc < 0 || max_keys(req, "max-keys", &max) ||
	    s3_require_bucket(req, bucket))
		return -1;
	if (vm && *vm && (!km || !*km))
		return req_error(req, 400, "InvalidArgument",
				 "A version-id marker cannot be specified "
				 "without a key marker.");
	if (vm && *vm && strcmp(vm, "null") != 0)
		return req_error(req, 400, "InvalidArgument",
				 "Invalid version id specified");
	if (!prefix)
		prefix = "";
	if (delim && !*delim)
		delim = NULL;
	struct listing l;
	if (walk(req, bucket, prefix, delim, km && *km ? km : NULL, max, &l))
		return -1;
	struct buf b;
	s3_xml_begin(&b, "ListVersionsResult");
	xml_elem(&b, "Name", bucket);
	elem(req, &b, "Prefix", prefix, enc);
	elem(req, &b, "KeyMarker", km ? km : "", enc);
	xml_elem(&b, "VersionIdMarker", vm ? vm : "");
	if (l.truncated && l.last) {
		elem(req, &b, "NextKeyMarker", l.last, enc);
		xml_elem(&b, "NextVersionIdMarker", "null");
	}
	xml_elemf(&b, "MaxKeys", "%zu", max);
	if (delim)
		elem(req, &b, "Delimiter", delim, enc);
	xml_elem(&b, "IsTruncated", l.truncated ? "true" : "false");
	if (enc)
		xml_elem(&b, "EncodingType", "url");
	for (size_t i = 0; i < l.n; i++) {
		const struct s3_object *o = &l.items[i].o;
		if (l.items[i].prefix)
			continue;
		xml_open(&b, "Version");
		elem(req, &b, "Key", o->key, enc);
		xml_elem(&b, "VersionId", "null");
		xml_elem(&b, "IsLatest", "true");
		xml_elem(&b, "LastModified", s3_iso_date(req, o->mtime_ms));
		xml_elem(&b, "ETag", arena_printf(req->arena, "\"%s\"", o->etag));
		if (o->ck_alg) {
			xml_elem(&b, "ChecksumAlgorithm", o->ck_alg);
			xml_elem(&b, "ChecksumType",
				 o->ck_type ? o->ck_type : "FULL_OBJECT");
		}
		xml_elemf(&b, "Size", "%" PRIu64, o->size);
		xml_elem(&b, "StorageClass", o->storage_class);
		owner(&b);
		xml_close(&b, "Version");
	}
	common_prefixes(req, &b, &l, enc);
	s3_xml_send(resp, &b, "ListVersionsResult");
	return 0;
}

int s3_list_buckets(struct request *req, struct response *resp)
{
	struct s3 *s3 = req->service_state;
	const char *prefix = req_query(req, "prefix");
	sqlite3_stmt *st = store_prepare(s3->db,
					 "SELECT name, created, region FROM "
					 "buckets ORDER BY name");
	if (!st)
		return s3_internal(req, "prepare");
	struct buf b;
	s3_xml_begin(&b, "ListAllMyBucketsResult");
	owner(&b);
	xml_open(&b, "Buckets");
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (prefix && strncmp(name, prefix, strlen(prefix)) != 0)
			continue;
		xml_open(&b, "Bucket");
		xml_elem(&b, "Name", name);
		xml_elem(&b, "CreationDate",
			 s3_iso_date(req, sqlite3_column_int64(st, 1)));
		xml_elem(&b, "BucketRegion",
			 (const char *)sqlite3_column_text(st, 2));
		xml_close(&b, "Bucket");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		buf_free(&b);
		return s3_internal(req, "list buckets");
	}
	xml_close(&b, "Buckets");
	if (prefix)
		xml_elem(&b, "Prefix", prefix);
	s3_xml_send(resp, &b, "ListAllMyBucketsResult");
	return 0;
}
