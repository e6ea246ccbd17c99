/*
 * aws_chunked.c - the aws-chunked body decoder (see aws_chunked.h).
 *
 * A byte-driven state machine.  Lines (chunk sizes, trailers) are read a
 * byte at a time into a fixed buffer and must end in CRLF; chunk data is
 * passed through in the largest slices the input allows, hashed on the
 * way when signatures are checked.  Chunk and trailer signatures come
 * from sigv4.c (sigv4_chunk_signature, sigv4_trailer_signature).
 */
#include "aws_chunked.h"

#include <string.h>

enum {
	ST_SIZE,        /* reading "<hex-size>[;ext]\r\n" */
	ST_DATA,        /* inside a chunk's data */
	ST_DATA_CR,     /* expecting the '\r' after a chunk's data */
	ST_DATA_LF,     /* expecting the '\n' after it */
	ST_FINAL_CRLF,  /* signed, no trailer: the empty line after "0;..." */
	ST_TRAILER,     /* reading trailer lines up to an empty one */
	ST_DONE,        /* the body is complete; nothing more may follow */
};

#define CHUNK_SIG_EXT ";chunk-signature="
#define TRAILER_SIG "x-amz-trailer-signature"

int aws_chunked_mode_from_hash(const char *content_sha256,
			       enum aws_chunked_mode *out)
{
	if (strcmp(content_sha256, SIGV4_STREAMING_PAYLOAD) == 0)
		*out = AWS_CHUNKED_SIGNED;
	else if (strcmp(content_sha256, SIGV4_STREAMING_PAYLOAD_TRAILER) == 0)
		*out = AWS_CHUNKED_SIGNED_TRAILER;
	else if (strcmp(content_sha256, SIGV4_STREAMING_UNSIGNED_TRAILER) == 0)
		*out = AWS_CHUNKED_UNSIGNED_TRAILER;
	else
		return -1;
	return 0;
}

void aws_chunked_init(struct aws_chunked *d, enum aws_chunked_mode mode,
		      const struct sigv4_stream *stream, uint64_t decoded_length,
		      aws_chunked_sink_fn *sink, void *arg)
{
	memset(d, 0, sizeof(*d));
	d->mode = mode;
	d->verify = stream != NULL && mode != AWS_CHUNKED_UNSIGNED_TRAILER;
	if (d->verify) {
		d->stream = *stream;
		hash_init(&d->chunk_hash, HASH_SHA256);
	}
	d->declared = decoded_length;
	d->sink = sink;
	d->arg = arg;
	d->state = ST_SIZE;
}

void aws_chunked_free(struct aws_chunked *d)
{
	hash_free(&d->chunk_hash);
}

static int is_hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

/* 1 if s is exactly a 64-character hex signature. */
static int is_signature(const char *s, size_t len)
{
	if (len != SIGV4_SIG_LEN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (!is_hex_digit(s[i]))
			return 0;
	}
	return 1;
}

/*
 * Check the signature sent for the chunk just finished (data hashed into
 * d->chunk_hash) and advance the chain.  Returns OK or ERR_SIGNATURE.
 */
static enum aws_chunked_err check_chunk_signature(struct aws_chunked *d)
{
	unsigned char digest[HASH_MAX_LEN];
	char expected[SIGV4_SIG_LEN + 1];

	if (!d->verify)
		return AWS_CHUNKED_OK;
	hash_final(&d->chunk_hash, digest);
	sigv4_chunk_signature(&d->stream, digest, expected);
	if (!hash_equal(expected, d->chunk_sig, SIGV4_SIG_LEN))
		return AWS_CHUNKED_ERR_SIGNATURE;
	return AWS_CHUNKED_OK;
}

/* A complete "<hex-size>[;chunk-signature=<sig>]" line. */
static enum aws_chunked_err on_size_line(struct aws_chunked *d)
{
	const char *p = d->line;
	uint64_t size = 0;
	size_t digits = 0;

	while (digits < d->line_len && is_hex_digit(p[digits])) {
		if (digits == 16)
			return AWS_CHUNKED_ERR_MALFORMED;
		size = size << 4 | (uint64_t)hex_digit(p[digits]);
		digits++;
	}
	if (digits == 0)
		return AWS_CHUNKED_ERR_MALFORMED;
	const char *rest = p + digits;
	size_t restlen = d->line_len - digits;
	if (d->mode == AWS_CHUNKED_UNSIGNED_TRAILER) {
		/* No signature; other chunk extensions are ignored. */
		if (restlen > 0 && rest[0] != ';')
			return AWS_CHUNKED_ERR_MALFORMED;
	} else {
		size_t ext = strlen(CHUNK_SIG_EXT);
		if (restlen != ext + SIGV4_SIG_LEN ||
		    memcmp(rest, CHUNK_SIG_EXT, ext) != 0 ||
		    !is_signature(rest + ext, SIGV4_SIG_LEN))
			return AWS_CHUNKED_ERR_MALFORMED;
		memcpy(d->chunk_sig, rest + ext, SIGV4_SIG_LEN);
		d->chunk_sig[SIGV4_SIG_LEN] = '\0';
	}

	if (size > 0) {
		if (d->declared != AWS_CHUNKED_UNKNOWN_LENGTH &&
		    size > d->declared - d->decoded)
			return AWS_CHUNKED_ERR_TOO_LONG;
		d->chunk_left = size;
		d->state = ST_DATA;
		return AWS_CHUNKED_OK;
	}
	/* The final, empty chunk: its signature covers no data. */
	enum aws_chunked_err e = check_chunk_signature(d);
	d->state = d->mode == AWS_CHUNKED_SIGNED ? ST_FINAL_CRLF : ST_TRAILER;
	return e;
}

/* Copy s[0..len) trimmed of spaces/tabs into dst[size]; -1 if too long. */
static int copy_trimmed(char *dst, size_t size, const char *s, size_t len,
			int lower)
{
	while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= size)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		dst[i] = lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	dst[len] = '\0';
	return 0;
}

/* The trailer signature line: check it against the canonical trailers. */
static enum aws_chunked_err on_trailer_signature(struct aws_chunked *d,
						 const char *value)
{
	unsigned char digest[HASH_SHA256_LEN];
	char expected[SIGV4_SIG_LEN + 1];

	if (d->mode != AWS_CHUNKED_SIGNED_TRAILER ||
	    !is_signature(value, strlen(value)))
		return AWS_CHUNKED_ERR_MALFORMED;
	d->trailer_signed = 1;
	if (!d->verify)
		return AWS_CHUNKED_OK;
	hash_sha256(d->canonical_trailer, d->canonical_len, digest);
	sigv4_trailer_signature(&d->stream, digest, expected);
	if (!hash_equal(expected, value, SIGV4_SIG_LEN))
		return AWS_CHUNKED_ERR_SIGNATURE;
	return AWS_CHUNKED_OK;
}

/* A complete trailer line, or the empty line that ends the body. */
static enum aws_chunked_err on_trailer_line(struct aws_chunked *d)
{
	if (d->line_len == 0) {
		if (d->mode == AWS_CHUNKED_SIGNED_TRAILER && !d->trailer_signed)
			return AWS_CHUNKED_ERR_MALFORMED;
		d->state = ST_DONE;
		return AWS_CHUNKED_OK;
	}
	if (d->trailer_signed) /* nothing but the end may follow it */
		return AWS_CHUNKED_ERR_MALFORMED;

	const char *colon = memchr(d->line, ':', d->line_len);
	if (!colon || colon == d->line)
		return AWS_CHUNKED_ERR_MALFORMED;
	struct aws_chunked_trailer t;
	size_t nlen = (size_t)(colon - d->line);
	if (copy_trimmed(t.name, sizeof(t.name), d->line, nlen, 1) ||
	    copy_trimmed(t.value, sizeof(t.value), colon + 1,
			 d->line_len - nlen - 1, 0))
		return AWS_CHUNKED_ERR_LIMIT;
	if (t.name[0] == '\0')
		return AWS_CHUNKED_ERR_MALFORMED;
	if (strcmp(t.name, TRAILER_SIG) == 0)
		return on_trailer_signature(d, t.value);

	if (d->trailer_count == AWS_CHUNKED_MAX_TRAILERS)
		return AWS_CHUNKED_ERR_LIMIT;
	size_t n = strlen(t.name), v = strlen(t.value);
	/* Always fits: each line is at most 63 + 159 + 2 < LINE_MAX bytes. */
	char *c = d->canonical_trailer + d->canonical_len;
	memcpy(c, t.name, n);
	c[n] = ':';
	memcpy(c + n + 1, t.value, v);
	c[n + 1 + v] = '\n';
	d->canonical_len += n + v + 2;
	d->trailers[d->trailer_count++] = t;
	return AWS_CHUNKED_OK;
}

/* A complete line in the current state. */
static enum aws_chunked_err on_line(struct aws_chunked *d)
{
	d->line[d->line_len] = '\0';
	switch (d->state) {
	case ST_SIZE:
		return on_size_line(d);
	case ST_FINAL_CRLF:
		if (d->line_len != 0)
			return AWS_CHUNKED_ERR_MALFORMED;
		d->state = ST_DONE;
		return AWS_CHUNKED_OK;
	default:
		return on_trailer_line(d);
	}
}

/* Add one byte to the line being read; complete it on CRLF. */
static enum aws_chunked_err line_byte(struct aws_chunked *d, char c)
{
	if (d->saw_cr) {
		if (c != '\n')
			return AWS_CHUNKED_ERR_MALFORMED;
		d->saw_cr = 0;
		enum aws_chunked_err e = on_line(d);
		d->line_len = 0;
		return e;
	}
	if (c == '\r') {
		d->saw_cr = 1;
		return AWS_CHUNKED_OK;
	}
	if (c == '\n' || c == '\0')
		return AWS_CHUNKED_ERR_MALFORMED;
	if (d->line_len == AWS_CHUNKED_LINE_MAX)
		return AWS_CHUNKED_ERR_LIMIT;
	d->line[d->line_len++] = c;
	return AWS_CHUNKED_OK;
}

/* Pass up to len bytes of chunk data on; *used says how many were taken. */
static enum aws_chunked_err data_bytes(struct aws_chunked *d,
				       const unsigned char *p, size_t len,
				       size_t *used)
{
	size_t n = len;

	if ((uint64_t)n > d->chunk_left)
		n = (size_t)d->chunk_left;
	if (d->verify)
		hash_update(&d->chunk_hash, p, n);
	if (d->sink && d->sink(d->arg, p, n) != 0)
		return AWS_CHUNKED_ERR_SINK;
	d->decoded += n;
	d->chunk_left -= n;
	if (d->chunk_left == 0)
		d->state = ST_DATA_CR;
	*used = n;
	return AWS_CHUNKED_OK;
}

enum aws_chunked_err aws_chunked_feed(struct aws_chunked *d, const void *data,
				      size_t len)
{
	const unsigned char *p = data;
	size_t i = 0;

	while (d->error == AWS_CHUNKED_OK && i < len) {
		enum aws_chunked_err e = AWS_CHUNKED_OK;
		size_t used = 1;
		switch (d->state) {
		case ST_DATA:
			e = data_bytes(d, p + i, len - i, &used);
			break;
		case ST_DATA_CR:
			if (p[i] != '\r')
				e = AWS_CHUNKED_ERR_MALFORMED;
			d->state = ST_DATA_LF;
			break;
		case ST_DATA_LF:
			if (p[i] != '\n')
				e = AWS_CHUNKED_ERR_MALFORMED;
			else
				e = check_chunk_signature(d);
			d->state = ST_SIZE;
			break;
		case ST_DONE:
			e = AWS_CHUNKED_ERR_MALFORMED; /* data after the end */
			break;
		default:
			e = line_byte(d, (char)p[i]);
			break;
		}
		d->error = e;
		i += used;
	}
	return d->error;
}

enum aws_chunked_err aws_chunked_finish(struct aws_chunked *d)
{
	if (d->error != AWS_CHUNKED_OK)
		return d->error;
	/* Tolerate a body that stops right where its last empty line began. */
	int at_line_start = d->line_len == 0 && !d->saw_cr;
	if (d->state == ST_FINAL_CRLF && at_line_start)
		d->state = ST_DONE;
	else if (d->state == ST_TRAILER && at_line_start)
		d->error = on_trailer_line(d);
	if (d->error == AWS_CHUNKED_OK && d->state != ST_DONE)
		d->error = AWS_CHUNKED_ERR_TRUNCATED;
	if (d->error == AWS_CHUNKED_OK &&
	    d->declared != AWS_CHUNKED_UNKNOWN_LENGTH && d->decoded != d->declared)
		d->error = AWS_CHUNKED_ERR_TOO_SHORT;
	return d->error;
}

const char *aws_chunked_trailer(const struct aws_chunked *d, const char *name)
{
	for (size_t i = 0; i < d->trailer_count; i++) {
		if (strcmp(d->trailers[i].name, name) == 0)
			return d->trailers[i].value;
	}
	return NULL;
}

/* ==== errors ============================================================= */

const char *aws_chunked_error_code(enum aws_chunked_err e)
{
	switch (e) {
	case AWS_CHUNKED_OK:
		return "";
	case AWS_CHUNKED_ERR_MALFORMED:
	case AWS_CHUNKED_ERR_LIMIT:
	case AWS_CHUNKED_ERR_TOO_LONG:
		return "InvalidRequest";
	case AWS_CHUNKED_ERR_TRUNCATED:
	case AWS_CHUNKED_ERR_TOO_SHORT:
		return "IncompleteBody";
	case AWS_CHUNKED_ERR_SIGNATURE:
		return "SignatureDoesNotMatch";
	case AWS_CHUNKED_ERR_SINK:
		break;
	}
	return "InternalError";
}

const char *aws_chunked_error_message(enum aws_chunked_err e)
{
	switch (e) {
	case AWS_CHUNKED_OK:
		return "";
	case AWS_CHUNKED_ERR_MALFORMED:
		return "The aws-chunked encoded request body is malformed.";
	case AWS_CHUNKED_ERR_LIMIT:
		return "A chunk-size or trailer line of the aws-chunked request "
		       "body is too long, or it has too many trailers.";
	case AWS_CHUNKED_ERR_TRUNCATED:
		return "The request body terminated unexpectedly";
	case AWS_CHUNKED_ERR_TOO_LONG:
		return "The decoded request body is longer than "
		       "x-amz-decoded-content-length.";
	case AWS_CHUNKED_ERR_TOO_SHORT:
		return "You did not provide the number of bytes specified by "
		       "the Content-Length HTTP header.";
	case AWS_CHUNKED_ERR_SIGNATURE:
		return "The request signature we calculated does not match the "
		       "signature you provided. Check your key and signing method.";
	case AWS_CHUNKED_ERR_SINK:
		break;
	}
	return "We encountered an internal error. Please try again.";
}

int aws_chunked_error_status(enum aws_chunked_err e)
{
	switch (e) {
	case AWS_CHUNKED_OK:
		return 200;
	case AWS_CHUNKED_ERR_SIGNATURE:
		return 403;
	case AWS_CHUNKED_ERR_SINK:
		return 500;
	case AWS_CHUNKED_ERR_MALFORMED:
	case AWS_CHUNKED_ERR_LIMIT:
	case AWS_CHUNKED_ERR_TRUNCATED:
	case AWS_CHUNKED_ERR_TOO_LONG:
	case AWS_CHUNKED_ERR_TOO_SHORT:
		break;
	}
	return 400;
}
