/*
 * imgpipe_process.c - `imgpipe-process`, the image core on local files
 * with no services: for developing variants, checking a fixture, and the
 * image bench.
 *
 *   imgpipe-process [--variants JSON] [--strategy single|per-variant]
 *                   [--max-pixels N] [--max-bytes N] [--repeat N]
 *                   --out DIR FILE...
 *
 * The configuration starts from the environment exactly as the Lambda
 * handler reads it (IMGPIPE_VARIANTS, IMGPIPE_MAX_PIXELS,
 * IMGPIPE_MAX_BYTES); the flags override it.  Each FILE's variants go to
 * DIR/<file name with '.' as '_'>/<variant>.<ext> (written to a temporary
 * name, then renamed).  stdout gets one JSON array with an object per
 * file: status, format, dimensions after orientation, camera fields,
 * bytes, sha256, variants (path, width, height, format, bytes) or the
 * error {code, message}.  --repeat N runs the core N times on each file
 * (the last result is written), so the bench can tell a warm worker's
 * per-image cost from the process start-up.  Exit status: 0 every file
 * processed, 1 some input failed, 2 usage/configuration/output error.
 */
#include "image.h"
#include "hash.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: imgpipe-process [--variants JSON] "
		"[--strategy single|per-variant] [--max-pixels N] "
		"[--max-bytes N] [--repeat N] --out DIR FILE...\n");
}

/* Lowercase hex SHA-256 of the file at path into hex; 0 or -1. */
static int file_sha256(const char *path, char hex[2 * HASH_SHA256_LEN + 1])
{
	unsigned char chunk[65536], digest[HASH_MAX_LEN];
	struct hash_ctx h;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	hash_init(&h, HASH_SHA256);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		hash_update(&h, chunk, (size_t)n);
	hash_final(&h, digest);
	hash_free(&h);
	close(fd);
	if (n < 0)
		return -1;
	hash_hex(digest, HASH_SHA256_LEN, hex);
	return 0;
}

/* Write len bytes to path through path.tmp + rename; 0 or -1. */
static int write_file(const char *path, const void *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	int ok;

	if (!f) {
		free(tmp);
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* The metadata part of a file's JSON object. */
static void add_meta(cJSON *o, const struct imgpipe_meta *m)
{
	cJSON *cam;

	if (!m->format[0])
		return;
	cJSON_AddStringToObject(o, "format", m->format);
	cJSON_AddNumberToObject(o, "width", m->width);
	cJSON_AddNumberToObject(o, "height", m->height);
	cJSON_AddNumberToObject(o, "orientation", m->orientation);
	cJSON_AddNumberToObject(o, "pages", m->pages);
	cJSON_AddBoolToObject(o, "alpha", m->has_alpha);
	cJSON_AddBoolToObject(o, "icc", m->has_icc);
	cam = cJSON_AddObjectToObject(o, "camera");
	if (m->camera_make[0])
		cJSON_AddStringToObject(cam, "make", m->camera_make);
	if (m->camera_model[0])
		cJSON_AddStringToObject(cam, "model", m->camera_model);
	if (m->date_taken[0])
		cJSON_AddStringToObject(cam, "date_taken", m->date_taken);
}

/*
 * Run the core on one file (repeat times) and write its variants under
 * outdir.  Adds
 * the file's object to arr.  Returns 0 processed, 1 input failed, 2
 * could not write.
 */
static int one_file(const char *path, const char *outdir,
		    const struct imgpipe_config *cfg, uint64_t repeat, cJSON *arr)
{
	struct imgpipe_result res;
	char *dir, hex[2 * HASH_SHA256_LEN + 1];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	cJSON *o = cJSON_CreateObject(), *vars, *err;
	struct stat st;
	int rc = 0;

	cJSON_AddItemToArray(arr, o);
	cJSON_AddStringToObject(o, "file", path);
	for (uint64_t n = 1; n < repeat; n++) {
		imgpipe_image_process_file(path, cfg, &res);
		imgpipe_result_free(&res);
	}
	imgpipe_image_process_file(path, cfg, &res);
	cJSON_AddStringToObject(o, "status", res.fail == IMGPIPE_OK ?
				"processed" : "failed");
	if (stat(path, &st) == 0)
		cJSON_AddNumberToObject(o, "bytes", (double)st.st_size);
	if (file_sha256(path, hex) == 0)
		cJSON_AddStringToObject(o, "sha256", hex);
	add_meta(o, &res.meta);
	if (res.fail != IMGPIPE_OK) {
		err = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(err, "code", imgpipe_fail_code(res.fail));
		cJSON_AddStringToObject(err, "message", res.message);
		imgpipe_result_free(&res);
		return 1;
	}
	dir = xasprintf("%s/%s", outdir, base);
	for (char *p = dir + strlen(outdir) + 1; *p; p++)
		if (*p == '.')
			*p = '_';
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "imgpipe-process: mkdir %s: %s\n", dir,
			strerror(errno));
		rc = 2;
	}
	vars = cJSON_AddObjectToObject(o, "variants");
	for (size_t i = 0; rc == 0 && i < res.n_variants; i++) {
		const struct imgpipe_variant *v = &res.variants[i];
		cJSON *j = cJSON_AddObjectToObject(vars, v->name);
		char *file = xasprintf("%s/%s.%s", dir, v->name,
				       imgpipe_format_ext(v->format));

		if (write_file(file, v->data, v->len) < 0) {
			fprintf(stderr, "imgpipe-process: write %s: %s\n", file,
				strerror(errno));
			rc = 2;
		}
		cJSON_AddStringToObject(j, "path", file);
		cJSON_AddNumberToObject(j, "width", v->width);
		cJSON_AddNumberToObject(j, "height", v->height);
		cJSON_AddStringToObject(j, "format", imgpipe_format_name(v->format));
		cJSON_AddStringToObject(j, "content_type",
					imgpipe_format_mime(v->format));
		cJSON_AddNumberToObject(j, "bytes", (double)v->len);
		free(file);
	}
	free(dir);
	imgpipe_result_free(&res);
	return rc;
}

/* A decimal u64 flag value; 0 or -1. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct imgpipe_config cfg;
	const char *outdir = NULL;
	uint64_t repeat = 1;
	char err[256], *text;
	cJSON *arr;
	int i, worst = 0;

	if (imgpipe_config_from_env(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "imgpipe-process: %s\n", err);
		return 2;
	}
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (!v) {
			usage();
			return 2;
		}
		i++;
		if (strcmp(a, "--out") == 0) {
			outdir = v;
		} else if (strcmp(a, "--variants") == 0) {
			if (imgpipe_config_parse_variants(&cfg, v, err, sizeof(err))) {
				fprintf(stderr, "imgpipe-process: %s\n", err);
				return 2;
			}
		} else if (strcmp(a, "--strategy") == 0 &&
			   strcmp(v, "single") == 0) {
			cfg.strategy = IMGPIPE_STRATEGY_SINGLE;
		} else if (strcmp(a, "--strategy") == 0 &&
			   strcmp(v, "per-variant") == 0) {
			cfg.strategy = IMGPIPE_STRATEGY_PER_VARIANT;
		} else if (strcmp(a, "--max-pixels") == 0 &&
			   parse_u64(v, &cfg.max_pixels) == 0) {
		} else if (strcmp(a, "--max-bytes") == 0 &&
			   parse_u64(v, &cfg.max_bytes) == 0) {
		} else if (strcmp(a, "--repeat") == 0 &&
			   parse_u64(v, &repeat) == 0 && repeat >= 1) {
		} else {
			usage();
			return 2;
		}
	}
	if (!outdir || i >= argc) {
		usage();
		return 2;
	}
	if (mkdir(outdir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "imgpipe-process: mkdir %s: %s\n", outdir,
			strerror(errno));
		return 2;
	}
	if (imgpipe_image_init(argv[0], err, sizeof(err)) < 0) {
		fprintf(stderr, "imgpipe-process: %s\n", err);
		return 2;
	}
	arr = cJSON_CreateArray();
	for (; i < argc; i++) {
		int rc = one_file(argv[i], outdir, &cfg, repeat, arr);

		if (rc > worst)
			worst = rc;
	}
	text = cJSON_Print(arr);
	printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(arr);
	imgpipe_image_shutdown();
	return worst;
}
