/*
 * s3_bus.c - S3's side of the bus: bus.s3_read_object, which Lambda uses
 * to read a deployment package given as Code.S3Bucket/S3Key.  Reads the
 * committed object's blob whole (S3 objects are one blob each, multipart
 * uploads included) without going through a request.
 */
#include "s3_int.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int s3_bus_read_object(void *state, const char *bucket, const char *key,
		       size_t max_len, char **data, size_t *len,
		       char *errbuf, size_t errlen)
{
	struct s3 *s3 = state;
	sqlite3_stmt *st = store_prepare(s3->db,
		"SELECT b.name, o.blob, o.size FROM buckets b LEFT JOIN objects"
		" o ON o.bucket = b.name AND o.key = ?2 WHERE b.name = ?1");
	if (!st) {
		snprintf(errbuf, errlen, "internal error");
		return -1;
	}
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	char blob[STORE_BLOB_ID_LEN + 1] = "";
	int64_t size = -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL) {
		snprintf(blob, sizeof(blob), "%s",
			 (const char *)sqlite3_column_text(st, 1));
		size = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		snprintf(errbuf, errlen, "NoSuchBucket");
		return -1;
	}
	if (size < 0) {
		snprintf(errbuf, errlen, "NoSuchKey");
		return -1;
	}
	if ((uint64_t)size > max_len) {
		snprintf(errbuf, errlen, "TooLarge");
		return -1;
	}
	int fd = store_blob_open(s3->store, blob);
	if (fd < 0) {
		snprintf(errbuf, errlen, "NoSuchKey");
		return -1;
	}
	char *buf = xmalloc((size_t)size + 1);
	size_t got = 0;
	while (got < (size_t)size) {
		ssize_t n = read(fd, buf + got, (size_t)size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)size) {
		free(buf);
		snprintf(errbuf, errlen, "cannot read the object");
		return -1;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}
