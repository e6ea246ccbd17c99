/*
 * image.c - the image core's main path: sniff, check limits from the
 * header, decode once with shrink-on-load, make every variant, encode.
 *
 * The order matters for untrusted input:
 *   1. size checks on the bytes (empty, max_bytes);
 *   2. the loader is chosen from the bytes by libvips and must be one of
 *      ours (JPEG, PNG, WebP, GIF, TIFF, HEIF), else `unsupported`;
 *   3. the header alone is read (lazy libvips image, no pixels) and the
 *      pixel limit applied, so a 50000x50000 bomb costs a header parse;
 *   4. one vips_thumbnail_buffer() decode with fail_on=error to the
 *      largest variant (JPEG/WebP/HEIF decoders shrink while loading),
 *      auto-rotated and colour-converted to sRGB, copied to memory; any
 *      error up to here is the input's fault (truncated/corrupt);
 *   5. the smaller variants are resized from that memory image, then each
 *      one is flattened (JPEG), stripped of metadata but its ICC profile,
 *      encoded, and its bytes scrubbed of any EXIF/XMP the encoder still
 *      wrote (libvips 8.14's webpsave ignores `strip`).
 * Target sizes are computed here, from the oriented header dimensions,
 * and forced exactly, so both strategies give the same width/height.
 */
#include "image_int.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int imgpipe_image_init(const char *argv0, char *err, size_t errlen)
{
	/* libvips' worker threads would each get a glibc malloc arena;
	 * two arenas cut the 12 MP peak RSS by ~10 MB (measured) for no
	 * measurable time.  Done here, before libvips starts any thread. */
	mallopt(M_ARENA_MAX, 2);
	if (VIPS_INIT(argv0 ? argv0 : "imgpipe")) {
		snprintf(err, errlen, "libvips init failed: %s",
			 vips_error_buffer());
		vips_error_clear();
		return -1;
	}
	/* Loaders libvips itself marks unfit for hostile input (magick,
	 * matlab, FITS, ...) are refused whatever the bytes look like. */
	vips_block_untrusted_set(TRUE);
	/* A long-lived worker must not keep decoded images between calls. */
	vips_cache_set_max(0);
	return 0;
}

void imgpipe_image_shutdown(void)
{
	vips_shutdown();
}

const char *imgpipe_fail_code(enum imgpipe_fail fail)
{
	switch (fail) {
	case IMGPIPE_OK: return "ok";
	case IMGPIPE_FAIL_EMPTY: return "empty";
	case IMGPIPE_FAIL_TOO_LARGE: return "too_large";
	case IMGPIPE_FAIL_NOT_IMAGE: return "not_image";
	case IMGPIPE_FAIL_UNSUPPORTED: return "unsupported";
	case IMGPIPE_FAIL_TOO_MANY_PIXELS: return "too_many_pixels";
	case IMGPIPE_FAIL_TRUNCATED: return "truncated";
	case IMGPIPE_FAIL_CORRUPT: return "corrupt";
	case IMGPIPE_FAIL_INTERNAL: return "internal";
	}
	return "internal";
}

const char *imgpipe_format_name(enum imgpipe_format fmt)
{
	return fmt == IMGPIPE_FMT_WEBP ? "webp" : "jpeg";
}

const char *imgpipe_format_ext(enum imgpipe_format fmt)
{
	return fmt == IMGPIPE_FMT_WEBP ? "webp" : "jpg";
}

const char *imgpipe_format_mime(enum imgpipe_format fmt)
{
	return fmt == IMGPIPE_FMT_WEBP ? "image/webp" : "image/jpeg";
}

/* Record a failure in res (printf-style message) and return the code. */
static enum imgpipe_fail fail(struct imgpipe_result *res, enum imgpipe_fail code,
			      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static enum imgpipe_fail fail(struct imgpipe_result *res, enum imgpipe_fail code,
			      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	res->fail = code;
	return code;
}

/* Take libvips' error text (first line) into res with the given code,
 * or the code imgpipe_meta_classify() finds when code is OK. */
static enum imgpipe_fail fail_vips(struct imgpipe_result *res,
				   enum imgpipe_fail code, const char *what)
{
	char line[200];
	const char *msg = vips_error_buffer();
	size_t n = strcspn(msg, "\n");

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, msg, n);
	line[n] = '\0';
	if (code == IMGPIPE_OK)
		code = imgpipe_meta_classify(msg);
	vips_error_clear();
	return fail(res, code, "%s: %s", what, line[0] ? line : "libvips error");
}

/* The size (w x h) that fits an oriented iw x ih image inside a
 * side x side square without upscaling; sides rounded, at least 1. */
static void fit(int iw, int ih, int side, int *w, int *h)
{
	if (iw <= side && ih <= side) {
		*w = iw;
		*h = ih;
	} else if (iw >= ih) {
		*w = side;
		*h = (int)((double)ih * side / iw + 0.5);
	} else {
		*h = side;
		*w = (int)((double)iw * side / ih + 0.5);
	}
	if (*w < 1)
		*w = 1;
	if (*h < 1)
		*h = 1;
}

/*
 * Decode data to exactly w x h (oriented), sRGB, into memory.  cm asks
 * for an ICC transform to sRGB (input has a profile or is CMYK).  Returns
 * a new memory image (caller unrefs) or NULL with the failure in res.
 */
static VipsImage *decode_to(const void *data, size_t len, int w, int h,
			    int cm, struct imgpipe_result *res)
{
	VipsImage *t = NULL, *mem;
	int rc;

	if (cm)
		rc = vips_thumbnail_buffer((void *)data, len, &t, w, "height", h,
					   "size", VIPS_SIZE_FORCE,
					   "option_string", "fail_on=error",
					   "export_profile", "srgb", NULL);
	else
		rc = vips_thumbnail_buffer((void *)data, len, &t, w, "height", h,
					   "size", VIPS_SIZE_FORCE,
					   "option_string", "fail_on=error", NULL);
	if (rc) {
		fail_vips(res, IMGPIPE_OK, "decode");
		return NULL;
	}
	/* The pixels are computed here: decode errors surface now. */
	mem = vips_image_copy_memory(t);
	g_object_unref(t);
	if (!mem)
		fail_vips(res, IMGPIPE_OK, "decode");
	return mem;
}

/*
 * Encode img (w x h already) as spec says into v.  Returns 0, or -1 with
 * an INTERNAL failure in res.  img is not consumed.
 */
static int encode(VipsImage *img, const struct imgpipe_variant_spec *spec,
		  struct imgpipe_variant *v, struct imgpipe_result *res)
{
	VipsObject *scope = VIPS_OBJECT(vips_image_new());
	VipsImage **t = (VipsImage **)vips_object_local_array(scope, 4);
	VipsImage *x = img;
	void *buf = NULL;
	size_t len = 0;
	int rc;

	if (x->Type != VIPS_INTERPRETATION_sRGB) {
		if (vips_colourspace(x, &t[0], VIPS_INTERPRETATION_sRGB, NULL))
			goto bad;
		x = t[0];
	}
	if (spec->format == IMGPIPE_FMT_JPEG && vips_image_hasalpha(x)) {
		double white[3] = { 255, 255, 255 };
		VipsArrayDouble *bg = vips_array_double_new(white, 3);

		rc = vips_flatten(x, &t[1], "background", bg, NULL);
		vips_area_unref(VIPS_AREA(bg));
		if (rc)
			goto bad;
		x = t[1];
	}
	if (x->BandFmt != VIPS_FORMAT_UCHAR) {
		if (vips_cast_uchar(x, &t[2], NULL))
			goto bad;
		x = t[2];
	}
	if (vips_copy(x, &t[3], NULL))
		goto bad;
	x = t[3];
	imgpipe_meta_strip(x);
	if (spec->format == IMGPIPE_FMT_WEBP)
		rc = vips_webpsave_buffer(x, &buf, &len, "Q", spec->quality,
					  "strip", FALSE, NULL);
	else
		rc = vips_jpegsave_buffer(x, &buf, &len, "Q", spec->quality,
					  "optimize_coding", TRUE, NULL);
	if (rc)
		goto bad;
	len = imgpipe_meta_scrub(spec->format, buf, len);
	if (len == 0) {
		g_free(buf);
		g_object_unref(scope);
		fail(res, IMGPIPE_FAIL_INTERNAL, "encode %s: the encoder's "
		     "output is not well-formed", spec->name);
		return -1;
	}
	snprintf(v->name, sizeof(v->name), "%s", spec->name);
	v->format = spec->format;
	v->width = x->Xsize;
	v->height = x->Ysize;
	v->data = buf;
	v->len = len;
	g_object_unref(scope);
	return 0;
bad:
	g_object_unref(scope);
	fail_vips(res, IMGPIPE_FAIL_INTERNAL, "encode");
	return -1;
}

/* Resize the memory image mem to exactly w x h (no rotation: it is
 * already upright).  New reference or NULL (INTERNAL in res). */
static VipsImage *resize_to(VipsImage *mem, int w, int h,
			    struct imgpipe_result *res)
{
	VipsImage *out = NULL;

	if (mem->Xsize == w && mem->Ysize == h) {
		g_object_ref(mem);
		return mem;
	}
	if (vips_thumbnail_image(mem, &out, w, "height", h, "size",
				 VIPS_SIZE_FORCE, "no_rotate", TRUE, NULL)) {
		fail_vips(res, IMGPIPE_FAIL_INTERNAL, "resize");
		return NULL;
	}
	return out;
}

/* Make every variant of cfg into res; data is the whole input.  Returns
 * res->fail. */
static enum imgpipe_fail make_variants(const void *data, size_t len,
				       const struct imgpipe_config *cfg,
				       struct imgpipe_result *res)
{
	int cm = res->meta.has_icc;
	int tw[IMGPIPE_VARIANTS_MAX], th[IMGPIPE_VARIANTS_MAX];
	size_t big = 0;
	VipsImage *mem = NULL;

	if (cfg->n_variants == 0 || cfg->n_variants > IMGPIPE_VARIANTS_MAX)
		return fail(res, IMGPIPE_FAIL_INTERNAL, "%zu variants configured "
			    "(1 to %d allowed)", cfg->n_variants,
			    IMGPIPE_VARIANTS_MAX);
	for (size_t i = 0; i < cfg->n_variants; i++) {
		fit(res->meta.width, res->meta.height, cfg->variants[i].size,
		    &tw[i], &th[i]);
		if ((long)tw[i] * th[i] > (long)tw[big] * th[big])
			big = i;
	}
	if (cfg->strategy == IMGPIPE_STRATEGY_SINGLE) {
		mem = decode_to(data, len, tw[big], th[big], cm, res);
		if (!mem)
			return res->fail;
	}
	for (size_t i = 0; i < cfg->n_variants; i++) {
		VipsImage *img;
		int rc;

		if (mem)
			img = resize_to(mem, tw[i], th[i], res);
		else
			img = decode_to(data, len, tw[i], th[i], cm, res);
		if (!img)
			break;
		rc = encode(img, &cfg->variants[i], &res->variants[i], res);
		g_object_unref(img);
		if (rc < 0)
			break;
		res->n_variants = i + 1;
	}
	if (mem)
		g_object_unref(mem);
	if (res->fail != IMGPIPE_OK)
		imgpipe_result_free(res);
	return res->fail;
}

enum imgpipe_fail imgpipe_image_process(const void *data, size_t len,
					const struct imgpipe_config *cfg,
					struct imgpipe_result *res)
{
	const char *loader, *fmt;
	VipsImage *hdr;
	uint64_t pixels;

	memset(res, 0, sizeof(*res));
	res->meta.orientation = 1;
	if (len == 0)
		return fail(res, IMGPIPE_FAIL_EMPTY, "the upload is empty");
	if (cfg->max_bytes && len > cfg->max_bytes)
		return fail(res, IMGPIPE_FAIL_TOO_LARGE, "%zu bytes is over the "
			    "limit of %llu", len,
			    (unsigned long long)cfg->max_bytes);
	vips_error_clear();
	loader = vips_foreign_find_load_buffer(data, len);
	if (!loader) {
		const char *other = imgpipe_meta_sniff(data, len);

		vips_error_clear();
		if (other)
			return fail(res, IMGPIPE_FAIL_UNSUPPORTED, "image format "
				    "not supported (%s)", other);
		return fail(res, IMGPIPE_FAIL_NOT_IMAGE, "not a known image "
			    "format");
	}
	fmt = imgpipe_meta_format_of_loader(loader);
	if (!fmt) {
		/* "VipsForeignLoadSvgBuffer" -> "svg" for the message */
		char name[32];
		size_t n = 0;
		const char *p = loader;

		if (strncmp(p, "VipsForeignLoad", 15) == 0)
			p += 15;
		for (; *p && n + 1 < sizeof(name) && strcmp(p, "Buffer"); p++)
			name[n++] = (char)g_ascii_tolower(*p);
		name[n] = '\0';
		return fail(res, IMGPIPE_FAIL_UNSUPPORTED, "image format not "
			    "supported (%s)", name);
	}
	/* Header only: libvips images are lazy until pixels are asked for. */
	hdr = vips_image_new_from_buffer(data, len, "", "access",
					 VIPS_ACCESS_SEQUENTIAL, "fail_on",
					 VIPS_FAIL_ON_ERROR, NULL);
	if (!hdr)
		return fail_vips(res, IMGPIPE_OK, "header");
	imgpipe_meta_read(hdr, fmt, &res->meta);
	g_object_unref(hdr);
	pixels = (uint64_t)res->meta.width * (uint64_t)res->meta.height;
	if (cfg->max_pixels && pixels > cfg->max_pixels)
		return fail(res, IMGPIPE_FAIL_TOO_MANY_PIXELS, "%dx%d is %llu "
			    "pixels, over the limit of %llu", res->meta.width,
			    res->meta.height, (unsigned long long)pixels,
			    (unsigned long long)cfg->max_pixels);
	return make_variants(data, len, cfg, res);
}

enum imgpipe_fail imgpipe_image_process_file(const char *path,
					     const struct imgpipe_config *cfg,
					     struct imgpipe_result *res)
{
	struct stat st;
	void *map;
	enum imgpipe_fail rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(res, 0, sizeof(*res));
	res->meta.orientation = 1;
	if (fd < 0)
		return fail(res, IMGPIPE_FAIL_INTERNAL, "open %s: %s", path,
			    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(res, IMGPIPE_FAIL_INTERNAL, "%s: not a regular file",
			    path);
	}
	if (st.st_size == 0) {
		close(fd);
		return imgpipe_image_process("", 0, cfg, res);
	}
	if (cfg->max_bytes && (uint64_t)st.st_size > cfg->max_bytes) {
		close(fd);
		return fail(res, IMGPIPE_FAIL_TOO_LARGE, "%lld bytes is over the "
			    "limit of %llu", (long long)st.st_size,
			    (unsigned long long)cfg->max_bytes);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return fail(res, IMGPIPE_FAIL_INTERNAL, "mmap %s: %s", path,
			    strerror(errno));
	rc = imgpipe_image_process(map, (size_t)st.st_size, cfg, res);
	munmap(map, (size_t)st.st_size);
	return rc;
}

void imgpipe_result_free(struct imgpipe_result *res)
{
	for (size_t i = 0; i < IMGPIPE_VARIANTS_MAX; i++) {
		g_free(res->variants[i].data);
		res->variants[i].data = NULL;
		res->variants[i].len = 0;
	}
	res->n_variants = 0;
}
