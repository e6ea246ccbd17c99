/*
 * test_image.c - the image core on every fixture in fixtures/images:
 * dimensions after orientation (all eight EXIF orientations, checked on
 * the pixels too), CMYK/16-bit/alpha/animated/HEIF inputs, the failure
 * codes for bad input, the pixel limit from the header, no upscaling,
 * JPEG q82 quantisation tables and WebP output, and that no variant
 * carries EXIF/XMP/IPTC (only an ICC profile).
 *
 * Fixtures are found under $IMGPIPE_FIXTURES or fixtures/images (run from
 * the repository root, as `make unit` does).  Nothing here is timed: the
 * bomb's "cheaply" is checked as peak-RSS growth, which is deterministic
 * enough at the scale involved (a decode would need gigabytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "image_int.h"

static char path_buf[1024];

/* The path of fixture name (valid until the next call). */
static const char *fx(const char *name)
{
	const char *dir = getenv("IMGPIPE_FIXTURES");

	snprintf(path_buf, sizeof(path_buf), "%s/%s",
		 dir && *dir ? dir : "fixtures/images", name);
	return path_buf;
}

/* Process a fixture with the default configuration (or cfg). */
static enum imgpipe_fail run(const char *name, const struct imgpipe_config *cfg,
			     struct imgpipe_result *res)
{
	struct imgpipe_config def;

	if (!cfg) {
		imgpipe_config_default(&def);
		cfg = &def;
	}
	return imgpipe_image_process_file(fx(name), cfg, res);
}

static const struct imgpipe_variant *variant(const struct imgpipe_result *r,
					     const char *name)
{
	for (size_t i = 0; i < r->n_variants; i++)
		if (strcmp(r->variants[i].name, name) == 0)
			return &r->variants[i];
	fail_msg("no variant %s", name);
	return NULL;
}

/* Decode a variant's bytes into a memory image (caller unrefs). */
static VipsImage *decode(const struct imgpipe_variant *v)
{
	VipsImage *lazy = vips_image_new_from_buffer(v->data, v->len, "", NULL);
	VipsImage *mem;

	assert_non_null(lazy);
	mem = vips_image_copy_memory(lazy);
	g_object_unref(lazy);
	assert_non_null(mem);
	return mem;
}

/* Mean absolute difference of two same-size images (all bands). */
static double mean_diff(VipsImage *a, VipsImage *b)
{
	VipsImage *d = NULL, *ad = NULL;
	double avg = -1;

	assert_int_equal(a->Xsize, b->Xsize);
	assert_int_equal(a->Ysize, b->Ysize);
	assert_int_equal(vips_subtract(a, b, &d, NULL), 0);
	assert_int_equal(vips_abs(d, &ad, NULL), 0);
	assert_int_equal(vips_avg(ad, &avg, NULL), 0);
	g_object_unref(d);
	g_object_unref(ad);
	return avg;
}

/*
 * The metadata check every processed fixture goes through: walk the
 * encoded bytes (JPEG segments before SOS / WebP chunks) and refuse
 * anything but image data and an ICC profile; then decode and make sure
 * libvips sees no EXIF, XMP or IPTC either.
 */
static void assert_no_metadata(const struct imgpipe_variant *v)
{
	const unsigned char *b = v->data;
	VipsImage *img;
	gchar **names;

	if (v->format == IMGPIPE_FMT_JPEG) {
		size_t i = 2;

		assert_true(v->len > 4 && b[0] == 0xFF && b[1] == 0xD8);
		while (i + 4 <= v->len && b[i + 1] != 0xDA) {
			unsigned m = b[i + 1];

			assert_int_equal(b[i], 0xFF);
			if (m >= 0xE0 && m <= 0xEF && m != 0xE0 && m != 0xE2 && m != 0xEE)
				fail_msg("%s: APP%u segment left", v->name, m - 0xE0);
			if (m == 0xFE)
				fail_msg("%s: COM segment left", v->name);
			i += 2 + ((size_t)b[i + 2] << 8 | b[i + 3]);
		}
		assert_true(i + 4 <= v->len);
	} else {
		size_t i = 12;

		assert_memory_equal(b, "RIFF", 4);
		assert_memory_equal(b + 8, "WEBP", 4);
		while (i + 8 <= v->len) {
			size_t size = (size_t)b[i + 4] | (size_t)b[i + 5] << 8 |
				      (size_t)b[i + 6] << 16 | (size_t)b[i + 7] << 24;

			if (memcmp(b + i, "VP8X", 4) == 0)
				assert_int_equal(b[i + 8] & 0x0C, 0);
			else if (memcmp(b + i, "VP8 ", 4) && memcmp(b + i, "VP8L", 4) &&
				 memcmp(b + i, "ALPH", 4) && memcmp(b + i, "ICCP", 4))
				fail_msg("%s: chunk %.4s left", v->name, b + i);
			i += 8 + size + (size & 1);
		}
		assert_int_equal(i, v->len);
	}
	img = decode(v);
	names = vips_image_get_fields(img);
	for (gchar **p = names; *p; p++)
		if (strncmp(*p, "exif-", 5) == 0 || strcmp(*p, "xmp-data") == 0 ||
		    strcmp(*p, "iptc-data") == 0 || strcmp(*p, "orientation") == 0)
			fail_msg("%s: field %s left", v->name, *p);
	g_strfreev(names);
	assert_int_equal(img->BandFmt, VIPS_FORMAT_UCHAR);
	assert_int_equal(img->Type, VIPS_INTERPRETATION_sRGB);
	g_object_unref(img);
}

/* Every variant of a processed result: dims match the fit rule, never
 * larger than the source, and no metadata. */
static void check_variants(const struct imgpipe_result *r)
{
	struct imgpipe_config def;

	imgpipe_config_default(&def);
	assert_int_equal(r->n_variants, def.n_variants);
	for (size_t i = 0; i < r->n_variants; i++) {
		const struct imgpipe_variant *v = &r->variants[i];
		int side = def.variants[i].size;
		int longest = v->width > v->height ? v->width : v->height;

		assert_string_equal(v->name, def.variants[i].name);
		assert_int_equal(v->format, def.variants[i].format);
		assert_true(v->width <= r->meta.width && v->height <= r->meta.height);
		if (r->meta.width > side || r->meta.height > side)
			assert_int_equal(longest, side);
		else {
			assert_int_equal(v->width, r->meta.width);
			assert_int_equal(v->height, r->meta.height);
		}
		assert_no_metadata(v);
	}
}

/* The processed fixtures with their oriented size and format. */
static const struct {
	const char *file, *format;
	int w, h;
} good[] = {
	{ "photo_12mp_xiaomi_orient3_gps.jpg", "jpeg", 4000, 3000 },
	{ "photo_2.5mp_canon.jpg", "jpeg", 1920, 1280 },
	{ "photo_4mp_sony_gps_progressive.jpg", "jpeg", 2560, 1600 },
	{ "photo_orient6_rotated.jpg", "jpeg", 1920, 1280 },
	{ "photoshop_iptc_icc.jpg", "jpeg", 200, 145 },
	{ "photo_cmyk.jpg", "jpeg", 1024, 683 },
	{ "photo_16bit.png", "png", 640, 427 },
	{ "alpha_rgba_512.png", "png", 512, 512 },
	{ "anim_45frames.gif", "gif", 660, 666 },
	{ "photo.webp", "webp", 1920, 1280 },
	{ "photo.heic", "heic", 1920, 1280 },
	{ "photo.avif", "avif", 1920, 1280 },
	{ "photo_deflate.tif", "tiff", 1024, 683 },
};

/* libvips here may or may not read HEIF; the outcome must follow. */
static int have_heif(void)
{
	return vips_type_find("VipsOperation", "heifload_buffer") != 0;
}

static void test_good_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct imgpipe_result r;
		int heif = strcmp(good[i].format, "heic") == 0 ||
			   strcmp(good[i].format, "avif") == 0;

		if (heif && !have_heif()) {
			assert_int_equal(run(good[i].file, NULL, &r),
					 IMGPIPE_FAIL_UNSUPPORTED);
			continue;
		}
		if (run(good[i].file, NULL, &r) != IMGPIPE_OK)
			fail_msg("%s: %s: %s", good[i].file,
				 imgpipe_fail_code(r.fail), r.message);
		assert_string_equal(r.meta.format, good[i].format);
		assert_int_equal(r.meta.width, good[i].w);
		assert_int_equal(r.meta.height, good[i].h);
		check_variants(&r);
		imgpipe_result_free(&r);
		assert_int_equal(r.n_variants, 0);
	}
}

/* All eight orientations (and none) give an upright 50x70 "F" that
 * matches orientation_1's pixels; a mirrored F does not. */
static void test_orientations(void **state)
{
	struct imgpipe_result ref, r;
	VipsImage *want, *got, *flipped = NULL;
	char name[64];

	(void)state;
	assert_int_equal(run("orientation/orientation_1.jpg", NULL, &ref), IMGPIPE_OK);
	want = decode(variant(&ref, "large"));
	assert_int_equal(vips_flip(want, &flipped, VIPS_DIRECTION_HORIZONTAL, NULL), 0);
	assert_true(mean_diff(want, flipped) > 30);
	for (int n = 0; n <= 8; n++) {
		snprintf(name, sizeof(name), "orientation/orientation_%d.jpg", n);
		assert_int_equal(run(name, NULL, &r), IMGPIPE_OK);
		assert_int_equal(r.meta.orientation, n == 0 ? 1 : n);
		assert_int_equal(r.meta.width, 50);
		assert_int_equal(r.meta.height, 70);
		for (size_t i = 0; i < r.n_variants; i++) {
			assert_int_equal(r.variants[i].width, 50);
			assert_int_equal(r.variants[i].height, 70);
		}
		got = decode(variant(&r, "large"));
		if (mean_diff(want, got) > 8)
			fail_msg("%s: not upright (mean diff %.1f)", name,
				 mean_diff(want, got));
		g_object_unref(got);
		check_variants(&r);
		imgpipe_result_free(&r);
	}
	g_object_unref(flipped);
	g_object_unref(want);
	imgpipe_result_free(&ref);
}

/* The 90°-rotated copy with Orientation=6 gives the original's picture;
 * the 12 MP Orientation=3 photo comes out 4000x3000 landscape. */
static void test_rotated_photos(void **state)
{
	struct imgpipe_result a, b;
	VipsImage *ia, *ib;

	(void)state;
	assert_int_equal(run("photo_2.5mp_canon.jpg", NULL, &a), IMGPIPE_OK);
	assert_int_equal(run("photo_orient6_rotated.jpg", NULL, &b), IMGPIPE_OK);
	assert_int_equal(b.meta.orientation, 6);
	ia = decode(variant(&a, "medium"));
	ib = decode(variant(&b, "medium"));
	assert_int_equal(ib->Xsize, 800);
	assert_int_equal(ib->Ysize, 533);
	assert_true(mean_diff(ia, ib) < 3);
	g_object_unref(ia);
	g_object_unref(ib);
	imgpipe_result_free(&a);
	imgpipe_result_free(&b);

	assert_int_equal(run("photo_12mp_xiaomi_orient3_gps.jpg", NULL, &a), IMGPIPE_OK);
	assert_int_equal(a.meta.orientation, 3);
	assert_int_equal(variant(&a, "large")->width, 1600);
	assert_int_equal(variant(&a, "large")->height, 1200);
	assert_int_equal(variant(&a, "thumb")->width, 200);
	assert_int_equal(variant(&a, "thumb")->height, 150);
	assert_string_equal(a.meta.camera_make, "Xiaomi");
	assert_string_equal(a.meta.camera_model, "Mi A3");
	assert_string_equal(a.meta.date_taken, "2020-01-24T23:11:53");
	imgpipe_result_free(&a);
}

/* CMYK, 16-bit, alpha, animation: all come out 8-bit sRGB; JPEG is
 * flattened on white, WebP keeps alpha; a GIF gives its first frame. */
static void test_colour_inputs(void **state)
{
	struct imgpipe_result r, ref;
	VipsImage *img, *want;
	double *px = NULL;
	int n = 0;

	(void)state;
	assert_int_equal(run("photo_cmyk.jpg", NULL, &r), IMGPIPE_OK);
	assert_int_equal(r.meta.cmyk, 1);
	assert_int_equal(run("photo_2.5mp_canon.jpg", NULL, &ref), IMGPIPE_OK);
	img = decode(variant(&r, "thumb"));
	want = decode(variant(&ref, "thumb"));
	assert_int_equal(img->Bands, 3);
	/* lighter (libvips' generic CMYK profile), never inverted */
	assert_true(mean_diff(img, want) < 40);
	g_object_unref(img);
	g_object_unref(want);
	imgpipe_result_free(&r);
	imgpipe_result_free(&ref);

	assert_int_equal(run("photo_16bit.png", NULL, &r), IMGPIPE_OK);
	img = decode(variant(&r, "medium"));
	assert_int_equal(img->Bands, 3);
	assert_int_equal(img->BandFmt, VIPS_FORMAT_UCHAR);
	g_object_unref(img);
	imgpipe_result_free(&r);

	assert_int_equal(run("alpha_rgba_512.png", NULL, &r), IMGPIPE_OK);
	assert_int_equal(r.meta.has_alpha, 1);
	img = decode(variant(&r, "thumb"));      /* corner is transparent */
	assert_int_equal(img->Bands, 3);
	assert_int_equal(vips_getpoint(img, &px, &n, 0, 0, NULL), 0);
	assert_int_equal(n, 3);
	assert_true(px[0] >= 250 && px[1] >= 250 && px[2] >= 250);
	g_free(px);
	g_object_unref(img);
	img = decode(variant(&r, "medium-webp"));
	assert_int_equal(img->Bands, 4);
	g_object_unref(img);
	imgpipe_result_free(&r);

	assert_int_equal(run("anim_45frames.gif", NULL, &r), IMGPIPE_OK);
	assert_int_equal(r.meta.pages, 45);
	assert_int_equal(variant(&r, "thumb")->width, 198);
	assert_int_equal(variant(&r, "thumb")->height, 200);
	img = decode(variant(&r, "medium-webp"));
	assert_int_equal(vips_image_get_n_pages(img), 1);
	assert_int_equal(img->Ysize, 666);
	g_object_unref(img);
	imgpipe_result_free(&r);
}

/* The Adobe RGB profile is converted away: variants carry an sRGB
 * profile (the only metadata kept), not the input's. */
static void test_icc_kept_as_srgb(void **state)
{
	struct imgpipe_result r;
	const void *icc;
	size_t len;

	(void)state;
	assert_int_equal(run("photoshop_iptc_icc.jpg", NULL, &r), IMGPIPE_OK);
	assert_int_equal(r.meta.has_icc, 1);
	for (size_t i = 0; i < r.n_variants; i++) {
		VipsImage *img = decode(&r.variants[i]);

		assert_int_equal(vips_image_get_blob(img, VIPS_META_ICC_NAME,
						     &icc, &len), 0);
		assert_true(len != 560); /* the input's Adobe RGB profile */
		assert_non_null(memmem(icc, len, "sRGB", 4));
		g_object_unref(img);
	}
	imgpipe_result_free(&r);
}

static void test_bad_inputs(void **state)
{
	static const struct {
		const char *file;
		enum imgpipe_fail want;
	} bad[] = {
		{ "bad_empty.jpg", IMGPIPE_FAIL_EMPTY },
		{ "bad_text.jpg", IMGPIPE_FAIL_NOT_IMAGE },
		{ "bad_truncated.jpg", IMGPIPE_FAIL_TRUNCATED },
		{ "bomb_50000x50000_truncated.png", IMGPIPE_FAIL_TOO_MANY_PIXELS },
		{ "README.md", IMGPIPE_FAIL_NOT_IMAGE },
	};
	struct imgpipe_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (run(bad[i].file, NULL, &r) != bad[i].want)
			fail_msg("%s: got %s (%s), want %s", bad[i].file,
				 imgpipe_fail_code(r.fail), r.message,
				 imgpipe_fail_code(bad[i].want));
		assert_int_equal(r.n_variants, 0);
		assert_true(r.message[0] != '\0');
	}
	assert_int_equal(imgpipe_image_process_file(fx("no-such-file.jpg"), &(struct imgpipe_config){ 0 }, &r),
			 IMGPIPE_FAIL_INTERNAL);
	assert_int_equal(imgpipe_image_process("%PDF-1.4\n%\xe2\xe3\n", 14,
					       &(struct imgpipe_config){ 0 }, &r),
			 IMGPIPE_FAIL_UNSUPPORTED);
	/* a configuration with no variants is the caller's bug: internal */
	assert_int_equal(run("orientation/orientation_1.jpg",
			     &(struct imgpipe_config){ 0 }, &r), IMGPIPE_FAIL_INTERNAL);
	assert_int_equal(r.n_variants, 0);
}

/* The full 2.5 Gpixel bomb is refused from its header: peak RSS grows by
 * far less than any decode would need (>= 300 MB even at 1 bit/pixel). */
static void test_bomb_refused_from_header(void **state)
{
	struct imgpipe_result r;
	struct rusage before, after;

	(void)state;
	getrusage(RUSAGE_SELF, &before);
	assert_int_equal(run("bomb_50000x50000.png", NULL, &r),
			 IMGPIPE_FAIL_TOO_MANY_PIXELS);
	getrusage(RUSAGE_SELF, &after);
	assert_int_equal(r.meta.width, 50000);
	assert_int_equal(r.meta.height, 50000);
	assert_int_equal(r.n_variants, 0);
	assert_true(after.ru_maxrss - before.ru_maxrss < 64 * 1024); /* KiB */
}

/* The limits are exact: max_pixels at the image's size passes, one less
 * fails; max_bytes likewise. */
static void test_limits(void **state)
{
	struct imgpipe_config c;
	struct imgpipe_result r;

	(void)state;
	imgpipe_config_default(&c);
	c.max_pixels = 1920 * 1280;
	assert_int_equal(run("photo_2.5mp_canon.jpg", &c, &r), IMGPIPE_OK);
	imgpipe_result_free(&r);
	c.max_pixels--;
	assert_int_equal(run("photo_2.5mp_canon.jpg", &c, &r),
			 IMGPIPE_FAIL_TOO_MANY_PIXELS);
	imgpipe_config_default(&c);
	c.max_bytes = 695070;
	assert_int_equal(run("photo_2.5mp_canon.jpg", &c, &r), IMGPIPE_OK);
	imgpipe_result_free(&r);
	c.max_bytes--;
	assert_int_equal(run("photo_2.5mp_canon.jpg", &c, &r), IMGPIPE_FAIL_TOO_LARGE);
}

/* Variants larger than the image stay at the image's size. */
static void test_never_upscaled(void **state)
{
	struct imgpipe_config c;
	struct imgpipe_result r;
	char err[128];

	(void)state;
	imgpipe_config_default(&c);
	assert_int_equal(imgpipe_config_parse_variants(&c,
		"[{\"name\":\"huge\",\"size\":8000},"
		" {\"name\":\"huge-webp\",\"size\":4000,\"format\":\"webp\"},"
		" {\"name\":\"w\",\"size\":1920}]", err, sizeof(err)), 0);
	assert_int_equal(run("photo_2.5mp_canon.jpg", &c, &r), IMGPIPE_OK);
	for (size_t i = 0; i < r.n_variants; i++) {
		assert_int_equal(r.variants[i].width, 1920);
		assert_int_equal(r.variants[i].height, 1280);
	}
	imgpipe_result_free(&r);
}

/* The JPEG variants use libjpeg's standard luminance table scaled for
 * quality 82; the WebP one holds a lossy VP8 bitstream (not VP8L). */
static void test_encoding(void **state)
{
	static const unsigned char zigzag[64] = {
		0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
		12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
		35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
		58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
	};
	static const int lum[64] = {
		16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
		14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
		18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
		49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
	};
	struct imgpipe_result r;
	const struct imgpipe_variant *v;
	const unsigned char *b;
	size_t i = 2;

	(void)state;
	assert_int_equal(run("photo_2.5mp_canon.jpg", NULL, &r), IMGPIPE_OK);
	v = variant(&r, "medium");
	b = v->data;
	while (i + 4 < v->len && b[i + 1] != 0xDB)
		i += 2 + ((size_t)b[i + 2] << 8 | b[i + 3]);
	assert_int_equal(b[i + 1], 0xDB);
	assert_int_equal(b[i + 4], 0x00); /* 8-bit table 0 (luminance) */
	for (int k = 0; k < 64; k++) {
		int q = (lum[zigzag[k]] * (200 - 2 * 82) + 50) / 100;

		assert_int_equal(b[i + 5 + k], q < 1 ? 1 : q);
	}
	v = variant(&r, "medium-webp");
	b = v->data;
	for (i = 12; i + 8 <= v->len && memcmp(b + i, "VP8 ", 4);)
		i += 8 + ((size_t)b[i + 4] | (size_t)b[i + 5] << 8 |
			  (size_t)b[i + 6] << 16 | (size_t)b[i + 7] << 24);
	assert_true(i + 8 <= v->len); /* a lossy VP8 bitstream */
	imgpipe_result_free(&r);
}

/* The per-variant strategy gives the same sizes and nearly the same
 * pixels as the single decode. */
static void test_strategies_agree(void **state)
{
	struct imgpipe_config c;
	struct imgpipe_result a, b;

	(void)state;
	imgpipe_config_default(&c);
	assert_int_equal(run("photo_12mp_xiaomi_orient3_gps.jpg", &c, &a), IMGPIPE_OK);
	c.strategy = IMGPIPE_STRATEGY_PER_VARIANT;
	assert_int_equal(run("photo_12mp_xiaomi_orient3_gps.jpg", &c, &b), IMGPIPE_OK);
	for (size_t i = 0; i < a.n_variants; i++) {
		VipsImage *ia = decode(&a.variants[i]), *ib = decode(&b.variants[i]);

		assert_int_equal(a.variants[i].width, b.variants[i].width);
		assert_int_equal(a.variants[i].height, b.variants[i].height);
		assert_true(mean_diff(ia, ib) < 3);
		g_object_unref(ia);
		g_object_unref(ib);
	}
	check_variants(&b);
	imgpipe_result_free(&a);
	imgpipe_result_free(&b);
}

/* True if the RIFF WebP or JPEG bytes hold an EXIF chunk / APP1 Exif. */
static int has_exif(const unsigned char *b, size_t len)
{
	return memmem(b, len, "EXIF", 4) != NULL || memmem(b, len, "Exif\0\0", 6) != NULL;
}

/* The scrubber on what libvips itself writes: a WebP and a JPEG saved
 * with their metadata (as libvips 8.14's webpsave does even with strip)
 * lose their EXIF/XMP and still decode to the same image. */
static void test_scrub_real_encoder_output(void **state)
{
	VipsImage *in, *in2, *small = NULL, *back;
	void *buf = NULL;
	size_t len = 0, n;

	(void)state;
	in = vips_image_new_from_file(fx("photo_4mp_sony_gps_progressive.jpg"), NULL);
	assert_non_null(in);
	assert_int_equal(vips_resize(in, &small, 0.1, NULL), 0);
	assert_int_equal(vips_webpsave_buffer(small, &buf, &len, NULL), 0);
	assert_true(has_exif(buf, len));        /* the encoder wrote EXIF */
	n = imgpipe_meta_scrub(IMGPIPE_FMT_WEBP, buf, len);
	assert_true(n > 0 && n < len);
	assert_false(has_exif(buf, n));
	assert_null(memmem(buf, n, "XMP ", 4));
	back = vips_image_new_from_buffer(buf, n, "", NULL);
	assert_non_null(back);
	assert_int_equal(back->Xsize, small->Xsize);
	assert_false(vips_image_get_typeof(back, VIPS_META_EXIF_NAME));
	g_object_unref(back);
	g_free(buf);

	assert_int_equal(vips_jpegsave_buffer(small, &buf, &len, NULL), 0);
	assert_true(has_exif(buf, len));
	n = imgpipe_meta_scrub(IMGPIPE_FMT_JPEG, buf, len);
	assert_true(n > 0 && n < len);
	assert_false(has_exif(buf, n));
	assert_null(memmem(buf, n, "http://ns.adobe.com/xap/", 24));
	in2 = vips_image_new_from_buffer(buf, n, "", NULL);
	assert_non_null(in2);
	back = vips_image_copy_memory(in2);     /* decodes every pixel */
	g_object_unref(in2);
	assert_non_null(back);
	assert_int_equal(back->Ysize, small->Ysize);
	g_object_unref(back);
	g_free(buf);
	g_object_unref(small);
	g_object_unref(in);
}

/* Expected libvips warnings (the truncated JPEG's "error in tile", HEIF's
 * "ignoring nclx profile") would bury the test report; drop them. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg,
		  gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

static int setup(void **state)
{
	char err[256];

	(void)state;
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, quiet, NULL);
	if (imgpipe_image_init("test_image", err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	imgpipe_image_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_fixtures),
		cmocka_unit_test(test_orientations),
		cmocka_unit_test(test_rotated_photos),
		cmocka_unit_test(test_colour_inputs),
		cmocka_unit_test(test_icc_kept_as_srgb),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_bomb_refused_from_header),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_never_upscaled),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_strategies_agree),
		cmocka_unit_test(test_scrub_real_encoder_output),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
