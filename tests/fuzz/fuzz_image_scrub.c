/*
 * fuzz_image_scrub.c - the image core's byte-level metadata scrubbers
 * (JPEG segments, WebP RIFF chunks) and format sniffing on arbitrary
 * bytes.  They run on encoder output, but they parse lengths from the
 * data, so they must stay in bounds whatever it holds; a result must be
 * well-formed enough to scrub again to the same length (idempotent).
 *
 * fuzz-sources: pipeline/image_meta.c
 * fuzz-pkgs: vips
 * fuzz-dict: "RIFF"
 * fuzz-dict: "WEBP"
 * fuzz-dict: "VP8X"
 * fuzz-dict: "EXIF"
 * fuzz-dict: "XMP "
 * fuzz-dict: "ICCP"
 * fuzz-dict: "\xff\xd8"
 * fuzz-dict: "\xff\xe1"
 * fuzz-dict: "\xff\xda"
 * fuzz-dict: "ftypheic"
 * fuzz-seed: \xff\xd8\xff\xe0\x00\x04JF\xff\xe1\x00\x06Exif\xff\xda\x00\x02\x00\xff\xd9
 * fuzz-seed: RIFF\x1a\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../pipeline/image_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Scrub a private copy as fmt; check the bounds and idempotence. */
static void one(enum imgpipe_format fmt, const uint8_t *data, size_t size)
{
	unsigned char *b = malloc(size ? size : 1);
	size_t n, again;

	memcpy(b, data, size);
	n = imgpipe_meta_scrub(fmt, b, size);
	if (n > size)
		abort();
	if (n > 0) {
		again = imgpipe_meta_scrub(fmt, b, n);
		if (again != n)
			abort();
	}
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(IMGPIPE_FMT_JPEG, data, size);
	one(IMGPIPE_FMT_WEBP, data, size);
	(void)imgpipe_meta_sniff(data, size);
	return 0;
}
