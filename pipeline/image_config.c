/*
 * image_config.c - the image core's configuration: default variants,
 * the IMGPIPE_VARIANTS JSON, and the limits from the environment.
 *
 * The configuration is a plain value (struct imgpipe_config, no heap), so
 * the Lambda handler can read it once at init and pass it to every call.
 * Parsing is strict: an unknown key, a bad name, a duplicate or a size
 * outside 16..8192 is an error naming the variant, never silently
 * dropped, because a typo in a deployment variable should fail the
 * function's init rather than produce the wrong images.
 */
#include "image.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_JPEG_Q 82
#define DEFAULT_WEBP_Q 80

static void set_variant(struct imgpipe_variant_spec *v, const char *name,
			int size, enum imgpipe_format fmt, int q)
{
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->size = size;
	v->format = fmt;
	v->quality = q;
}

void imgpipe_config_default(struct imgpipe_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	set_variant(&cfg->variants[0], "thumb", 200, IMGPIPE_FMT_JPEG, DEFAULT_JPEG_Q);
	set_variant(&cfg->variants[1], "medium", 800, IMGPIPE_FMT_JPEG, DEFAULT_JPEG_Q);
	set_variant(&cfg->variants[2], "large", 1600, IMGPIPE_FMT_JPEG, DEFAULT_JPEG_Q);
	set_variant(&cfg->variants[3], "medium-webp", 800, IMGPIPE_FMT_WEBP, DEFAULT_WEBP_Q);
	cfg->n_variants = 4;
	cfg->max_bytes = IMGPIPE_DEFAULT_MAX_BYTES;
	cfg->max_pixels = IMGPIPE_DEFAULT_MAX_PIXELS;
	cfg->strategy = IMGPIPE_STRATEGY_SINGLE;
}

/* A variant name becomes part of an S3 key: keep it to [a-z0-9_-]. */
static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > IMGPIPE_VARIANT_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* An integer-valued JSON number in [lo, hi] into *out; 0 or -1. */
static int json_int(const cJSON *n, int lo, int hi, int *out)
{
	double d;

	if (!cJSON_IsNumber(n))
		return -1;
	d = n->valuedouble;
	if (d != (double)(long long)d || d < lo || d > hi)
		return -1;
	*out = (int)d;
	return 0;
}

/*
 * Parse one array element into *v.  Returns 0, or -1 with err filled
 * (index i names the element).
 */
static int parse_one(const cJSON *o, size_t i, struct imgpipe_variant_spec *v,
		     char *err, size_t errlen)
{
	const cJSON *it;
	int have_q = 0;

	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "variant %zu: not an object", i);
		return -1;
	}
	memset(v, 0, sizeof(*v));
	v->format = IMGPIPE_FMT_JPEG;
	v->size = -1;
	cJSON_ArrayForEach(it, o) {
		if (strcmp(it->string, "name") == 0) {
			if (!cJSON_IsString(it) || !valid_name(it->valuestring)) {
				snprintf(err, errlen, "variant %zu: name must be 1-%d "
					 "characters of [a-z0-9_-]", i,
					 IMGPIPE_VARIANT_NAME_MAX);
				return -1;
			}
			snprintf(v->name, sizeof(v->name), "%s", it->valuestring);
		} else if (strcmp(it->string, "size") == 0) {
			if (json_int(it, IMGPIPE_VARIANT_SIZE_MIN,
				     IMGPIPE_VARIANT_SIZE_MAX, &v->size) < 0) {
				snprintf(err, errlen, "variant %zu: size must be an "
					 "integer from %d to %d", i,
					 IMGPIPE_VARIANT_SIZE_MIN,
					 IMGPIPE_VARIANT_SIZE_MAX);
				return -1;
			}
		} else if (strcmp(it->string, "format") == 0) {
			if (cJSON_IsString(it) && (strcmp(it->valuestring, "jpeg") == 0 ||
						   strcmp(it->valuestring, "jpg") == 0))
				v->format = IMGPIPE_FMT_JPEG;
			else if (cJSON_IsString(it) && strcmp(it->valuestring, "webp") == 0)
				v->format = IMGPIPE_FMT_WEBP;
			else {
				snprintf(err, errlen, "variant %zu: format must be "
					 "\"jpeg\" or \"webp\"", i);
				return -1;
			}
		} else if (strcmp(it->string, "quality") == 0) {
			if (json_int(it, 1, 100, &v->quality) < 0) {
				snprintf(err, errlen, "variant %zu: quality must be "
					 "an integer from 1 to 100", i);
				return -1;
			}
			have_q = 1;
		} else {
			snprintf(err, errlen, "variant %zu: unknown key \"%.40s\"",
				 i, it->string);
			return -1;
		}
	}
	if (v->name[0] == '\0' || v->size < 0) {
		snprintf(err, errlen, "variant %zu: \"name\" and \"size\" are "
			 "required", i);
		return -1;
	}
	if (!have_q)
		v->quality = v->format == IMGPIPE_FMT_WEBP ? DEFAULT_WEBP_Q
							   : DEFAULT_JPEG_Q;
	return 0;
}

int imgpipe_config_parse_variants(struct imgpipe_config *cfg,
				  const char *json, char *err, size_t errlen)
{
	struct imgpipe_variant_spec tmp[IMGPIPE_VARIANTS_MAX];
	cJSON *root = cJSON_Parse(json);
	const cJSON *o;
	size_t n = 0;
	int rc = -1;

	if (!cJSON_IsArray(root)) {
		snprintf(err, errlen, "variants: not a JSON array");
		goto out;
	}
	cJSON_ArrayForEach(o, root) {
		if (n == IMGPIPE_VARIANTS_MAX) {
			snprintf(err, errlen, "variants: at most %d",
				 IMGPIPE_VARIANTS_MAX);
			goto out;
		}
		if (parse_one(o, n, &tmp[n], err, errlen) < 0)
			goto out;
		for (size_t j = 0; j < n; j++)
			if (strcmp(tmp[j].name, tmp[n].name) == 0) {
				snprintf(err, errlen, "variant %zu: duplicate name "
					 "\"%s\"", n, tmp[n].name);
				goto out;
			}
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "variants: the array is empty");
		goto out;
	}
	memcpy(cfg->variants, tmp, n * sizeof(tmp[0]));
	cfg->n_variants = n;
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

/* A positive decimal integer from the environment; 0 if unset, 1 if set
 * (into *out), -1 if malformed. */
static int env_u64(const char *name, uint64_t *out)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return 0;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 1;
}

int imgpipe_config_from_env(struct imgpipe_config *cfg, char *err,
			    size_t errlen)
{
	const char *v = getenv("IMGPIPE_VARIANTS");
	char why[200];

	imgpipe_config_default(cfg);
	if (v && *v && imgpipe_config_parse_variants(cfg, v, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "IMGPIPE_VARIANTS: %s", why);
		return -1;
	}
	if (env_u64("IMGPIPE_MAX_PIXELS", &cfg->max_pixels) < 0) {
		snprintf(err, errlen, "IMGPIPE_MAX_PIXELS: not a decimal integer");
		return -1;
	}
	if (env_u64("IMGPIPE_MAX_BYTES", &cfg->max_bytes) < 0) {
		snprintf(err, errlen, "IMGPIPE_MAX_BYTES: not a decimal integer");
		return -1;
	}
	return 0;
}
