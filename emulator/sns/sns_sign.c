/*
 * sns_sign.c - how SNS proves a message came from it: an RSA key and a
 * self-signed X.509 certificate, made on first start and kept in
 * <data-dir>/sns/ (signing-key.pem 0600, signing-cert.pem), a signature
 * over AWS's canonical string of each message, and the certificate
 * served at the message's SigningCertURL.
 *
 * The string AWS signs is "Name\nvalue\n" for a fixed list of fields in
 * byte order: Notification: Message, MessageId, Subject (only when
 * present), Timestamp, TopicArn, Type; SubscriptionConfirmation and
 * UnsubscribeConfirmation: Message, MessageId, SubscribeURL, Timestamp,
 * Token, TopicArn, Type.  SignatureVersion "1" signs it with SHA1withRSA,
 * "2" with SHA256withRSA; the Signature field is the base64 of that.
 * Standard verifiers (the AWS SDKs' message validators, or the recipe in
 * AWS's docs with OpenSSL or `cryptography`) pass unchanged; only the
 * usual check that the URL's host is sns.<region>.amazonaws.com cannot.
 *
 * SigningCertURL is http://<emulator>/?Action=GetSigningCertificate&
 * Certificate=SimpleNotificationService-<sha1 of the DER>.pem: an
 * emulator-only, unsigned Query action (the router gives unsigned path
 * prefixes under /_emulator/ to the admin service, and a bare path would
 * go to S3).
 */
#include "hash.h"
#include "log.h"
#include "protocol.h"
#include "sns.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The key pair is made or read on first use, not at start: making a
 * 2048-bit RSA key costs about 150 ms, most of a cold start. */
struct sns_signer {
	pthread_mutex_t lock;
	int state;              /* 0 not yet, 1 ready, -1 failed */
	char dir[4096];
	EVP_PKEY *key;
	char *cert_pem;
	char cert_name[80];
};

/* Write a PEM file atomically (temp, fsync, rename) with mode. */
static int write_pem(const char *path, const char *text, size_t len,
		     mode_t mode)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)n;
	}
	if (fsync(fd) || close(fd) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Serialise a BIO's contents as a heap string. */
static char *bio_text(BIO *bio, size_t *len)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);
	if (n <= 0)
		return NULL;
	*len = (size_t)n;
	return xstrndup(data, (size_t)n);
}

/* Make a 2048-bit key and a ten-year self-signed certificate; writes
 * both files.  0 or -1. */
static int generate(const char *key_path, const char *cert_path)
{
	int rc = -1;
	EVP_PKEY *key = EVP_RSA_gen(2048);
	X509 *x = X509_new();
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	char *ktext = NULL, *ctext = NULL;
	size_t klen = 0, clen = 0;
	if (!key || !x || !kb || !cb)
		goto out;
	X509_set_version(x, 2);
	unsigned char serial[8];
	FILE *ur = fopen("/dev/urandom", "rb");
	if (!ur || fread(serial, 1, sizeof(serial), ur) != sizeof(serial)) {
		if (ur)
			fclose(ur);
		goto out;
	}
	fclose(ur);
	serial[0] &= 0x7f;
	BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn)
		goto out;
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600);
	X509_set_pubkey(x, key);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				   (const unsigned char *)"imgpipe emulator",
				   -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"sns.amazonaws.com",
				   -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (!X509_sign(x, key, EVP_sha256()))
		goto out;
	if (!PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(cb, x))
		goto out;
	ktext = bio_text(kb, &klen);
	ctext = bio_text(cb, &clen);
	if (!ktext || !ctext)
		goto out;
	/* Key first: a cert without its key is never left behind alone. */
	if (write_pem(key_path, ktext, klen, 0600) ||
	    write_pem(cert_path, ctext, clen, 0644))
		goto out;
	rc = 0;
out:
	free(ktext);
	free(ctext);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

/* Read both files into s; 0 or -1. */
static int load(struct sns_signer *s, const char *key_path,
		const char *cert_path)
{
	FILE *kf = fopen(key_path, "r");
	FILE *cf = fopen(cert_path, "r");
	X509 *x = NULL;
	int rc = -1;
	if (!kf || !cf)
		goto out;
	s->key = PEM_read_PrivateKey(kf, NULL, NULL, NULL);
	x = PEM_read_X509(cf, NULL, NULL, NULL);
	if (!s->key || !x)
		goto out;
	if (X509_check_private_key(x, s->key) != 1)
		goto out;
	BIO *cb = BIO_new(BIO_s_mem());
	if (!cb || !PEM_write_bio_X509(cb, x)) {
		BIO_free(cb);
		goto out;
	}
	size_t len;
	s->cert_pem = bio_text(cb, &len);
	BIO_free(cb);
	unsigned char der_sha1[20];
	unsigned int dlen = sizeof(der_sha1);
	if (!s->cert_pem || !X509_digest(x, EVP_sha1(), der_sha1, &dlen))
		goto out;
	char hex[41];
	hash_hex(der_sha1, dlen, hex);
	snprintf(s->cert_name, sizeof(s->cert_name),
		 "SimpleNotificationService-%s.pem", hex);
	rc = 0;
out:
	if (kf)
		fclose(kf);
	if (cf)
		fclose(cf);
	X509_free(x);
	return rc;
}

struct sns_signer *sns_signer_open(const char *data_dir, char *errbuf,
				   size_t errlen)
{
	struct sns_signer *s = xcalloc(1, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "%s/sns", data_dir);
	if (mkdir(s->dir, 0700) && errno != EEXIST) {
		snprintf(errbuf, errlen, "sns: cannot create %s: %s", s->dir,
			 strerror(errno));
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

/* Make (first time) or read the key pair; 0 when it is ready. */
static int signer_ready(struct sns_signer *s)
{
	pthread_mutex_lock(&s->lock);
	if (s->state == 0) {
		char key_path[4150], cert_path[4150];
		snprintf(key_path, sizeof(key_path), "%s/signing-key.pem",
			 s->dir);
		snprintf(cert_path, sizeof(cert_path), "%s/signing-cert.pem",
			 s->dir);
		s->state = 1;
		if (access(key_path, F_OK) != 0 ||
		    access(cert_path, F_OK) != 0) {
			if (generate(key_path, cert_path)) {
				log_error("sns: cannot create the signing key "
					  "in %s", s->dir);
				s->state = -1;
			} else {
				log_info("sns: new signing key and "
					 "certificate in %s", s->dir);
			}
		}
		if (s->state == 1 && load(s, key_path, cert_path)) {
			log_error("sns: cannot read the signing key pair in "
				  "%s", s->dir);
			s->state = -1;
		}
	}
	int ok = s->state == 1;
	pthread_mutex_unlock(&s->lock);
	return ok ? 0 : -1;
}

void sns_signer_free(struct sns_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	free(s->cert_pem);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

const char *sns_signer_cert_pem(struct sns_signer *s)
{
	return signer_ready(s) == 0 ? s->cert_pem : NULL;
}

const char *sns_signer_cert_name(struct sns_signer *s)
{
	return signer_ready(s) == 0 ? s->cert_name : "unavailable";
}

static const char *str_field(const cJSON *doc, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *sns_string_to_sign(const cJSON *doc)
{
	static const char *const notification[] = {
		"Message", "MessageId", "Subject", "Timestamp", "TopicArn",
		"Type", NULL};
	static const char *const confirmation[] = {
		"Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
		"TopicArn", "Type", NULL};
	const char *type = str_field(doc, "Type");
	if (!type)
		return NULL;
	const char *const *fields =
		strcmp(type, "Notification") == 0 ? notification : confirmation;
	struct buf b;
	buf_init(&b, (size_t)1 << 30);
	for (size_t i = 0; fields[i]; i++) {
		const char *v = str_field(doc, fields[i]);
		if (!v) {
			if (strcmp(fields[i], "Subject") == 0)
				continue;
			buf_free(&b);
			return NULL;
		}
		buf_printf(&b, "%s\n%s\n", fields[i], v);
	}
	size_t len;
	return buf_detach(&b, &len);
}

int sns_sign_message(struct sns_signer *s, const cJSON *doc,
		     const char *version, char out[SNS_SIGNATURE_MAX])
{
	if (signer_ready(s))
		return -1;
	char *text = sns_string_to_sign(doc);
	if (!text)
		return -1;
	const EVP_MD *md = strcmp(version, "2") == 0 ? EVP_sha256()
						     : EVP_sha1();
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, md, NULL, s->key) == 1 &&
		 EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)text,
				strlen(text)) == 1;
	EVP_MD_CTX_free(ctx);
	free(text);
	if (!ok)
		return -1;
	if (HASH_BASE64_LEN(siglen) + 1 > SNS_SIGNATURE_MAX)
		return -1;
	hash_base64_encode(sig, siglen, out);
	return 0;
}

int sns_get_signing_certificate(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *name = req_query(req, "Certificate");
	const char *pem = sns_signer_cert_pem(sns->signer);
	if (!pem)
		return req_error(req, 500, "InternalError",
				 "the signing certificate is unavailable");
	if (name && strcmp(name, sns_signer_cert_name(sns->signer)) != 0)
		return req_error(req, 404, "NotFound",
				 "Certificate does not exist");
	resp_header(resp, "Content-Type", "application/x-pem-file");
	resp_body(resp, pem, strlen(pem));
	return 0;
}
