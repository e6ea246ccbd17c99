/*
 * s3_db.c - S3's state in <data-dir>/s3.db, and the small helpers every
 * S3 file shares (errors, XML envelopes, dates, blob copies).
 *
 * Tables:
 *   buckets        name, region, creation time
 *   bucket_configs one document per (bucket, sub-resource): the XML (or
 *                  policy JSON) a Put* stored, returned by the Get*
 *   objects        one row per key: blob id, size, ETag, headers JSON,
 *                  checksum, tags.  Bytes live in the blob, never here.
 *   uploads/parts  multipart uploads in progress
 *   notif_rules    the parsed notification configuration
 *   outbox         event records waiting for (or done with) delivery
 *
 * A write is one transaction; an object's blob is committed before its
 * row, and the blob of a replaced object is removed only after the row
 * that replaced it is committed, so a crash leaves the old or the new
 * object, never a torn one (at worst an unreferenced blob).
 */
#include "s3_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "timefmt.h"

static const struct store_migration s3_migrations[] = {
	{1,
	 "CREATE TABLE buckets (name TEXT PRIMARY KEY, region TEXT NOT NULL,"
	 " created INTEGER NOT NULL);"
	 "CREATE TABLE bucket_configs (bucket TEXT NOT NULL REFERENCES"
	 " buckets(name) ON DELETE CASCADE, kind TEXT NOT NULL,"
	 " body TEXT NOT NULL, PRIMARY KEY (bucket, kind));"
	 "CREATE TABLE objects (bucket TEXT NOT NULL REFERENCES buckets(name),"
	 " key TEXT NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL,"
	 " etag TEXT NOT NULL, mtime INTEGER NOT NULL, headers TEXT NOT NULL,"
	 " storage_class TEXT NOT NULL, ck_alg TEXT, ck_value TEXT,"
	 " ck_type TEXT, parts INTEGER NOT NULL DEFAULT 0, tags TEXT,"
	 " PRIMARY KEY (bucket, key)) WITHOUT ROWID;"
	 "CREATE TABLE uploads (id TEXT PRIMARY KEY, bucket TEXT NOT NULL"
	 " REFERENCES buckets(name), key TEXT NOT NULL,"
	 " created INTEGER NOT NULL, headers TEXT NOT NULL,"
	 " storage_class TEXT NOT NULL, ck_alg TEXT, ck_type TEXT, tags TEXT);"
	 "CREATE INDEX uploads_by_key ON uploads(bucket, key, created);"
	 "CREATE TABLE parts (upload TEXT NOT NULL REFERENCES uploads(id)"
	 " ON DELETE CASCADE, num INTEGER NOT NULL, blob TEXT NOT NULL,"
	 " size INTEGER NOT NULL, etag TEXT NOT NULL, ck_value TEXT,"
	 " mtime INTEGER NOT NULL, PRIMARY KEY (upload, num)) WITHOUT ROWID;"
	 "CREATE TABLE notif_rules (bucket TEXT NOT NULL REFERENCES"
	 " buckets(name) ON DELETE CASCADE, ord INTEGER NOT NULL,"
	 " id TEXT NOT NULL, type TEXT NOT NULL, arn TEXT NOT NULL,"
	 " events TEXT NOT NULL, prefix TEXT NOT NULL, suffix TEXT NOT NULL,"
	 " PRIMARY KEY (bucket, ord));"
	 "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " created INTEGER NOT NULL, bucket TEXT NOT NULL,"
	 " event TEXT NOT NULL, target_type TEXT NOT NULL,"
	 " target_arn TEXT NOT NULL, payload TEXT NOT NULL,"
	 " attempts INTEGER NOT NULL DEFAULT 0,"
	 " next_try INTEGER NOT NULL DEFAULT 0, delivered INTEGER,"
	 " last_error TEXT);"
	 "CREATE INDEX outbox_pending ON outbox(delivered, next_try);"},
};

int s3_db_open(struct s3 *s3, char *errbuf, size_t errlen)
{
	s3->db = store_db_open(s3->store, "s3", s3_migrations,
			       sizeof(s3_migrations) / sizeof(s3_migrations[0]),
			       errbuf, errlen);
	return s3->db ? 0 : -1;
}

static struct s3 *state(struct request *req)
{
	return req->service_state;
}

int s3_internal(struct request *req, const char *what)
{
	log_error("s3: %s: %s", what,
		  sqlite3_errmsg(store_db_conn(state(req)->db)));
	return req_error(req, 500, "InternalError",
			 "We encountered an internal error. Please try again.");
}

int s3_no_such_bucket(struct request *req, const char *bucket)
{
	req_error(req, 404, "NoSuchBucket",
		  "The specified bucket does not exist");
	req_error_extra(req, "BucketName", bucket);
	return -1;
}

int s3_no_such_key(struct request *req, const char *key)
{
	req_error(req, 404, "NoSuchKey", "The specified key does not exist.");
	req_error_extra(req, "Key", key);
	return -1;
}

static char *col_text(struct request *req, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (!t)
		return NULL;
	return arena_strndup(req->arena, (const char *)t,
			     (size_t)sqlite3_column_bytes(st, i));
}

int s3_bucket_lookup(struct request *req, const char *bucket,
		     const char **region)
{
	sqlite3_stmt *st = store_prepare(state(req)->db,
					 "SELECT region FROM buckets "
					 "WHERE name = ?1");
	if (!st)
		return s3_internal(req, "prepare");
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (region)
			*region = col_text(req, st, 0);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return s3_internal(req, "bucket lookup");
	return 0;
}

int s3_require_bucket(struct request *req, const char *bucket)
{
	int rc = s3_bucket_lookup(req, bucket, NULL);
	if (rc < 0)
		return -1;
	return rc ? 0 : s3_no_such_bucket(req, bucket);
}

void s3_object_from_row(struct request *req, void *stmt, struct s3_object *o)
{
	sqlite3_stmt *st = stmt;
	memset(o, 0, sizeof(*o));
	o->bucket = col_text(req, st, 0);
	o->key = col_text(req, st, 1);
	const char *blob = (const char *)sqlite3_column_text(st, 2);
	snprintf(o->blob, sizeof(o->blob), "%s", blob ? blob : "");
	o->size = (uint64_t)sqlite3_column_int64(st, 3);
	o->etag = col_text(req, st, 4);
	o->mtime_ms = sqlite3_column_int64(st, 5);
	o->headers = col_text(req, st, 6);
	o->storage_class = col_text(req, st, 7);
	o->ck_alg = col_text(req, st, 8);
	o->ck_value = col_text(req, st, 9);
	o->ck_type = col_text(req, st, 10);
	o->parts = sqlite3_column_int(st, 11);
	o->tags = col_text(req, st, 12);
}

int s3_object_load(struct request *req, const char *bucket, const char *key,
		   struct s3_object *o)
{
	sqlite3_stmt *st = store_prepare(
		state(req)->db, "SELECT " S3_OBJECT_COLUMNS " FROM objects "
				"WHERE bucket = ?1 AND key = ?2");
	if (!st)
		return s3_internal(req, "prepare");
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s3_object_from_row(req, st, o);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return s3_internal(req, "object lookup");
	return 0;
}

/* The blob of bucket/key now, into old (empty string when none). */
static int old_blob(struct request *req, const char *bucket, const char *key,
		    char old[STORE_BLOB_ID_LEN + 1])
{
	sqlite3_stmt *st = store_prepare(state(req)->db,
					 "SELECT blob FROM objects "
					 "WHERE bucket = ?1 AND key = ?2");
	old[0] = '\0';
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(old, STORE_BLOB_ID_LEN + 1, "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int s3_object_commit(struct request *req, const struct s3_object *o,
		     const char *event_name)
{
	struct s3 *s3 = state(req);
	char old[STORE_BLOB_ID_LEN + 1];
	if (store_begin(s3->db))
		return s3_internal(req, "begin");
	if (old_blob(req, o->bucket, o->key, old))
		goto fail;
	if (o->completes_upload) {
		sqlite3_stmt *del = store_prepare(
			s3->db, "DELETE FROM uploads WHERE id = ?1");
		if (!del)
			goto fail;
		sqlite3_bind_text(del, 1, o->completes_upload, -1,
				  SQLITE_STATIC);
		int drc = sqlite3_step(del);
		int gone = sqlite3_changes(store_db_conn(s3->db)) == 0;
		sqlite3_reset(del);
		if (drc != SQLITE_DONE)
			goto fail;
		if (gone) {
			store_rollback(s3->db);
			req_error(req, 404, "NoSuchUpload",
				  "The specified upload does not exist. The "
				  "upload ID may be invalid, or the upload may "
				  "have been aborted or completed.");
			req_error_extra(req, "UploadId", o->completes_upload);
			return -1;
		}
	}
	sqlite3_stmt *st = store_prepare(
		s3->db, "INSERT OR REPLACE INTO objects (" S3_OBJECT_COLUMNS
			") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
			"?11, ?12, ?13)");
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, o->bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->blob, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)o->size);
	sqlite3_bind_text(st, 5, o->etag, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, o->mtime_ms);
	sqlite3_bind_text(st, 7, o->headers ? o->headers : "{}", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 8, o->storage_class ? o->storage_class
						  : "STANDARD",
			  -1, SQLITE_STATIC);
	bind_opt(st, 9, o->ck_alg);
	bind_opt(st, 10, o->ck_value);
	bind_opt(st, 11, o->ck_type);
	sqlite3_bind_int(st, 12, o->parts);
	bind_opt(st, 13, o->tags);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (event_name && s3_notify_enqueue(req, o->bucket, o->key, event_name,
					    o->size, o->etag))
		goto fail;
	if (store_commit(s3->db))
		goto fail;
	if (old[0] && strcmp(old, o->blob) != 0)
		store_blob_remove(s3->store, old);
	if (event_name)
		s3_notify_wake(s3);
	return 0;
fail:
	s3_internal(req, "object commit");
	store_rollback(s3->db);
	return -1;
}

int s3_object_delete(struct request *req, const char *bucket,
		     const char *key, int *existed)
{
	struct s3 *s3 = state(req);
	char old[STORE_BLOB_ID_LEN + 1];
	*existed = 0;
	if (store_begin(s3->db))
		return s3_internal(req, "begin");
	if (old_blob(req, bucket, key, old))
		goto fail;
	if (old[0]) {
		sqlite3_stmt *st = store_prepare(
			s3->db, "DELETE FROM objects WHERE bucket = ?1 AND "
				"key = ?2");
		if (!st)
			goto fail;
		sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			goto fail;
		if (s3_notify_enqueue(req, bucket, key, "ObjectRemoved:Delete",
				      0, NULL))
			goto fail;
	}
	if (store_commit(s3->db))
		goto fail;
	if (old[0]) {
		store_blob_remove(s3->store, old);
		*existed = 1;
		s3_notify_wake(s3);
	}
	return 0;
fail:
	s3_internal(req, "object delete");
	store_rollback(s3->db);
	return -1;
}

int s3_config_get(struct request *req, const char *bucket, const char *kind,
		  const char **body)
{
	sqlite3_stmt *st = store_prepare(state(req)->db,
					 "SELECT body FROM bucket_configs "
					 "WHERE bucket = ?1 AND kind = ?2");
	if (!st)
		return s3_internal(req, "prepare");
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*body = col_text(req, st, 0);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : s3_internal(req, "config lookup");
}

int s3_config_put(struct request *req, const char *bucket, const char *kind,
		  const char *body, size_t len)
{
	sqlite3_stmt *st = store_prepare(
		state(req)->db, "INSERT OR REPLACE INTO bucket_configs "
				"(bucket, kind, body) VALUES (?1, ?2, ?3)");
	if (!st)
		return s3_internal(req, "prepare");
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, body, (int)len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : s3_internal(req, "config put");
}

int s3_config_delete(struct request *req, const char *bucket,
		     const char *kind)
{
	sqlite3_stmt *st = store_prepare(state(req)->db,
					 "DELETE FROM bucket_configs "
					 "WHERE bucket = ?1 AND kind = ?2");
	if (!st)
		return s3_internal(req, "prepare");
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : s3_internal(req, "config delete");
}

int s3_db_reset(struct s3 *s3)
{
	/* Rows first (one transaction), then the bytes they named: a crash
	 * in between leaves unreferenced blobs, never rows without bytes. */
	char **blobs = NULL;
	size_t n = 0, cap = 0;
	if (store_begin(s3->db))
		return -1;
	sqlite3_stmt *st = store_prepare(s3->db,
					 "SELECT blob FROM objects UNION ALL "
					 "SELECT blob FROM parts");
	if (!st) {
		store_rollback(s3->db);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(blobs, cap * sizeof(*blobs));
			if (!grown)
				abort();
			blobs = grown;
		}
		blobs[n++] = strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	int rc = store_exec(s3->db, "DELETE FROM parts; DELETE FROM uploads;"
				    " DELETE FROM objects; DELETE FROM outbox;"
				    " DELETE FROM notif_rules;"
				    " DELETE FROM bucket_configs;"
				    " DELETE FROM buckets;");
	if (rc == 0)
		rc = store_commit(s3->db);
	if (rc)
		store_rollback(s3->db);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			store_blob_remove(s3->store, blobs[i]);
		free(blobs[i]);
	}
	free(blobs);
	return rc;
}
