/*
 * uri.h - percent-encoding the way SigV4 wants it, and the canonical
 * forms of a request's path and query string.
 *
 * SigV4's UriEncode leaves only the unreserved characters A-Z a-z 0-9
 * - _ . ~ as they are and writes every other byte as %XX with uppercase
 * hex ('/' optionally kept, for paths).  The signer (sdk) uses it to build
 * requests and the verifier (emulator) to rebuild what the client signed,
 * so both sides agree byte for byte.
 *
 * Output goes to a struct buf (buf.h), whose cap bounds the work done on
 * untrusted input: every function returns 0, or -1 when the input is
 * malformed or the output would pass the buffer's cap.  On -1 the buffer
 * may hold a partial result; reset it before reuse.
 */
#ifndef IMGPIPE_URI_H
#define IMGPIPE_URI_H

#include <stddef.h>

#include "buf.h"

/* Flags for uri_canonical_query. */
#define URI_QUERY_AS_SENT 0x1 /* sort the pairs as sent, do not re-encode */

/*
 * Append UriEncode(s[0..len)) to out.  keep_slash: leave '/' unencoded
 * (for paths).  Returns 0, or -1 when out's cap is reached.
 */
int uri_encode(struct buf *out, const char *s, size_t len, int keep_slash);

/*
 * Percent-decode s[0..len) into out, which must have room for len + 1
 * bytes (decoding never grows); the result is NUL-terminated and its
 * length (it may contain NUL bytes) stored in *outlen.  '+' is left as it
 * is.  Returns 0, or -1 on a '%' not followed by two hex digits.  out may
 * be the same memory as s.
 */
int uri_decode(const char *s, size_t len, char *out, size_t *outlen);

/* The same, for application/x-www-form-urlencoded: '+' becomes ' '. */
int uri_form_decode(const char *s, size_t len, char *out, size_t *outlen);

/*
 * Append the canonical query string of raw (the query as on the wire,
 * without '?'; NULL or "" for none) to out: the '&'-separated pairs are
 * split at their first '=', each name and value is percent-decoded and
 * UriEncoded again, and the pairs are sorted by encoded name, then
 * encoded value, and joined as name=value with '&'.  Repeated names are
 * all kept; a pair without '=' and one with an empty value both become
 * "name="; empty segments ("a=1&&b=2") are skipped.
 *
 * exclude: when not NULL, pairs whose decoded name equals it are left
 * out (presigned verification drops X-Amz-Signature this way).
 * flags: URI_QUERY_AS_SENT sorts the pairs as they were sent without
 * decoding and re-encoding them, which is what botocore does with a URL's
 * query; a verifier tries it when the normalised form does not match.
 *
 * Returns 0, or -1 on a malformed '%' escape or when out's cap is reached.
 */
int uri_canonical_query(struct buf *out, const char *raw, const char *exclude,
			int flags);

/*
 * Append the canonical URI of raw_path (the path as on the wire, already
 * percent-encoded, without the query) to out.
 *
 * double_encode = 0 (S3): the path is used as sent; "" becomes "/".
 * double_encode = 1 (every other service): "." and ".." segments and
 * empty segments ("//") are removed, as RFC 3986 section 5.2.4 and AWS
 * describe, and the result is UriEncoded again with '/' kept, so "%20"
 * becomes "%2520".
 *
 * Returns 0, or -1 when out's cap is reached.
 */
int uri_canonical_path(struct buf *out, const char *raw_path, int double_encode);

#endif
