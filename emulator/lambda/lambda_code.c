/*
 * lambda_code.c - a function's deployment package.
 *
 * CreateFunction and UpdateFunctionCode send the zip base64-encoded in
 * Code.ZipFile, or name an S3 object (S3Bucket/S3Key, read through
 * bus.s3_read_object), or a hot-reload directory (lambda_hot.c).  It is decoded, hashed (CodeSha256 is the base64 of its
 * SHA-256, as Lambda reports it), written as a store blob (temp, fsync,
 * rename) and unpacked into <data-dir>/lambda/code/<blob>/, the
 * directory `bootstrap` runs in (LAMBDA_TASK_ROOT).
 *
 * Unpacking uses /usr/bin/unzip, run with posix_spawn and no shell.  The
 * entry names are listed first (unzip -Z1) and the archive is refused
 * when one is absolute or has a ".." component; unzip creates the
 * archive's symlinks only after every file is written, so no entry can
 * be written through one.  It unpacks into <blob>.tmp, renamed into
 * place once complete, so a crash never leaves a half-unpacked tree
 * that looks finished.
 */
#include "lambda.h"
#include "hash.h"
#include "log.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ZIP_MAX (50u * 1024 * 1024)       /* direct upload limit */
#define LISTING_MAX (8u * 1024 * 1024)
#define UNZIPPED_MAX (250u * 1024 * 1024) /* packages from S3 */

int lambda_zip_name_ok(const char *name)
{
	if (!*name || name[0] == '/' || name[0] == '\\')
		return 0;
	if (strchr(name, '\\'))
		return 0;
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return 1;
}

/*
 * Run argv (no shell) with stdout into out (capped) and stderr to
 * /dev/null; returns the exit status (0 = success) or -1.
 */
static int run_capture(char *const argv[], struct buf *out)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	char *const envp[] = {(char *)"LC_ALL=C", NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		log_error("lambda: cannot run %s: %s", argv[0], strerror(rc));
		return -1;
	}
	char chunk[8192];
	int overflow = 0;
	for (;;) {
		ssize_t n = read(fds[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out && !overflow && buf_append(out, chunk, (size_t)n))
			overflow = 1;
	}
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (overflow)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int lambda_unzip(const char *zip_path, const char *dir)
{
	struct buf listing;
	buf_init(&listing, LISTING_MAX);
	char *list_argv[] = {(char *)"/usr/bin/unzip", (char *)"-Z1",
			     (char *)zip_path, NULL};
	int rc = run_capture(list_argv, &listing);
	if (rc != 0 || !listing.data) {
		buf_free(&listing);
		return -1;
	}
	for (char *line = listing.data; *line;) {
		size_t n = strcspn(line, "\n");
		char save = line[n];
		line[n] = '\0';
		int ok = lambda_zip_name_ok(line);
		line[n] = save;
		if (!ok) {
			buf_free(&listing);
			return -1;
		}
		line += n;
		if (*line)
			line++;
	}
	buf_free(&listing);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	char *argv[] = {(char *)"/usr/bin/unzip", (char *)"-qq", (char *)"-o",
			(char *)zip_path, (char *)"-d", (char *)dir, NULL};
	rc = run_capture(argv, NULL);
	return rc == 0 ? 0 : -1;
}

/* Unpack blob into <root>/code/<blob> (via .tmp); 0 or -1. */
static int unpack_blob(struct lambda_state *st, const char *blob)
{
	char zip[PATH_MAX], tmp[PATH_MAX + 80], dir[PATH_MAX + 64];
	if (store_blob_path(st->emu->store, blob, zip, sizeof(zip)))
		return -1;
	snprintf(dir, sizeof(dir), "%s/code/%s", st->root, blob);
	snprintf(tmp, sizeof(tmp), "%s.tmp", dir);
	remove_tree(tmp);
	if (lambda_unzip(zip, tmp)) {
		remove_tree(tmp);
		return -1;
	}
	if (rename(tmp, dir)) {
		log_error("lambda: cannot rename '%s': %s", tmp,
			  strerror(errno));
		remove_tree(tmp);
		return -1;
	}
	return 0;
}

char *lambda_code_dir(struct lambda_state *st, const char *blob)
{
	char dir[PATH_MAX + 64];
	struct stat sb;
	if (lambda_hot_blob(blob))
		return lambda_hot_dir(st, blob);
	snprintf(dir, sizeof(dir), "%s/code/%s", st->root, blob);
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return xstrdup(dir);
	if (unpack_blob(st, blob)) {
		log_error("lambda: cannot unpack code blob %s", blob);
		return NULL;
	}
	return xstrdup(dir);
}

void lambda_code_remove(struct lambda_state *st, const char *blob)
{
	char dir[PATH_MAX + 64];
	if (!blob || !*blob)
		return;
	if (lambda_hot_blob(blob)) {
		lambda_hot_remove(st, blob);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/code/%s", st->root, blob);
	remove_tree(dir);
	store_blob_remove(st->emu->store, blob);
}

/* Code.S3Bucket/S3Key of a real bucket: the object's bytes through
 * bus.s3_read_object into *bytes (heap, caller frees).  0, or -1 with
 * Lambda's error recorded. */
static int read_s3(struct lambda_state *st, struct request *req,
		   const cJSON *bucket, const cJSON *key,
		   unsigned char **bytes, size_t *len)
{
	struct bus *bus = &st->emu->bus;
	char err[128] = "";
	char *data = NULL;
	if (!cJSON_IsString(bucket) || !cJSON_IsString(key))
		return req_error(req, 400, "InvalidParameterValueException",
				 "Please provide a source for function code.");
	if (!bus->s3_read_object)
		return req_error(req, 400, "InvalidParameterValueException",
				 "S3 is not part of this build; send the zip "
				 "in ZipFile");
	if (bus->s3_read_object(bus->s3, bucket->valuestring,
				key->valuestring, UNZIPPED_MAX, &data, len,
				err, sizeof(err))) {
		if (strcmp(err, "NoSuchBucket") == 0)
			return req_error(req, 400,
				"InvalidParameterValueException",
				"Error occurred while GetObject. S3 Error Code:"
				" NoSuchBucket. S3 Error Message: The specified"
				" bucket does not exist");
		if (strcmp(err, "NoSuchKey") == 0)
			return req_error(req, 400,
				"InvalidParameterValueException",
				"Error occurred while GetObject. S3 Error Code:"
				" NoSuchKey. S3 Error Message: The specified "
				"key does not exist.");
		if (strcmp(err, "TooLarge") == 0)
			return req_error(req, 400,
				"InvalidParameterValueException",
				"Unzipped size must be smaller than %u bytes",
				UNZIPPED_MAX);
		return req_error(req, 500, "ServiceException",
				 "cannot read the package from S3: %s", err);
	}
	*bytes = (unsigned char *)data;
	return 0;
}

int lambda_code_store(struct lambda_state *st, struct request *req,
		      const cJSON *code, char *blob, char *sha256,
		      int64_t *size)
{
	const cJSON *zip = cJSON_GetObjectItemCaseSensitive(code, "ZipFile");
	const cJSON *bucket = cJSON_GetObjectItemCaseSensitive(code,
							       "S3Bucket");
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(code, "S3Key");
	if (!cJSON_IsString(zip) && cJSON_IsString(bucket) &&
	    strcmp(bucket->valuestring, "hot-reload") == 0)
		return lambda_hot_code(st, req, cJSON_IsString(key) ?
					   key->valuestring : NULL,
				       blob, sha256, size);
	unsigned char *bytes = NULL;
	size_t len = 0;
	if (!cJSON_IsString(zip) && (bucket || key)) {
		if (read_s3(st, req, bucket, key, &bytes, &len))
			return -1;
	} else if (!cJSON_IsString(zip)) {
		if (cJSON_GetObjectItemCaseSensitive(code, "ImageUri"))
			return req_error(req, 400,
					 "InvalidParameterValueException",
					 "Container images are not supported "
					 "by this emulator; use a zip");
		return req_error(req, 400, "InvalidParameterValueException",
				 "Please provide a source for function code.");
	} else {
		size_t in_len = strlen(zip->valuestring);
		size_t cap = in_len / 4 * 3 + 3;
		if (cap > ZIP_MAX + 3)
			return req_error(req, 413,
					 "RequestEntityTooLargeException",
					 "Zipped file size must be smaller "
					 "than %u bytes", ZIP_MAX);
		bytes = xmalloc(cap ? cap : 1);
		if (hash_base64_decode(zip->valuestring, in_len, bytes, cap,
				       &len)) {
			free(bytes);
			return req_error(req, 400,
					 "InvalidRequestContentException",
					 "Could not parse request body into "
					 "json: Could not parse payload into "
					 "json: ZipFile is not valid base64");
		}
	}
	unsigned char digest[HASH_SHA256_LEN];
	hash_sha256(bytes, len, digest);
	hash_base64_encode(digest, sizeof(digest), sha256);
	*size = (int64_t)len;

	struct store_blob_writer *w;
	store_blob_new_id(blob);
	if (store_blob_create(st->emu->store, &w)) {
		free(bytes);
		return req_error(req, 500, "ServiceException",
				 "cannot store the deployment package");
	}
	if (store_blob_write(w, bytes, len)) {
		store_blob_abort(w);
		free(bytes);
		return req_error(req, 500, "ServiceException",
				 "cannot store the deployment package");
	}
	free(bytes);
	if (store_blob_commit(w, blob))
		return req_error(req, 500, "ServiceException",
				 "cannot store the deployment package");
	if (unpack_blob(st, blob)) {
		store_blob_remove(st->emu->store, blob);
		return req_error(req, 400, "InvalidParameterValueException",
				 "Could not unzip uploaded file. Please check "
				 "your file, then try to upload again.");
	}
	return 0;
}
