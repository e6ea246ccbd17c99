/*
 * test_aws_chunked.c - unit tests for sdk/aws_chunked.c.
 *
 * The bodies of tests/vectors/sigv4.json ("chunked": the S3
 * documentation's signed example, a signed-trailer upload, and an
 * unsigned-trailer body written by botocore's AwsChunkedWrapper) are
 * decoded whole, one byte at a time and in random slices, then damaged
 * in every way the decoder must notice.  Small hand-written bodies cover
 * the framing rules and limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "aws_chunked.h"
#include "hash.h"
#include "sigv4.h"

#define VECTORS "tests/vectors/sigv4.json"

/* One chunked vector, decoded from the JSON. */
struct cvec {
	const char *id;
	enum aws_chunked_mode mode;
	unsigned char *body;     /* the aws-chunked body (heap) */
	size_t body_len;
	unsigned char *payload;  /* what it decodes to (heap) */
	size_t payload_len;
	int has_stream;          /* signed: stream holds the seed chain */
	struct sigv4_stream stream;
	const char *trailer_name, *trailer_value;
};

/* The sink: collects up to cap bytes; fails past it or after fail_at. */
struct collect {
	unsigned char *data;
	size_t len, cap;
	size_t fail_at; /* fail once len would pass this (0: never) */
};

static int collect_sink(void *arg, const void *p, size_t n)
{
	struct collect *c = arg;
	if (c->len + n > c->cap || (c->fail_at && c->len + n > c->fail_at))
		return -1;
	memcpy(c->data + c->len, p, n);
	c->len += n;
	return 0;
}

/* ==== loading ============================================================ */

static cJSON *root;

static unsigned char *b64(const char *s, size_t *len)
{
	size_t n = strlen(s);
	unsigned char *out = malloc(n + 1);
	assert_int_equal(hash_base64_decode(s, n, out, n, len), 0);
	return out;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void cvec_load(int index, struct cvec *c)
{
	const cJSON *o = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(root, "chunked"), index);
	assert_non_null(o);
	memset(c, 0, sizeof(*c));
	c->id = jstr(o, "id");
	assert_int_equal(aws_chunked_mode_from_hash(jstr(o, "payload_hash"),
						    &c->mode), 0);
	c->body = b64(jstr(o, "body_b64"), &c->body_len);
	c->payload = b64(jstr(o, "payload_b64"), &c->payload_len);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "trailer");
	if (t) {
		c->trailer_name = jstr(t, "name");
		c->trailer_value = jstr(t, "value");
	}
	const char *seed = jstr(o, "seed_signature");
	if (seed) {
		const char *ts = jstr(o, "timestamp"), *region = jstr(o, "region");
		unsigned char key[32];
		char scope[SIGV4_SCOPE_MAX];
		sigv4_signing_key(jstr(o, "secret_key"), ts, region, "s3", key);
		assert_int_equal(sigv4_scope(scope, sizeof(scope), ts, region, "s3"), 0);
		assert_int_equal(sigv4_stream_init(&c->stream, key, ts, scope, seed), 0);
		c->has_stream = 1;
	}
}

static void cvec_free(struct cvec *c)
{
	free(c->body);
	free(c->payload);
}

/* ==== decoding helpers =================================================== */

/*
 * Decode body[0..len) feeding slices of `slice` bytes (0: pseudo-random
 * sizes from seed).  Returns the first error of feed or finish.  The
 * decoder is left for the caller to inspect and free.
 */
static enum aws_chunked_err run(struct aws_chunked *d, enum aws_chunked_mode mode,
				const struct sigv4_stream *stream,
				uint64_t declared, const unsigned char *body,
				size_t len, size_t slice, struct collect *out)
{
	uint32_t seed = 12345;
	size_t i = 0;

	aws_chunked_init(d, mode, stream, declared, collect_sink, out);
	while (i < len) {
		size_t n = slice;
		if (n == 0) {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % 700;
		}
		if (n > len - i)
			n = len - i;
		enum aws_chunked_err e = aws_chunked_feed(d, body + i, n);
		if (e)
			return e;
		i += n;
	}
	return aws_chunked_finish(d);
}

static void collect_init(struct collect *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->data = malloc(cap ? cap : 1);
	c->cap = cap;
}

/* Decode c's body (possibly modified) and return the result. */
static enum aws_chunked_err decode_vec(const struct cvec *c,
				       const unsigned char *body, size_t len,
				       uint64_t declared, size_t slice)
{
	struct aws_chunked d;
	struct collect out;
	collect_init(&out, c->payload_len + 1024);
	enum aws_chunked_err e = run(&d, c->mode, c->has_stream ? &c->stream : NULL,
				     declared, body, len, slice, &out);
	aws_chunked_free(&d);
	free(out.data);
	return e;
}

static enum aws_chunked_err decode_str(enum aws_chunked_mode mode,
				       const char *body, uint64_t declared,
				       char *out_payload)
{
	struct aws_chunked d;
	struct collect out;
	collect_init(&out, 256);
	enum aws_chunked_err e = run(&d, mode, NULL, declared,
				     (const unsigned char *)body, strlen(body), 1,
				     &out);
	if (out_payload) {
		memcpy(out_payload, out.data, out.len);
		out_payload[out.len] = '\0';
	}
	aws_chunked_free(&d);
	free(out.data);
	return e;
}

/* Offset of the first occurrence of needle in the body, or abort. */
static size_t find(const struct cvec *c, const char *needle, size_t from)
{
	size_t n = strlen(needle);
	for (size_t i = from; i + n <= c->body_len; i++) {
		if (memcmp(c->body + i, needle, n) == 0)
			return i;
	}
	fail_msg("%s: '%s' not in body", c->id, needle);
	return 0;
}

/* ==== vector tests ======================================================= */

static void test_vectors_decode_any_slicing(void **state)
{
	(void)state;
	static const size_t slicings[] = { 1, 0, 7, 4096, 1 << 20 };

	for (int i = 0; i < 3; i++) {
		struct cvec c;
		cvec_load(i, &c);
		for (size_t s = 0; s < sizeof(slicings) / sizeof(slicings[0]); s++) {
			struct aws_chunked d;
			struct collect out;
			collect_init(&out, c.payload_len);
			enum aws_chunked_err e = run(&d, c.mode,
						     c.has_stream ? &c.stream : NULL,
						     c.payload_len, c.body, c.body_len,
						     slicings[s], &out);
			if (e)
				fail_msg("%s slicing %zu: error %d", c.id, slicings[s], e);
			assert_int_equal(out.len, c.payload_len);
			assert_memory_equal(out.data, c.payload, c.payload_len);
			if (c.trailer_name) {
				assert_int_equal(d.trailer_count, 1);
				assert_string_equal(d.trailers[0].name, c.trailer_name);
				assert_string_equal(aws_chunked_trailer(&d, c.trailer_name),
						    c.trailer_value);
			} else {
				assert_int_equal(d.trailer_count, 0);
			}
			assert_null(aws_chunked_trailer(&d, "x-amz-checksum-sha1"));
			aws_chunked_free(&d);
			free(out.data);
		}
		/* an unknown decoded length is accepted too */
		assert_int_equal(decode_vec(&c, c.body, c.body_len,
					    AWS_CHUNKED_UNKNOWN_LENGTH, 0), AWS_CHUNKED_OK);
		cvec_free(&c);
	}
}

static void test_vectors_checksum_trailer_matches_payload(void **state)
{
	(void)state;
	struct cvec c;
	unsigned char digest[8], decoded[8];
	size_t n;

	cvec_load(2, &c); /* botocore's unsigned body: CRC32 */
	uint32_t crc = hash_crc32(0, c.payload, c.payload_len);
	for (int i = 0; i < 4; i++)
		digest[i] = (unsigned char)(crc >> (24 - 8 * i));
	assert_int_equal(hash_base64_decode(c.trailer_value, strlen(c.trailer_value),
					    decoded, sizeof(decoded), &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(digest, decoded, 4);
	cvec_free(&c);

	cvec_load(1, &c); /* signed trailer: CRC32C */
	crc = hash_crc32c(0, c.payload, c.payload_len);
	for (int i = 0; i < 4; i++)
		digest[i] = (unsigned char)(crc >> (24 - 8 * i));
	assert_int_equal(hash_base64_decode(c.trailer_value, strlen(c.trailer_value),
					    decoded, sizeof(decoded), &n), 0);
	assert_memory_equal(digest, decoded, 4);
	cvec_free(&c);
}

static void test_vectors_tampered(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) { /* the signed ones */
		struct cvec c;
		cvec_load(i, &c);
		unsigned char *copy = malloc(c.body_len);

		/* a payload byte in the first chunk */
		memcpy(copy, c.body, c.body_len);
		copy[find(&c, "\r\n", 0) + 2 + 100] ^= 0x01;
		assert_int_equal(decode_vec(&c, copy, c.body_len, c.payload_len, 0),
				 AWS_CHUNKED_ERR_SIGNATURE);
		/* a payload byte in the last data chunk */
		memcpy(copy, c.body, c.body_len);
		copy[find(&c, "\r\n0;chunk-signature=", 0) - 20] ^= 0x01;
		assert_int_equal(decode_vec(&c, copy, c.body_len, c.payload_len, 0),
				 AWS_CHUNKED_ERR_SIGNATURE);
		/* one digit of a chunk signature, first and final chunk */
		size_t at = find(&c, ";chunk-signature=", 0) + 17;
		memcpy(copy, c.body, c.body_len);
		copy[at] = copy[at] == 'a' ? 'b' : 'a';
		assert_int_equal(decode_vec(&c, copy, c.body_len, c.payload_len, 1),
				 AWS_CHUNKED_ERR_SIGNATURE);
		at = find(&c, "\r\n0;chunk-signature=", 0) + 20;
		memcpy(copy, c.body, c.body_len);
		copy[at + 63] = copy[at + 63] == 'a' ? 'b' : 'a';
		assert_int_equal(decode_vec(&c, copy, c.body_len, c.payload_len, 0),
				 AWS_CHUNKED_ERR_SIGNATURE);
		/* a wrong seed */
		struct cvec other = c;
		other.stream.previous[0] = other.stream.previous[0] == 'a' ? 'b' : 'a';
		assert_int_equal(decode_vec(&other, c.body, c.body_len, c.payload_len, 0),
				 AWS_CHUNKED_ERR_SIGNATURE);
		/* without a signing context nothing is checked */
		memcpy(copy, c.body, c.body_len);
		copy[find(&c, "\r\n", 0) + 2 + 100] ^= 0x01;
		other.has_stream = 0;
		assert_int_equal(decode_vec(&other, copy, c.body_len, c.payload_len, 0),
				 AWS_CHUNKED_OK);
		free(copy);
		cvec_free(&c);
	}
}

static void test_vectors_trailer_tampered(void **state)
{
	(void)state;
	struct cvec c;
	cvec_load(1, &c);
	unsigned char *copy = malloc(c.body_len + 1);

	/* the checksum value */
	size_t at = find(&c, "x-amz-checksum-crc32c:", 0) + 22;
	memcpy(copy, c.body, c.body_len);
	copy[at] = copy[at] == 'A' ? 'B' : 'A';
	assert_int_equal(decode_vec(&c, copy, c.body_len, c.payload_len, 1),
			 AWS_CHUNKED_ERR_SIGNATURE);
	/* the trailer signature */
	at = find(&c, "x-amz-trailer-signature:", 0) + 24;
	memcpy(copy, c.body, c.body_len);
	copy[at + 5] = copy[at + 5] == 'a' ? 'b' : 'a';
	assert_int_equal(decode_vec(&c, copy, c.body_len, c.payload_len, 0),
			 AWS_CHUNKED_ERR_SIGNATURE);
	/* the trailer signature line removed */
	size_t sig_line = find(&c, "x-amz-trailer-signature:", 0);
	memcpy(copy, c.body, sig_line);
	memcpy(copy + sig_line, "\r\n", 2);
	assert_int_equal(decode_vec(&c, copy, sig_line + 2, c.payload_len, 0),
			 AWS_CHUNKED_ERR_MALFORMED);
	/* the trailer name upper-cased: canonical form is lowercase, still valid */
	memcpy(copy, c.body, c.body_len);
	memcpy(copy + find(&c, "x-amz-checksum-crc32c:", 0), "X-Amz-Checksum", 14);
	assert_int_equal(decode_vec(&c, copy, c.body_len, c.payload_len, 0),
			 AWS_CHUNKED_OK);
	free(copy);
	cvec_free(&c);
}

static void test_vectors_truncated_and_lengths(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		struct cvec c;
		cvec_load(i, &c);
		/* cut anywhere (sampled): never accepted as complete */
		for (size_t cut = 0; cut < c.body_len; cut += 1 + cut / 7) {
			enum aws_chunked_err e = decode_vec(&c, c.body, cut,
							    c.payload_len, 0);
			if (cut == c.body_len - 2)
				continue; /* only the final CRLF missing: accepted */
			if (e == AWS_CHUNKED_OK)
				fail_msg("%s: accepted a body cut at %zu of %zu",
					 c.id, cut, c.body_len);
		}
		assert_int_equal(decode_vec(&c, c.body, c.body_len - 1, c.payload_len, 0),
				 AWS_CHUNKED_ERR_TRUNCATED);
		assert_int_equal(decode_vec(&c, c.body, c.body_len - 2, c.payload_len, 0),
				 AWS_CHUNKED_OK);
		/* declared length too small or too large */
		assert_int_equal(decode_vec(&c, c.body, c.body_len, c.payload_len - 1, 0),
				 AWS_CHUNKED_ERR_TOO_LONG);
		assert_int_equal(decode_vec(&c, c.body, c.body_len, c.payload_len + 1, 0),
				 AWS_CHUNKED_ERR_TOO_SHORT);
		/* data after the end */
		unsigned char *more = malloc(c.body_len + 1);
		memcpy(more, c.body, c.body_len);
		more[c.body_len] = '0';
		assert_int_equal(decode_vec(&c, more, c.body_len + 1, c.payload_len, 0),
				 AWS_CHUNKED_ERR_MALFORMED);
		free(more);
		cvec_free(&c);
	}
}

/* ==== framing and limits ================================================= */

#define U AWS_CHUNKED_UNSIGNED_TRAILER
#define S AWS_CHUNKED_SIGNED
#define SIG64 "0000000000000000000000000000000000000000000000000000000000000000"

static void test_unsigned_small_bodies(void **state)
{
	(void)state;
	char payload[256];

	assert_int_equal(decode_str(U, "5\r\nhello\r\n0\r\n"
				       "x-amz-checksum-crc32:NhCmhg==\r\n\r\n", 5,
				    payload), AWS_CHUNKED_OK);
	assert_string_equal(payload, "hello");
	/* chunk extensions are ignored; uppercase hex sizes are fine */
	assert_int_equal(decode_str(U, "A;ext=1\r\n0123456789\r\n0\r\n\r\n", 10,
				    payload), AWS_CHUNKED_OK);
	assert_string_equal(payload, "0123456789");
	/* several trailers, padded values, a missing final empty line */
	assert_int_equal(decode_str(U, "1\r\nx\r\n0\r\na: 1 \r\nb:2\r\n", 1, NULL),
			 AWS_CHUNKED_OK);
	/* an empty payload */
	assert_int_equal(decode_str(U, "0\r\n\r\n", 0, payload), AWS_CHUNKED_OK);
	assert_string_equal(payload, "");
	/* leading zeros up to 16 digits */
	assert_int_equal(decode_str(U, "0000000000000001\r\nz\r\n0\r\n\r\n", 1, NULL),
			 AWS_CHUNKED_OK);
}

static void test_framing_errors(void **state)
{
	(void)state;
	static const struct {
		enum aws_chunked_mode mode;
		const char *body;
		enum aws_chunked_err err;
	} cases[] = {
		{ U, "", AWS_CHUNKED_ERR_TRUNCATED },
		{ U, "5\r\nhel", AWS_CHUNKED_ERR_TRUNCATED },
		{ U, "5\r\nhello\r\n", AWS_CHUNKED_ERR_TRUNCATED },
		{ U, "5\r\nhello\r\n0\r\nx:1\r", AWS_CHUNKED_ERR_TRUNCATED },
		{ U, "x\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ U, "\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ U, "5 \r\nhello\r\n0\r\n\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ U, "00000000000000001\r\nz\r\n0\r\n\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ U, "5\nhello\r\n0\r\n\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ U, "5\r\nhelloX\n0\r\n\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ U, "5\r\nhello\rX0\r\n\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ U, "5\r\nhello\r\n0\r\nno-colon\r\n\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ U, "5\r\nhello\r\n0\r\n:v\r\n\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ U, "5\r\nhello\r\n0\r\nx-amz-trailer-signature:" SIG64 "\r\n\r\n",
		  AWS_CHUNKED_ERR_MALFORMED },
		{ U, "5\r\nhello\r\n0\r\n\r\nmore", AWS_CHUNKED_ERR_MALFORMED },
		{ U, "0\r\na:1\r\nb:2\r\nc:3\r\nd:4\r\ne:5\r\n\r\n", AWS_CHUNKED_ERR_LIMIT },
		{ S, "5\r\nhello\r\n0\r\n\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ S, "5;chunk-signature=abc\r\nhello\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ S, "5;chunk-signature=" SIG64 "0\r\nhello\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ S, "5;chunk-signature=" SIG64 "\r\nhello\r\n0;chunk-signature=" SIG64
		  "\r\nx\r\n", AWS_CHUNKED_ERR_MALFORMED },
		{ S, "5;chunk-signature=" SIG64 "\r\nhello\r\n0;chunk-signature=" SIG64
		  "\r\n\r\n", AWS_CHUNKED_OK },
		{ AWS_CHUNKED_SIGNED_TRAILER, "0;chunk-signature=" SIG64 "\r\n\r\n",
		  AWS_CHUNKED_ERR_MALFORMED },
		{ AWS_CHUNKED_SIGNED_TRAILER, "0;chunk-signature=" SIG64 "\r\n"
		  "x-amz-trailer-signature:" SIG64 "\r\na:b\r\n\r\n",
		  AWS_CHUNKED_ERR_MALFORMED },
		{ AWS_CHUNKED_SIGNED_TRAILER, "0;chunk-signature=" SIG64 "\r\n"
		  "x-amz-trailer-signature:abc\r\n\r\n", AWS_CHUNKED_ERR_MALFORMED },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum aws_chunked_err e = decode_str(cases[i].mode, cases[i].body,
						    AWS_CHUNKED_UNKNOWN_LENGTH, NULL);
		if (e != cases[i].err)
			fail_msg("case %zu: got %d, want %d", i, e, cases[i].err);
	}
}

static void test_limits(void **state)
{
	(void)state;
	char body[1024];

	/* a size line longer than AWS_CHUNKED_LINE_MAX */
	memset(body, '0', sizeof(body));
	memcpy(body, "5;", 2);
	memcpy(body + 600, "\r\n", 3);
	assert_int_equal(decode_str(U, body, AWS_CHUNKED_UNKNOWN_LENGTH, NULL),
			 AWS_CHUNKED_ERR_LIMIT);
	/* a trailer value longer than the trailer buffer (but a short line) */
	char value[200];
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	snprintf(body, sizeof(body), "0\r\nx-amz-checksum-sha256:%s\r\n\r\n", value);
	assert_int_equal(decode_str(U, body, AWS_CHUNKED_UNKNOWN_LENGTH, NULL),
			 AWS_CHUNKED_ERR_LIMIT);
	/* a chunk larger than the declared length is refused before its data */
	assert_int_equal(decode_str(U, "ffffffffffffffff\r\n", 10, NULL),
			 AWS_CHUNKED_ERR_TOO_LONG);
	assert_int_equal(decode_str(U, "3\r\nabc\r\n8\r\n", 10, NULL),
			 AWS_CHUNKED_ERR_TOO_LONG);
}

static void test_sink_failure_is_sticky(void **state)
{
	(void)state;
	struct aws_chunked d;
	struct collect out;
	const char *body = "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n";

	collect_init(&out, 64);
	out.fail_at = 7;
	assert_int_equal(run(&d, U, NULL, 10, (const unsigned char *)body,
			     strlen(body), 3, &out), AWS_CHUNKED_ERR_SINK);
	assert_int_equal(aws_chunked_feed(&d, "x", 1), AWS_CHUNKED_ERR_SINK);
	assert_int_equal(aws_chunked_finish(&d), AWS_CHUNKED_ERR_SINK);
	aws_chunked_free(&d);
	aws_chunked_free(&d); /* twice is safe */
	free(out.data);
}

static void test_mode_and_errors(void **state)
{
	(void)state;
	enum aws_chunked_mode m = U;

	assert_int_equal(aws_chunked_mode_from_hash(SIGV4_STREAMING_PAYLOAD, &m), 0);
	assert_int_equal(m, AWS_CHUNKED_SIGNED);
	assert_int_equal(aws_chunked_mode_from_hash(SIGV4_STREAMING_PAYLOAD_TRAILER,
						    &m), 0);
	assert_int_equal(m, AWS_CHUNKED_SIGNED_TRAILER);
	assert_int_equal(aws_chunked_mode_from_hash(SIGV4_STREAMING_UNSIGNED_TRAILER,
						    &m), 0);
	assert_int_equal(m, AWS_CHUNKED_UNSIGNED_TRAILER);
	assert_int_equal(aws_chunked_mode_from_hash(SIGV4_UNSIGNED_PAYLOAD, &m), -1);
	assert_int_equal(aws_chunked_mode_from_hash(SIGV4_EMPTY_SHA256, &m), -1);

	assert_string_equal(aws_chunked_error_code(AWS_CHUNKED_ERR_SIGNATURE),
			    "SignatureDoesNotMatch");
	assert_int_equal(aws_chunked_error_status(AWS_CHUNKED_ERR_SIGNATURE), 403);
	assert_string_equal(aws_chunked_error_code(AWS_CHUNKED_ERR_TRUNCATED),
			    "IncompleteBody");
	assert_string_equal(aws_chunked_error_code(AWS_CHUNKED_ERR_TOO_SHORT),
			    "IncompleteBody");
	assert_string_equal(aws_chunked_error_code(AWS_CHUNKED_ERR_MALFORMED),
			    "InvalidRequest");
	assert_int_equal(aws_chunked_error_status(AWS_CHUNKED_ERR_MALFORMED), 400);
	assert_string_equal(aws_chunked_error_code(AWS_CHUNKED_ERR_SINK),
			    "InternalError");
	for (int e = AWS_CHUNKED_ERR_MALFORMED; e <= AWS_CHUNKED_ERR_SINK; e++)
		assert_true(strlen(aws_chunked_error_message(e)) > 0);
}

/* ==== main =============================================================== */

static int load_vectors(void **state)
{
	(void)state;
	FILE *f = fopen(VECTORS, "rb");
	if (!f) {
		print_error("cannot open %s (run from the repo root)\n", VECTORS);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = malloc((size_t)n + 1);
	text[fread(text, 1, (size_t)n, f)] = '\0';
	fclose(f);
	root = cJSON_Parse(text);
	free(text);
	if (!root || cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root,
							"chunked")) != 3)
		return -1;
	return 0;
}

static int free_vectors(void **state)
{
	(void)state;
	cJSON_Delete(root);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_decode_any_slicing),
		cmocka_unit_test(test_vectors_checksum_trailer_matches_payload),
		cmocka_unit_test(test_vectors_tampered),
		cmocka_unit_test(test_vectors_trailer_tampered),
		cmocka_unit_test(test_vectors_truncated_and_lengths),
		cmocka_unit_test(test_unsigned_small_bodies),
		cmocka_unit_test(test_framing_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_sink_failure_is_sticky),
		cmocka_unit_test(test_mode_and_errors),
	};
	return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
