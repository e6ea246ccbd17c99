/*
 * test_lambda_names.c - unit tests of the Lambda service's pure parts:
 * FunctionName parsing (names, partial and full ARNs, qualifiers), the
 * zip entry-name check that guards unpacking, Lambda's LastModified
 * format, and the unzipper's refusal of unsafe archives (built with
 * /usr/bin/zip when it is installed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "hash.h"
#include "lambda/lambda.h"

static void parses(const char *input, const char *name, const char *qual)
{
	struct arena *a = arena_new();
	const char *n = NULL, *q = NULL;
	assert_int_equal(lambda_parse_function_name(a, input, &n, &q), 0);
	assert_string_equal(n, name);
	if (qual)
		assert_string_equal(q, qual);
	else
		assert_null(q);
	arena_destroy(a);
}

static void rejects(const char *input)
{
	struct arena *a = arena_new();
	const char *n = NULL, *q = NULL;
	assert_int_equal(lambda_parse_function_name(a, input, &n, &q), -1);
	arena_destroy(a);
}

static void test_names(void **state)
{
	(void)state;
	parses("my-fn_1", "my-fn_1", NULL);
	parses("my-fn:$LATEST", "my-fn", "$LATEST");
	parses("my-fn:3", "my-fn", "3");
	parses("my-fn:live", "my-fn", "live");
	parses("123456789012:function:my-fn", "my-fn", NULL);
	parses("123456789012:function:my-fn:7", "my-fn", "7");
	parses("arn:aws:lambda:us-east-1:123456789012:function:my-fn",
	       "my-fn", NULL);
	parses("arn:aws:lambda:eu-west-1:123456789012:function:my-fn:prod",
	       "my-fn", "prod");
}

static void test_bad_names(void **state)
{
	(void)state;
	rejects("");
	rejects("has space");
	rejects("a/b");
	rejects("a:b:c");
	rejects("arn:aws:s3:::bucket");
	rejects("arn:aws:lambda:us-east-1:123456789012:layer:x");
	rejects("12345:function:x");
	rejects("my-fn:bad qualifier");
	char long_name[80];
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	rejects(long_name);
	assert_true(lambda_valid_name("a"));
	assert_false(lambda_valid_name("a.b"));
}

static void test_zip_names(void **state)
{
	(void)state;
	assert_true(lambda_zip_name_ok("bootstrap"));
	assert_true(lambda_zip_name_ok("lib/libx.so"));
	assert_true(lambda_zip_name_ok("dir/"));
	assert_true(lambda_zip_name_ok("a..b/c"));
	assert_false(lambda_zip_name_ok(""));
	assert_false(lambda_zip_name_ok("/etc/passwd"));
	assert_false(lambda_zip_name_ok("../x"));
	assert_false(lambda_zip_name_ok("a/../../x"));
	assert_false(lambda_zip_name_ok("a/.."));
	assert_false(lambda_zip_name_ok("a\\..\\x"));
}

static void test_time_modified(void **state)
{
	(void)state;
	char out[40];
	lambda_time_modified(1700000000123LL, out);
	assert_string_equal(out, "2023-11-14T22:13:20.123+0000");
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void put16(FILE *f, unsigned v)
{
	fputc((int)(v & 0xff), f);
	fputc((int)((v >> 8) & 0xff), f);
}

static void put32(FILE *f, uint32_t v)
{
	put16(f, v & 0xffff);
	put16(f, v >> 16);
}

/* A one-entry zip, method "stored", with any entry name (even unsafe
 * ones no zip tool would write). */
static void write_stored_zip(const char *path, const char *name,
			     const char *data)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	uint32_t crc = hash_crc32(0, data, strlen(data));
	unsigned nlen = (unsigned)strlen(name), dlen = (unsigned)strlen(data);
	put32(f, 0x04034b50);
	put16(f, 10); put16(f, 0); put16(f, 0); put16(f, 0); put16(f, 0x21);
	put32(f, crc); put32(f, dlen); put32(f, dlen);
	put16(f, nlen); put16(f, 0);
	fwrite(name, 1, nlen, f);
	fwrite(data, 1, dlen, f);
	long cd = ftell(f);
	put32(f, 0x02014b50);
	put16(f, 0x031e); put16(f, 10); put16(f, 0); put16(f, 0);
	put16(f, 0); put16(f, 0x21);
	put32(f, crc); put32(f, dlen); put32(f, dlen);
	put16(f, nlen); put16(f, 0); put16(f, 0); put16(f, 0); put16(f, 0);
	put32(f, 0100644u << 16); put32(f, 0);
	fwrite(name, 1, nlen, f);
	long end = ftell(f);
	put32(f, 0x06054b50);
	put16(f, 0); put16(f, 0); put16(f, 1); put16(f, 1);
	put32(f, (uint32_t)(end - cd)); put32(f, (uint32_t)cd);
	put16(f, 0);
	fclose(f);
}

static void test_unzip(void **state)
{
	(void)state;
	if (access("/usr/bin/zip", X_OK) != 0) {
		skip();
		return;
	}
	char dir[] = "/tmp/lambda-unzip-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cmd[512], path[256];
	/* A good archive unpacks with its modes. */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir src && printf '#!/bin/sh\\n' > src/bootstrap"
		 " && chmod 755 src/bootstrap && cd src && zip -q ../good.zip "
		 "bootstrap", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/good.zip", dir);
	char out[256];
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_int_equal(lambda_unzip(path, out), 0);
	snprintf(path, sizeof(path), "%s/out/bootstrap", dir);
	assert_int_equal(access(path, X_OK), 0);
	/* An entry climbing out is refused before anything is written. */
	snprintf(path, sizeof(path), "%s/bad.zip", dir);
	write_stored_zip(path, "../evil", "x");
	snprintf(out, sizeof(out), "%s/out2", dir);
	assert_int_equal(lambda_unzip(path, out), -1);
	snprintf(cmd, sizeof(cmd), "%s/evil", dir);
	assert_int_not_equal(access(cmd, F_OK), 0);
	snprintf(path, sizeof(path), "%s/abs.zip", dir);
	write_stored_zip(path, "/tmp/lambda-unzip-abs", "x");
	snprintf(out, sizeof(out), "%s/out4", dir);
	assert_int_equal(lambda_unzip(path, out), -1);
	/* The same writer makes a safe archive unzip accepts. */
	snprintf(path, sizeof(path), "%s/ok.zip", dir);
	write_stored_zip(path, "data/file.txt", "hello");
	snprintf(out, sizeof(out), "%s/out5", dir);
	assert_int_equal(lambda_unzip(path, out), 0);
	snprintf(cmd, sizeof(cmd), "%s/out5/data/file.txt", dir);
	assert_int_equal(access(cmd, R_OK), 0);
	/* Not a zip at all. */
	snprintf(path, sizeof(path), "%s/src/bootstrap", dir);
	snprintf(out, sizeof(out), "%s/out3", dir);
	assert_int_equal(lambda_unzip(path, out), -1);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_zip_names),
		cmocka_unit_test(test_time_modified),
		cmocka_unit_test(test_unzip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
