/*
 * lambda_hot.c - hot reload: a function whose code is a local directory.
 *
 * CreateFunction/UpdateFunctionCode with Code {"S3Bucket": "hot-reload",
 * "S3Key": "/abs/path/to/dir"} (LocalStack's convention) run `bootstrap`
 * straight from that directory instead of an unpacked zip.  The function
 * row keeps a pseudo blob id ('h' + 31 hex characters: never a store blob
 * id, which is all hex) that the hot_dirs table maps to the directory.
 *
 * The supervisor polls an inotify descriptor watching every such
 * directory (not its subdirectories); when a file in it is written,
 * created, moved in, removed or changes mode, the pools running from it
 * are recycled the way UpdateFunctionCode recycles them: idle workers
 * are killed at once, busy ones once their invocation ends, so the next
 * invocation starts the new build.
 */
#include "lambda.h"
#include "hash.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOT_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | \
		    IN_ATTRIB | IN_MOVED_FROM)

int lambda_hot_blob(const char *blob)
{
	return blob && blob[0] == 'h';
}

int lambda_hot_code(struct lambda_state *st, struct request *req,
		    const char *dir, char *blob, char *sha256, int64_t *size)
{
	struct stat sb;
	if (!dir || dir[0] != '/')
		return req_error(req, 400, "InvalidParameterValueException",
				 "Hot reload needs an absolute directory path "
				 "in S3Key");
	if (strlen(dir) >= PATH_MAX - 32 || stat(dir, &sb) ||
	    !S_ISDIR(sb.st_mode))
		return req_error(req, 400, "InvalidParameterValueException",
				 "Hot reload directory %s does not exist or "
				 "is not a directory", dir);
	store_blob_new_id(blob);
	blob[0] = 'h';
	sqlite3_stmt *s = store_prepare(st->db,
		"INSERT INTO hot_dirs (blob, dir) VALUES (?, ?)");
	if (!s)
		return req_error(req, 500, "ServiceException", "internal error");
	sqlite3_bind_text(s, 1, blob, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, dir, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return req_error(req, 500, "ServiceException", "internal error");
	unsigned char digest[HASH_SHA256_LEN];
	hash_sha256(dir, strlen(dir), digest);
	hash_base64_encode(digest, sizeof(digest), sha256);
	*size = 0;
	return 0;
}

char *lambda_hot_dir(struct lambda_state *st, const char *blob)
{
	sqlite3_stmt *s = store_prepare(st->db,
		"SELECT dir FROM hot_dirs WHERE blob = ?");
	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, blob, -1, SQLITE_TRANSIENT);
	char *dir = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		dir = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return dir;
}

void lambda_hot_remove(struct lambda_state *st, const char *blob)
{
	sqlite3_stmt *s = store_prepare(st->db,
		"DELETE FROM hot_dirs WHERE blob = ?");
	if (!s)
		return;
	sqlite3_bind_text(s, 1, blob, -1, SQLITE_TRANSIENT);
	sqlite3_step(s);
	sqlite3_reset(s);
}

int lambda_hot_start(struct lambda_state *st)
{
	st->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (st->inotify_fd < 0)
		log_warn("lambda: inotify unavailable (%s): no hot reload",
			 strerror(errno));
	return 0;
}

void lambda_hot_stop(struct lambda_state *st)
{
	if (st->inotify_fd >= 0)
		close(st->inotify_fd);
	st->inotify_fd = -1;
}

int lambda_hot_watch(struct lambda_state *st, const char *dir)
{
	if (st->inotify_fd < 0)
		return 0;
	int wd = inotify_add_watch(st->inotify_fd, dir, HOT_EVENTS);
	if (wd < 0) {
		log_warn("lambda: cannot watch %s: %s", dir, strerror(errno));
		return 0;
	}
	return wd;
}

size_t lambda_hot_read(struct lambda_state *st, int *wds, size_t max)
{
	char chunk[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	size_t n = 0;
	for (;;) {
		ssize_t len = read(st->inotify_fd, chunk, sizeof(chunk));
		if (len <= 0)
			break;
		for (char *p = chunk; p < chunk + len;) {
			const struct inotify_event *ev = (const void *)p;
			int seen = 0;
			for (size_t i = 0; i < n; i++)
				seen |= wds[i] == ev->wd;
			if (!seen && n < max && !(ev->mask & IN_IGNORED))
				wds[n++] = ev->wd;
			p += sizeof(*ev) + ev->len;
		}
	}
	return n;
}
