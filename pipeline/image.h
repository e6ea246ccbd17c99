/*
 * image.h - the image core: untrusted image bytes in, web variants out.
 *
 * One call, imgpipe_image_process(), takes the bytes of an upload, the
 * limits and the variant specs, and returns either every variant's
 * encoded bytes plus the image's metadata, or a failure reason code.  It
 * knows nothing about S3, DynamoDB or Lambda: the Lambda handler, the
 * local CLI (imgpipe-process) and the unit tests all call it the same way.
 *
 * What it guarantees (docs/internals/image.md has the details):
 *   - the format is found from the bytes; only JPEG, PNG, WebP, GIF, TIFF
 *     and HEIF (HEIC/AVIF) are decoded, everything else is `unsupported`;
 *   - the pixel limit is checked from the header, before any decoding;
 *   - decoding fails on truncated or corrupt data (libvips fail_on=error);
 *   - variants are auto-rotated (EXIF), sRGB 8-bit, never upscaled, and
 *     carry no metadata except an ICC profile (sRGB, when the input had a
 *     profile or was CMYK);
 *   - width/height in the metadata are after orientation.
 *
 * libvips is process-global: call imgpipe_image_init() once per process
 * before anything else here, imgpipe_image_shutdown() at exit.  The
 * functions are not meant to run on several threads at once (libvips'
 * error buffer is shared).
 */
#ifndef IMGPIPE_IMAGE_H
#define IMGPIPE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMGPIPE_VARIANTS_MAX 16
#define IMGPIPE_VARIANT_NAME_MAX 32
#define IMGPIPE_VARIANT_SIZE_MIN 16
#define IMGPIPE_VARIANT_SIZE_MAX 8192

#define IMGPIPE_DEFAULT_MAX_PIXELS 100000000ULL       /* 100 MP */
#define IMGPIPE_DEFAULT_MAX_BYTES (50ULL * 1024 * 1024) /* 50 MB */

/* Why an input was refused.  Every code but INTERNAL is the input's
 * fault (the handler records status=failed and does not retry);
 * INTERNAL is ours (an encoder failed) and may be retried. */
enum imgpipe_fail {
	IMGPIPE_OK = 0,
	IMGPIPE_FAIL_EMPTY,           /* "empty": zero bytes */
	IMGPIPE_FAIL_TOO_LARGE,       /* "too_large": more bytes than max_bytes */
	IMGPIPE_FAIL_NOT_IMAGE,       /* "not_image": no known image format */
	IMGPIPE_FAIL_UNSUPPORTED,     /* "unsupported": an image format we do not decode */
	IMGPIPE_FAIL_TOO_MANY_PIXELS, /* "too_many_pixels": header over max_pixels */
	IMGPIPE_FAIL_TRUNCATED,       /* "truncated": data ends early */
	IMGPIPE_FAIL_CORRUPT,         /* "corrupt": the decoder reported an error */
	IMGPIPE_FAIL_INTERNAL,        /* "internal": resize/encode failed */
};

enum imgpipe_format {
	IMGPIPE_FMT_JPEG = 0,
	IMGPIPE_FMT_WEBP,
};

/* How the variants are made: one decode (shrink-on-load to the largest
 * variant, the smaller ones resized from it in memory) or one
 * shrink-on-load decode per variant.  SINGLE is the default; the other
 * exists so the bench can measure both. */
enum imgpipe_strategy {
	IMGPIPE_STRATEGY_SINGLE = 0,
	IMGPIPE_STRATEGY_PER_VARIANT,
};

struct imgpipe_variant_spec {
	char name[IMGPIPE_VARIANT_NAME_MAX + 1]; /* [a-z0-9_-]+, unique */
	int size;                /* fits inside size x size */
	enum imgpipe_format format;
	int quality;             /* 1..100 */
};

struct imgpipe_config {
	struct imgpipe_variant_spec variants[IMGPIPE_VARIANTS_MAX];
	size_t n_variants;
	uint64_t max_bytes;      /* 0 = no limit */
	uint64_t max_pixels;     /* width*height of the first frame; 0 = none */
	enum imgpipe_strategy strategy;
};

/* What the header and EXIF say about the input.  Strings are empty when
 * absent; they hold printable ASCII only. */
struct imgpipe_meta {
	char format[8];          /* jpeg png webp gif tiff heic avif */
	int width, height;       /* after orientation */
	int orientation;         /* EXIF orientation 1..8 (1 when absent) */
	int pages;               /* frames/pages in the file (1 for stills) */
	int has_alpha;
	int has_icc;             /* the input carried an ICC profile */
	int cmyk;                /* the input is CMYK */
	char camera_make[64];
	char camera_model[64];
	char date_taken[32];     /* ISO 8601 local time, +offset when known */
};

struct imgpipe_variant {
	char name[IMGPIPE_VARIANT_NAME_MAX + 1];
	enum imgpipe_format format;
	int width, height;
	unsigned char *data;     /* encoded bytes, owned by the result */
	size_t len;
};

struct imgpipe_result {
	enum imgpipe_fail fail;  /* IMGPIPE_OK or the reason */
	char message[256];       /* human-readable detail when fail != OK */
	struct imgpipe_meta meta; /* filled as far as the header was read */
	struct imgpipe_variant variants[IMGPIPE_VARIANTS_MAX];
	size_t n_variants;       /* == config n_variants on success, else 0 */
};

/*
 * Start libvips for this process with the untrusted-input settings
 * (untrusted loaders blocked, operation cache off) and glibc malloc
 * limited to two arenas (process-wide).  argv0 may be NULL.
 * Returns 0, or -1 with a message in err.
 */
int imgpipe_image_init(const char *argv0, char *err, size_t errlen);
void imgpipe_image_shutdown(void);

/*
 * Process len bytes at data (not copied, not kept) under cfg.  Fills
 * *res (always, even on failure: call imgpipe_result_free() after) and
 * returns res->fail.
 */
enum imgpipe_fail imgpipe_image_process(const void *data, size_t len,
					const struct imgpipe_config *cfg,
					struct imgpipe_result *res);

/*
 * The same for a file: its size is checked against cfg->max_bytes from
 * fstat, then it is mapped read-only.  A file that cannot be opened is
 * IMGPIPE_FAIL_INTERNAL with errno's text in the message.
 */
enum imgpipe_fail imgpipe_image_process_file(const char *path,
					     const struct imgpipe_config *cfg,
					     struct imgpipe_result *res);

/* Free the variants' bytes; res stays valid (no variants). */
void imgpipe_result_free(struct imgpipe_result *res);

/* "empty", "not_image", ... ("ok" for IMGPIPE_OK). Static strings. */
const char *imgpipe_fail_code(enum imgpipe_fail fail);
/* "jpeg"/"webp", "jpg"/"webp", "image/jpeg"/"image/webp". */
const char *imgpipe_format_name(enum imgpipe_format fmt);
const char *imgpipe_format_ext(enum imgpipe_format fmt);
const char *imgpipe_format_mime(enum imgpipe_format fmt);

/* --- configuration (image_config.c) --- */

/* The defaults: thumb 200, medium 800, large 1600 JPEG q82 and
 * medium-webp 800 WebP q80; 100 MP; 50 MB; single decode. */
void imgpipe_config_default(struct imgpipe_config *cfg);

/*
 * Replace cfg's variants with those of a JSON array such as
 * [{"name":"thumb","size":200,"format":"jpeg","quality":82}, ...]
 * ("format" defaults to jpeg, "quality" to 82 for JPEG and 80 for WebP).
 * On error returns -1, leaves cfg unchanged and writes why into err.
 */
int imgpipe_config_parse_variants(struct imgpipe_config *cfg,
				  const char *json, char *err, size_t errlen);

/*
 * Defaults overridden by the environment: IMGPIPE_VARIANTS (JSON as
 * above), IMGPIPE_MAX_PIXELS, IMGPIPE_MAX_BYTES (decimal integers).
 * Returns 0, or -1 with the offending variable named in err.
 */
int imgpipe_config_from_env(struct imgpipe_config *cfg, char *err,
			    size_t errlen);

#endif
