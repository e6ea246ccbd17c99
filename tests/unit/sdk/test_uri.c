/*
 * test_uri.c - unit tests for sdk/uri.c: SigV4 UriEncode, percent and
 * form decoding, and the canonical query and path builders (sorting,
 * repeated and empty parameters, normalisation, caps).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "uri.h"

/* Encode s and return the result (static buffer, for assertions). */
static const char *enc(const char *s, int keep_slash)
{
	static char out[1024];
	struct buf b;

	buf_init(&b, sizeof(out) - 1);
	assert_int_equal(uri_encode(&b, s, strlen(s), keep_slash), 0);
	memcpy(out, b.data ? b.data : "", b.len + 1);
	buf_free(&b);
	return out;
}

/* Canonical query of raw, or NULL when the builder fails. */
static const char *cq(const char *raw, const char *exclude, int flags)
{
	static char out[1024];
	struct buf b;

	buf_init(&b, sizeof(out) - 1);
	int rc = uri_canonical_query(&b, raw, exclude, flags);
	memcpy(out, b.data ? b.data : "", b.len + 1);
	buf_free(&b);
	return rc ? NULL : out;
}

/* Canonical path of raw. */
static const char *cp(const char *raw, int double_encode)
{
	static char out[1024];
	struct buf b;

	buf_init(&b, sizeof(out) - 1);
	assert_int_equal(uri_canonical_path(&b, raw, double_encode), 0);
	memcpy(out, b.data, b.len + 1);
	buf_free(&b);
	return out;
}

static void test_encode(void **state)
{
	(void)state;
	assert_string_equal(enc("AZaz09-_.~", 0), "AZaz09-_.~");
	assert_string_equal(enc("a b/c+d=e&f%g*", 0),
			    "a%20b%2Fc%2Bd%3De%26f%25g%2A");
	assert_string_equal(enc("a b/c", 1), "a%20b/c");
	assert_string_equal(enc("caf\xc3\xa9", 0), "caf%C3%A9");
	assert_string_equal(enc("", 0), "");
}

static void test_encode_decode_every_byte(void **state)
{
	(void)state;
	char all[256];
	struct buf b;

	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	buf_init(&b, 4096);
	assert_int_equal(uri_encode(&b, all, 256, 0), 0);
	/* only unreserved characters and %XX with uppercase hex remain */
	for (size_t i = 0; i < b.len; i++) {
		char c = b.data[i];
		if (c == '%') {
			assert_true(strchr("0123456789ABCDEF", b.data[i + 1]) != NULL);
			assert_true(strchr("0123456789ABCDEF", b.data[i + 2]) != NULL);
			i += 2;
		} else {
			assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
					   "nopqrstuvwxyz0123456789-_.~", c) != NULL);
		}
	}
	char back[257];
	size_t n = 0;
	assert_int_equal(uri_decode(b.data, b.len, back, &n), 0);
	assert_int_equal(n, 256);
	assert_memory_equal(back, all, 256);
	buf_free(&b);
}

static void test_decode(void **state)
{
	(void)state;
	char out[64];
	size_t n = 0;

	assert_int_equal(uri_decode("%41%4a%4A+b", 11, out, &n), 0);
	assert_string_equal(out, "AJJ+b");
	assert_int_equal(n, 5);
	assert_int_equal(uri_form_decode("a+b%2B", 6, out, &n), 0);
	assert_string_equal(out, "a b+");
	assert_int_equal(uri_decode("x%00y", 5, out, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "x\0y", 3);

	static const char *const bad[] = { "%", "%4", "a%G1", "%4g", "%%41" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 77;
		assert_int_equal(uri_decode(bad[i], strlen(bad[i]), out, &n), -1);
		assert_int_equal(n, 77);
	}
	/* in place */
	char s[] = "a%20b";
	assert_int_equal(uri_decode(s, strlen(s), s, &n), 0);
	assert_string_equal(s, "a b");
	/* a '%' two bytes before the end of the slice is not an escape */
	assert_int_equal(uri_decode("ab%41", 4, out, &n), -1);
}

static void test_canonical_query_sorting(void **state)
{
	(void)state;
	assert_string_equal(cq(NULL, NULL, 0), "");
	assert_string_equal(cq("", NULL, 0), "");
	assert_string_equal(cq("b=2&a=1", NULL, 0), "a=1&b=2");
	/* repeated names kept, sorted by value */
	assert_string_equal(cq("a=2&a=1&a=10", NULL, 0), "a=1&a=10&a=2");
	/* empty values and missing '=' both become name= */
	assert_string_equal(cq("acl&b=&c", NULL, 0), "acl=&b=&c=");
	/* empty segments skipped */
	assert_string_equal(cq("a=1&&b=2&", NULL, 0), "a=1&b=2");
	/* names sort before values: "a" < "a-b" even though '=' > '-' */
	assert_string_equal(cq("a-b=1&a=2", NULL, 0), "a=2&a-b=1");
	/* uppercase sorts before lowercase (byte order) */
	assert_string_equal(cq("b=1&B=2&a=3", NULL, 0), "B=2&a=3&b=1");
	/* empty names and values only (scratch stays empty) */
	assert_string_equal(cq("=", NULL, 0), "=");
	assert_string_equal(cq("=&=", NULL, URI_QUERY_AS_SENT), "=&=");
	/* only the first '=' splits */
	assert_string_equal(cq("k=a=b", NULL, 0), "k=a%3Db");
}

static void test_canonical_query_normalises(void **state)
{
	(void)state;
	/* decoded and re-encoded: lowercase hex, needless escapes, '+' */
	assert_string_equal(cq("k=%7e&Z=%2f&p=a+b&s=%41", NULL, 0),
			    "Z=%2F&k=~&p=a%2Bb&s=A");
	assert_string_equal(cq("prefix=photos%2F2025%20q", NULL, 0),
			    "prefix=photos%2F2025%20q");
	/* as sent: sorted only */
	assert_string_equal(cq("k=%7e&Z=%2f&p=a+b", NULL, URI_QUERY_AS_SENT),
			    "Z=%2f&k=%7e&p=a+b");
	/* malformed escapes fail the normalised form only */
	assert_null(cq("a=%zz", NULL, 0));
	assert_string_equal(cq("a=%zz", NULL, URI_QUERY_AS_SENT), "a=%zz");
}

static void test_canonical_query_exclude(void **state)
{
	(void)state;
	assert_string_equal(cq("X-Amz-Signature=abc&b=1&X-Amz-Date=2", "X-Amz-Signature", 0),
			    "X-Amz-Date=2&b=1");
	/* the name is compared decoded */
	assert_string_equal(cq("X-Amz-%53ignature=abc&b=1", "X-Amz-Signature", 0), "b=1");
	assert_string_equal(cq("X-Amz-Signature=abc", "X-Amz-Signature",
			       URI_QUERY_AS_SENT), "");
	/* a similar name stays */
	assert_string_equal(cq("X-Amz-Signatures=1", "X-Amz-Signature", 0),
			    "X-Amz-Signatures=1");
}

static void test_canonical_query_cap(void **state)
{
	(void)state;
	struct buf b;

	buf_init(&b, 8);
	assert_int_equal(uri_canonical_query(&b, "a=1&b=2", NULL, 0), 0);
	buf_reset(&b);
	assert_int_equal(uri_canonical_query(&b, "a=1&b=2&c=3", NULL, 0), -1);
	buf_reset(&b);
	/* every byte of a long value expands to three: past the cap */
	assert_int_equal(uri_canonical_query(&b, "a=\x01\x02\x03", NULL, 0), -1);
	buf_free(&b);
}

static void test_canonical_path(void **state)
{
	(void)state;
	/* S3: as sent */
	assert_string_equal(cp("/bucket/a%20b/../c//d", 0), "/bucket/a%20b/../c//d");
	assert_string_equal(cp("", 0), "/");
	assert_string_equal(cp(NULL, 0), "/");
	/* others: normalised, then encoded again */
	assert_string_equal(cp("/", 1), "/");
	assert_string_equal(cp("", 1), "/");
	assert_string_equal(cp("/foo%20bar", 1), "/foo%2520bar");
	assert_string_equal(cp("/a//b/./c/../d", 1), "/a/b/d");
	assert_string_equal(cp("/a/b/", 1), "/a/b/");
	assert_string_equal(cp("/a/..", 1), "/");
	assert_string_equal(cp("/a/b/..", 1), "/a");
	assert_string_equal(cp("/../../x", 1), "/x");
	assert_string_equal(cp("//", 1), "/");
	assert_string_equal(cp("/a+b=c~d", 1), "/a%2Bb%3Dc~d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_encode_decode_every_byte),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_canonical_query_sorting),
		cmocka_unit_test(test_canonical_query_normalises),
		cmocka_unit_test(test_canonical_query_exclude),
		cmocka_unit_test(test_canonical_query_cap),
		cmocka_unit_test(test_canonical_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
