/*
 * test_hash.c - unit tests for sdk/hash.c: digests against published
 * values (FIPS 180, RFC 1321, RFC 4231), the CRC check values of the
 * CRC catalogue, hex, and base64 (RFC 4648 vectors plus the inputs the
 * strict decoder must refuse).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"

/* Lowercase hex of a digest, for readable comparisons. */
static const char *hex(const unsigned char *p, size_t n)
{
	static char out[2 * HASH_MAX_LEN + 1];
	hash_hex(p, n, out);
	return out;
}

static void test_sha256_known_values(void **state)
{
	(void)state;
	unsigned char d[HASH_SHA256_LEN];
	char h[65];

	hash_sha256("abc", 3, d);
	assert_string_equal(hex(d, 32),
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hash_sha256_hex("", 0, h);
	assert_string_equal(h,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_incremental_matches_oneshot(void **state)
{
	(void)state;
	static const char msg[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	unsigned char d[HASH_MAX_LEN];
	struct hash_ctx h;

	hash_init(&h, HASH_SHA256);
	for (size_t i = 0; i < strlen(msg); i += 5)
		hash_update(&h, msg + i, strlen(msg) - i < 5 ? strlen(msg) - i : 5);
	assert_int_equal(hash_final(&h, d), 32);
	assert_string_equal(hex(d, 32),
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* final resets: the same context hashes a new message */
	hash_update(&h, "abc", 3);
	hash_final(&h, d);
	assert_string_equal(hex(d, 32),
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hash_free(&h);
	hash_free(&h); /* twice is safe */

	hash_init(&h, HASH_MD5);
	hash_update(&h, "a", 1);
	hash_update(&h, NULL, 0);
	hash_update(&h, "bc", 2);
	assert_int_equal(hash_final(&h, d), 16);
	assert_string_equal(hex(d, 16), "900150983cd24fb0d6963f7d28e17f72");
	hash_free(&h);

	hash_init(&h, HASH_SHA1);
	hash_update(&h, "abc", 3);
	assert_int_equal(hash_final(&h, d), 20);
	assert_string_equal(hex(d, 20), "a9993e364706816aba3e25717850c26c9cd0d89d");
	hash_free(&h);

	hash_md5("", 0, d);
	assert_string_equal(hex(d, 16), "d41d8cd98f00b204e9800998ecf8427e");
}

static void test_hmac_rfc4231(void **state)
{
	(void)state;
	unsigned char d[32];
	static const char data[] = "what do ya want for nothing?";

	hash_hmac_sha256("Jefe", 4, data, strlen(data), d);
	assert_string_equal(hex(d, 32),
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* RFC 4231 case 1: 20 bytes of 0x0b, "Hi There" */
	unsigned char key[20];
	memset(key, 0x0b, sizeof(key));
	hash_hmac_sha256(key, sizeof(key), "Hi There", 8, d);
	assert_string_equal(hex(d, 32),
		"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

static void test_crc_check_values(void **state)
{
	(void)state;
	assert_int_equal(hash_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(hash_crc32c(0, "123456789", 9), 0xE3069283u);
	assert_true(hash_crc64nvme(0, "123456789", 9) == 0xAE8B14860A799888ull);
	assert_int_equal(hash_crc32(0, "", 0), 0);
	/* running form: continuing equals one pass */
	assert_int_equal(hash_crc32c(hash_crc32c(0, "1234", 4), "56789", 5),
			 0xE3069283u);
	assert_true(hash_crc64nvme(hash_crc64nvme(0, "12345678", 8), "9", 1) ==
		    0xAE8B14860A799888ull);
}

/* The definition itself, one bit at a time: the reference the sliced
 * implementation must agree with. */
static uint64_t crc_reference(uint64_t poly, uint64_t mask, const unsigned char *p,
			      size_t len)
{
	uint64_t crc = mask;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ poly : crc >> 1;
	}
	return crc ^ mask;
}

static void test_crc_matches_reference_any_split(void **state)
{
	(void)state;
	unsigned char buf[3001];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 31 + 7);

	/* Every length from 0 to 40 (the 8-byte loop and its tails), and
	 * the whole buffer one-shot and in uneven pieces. */
	for (size_t n = 0; n <= 40; n++) {
		assert_int_equal(hash_crc32(0, buf, n),
				 (uint32_t)crc_reference(0xEDB88320u, 0xffffffffu, buf, n));
		assert_int_equal(hash_crc32c(0, buf + 3, n),
				 (uint32_t)crc_reference(0x82F63B78u, 0xffffffffu, buf + 3, n));
		assert_true(hash_crc64nvme(0, buf + 1, n) ==
			    crc_reference(0x9A6C9329AC4BC9B5ull, ~0ull, buf + 1, n));
	}
	uint32_t a = hash_crc32c(0, buf, sizeof(buf)), b = 0;
	uint64_t c = hash_crc64nvme(0, buf, sizeof(buf)), e = 0;
	uint32_t f = hash_crc32(0, buf, sizeof(buf)), g = 0;
	assert_int_equal(a, (uint32_t)crc_reference(0x82F63B78u, 0xffffffffu, buf, sizeof(buf)));
	assert_true(c == crc_reference(0x9A6C9329AC4BC9B5ull, ~0ull, buf, sizeof(buf)));
	assert_int_equal(f, (uint32_t)crc_reference(0xEDB88320u, 0xffffffffu, buf, sizeof(buf)));
	for (size_t i = 0, step = 1; i < sizeof(buf); i += step, step = step * 3 % 97 + 1) {
		size_t n = i + step > sizeof(buf) ? sizeof(buf) - i : step;
		b = hash_crc32c(b, buf + i, n);
		e = hash_crc64nvme(e, buf + i, n);
		g = hash_crc32(g, buf + i, n);
	}
	assert_int_equal(a, b);
	assert_true(c == e);
	assert_int_equal(f, g);
}

static void test_crc_ctx_big_endian_digest(void **state)
{
	(void)state;
	unsigned char d[HASH_MAX_LEN];
	struct hash_ctx h;

	hash_init(&h, HASH_CRC32);
	hash_update(&h, "12345", 5);
	hash_update(&h, "6789", 4);
	assert_int_equal(hash_final(&h, d), 4);
	assert_string_equal(hex(d, 4), "cbf43926");
	hash_update(&h, "123456789", 9); /* reset by final */
	hash_final(&h, d);
	assert_string_equal(hex(d, 4), "cbf43926");
	hash_free(&h);

	hash_init(&h, HASH_CRC32C);
	hash_update(&h, "123456789", 9);
	hash_final(&h, d);
	assert_string_equal(hex(d, 4), "e3069283");
	hash_free(&h);

	static const char digits[] = "123456789";
	hash_init(&h, HASH_CRC64NVME);
	for (int i = 0; i < 9; i++)
		hash_update(&h, &digits[i], 1);
	assert_int_equal(hash_final(&h, d), 8);
	assert_string_equal(hex(d, 8), "ae8b14860a799888");
	hash_free(&h);
}

static void test_alg_names(void **state)
{
	(void)state;
	enum hash_alg a = HASH_MD5;

	assert_int_equal(hash_alg_from_name("crc32c", &a), 0);
	assert_int_equal(a, HASH_CRC32C);
	assert_int_equal(hash_alg_from_name("CRC64NVME", &a), 0);
	assert_int_equal(a, HASH_CRC64NVME);
	assert_int_equal(hash_alg_from_name("SHA256", &a), 0);
	assert_int_equal(a, HASH_SHA256);
	a = HASH_SHA1;
	assert_int_equal(hash_alg_from_name("MD5", &a), -1);
	assert_int_equal(hash_alg_from_name("crc", &a), -1);
	assert_int_equal(a, HASH_SHA1);
	assert_int_equal(hash_len(HASH_CRC64NVME), 8);
	assert_int_equal(hash_len(HASH_CRC32), 4);
}

static void test_hex_and_equal(void **state)
{
	(void)state;
	unsigned char in[] = { 0x00, 0x7f, 0x80, 0xff, 0xab };
	unsigned char out[5];
	char h[11];

	hash_hex(in, sizeof(in), h);
	assert_string_equal(h, "007f80ffab");
	assert_int_equal(hash_unhex("007F80FFab", out, 5), 0);
	assert_memory_equal(in, out, 5);
	assert_int_equal(hash_unhex("0g", out, 1), -1);
	assert_int_equal(hash_unhex("g0", out, 1), -1);
	assert_true(hash_equal("abcd", "abcd", 4));
	assert_false(hash_equal("abcd", "abce", 4));
}

static void test_base64_rfc4648(void **state)
{
	(void)state;
	static const char *const plain[] = { "", "f", "fo", "foo", "foob",
					     "fooba", "foobar" };
	static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
					   "Zm9vYmE=", "Zm9vYmFy" };
	char text[16];
	unsigned char bin[16];
	size_t n;

	for (int i = 0; i < 7; i++) {
		size_t len = hash_base64_encode(plain[i], strlen(plain[i]), text);
		assert_string_equal(text, enc[i]);
		assert_int_equal(len, HASH_BASE64_LEN(strlen(plain[i])));
		n = 99;
		assert_int_equal(hash_base64_decode(enc[i], strlen(enc[i]), bin,
						    sizeof(bin), &n), 0);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(bin, plain[i], n);
	}
	/* binary round trip through every byte value */
	unsigned char all[256];
	char all_text[HASH_BASE64_LEN(256) + 1];
	unsigned char back[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	size_t tl = hash_base64_encode(all, sizeof(all), all_text);
	assert_int_equal(hash_base64_decode(all_text, tl, back, sizeof(back), &n), 0);
	assert_int_equal(n, 256);
	assert_memory_equal(all, back, 256);
}

static void test_base64_strict(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"Zg=",      /* length not a multiple of 4 */
		"Zg=a",     /* data after padding */
		"Z===",     /* too much padding */
		"====",
		"Zh==",     /* non-zero unused bits */
		"Zm9=",     /* non-zero unused bits */
		"Zm9 ",     /* whitespace */
		"Zm9v\n   ",
		"Zm8=Zm8=", /* padding in the middle */
		"Zm-v",     /* URL-safe alphabet */
		"Zm9v====",
	};
	unsigned char bin[16];
	size_t n = 12345;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hash_base64_decode(bad[i], strlen(bad[i]), bin,
						    sizeof(bin), &n), -1);
		assert_int_equal(n, 12345); /* untouched on failure */
	}
	/* output capacity is enforced */
	assert_int_equal(hash_base64_decode("Zm9vYmFy", 8, bin, 5, &n), -1);
	assert_int_equal(hash_base64_decode("Zm9vYmFy", 8, bin, 6, &n), 0);
	assert_int_equal(n, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_known_values),
		cmocka_unit_test(test_incremental_matches_oneshot),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_crc_check_values),
		cmocka_unit_test(test_crc_matches_reference_any_split),
		cmocka_unit_test(test_crc_ctx_big_endian_digest),
		cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_hex_and_equal),
		cmocka_unit_test(test_base64_rfc4648),
		cmocka_unit_test(test_base64_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
