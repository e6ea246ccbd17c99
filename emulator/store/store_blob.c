/*
 * store_blob.c - the files of the store: the data dir's layout, and the
 * immutable byte blobs named by a random id, written so that a crash
 * leaves the old bytes or the new ones, never a torn file.  The SQLite
 * side is in store.c.
 *
 * Layout under the data dir (made by store_dir_init):
 *   blobs/ab/<id>   a committed blob; "ab" is the first two characters of
 *                   its 32-hex-character id; blobs/00..ff are made by the first blob that needs one
 *   tmp/<random>    a blob being written (mode 0600, O_EXCL)
 *
 * Entry points, in call order:
 *   store_dir_init        from store_open: mkdir -p the data dir, check
 *                         it is writable, make blobs/ and tmp/, empty tmp/
 *   store_blob_new_id     any time: a fresh id from getrandom()
 *   store_blob_create -> store_blob_write ... -> store_blob_commit (fsync
 *                         the file, rename it into blobs/ab/, fsync that
 *                         directory) or store_blob_abort (unlink)
 *   store_blob_open / store_blob_remove / store_blob_path
 *   store_blob_sweep      at a component's start, after its rows load
 *
 * Every id that comes in is checked to be exactly 32 lowercase hex
 * characters, so no id can name a path outside blobs/.  Blobs are always
 * fsynced, whatever the durability setting: a committed row must never
 * point at a torn blob (except with STORE_DURABILITY_OFF, the setting of
 * an --ephemeral data dir, which no later run reads).
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"

#define STORE_BLOB_CREATE_TRIES 8 /* temp-name collisions tolerated */

struct store_blob_writer {
	struct store *store;    /* owner of the data dir */
	int fd;                 /* the temp file, -1 once closed */
	char *tmp_path;         /* <data-dir>/tmp/<random> */
	uint64_t size;          /* bytes written so far */
};

/* 1 when id is exactly STORE_BLOB_ID_LEN lowercase hex characters. */
static int id_valid(const char *id)
{
	if (!id)
		return 0;
	for (size_t i = 0; i < STORE_BLOB_ID_LEN; i++) {
		char c = id[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return id[STORE_BLOB_ID_LEN] == '\0';
}

/* fsync a directory so the entries made or renamed in it are durable.
 * 0, or -1 with errno set. */
static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* mkdir path unless it is a directory already; 0, or -1 with errno. */
static int make_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* Remove everything directly in dir (files a crashed writer left behind,
 * empty directories).  Failures to remove one entry are logged and
 * skipped.  Returns how many were removed, or -1 with errno set. */
static long empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	long removed = 0;
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d);
		if (!e)
			break;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int rc = unlinkat(dirfd(d), e->d_name, 0);
		if (rc != 0 && (errno == EISDIR || errno == EPERM))
			rc = unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		if (rc != 0) {
			log_warn("remove '%s/%s': %s", dir, e->d_name,
				 strerror(errno));
			continue;
		}
		removed++;
	}
	int saved = errno;
	closedir(d);
	errno = saved;
	return saved ? -1 : removed;
}

/* mkdir -p path; 0, or -1 with errno set (ENOTDIR if path is a file).
 * path is changed while this runs and restored. */
static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc != 0 && errno != EEXIST)
			return -1;
	}
	return make_dir(path, 0755);
}

/* Create and remove a file in dir: the one sure test of writability
 * (access(2) says yes to root).  0, or -1 with errno set. */
static int probe_writable(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/.store-probe-XXXXXX", dir);
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -1;
	close(fd);
	return unlink(path);
}

int store_dir_init(char *data_dir, int sync, char *errbuf, size_t errlen)
{
	char path[PATH_MAX];
	const char *what = NULL;
	if (mkdir_p(data_dir) != 0 || probe_writable(data_dir) != 0)
		goto fail;
	what = "blobs";
	snprintf(path, sizeof(path), "%s/blobs", data_dir);
	if (make_dir(path, 0755) != 0)
		goto fail;
	/* blobs/00..ff are made by the first commit that needs each one
	 * (store_blob_commit): 256 mkdirs were most of a cold start. */
	what = "tmp";
	snprintf(path, sizeof(path), "%s/tmp", data_dir);
	if (make_dir(path, 0700) != 0)
		goto fail;
	long removed = empty_dir(path);
	if (removed < 0)
		goto fail;
	if (removed > 0)
		log_info("removed %ld unfinished blob(s) from '%s'", removed,
			 path);
	what = "blobs";
	snprintf(path, sizeof(path), "%s/blobs", data_dir);
	if (sync && fsync_dir(path) != 0)
		goto fail;
	what = NULL;
	if (sync && fsync_dir(data_dir) != 0)
		goto fail;
	return 0;
fail:
	if (errbuf && errlen && what)
		snprintf(errbuf, errlen, "data dir '%s': '%s': %s", data_dir,
			 what, strerror(errno));
	else if (errbuf && errlen)
		snprintf(errbuf, errlen, "data dir '%s': %s", data_dir,
			 strerror(errno));
	return -1;
}

void store_blob_new_id(char id[STORE_BLOB_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[STORE_BLOB_ID_LEN / 2];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("getrandom: %s", strerror(errno));
			abort();
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[STORE_BLOB_ID_LEN] = '\0';
}

int store_blob_create(struct store *store, struct store_blob_writer **out)
{
	const char *dir = store_data_dir(store);
	for (int attempt = 0; attempt < STORE_BLOB_CREATE_TRIES; attempt++) {
		char name[STORE_BLOB_ID_LEN + 1];
		store_blob_new_id(name);
		char *path = xasprintf("%s/tmp/%s", dir, name);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      0600);
		if (fd >= 0) {
			struct store_blob_writer *w = xcalloc(1, sizeof(*w));
			w->store = store;
			w->fd = fd;
			w->tmp_path = path;
			*out = w;
			return 0;
		}
		int saved = errno;
		if (saved != EEXIST)
			log_error("create '%s': %s", path, strerror(saved));
		free(path);
		if (saved != EEXIST)
			return -1;
	}
	log_error("create blob in '%s/tmp': too many name collisions", dir);
	return -1;
}

int store_blob_write(struct store_blob_writer *w, const void *data,
		     size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("write '%s': %s", w->tmp_path,
				  strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
		w->size += (uint64_t)n;
	}
	return 0;
}

uint64_t store_blob_size(const struct store_blob_writer *w)
{
	return w->size;
}

/*
 * Make the temp file blob id: fsync it, rename it over blobs/ab/<id> (an
 * existing blob of that id is replaced atomically: a reader sees the old
 * bytes or the new ones) and fsync blobs/ab.  Frees w in every case.
 * Returns 0, or -1 (logged): the temp file is then removed, unless the
 * rename was done and only the directory fsync failed, in which case the
 * blob is in place but may not survive a power loss.
 */
int store_blob_commit(struct store_blob_writer *w, const char *id)
{
	int rc = -1;
	int renamed = 0;
	char final[PATH_MAX];
	char dir[PATH_MAX];
	if (!id_valid(id)) {
		log_error("commit blob: invalid id '%.40s'", id ? id : "");
		goto out;
	}
	int sync = store_syncs(w->store);
	if (sync && fsync(w->fd) != 0) {
		log_error("fsync '%s': %s", w->tmp_path, strerror(errno));
		goto out;
	}
	int fd = w->fd;
	w->fd = -1;
	if (close(fd) != 0) {
		log_error("close '%s': %s", w->tmp_path, strerror(errno));
		goto out;
	}
	const char *data_dir = store_data_dir(w->store);
	snprintf(dir, sizeof(dir), "%s/blobs/%.2s", data_dir, id);
	if (store_blob_path(w->store, id, final, sizeof(final)) != 0) {
		log_error("commit blob %s: %s", id, strerror(errno));
		goto out;
	}
	int moved = rename(w->tmp_path, final);
	if (moved != 0 && errno == ENOENT && mkdir(dir, 0755) == 0) {
		/* the first blob of blobs/ab: make the directory and make
		 * its name durable before the blob's */
		char blobs[PATH_MAX];
		snprintf(blobs, sizeof(blobs), "%s/blobs", data_dir);
		if (sync)
			fsync_dir(blobs);
		moved = rename(w->tmp_path, final);
	}
	if (moved != 0) {
		log_error("rename '%s' to '%s': %s", w->tmp_path, final,
			  strerror(errno));
		goto out;
	}
	renamed = 1;
	if (sync && fsync_dir(dir) != 0) {
		log_error("fsync '%s': %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (w->fd >= 0)
		close(w->fd);
	if (!renamed && unlink(w->tmp_path) != 0 && errno != ENOENT)
		log_warn("remove '%s': %s", w->tmp_path, strerror(errno));
	free(w->tmp_path);
	free(w);
	return rc;
}

void store_blob_abort(struct store_blob_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (unlink(w->tmp_path) != 0 && errno != ENOENT)
		log_warn("remove '%s': %s", w->tmp_path, strerror(errno));
	free(w->tmp_path);
	free(w);
}

int store_blob_path(const struct store *store, const char *id, char *out,
		    size_t outlen)
{
	if (!id_valid(id)) {
		errno = EINVAL;
		return -1;
	}
	int n = snprintf(out, outlen, "%s/blobs/%.2s/%s",
			 store_data_dir(store), id, id);
	if (n < 0 || (size_t)n >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int store_blob_open(struct store *store, const char *id)
{
	char path[PATH_MAX];
	if (store_blob_path(store, id, path, sizeof(path)) != 0) {
		log_error("open blob: invalid id '%.40s'", id ? id : "");
		errno = EINVAL;
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT) {
		int saved = errno;
		log_error("open '%s': %s", path, strerror(saved));
		errno = saved;
	}
	return fd;
}

int store_blob_remove(struct store *store, const char *id)
{
	char path[PATH_MAX];
	if (store_blob_path(store, id, path, sizeof(path)) != 0) {
		log_error("remove blob: invalid id '%.40s'", id ? id : "");
		errno = EINVAL;
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		log_error("remove '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Sweep one blobs/ab directory: see store_blob_sweep.  Adds to *removed;
 * 0, or -1 (logged). */
static int sweep_dir(const char *path, const char *prefix,
		     int (*is_referenced)(const char *id, void *ctx),
		     void *ctx, long *removed)
{
	DIR *d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		log_error("sweep '%s': %s", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d);
		if (!e) {
			if (errno) {
				log_error("sweep '%s': %s", path,
					  strerror(errno));
				rc = -1;
			}
			break;
		}
		/* Only blob files are ours to judge; leave anything else. */
		if (!id_valid(e->d_name) || strncmp(e->d_name, prefix, 2) != 0)
			continue;
		if (is_referenced(e->d_name, ctx))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) != 0) {
			if (errno == ENOENT)
				continue;
			log_error("sweep '%s/%s': %s", path, e->d_name,
				  strerror(errno));
			rc = -1;
			break;
		}
		log_debug("swept unreferenced blob %s", e->d_name);
		(*removed)++;
	}
	closedir(d);
	return rc;
}

long store_blob_sweep(struct store *store,
		      int (*is_referenced)(const char *id, void *ctx),
		      void *ctx)
{
	long removed = 0;
	for (int i = 0; i < 256; i++) {
		char prefix[3];
		char path[PATH_MAX];
		snprintf(prefix, sizeof(prefix), "%02x", i);
		snprintf(path, sizeof(path), "%s/blobs/%s",
			 store_data_dir(store), prefix);
		if (sweep_dir(path, prefix, is_referenced, ctx, &removed))
			return -1;
	}
	return removed;
}
