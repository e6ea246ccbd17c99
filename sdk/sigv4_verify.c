/*
 * sigv4_verify.c - AWS Signature Version 4, the verifying side: parsing
 * of Authorization headers, credentials and presigned parameters,
 * sigv4_verify, and the table of AWS error codes (see sigv4.h).
 *
 * The signature itself is recomputed with the same steps the signer uses
 * (sigv4_compute_signature in sigv4.c).  Verification tolerates one
 * difference between clients: botocore signs a URL's query exactly as
 * sent (only sorted), while the specification (and the other SDKs)
 * decode and re-encode it.  For a query already in canonical form the two
 * agree; otherwise the verifier tries the normalised form first and the
 * as-sent form second.
 *
 * Everything parsed here is untrusted: every field is copied into a
 * fixed-size buffer after its length is checked.
 */
#include "sigv4.h"
#include "hash.h"
#include "uri.h"
#include "xalloc.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SIGV4_TERMINAL "aws4_request"

/* ==== parsing ============================================================ */

/* Copy src[0..len) into dst[size] as a string; -1 if empty or too long. */
static int copy_field(char *dst, size_t size, const char *src, size_t len)
{
	if (len == 0 || len >= size)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/* 1 if s[0..len) holds only printable, non-space ASCII. */
static int is_token(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	}
	return 1;
}

/* 1 if s[0..len) is all decimal digits. */
static int is_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

static int is_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

int sigv4_parse_credential(const char *credential, struct sigv4_auth *out)
{
	const char *part[5];
	size_t len[5];
	int n = 0;
	const char *p = credential;

	for (;;) {
		const char *slash = strchr(p, '/');
		if (n == 5)
			return SIGV4_ERR_MALFORMED;
		part[n] = p;
		len[n] = slash ? (size_t)(slash - p) : strlen(p);
		n++;
		if (!slash)
			break;
		p = slash + 1;
	}
	if (n != 5 || len[1] != 8 || !is_digits(part[1], 8) ||
	    len[4] != strlen(SIGV4_TERMINAL) ||
	    memcmp(part[4], SIGV4_TERMINAL, len[4]) != 0)
		return SIGV4_ERR_MALFORMED;
	for (int i = 0; i < 4; i++) {
		if (!is_token(part[i], len[i]))
			return SIGV4_ERR_MALFORMED;
	}
	if (len[0] == 0 || len[0] >= sizeof(out->access_key) ||
	    len[2] == 0 || len[2] >= sizeof(out->region) ||
	    len[3] == 0 || len[3] >= sizeof(out->service))
		return SIGV4_ERR_MALFORMED;
	copy_field(out->access_key, sizeof(out->access_key), part[0], len[0]);
	copy_field(out->date, sizeof(out->date), part[1], len[1]);
	copy_field(out->region, sizeof(out->region), part[2], len[2]);
	copy_field(out->service, sizeof(out->service), part[3], len[3]);
	return SIGV4_OK;
}

/* A SignedHeaders list: ';'-separated non-empty tokens. */
static int valid_header_list(const char *s, size_t len)
{
	if (len == 0 || s[0] == ';' || s[len - 1] == ';' || !is_token(s, len))
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (s[i] == ';' && s[i - 1] == ';')
			return 0;
	}
	return 1;
}

int sigv4_parse_authorization(const char *header, struct sigv4_auth *out)
{
	static const char *const keys[3] = { "Credential", "SignedHeaders",
					     "Signature" };
	const char *val[3] = { NULL, NULL, NULL };
	size_t vlen[3] = { 0, 0, 0 };
	const char *p = header;

	while (*p == ' ')
		p++;
	size_t alg = strcspn(p, " ");
	if (alg != strlen(SIGV4_ALGORITHM) || memcmp(p, SIGV4_ALGORITHM, alg) != 0)
		return SIGV4_ERR_ALGORITHM;
	p += alg;
	for (;;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		size_t toklen = strcspn(p, " ,");
		const char *eq = memchr(p, '=', toklen);
		if (!eq)
			return SIGV4_ERR_MALFORMED;
		size_t klen = (size_t)(eq - p);
		int k = -1;
		for (int i = 0; i < 3; i++) {
			if (klen == strlen(keys[i]) && memcmp(p, keys[i], klen) == 0)
				k = i;
		}
		if (k < 0 || val[k])
			return SIGV4_ERR_MALFORMED;
		val[k] = eq + 1;
		vlen[k] = toklen - klen - 1;
		p += toklen;
	}
	for (int i = 0; i < 3; i++) {
		if (!val[i] || vlen[i] == 0)
			return SIGV4_ERR_INCOMPLETE;
	}

	struct sigv4_auth a;
	char cred[512];
	if (copy_field(cred, sizeof(cred), val[0], vlen[0]) ||
	    sigv4_parse_credential(cred, &a) ||
	    !valid_header_list(val[1], vlen[1]) ||
	    copy_field(a.signed_headers, sizeof(a.signed_headers), val[1], vlen[1]) ||
	    !is_hex(val[2], vlen[2]) ||
	    copy_field(a.signature, sizeof(a.signature), val[2], vlen[2]))
		return SIGV4_ERR_MALFORMED;
	*out = a;
	return SIGV4_OK;
}

/*
 * Parse an RFC 1123 Date header, which SigV4 accepts when there is no
 * X-Amz-Date: "Wed, 01 Jan 2025 00:00:00 GMT", or with the zone written
 * "+0000"/"-0000" as Python's email.utils.formatdate (botocore) does.
 * Returns 0 or -1.
 */
static int parse_http_date(const char *s, time_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char wday[4], mon[4], zone[6], iso[80];
	int d, y, h, m, sec, end = 0;

	if (sscanf(s, "%3[A-Za-z], %2d %3s %4d %2d:%2d:%2d %5s%n", wday, &d, mon, &y,
		   &h, &m, &sec, zone, &end) != 8 || s[end] != '\0' ||
	    strlen(mon) != 3)
		return -1;
	if (strcmp(zone, "GMT") != 0 && strcmp(zone, "UTC") != 0 &&
	    strcmp(zone, "+0000") != 0 && strcmp(zone, "-0000") != 0)
		return -1;
	const char *at = strstr(months, mon);
	if (!at || (at - months) % 3 != 0 || d < 0 || y < 0 || h < 0 ||
	    m < 0 || sec < 0)
		return -1;
	snprintf(iso, sizeof(iso), "%04d%02d%02dT%02d%02d%02dZ", y,
		 (int)(at - months) / 3 + 1, d, h, m, sec);
	return sigv4_parse_date(iso, out);
}

/* ==== verify ============================================================= */

void sigv4_verified_free(struct sigv4_verified *v)
{
	free(v->session_token);
	free(v->canonical_request);
	free(v->string_to_sign);
	OPENSSL_cleanse(v->signing_key, sizeof(v->signing_key));
	memset(v, 0, sizeof(*v));
}

/* The first header called name (any case), or NULL. */
static const char *header_get(const struct sigv4_request *req, const char *name)
{
	for (size_t i = 0; i < req->header_count; i++) {
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	}
	return NULL;
}

/* The X-Amz-* parameters of a presigned URL, decoded. */
struct query_auth {
	char algorithm[32];
	char credential[512];
	char date[32];
	char expires[24];
	char signed_headers[2048];
	char signature[SIGV4_SIG_LEN + 1];
	char *token;   /* X-Amz-Security-Token (heap), or NULL */
	unsigned seen; /* bit i set: param i of query_params was present */
	int bad;       /* a parameter repeated, undecodable or too long */
};

static const char *const query_params[] = {
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token",
};
#define QP_COUNT 7
#define QP_TOKEN 6
#define QP_REQUIRED 0x3f /* every parameter but the token */
#define QP_TRIGGER 0x23  /* Algorithm, Credential or Signature: presigned */

/* Where parameter i of query_params is stored in q. */
static char *query_field(struct query_auth *q, int i, size_t *size)
{
	char *const field[] = { q->algorithm, q->credential, q->date, q->expires,
				q->signed_headers, q->signature };
	const size_t sizes[] = { sizeof(q->algorithm), sizeof(q->credential),
				 sizeof(q->date), sizeof(q->expires),
				 sizeof(q->signed_headers), sizeof(q->signature) };
	*size = sizes[i];
	return field[i];
}

/* Store one decoded value; the token goes to the heap. */
static void query_store(struct query_auth *q, int i, const char *v, size_t len)
{
	size_t size = 0;
	char *field;
	size_t dlen;

	if (q->seen & (1u << i)) {
		q->bad = 1;
		return;
	}
	q->seen |= 1u << i;
	if (i == QP_TOKEN) {
		q->token = xstrndup(v, len);
		if (uri_decode(q->token, len, q->token, &dlen) ||
		    strlen(q->token) != dlen)
			q->bad = 1;
		return;
	}
	field = query_field(q, i, &size);
	if (len >= size || uri_decode(v, len, field, &dlen) ||
	    strlen(field) != dlen)
		q->bad = 1;
}

/* Collect the X-Amz-* auth parameters of a raw query into q. */
static void query_collect(const char *raw, struct query_auth *q)
{
	memset(q, 0, sizeof(*q));
	for (const char *p = raw; p && *p;) {
		size_t seglen = strcspn(p, "&");
		const char *eq = memchr(p, '=', seglen);
		size_t nlen = eq ? (size_t)(eq - p) : seglen;
		char name[32];
		size_t dlen;
		if (nlen < sizeof(name) && uri_decode(p, nlen, name, &dlen) == 0 &&
		    strlen(name) == dlen) {
			for (int i = 0; i < QP_COUNT; i++) {
				if (strcmp(name, query_params[i]) == 0)
					query_store(q, i, eq ? eq + 1 : p + seglen,
						    eq ? seglen - nlen - 1 : 0);
			}
		}
		p += seglen;
		if (*p == '&')
			p++;
	}
}

/* Compare a computed signature with the one sent, in constant time. */
static int signature_matches(const char *expected, const char *sent)
{
	return strlen(sent) == SIGV4_SIG_LEN &&
	       hash_equal(expected, sent, SIGV4_SIG_LEN);
}

/*
 * The common tail of both forms, once out->auth and out->amz_date are
 * known and the time is checked: look the key up, derive the signing
 * key, and compare signatures (normalised query first, then as sent).
 * Past the key lookup, out->canonical_request and out->string_to_sign are
 * always set: those of the normalised form, or of the as-sent form when
 * the query cannot be normalised (a bad '%' escape), or "" when neither
 * can be built (past SIGV4_CANONICAL_MAX).
 */
static enum sigv4_err verify_signature(const struct sigv4_request *req,
				       const char *exclude,
				       sigv4_secret_fn *secret, void *arg,
				       struct sigv4_verified *out)
{
	struct sigv4_auth *a = &out->auth;
	char scope[SIGV4_SCOPE_MAX];
	char sig[SIGV4_SIG_LEN + 1];

	const char *key = secret(arg, a->access_key);
	if (!key)
		return SIGV4_ERR_UNKNOWN_KEY;
	if (sigv4_scope(scope, sizeof(scope), a->date, a->region, a->service))
		return SIGV4_ERR_MALFORMED;
	sigv4_signing_key(key, a->date, a->region, a->service, out->signing_key);
	int normalised = sigv4_compute_signature(req, a->signed_headers, exclude,
						 0, out->amz_date, scope,
						 out->signing_key,
						 &out->canonical_request,
						 &out->string_to_sign, sig) == 0;
	if (normalised && signature_matches(sig, a->signature))
		return SIGV4_OK;
	/* botocore's form; its strings are kept only if the other failed */
	char **cr = normalised ? NULL : &out->canonical_request;
	char **sts = normalised ? NULL : &out->string_to_sign;
	int as_sent = sigv4_compute_signature(req, a->signed_headers, exclude,
					      URI_QUERY_AS_SENT, out->amz_date,
					      scope, out->signing_key, cr, sts,
					      sig) == 0;
	if (!out->canonical_request) {
		out->canonical_request = xstrdup("");
		out->string_to_sign = xstrdup("");
	}
	if (as_sent && signature_matches(sig, a->signature))
		return SIGV4_OK;
	return SIGV4_ERR_SIGNATURE;
}

/* The Authorization header form. */
static enum sigv4_err verify_header(const struct sigv4_request *req,
				    const char *authorization,
				    sigv4_secret_fn *secret, void *arg,
				    time_t now, struct sigv4_verified *out)
{
	time_t t;
	int rc = sigv4_parse_authorization(authorization, &out->auth);
	if (rc)
		return (enum sigv4_err)rc;

	const char *date = header_get(req, "x-amz-date");
	if (date) {
		if (sigv4_parse_date(date, &t))
			return SIGV4_ERR_DATE;
	} else {
		date = header_get(req, "date");
		if (!date || parse_http_date(date, &t))
			return SIGV4_ERR_DATE;
	}
	sigv4_format_date(t, out->amz_date);
	if (memcmp(out->amz_date, out->auth.date, 8) != 0)
		return SIGV4_ERR_CREDENTIAL_DATE;
	if (t > now + SIGV4_MAX_SKEW || t < now - SIGV4_MAX_SKEW)
		return SIGV4_ERR_TIME_SKEWED;
	const char *token = header_get(req, "x-amz-security-token");
	if (token)
		out->session_token = xstrdup(token);
	return verify_signature(req, NULL, secret, arg, out);
}

/* The presigned query form; q holds the collected parameters. */
static enum sigv4_err verify_query(const struct sigv4_request *req,
				   struct query_auth *q, sigv4_secret_fn *secret,
				   void *arg, time_t now,
				   struct sigv4_verified *out)
{
	struct sigv4_auth *a = &out->auth;
	time_t t;

	out->presigned = 1;
	out->session_token = q->token;
	q->token = NULL;
	if (q->bad || (q->seen & QP_REQUIRED) != QP_REQUIRED)
		return SIGV4_ERR_QUERY;
	if (strcmp(q->algorithm, SIGV4_ALGORITHM) != 0)
		return SIGV4_ERR_ALGORITHM;
	size_t explen = strlen(q->expires);
	size_t shlen = strlen(q->signed_headers);
	size_t siglen = strlen(q->signature);
	if (sigv4_parse_credential(q->credential, a) ||
	    sigv4_parse_date(q->date, &t) || explen == 0 || explen > 9 ||
	    !is_digits(q->expires, explen) ||
	    !valid_header_list(q->signed_headers, shlen) || siglen == 0 ||
	    !is_hex(q->signature, siglen))
		return SIGV4_ERR_QUERY;
	long expires = strtol(q->expires, NULL, 10);
	if (expires > SIGV4_MAX_EXPIRES)
		return SIGV4_ERR_EXPIRES_TOO_LONG;
	memcpy(a->signed_headers, q->signed_headers, shlen + 1);
	memcpy(a->signature, q->signature, siglen + 1);
	memcpy(out->amz_date, q->date, SIGV4_DATE_LEN + 1);
	if (memcmp(out->amz_date, a->date, 8) != 0)
		return SIGV4_ERR_CREDENTIAL_DATE;
	if (t > now + SIGV4_MAX_SKEW)
		return SIGV4_ERR_NOT_YET_VALID;
	if (now > t + expires)
		return SIGV4_ERR_EXPIRED;
	return verify_signature(req, "X-Amz-Signature", secret, arg, out);
}

enum sigv4_err sigv4_verify(const struct sigv4_request *req,
			    sigv4_secret_fn *secret, void *arg, time_t now,
			    struct sigv4_verified *out)
{
	struct query_auth q;
	enum sigv4_err e;

	memset(out, 0, sizeof(*out));
	const char *authorization = header_get(req, "authorization");
	query_collect(req->query, &q);
	int presigned = (q.seen & QP_TRIGGER) != 0;
	if (authorization && presigned)
		e = SIGV4_ERR_MULTIPLE;
	else if (authorization)
		e = verify_header(req, authorization, secret, arg, now, out);
	else if (presigned)
		e = verify_query(req, &q, secret, arg, now, out);
	else
		e = SIGV4_ERR_MISSING;
	free(q.token);
	OPENSSL_cleanse(&q, sizeof(q));
	if (e != SIGV4_OK)
		OPENSSL_cleanse(out->signing_key, sizeof(out->signing_key));
	return e;
}

/* ==== AWS errors ========================================================= */

/* One row of the error table: S3's wording and everyone else's. */
struct sigv4_error_row {
	const char *s3_code;
	int s3_status;
	const char *s3_message;
	const char *code;
	int status;
	const char *message;
};

#define MSG_NONCONFORMING "The request signature does not conform to AWS standards."
#define MSG_MISMATCH_S3 "The request signature we calculated does not match " \
	"the signature you provided. Check your key and signing method."
#define MSG_MISMATCH "The request signature we calculated does not match " \
	"the signature you provided. Check your AWS Secret Access Key and " \
	"signing method. Consult the service documentation for details."
#define MSG_QUERY "Query-string authentication version 4 requires the " \
	"X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, " \
	"X-Amz-SignedHeaders, and X-Amz-Expires parameters."

static const struct sigv4_error_row *sigv4_error_row(enum sigv4_err e)
{
	static const struct sigv4_error_row rows[] = {
	[SIGV4_OK] = { "", 200, "", "", 200, "" },
	[SIGV4_ERR_MISSING] = { "AccessDenied", 403, "Access Denied",
		"MissingAuthenticationToken", 403, "Missing Authentication Token" },
	[SIGV4_ERR_MULTIPLE] = { "InvalidArgument", 400,
		"Only one auth mechanism allowed; only the X-Amz-Algorithm query "
		"parameter, Signature query string parameter or the Authorization "
		"header should be specified",
		"IncompleteSignature", 400, MSG_NONCONFORMING },
	[SIGV4_ERR_ALGORITHM] = { "InvalidRequest", 400,
		"The authorization mechanism you have provided is not supported. "
		"Please use AWS4-HMAC-SHA256.",
		"IncompleteSignature", 400, MSG_NONCONFORMING },
	[SIGV4_ERR_INCOMPLETE] = { "AuthorizationHeaderMalformed", 400,
		"The authorization header is malformed; the authorization header "
		"requires three components: Credential, SignedHeaders, and Signature.",
		"IncompleteSignature", 400, MSG_NONCONFORMING },
	[SIGV4_ERR_MALFORMED] = { "AuthorizationHeaderMalformed", 400,
		"The authorization header is malformed; the Credential is "
		"mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".",
		"IncompleteSignature", 400, MSG_NONCONFORMING },
	[SIGV4_ERR_QUERY] = { "AuthorizationQueryParametersError", 400, MSG_QUERY,
		"IncompleteSignature", 400, MSG_NONCONFORMING },
	[SIGV4_ERR_EXPIRES_TOO_LONG] = { "AuthorizationQueryParametersError", 400,
		"X-Amz-Expires must be less than a week (in seconds) that is 604800",
		"IncompleteSignature", 400, MSG_NONCONFORMING },
	[SIGV4_ERR_DATE] = { "AccessDenied", 403,
		"AWS authentication requires a valid Date or x-amz-date header",
		"IncompleteSignature", 400,
		"Authorization header requires existence of either a 'X-Amz-Date' "
		"or a 'Date' header." },
	[SIGV4_ERR_CREDENTIAL_DATE] = { "AuthorizationHeaderMalformed", 400,
		"The authorization header is malformed; Invalid credential date. "
		"Date is not the same as X-Amz-Date.",
		"SignatureDoesNotMatch", 403,
		"Date in Credential scope does not match YYYYMMDD from ISO-8601 "
		"version of date from HTTP" },
	[SIGV4_ERR_UNKNOWN_KEY] = { "InvalidAccessKeyId", 403,
		"The AWS Access Key Id you provided does not exist in our records.",
		"UnrecognizedClientException", 400,
		"The security token included in the request is invalid." },
	[SIGV4_ERR_TIME_SKEWED] = { "RequestTimeTooSkewed", 403,
		"The difference between the request time and the current time is "
		"too large.",
		"RequestTimeTooSkewed", 403,
		"Signature expired: the request time is more than 15 minutes away "
		"from the current time." },
	[SIGV4_ERR_EXPIRED] = { "AccessDenied", 403, "Request has expired",
		"AccessDenied", 403, "Request has expired" },
	[SIGV4_ERR_NOT_YET_VALID] = { "AccessDenied", 403,
		"Request is not valid yet", "AccessDenied", 403,
		"Request is not valid yet" },
	[SIGV4_ERR_SIGNATURE] = { "SignatureDoesNotMatch", 403, MSG_MISMATCH_S3,
		"SignatureDoesNotMatch", 403, MSG_MISMATCH },
	};

	if ((unsigned)e >= sizeof(rows) / sizeof(rows[0]))
		e = SIGV4_ERR_SIGNATURE;
	return &rows[e];
}

const char *sigv4_error_code(enum sigv4_err e, int is_s3)
{
	const struct sigv4_error_row *r = sigv4_error_row(e);
	return is_s3 ? r->s3_code : r->code;
}

const char *sigv4_error_message(enum sigv4_err e, int is_s3)
{
	const struct sigv4_error_row *r = sigv4_error_row(e);
	return is_s3 ? r->s3_message : r->message;
}

int sigv4_error_status(enum sigv4_err e, int is_s3)
{
	const struct sigv4_error_row *r = sigv4_error_row(e);
	return is_s3 ? r->s3_status : r->status;
}

