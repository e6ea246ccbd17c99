/*
 * sigv4.h - AWS Signature Version 4: sign (sdk), presign (sdk) and verify
 * (emulator), plus the chunk and trailer signatures of streaming uploads.
 *
 * One module on both sides of the wire, so the emulator accepts exactly
 * what the sdk (and botocore, and the other AWS SDKs) produce.  The
 * algorithm is the one in the AWS "Signature Version 4 signing process"
 * documents; tests/vectors/sigv4.json holds vectors computed by botocore.
 *
 * The steps are exposed for tests and for error bodies:
 *
 *   canonical request  sigv4_canonical_request
 *   string to sign     sigv4_string_to_sign (scope from sigv4_scope)
 *   signing key        sigv4_signing_key
 *   signature          sigv4_signature
 *
 * sigv4_compute_signature runs all four.
 *
 * Verification (emulator, sigv4_verify.c), in call order:
 *
 *   struct sigv4_verified v;
 *   enum sigv4_err e = sigv4_verify(&req, lookup, arg, now, &v);
 *   if (e) -> error: sigv4_error_code/_message/_status(e, is_s3)
 *   if the payload hash is a STREAMING-* literal:
 *       sigv4_stream_from_verified(&stream, &v);  -> aws_chunked.h
 *   sigv4_verified_free(&v);
 *
 * Ownership: struct sigv4_request only borrows its strings.  Results
 * (struct sigv4_signed, struct sigv4_verified) own their heap strings and
 * are released with sigv4_signed_free / sigv4_verified_free.  Nothing
 * here keeps global state; library code never prints.
 */
#ifndef IMGPIPE_SIGV4_H
#define IMGPIPE_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SIGV4_STREAMING_PAYLOAD "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
#define SIGV4_STREAMING_PAYLOAD_TRAILER "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
#define SIGV4_STREAMING_UNSIGNED_TRAILER "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define SIGV4_MAX_SKEW 900        /* seconds a request's date may be off */
#define SIGV4_MAX_EXPIRES 604800  /* longest X-Amz-Expires (one week) */
#define SIGV4_DATE_LEN 16         /* strlen("20250101T000000Z") */
#define SIGV4_SIG_LEN 64          /* hex characters in a signature */
#define SIGV4_SCOPE_MAX 192       /* room for date/region/service/aws4_request */
#define SIGV4_CANONICAL_MAX (1u << 20) /* cap on a canonical request */

/*
 * Why a request failed verification.  The AWS code, message and HTTP
 * status come from sigv4_error_code/_message/_status; S3 and the other
 * services name some of them differently.
 */
enum sigv4_err {
	SIGV4_OK = 0,
	SIGV4_ERR_MISSING,          /* no Authorization, no X-Amz-* query auth */
	SIGV4_ERR_MULTIPLE,         /* both an Authorization header and query auth */
	SIGV4_ERR_ALGORITHM,        /* not AWS4-HMAC-SHA256 (SigV2, SigV4a...) */
	SIGV4_ERR_INCOMPLETE,       /* Authorization lacks Credential/SignedHeaders/Signature */
	SIGV4_ERR_MALFORMED,        /* Authorization or its Credential unparsable */
	SIGV4_ERR_QUERY,            /* presigned parameters missing or malformed */
	SIGV4_ERR_EXPIRES_TOO_LONG, /* X-Amz-Expires above SIGV4_MAX_EXPIRES */
	SIGV4_ERR_DATE,             /* no valid X-Amz-Date (or Date) */
	SIGV4_ERR_CREDENTIAL_DATE,  /* scope date differs from the request date */
	SIGV4_ERR_UNKNOWN_KEY,      /* the secret lookup knows no such access key */
	SIGV4_ERR_TIME_SKEWED,      /* more than SIGV4_MAX_SKEW from now */
	SIGV4_ERR_EXPIRED,          /* presigned URL past X-Amz-Date + X-Amz-Expires */
	SIGV4_ERR_NOT_YET_VALID,    /* presigned URL dated in the future */
	SIGV4_ERR_SIGNATURE,        /* the signature does not match */
};

/* One HTTP header; names in any case, repeated names allowed. */
struct sigv4_header {
	const char *name;
	const char *value;
};

/* The parts of an Authorization header (or of presigned parameters). */
struct sigv4_auth {
	char access_key[129];     /* AKID from the credential */
	char date[9];             /* credential scope date, yyyymmdd */
	char region[65];          /* credential scope region */
	char service[65];         /* credential scope service, e.g. "s3" */
	char signed_headers[2048]; /* lowercase names joined by ';' */
	char signature[SIGV4_SIG_LEN + 1]; /* hex, as sent */
};

/* A request to sign or verify.  Every pointer is borrowed. */
struct sigv4_request {
	const char *method;          /* "GET", "PUT"... */
	const char *path;            /* raw path as on the wire ("/b/a%20b") */
	const char *query;           /* raw query without '?'; NULL or "" */
	const struct sigv4_header *headers; /* the headers (see each function) */
	size_t header_count;
	const char *payload_hash;    /* hex sha256, UNSIGNED-PAYLOAD or STREAMING-* */
	int double_encode_path;      /* 1 for every service but S3 */
};

/* Credentials for signing; session_token is NULL without one. */
struct sigv4_credentials {
	const char *access_key;
	const char *secret_key;
	const char *session_token;
};

/* What sigv4_sign / sigv4_presign produce.  Free with sigv4_signed_free. */
struct sigv4_signed {
	char *authorization;     /* Authorization value (sign), else NULL */
	char *query;             /* full presigned query (presign), else NULL */
	char *canonical_request; /* the canonical request that was signed */
	char *string_to_sign;    /* the string that was signed */
	char amz_date[SIGV4_DATE_LEN + 1]; /* X-Amz-Date value */
	char signature[SIGV4_SIG_LEN + 1]; /* the signature, lowercase hex */
};

/*
 * The secret access key for access_key, or NULL if there is none.  The
 * string must stay valid until sigv4_verify returns.
 */
typedef const char *sigv4_secret_fn(void *arg, const char *access_key);

/* What sigv4_verify learnt.  Free with sigv4_verified_free. */
struct sigv4_verified {
	struct sigv4_auth auth;  /* access key, scope, signed headers, signature */
	char amz_date[SIGV4_DATE_LEN + 1]; /* request time, ISO 8601 basic */
	int presigned;           /* 1 when authenticated by query parameters */
	char *session_token;     /* X-Amz-Security-Token, or NULL */
	unsigned char signing_key[32]; /* derived key (chunk signatures) */
	char *canonical_request; /* what the server computed (error bodies) */
	char *string_to_sign;    /* likewise */
};

/* Streaming signatures: the chain state of one aws-chunked body. */
struct sigv4_stream {
	unsigned char key[32];            /* signing key of the request */
	char amz_date[SIGV4_DATE_LEN + 1];/* request X-Amz-Date */
	char scope[SIGV4_SCOPE_MAX];      /* date/region/service/aws4_request */
	char previous[SIGV4_SIG_LEN + 1]; /* seed, then the last chunk's signature */
};

/* ---- parsing -------------------------------------------------------- */

/*
 * Parse an Authorization value "AWS4-HMAC-SHA256 Credential=AKID/date/
 * region/service/aws4_request, SignedHeaders=a;b, Signature=hex" into
 * out.  Components may come in any order, separated by ',' and/or
 * spaces.  Returns SIGV4_OK, SIGV4_ERR_ALGORITHM, SIGV4_ERR_INCOMPLETE
 * or SIGV4_ERR_MALFORMED; out is filled only on success.
 */
int sigv4_parse_authorization(const char *header, struct sigv4_auth *out);
/*
 * Parse a credential "AKID/yyyymmdd/region/service/aws4_request" (the
 * decoded X-Amz-Credential) into out's access_key, date, region and
 * service.  Returns SIGV4_OK or SIGV4_ERR_MALFORMED (out untouched).
 */
int sigv4_parse_credential(const char *credential, struct sigv4_auth *out);
/* Format t as yyyymmddThhmmssZ into out (SIGV4_DATE_LEN + 1 bytes). */
void sigv4_format_date(time_t t, char *out);
/* Parse a strict yyyymmddThhmmssZ into *out.  Returns 0 or -1. */
int sigv4_parse_date(const char *s, time_t *out);

/* ---- the signing steps ---------------------------------------------- */

/*
 * Append the sorted, de-duplicated, lowercased names of headers joined by
 * ';' to out.  Returns 0 or -1 (cap).
 */
int sigv4_signed_headers(struct buf *out, const struct sigv4_header *headers,
			 size_t count);
/*
 * Append the canonical request of req to out:
 *   METHOD \n canonical-path \n canonical-query \n
 *   name:value \n ... (one per name in signed_headers, in that order) \n
 *   signed_headers \n payload-hash
 * Values of a name are matched case-insensitively, trimmed, their inner
 * whitespace runs collapsed to one space, and joined with ','; a signed
 * header that is absent contributes "name:".  exclude_param and
 * query_flags are passed to uri_canonical_query.  payload_hash NULL means
 * UNSIGNED-PAYLOAD.  Returns 0, or -1 on a malformed query or the cap.
 */
int sigv4_canonical_request(struct buf *out, const struct sigv4_request *req,
			    const char *signed_headers, const char *exclude_param,
			    int query_flags);
/* "date/region/service/aws4_request" into out.  Returns 0 or -1 (size). */
int sigv4_scope(char *out, size_t size, const char *date, const char *region,
		const char *service);
/*
 * Append "AWS4-HMAC-SHA256\n" amz_date "\n" scope "\n"
 * hex(sha256(canonical_request)) to out.  Returns 0 or -1.
 */
int sigv4_string_to_sign(struct buf *out, const char *amz_date,
			 const char *scope, const char *canonical_request,
			 size_t len);
/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" secret, date), region), service), "aws4_request") */
void sigv4_signing_key(const char *secret, const char *date, const char *region,
		       const char *service, unsigned char key[32]);
/* Lowercase hex HMAC(key, string_to_sign) into out (65 bytes). */
void sigv4_signature(const unsigned char key[32], const char *string_to_sign,
		     size_t len, char *out);
/*
 * All the steps at once, as sign, presign and verify run them: the
 * canonical request of req (signed_headers, exclude_param, query_flags as
 * for sigv4_canonical_request), its string to sign under amz_date and
 * scope, and the signature with key into sig (65 bytes).  When canonical
 * and sts are not NULL they receive the two strings (caller frees both
 * with free()).  Returns 0, or -1 (nothing allocated) on a malformed
 * query or a canonical request past SIGV4_CANONICAL_MAX.
 */
int sigv4_compute_signature(const struct sigv4_request *req,
			    const char *signed_headers, const char *exclude_param,
			    int query_flags, const char *amz_date,
			    const char *scope, const unsigned char key[32],
			    char **canonical, char **sts, char *sig);

/* ---- sign, presign, verify ------------------------------------------ */

/*
 * Sign req for the Authorization header.  req->headers are the headers
 * the request will carry (Host included; for S3 also
 * x-amz-content-sha256); all of them are signed, plus X-Amz-Date (and
 * X-Amz-Security-Token when cred has a session token), which this adds,
 * replacing any caller entries of the same names.  The caller must send
 * those two headers with out->amz_date and the token.  req->payload_hash
 * is required.  Returns 0 (out filled; free with sigv4_signed_free) or -1
 * (bad arguments or input past the caps; out zeroed).
 */
int sigv4_sign(const struct sigv4_request *req,
	       const struct sigv4_credentials *cred, const char *region,
	       const char *service, time_t now, struct sigv4_signed *out);
/*
 * Presign req: out->query is the whole query string for the URL, the
 * caller's req->query followed by X-Amz-Algorithm, X-Amz-Credential,
 * X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Security-Token
 * (with a session token) and X-Amz-Signature.  req->headers are the
 * headers to sign (at least Host).  payload_hash NULL means
 * UNSIGNED-PAYLOAD (S3); other services sign the body's hash.
 * expires is in seconds (at most SIGV4_MAX_EXPIRES).  Returns 0 or -1 as
 * sigv4_sign.
 */
int sigv4_presign(const struct sigv4_request *req,
		  const struct sigv4_credentials *cred, const char *region,
		  const char *service, time_t now, unsigned long expires,
		  struct sigv4_signed *out);
void sigv4_signed_free(struct sigv4_signed *s);

/*
 * Verify a request as received.  req->headers are all the headers
 * received; req->query the raw query.  req->payload_hash is the hash the
 * canonical request must carry: the x-amz-content-sha256 header for S3
 * (it may be a STREAMING-* literal or UNSIGNED-PAYLOAD), the server's
 * hex(sha256(body)) for other services, or NULL for UNSIGNED-PAYLOAD
 * (a presigned S3 URL without that header).
 *
 * The Authorization header form and the presigned query form (detected by
 * X-Amz-Algorithm/-Credential/-Signature in the query) are both handled.
 * Checks, in order: syntax, date, scope date, access key (secret(arg,
 * key)), time (skew, or expiry for presigned), signature.  Region and
 * service are not checked against anything: the caller decides.
 *
 * out is always initialised, whatever the result; release it with
 * sigv4_verified_free.  out->auth holds what was parsed before any
 * failure (the access key for InvalidAccessKeyId bodies).  With SIGV4_OK
 * and SIGV4_ERR_SIGNATURE, canonical_request and string_to_sign are
 * never NULL (S3 returns them in SignatureDoesNotMatch bodies).
 * signing_key is set only with SIGV4_OK.  Returns SIGV4_OK or the error.
 */
enum sigv4_err sigv4_verify(const struct sigv4_request *req,
			    sigv4_secret_fn *secret, void *arg, time_t now,
			    struct sigv4_verified *out);
void sigv4_verified_free(struct sigv4_verified *v);

/* AWS error code of e ("SignatureDoesNotMatch"...), for S3 or not. */
const char *sigv4_error_code(enum sigv4_err e, int is_s3);
/* AWS's message wording for e. */
const char *sigv4_error_message(enum sigv4_err e, int is_s3);
/* HTTP status for e (400 or 403). */
int sigv4_error_status(enum sigv4_err e, int is_s3);

/* ---- streaming (aws-chunked) signatures ----------------------------- */

/*
 * Start a chain with the request's signing key, X-Amz-Date, scope and
 * seed signature (the Authorization signature).  Returns 0, or -1 when a
 * string does not fit.
 */
int sigv4_stream_init(struct sigv4_stream *s, const unsigned char key[32],
		      const char *amz_date, const char *scope,
		      const char *seed_signature);
/* The same from a successful sigv4_verify. */
void sigv4_stream_from_verified(struct sigv4_stream *s,
				const struct sigv4_verified *v);
/*
 * Signature of the next chunk (chunk_sha256: SHA-256 of its data, the
 * empty hash for the final zero-length chunk) into out (65 bytes):
 * HMAC(key, "AWS4-HMAC-SHA256-PAYLOAD\n" date "\n" scope "\n" previous
 * "\n" sha256("") "\n" hex(chunk_sha256)).  s->previous becomes it.
 */
void sigv4_chunk_signature(struct sigv4_stream *s,
			   const unsigned char chunk_sha256[32], char *out);
/*
 * Signature of the trailer (trailer_sha256: SHA-256 of the canonical
 * trailer lines "name:value\n"...) into out:
 * HMAC(key, "AWS4-HMAC-SHA256-TRAILER\n" date "\n" scope "\n" previous
 * "\n" hex(trailer_sha256)).  s is not changed.
 */
void sigv4_trailer_signature(const struct sigv4_stream *s,
			     const unsigned char trailer_sha256[32], char *out);

#endif
