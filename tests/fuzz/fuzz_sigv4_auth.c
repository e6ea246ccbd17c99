/*
 * fuzz_sigv4_auth.c - libFuzzer target for the SigV4 parsers and the
 * verifier (sdk/sigv4_verify.c) together with the canonical query and
 * path builders they use (sdk/uri.c): everything that reads an
 * Authorization header, an X-Amz-Credential or a request's query before
 * the request is authenticated.
 *
 * The input is split at its first two newlines into an Authorization
 * value, a raw query string and a raw path.  Each is parsed on its own,
 * then the three make a request that sigv4_verify checks against a
 * keyring that knows every access key.  The target checks that parse
 * results are NUL-terminated within their buffers, that failures leave
 * the output untouched, and that every error maps to an AWS code.
 *
 * Built and run by tests/fuzz/build.sh, which reads these lines:
 * fuzz-sources: sdk/sigv4.c sdk/sigv4_verify.c sdk/hash.c sdk/uri.c sdk/buf.c sdk/xalloc.c
 * fuzz-pkgs: libcrypto
 * fuzz-dict: "AWS4-HMAC-SHA256 "
 * fuzz-dict: "Credential="
 * fuzz-dict: "SignedHeaders="
 * fuzz-dict: "Signature="
 * fuzz-dict: "/aws4_request"
 * fuzz-dict: "X-Amz-Algorithm="
 * fuzz-dict: "X-Amz-Credential="
 * fuzz-dict: "X-Amz-Signature="
 * fuzz-dict: "X-Amz-Expires="
 * fuzz-dict: "X-Amz-Date=20250101T000000Z"
 * fuzz-dict: "X-Amz-SignedHeaders=host"
 * fuzz-dict: "%2F"
 * fuzz-seed: AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00\na=1&b=&c\n/bucket/a%20b
 * fuzz-seed: \nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00\n/./a/../b//c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sigv4.h"
#include "uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *any_key(void *arg, const char *access_key)
{
	(void)arg;
	(void)access_key;
	return "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
}

/* Every string field of a parsed auth must end inside its buffer. */
static void check_auth(const struct sigv4_auth *a)
{
	if (strnlen(a->access_key, sizeof(a->access_key)) == sizeof(a->access_key) ||
	    strnlen(a->date, sizeof(a->date)) != 8 ||
	    strnlen(a->region, sizeof(a->region)) == sizeof(a->region) ||
	    strnlen(a->service, sizeof(a->service)) == sizeof(a->service))
		abort();
}

/* Parse s both ways and check the parsers' promises. */
static void parse_one(const char *s)
{
	struct sigv4_auth a, sentinel;
	memset(&sentinel, 0xa5, sizeof(sentinel));

	a = sentinel;
	int e = sigv4_parse_authorization(s, &a);
	if (e == SIGV4_OK) {
		check_auth(&a);
		if (strnlen(a.signed_headers, sizeof(a.signed_headers)) ==
			    sizeof(a.signed_headers) ||
		    strnlen(a.signature, sizeof(a.signature)) == sizeof(a.signature))
			abort();
	} else if (memcmp(&a, &sentinel, sizeof(a)) != 0) {
		abort();
	}
	a = sentinel;
	if (sigv4_parse_credential(s, &a) == SIGV4_OK)
		check_auth(&a);
	else if (memcmp(&a, &sentinel, sizeof(a)) != 0)
		abort();
	time_t t;
	sigv4_parse_date(s, &t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';

	char *query = strchr(s, '\n');
	if (query)
		*query++ = '\0';
	char *path = query ? strchr(query, '\n') : NULL;
	if (path)
		*path++ = '\0';

	parse_one(s);
	struct buf b;
	buf_init(&b, 1 << 16);
	uri_canonical_query(&b, query, "X-Amz-Signature", 0);
	buf_reset(&b);
	uri_canonical_query(&b, query, NULL, URI_QUERY_AS_SENT);
	buf_reset(&b);
	uri_canonical_path(&b, path, 1);
	buf_free(&b);

	struct sigv4_header h[] = {
		{ "Host", "localhost:4566" },
		{ "X-Amz-Date", "20250101T000000Z" },
		{ "Authorization", s },
	};
	struct sigv4_request r = {
		.method = "GET", .path = path ? path : "/", .query = query,
		.headers = h, .header_count = *s ? 3 : 2,
		.payload_hash = SIGV4_EMPTY_SHA256,
		.double_encode_path = size & 1,
	};
	struct sigv4_verified v;
	enum sigv4_err e = sigv4_verify(&r, any_key, NULL, 1735689600, &v);
	if (e == SIGV4_OK)
		check_auth(&v.auth);
	if (!sigv4_error_code(e, 1) || !sigv4_error_message(e, 0) ||
	    sigv4_error_status(e, 1) < 200)
		abort();
	sigv4_verified_free(&v);
	free(s);
	return 0;
}
