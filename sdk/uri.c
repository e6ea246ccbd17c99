/*
 * uri.c - SigV4 UriEncode, percent-decoding and canonical path/query
 * (see uri.h).
 *
 * The canonical query builder works on a private copy of the query: it
 * splits it into pairs, normalises each pair into one scratch buffer and
 * sorts an array of offsets into that buffer, so the only allocations
 * are the copy, the scratch buffer (capped like the output) and the pair
 * array, all freed before returning.
 */
#include "uri.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* One name=value pair of a query, as offsets into a scratch buffer. */
struct uri_pair {
	size_t name;  /* offset of the name */
	size_t nlen;  /* its length */
	size_t value; /* offset of the value */
	size_t vlen;  /* its length */
};

static int uri_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

int uri_encode(struct buf *out, const char *s, size_t len, int keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;
		if (uri_unreserved(c) || (keep_slash && c == '/')) {
			rc = buf_putc(out, (char)c);
		} else {
			char esc[3] = { '%', digits[c >> 4], digits[c & 15] };
			rc = buf_append(out, esc, 3);
		}
		if (rc)
			return -1;
	}
	return 0;
}

/* Value of one hex digit, or -1. */
static int uri_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Shared body of uri_decode and uri_form_decode. */
static int uri_decode_generic(const char *s, size_t len, char *out,
			      size_t *outlen, int plus_is_space)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			int hi = i + 2 < len ? uri_hex(s[i + 1]) : -1;
			int lo = hi >= 0 ? uri_hex(s[i + 2]) : -1;
			if (lo < 0)
				return -1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			out[o++] = ' ';
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

int uri_decode(const char *s, size_t len, char *out, size_t *outlen)
{
	return uri_decode_generic(s, len, out, outlen, 0);
}

int uri_form_decode(const char *s, size_t len, char *out, size_t *outlen)
{
	return uri_decode_generic(s, len, out, outlen, 1);
}

/* ==== canonical query ==================================================== */

/* Compare two byte strings the way Python compares str: bytewise, prefix first. */
static int uri_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Pairs and the buffer their offsets point into, for the sort below. */
struct uri_sort {
	struct uri_pair *pairs; /* the pairs to sort */
	const char *base;       /* scratch buffer the offsets refer to */
};

/* Merge sort pairs[lo..hi) by (name, value), using tmp as scratch. */
static void uri_sort_pairs(const struct uri_sort *s, struct uri_pair *tmp,
			   size_t lo, size_t hi)
{
	if (hi - lo < 2)
		return;
	size_t mid = lo + (hi - lo) / 2;
	uri_sort_pairs(s, tmp, lo, mid);
	uri_sort_pairs(s, tmp, mid, hi);

	size_t i = lo, j = mid, k = lo;
	while (i < mid && j < hi) {
		const struct uri_pair *a = &s->pairs[i], *b = &s->pairs[j];
		int c = uri_bytes_cmp(s->base + a->name, a->nlen,
				      s->base + b->name, b->nlen);
		if (c == 0)
			c = uri_bytes_cmp(s->base + a->value, a->vlen,
					  s->base + b->value, b->vlen);
		tmp[k++] = c <= 0 ? s->pairs[i++] : s->pairs[j++];
	}
	while (i < mid)
		tmp[k++] = s->pairs[i++];
	while (j < hi)
		tmp[k++] = s->pairs[j++];
	memcpy(&s->pairs[lo], &tmp[lo], (hi - lo) * sizeof(*tmp));
}

/*
 * Append one component (name or value) to scratch in canonical form and
 * return its offset in *off and length in *olen.  seg is decoded in
 * place when normalising.  Returns 0 or -1.
 */
static int uri_add_component(struct buf *scratch, char *seg, size_t len,
			     int as_sent, size_t *off, size_t *olen)
{
	*off = scratch->len;
	if (as_sent) {
		if (buf_append(scratch, seg, len))
			return -1;
	} else {
		size_t dlen;
		if (uri_decode(seg, len, seg, &dlen) ||
		    uri_encode(scratch, seg, dlen, 0))
			return -1;
	}
	*olen = scratch->len - *off;
	return 0;
}

/* Does the (raw) name seg[0..len) decode to exclude? */
static int uri_name_is(const char *seg, size_t len, const char *exclude)
{
	char tmp[128];
	size_t dlen;

	if (len >= sizeof(tmp) || uri_decode(seg, len, tmp, &dlen))
		return 0;
	return dlen == strlen(exclude) && memcmp(tmp, exclude, dlen) == 0;
}

int uri_canonical_query(struct buf *out, const char *raw, const char *exclude,
			int flags)
{
	int as_sent = (flags & URI_QUERY_AS_SENT) != 0;
	size_t rawlen = raw ? strlen(raw) : 0;
	int rc = -1;

	if (rawlen == 0)
		return 0;

	char *copy = xstrndup(raw, rawlen);
	size_t max_pairs = 1;
	for (size_t i = 0; i < rawlen; i++)
		max_pairs += raw[i] == '&';
	struct uri_pair *pairs = xcalloc(max_pairs, sizeof(*pairs));
	struct uri_pair *tmp = xcalloc(max_pairs, sizeof(*tmp));
	struct buf scratch;
	buf_init(&scratch, out->cap);
	size_t n = 0;

	char *seg = copy;
	while (seg) {
		char *amp = strchr(seg, '&');
		size_t seglen = amp ? (size_t)(amp - seg) : strlen(seg);
		char *eq = memchr(seg, '=', seglen);
		size_t nlen = eq ? (size_t)(eq - seg) : seglen;

		if (seglen > 0 && !(exclude && uri_name_is(seg, nlen, exclude))) {
			struct uri_pair *p = &pairs[n++];
			char *val = eq ? eq + 1 : seg + seglen;
			size_t vlen = eq ? seglen - nlen - 1 : 0;
			if (uri_add_component(&scratch, seg, nlen, as_sent,
					      &p->name, &p->nlen) ||
			    uri_add_component(&scratch, val, vlen, as_sent,
					      &p->value, &p->vlen))
				goto out;
		}
		seg = amp ? amp + 1 : NULL;
	}

	/* scratch holds no data at all when every name and value is empty */
	const char *base = scratch.data ? scratch.data : "";
	struct uri_sort sort = { pairs, base };
	uri_sort_pairs(&sort, tmp, 0, n);
	for (size_t i = 0; i < n; i++) {
		if ((i > 0 && buf_putc(out, '&')) ||
		    buf_append(out, base + pairs[i].name, pairs[i].nlen) ||
		    buf_putc(out, '=') ||
		    buf_append(out, base + pairs[i].value, pairs[i].vlen))
			goto out;
	}
	rc = 0;
out:
	buf_free(&scratch);
	free(tmp);
	free(pairs);
	free(copy);
	return rc;
}

/* ==== canonical path ===================================================== */

/*
 * Remove "." / ".." / empty segments from path[0..len) into out, the way
 * botocore's remove_dot_segments does (a trailing '/' survives only when
 * something is left).  Returns 0 or -1.
 */
static int uri_normalize_path(struct buf *out, const char *path, size_t len)
{
	size_t nseg = 0;

	if (len > 0 && path[0] == '/' && buf_putc(out, '/'))
		return -1;
	size_t root = out->len;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && path[j] != '/')
			j++;
		size_t seglen = j - i;
		if (seglen == 0 || (seglen == 1 && path[i] == '.')) {
			/* skip */
		} else if (seglen == 2 && path[i] == '.' && path[i + 1] == '.') {
			if (nseg > 0) {
				/* Drop the last segment and the '/' before it. */
				size_t k = out->len;
				while (k > root && out->data[k - 1] != '/')
					k--;
				out->len = k > root ? k - 1 : root;
				out->data[out->len] = '\0';
				nseg--;
			}
		} else {
			if ((nseg > 0 && buf_putc(out, '/')) ||
			    buf_append(out, path + i, seglen))
				return -1;
			nseg++;
		}
		i = j + 1;
	}
	if (len > 0 && path[len - 1] == '/' && nseg > 0 && buf_putc(out, '/'))
		return -1;
	return 0;
}

int uri_canonical_path(struct buf *out, const char *raw_path, int double_encode)
{
	size_t len = raw_path ? strlen(raw_path) : 0;

	if (len == 0)
		return buf_putc(out, '/');
	if (!double_encode)
		return buf_append(out, raw_path, len);

	struct buf norm;
	buf_init(&norm, out->cap);
	int rc = uri_normalize_path(&norm, raw_path, len);
	if (rc == 0 && norm.len == 0)
		rc = buf_putc(&norm, '/');
	if (rc == 0)
		rc = uri_encode(out, norm.data, norm.len, 1);
	buf_free(&norm);
	return rc;
}
