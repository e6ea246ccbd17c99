/*
 * hash.c - digests (OpenSSL EVP), CRCs, hex and base64 (see hash.h).
 *
 * The CRCs are the reflected, table-driven kind: one 256-entry table per
 * polynomial, built into the hash_ctx by hash_init (or on the stack by
 * the one-shot functions for long inputs), so the module has no global
 * state to initialise.  Parameters (all reflected, init and xorout all
 * ones):
 *
 *   CRC32      poly 0xEDB88320          check("123456789") 0xCBF43926
 *   CRC32C     poly 0x82F63B78          check 0xE3069283
 *   CRC64NVME  poly 0x9A6C9329AC4BC9B5  check 0xAE8B14860A799888
 *
 * A failure inside libcrypto here can only mean memory exhaustion, so it
 * is fatal, like xmalloc's out-of-memory path.
 */
#include "hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CRC32_POLY 0xEDB88320u
#define CRC32C_POLY 0x82F63B78u
#define CRC64NVME_POLY 0x9A6C9329AC4BC9B5ull

static void hash_fatal(const char *what)
{
	fprintf(stderr, "fatal: libcrypto failed in %s\n", what);
	abort();
}

/* ==== CRC core =========================================================== */

/*
 * Reflected CRCs by slicing-by-8: eight 256-entry tables let the loop
 * fold eight input bytes per step instead of one (about five times the
 * byte-at-a-time speed, which matters on S3's large PUTs).  The tables
 * are computed once per polynomial and never written again.
 */
struct crc_tables {
	pthread_once_t once;
	uint64_t poly;
	uint64_t t[8][256];
};

static struct crc_tables crc32_tables = {PTHREAD_ONCE_INIT, CRC32_POLY, {{0}}};
static struct crc_tables crc32c_tables = {PTHREAD_ONCE_INIT, CRC32C_POLY, {{0}}};
static struct crc_tables crc64_tables = {PTHREAD_ONCE_INIT, CRC64NVME_POLY, {{0}}};

static void crc_fill(struct crc_tables *ct)
{
	for (unsigned i = 0; i < 256; i++) {
		uint64_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ ct->poly : c >> 1;
		ct->t[0][i] = c;
	}
	for (unsigned i = 0; i < 256; i++)
		for (int k = 1; k < 8; k++)
			ct->t[k][i] = (ct->t[k - 1][i] >> 8) ^
				      ct->t[0][ct->t[k - 1][i] & 0xff];
}

static void fill_crc32(void) { crc_fill(&crc32_tables); }
static void fill_crc32c(void) { crc_fill(&crc32c_tables); }
static void fill_crc64(void) { crc_fill(&crc64_tables); }

/* The ready tables of a CRC algorithm's polynomial. */
static const struct crc_tables *crc_tables_for(uint64_t poly)
{
	if (poly == CRC32_POLY) {
		pthread_once(&crc32_tables.once, fill_crc32);
		return &crc32_tables;
	}
	if (poly == CRC32C_POLY) {
		pthread_once(&crc32c_tables.once, fill_crc32c);
		return &crc32c_tables;
	}
	pthread_once(&crc64_tables.once, fill_crc64);
	return &crc64_tables;
}

/* Advance a pre-conditioned CRC register over data.  The register of a
 * 32-bit CRC keeps its high half zero, so one loop serves both widths. */
static uint64_t crc_run(const struct crc_tables *ct, uint64_t crc,
			const unsigned char *p, size_t len)
{
	const uint64_t (*t)[256] = ct->t;
	while (len >= 8) {
		uint64_t v = (uint64_t)p[0] | (uint64_t)p[1] << 8 |
			     (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
			     (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
			     (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
		crc ^= v;
		crc = t[7][crc & 0xff] ^ t[6][(crc >> 8) & 0xff] ^
		      t[5][(crc >> 16) & 0xff] ^ t[4][(crc >> 24) & 0xff] ^
		      t[3][(crc >> 32) & 0xff] ^ t[2][(crc >> 40) & 0xff] ^
		      t[1][(crc >> 48) & 0xff] ^ t[0][crc >> 56];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/*
 * One-shot CRC in zlib's running convention: crc is a finished value (0
 * to start), mask the all-ones value of the CRC's width.
 */
static uint64_t crc_oneshot(uint64_t poly, uint64_t mask, uint64_t crc,
			    const void *data, size_t len)
{
	return crc_run(crc_tables_for(poly), crc ^ mask, data, len) ^ mask;
}

uint32_t hash_crc32(uint32_t crc, const void *data, size_t len)
{
	return (uint32_t)crc_oneshot(CRC32_POLY, 0xffffffffu, crc, data, len);
}

uint32_t hash_crc32c(uint32_t crc, const void *data, size_t len)
{
	return (uint32_t)crc_oneshot(CRC32C_POLY, 0xffffffffu, crc, data, len);
}

uint64_t hash_crc64nvme(uint64_t crc, const void *data, size_t len)
{
	return crc_oneshot(CRC64NVME_POLY, ~0ull, crc, data, len);
}

/* ==== incremental interface ============================================== */

/* The EVP digest behind alg, or NULL for the CRCs. */
static const EVP_MD *hash_evp(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5:
		return EVP_md5();
	case HASH_SHA1:
		return EVP_sha1();
	case HASH_SHA256:
		return EVP_sha256();
	case HASH_CRC32:
	case HASH_CRC32C:
	case HASH_CRC64NVME:
		break;
	}
	return NULL;
}

/* Polynomial and all-ones mask of a CRC alg. */
static void hash_crc_params(enum hash_alg alg, uint64_t *poly, uint64_t *mask)
{
	*mask = 0xffffffffu;
	if (alg == HASH_CRC32) {
		*poly = CRC32_POLY;
	} else if (alg == HASH_CRC32C) {
		*poly = CRC32C_POLY;
	} else {
		*poly = CRC64NVME_POLY;
		*mask = ~0ull;
	}
}

size_t hash_len(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5:
		return HASH_MD5_LEN;
	case HASH_SHA1:
		return HASH_SHA1_LEN;
	case HASH_SHA256:
		return HASH_SHA256_LEN;
	case HASH_CRC32:
	case HASH_CRC32C:
		return 4;
	case HASH_CRC64NVME:
		return 8;
	}
	return 0;
}

void hash_init(struct hash_ctx *h, enum hash_alg alg)
{
	const EVP_MD *md = hash_evp(alg);

	h->alg = alg;
	h->md = NULL;
	h->crc = 0;
	if (md) {
		h->md = EVP_MD_CTX_new();
		if (!h->md || EVP_DigestInit_ex(h->md, md, NULL) != 1)
			hash_fatal("hash_init");
	} else {
		uint64_t poly, mask;
		hash_crc_params(alg, &poly, &mask);
		h->crc_tables = crc_tables_for(poly);
		h->crc = mask;
	}
}

void hash_update(struct hash_ctx *h, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (h->md) {
		if (EVP_DigestUpdate(h->md, data, len) != 1)
			hash_fatal("hash_update");
	} else {
		h->crc = crc_run(h->crc_tables, h->crc, data, len);
	}
}

size_t hash_final(struct hash_ctx *h, unsigned char *out)
{
	size_t n = hash_len(h->alg);

	if (h->md) {
		unsigned int got = 0;
		if (EVP_DigestFinal_ex(h->md, out, &got) != 1 ||
		    EVP_DigestInit_ex(h->md, hash_evp(h->alg), NULL) != 1)
			hash_fatal("hash_final");
		return got;
	}
	uint64_t poly, mask;
	hash_crc_params(h->alg, &poly, &mask);
	uint64_t crc = h->crc ^ mask;
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)(crc >> (8 * (n - 1 - i)));
	h->crc = mask;
	return n;
}

void hash_free(struct hash_ctx *h)
{
	EVP_MD_CTX_free(h->md);
	h->md = NULL;
}

int hash_alg_from_name(const char *name, enum hash_alg *out)
{
	static const struct {
		const char *name;
		enum hash_alg alg;
	} names[] = {
		{ "CRC32", HASH_CRC32 },
		{ "CRC32C", HASH_CRC32C },
		{ "CRC64NVME", HASH_CRC64NVME },
		{ "SHA1", HASH_SHA1 },
		{ "SHA256", HASH_SHA256 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*out = names[i].alg;
			return 0;
		}
	}
	return -1;
}

/* ==== one-shot digests =================================================== */

/* One-shot EVP digest of data into out. */
static void hash_evp_oneshot(const EVP_MD *md, const void *data, size_t len,
			     unsigned char *out)
{
	if (EVP_Digest(data, len, out, NULL, md, NULL) != 1)
		hash_fatal("EVP_Digest");
}

void hash_sha256(const void *data, size_t len, unsigned char out[HASH_SHA256_LEN])
{
	hash_evp_oneshot(EVP_sha256(), data, len, out);
}

void hash_sha256_hex(const void *data, size_t len, char out[2 * HASH_SHA256_LEN + 1])
{
	unsigned char digest[HASH_SHA256_LEN];

	hash_sha256(data, len, digest);
	hash_hex(digest, sizeof(digest), out);
}

void hash_md5(const void *data, size_t len, unsigned char out[HASH_MD5_LEN])
{
	hash_evp_oneshot(EVP_md5(), data, len, out);
}

void hash_hmac_sha256(const void *key, size_t keylen, const void *data,
		      size_t len, unsigned char out[HASH_SHA256_LEN])
{
	unsigned int outlen = 0;
	static const unsigned char empty[1];

	/* HMAC() treats a NULL data pointer as "no input"; be explicit. */
	if (!data)
		data = empty;
	if (keylen > (size_t)INT32_MAX ||
	    !HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &outlen))
		hash_fatal("HMAC");
}

int hash_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/* ==== hex and base64 ===================================================== */

void hash_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

/* Value of one hex digit, or -1. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hash_unhex(const char *in, unsigned char *out, size_t outlen)
{
	for (size_t i = 0; i < outlen; i++) {
		int hi = hex_value(in[2 * i]);
		int lo = hi < 0 ? -1 : hex_value(in[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static const char base64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t hash_base64_encode(const void *in, size_t len, char *out)
{
	const unsigned char *p = in;
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = base64_alphabet[(v >> 18) & 63];
		out[o++] = base64_alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? base64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? base64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

/* Value of one base64 character, or -1. */
static int base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int hash_base64_decode(const char *in, size_t inlen, unsigned char *out,
		       size_t outcap, size_t *outlen)
{
	size_t o = 0;

	if (inlen % 4 != 0)
		return -1;
	for (size_t i = 0; i < inlen; i += 4) {
		int last = i + 4 == inlen;
		int v[4];
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			char c = in[i + k];
			if (c == '=' && last && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			v[k] = pad ? -1 : base64_value(c);
			if (v[k] < 0)
				return -1;
		}
		/* Unused low bits of the last sextet must be zero. */
		if ((pad == 2 && (v[1] & 0x0f)) || (pad == 1 && (v[2] & 0x03)))
			return -1;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
			     (uint32_t)v[2] << 6 | (uint32_t)v[3];
		size_t n = 3 - (size_t)pad;
		if (outcap - o < n)
			return -1;
		out[o++] = (unsigned char)(w >> 16);
		if (n > 1)
			out[o++] = (unsigned char)(w >> 8);
		if (n > 2)
			out[o++] = (unsigned char)w;
	}
	*outlen = o;
	return 0;
}
