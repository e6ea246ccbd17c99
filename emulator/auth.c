/*
 * auth.c - who sent a request, and whether to believe it (--auth).
 *
 * The router calls auth_check_headers or auth_check_body (auth.h); both
 * end in check(), which fills req->identity from the credential scope
 * and, with --auth sigv4, verifies the signature with the shared SigV4
 * module (sdk/sigv4.h) against the one configured key pair.  Errors use
 * the codes and wording AWS gives (S3 names some differently: the
 * REST-XML protocol is S3's).
 */
#include "auth.h"
#include "config.h"
#include "hash.h"
#include "sigv4.h"

#include <string.h>
#include <time.h>

static const char *configured_secret(void *arg, const char *access_key)
{
	const struct config *cfg = arg;
	return strcmp(access_key, cfg->access_key) == 0 ? cfg->secret_key
							: NULL;
}

/* Identity from the scope, even when nothing is verified. */
static void read_identity(struct request *req)
{
	struct sigv4_auth a;
	const char *authz = req_header(req, "authorization");
	const char *cred = req_query(req, "X-Amz-Credential");
	int ok = (authz && sigv4_parse_authorization(authz, &a) == 0) ||
		 (cred && sigv4_parse_credential(cred, &a) == 0);
	req->identity.region = req->emu->config->region;
	if (!ok)
		return;
	req->identity.access_key = arena_strdup(req->arena, a.access_key);
	req->identity.region = arena_strdup(req->arena, a.region);
	req->identity.scope = arena_strdup(req->arena, a.service);
}

/*
 * Record the AWS error for a failed verification.  The SigV4 module
 * knows S3's names and the generic ones; the JSON and Query services
 * name three cases their own way (DynamoDB and Lambda answer a bad or
 * expired signature with InvalidSignatureException, STS and SNS an
 * unknown key with InvalidClientTokenId).
 */
static void record_auth_error(struct request *req, enum sigv4_err e)
{
	enum protocol proto = req->service ? req->service->protocol
					   : PROTO_REST_XML;
	int is_s3 = proto == PROTO_REST_XML;
	int status = sigv4_error_status(e, is_s3);
	const char *code = sigv4_error_code(e, is_s3);
	const char *message = sigv4_error_message(e, is_s3);
	int json = proto == PROTO_JSON || proto == PROTO_REST_JSON;

	if (json && (e == SIGV4_ERR_SIGNATURE || e == SIGV4_ERR_TIME_SKEWED)) {
		code = "InvalidSignatureException";
		status = proto == PROTO_JSON ? 400 : 403;
	} else if (json && e == SIGV4_ERR_UNKNOWN_KEY) {
		status = proto == PROTO_JSON ? 400 : 403;
	} else if (proto == PROTO_QUERY && e == SIGV4_ERR_UNKNOWN_KEY) {
		code = "InvalidClientTokenId";
		status = 403;
	} else if (proto == PROTO_QUERY && e == SIGV4_ERR_TIME_SKEWED) {
		code = "SignatureDoesNotMatch";
	}
	req_error(req, status, code, "%s", message);
}

static int is_streaming(const char *payload_hash)
{
	return payload_hash &&
	       strncmp(payload_hash, "STREAMING-", 10) == 0;
}

/*
 * Verify req's signature over payload_hash (see sigv4_verify for what
 * it may be).  Returns 0 or -1 with the AWS error recorded.
 */
static int check(struct request *req, const char *payload_hash)
{
	const struct config *cfg = req->emu->config;
	read_identity(req);
	if (cfg->auth == AUTH_OFF)
		return 0;

	int is_s3 = req->service && req->service->protocol == PROTO_REST_XML;
	struct sigv4_header *headers = arena_alloc(
		req->arena, (req->n_headers ? req->n_headers : 1) *
				    sizeof(*headers));
	for (size_t i = 0; i < req->n_headers; i++) {
		headers[i].name = req->headers[i].name;
		headers[i].value = req->headers[i].value;
	}
	struct sigv4_request sr = {
		.method = req->method,
		.path = req->raw_path,
		.query = req->raw_query,
		.headers = headers,
		.header_count = req->n_headers,
		.payload_hash = payload_hash,
		.double_encode_path = !is_s3,
	};
	struct sigv4_verified v;
	enum sigv4_err e = sigv4_verify(&sr, configured_secret, (void *)cfg,
					time(NULL), &v);
	if (e != SIGV4_OK) {
		record_auth_error(req, e);
		if (is_s3 && e == SIGV4_ERR_SIGNATURE) {
			req_error_extra(req, "AWSAccessKeyId",
					v.auth.access_key);
			req_error_extra(req, "StringToSign", v.string_to_sign);
			req_error_extra(req, "SignatureProvided",
					v.auth.signature);
			req_error_extra(req, "CanonicalRequest",
					v.canonical_request);
		} else if (is_s3 && e == SIGV4_ERR_UNKNOWN_KEY) {
			req_error_extra(req, "AWSAccessKeyId",
					v.auth.access_key);
		}
		sigv4_verified_free(&v);
		return -1;
	}
	if (is_streaming(payload_hash) &&
	    strcmp(payload_hash, SIGV4_STREAMING_UNSIGNED_TRAILER) != 0) {
		req->sigv4_stream = arena_alloc(req->arena,
						sizeof(*req->sigv4_stream));
		sigv4_stream_from_verified(req->sigv4_stream, &v);
	}
	sigv4_verified_free(&v);
	return 0;
}

int auth_check_headers(struct request *req)
{
	if (req->op && (req->op->flags & OP_NO_AUTH))
		return 0;
	/* The body's hash is the operation's to check as it streams. */
	return check(req, req_header(req, "x-amz-content-sha256"));
}

int auth_check_body(struct request *req)
{
	const char *declared = req_header(req, "x-amz-content-sha256");
	char computed[2 * HASH_SHA256_LEN + 1];
	hash_sha256_hex(req->body ? req->body : "", req->body_len, computed);
	if (declared && strlen(declared) == 2 * HASH_SHA256_LEN &&
	    strcmp(declared, computed) != 0) {
		req_error(req, 400, "XAmzContentSHA256Mismatch",
			  "The provided 'x-amz-content-sha256' header does "
			  "not match what was computed.");
		req_error_extra(req, "ClientComputedContentSHA256", declared);
		req_error_extra(req, "S3ComputedContentSHA256", computed);
		return -1;
	}
	if (declared)
		return check(req, declared);
	/* A presigned S3 URL signs UNSIGNED-PAYLOAD without saying so. */
	if (req_query(req, "X-Amz-Signature") &&
	    req->service && req->service->protocol == PROTO_REST_XML)
		return check(req, NULL);
	return check(req, computed);
}
