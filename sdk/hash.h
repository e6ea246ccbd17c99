/*
 * hash.h - digests, MACs, checksums and the text encodings around them.
 *
 * Everything that turns bytes into a fingerprint lives here so SigV4 (sdk
 * signer and emulator verifier), S3 ETags and the x-amz-checksum-* headers
 * share one implementation:
 *
 *   - SHA-256, SHA-1 and MD5 come from OpenSSL libcrypto (EVP API); no
 *     hand-written cryptography.
 *   - CRC32 (zlib/IEEE), CRC32C (Castagnoli) and CRC64NVME are the small
 *     table-driven checksums S3 accepts in x-amz-checksum-*; their digests
 *     are the big-endian bytes of the CRC, which is what S3 base64-encodes.
 *   - hex (lowercase) and base64 (standard alphabet, padded; the decoder is
 *     strict and rejects anything a canonical encoder would not produce).
 *
 * Incremental use, for any algorithm:
 *
 *     struct hash_ctx h;
 *     hash_init(&h, HASH_SHA256);
 *     hash_update(&h, data, len);      (any number of times)
 *     n = hash_final(&h, digest);      (h is ready for a new message)
 *     hash_free(&h);
 *
 * A hash_ctx for the EVP algorithms holds one heap-allocated OpenSSL
 * context, so every hash_init needs a hash_free.  Out of memory aborts,
 * as with xmalloc.  The only process-wide data are the CRC tables,
 * computed once (pthread_once) and read-only after.
 */
#ifndef IMGPIPE_HASH_H
#define IMGPIPE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SHA256_LEN 32
#define HASH_SHA1_LEN 20
#define HASH_MD5_LEN 16
#define HASH_MAX_LEN 32 /* the largest digest any hash_alg produces */

/* Base64 text length (without the NUL) of n input bytes. */
#define HASH_BASE64_LEN(n) ((((n) + 2) / 3) * 4)

enum hash_alg {
	HASH_MD5,       /* 16 bytes; S3 ETag and Content-MD5 */
	HASH_SHA1,      /* 20 bytes; x-amz-checksum-sha1 */
	HASH_SHA256,    /* 32 bytes; SigV4, x-amz-checksum-sha256 */
	HASH_CRC32,     /* 4 bytes big-endian; x-amz-checksum-crc32 */
	HASH_CRC32C,    /* 4 bytes big-endian; x-amz-checksum-crc32c */
	HASH_CRC64NVME, /* 8 bytes big-endian; x-amz-checksum-crc64nvme */
};

struct evp_md_ctx_st; /* OpenSSL's EVP_MD_CTX, kept opaque here */

struct hash_ctx {
	enum hash_alg alg;         /* which algorithm this context runs */
	struct evp_md_ctx_st *md;  /* OpenSSL context (EVP algorithms only) */
	uint64_t crc;              /* running CRC, pre-conditioned (CRCs only) */
	const struct crc_tables *crc_tables; /* shared, read-only (CRCs only) */
};

/* ---- incremental interface ------------------------------------------ */

/* Start a new message with alg.  Pair with hash_free. */
void hash_init(struct hash_ctx *h, enum hash_alg alg);
/* Feed len bytes (len may be 0, data may then be NULL). */
void hash_update(struct hash_ctx *h, const void *data, size_t len);
/*
 * Write the digest of everything fed since init (or the last final) to
 * out, which has room for HASH_MAX_LEN bytes; return its length.  The
 * context is reset and can hash a new message.
 */
size_t hash_final(struct hash_ctx *h, unsigned char *out);
/* Release what hash_init allocated.  Safe to call twice. */
void hash_free(struct hash_ctx *h);
/* Digest length of alg in bytes. */
size_t hash_len(enum hash_alg alg);
/*
 * Map an S3 checksum algorithm name ("CRC32", "crc32c", "SHA256",
 * "CRC64NVME", "SHA1"; case-insensitive) to *out.  Returns 0, or -1 for
 * an unknown name (out untouched).  MD5 is not an S3 checksum algorithm.
 */
int hash_alg_from_name(const char *name, enum hash_alg *out);

/* ---- one-shot helpers ---------------------------------------------- */

void hash_sha256(const void *data, size_t len, unsigned char out[HASH_SHA256_LEN]);
/* Lowercase hex SHA-256 of data into out (65 bytes, NUL-terminated). */
void hash_sha256_hex(const void *data, size_t len, char out[2 * HASH_SHA256_LEN + 1]);
void hash_md5(const void *data, size_t len, unsigned char out[HASH_MD5_LEN]);
/* HMAC-SHA256 of data under key. */
void hash_hmac_sha256(const void *key, size_t keylen, const void *data,
		      size_t len, unsigned char out[HASH_SHA256_LEN]);

/*
 * CRCs in zlib's running style: start with crc = 0 and pass the previous
 * result to continue; the return value is the finished CRC of everything
 * so far (e.g. hash_crc32(0, "123456789", 9) == 0xCBF43926).
 */
uint32_t hash_crc32(uint32_t crc, const void *data, size_t len);
uint32_t hash_crc32c(uint32_t crc, const void *data, size_t len);
uint64_t hash_crc64nvme(uint64_t crc, const void *data, size_t len);

/* Constant-time comparison: 1 if the len bytes at a and b are equal. */
int hash_equal(const void *a, const void *b, size_t len);

/* ---- encodings ----------------------------------------------------- */

/* Lowercase hex of len bytes into out (2*len + 1 bytes, NUL-terminated). */
void hash_hex(const unsigned char *in, size_t len, char *out);
/*
 * Decode exactly 2*outlen hex digits (either case) from in to out.
 * Returns 0, or -1 if a character is not a hex digit.
 */
int hash_unhex(const char *in, unsigned char *out, size_t outlen);
/*
 * Base64 (RFC 4648, padded) of len bytes into out, which needs
 * HASH_BASE64_LEN(len) + 1 bytes; NUL-terminated.  Returns the text length.
 */
size_t hash_base64_encode(const void *in, size_t len, char *out);
/*
 * Strict base64 decode of inlen characters.  Rejects characters outside
 * the alphabet, whitespace, a length that is not a multiple of 4, padding
 * anywhere but at the end, and non-zero unused bits in the last group.
 * Writes at most outcap bytes to out and their count to *outlen.
 * Returns 0, or -1 on bad input or when the result would not fit; after
 * a failure *outlen is untouched and the contents of out are unspecified.
 */
int hash_base64_decode(const char *in, size_t inlen, unsigned char *out,
		       size_t outcap, size_t *outlen);

#endif
