/*
 * aws_chunked.h - incremental decoder for Content-Encoding: aws-chunked
 * request bodies (S3 streaming uploads).
 *
 * The x-amz-content-sha256 value picks the variant:
 *
 *   STREAMING-AWS4-HMAC-SHA256-PAYLOAD          signed chunks
 *       <hex-size>;chunk-signature=<sig>\r\n <data> \r\n ...
 *       0;chunk-signature=<sig>\r\n \r\n
 *   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  signed chunks + trailer
 *       ... 0;chunk-signature=<sig>\r\n
 *       x-amz-checksum-crc32:<base64>\r\n
 *       x-amz-trailer-signature:<sig>\r\n \r\n
 *   STREAMING-UNSIGNED-PAYLOAD-TRAILER          unsigned chunks + trailer
 *       <hex-size>\r\n <data> \r\n ... 0\r\n
 *       x-amz-checksum-crc32:<base64>\r\n \r\n
 *
 * Call order:
 *
 *   aws_chunked_init(&d, mode, stream_or_NULL, decoded_length, sink, arg);
 *   aws_chunked_feed(&d, bytes, n);       (any slices, even 1 byte each)
 *   aws_chunked_finish(&d);               (at end of the HTTP body)
 *   ... read d.trailers[0 .. d.trailer_count) ...
 *   aws_chunked_free(&d);                 (always, whatever happened)
 *
 * Decoded payload bytes go to the sink as they arrive, before the chunk
 * they belong to has been checked (a chunk's signature comes first but
 * can only be verified after its last byte).  A consumer must therefore
 * treat everything it received as provisional until aws_chunked_finish
 * returns AWS_CHUNKED_OK, and discard it on any error; S3 writes to a
 * temporary file and commits only then.
 *
 * The body is untrusted: the decoder's memory is fixed at init (lines,
 * trailers and signatures live in fixed buffers inside the struct; one
 * OpenSSL digest context is the only allocation), sizes are checked for
 * overflow and against x-amz-decoded-content-length before data is
 * accepted, and the first error is sticky.
 */
#ifndef IMGPIPE_AWS_CHUNKED_H
#define IMGPIPE_AWS_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "sigv4.h"

#define AWS_CHUNKED_LINE_MAX 256    /* longest chunk-size or trailer line */
#define AWS_CHUNKED_MAX_TRAILERS 4  /* trailer headers kept (besides the signature) */
#define AWS_CHUNKED_UNKNOWN_LENGTH UINT64_MAX /* no x-amz-decoded-content-length */

enum aws_chunked_mode {
	AWS_CHUNKED_SIGNED,           /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD */
	AWS_CHUNKED_SIGNED_TRAILER,   /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER */
	AWS_CHUNKED_UNSIGNED_TRAILER, /* STREAMING-UNSIGNED-PAYLOAD-TRAILER */
};

enum aws_chunked_err {
	AWS_CHUNKED_OK = 0,
	AWS_CHUNKED_ERR_MALFORMED,  /* framing, chunk size or trailer syntax */
	AWS_CHUNKED_ERR_LIMIT,      /* a line or the trailer count past its limit */
	AWS_CHUNKED_ERR_TRUNCATED,  /* the body ended before the final chunk */
	AWS_CHUNKED_ERR_TOO_LONG,   /* more payload than decoded_length */
	AWS_CHUNKED_ERR_TOO_SHORT,  /* less payload than decoded_length */
	AWS_CHUNKED_ERR_SIGNATURE,  /* a chunk or trailer signature mismatch */
	AWS_CHUNKED_ERR_SINK,       /* the sink returned non-zero */
};

/*
 * Receives decoded payload bytes; returns 0 to go on, non-zero to stop
 * decoding (the decoder then fails with AWS_CHUNKED_ERR_SINK).
 */
typedef int aws_chunked_sink_fn(void *arg, const void *data, size_t len);

/* One trailer header as read ("x-amz-checksum-crc32", "<base64>"). */
struct aws_chunked_trailer {
	char name[64];   /* lowercased */
	char value[160]; /* trimmed */
};

struct aws_chunked {
	/* configuration, set by aws_chunked_init */
	enum aws_chunked_mode mode;   /* the body's variant */
	int verify;                   /* 1: check signatures against stream */
	struct sigv4_stream stream;   /* signature chain (when verify) */
	uint64_t declared;            /* x-amz-decoded-content-length or UNKNOWN */
	aws_chunked_sink_fn *sink;    /* where payload bytes go */
	void *arg;                    /* sink's argument */

	/* parser state */
	int state;                    /* private: where the parser is */
	enum aws_chunked_err error;   /* first error, sticky */
	uint64_t decoded;             /* payload bytes emitted so far */
	uint64_t chunk_left;          /* bytes left in the current chunk */
	char line[AWS_CHUNKED_LINE_MAX + 1]; /* the line being read */
	size_t line_len;              /* bytes in line */
	int saw_cr;                   /* the last byte of line was '\r' */
	char chunk_sig[SIGV4_SIG_LEN + 1]; /* signature of the current chunk */
	struct hash_ctx chunk_hash;   /* SHA-256 of the current chunk's data */
	char canonical_trailer[AWS_CHUNKED_MAX_TRAILERS * AWS_CHUNKED_LINE_MAX];
	size_t canonical_len;         /* bytes of "name:value\n" lines */
	int trailer_signed;           /* x-amz-trailer-signature seen and valid */

	/* results */
	struct aws_chunked_trailer trailers[AWS_CHUNKED_MAX_TRAILERS];
	size_t trailer_count;         /* trailers read */
};

/*
 * Map an x-amz-content-sha256 value to a mode.  Returns 0, or -1 when it
 * is not an aws-chunked literal (a hex hash, UNSIGNED-PAYLOAD...).
 */
int aws_chunked_mode_from_hash(const char *content_sha256,
			       enum aws_chunked_mode *out);

/*
 * Prepare d.  stream: the chain from sigv4_stream_from_verified (its
 * previous holds the seed signature), copied into d; NULL to parse the
 * signed variants without checking signatures.  Ignored for the unsigned
 * mode.  decoded_length: x-amz-decoded-content-length, or
 * AWS_CHUNKED_UNKNOWN_LENGTH.  Pair with aws_chunked_free.
 */
void aws_chunked_init(struct aws_chunked *d, enum aws_chunked_mode mode,
		      const struct sigv4_stream *stream, uint64_t decoded_length,
		      aws_chunked_sink_fn *sink, void *arg);
/*
 * Decode the next len bytes of the body.  Returns AWS_CHUNKED_OK or the
 * (sticky) error; after an error further calls do nothing.
 */
enum aws_chunked_err aws_chunked_feed(struct aws_chunked *d, const void *data,
				      size_t len);
/*
 * The body has ended: check that the final chunk (and trailer) arrived
 * and that the payload length equals decoded_length.  Returns
 * AWS_CHUNKED_OK or the error.
 */
enum aws_chunked_err aws_chunked_finish(struct aws_chunked *d);
/* Release the digest context.  Safe after any result; safe twice. */
void aws_chunked_free(struct aws_chunked *d);

/* The value of trailer name (lowercase), or NULL if it was not sent. */
const char *aws_chunked_trailer(const struct aws_chunked *d, const char *name);

/* S3 error code, message and HTTP status for e. */
const char *aws_chunked_error_code(enum aws_chunked_err e);
const char *aws_chunked_error_message(enum aws_chunked_err e);
int aws_chunked_error_status(enum aws_chunked_err e);

#endif
