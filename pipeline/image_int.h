/*
 * image_int.h - internals shared by the image core's files (image.c,
 * image_meta.c); not part of the API the handler and CLI use.
 */
#ifndef IMGPIPE_IMAGE_INT_H
#define IMGPIPE_IMAGE_INT_H

#include "image.h"

#include <vips/vips.h>

/*
 * The format name ("jpeg", "png", "webp", "gif", "tiff", "heif") for a
 * libvips loader class name such as "VipsForeignLoadJpegBuffer", or NULL
 * when the loader is not one the core accepts.
 */
const char *imgpipe_meta_format_of_loader(const char *loader);

/*
 * A short name ("heif", "pdf", "svg", "bmp", ...) when data starts like
 * an image format the core does not decode, else NULL.  Used when
 * libvips finds no loader, to tell `unsupported` from `not_image`.
 */
const char *imgpipe_meta_sniff(const void *data, size_t len);

/*
 * Fill *m from a header-only image: format (fmt, with "heif" refined to
 * heic/avif), dimensions after orientation, orientation, pages, alpha,
 * ICC, and the EXIF camera make/model/date taken.
 */
void imgpipe_meta_read(VipsImage *hdr, const char *fmt, struct imgpipe_meta *m);

/*
 * Remove every metadata field of img except the ICC profile, in place
 * (img must be a private copy: vips_copy() of the image to save).
 */
void imgpipe_meta_strip(VipsImage *img);

/*
 * Drop metadata from encoded bytes in place, whatever the encoder did:
 * JPEG APP1 (EXIF, XMP), APP12 and APP13 (IPTC/Photoshop) segments and
 * COM comments; WebP EXIF and XMP chunks (with the VP8X flags and RIFF
 * size fixed).  Returns the new length (<= len), or 0 if the bytes are
 * not a well-formed JPEG/WebP of the expected kind.
 */
size_t imgpipe_meta_scrub(enum imgpipe_format fmt, unsigned char *buf,
			  size_t len);

/* The failure code for a libvips error message from a decode. */
enum imgpipe_fail imgpipe_meta_classify(const char *vips_msg);

#endif
