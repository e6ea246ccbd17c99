/*
 * fuzz_aws_chunked.c - libFuzzer target for the aws-chunked body decoder
 * (sdk/aws_chunked.c), which parses untrusted upload bodies.
 *
 * The first three input bytes choose the variant, whether signatures are
 * checked, the declared decoded length and the slice size; the rest is
 * the body, fed in slices and then finished.  Beyond the sanitizers'
 * checks, the target asserts the decoder's promises: no more payload than
 * declared, a successful finish only with exactly the declared length,
 * and bounded, NUL-terminated trailers.
 *
 * Built and run by tests/fuzz/build.sh, which reads these lines:
 * fuzz-sources: sdk/aws_chunked.c sdk/sigv4.c sdk/hash.c sdk/uri.c sdk/buf.c sdk/xalloc.c
 * fuzz-pkgs: libcrypto
 * fuzz-dict: "\x0d\x0a"
 * fuzz-dict: ";chunk-signature="
 * fuzz-dict: "x-amz-trailer-signature:"
 * fuzz-dict: "x-amz-checksum-crc32:"
 * fuzz-dict: "0000000000000000000000000000000000000000000000000000000000000000"
 * fuzz-seed: \x02\x02\x00005\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n
 * fuzz-seed: \x00\x00\x05\x005;chunk-signature=0000000000000000000000000000000000000000000000000000000000000000\r\nhello\r\n0;chunk-signature=0000000000000000000000000000000000000000000000000000000000000000\r\n\r\n
 * fuzz-seed: \x01\x03\x00\x000;chunk-signature=0000000000000000000000000000000000000000000000000000000000000000\r\na:b\r\nx-amz-trailer-signature:0000000000000000000000000000000000000000000000000000000000000000\r\n\r\n
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_chunked.h"
#include "sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The sink counts what it receives and can refuse when asked to. */
struct tally {
	uint64_t bytes; /* payload bytes received */
	uint64_t stop;  /* refuse once bytes would pass this (0: never) */
};

static int tally_sink(void *arg, const void *p, size_t n)
{
	struct tally *t = arg;
	(void)p;
	if (t->stop && t->bytes + n > t->stop)
		return 1;
	t->bytes += n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	enum aws_chunked_mode mode = (enum aws_chunked_mode)(data[0] % 3);
	int verify = data[1] & 1;
	uint64_t declared = (data[1] & 2) ? AWS_CHUNKED_UNKNOWN_LENGTH
					  : (uint64_t)data[2] * 37;
	size_t slice = 1 + (data[3] & 0x3f);
	struct tally t = { 0, (data[1] & 4) ? 64 : 0 };
	data += 4;
	size -= 4;

	struct sigv4_stream stream;
	unsigned char key[32];
	memset(key, 0x42, sizeof(key));
	if (sigv4_stream_init(&stream, key, "20250101T000000Z",
			      "20250101/us-east-1/s3/aws4_request",
			      "0000000000000000000000000000000000000000000000000000000000000000"))
		abort();

	struct aws_chunked d;
	aws_chunked_init(&d, mode, verify ? &stream : NULL, declared, tally_sink, &t);
	enum aws_chunked_err e = AWS_CHUNKED_OK;
	for (size_t i = 0; i < size && e == AWS_CHUNKED_OK; i += slice)
		e = aws_chunked_feed(&d, data + i, size - i < slice ? size - i : slice);
	enum aws_chunked_err f = aws_chunked_finish(&d);

	if (e != AWS_CHUNKED_OK && f != e)
		abort(); /* errors are sticky */
	if (t.bytes != d.decoded)
		abort();
	if (declared != AWS_CHUNKED_UNKNOWN_LENGTH && d.decoded > declared)
		abort();
	if (f == AWS_CHUNKED_OK && declared != AWS_CHUNKED_UNKNOWN_LENGTH &&
	    d.decoded != declared)
		abort();
	if (d.trailer_count > AWS_CHUNKED_MAX_TRAILERS)
		abort();
	for (size_t i = 0; i < d.trailer_count; i++) {
		if (strnlen(d.trailers[i].name, sizeof(d.trailers[i].name)) ==
			    sizeof(d.trailers[i].name) ||
		    strnlen(d.trailers[i].value, sizeof(d.trailers[i].value)) ==
			    sizeof(d.trailers[i].value))
			abort();
		if (aws_chunked_trailer(&d, d.trailers[i].name) == NULL)
			abort();
	}
	if (aws_chunked_error_code(f) == NULL || aws_chunked_error_message(f) == NULL)
		abort();
	aws_chunked_free(&d);
	return 0;
}
