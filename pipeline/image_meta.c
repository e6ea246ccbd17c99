/*
 * image_meta.c - what the image core reads from and removes from
 * metadata: the accepted formats, header facts and EXIF camera fields,
 * stripping fields before saving, scrubbing encoded bytes after saving,
 * and turning libvips decode errors into failure codes.
 *
 * Stripping happens twice on purpose.  Before saving, every metadata
 * field but the ICC profile is removed from the image (libvips 8.14's
 * webpsave ignores `strip` and would write EXIF/XMP back).  After saving,
 * the encoded bytes are walked structurally and any EXIF/XMP/IPTC/comment
 * segment an encoder still wrote is cut out, so the guarantee "no
 * metadata except ICC" does not depend on the encoder's habits.
 */
#include "image_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Loader class-name prefixes we accept, and the format they read. */
static const struct {
	const char *prefix;
	const char *format;
} accepted[] = {
	{ "VipsForeignLoadJpeg", "jpeg" },
	{ "VipsForeignLoadPng", "png" },
	{ "VipsForeignLoadWebp", "webp" },
	{ "VipsForeignLoadNsgif", "gif" },
	{ "VipsForeignLoadTiff", "tiff" },
	{ "VipsForeignLoadHeif", "heif" },
};

const char *imgpipe_meta_format_of_loader(const char *loader)
{
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		if (strncmp(loader, accepted[i].prefix,
			    strlen(accepted[i].prefix)) == 0)
			return accepted[i].format;
	return NULL;
}

/* Formats we recognise but never decode (no loader, or one libvips
 * blocks as untrusted), so they fail as `unsupported`, not `not_image`. */
const char *imgpipe_meta_sniff(const void *data, size_t len)
{
	static const char *const heif_brands[] = {
		"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1",
		"msf1", "avif", "avis",
	};
	const unsigned char *p = data;

	if (len >= 12 && memcmp(p + 4, "ftyp", 4) == 0)
		for (size_t i = 0; i < sizeof(heif_brands) / sizeof(heif_brands[0]); i++)
			if (memcmp(p + 8, heif_brands[i], 4) == 0)
				return "heif";
	if (len >= 12 && memcmp(p, "\0\0\0\x0cjP  ", 8) == 0)
		return "jp2";
	if (len >= 12 && memcmp(p, "\0\0\0\x0cJXL ", 8) == 0)
		return "jxl";
	if (len >= 2 && p[0] == 0xFF && p[1] == 0x0A)
		return "jxl";
	if (len >= 4 && memcmp(p, "\xff\x4f\xff\x51", 4) == 0)
		return "j2k";
	if (len >= 4 && memcmp(p, "%PDF", 4) == 0)
		return "pdf";
	if (len >= 4 && memcmp(p, "8BPS", 4) == 0)
		return "psd";
	if (len >= 18 && p[0] == 'B' && p[1] == 'M' && p[15] == 0 &&
	    p[16] == 0 && p[17] == 0 &&
	    (p[14] == 12 || p[14] == 40 || p[14] == 52 || p[14] == 56 ||
	     p[14] == 64 || p[14] == 108 || p[14] == 124))
		return "bmp";
	if (len >= 5 && (memcmp(p, "<svg", 4) == 0 || memcmp(p, "<?xml", 5) == 0))
		return "svg";
	return NULL;
}

/*
 * libvips renders an EXIF ASCII tag as "V (V, ASCII, n components, m
 * bytes)".  Copy V into out (printable ASCII only, trailing blanks cut)
 * and return 1, or 0 if the field is absent or not in that shape.
 */
static int exif_ascii(VipsImage *img, const char *field, char *out,
		      size_t outlen)
{
	const char *s, *mark, *p;
	size_t vlen, n = 0;

	out[0] = '\0';
	if (vips_image_get_typeof(img, field) == 0 ||
	    vips_image_get_string(img, field, &s))
		return 0;
	mark = NULL;
	for (p = strstr(s, ", ASCII, "); p; p = strstr(p + 1, ", ASCII, "))
		mark = p;
	if (!mark || (size_t)(mark - s) < 2 || (mark - s - 2) % 2)
		return 0;
	vlen = (size_t)(mark - s - 2) / 2;
	if (strncmp(s + vlen, " (", 2) || strncmp(s, s + vlen + 2, vlen))
		return 0;
	for (size_t i = 0; i < vlen && n + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return n > 0;
}

/* "YYYY:MM:DD HH:MM:SS" (+ "+HH:MM" offset) into ISO 8601, or "". */
static void date_taken(VipsImage *img, char *out, size_t outlen)
{
	char d[32], off[16];
	int ok;

	out[0] = '\0';
	if (!exif_ascii(img, "exif-ifd2-DateTimeOriginal", d, sizeof(d)) &&
	    !exif_ascii(img, "exif-ifd0-DateTime", d, sizeof(d)))
		return;
	ok = strlen(d) == 19 && d[4] == ':' && d[7] == ':' && d[10] == ' ' &&
	     d[13] == ':' && d[16] == ':';
	for (int i = 0; ok && i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16)
			ok = isdigit((unsigned char)d[i]);
	if (!ok || strncmp(d, "0000", 4) == 0)
		return;
	d[4] = d[7] = '-';
	d[10] = 'T';
	if (exif_ascii(img, "exif-ifd2-OffsetTimeOriginal", off, sizeof(off)) &&
	    strlen(off) == 6 && (off[0] == '+' || off[0] == '-') && off[3] == ':')
		snprintf(out, outlen, "%.19s%.6s", d, off);
	else
		snprintf(out, outlen, "%.19s", d);
}

void imgpipe_meta_read(VipsImage *hdr, const char *fmt, struct imgpipe_meta *m)
{
	int orient = 1, w = hdr->Xsize, h = vips_image_get_page_height(hdr);
	const char *comp;

	snprintf(m->format, sizeof(m->format), "%s", fmt);
	if (strcmp(fmt, "heif") == 0 &&
	    vips_image_get_typeof(hdr, "heif-compression") &&
	    vips_image_get_string(hdr, "heif-compression", &comp) == 0)
		snprintf(m->format, sizeof(m->format), "%s",
			 strcmp(comp, "av1") == 0 ? "avif" : "heic");
	if (vips_image_get_typeof(hdr, VIPS_META_ORIENTATION) &&
	    vips_image_get_int(hdr, VIPS_META_ORIENTATION, &orient) == 0 &&
	    (orient < 1 || orient > 8))
		orient = 1;
	m->orientation = orient;
	m->width = orient >= 5 ? h : w;
	m->height = orient >= 5 ? w : h;
	m->pages = vips_image_get_n_pages(hdr);
	m->has_alpha = vips_image_hasalpha(hdr);
	m->has_icc = vips_image_get_typeof(hdr, VIPS_META_ICC_NAME) != 0;
	m->cmyk = hdr->Type == VIPS_INTERPRETATION_CMYK;
	exif_ascii(hdr, "exif-ifd0-Make", m->camera_make, sizeof(m->camera_make));
	exif_ascii(hdr, "exif-ifd0-Model", m->camera_model,
		   sizeof(m->camera_model));
	date_taken(hdr, m->date_taken, sizeof(m->date_taken));
}

void imgpipe_meta_strip(VipsImage *img)
{
	gchar **names = vips_image_get_fields(img);

	for (gchar **p = names; *p; p++)
		if (strcmp(*p, VIPS_META_ICC_NAME) != 0)
			vips_image_remove(img, *p);
	g_strfreev(names);
}

/* JPEG: keep APP0 (JFIF), APP2 (ICC) and APP14 (Adobe); drop other APPn
 * and COM before the first SOS; copy from SOS on unchanged. */
static size_t scrub_jpeg(unsigned char *b, size_t len)
{
	size_t in = 2, out = 2;

	if (len < 4 || b[0] != 0xFF || b[1] != 0xD8)
		return 0;
	while (in + 4 <= len) {
		unsigned char m = b[in + 1];
		size_t seg;

		if (b[in] != 0xFF)
			return 0;
		if (m == 0xFF) {        /* fill byte */
			in++;
			continue;
		}
		if (m == 0xDA || m == 0xD9) { /* SOS / EOI: the rest as is */
			memmove(b + out, b + in, len - in);
			return out + (len - in);
		}
		seg = 2 + ((size_t)b[in + 2] << 8 | b[in + 3]);
		if (seg < 4 || in + seg > len)
			return 0;
		if (!((m >= 0xE0 && m <= 0xEF && m != 0xE0 && m != 0xE2 &&
		       m != 0xEE) || m == 0xFE)) {
			memmove(b + out, b + in, seg);
			out += seg;
		}
		in += seg;
	}
	return 0;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* WebP: drop EXIF and XMP chunks, clear their VP8X flags, fix the RIFF
 * size. */
static size_t scrub_webp(unsigned char *b, size_t len)
{
	size_t in = 12, out = 12, vp8x = 0;

	if (len < 20 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WEBP", 4) ||
	    le32(b + 4) + 8 != len)
		return 0;
	while (in < len) {
		size_t size, seg;

		if (in + 8 > len)
			return 0;
		size = le32(b + in + 4);
		seg = 8 + size + (size & 1);
		if (seg > len - in)
			return 0;
		if (memcmp(b + in, "EXIF", 4) && memcmp(b + in, "XMP ", 4)) {
			if (memcmp(b + in, "VP8X", 4) == 0 && size >= 10)
				vp8x = out;
			memmove(b + out, b + in, seg);
			out += seg;
		}
		in += seg;
	}
	if (vp8x)
		b[vp8x + 8] &= (unsigned char)~0x0C; /* EXIF 0x08, XMP 0x04 */
	put_le32(b + 4, (uint32_t)(out - 8));
	return out;
}

size_t imgpipe_meta_scrub(enum imgpipe_format fmt, unsigned char *buf,
			  size_t len)
{
	return fmt == IMGPIPE_FMT_WEBP ? scrub_webp(buf, len)
				       : scrub_jpeg(buf, len);
}

enum imgpipe_fail imgpipe_meta_classify(const char *msg)
{
	static const char *const trunc[] = {
		"premature end", "truncated", "unexpected end", "end of file",
		"not enough data", "out of data", "read error", "incomplete",
	};
	char low[512];
	size_t n = 0;

	for (; msg && msg[n] && n + 1 < sizeof(low); n++)
		low[n] = (char)tolower((unsigned char)msg[n]);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(trunc) / sizeof(trunc[0]); i++)
		if (strstr(low, trunc[i]))
			return IMGPIPE_FAIL_TRUNCATED;
	return IMGPIPE_FAIL_CORRUPT;
}
