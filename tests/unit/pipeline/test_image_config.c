/*
 * test_image_config.c - the image core's pure parts, no decoding: the
 * variant configuration (defaults, IMGPIPE_VARIANTS JSON, environment
 * limits), the metadata scrubbers on hand-built JPEG/WebP bytes, format
 * sniffing and the classification of libvips decode errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "image_int.h"

static void test_defaults(void **state)
{
	struct imgpipe_config c;

	(void)state;
	imgpipe_config_default(&c);
	assert_int_equal(c.n_variants, 4);
	assert_string_equal(c.variants[0].name, "thumb");
	assert_int_equal(c.variants[0].size, 200);
	assert_int_equal(c.variants[0].format, IMGPIPE_FMT_JPEG);
	assert_int_equal(c.variants[0].quality, 82);
	assert_string_equal(c.variants[1].name, "medium");
	assert_int_equal(c.variants[1].size, 800);
	assert_string_equal(c.variants[2].name, "large");
	assert_int_equal(c.variants[2].size, 1600);
	assert_int_equal(c.variants[2].quality, 82);
	assert_string_equal(c.variants[3].name, "medium-webp");
	assert_int_equal(c.variants[3].size, 800);
	assert_int_equal(c.variants[3].format, IMGPIPE_FMT_WEBP);
	assert_int_equal(c.max_pixels, 100000000ULL);
	assert_int_equal(c.max_bytes, 50ULL * 1024 * 1024);
	assert_int_equal(c.strategy, IMGPIPE_STRATEGY_SINGLE);
}

static void test_parse_ok(void **state)
{
	struct imgpipe_config c;
	char err[200];

	(void)state;
	imgpipe_config_default(&c);
	assert_int_equal(imgpipe_config_parse_variants(&c,
		"[{\"name\":\"sq\",\"size\":300},"
		" {\"name\":\"w_2\",\"size\":1000,\"format\":\"webp\"},"
		" {\"name\":\"hq\",\"size\":2048,\"format\":\"jpg\",\"quality\":95}]",
		err, sizeof(err)), 0);
	assert_int_equal(c.n_variants, 3);
	assert_string_equal(c.variants[0].name, "sq");
	assert_int_equal(c.variants[0].format, IMGPIPE_FMT_JPEG);
	assert_int_equal(c.variants[0].quality, 82);
	assert_int_equal(c.variants[1].format, IMGPIPE_FMT_WEBP);
	assert_int_equal(c.variants[1].quality, 80);
	assert_int_equal(c.variants[2].size, 2048);
	assert_int_equal(c.variants[2].quality, 95);
}

/* Each bad document is refused with a message and leaves cfg alone. */
static void test_parse_errors(void **state)
{
	static const struct {
		const char *json, *want;
	} bad[] = {
		{ "{}", "not a JSON array" },
		{ "[", "not a JSON array" },
		{ "[]", "empty" },
		{ "[1]", "not an object" },
		{ "[{\"size\":200}]", "required" },
		{ "[{\"name\":\"a\"}]", "required" },
		{ "[{\"name\":\"A\",\"size\":200}]", "name must be" },
		{ "[{\"name\":\"a/b\",\"size\":200}]", "name must be" },
		{ "[{\"name\":\"\",\"size\":200}]", "name must be" },
		{ "[{\"name\":\"a\",\"size\":15}]", "size must be" },
		{ "[{\"name\":\"a\",\"size\":8193}]", "size must be" },
		{ "[{\"name\":\"a\",\"size\":20.5}]", "size must be" },
		{ "[{\"name\":\"a\",\"size\":\"200\"}]", "size must be" },
		{ "[{\"name\":\"a\",\"size\":200,\"format\":\"png\"}]", "format must be" },
		{ "[{\"name\":\"a\",\"size\":200,\"quality\":0}]", "quality must be" },
		{ "[{\"name\":\"a\",\"size\":200,\"quality\":101}]", "quality must be" },
		{ "[{\"name\":\"a\",\"size\":200,\"crop\":true}]", "unknown key \"crop\"" },
		{ "[{\"name\":\"a\",\"size\":200},{\"name\":\"a\",\"size\":300}]",
		  "variant 1: duplicate name \"a\"" },
	};
	struct imgpipe_config c;
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		imgpipe_config_default(&c);
		err[0] = '\0';
		assert_int_equal(imgpipe_config_parse_variants(&c, bad[i].json,
							       err, sizeof(err)), -1);
		if (!strstr(err, bad[i].want))
			fail_msg("%s: got \"%s\", want \"%s\"", bad[i].json, err,
				 bad[i].want);
		assert_int_equal(c.n_variants, 4);
		assert_string_equal(c.variants[0].name, "thumb");
	}
}

static void test_parse_too_many(void **state)
{
	struct imgpipe_config c;
	char json[4096], err[200];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(json + n, sizeof(json) - n, "[");
	for (int i = 0; i <= IMGPIPE_VARIANTS_MAX; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n,
				      "%s{\"name\":\"v%d\",\"size\":100}",
				      i ? "," : "", i);
	snprintf(json + n, sizeof(json) - n, "]");
	imgpipe_config_default(&c);
	assert_int_equal(imgpipe_config_parse_variants(&c, json, err,
						       sizeof(err)), -1);
	assert_non_null(strstr(err, "at most 16"));
}

static void test_env(void **state)
{
	struct imgpipe_config c;
	char err[200];

	(void)state;
	unsetenv("IMGPIPE_VARIANTS");
	unsetenv("IMGPIPE_MAX_PIXELS");
	unsetenv("IMGPIPE_MAX_BYTES");
	assert_int_equal(imgpipe_config_from_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.n_variants, 4);

	setenv("IMGPIPE_VARIANTS", "[{\"name\":\"only\",\"size\":64}]", 1);
	setenv("IMGPIPE_MAX_PIXELS", "1000", 1);
	setenv("IMGPIPE_MAX_BYTES", "2000", 1);
	assert_int_equal(imgpipe_config_from_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.n_variants, 1);
	assert_string_equal(c.variants[0].name, "only");
	assert_int_equal(c.max_pixels, 1000);
	assert_int_equal(c.max_bytes, 2000);

	setenv("IMGPIPE_MAX_PIXELS", "12MP", 1);
	assert_int_equal(imgpipe_config_from_env(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "IMGPIPE_MAX_PIXELS"));
	setenv("IMGPIPE_MAX_PIXELS", "1000", 1);
	setenv("IMGPIPE_VARIANTS", "[{\"name\":\"x\"}]", 1);
	assert_int_equal(imgpipe_config_from_env(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "IMGPIPE_VARIANTS: variant 0"));
	unsetenv("IMGPIPE_VARIANTS");
	unsetenv("IMGPIPE_MAX_PIXELS");
	unsetenv("IMGPIPE_MAX_BYTES");
}

/* A JPEG skeleton: SOI, APP0 JFIF, APP1 Exif, APP2 ICC, APP13, COM,
 * DQT, SOS + entropy bytes, EOI. */
static const unsigned char jpeg_in[] = {
	0xFF, 0xD8,
	0xFF, 0xE0, 0x00, 0x07, 'J', 'F', 'I', 'F', 0,
	0xFF, 0xE1, 0x00, 0x0A, 'E', 'x', 'i', 'f', 0, 0, 'G', 'P',
	0xFF, 0xE2, 0x00, 0x06, 'I', 'C', 'C', '_',
	0xFF, 0xED, 0x00, 0x06, '8', 'B', 'I', 'M',
	0xFF, 0xFE, 0x00, 0x05, 'h', 'i', '!',
	0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01,
	0xFF, 0xDA, 0x00, 0x03, 0x01, 0x12, 0xFF, 0xE1, 0x34,
	0xFF, 0xD9,
};
static const unsigned char jpeg_out[] = {
	0xFF, 0xD8,
	0xFF, 0xE0, 0x00, 0x07, 'J', 'F', 'I', 'F', 0,
	0xFF, 0xE2, 0x00, 0x06, 'I', 'C', 'C', '_',
	0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01,
	/* after SOS everything is copied as is, even bytes like FF E1 */
	0xFF, 0xDA, 0x00, 0x03, 0x01, 0x12, 0xFF, 0xE1, 0x34,
	0xFF, 0xD9,
};

static void test_scrub_jpeg(void **state)
{
	unsigned char b[sizeof(jpeg_in)];
	size_t n;

	(void)state;
	memcpy(b, jpeg_in, sizeof(b));
	n = imgpipe_meta_scrub(IMGPIPE_FMT_JPEG, b, sizeof(b));
	assert_int_equal(n, sizeof(jpeg_out));
	assert_memory_equal(b, jpeg_out, n);
	/* Malformed: not a JPEG, a segment running past the end. */
	memcpy(b, jpeg_in, sizeof(b));
	b[0] = 0;
	assert_int_equal(imgpipe_meta_scrub(IMGPIPE_FMT_JPEG, b, sizeof(b)), 0);
	memcpy(b, jpeg_in, sizeof(b));
	b[4] = 0x7F;
	assert_int_equal(imgpipe_meta_scrub(IMGPIPE_FMT_JPEG, b, sizeof(b)), 0);
	assert_int_equal(imgpipe_meta_scrub(IMGPIPE_FMT_JPEG, b, 3), 0);
}

static void test_scrub_webp(void **state)
{
	/* RIFF WEBP: VP8X (flags ICC|EXIF|XMP), ICCP, "VP8 " (odd size,
	 * padded), EXIF, "XMP ". */
	unsigned char in[] = {
		'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P',
		'V', 'P', '8', 'X', 10, 0, 0, 0, 0x2C, 0, 0, 0, 1, 0, 0, 1, 0, 0,
		'I', 'C', 'C', 'P', 2, 0, 0, 0, 'i', 'c',
		'V', 'P', '8', ' ', 3, 0, 0, 0, 'a', 'b', 'c', 0,
		'E', 'X', 'I', 'F', 4, 0, 0, 0, 'G', 'P', 'S', '!',
		'X', 'M', 'P', ' ', 1, 0, 0, 0, 'x', 0,
	};
	unsigned char want[] = {
		'R', 'I', 'F', 'F', 44, 0, 0, 0, 'W', 'E', 'B', 'P',
		'V', 'P', '8', 'X', 10, 0, 0, 0, 0x20, 0, 0, 0, 1, 0, 0, 1, 0, 0,
		'I', 'C', 'C', 'P', 2, 0, 0, 0, 'i', 'c',
		'V', 'P', '8', ' ', 3, 0, 0, 0, 'a', 'b', 'c', 0,
	};
	unsigned char b[sizeof(in)];
	size_t n;

	(void)state;
	in[4] = (unsigned char)(sizeof(in) - 8);
	memcpy(b, in, sizeof(b));
	n = imgpipe_meta_scrub(IMGPIPE_FMT_WEBP, b, sizeof(b));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(b, want, n);
	/* RIFF size that disagrees with the length; a chunk past the end. */
	memcpy(b, in, sizeof(b));
	b[4]++;
	assert_int_equal(imgpipe_meta_scrub(IMGPIPE_FMT_WEBP, b, sizeof(b)), 0);
	memcpy(b, in, sizeof(b));
	b[sizeof(in) - 6] = 9;
	assert_int_equal(imgpipe_meta_scrub(IMGPIPE_FMT_WEBP, b, sizeof(b)), 0);
}

static void test_sniff(void **state)
{
	(void)state;
	assert_string_equal(imgpipe_meta_sniff("\0\0\0\x18" "ftypheic", 12), "heif");
	assert_string_equal(imgpipe_meta_sniff("\0\0\0\x1c" "ftypavif", 12), "heif");
	assert_string_equal(imgpipe_meta_sniff("%PDF-1.7\n", 9), "pdf");
	assert_string_equal(imgpipe_meta_sniff("8BPS\0\1", 6), "psd");
	assert_string_equal(imgpipe_meta_sniff("<svg xmlns", 10), "svg");
	assert_string_equal(imgpipe_meta_sniff(
		"BM\x36\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0", 18), "bmp");
	assert_null(imgpipe_meta_sniff("BMW is a car brand", 18));
	assert_null(imgpipe_meta_sniff("This is not an image.", 21));
	assert_null(imgpipe_meta_sniff("", 0));
}

static void test_classify_and_names(void **state)
{
	(void)state;
	assert_int_equal(imgpipe_meta_classify("VipsJpeg: Premature end of "
					       "input file"),
			 IMGPIPE_FAIL_TRUNCATED);
	assert_int_equal(imgpipe_meta_classify("gifload: truncated GIF"),
			 IMGPIPE_FAIL_TRUNCATED);
	assert_int_equal(imgpipe_meta_classify("VipsJpeg: Corrupt JPEG data"),
			 IMGPIPE_FAIL_CORRUPT);
	assert_int_equal(imgpipe_meta_classify(""), IMGPIPE_FAIL_CORRUPT);
	assert_string_equal(imgpipe_fail_code(IMGPIPE_OK), "ok");
	assert_string_equal(imgpipe_fail_code(IMGPIPE_FAIL_EMPTY), "empty");
	assert_string_equal(imgpipe_fail_code(IMGPIPE_FAIL_NOT_IMAGE), "not_image");
	assert_string_equal(imgpipe_fail_code(IMGPIPE_FAIL_UNSUPPORTED), "unsupported");
	assert_string_equal(imgpipe_fail_code(IMGPIPE_FAIL_TOO_MANY_PIXELS),
			    "too_many_pixels");
	assert_string_equal(imgpipe_fail_code(IMGPIPE_FAIL_TRUNCATED), "truncated");
	assert_string_equal(imgpipe_fail_code(IMGPIPE_FAIL_CORRUPT), "corrupt");
	assert_string_equal(imgpipe_fail_code(IMGPIPE_FAIL_TOO_LARGE), "too_large");
	assert_string_equal(imgpipe_fail_code(IMGPIPE_FAIL_INTERNAL), "internal");
	assert_string_equal(imgpipe_format_mime(IMGPIPE_FMT_JPEG), "image/jpeg");
	assert_string_equal(imgpipe_format_mime(IMGPIPE_FMT_WEBP), "image/webp");
	assert_string_equal(imgpipe_format_ext(IMGPIPE_FMT_JPEG), "jpg");
	assert_string_equal(imgpipe_meta_format_of_loader("VipsForeignLoadNsgifBuffer"),
			    "gif");
	assert_null(imgpipe_meta_format_of_loader("VipsForeignLoadSvgBuffer"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_too_many),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_scrub_jpeg),
		cmocka_unit_test(test_scrub_webp),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_classify_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
