/*
 * sigv4.c - AWS Signature Version 4, the signing side (see sigv4.h).
 *
 * Sections: dates, the signing steps (canonical request, string to sign,
 * key, signature), sign and presign (sdk), and the chained signatures of
 * aws-chunked bodies.  Parsing and verification (emulator) are in
 * sigv4_verify.c; both use the same steps, so the verifier rebuilds
 * byte for byte what a signer produced.  Canonical paths and queries come
 * from uri.c, digests from hash.c.
 */
#include "sigv4.h"
#include "hash.h"
#include "timefmt.h"
#include "uri.h"
#include "xalloc.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SIGV4_TERMINAL "aws4_request"
#define SIGV4_LIST_MAX (64u * 1024) /* cap on a SignedHeaders list we build */

/* ==== dates ============================================================== */

/* 1 if s[0..len) is all decimal digits. */
static int is_digits(const char *s, size_t len)
{
	return strspn(s, "0123456789") >= len;
}

void sigv4_format_date(time_t t, char *out)
{
	char basic[TIMEFMT_MAX];

	time_iso8601_basic((int64_t)t * 1000, basic);
	memcpy(out, basic, SIGV4_DATE_LEN + 1);
}

/* Build a time_t from UTC fields, rejecting out-of-range ones. */
static int utc_time(int y, int mon, int d, int h, int m, int s, time_t *out)
{
	if (y < 1970 || mon < 1 || mon > 12 || d < 1 || d > 31 || h > 23 ||
	    m > 59 || s > 59)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = m, .tm_sec = s };
	time_t t = timegm(&tm);
	if (tm.tm_mday != d) /* timegm normalised a day like Feb 30 */
		return -1;
	*out = t;
	return 0;
}

/* Decimal value of the n digits at s (already checked to be digits). */
static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int sigv4_parse_date(const char *s, time_t *out)
{
	if (strlen(s) != SIGV4_DATE_LEN || !is_digits(s, 8) || s[8] != 'T' ||
	    !is_digits(s + 9, 6) || s[15] != 'Z')
		return -1;
	return utc_time(num(s, 4), num(s + 4, 2), num(s + 6, 2), num(s + 9, 2),
			num(s + 11, 2), num(s + 13, 2), out);
}

/* ==== the signing steps ================================================== */

/* qsort comparator for an array of C strings. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sigv4_signed_headers(struct buf *out, const struct sigv4_header *headers,
			 size_t count)
{
	char **names = xcalloc(count ? count : 1, sizeof(*names));
	int rc = 0;

	for (size_t i = 0; i < count; i++) {
		names[i] = xstrdup(headers[i].name);
		for (char *c = names[i]; *c; c++) {
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		}
	}
	qsort(names, count, sizeof(*names), cmp_str);
	for (size_t i = 0; i < count && rc == 0; i++) {
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		if ((i > 0 && buf_putc(out, ';')) || buf_puts(out, names[i]))
			rc = -1;
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Append v trimmed, with each inner run of whitespace as one space. */
static int append_trimmed(struct buf *out, const char *v)
{
	int pending = 0;

	while (is_space(*v))
		v++;
	for (; *v; v++) {
		if (is_space(*v)) {
			pending = 1;
			continue;
		}
		if ((pending && buf_putc(out, ' ')) || buf_putc(out, *v))
			return -1;
		pending = 0;
	}
	return 0;
}

/* One "name:v1,v2\n" line per name in the ';'-separated list. */
static int canonical_headers(struct buf *out, const struct sigv4_request *req,
			     const char *list)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ";");
		int first = 1;
		if (buf_append(out, p, n) || buf_putc(out, ':'))
			return -1;
		for (size_t i = 0; i < req->header_count; i++) {
			const struct sigv4_header *h = &req->headers[i];
			if (strlen(h->name) != n || strncasecmp(h->name, p, n) != 0)
				continue;
			if ((!first && buf_putc(out, ',')) ||
			    append_trimmed(out, h->value))
				return -1;
			first = 0;
		}
		if (buf_putc(out, '\n'))
			return -1;
		p += n;
		if (*p == ';')
			p++;
	}
	return 0;
}

int sigv4_canonical_request(struct buf *out, const struct sigv4_request *req,
			    const char *signed_headers, const char *exclude_param,
			    int query_flags)
{
	const char *payload = req->payload_hash ? req->payload_hash
						: SIGV4_UNSIGNED_PAYLOAD;

	if (!signed_headers)
		signed_headers = "";

	if (buf_puts(out, req->method) || buf_putc(out, '\n') ||
	    uri_canonical_path(out, req->path, req->double_encode_path) ||
	    buf_putc(out, '\n') ||
	    uri_canonical_query(out, req->query, exclude_param, query_flags) ||
	    buf_putc(out, '\n') ||
	    canonical_headers(out, req, signed_headers) ||
	    buf_putc(out, '\n') || buf_puts(out, signed_headers) ||
	    buf_putc(out, '\n') || buf_puts(out, payload))
		return -1;
	return 0;
}

int sigv4_scope(char *out, size_t size, const char *date, const char *region,
		const char *service)
{
	int n = snprintf(out, size, "%.8s/%s/%s/" SIGV4_TERMINAL, date, region,
			 service);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int sigv4_string_to_sign(struct buf *out, const char *amz_date,
			 const char *scope, const char *canonical_request,
			 size_t len)
{
	char hex[2 * HASH_SHA256_LEN + 1];

	hash_sha256_hex(canonical_request, len, hex);
	return buf_printf(out, SIGV4_ALGORITHM "\n%s\n%s\n%s", amz_date, scope,
			  hex);
}

void sigv4_signing_key(const char *secret, const char *date, const char *region,
		       const char *service, unsigned char key[32])
{
	char *k = xasprintf("AWS4%s", secret);
	unsigned char a[HASH_SHA256_LEN], b[HASH_SHA256_LEN];

	hash_hmac_sha256(k, strlen(k), date, strnlen(date, 8), a);
	hash_hmac_sha256(a, sizeof(a), region, strlen(region), b);
	hash_hmac_sha256(b, sizeof(b), service, strlen(service), a);
	hash_hmac_sha256(a, sizeof(a), SIGV4_TERMINAL, strlen(SIGV4_TERMINAL), key);
	OPENSSL_cleanse(k, strlen(k));
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	free(k);
}

void sigv4_signature(const unsigned char key[32], const char *string_to_sign,
		     size_t len, char *out)
{
	unsigned char mac[HASH_SHA256_LEN];

	hash_hmac_sha256(key, 32, string_to_sign, len, mac);
	hash_hex(mac, sizeof(mac), out);
}

int sigv4_compute_signature(const struct sigv4_request *req,
			    const char *signed_headers, const char *exclude,
			    int query_flags, const char *amz_date,
			    const char *scope, const unsigned char key[32],
			    char **canonical, char **sts, char *sig)
{
	struct buf cr, ss;
	int rc = -1;

	buf_init(&cr, SIGV4_CANONICAL_MAX);
	buf_init(&ss, SIGV4_CANONICAL_MAX);
	if (sigv4_canonical_request(&cr, req, signed_headers, exclude,
				    query_flags) ||
	    sigv4_string_to_sign(&ss, amz_date, scope, cr.data, cr.len))
		goto out;
	sigv4_signature(key, ss.data, ss.len, sig);
	if (canonical)
		*canonical = buf_detach(&cr, NULL);
	if (sts)
		*sts = buf_detach(&ss, NULL);
	rc = 0;
out:
	buf_free(&cr);
	buf_free(&ss);
	return rc;
}

/* ==== sign and presign =================================================== */

void sigv4_signed_free(struct sigv4_signed *s)
{
	free(s->authorization);
	free(s->query);
	free(s->canonical_request);
	free(s->string_to_sign);
	memset(s, 0, sizeof(*s));
}

/* Date, scope and key for signing at now; -1 on bad arguments. */
static int sign_prepare(const struct sigv4_request *req,
			const struct sigv4_credentials *cred, const char *region,
			const char *service, time_t now, struct sigv4_signed *out,
			char *scope, unsigned char key[32])
{
	memset(out, 0, sizeof(*out));
	if (!req->method || !cred->access_key || !cred->secret_key || !region ||
	    !service)
		return -1;
	sigv4_format_date(now, out->amz_date);
	if (sigv4_scope(scope, SIGV4_SCOPE_MAX, out->amz_date, region, service))
		return -1;
	sigv4_signing_key(cred->secret_key, out->amz_date, region, service, key);
	return 0;
}

int sigv4_sign(const struct sigv4_request *req,
	       const struct sigv4_credentials *cred, const char *region,
	       const char *service, time_t now, struct sigv4_signed *out)
{
	char scope[SIGV4_SCOPE_MAX];
	unsigned char key[32];
	int token = cred->session_token != NULL;

	memset(out, 0, sizeof(*out));
	if (!req->payload_hash ||
	    sign_prepare(req, cred, region, service, now, out, scope, key))
		return -1;

	struct sigv4_header *h = xcalloc(req->header_count + 2, sizeof(*h));
	size_t n = 0;
	for (size_t i = 0; i < req->header_count; i++) {
		const char *name = req->headers[i].name;
		if (strcasecmp(name, "x-amz-date") == 0 ||
		    (token && strcasecmp(name, "x-amz-security-token") == 0))
			continue;
		h[n++] = req->headers[i];
	}
	h[n++] = (struct sigv4_header){ "X-Amz-Date", out->amz_date };
	if (token)
		h[n++] = (struct sigv4_header){ "X-Amz-Security-Token",
						cred->session_token };

	struct sigv4_request r = *req;
	r.headers = h;
	r.header_count = n;
	struct buf list;
	buf_init(&list, SIGV4_LIST_MAX);
	int rc = -1;
	if (sigv4_signed_headers(&list, h, n) ||
	    sigv4_compute_signature(&r, list.data, NULL, 0, out->amz_date,
				    scope, key, &out->canonical_request,
				    &out->string_to_sign, out->signature))
		goto out;
	out->authorization = xasprintf(SIGV4_ALGORITHM " Credential=%s/%s, "
				       "SignedHeaders=%s, Signature=%s",
				       cred->access_key, scope, list.data,
				       out->signature);
	rc = 0;
out:
	if (rc)
		sigv4_signed_free(out);
	OPENSSL_cleanse(key, sizeof(key));
	buf_free(&list);
	free(h);
	return rc;
}

int sigv4_presign(const struct sigv4_request *req,
		  const struct sigv4_credentials *cred, const char *region,
		  const char *service, time_t now, unsigned long expires,
		  struct sigv4_signed *out)
{
	char scope[SIGV4_SCOPE_MAX];
	unsigned char key[32];

	memset(out, 0, sizeof(*out));
	if (expires > SIGV4_MAX_EXPIRES ||
	    sign_prepare(req, cred, region, service, now, out, scope, key))
		return -1;

	struct buf list, q;
	buf_init(&list, SIGV4_LIST_MAX);
	buf_init(&q, SIGV4_CANONICAL_MAX);
	char *credential = xasprintf("%s/%s", cred->access_key, scope);
	int rc = -1;
	if (sigv4_signed_headers(&list, req->headers, req->header_count))
		goto out;
	if (req->query && *req->query &&
	    (buf_puts(&q, req->query) || buf_putc(&q, '&')))
		goto out;
	if (buf_puts(&q, "X-Amz-Algorithm=" SIGV4_ALGORITHM "&X-Amz-Credential=") ||
	    uri_encode(&q, credential, strlen(credential), 0) ||
	    buf_printf(&q, "&X-Amz-Date=%s&X-Amz-Expires=%lu&X-Amz-SignedHeaders=",
		       out->amz_date, expires) ||
	    uri_encode(&q, list.data, list.len, 0))
		goto out;
	if (cred->session_token &&
	    (buf_puts(&q, "&X-Amz-Security-Token=") ||
	     uri_encode(&q, cred->session_token, strlen(cred->session_token), 0)))
		goto out;

	struct sigv4_request r = *req;
	r.query = q.data;
	if (sigv4_compute_signature(&r, list.data, NULL, 0, out->amz_date,
				    scope, key, &out->canonical_request,
				    &out->string_to_sign, out->signature) ||
	    buf_printf(&q, "&X-Amz-Signature=%s", out->signature))
		goto out;
	out->query = buf_detach(&q, NULL);
	rc = 0;
out:
	if (rc)
		sigv4_signed_free(out);
	OPENSSL_cleanse(key, sizeof(key));
	free(credential);
	buf_free(&list);
	buf_free(&q);
	return rc;
}

/* ==== streaming signatures =============================================== */

int sigv4_stream_init(struct sigv4_stream *s, const unsigned char key[32],
		      const char *amz_date, const char *scope,
		      const char *seed_signature)
{
	if (strlen(amz_date) != SIGV4_DATE_LEN ||
	    strlen(scope) >= sizeof(s->scope) ||
	    strlen(seed_signature) > SIGV4_SIG_LEN)
		return -1;
	memcpy(s->key, key, sizeof(s->key));
	strcpy(s->amz_date, amz_date);
	strcpy(s->scope, scope);
	strcpy(s->previous, seed_signature);
	return 0;
}

void sigv4_stream_from_verified(struct sigv4_stream *s,
				const struct sigv4_verified *v)
{
	const struct sigv4_auth *a = &v->auth;

	memset(s, 0, sizeof(*s));
	memcpy(s->key, v->signing_key, sizeof(s->key));
	memcpy(s->amz_date, v->amz_date, sizeof(s->amz_date));
	memcpy(s->previous, a->signature, sizeof(s->previous));
	if (sigv4_scope(s->scope, sizeof(s->scope), a->date, a->region, a->service))
		s->scope[0] = '\0'; /* cannot happen: the fields are bounded */
}

void sigv4_chunk_signature(struct sigv4_stream *s,
			   const unsigned char chunk_sha256[32], char *out)
{
	char hex[2 * HASH_SHA256_LEN + 1];
	char sts[512];

	hash_hex(chunk_sha256, HASH_SHA256_LEN, hex);
	int n = snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256-PAYLOAD\n%s\n%s\n%s\n"
			 SIGV4_EMPTY_SHA256 "\n%s", s->amz_date, s->scope,
			 s->previous, hex);
	sigv4_signature(s->key, sts, (size_t)n, out);
	memcpy(s->previous, out, SIGV4_SIG_LEN + 1);
}

void sigv4_trailer_signature(const struct sigv4_stream *s,
			     const unsigned char trailer_sha256[32], char *out)
{
	char hex[2 * HASH_SHA256_LEN + 1];
	char sts[512];

	hash_hex(trailer_sha256, HASH_SHA256_LEN, hex);
	int n = snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256-TRAILER\n%s\n%s\n%s\n%s",
			 s->amz_date, s->scope, s->previous, hex);
	sigv4_signature(s->key, sts, (size_t)n, out);
}

