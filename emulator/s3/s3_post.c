/*
 * s3_post.c - browser uploads: PostObject (POST /<bucket> with a
 * multipart/form-data body and a POST policy).
 *
 * The body is parsed as it streams: form fields (at most 64 KiB each,
 * 1 MiB together) are kept, the file part goes straight into a blob
 * writer while MD5 and CRC64NVME are computed, so the file is never held
 * in memory.  Fields after the file are ignored, as S3 does.  At the end
 * the POST policy is checked: its signature (SigV4: hex HMAC of the
 * base64 policy under the signing key of x-amz-credential) with --auth
 * sigv4, and always its expiration and conditions (exact matches,
 * starts-with, content-length-range).  Only then is the blob committed
 * and the object made current, queuing an ObjectCreated:Post event.
 */
#include "s3_int.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "timefmt.h"

#define FIELD_MAX (64u * 1024)
#define FIELDS_MAX (1u << 20)
#define MAX_FIELDS 64

enum { PREAMBLE, AFTER_DELIM, HEADERS, DATA, END };

struct s3_post {
	struct s3 *s3;
	char delim[80];           /* "\r\n--<boundary>" */
	size_t dlen;
	int state;
	struct buf pending;       /* bytes not yet consumed */
	struct buf value;         /* the field being read */
	const char *part_name;    /* name of the current part */
	int in_file;              /* the current part is the file */
	int file_done;
	const char *filename;
	const char *file_type;
	struct kv fields[MAX_FIELDS];
	size_t n_fields, fields_bytes;
	struct store_blob_writer *w;
	char blob[STORE_BLOB_ID_LEN + 1];
	int blob_committed, row_committed;
	struct hash_ctx md5, ck;
	int hashing;
	uint64_t size;
	char etag[2 * HASH_MD5_LEN + 1];
	char ck_value[HASH_BASE64_LEN(8) + 1];
};

static void post_release(void *arg)
{
	struct s3_post *p = arg;
	if (p->w)
		store_blob_abort(p->w);
	p->w = NULL;
	if (p->blob_committed && !p->row_committed)
		store_blob_remove(p->s3->store, p->blob);
	p->blob_committed = 0;
	if (p->hashing) {
		hash_free(&p->md5);
		hash_free(&p->ck);
		p->hashing = 0;
	}
	buf_free(&p->pending);
	buf_free(&p->value);
}

static int malformed(struct request *req)
{
	return req_error(req, 400, "MalformedPOSTRequest",
			 "The body of your POST request is not well-formed "
			 "multipart/form-data.");
}

/* A form field by case-insensitive name, or NULL. */
static const char *s3_post_field(const struct request *req, const char *name)
{
	const struct s3_post *p = req->op_state;
	for (size_t i = 0; i < p->n_fields; i++)
		if (strcasecmp(p->fields[i].name, name) == 0)
			return p->fields[i].value;
	return NULL;
}

/* Bytes of the current part's content. */
static int emit(struct request *req, struct s3_post *p, const char *d,
		size_t n)
{
	if (p->state != DATA || n == 0)
		return 0;
	if (p->in_file) {
		if (store_blob_write(p->w, d, n))
			return s3_internal(req, "write blob");
		hash_update(&p->md5, d, n);
		hash_update(&p->ck, d, n);
		p->size += n;
		return 0;
	}
	if (p->file_done)
		return 0; /* fields after the file are ignored */
	if (buf_append(&p->value, d, n) || p->fields_bytes + n > FIELDS_MAX)
		return req_error(req, 400, "MaxPostPreDataLengthExceeded",
				 "Your POST request fields preceeding the "
				 "upload file was too large.");
	p->fields_bytes += n;
	return 0;
}

/* The current part ended (its closing delimiter was found). */
static int end_part(struct request *req, struct s3_post *p)
{
	if (p->state != DATA)
		return 0;
	if (p->in_file) {
		p->in_file = 0;
		p->file_done = 1;
		return 0;
	}
	if (p->file_done || !p->part_name)
		return 0;
	if (p->n_fields == MAX_FIELDS)
		return malformed(req);
	p->fields[p->n_fields].name = p->part_name;
	p->fields[p->n_fields].value = arena_strndup(
		req->arena, p->value.data ? p->value.data : "", p->value.len);
	p->n_fields++;
	buf_reset(&p->value);
	return 0;
}

/* A quoted parameter (name="x") of a Content-Disposition line. */
static const char *disp_param(struct request *req, const char *line,
			      const char *param)
{
	size_t pl = strlen(param);
	for (const char *s = line; (s = strstr(s, param)); s += pl) {
		if (s > line && s[-1] != ' ' && s[-1] != ';')
			continue;
		if (s[pl] != '=' || s[pl + 1] != '"')
			continue;
		const char *v = s + pl + 2, *e = strchr(v, '"');
		return e ? arena_strndup(req->arena, v, (size_t)(e - v)) : NULL;
	}
	return NULL;
}

static int part_headers(struct request *req, struct s3_post *p,
			const char *h, size_t n)
{
	char *text = arena_strndup(req->arena, h, n);
	char *save = NULL;
	p->part_name = NULL;
	p->in_file = 0;
	const char *filename = NULL, *ctype = NULL;
	for (char *line = strtok_r(text, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		if (strncasecmp(line, "content-disposition:", 20) == 0) {
			p->part_name = disp_param(req, line, "name");
			filename = disp_param(req, line, "filename");
		} else if (strncasecmp(line, "content-type:", 13) == 0) {
			ctype = line + 13;
			while (*ctype == ' ')
				ctype++;
		}
	}
	if (!p->part_name)
		return malformed(req);
	if (strcasecmp(p->part_name, "file") == 0 && !p->file_done) {
		if (p->w)
			return req_error(req, 400, "InvalidArgument",
					 "POST requires exactly one file "
					 "upload per request.");
		p->in_file = 1;
		p->filename = filename ? filename : "";
		p->file_type = ctype;
		if (store_blob_create(p->s3->store, &p->w))
			return s3_internal(req, "create blob");
	}
	return 0;
}

/* Consume as much of p->pending as the state machine can. */
static int run(struct request *req, struct s3_post *p, int at_end)
{
	for (;;) {
		char *d = p->pending.data;
		size_t n = p->pending.len, used = 0;
		if (p->state == END || n == 0)
			break;
		if (p->state == PREAMBLE || p->state == DATA) {
			char *hit = memmem(d, n, p->delim, p->dlen);
			if (hit) {
				if (emit(req, p, d, (size_t)(hit - d)) ||
				    end_part(req, p))
					return -1;
				p->state = AFTER_DELIM;
				used = (size_t)(hit - d) + p->dlen;
			} else {
				size_t keep = at_end ? 0 : p->dlen - 1;
				if (n <= keep)
					break;
				if (emit(req, p, d, n - keep))
					return -1;
				used = n - keep;
			}
		} else if (p->state == AFTER_DELIM) {
			if (n < 2)
				break;
			if (memcmp(d, "--", 2) == 0) {
				p->state = END;
			} else if (memcmp(d, "\r\n", 2) == 0) {
				p->state = HEADERS;
			} else {
				return malformed(req);
			}
			used = 2;
		} else if (p->state == HEADERS) {
			char *e = memmem(d, n, "\r\n\r\n", 4);
			if (!e) {
				if (n > 16384)
					return malformed(req);
				break;
			}
			if (part_headers(req, p, d, (size_t)(e - d)))
				return -1;
			p->state = DATA;
			used = (size_t)(e - d) + 4;
		}
		memmove(d, d + used, n - used);
		p->pending.len = n - used;
		d[p->pending.len] = '\0';
		if (used == 0)
			break;
	}
	return 0;
}

static int sink_write(struct request *req, const char *data, size_t len)
{
	struct s3_post *p = req->op_state;
	if (buf_append(&p->pending, data, len))
		return malformed(req);
	return run(req, p, 0);
}

static void sink_abort(struct request *req)
{
	post_release(req->op_state);
}

static int sink_finish(struct request *req)
{
	struct s3_post *p = req->op_state;
	unsigned char d[HASH_MAX_LEN];
	if (run(req, p, 1))
		goto fail;
	if (p->state != END) {
		malformed(req);
		goto fail;
	}
	if (!p->w || !p->file_done) {
		req_error(req, 400, "InvalidArgument",
			  "POST requires exactly one file upload per request.");
		goto fail;
	}
	hash_hex(d, hash_final(&p->md5, d), p->etag);
	hash_base64_encode(d, hash_final(&p->ck, d), p->ck_value);
	store_blob_new_id(p->blob);
	struct store_blob_writer *w = p->w;
	p->w = NULL;
	if (store_blob_commit(w, p->blob)) {
		s3_internal(req, "commit blob");
		goto fail;
	}
	p->blob_committed = 1;
	return 0;
fail:
	post_release(p);
	return -1;
}

static const struct body_sink post_sink = {sink_write, sink_finish,
					   sink_abort};

int s3_post_object_begin(struct request *req)
{
	struct s3_post *p = arena_calloc(req->arena, sizeof(*p));
	const char *ctype = req_header(req, "content-type");
	const char *b = ctype ? strstr(ctype, "boundary=") : NULL;
	p->s3 = req->service_state;
	buf_init(&p->pending, 4u << 20);
	buf_init(&p->value, FIELD_MAX);
	arena_defer(req->arena, post_release, p);
	if (s3_require_bucket(req, s3_bucket_name(req)))
		return -1;
	if (!b)
		return malformed(req);
	b += 9;
	size_t bl = *b == '"' ? strcspn(b + 1, "\"") : strcspn(b, "; ");
	if (*b == '"')
		b++;
	if (bl == 0 || bl > 70)
		return malformed(req);
	p->dlen = (size_t)snprintf(p->delim, sizeof(p->delim), "\r\n--%.*s",
				   (int)bl, b);
	/* the body starts with "--boundary": read it as if after a CRLF */
	buf_append(&p->pending, "\r\n", 2);
	hash_init(&p->md5, HASH_MD5);
	hash_init(&p->ck, HASH_CRC64NVME);
	p->hashing = 1;
	req->op_state = p;
	req->sink = &post_sink;
	return 0;
}

/* ---------------------------------------------------------------------
 * The policy and the object
 * ------------------------------------------------------------------- */

static int policy_denied(struct request *req, const char *why)
{
	return req_error(req, 403, "AccessDenied",
			 "Invalid according to Policy: %s", why);
}

/* The value a policy condition's "$name" stands for. */
static const char *condition_value(struct request *req, const char *name,
				   const char *key)
{
	if (*name == '$')
		name++;
	if (strcasecmp(name, "bucket") == 0)
		return s3_bucket_name(req);
	if (strcasecmp(name, "key") == 0)
		return key;
	const char *v = s3_post_field(req, name);
	return v ? v : "";
}

static int signature_mismatch(struct request *req)
{
	return req_error(req, 403, "SignatureDoesNotMatch",
			 "The request signature we calculated does not match "
			 "the signature you provided. Check your key and "
			 "signing method.");
}

static int unknown_key(struct request *req, const char *akid)
{
	req_error(req, 403, "InvalidAccessKeyId",
		  "The AWS Access Key Id you provided does not exist in our "
		  "records.");
	req_error_extra(req, "AWSAccessKeyId", akid);
	return -1;
}

/* SigV2 form (AWSAccessKeyId, signature): base64 HMAC-SHA1 of the policy,
 * what botocore's generate_presigned_post makes for S3 by default. */
static int check_signature_v2(struct request *req, const char *policy)
{
	const struct config *cfg = req->emu->config;
	const char *akid = s3_post_field(req, "AWSAccessKeyId");
	const char *sig = s3_post_field(req, "signature");
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char b64[HASH_BASE64_LEN(EVP_MAX_MD_SIZE) + 1];
	if (!policy || !akid || !sig)
		return req_error(req, 403, "AccessDenied", "Access Denied");
	if (strcmp(akid, cfg->access_key) != 0)
		return unknown_key(req, akid);
	HMAC(EVP_sha1(), cfg->secret_key, (int)strlen(cfg->secret_key),
	     (const unsigned char *)policy, strlen(policy), mac, &maclen);
	hash_base64_encode(mac, maclen, b64);
	if (strlen(sig) != strlen(b64) || !hash_equal(sig, b64, strlen(b64)))
		return signature_mismatch(req);
	return 0;
}

/* Check the signature (with --auth sigv4) of the base64 policy. */
static int check_signature(struct request *req, const char *policy)
{
	const struct config *cfg = req->emu->config;
	if (!s3_post_field(req, "x-amz-signature") &&
	    s3_post_field(req, "signature"))
		return check_signature_v2(req, policy);
	const char *cred = s3_post_field(req, "x-amz-credential");
	const char *sig = s3_post_field(req, "x-amz-signature");
	const char *alg = s3_post_field(req, "x-amz-algorithm");
	if (!policy || !cred || !sig || !alg ||
	    strcmp(alg, "AWS4-HMAC-SHA256") != 0)
		return req_error(req, 403, "AccessDenied",
				 "Access Denied");
	char akid[128], date[16], region[64], service[32];
	if (sscanf(cred, "%127[^/]/%15[^/]/%63[^/]/%31[^/]/aws4_request", akid,
		   date, region, service) != 4)
		return req_error(req, 400, "InvalidArgument",
				 "Invalid credential: %s", cred);
	if (strcmp(akid, cfg->access_key) != 0)
		return unknown_key(req, akid);
	unsigned char k[HASH_SHA256_LEN];
	char secret[140], hex[2 * HASH_SHA256_LEN + 1];
	snprintf(secret, sizeof(secret), "AWS4%s", cfg->secret_key);
	hash_hmac_sha256(secret, strlen(secret), date, strlen(date), k);
	hash_hmac_sha256(k, sizeof(k), region, strlen(region), k);
	hash_hmac_sha256(k, sizeof(k), service, strlen(service), k);
	hash_hmac_sha256(k, sizeof(k), "aws4_request", 12, k);
	hash_hmac_sha256(k, sizeof(k), policy, strlen(policy), k);
	hash_hex(k, sizeof(k), hex);
	if (strlen(sig) != strlen(hex) || !hash_equal(sig, hex, strlen(hex)))
		return signature_mismatch(req);
	return 0;
}

/* Fields a policy need not mention. */
static int exempt_field(const char *name)
{
	static const char *const ex[] = {"policy", "x-amz-signature", "file",
					 "awsaccesskeyid", "signature", NULL};
	/* (x-amz-credential, -algorithm and -date are in every SigV4
	 * policy that botocore writes, as conditions) */
	for (const char *const *e = ex; *e; e++)
		if (strcasecmp(name, *e) == 0)
			return 1;
	return strncasecmp(name, "x-ignore-", 9) == 0;
}

/* Expiration, conditions and extra fields of the policy document. */
static int check_policy(struct request *req, struct s3_post *p,
			const char *policy_b64, const char *key)
{
	size_t n = strlen(policy_b64), len;
	unsigned char *raw = arena_alloc(req->arena, n + 1);
	if (hash_base64_decode(policy_b64, n, raw, n, &len))
		return req_error(req, 400, "InvalidPolicyDocument",
				 "Invalid Policy: Invalid Simple-Policy.");
	cJSON *doc = cJSON_ParseWithLength((const char *)raw, len);
	cJSON *exp = cJSON_GetObjectItem(doc, "expiration");
	cJSON *conds = cJSON_GetObjectItem(doc, "conditions");
	int64_t t;
	int rc = 0;
	if (!cJSON_IsString(exp) || !cJSON_IsArray(conds) ||
	    time_parse_iso8601(exp->valuestring, &t)) {
		rc = req_error(req, 400, "InvalidPolicyDocument",
			       "Invalid Policy: Invalid 'expiration' value or "
			       "missing 'conditions'.");
		goto out;
	}
	if (time_now_ms() > t) {
		rc = policy_denied(req, "Policy expired.");
		goto out;
	}
	const char *covered[MAX_FIELDS + 8];
	size_t n_cov = 0;
	cJSON *c;
	cJSON_ArrayForEach(c, conds) {
		const char *op = "eq", *name = NULL, *want = NULL;
		if (cJSON_IsObject(c) && c->child && cJSON_IsString(c->child)) {
			name = c->child->string;
			want = c->child->valuestring;
		} else if (cJSON_IsArray(c) && cJSON_GetArraySize(c) == 3) {
			cJSON *a = cJSON_GetArrayItem(c, 0);
			cJSON *b = cJSON_GetArrayItem(c, 1);
			cJSON *d = cJSON_GetArrayItem(c, 2);
			if (cJSON_IsString(a) &&
			    strcmp(a->valuestring, "content-length-range") == 0 &&
			    cJSON_IsNumber(b) && cJSON_IsNumber(d)) {
				if ((double)p->size < b->valuedouble) {
					rc = req_error(req, 400, "EntityTooSmall",
						       "Your proposed upload is "
						       "smaller than the minimum "
						       "allowed size");
					goto out;
				}
				if ((double)p->size > d->valuedouble) {
					rc = req_error(req, 400, "EntityTooLarge",
						       "Your proposed upload "
						       "exceeds the maximum "
						       "allowed size");
					goto out;
				}
				continue;
			}
			if (!cJSON_IsString(a) || !cJSON_IsString(b) ||
			    !cJSON_IsString(d))
				goto bad;
			op = a->valuestring;
			name = b->valuestring;
			want = d->valuestring;
		} else {
			goto bad;
		}
		const char *have = condition_value(req, name, key);
		int ok = strcasecmp(op, "eq") == 0
				 ? strcmp(have, want) == 0
			 : strcasecmp(op, "starts-with") == 0
				 ? strncmp(have, want, strlen(want)) == 0
				 : -1;
		if (ok < 0)
			goto bad;
		if (!ok) {
			char *text = cJSON_PrintUnformatted(c);
			rc = policy_denied(req, arena_printf(req->arena,
							     "Policy Condition "
							     "failed: %s", text));
			free(text);
			goto out;
		}
		if (n_cov < sizeof(covered) / sizeof(*covered))
			covered[n_cov++] = *name == '$' ? name + 1 : name;
	}
	for (size_t i = 0; i < p->n_fields; i++) {
		int found = exempt_field(p->fields[i].name);
		for (size_t k = 0; k < n_cov && !found; k++)
			found = strcasecmp(covered[k], p->fields[i].name) == 0;
		if (!found) {
			rc = policy_denied(req, arena_printf(
							req->arena,
							"Extra input fields: %s",
							p->fields[i].name));
			goto out;
		}
	}
	goto out;
bad:
	rc = req_error(req, 400, "InvalidPolicyDocument",
		       "Invalid Policy: Invalid Simple-Policy.");
out:
	cJSON_Delete(doc);
	return rc;
}

/* The headers JSON of the object, from the form fields. */
static char *post_headers(struct request *req, struct s3_post *p)
{
	static const char *const kept[] = {
		"Content-Type", "Content-Encoding", "Content-Disposition",
		"Content-Language", "Cache-Control", "Expires", NULL};
	cJSON *j = cJSON_CreateObject();
	for (const char *const *k = kept; *k; k++) {
		const char *v = s3_post_field(req, *k);
		if (!v && strcmp(*k, "Content-Type") == 0)
			v = p->file_type ? p->file_type : "binary/octet-stream";
		if (v)
			cJSON_AddStringToObject(j, *k, v);
	}
	for (size_t i = 0; i < p->n_fields; i++)
		if (strncasecmp(p->fields[i].name, "x-amz-meta-", 11) == 0) {
			char *name = arena_strdup(req->arena, p->fields[i].name);
			for (char *c = name; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			cJSON_AddStringToObject(j, name, p->fields[i].value);
		}
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	char *out = arena_strdup(req->arena, text);
	free(text);
	return out;
}

int s3_post_object(struct request *req, struct response *resp)
{
	struct s3_post *p = req->op_state;
	const char *key = s3_post_field(req, "key");
	if (!key)
		return req_error(req, 400, "InvalidArgument",
				 "Bucket POST must contain a field named "
				 "'key'.  If it is specified, please check the "
				 "order of the fields.");
	const char *sub = strstr(key, "${filename}");
	if (sub)
		key = arena_printf(req->arena, "%.*s%s%s", (int)(sub - key), key,
				   p->filename, sub + 11);
	if (!*key || strlen(key) > S3_MAX_KEY)
		return req_error(req, 400, "KeyTooLongError",
				 "Your key is too long");
	const char *policy = s3_post_field(req, "policy");
	if (req->emu->config->auth == AUTH_SIGV4 &&
	    check_signature(req, policy))
		return -1;
	if (policy && check_policy(req, p, policy, key))
		return -1;
	struct s3_object o;
	memset(&o, 0, sizeof(o));
	o.bucket = s3_bucket_name(req);
	o.key = key;
	memcpy(o.blob, p->blob, sizeof(o.blob));
	o.size = p->size;
	o.etag = p->etag;
	o.mtime_ms = time_now_ms();
	o.headers = post_headers(req, p);
	o.storage_class = "STANDARD";
	o.ck_alg = "CRC64NVME";
	o.ck_value = p->ck_value;
	o.ck_type = "FULL_OBJECT";
	if (s3_object_commit(req, &o, "ObjectCreated:Post"))
		return -1;
	p->row_committed = 1;
	const char *location = arena_printf(req->arena, "http://%s/%s/%s",
					    req->host, o.bucket, key);
	const char *redirect = s3_post_field(req, "success_action_redirect");
	const char *status = s3_post_field(req, "success_action_status");
	s3_etag_header(req, resp, p->etag);
	if (redirect && *redirect) {
		resp->status = 303;
		resp_headerf(resp, "Location", "%s%cbucket=%s&key=%s&etag=%%22%s%%22",
			     redirect, strchr(redirect, '?') ? '&' : '?',
			     o.bucket, key, p->etag);
		return 0;
	}
	resp_header(resp, "Location", location);
	if (status && strcmp(status, "201") == 0) {
		struct buf b;
		resp->status = 201;
		buf_init(&b, 1u << 16);
		xml_decl(&b);
		xml_open(&b, "PostResponse");
		xml_elem(&b, "Location", location);
		xml_elem(&b, "Bucket", o.bucket);
		xml_elem(&b, "Key", key);
		xml_elem(&b, "ETag", arena_printf(req->arena, "\"%s\"", p->etag));
		s3_xml_send(resp, &b, "PostResponse");
		return 0;
	}
	resp->status = status && strcmp(status, "200") == 0 ? 200 : 204;
	return 0;
}
