/*
 * imgctl.c - a small CLI over the sdk for the local (or real) imgpipe
 * stack: upload an image, read its metadata item, wait for processing,
 * download or link a variant, list uploads.
 *
 *   imgctl [--endpoint-url URL] [--region R] COMMAND ...
 *     upload FILE [--id ID]          put FILE at uploads/ID.EXT, print ID
 *     get IMAGE_ID                   print the item (plain JSON)
 *     wait IMAGE_ID [--timeout S]    poll until processed or failed
 *     download IMAGE_ID VARIANT [-o FILE]
 *     url IMAGE_ID VARIANT [--expires S]   presigned GET of a variant
 *     ls [PREFIX]                    list the uploads bucket
 *
 * Names are the local stack's public interface (buckets imgpipe-uploads
 * and imgpipe-processed, table imgpipe-images), overridable through
 * IMGPIPE_UPLOADS_BUCKET, IMGPIPE_PROCESSED_BUCKET and IMGPIPE_TABLE.
 * Region, credentials and endpoints resolve as for any sdk program
 * (aws_config.h).  Exit codes: 0 success, 1 an AWS error or a failed
 * image, 2 usage, 3 wait timed out.
 */
#include "aws_config.h"
#include "aws_ddb.h"
#include "aws_s3.h"
#include "hash.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

struct ctl {
	struct aws_config cfg;
	const char *uploads;
	const char *processed;
	const char *table;
};

static void usage(void)
{
	fputs("usage: imgctl [--endpoint-url URL] [--region REGION] COMMAND ...\n"
	      "  upload FILE [--id ID]\n"
	      "  get IMAGE_ID\n"
	      "  wait IMAGE_ID [--timeout SECONDS]\n"
	      "  download IMAGE_ID VARIANT [-o FILE]\n"
	      "  url IMAGE_ID VARIANT [--expires SECONDS]\n"
	      "  ls [PREFIX]\n", stderr);
	exit(2);
}

static int report(const char *what, const struct aws_error *err)
{
	fprintf(stderr, "imgctl: %s: %s%s%s", what, err->code, err->message[0] ? ": " : "",
		err->message);
	if (err->request_id[0])
		fprintf(stderr, " (request id %s)", err->request_id);
	fputc('\n', stderr);
	return 1;
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

/* Content-Type for a file name's extension. */
static const char *content_type(const char *ext)
{
	static const char *const map[][2] = {
		{ "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" }, { "png", "image/png" },
		{ "webp", "image/webp" }, { "gif", "image/gif" }, { "tif", "image/tiff" },
		{ "tiff", "image/tiff" }, { "heic", "image/heic" }, { "avif", "image/avif" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(ext, map[i][0]) == 0)
			return map[i][1];
	return "application/octet-stream";
}

static int valid_id(const char *id)
{
	if (!*id || strlen(id) > 128)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

static int cmd_upload(struct ctl *c, int argc, char **argv)
{
	const char *file = NULL, *id = NULL;
	char gen[33];
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--id") == 0 && i + 1 < argc)
			id = argv[++i];
		else if (!file)
			file = argv[i];
		else
			usage();
	}
	if (!file)
		usage();
	if (!id) {
		unsigned char rnd[16];
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			fprintf(stderr, "imgctl: no randomness for an image id\n");
			return 1;
		}
		hash_hex(rnd, sizeof(rnd), gen);
		id = gen;
	}
	if (!valid_id(id)) {
		fprintf(stderr, "imgctl: image id must be 1-128 of [A-Za-z0-9_-]\n");
		return 2;
	}
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	const char *dot = strrchr(base, '.');
	char ext[16] = "bin";
	if (dot && dot[1] && strlen(dot + 1) < sizeof(ext)) {
		snprintf(ext, sizeof(ext), "%s", dot + 1);
		for (char *p = ext; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	}
	char *key = xasprintf("uploads/%s.%s", id, ext);
	struct aws_error err;
	struct aws_s3 *s3 = aws_s3_new(&c->cfg, &err);
	int rc = 0;
	if (!s3) {
		rc = report("s3", &err);
	} else {
		struct aws_s3_put_opts o = { .content_type = content_type(ext) };
		struct aws_s3_object info;
		if (aws_s3_put_object_file(s3, c->uploads, key, file, &o, &info, &err) != 0)
			rc = report("upload", &err);
		else
			printf("%s\ns3://%s/%s %llu bytes %s\n", id, c->uploads, key,
			       (unsigned long long)info.size, info.etag);
	}
	aws_s3_free(s3);
	free(key);
	return rc;
}

/* GetItem of image_id into *item (NULL when absent).  0 or 1 (reported). */
static int fetch_item(struct ctl *c, struct aws_ddb *ddb, const char *id, cJSON **item)
{
	struct aws_error err;
	cJSON *key = aws_ddb_item();
	aws_ddb_put(key, "image_id", aws_ddb_s(id));
	int rc = aws_ddb_get_item(ddb, c->table, key, 1, NULL, NULL, item, &err);
	cJSON_Delete(key);
	return rc ? report("get item", &err) : 0;
}

static void print_item(const cJSON *item)
{
	cJSON *plain = aws_ddb_to_json(item);
	char *s = cJSON_Print(plain);
	puts(s ? s : "null");
	free(s);
	cJSON_Delete(plain);
}

/* get and wait: one GetItem, or poll until a final status. */
static int cmd_get_wait(struct ctl *c, int wait, int argc, char **argv)
{
	const char *id = NULL;
	double timeout = 60;
	for (int i = 0; i < argc; i++) {
		if (wait && strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = atof(argv[++i]);
		else if (!id)
			id = argv[i];
		else
			usage();
	}
	if (!id)
		usage();
	struct aws_error err;
	struct aws_ddb *ddb = aws_ddb_new(&c->cfg, &err);
	if (!ddb)
		return report("dynamodb", &err);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc;
	for (;;) {
		cJSON *item = NULL;
		rc = fetch_item(c, ddb, id, &item);
		if (rc)
			break;
		const char *status = aws_ddb_get_s(item, "status");
		if (item && (!wait || (status && (strcmp(status, "processed") == 0 ||
						  strcmp(status, "failed") == 0)))) {
			print_item(item);
			rc = status && strcmp(status, "failed") == 0 ? 1 : 0;
			cJSON_Delete(item);
			break;
		}
		cJSON_Delete(item);
		if (!wait) {
			fprintf(stderr, "imgctl: no item for image_id %s\n", id);
			rc = 1;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 > timeout) {
			fprintf(stderr, "imgctl: %s not processed after %.0f s\n", id, timeout);
			rc = 3;
			break;
		}
		usleep(250 * 1000);
	}
	aws_ddb_free(ddb);
	return rc;
}

/* download and url: find the variant's key in the item. */
static int cmd_variant(struct ctl *c, int presign, int argc, char **argv)
{
	const char *id = NULL, *variant = NULL, *out = NULL;
	unsigned long expires = 3600;
	for (int i = 0; i < argc; i++) {
		if (!presign && strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (presign && strcmp(argv[i], "--expires") == 0 && i + 1 < argc)
			expires = strtoul(argv[++i], NULL, 10);
		else if (!id)
			id = argv[i];
		else if (!variant)
			variant = argv[i];
		else
			usage();
	}
	if (!id || !variant)
		usage();
	struct aws_error err;
	struct aws_ddb *ddb = aws_ddb_new(&c->cfg, &err);
	if (!ddb)
		return report("dynamodb", &err);
	cJSON *item = NULL;
	int rc = fetch_item(c, ddb, id, &item);
	aws_ddb_free(ddb);
	if (rc)
		return rc;
	const cJSON *v = aws_ddb_get(item, "variants");
	const char *key = aws_ddb_get_s(aws_ddb_map(aws_ddb_get(aws_ddb_map(v), variant)), "key");
	if (!key) {
		fprintf(stderr, "imgctl: image %s has no variant '%s'\n", id, variant);
		cJSON_Delete(item);
		return 1;
	}
	struct aws_s3 *s3 = aws_s3_new(&c->cfg, &err);
	if (!s3) {
		cJSON_Delete(item);
		return report("s3", &err);
	}
	if (presign) {
		char *url = aws_s3_presign(s3, "GET", c->processed, key, expires, &err);
		if (url)
			puts(url);
		else
			rc = report("presign", &err);
		free(url);
	} else {
		const char *base = strrchr(key, '/') ? strrchr(key, '/') + 1 : key;
		char *path = xstrdup(out ? out : base);
		struct aws_s3_object info;
		if (aws_s3_get_object_file(s3, c->processed, key, path, &info, &err) != 0)
			rc = report("download", &err);
		else
			printf("%s %llu bytes %s\n", path, (unsigned long long)info.size,
			       info.content_type);
		free(path);
	}
	aws_s3_free(s3);
	cJSON_Delete(item);
	return rc;
}

static int cmd_ls(struct ctl *c, int argc, char **argv)
{
	struct aws_error err;
	struct aws_s3 *s3 = aws_s3_new(&c->cfg, &err);
	if (!s3)
		return report("s3", &err);
	char *token = NULL;
	int rc = 0;
	do {
		struct aws_s3_list_opts o = {
			.prefix = argc > 0 ? argv[0] : "uploads/", .continuation_token = token,
		};
		struct aws_s3_list l;
		if (aws_s3_list_objects_v2(s3, c->uploads, &o, &l, &err) != 0) {
			rc = report("list", &err);
			break;
		}
		for (size_t i = 0; i < l.count; i++)
			printf("%s\t%llu\t%s\n", l.entries[i].last_modified,
			       (unsigned long long)l.entries[i].size, l.entries[i].key);
		free(token);
		token = l.truncated && l.next_token ? xstrdup(l.next_token) : NULL;
		aws_s3_list_free(&l);
	} while (token);
	free(token);
	aws_s3_free(s3);
	return rc;
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--help") == 0)
			usage();
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--endpoint-url") == 0)
			setenv("AWS_ENDPOINT_URL", argv[++i], 1);
		else if (strcmp(argv[i], "--region") == 0)
			setenv("AWS_REGION", argv[++i], 1);
		else
			usage();
	}
	if (i >= argc)
		usage();
	struct ctl c = {
		.uploads = env_or("IMGPIPE_UPLOADS_BUCKET", "imgpipe-uploads"),
		.processed = env_or("IMGPIPE_PROCESSED_BUCKET", "imgpipe-processed"),
		.table = env_or("IMGPIPE_TABLE", "imgpipe-images"),
	};
	struct aws_error err;
	if (aws_config_load(&c.cfg, &err) != 0)
		return report("configuration", &err);
	const char *cmd = argv[i++];
	int rest = argc - i;
	char **args = argv + i;
	int rc;
	if (strcmp(cmd, "upload") == 0)
		rc = cmd_upload(&c, rest, args);
	else if (strcmp(cmd, "get") == 0)
		rc = cmd_get_wait(&c, 0, rest, args);
	else if (strcmp(cmd, "wait") == 0)
		rc = cmd_get_wait(&c, 1, rest, args);
	else if (strcmp(cmd, "download") == 0)
		rc = cmd_variant(&c, 0, rest, args);
	else if (strcmp(cmd, "url") == 0)
		rc = cmd_variant(&c, 1, rest, args);
	else if (strcmp(cmd, "ls") == 0)
		rc = cmd_ls(&c, rest, args);
	else
		usage();
	aws_config_free(&c.cfg);
	return rc;
}
