/*
 * test_sns_sign.c - SNS message signing: the canonical string AWS signs
 * for each message type, signatures that OpenSSL verifies with the
 * certificate's public key (versions 1 and 2), and a key pair that is
 * made once and read back on the next open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "sns/sns.h"

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static cJSON *notification(const char *subject)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "Type", "Notification");
	cJSON_AddStringToObject(d, "MessageId", "22b80b92-fdea-4c2c-8f9d");
	cJSON_AddStringToObject(d, "TopicArn",
				"arn:aws:sns:us-west-2:123456789012:MyTopic");
	if (subject)
		cJSON_AddStringToObject(d, "Subject", subject);
	cJSON_AddStringToObject(d, "Message", "Hello world!");
	cJSON_AddStringToObject(d, "Timestamp", "2012-05-02T00:54:06.655Z");
	cJSON_AddStringToObject(d, "SignatureVersion", "1");
	return d;
}

static void test_string_to_sign(void **state)
{
	(void)state;
	cJSON *d = notification("My First Message");
	char *s = sns_string_to_sign(d);
	assert_string_equal(s, "Message\nHello world!\n"
			       "MessageId\n22b80b92-fdea-4c2c-8f9d\n"
			       "Subject\nMy First Message\n"
			       "Timestamp\n2012-05-02T00:54:06.655Z\n"
			       "TopicArn\narn:aws:sns:us-west-2:123456789012:"
			       "MyTopic\nType\nNotification\n");
	free(s);
	cJSON_Delete(d);
	d = notification(NULL);
	s = sns_string_to_sign(d);
	assert_null(strstr(s, "Subject"));
	free(s);
	cJSON_Delete(d);

	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "Type", "SubscriptionConfirmation");
	cJSON_AddStringToObject(d, "MessageId", "m");
	cJSON_AddStringToObject(d, "Token", "tok");
	cJSON_AddStringToObject(d, "TopicArn", "arn:aws:sns:r:1:t");
	cJSON_AddStringToObject(d, "Message", "msg");
	cJSON_AddStringToObject(d, "SubscribeURL", "http://x/?a=b");
	cJSON_AddStringToObject(d, "Timestamp", "ts");
	s = sns_string_to_sign(d);
	assert_string_equal(s, "Message\nmsg\nMessageId\nm\nSubscribeURL\n"
			       "http://x/?a=b\nTimestamp\nts\nToken\ntok\n"
			       "TopicArn\narn:aws:sns:r:1:t\nType\n"
			       "SubscriptionConfirmation\n");
	free(s);
	/* a confirmation without its Token cannot be signed */
	cJSON_DeleteItemFromObject(d, "Token");
	assert_null(sns_string_to_sign(d));
	cJSON_Delete(d);
}

/* Verify sig (base64) over text with the public key of cert_pem. */
static int verify(const char *cert_pem, const char *text, const char *sig,
		  const EVP_MD *md)
{
	BIO *b = BIO_new_mem_buf(cert_pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!x)
		return -1;
	EVP_PKEY *pub = X509_get_pubkey(x);
	unsigned char raw[1024];
	size_t rawlen;
	int ok = -1;
	if (hash_base64_decode(sig, strlen(sig), raw, sizeof(raw), &rawlen) ==
	    0) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
		    EVP_DigestVerify(ctx, raw, rawlen,
				     (const unsigned char *)text,
				     strlen(text)) == 1)
			ok = 0;
		EVP_MD_CTX_free(ctx);
	}
	EVP_PKEY_free(pub);
	X509_free(x);
	return ok;
}

static void test_sign_and_verify(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_sns_sign.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char err[256];
	struct sns_signer *s = sns_signer_open(dir, err, sizeof(err));
	assert_non_null(s);
	const char *name = sns_signer_cert_name(s);
	assert_int_equal(strncmp(name, "SimpleNotificationService-", 26), 0);
	assert_int_equal(strlen(name), 26 + 40 + 4);

	cJSON *d = notification("s");
	char *text = sns_string_to_sign(d);
	char sig[SNS_SIGNATURE_MAX];
	assert_int_equal(sns_sign_message(s, d, "1", sig), 0);
	assert_int_equal(verify(sns_signer_cert_pem(s), text, sig,
				EVP_sha1()), 0);
	assert_int_not_equal(verify(sns_signer_cert_pem(s), text, sig,
				    EVP_sha256()), 0);
	assert_int_equal(sns_sign_message(s, d, "2", sig), 0);
	assert_int_equal(verify(sns_signer_cert_pem(s), text, sig,
				EVP_sha256()), 0);
	text[0] = 'm'; /* tampered */
	assert_int_not_equal(verify(sns_signer_cert_pem(s), text, sig,
				    EVP_sha256()), 0);
	free(text);
	cJSON_Delete(d);

	/* the pair is kept: a second open reads the same certificate */
	char *first = strdup(name);
	sns_signer_free(s);
	s = sns_signer_open(dir, err, sizeof(err));
	assert_non_null(s);
	assert_string_equal(sns_signer_cert_name(s), first);
	free(first);
	sns_signer_free(s);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_to_sign),
		cmocka_unit_test(test_sign_and_verify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
