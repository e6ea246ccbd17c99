/*
 * s3_bucket.c - bucket operations: CreateBucket, DeleteBucket,
 * HeadBucket, GetBucketLocation, and the sub-resources Terraform's
 * aws_s3_bucket reads and its satellite resources write (versioning,
 * tagging, policy, CORS, lifecycle, encryption, ownership controls,
 * public access block, ACL, website, logging, accelerate, request
 * payment, object lock, replication).
 *
 * A sub-resource is one stored document: Put* checks that the body is
 * well-formed with the right root element (plus the checks AWS makes
 * that clients rely on) and stores it as sent; Get* returns it, or
 * AWS's answer for a bucket that never had one: an error such as
 * NoSuchCORSConfiguration, or the default a bucket has today (SSE-S3
 * encryption, versioning never enabled).  New buckets also get the
 * ownership controls (BucketOwnerEnforced) and public access block (all
 * blocked) AWS sets at creation; deleting those makes them not found.
 */
#include "s3_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "timefmt.h"

static const struct s3_subres subresources[] = {
	{"versioning", "GetBucketVersioning", "PutBucketVersioning", NULL,
	 "VersioningConfiguration", 0, NULL, NULL, ""},
	{"tagging", "GetBucketTagging", "PutBucketTagging",
	 "DeleteBucketTagging", "Tagging", 404, "NoSuchTagSet",
	 "The TagSet does not exist", NULL},
	{"policy", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy",
	 NULL, 404, "NoSuchBucketPolicy", "The bucket policy does not exist",
	 NULL},
	{"cors", "GetBucketCors", "PutBucketCors", "DeleteBucketCors",
	 "CORSConfiguration", 404, "NoSuchCORSConfiguration",
	 "The CORS configuration does not exist", NULL},
	{"lifecycle", "GetBucketLifecycleConfiguration",
	 "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle",
	 "LifecycleConfiguration", 404, "NoSuchLifecycleConfiguration",
	 "The lifecycle configuration does not exist", NULL},
	{"encryption", "GetBucketEncryption", "PutBucketEncryption",
	 "DeleteBucketEncryption", "ServerSideEncryptionConfiguration", 0,
	 NULL, NULL,
	 "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256"
	 "</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
	 "<BucketKeyEnabled>false</BucketKeyEnabled></Rule>"},
	/* these two are set on every new bucket (see create_defaults) and
	 * can be deleted, after which they are "not found" */
	{"ownershipControls", "GetBucketOwnershipControls",
	 "PutBucketOwnershipControls", "DeleteBucketOwnershipControls",
	 "OwnershipControls", 404, "OwnershipControlsNotFoundError",
	 "The bucket ownership controls were not found", NULL},
	{"publicAccessBlock", "GetPublicAccessBlock", "PutPublicAccessBlock",
	 "DeletePublicAccessBlock", "PublicAccessBlockConfiguration", 404,
	 "NoSuchPublicAccessBlockConfiguration",
	 "The public access block configuration was not found", NULL},
	{"acl", "GetBucketAcl", "PutBucketAcl", NULL, "AccessControlPolicy",
	 0, NULL, NULL, NULL},
	{"website", "GetBucketWebsite", "PutBucketWebsite",
	 "DeleteBucketWebsite", "WebsiteConfiguration", 404,
	 "NoSuchWebsiteConfiguration",
	 "The specified bucket does not have a website configuration", NULL},
	{"logging", "GetBucketLogging", "PutBucketLogging", NULL,
	 "BucketLoggingStatus", 0, NULL, NULL, ""},
	{"accelerate", "GetBucketAccelerateConfiguration",
	 "PutBucketAccelerateConfiguration", NULL, "AccelerateConfiguration",
	 0, NULL, NULL, ""},
	{"requestPayment", "GetBucketRequestPayment",
	 "PutBucketRequestPayment", NULL, "RequestPaymentConfiguration", 0,
	 NULL, NULL, "<Payer>BucketOwner</Payer>"},
	{"object-lock", "GetObjectLockConfiguration",
	 "PutObjectLockConfiguration", NULL, "ObjectLockConfiguration", 404,
	 "ObjectLockConfigurationNotFoundError",
	 "Object Lock configuration does not exist for this bucket", NULL},
	{"replication", "GetBucketReplication", "PutBucketReplication",
	 "DeleteBucketReplication", "ReplicationConfiguration", 404,
	 "ReplicationConfigurationNotFoundError",
	 "The replication configuration was not found", NULL},
};

const struct s3_subres *s3_subres_find(const struct request *req)
{
	for (size_t i = 0; i < sizeof(subresources) / sizeof(*subresources);
	     i++)
		if (req_query(req, subresources[i].query))
			return &subresources[i];
	return NULL;
}

/* The AccessControlPolicy of a canned ACL ("private" when NULL). */
static char *acl_xml(struct request *req, const char *canned)
{
	struct buf b;
	s3_xml_begin(&b, "AccessControlPolicy");
	buf_puts(&b, "<Owner><ID>" S3_OWNER_ID "</ID><DisplayName>"
		     S3_OWNER_NAME "</DisplayName></Owner><AccessControlList>");
	buf_puts(&b, "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/"
		     "XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>"
		     S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME
		     "</DisplayName></Grantee><Permission>FULL_CONTROL"
		     "</Permission></Grant>");
	const char *group = NULL;
	const char *perms[2] = {NULL, NULL};
	if (canned && strcmp(canned, "public-read") == 0) {
		group = "AllUsers";
		perms[0] = "READ";
	} else if (canned && strcmp(canned, "public-read-write") == 0) {
		group = "AllUsers";
		perms[0] = "READ";
		perms[1] = "WRITE";
	} else if (canned && strcmp(canned, "authenticated-read") == 0) {
		group = "AuthenticatedUsers";
		perms[0] = "READ";
	}
	for (int i = 0; group && i < 2 && perms[i]; i++)
		buf_printf(&b, "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/"
			       "2001/XMLSchema-instance\" xsi:type=\"Group\">"
			       "<URI>http://acs.amazonaws.com/groups/global/%s"
			       "</URI></Grantee><Permission>%s</Permission>"
			       "</Grant>",
			   group, perms[i]);
	buf_puts(&b, "</AccessControlList></AccessControlPolicy>");
	char *out = arena_strdup(req->arena, b.data);
	buf_free(&b);
	return out;
}

/* Check a canned ACL header value; -1 with an error recorded. */
static int check_canned(struct request *req, const char *v)
{
	static const char *const ok[] = {
		"private", "public-read", "public-read-write",
		"authenticated-read", "aws-exec-read", "bucket-owner-read",
		"bucket-owner-full-control", "log-delivery-write",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		if (strcmp(v, ok[i]) == 0)
			return 0;
	req_error(req, 400, "InvalidArgument", "%s", "");
	req_error_extra(req, "ArgumentName", "x-amz-acl");
	req_error_extra(req, "ArgumentValue", v);
	return -1;
}

/* AWS's bucket naming rules; 0 or -1 with InvalidBucketName. */
static int check_bucket_name(struct request *req, const char *name)
{
	size_t n = strlen(name);
	int ok = n >= 3 && n <= 63;
	int digits_dots = 1, dots = 0;
	for (size_t i = 0; ok && i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && c != '.' && c != '-')
			ok = 0;
		if (!(c >= '0' && c <= '9') && c != '.')
			digits_dots = 0;
		dots += c == '.';
		if (c == '.' && i + 1 < n &&
		    (name[i + 1] == '.' || name[i + 1] == '-'))
			ok = 0;
		if (c == '-' && i + 1 < n && name[i + 1] == '.')
			ok = 0;
	}
	if (ok) {
		char first = name[0], last = name[n - 1];
		ok = first != '.' && first != '-' && last != '.' && last != '-';
	}
	if (ok && digits_dots && dots == 3)
		ok = 0; /* formatted as an IP address */
	if (ok && (strncmp(name, "xn--", 4) == 0 ||
		   strncmp(name, "sthree-", 7) == 0 ||
		   strncmp(name, "amzn-s3-demo-", 13) == 0 ||
		   (n > 8 && strcmp(name + n - 8, "-s3alias") == 0) ||
		   (n > 7 && strcmp(name + n - 7, "--ol-s3") == 0) ||
		   (n > 5 && strcmp(name + n - 5, ".mrap") == 0) ||
		   (n > 6 && strcmp(name + n - 6, "--x-s3") == 0)))
		ok = 0;
	if (ok)
		return 0;
	req_error(req, 400, "InvalidBucketName",
		  "The specified bucket is not valid.");
	req_error_extra(req, "BucketName", name);
	return -1;
}

/* What a new bucket has today without being asked: ownership
 * controls BucketOwnerEnforced and every public access blocked.  Inside
 * the creating transaction; 0 or -1. */
static int create_defaults(struct request *req, const char *bucket)
{
	static const char oc[] =
		"<OwnershipControls xmlns=\"" S3_NS "\"><Rule><ObjectOwnership>"
		"BucketOwnerEnforced</ObjectOwnership></Rule>"
		"</OwnershipControls>";
	static const char pab[] =
		"<PublicAccessBlockConfiguration xmlns=\"" S3_NS "\">"
		"<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true"
		"</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>"
		"<RestrictPublicBuckets>true</RestrictPublicBuckets>"
		"</PublicAccessBlockConfiguration>";
	if (s3_config_put(req, bucket, "ownershipControls", oc,
			  sizeof(oc) - 1))
		return -1;
	return s3_config_put(req, bucket, "publicAccessBlock", pab,
			     sizeof(pab) - 1);
}

int s3_create_bucket(struct request *req, struct response *resp)
{
	struct s3 *s3 = req->service_state;
	const char *bucket = s3_bucket_name(req);
	const char *req_region = req->identity.region ? req->identity.region
						      : s3_region(req);
	const char *region = req_region;
	const char *acl = req_header(req, "x-amz-acl");
	if (check_bucket_name(req, bucket))
		return -1;
	if (acl && check_canned(req, acl))
		return -1;
	if (req->body_len) {
		struct xml_node *doc =
			s3_body_xml(req, "CreateBucketConfiguration");
		if (!doc)
			return -1;
		const char *lc = xml_child_text(doc, "LocationConstraint");
		if (lc && *lc) {
			if (strcmp(lc, "us-east-1") == 0)
				return req_error(req, 400,
						 "InvalidLocationConstraint",
						 "The specified "
						 "location-constraint is not "
						 "valid");
			region = strcmp(lc, "EU") == 0 ? "eu-west-1" : lc;
		}
	}
	if (strcmp(region, req_region) != 0 ||
	    (!req->body_len && strcmp(req_region, "us-east-1") != 0))
		return req_error(req, 400,
				 "IllegalLocationConstraintException",
				 "The %s location constraint is incompatible "
				 "for the region specific endpoint this "
				 "request was sent to.",
				 req->body_len ? region : "unspecified");

	const char *existing;
	int found = s3_bucket_lookup(req, bucket, &existing);
	if (found < 0)
		return -1;
	if (found) {
		if (strcmp(existing, "us-east-1") == 0) {
			resp_headerf(resp, "Location", "/%s", bucket);
			return 0;
		}
		req_error(req, 409, "BucketAlreadyOwnedByYou",
			  "Your previous request to create the named bucket "
			  "succeeded and you already own it.");
		req_error_extra(req, "BucketName", bucket);
		return -1;
	}
	if (store_begin(s3->db))
		return s3_internal(req, "begin");
	sqlite3_stmt *st = store_prepare(
		s3->db, "INSERT INTO buckets (name, region, created) "
			"VALUES (?1, ?2, ?3)");
	int rc = -1;
	if (st) {
		sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, time_now_ms());
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	if (rc == 0)
		rc = create_defaults(req, bucket);
	if (rc == 0 && acl && strcmp(acl, "private") != 0) {
		char *x = acl_xml(req, acl);
		rc = s3_config_put(req, bucket, "acl", x, strlen(x));
	}
	const char *lock = req_header(req, "x-amz-bucket-object-lock-enabled");
	if (rc == 0 && lock && strcmp(lock, "true") == 0) {
		static const char doc[] =
			"<ObjectLockConfiguration xmlns=\"" S3_NS "\">"
			"<ObjectLockEnabled>Enabled</ObjectLockEnabled>"
			"</ObjectLockConfiguration>";
		static const char ver[] =
			"<VersioningConfiguration xmlns=\"" S3_NS "\">"
			"<Status>Enabled</Status></VersioningConfiguration>";
		rc = s3_config_put(req, bucket, "object-lock", doc,
				   sizeof(doc) - 1);
		if (rc == 0)
			rc = s3_config_put(req, bucket, "versioning", ver,
					   sizeof(ver) - 1);
	}
	if (rc == 0)
		rc = store_commit(s3->db);
	if (rc) {
		store_rollback(s3->db);
		return req->err.status ? -1 : s3_internal(req, "create bucket");
	}
	resp_headerf(resp, "Location", "/%s", bucket);
	return 0;
}

int s3_delete_bucket(struct request *req, struct response *resp)
{
	struct s3 *s3 = req->service_state;
	const char *bucket = s3_bucket_name(req);
	if (s3_require_bucket(req, bucket))
		return -1;
	if (store_begin(s3->db))
		return s3_internal(req, "begin");
	sqlite3_stmt *st = store_prepare(
		s3->db, "SELECT EXISTS (SELECT 1 FROM objects WHERE "
			"bucket = ?1)");
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	int nonempty = sqlite3_step(st) == SQLITE_ROW &&
		       sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (nonempty) {
		store_rollback(s3->db);
		req_error(req, 409, "BucketNotEmpty",
			  "The bucket you tried to delete is not empty");
		req_error_extra(req, "BucketName", bucket);
		return -1;
	}
	/* Uploads in progress go with the bucket; their parts' blobs are
	 * removed after the commit. */
	struct buf blobs;
	buf_init(&blobs, 64u << 20);
	st = store_prepare(s3->db, "SELECT p.blob FROM parts p JOIN uploads u"
				   " ON p.upload = u.id WHERE u.bucket = ?1");
	if (!st) {
		buf_free(&blobs);
		goto fail;
	}
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		buf_printf(&blobs, "%s\n", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	static const char *const deletes[] = {
		"DELETE FROM uploads WHERE bucket = ?1",
		"DELETE FROM buckets WHERE name = ?1",
	};
	for (size_t i = 0; i < 2; i++) {
		st = store_prepare(s3->db, deletes[i]);
		int rc = SQLITE_ERROR;
		if (st) {
			sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
		}
		if (rc != SQLITE_DONE) {
			buf_free(&blobs);
			goto fail;
		}
	}
	if (store_commit(s3->db)) {
		buf_free(&blobs);
		goto fail;
	}
	for (char *p = blobs.data; p && *p;) {
		char *nl = strchr(p, '\n');
		*nl = '\0';
		store_blob_remove(s3->store, p);
		p = nl + 1;
	}
	buf_free(&blobs);
	resp->status = 204;
	return 0;
fail:
	store_rollback(s3->db);
	return s3_internal(req, "delete bucket");
}

int s3_head_bucket(struct request *req, struct response *resp)
{
	const char *bucket = s3_bucket_name(req);
	const char *region;
	int found = s3_bucket_lookup(req, bucket, &region);
	if (found < 0)
		return -1;
	if (!found)
		return req_error(req, 404, "NotFound", "Not Found");
	resp_header(resp, "x-amz-bucket-region", region);
	resp_header(resp, "x-amz-access-point-alias", "false");
	resp_header(resp, "Content-Length", "0");
	return 0;
}

int s3_get_bucket_location(struct request *req, struct response *resp)
{
	const char *bucket = s3_bucket_name(req);
	const char *region;
	int found = s3_bucket_lookup(req, bucket, &region);
	if (found <= 0)
		return found < 0 ? -1 : s3_no_such_bucket(req, bucket);
	struct buf b;
	buf_init(&b, 4096);
	xml_decl(&b);
	if (strcmp(region, "us-east-1") == 0) {
		buf_puts(&b, "<LocationConstraint xmlns=\"" S3_NS "\"/>");
	} else {
		xml_open_ns(&b, "LocationConstraint", S3_NS);
		buf_xml_escape(&b, region, strlen(region));
		xml_close(&b, "LocationConstraint");
	}
	s3_xml_send(resp, &b, NULL);
	return 0;
}

/* ---------------------------------------------------------------------
 * Sub-resource documents
 * ------------------------------------------------------------------- */

static void send_document(struct response *resp, const char *body,
			  int is_json)
{
	struct buf b;
	buf_init(&b, 64u << 20);
	if (!is_json && strncmp(body, "<?xml", 5) != 0)
		xml_decl(&b);
	buf_puts(&b, body);
	resp_header(resp, "Content-Type",
		    is_json ? "application/json" : "application/xml");
	resp_body_buf(resp, &b);
}

int s3_bucket_config_get(struct request *req, struct response *resp)
{
	const struct s3_subres *sr = s3_subres_find(req);
	const char *bucket = s3_bucket_name(req);
	const char *body;
	if (s3_require_bucket(req, bucket))
		return -1;
	int found = s3_config_get(req, bucket, sr->query, &body);
	if (found < 0)
		return -1;
	if (found) {
		send_document(resp, body, sr->root == NULL);
		return 0;
	}
	if (strcmp(sr->query, "acl") == 0) {
		send_document(resp, acl_xml(req, NULL), 0);
		return 0;
	}
	if (sr->missing_status) {
		req_error(req, sr->missing_status, sr->missing_code, "%s",
			  sr->missing_message);
		req_error_extra(req, "BucketName", bucket);
		return -1;
	}
	struct buf b;
	buf_init(&b, 4096);
	xml_decl(&b);
	if (*sr->default_body)
		buf_printf(&b, "<%s xmlns=\"%s\">%s</%s>", sr->root, S3_NS,
			   sr->default_body, sr->root);
	else
		buf_printf(&b, "<%s xmlns=\"%s\"/>", sr->root, S3_NS);
	s3_xml_send(resp, &b, NULL);
	return 0;
}

/* Checks AWS makes on some documents beyond their root element. */
static int check_document(struct request *req, const struct s3_subres *sr,
			  struct xml_node *doc)
{
	if (strcmp(sr->query, "versioning") == 0) {
		const char *status = xml_child_text(doc, "Status");
		if (status && strcmp(status, "Enabled") != 0 &&
		    strcmp(status, "Suspended") != 0)
			return req_error(req, 400, "MalformedXML",
					 "The XML you provided was not "
					 "well-formed or did not validate "
					 "against our published schema");
	} else if (strcmp(sr->query, "tagging") == 0) {
		struct xml_node *set = xml_child(doc, "TagSet");
		if (!set)
			return req_error(req, 400, "MalformedXML",
					 "The XML you provided was not "
					 "well-formed or did not validate "
					 "against our published schema");
		if (xml_count(set, "Tag") > 50)
			return req_error(req, 400, "InvalidTag",
					 "Bucket tag count cannot be greater "
					 "than 50");
		for (struct xml_node *t = xml_child(set, "Tag"); t;
		     t = xml_next(t)) {
			const char *k = xml_child_text(t, "Key");
			if (!k || !xml_child_text(t, "Value"))
				return req_error(req, 400, "MalformedXML",
						 "The XML you provided was "
						 "not well-formed or did not "
						 "validate against our "
						 "published schema");
			for (struct xml_node *u = xml_next(t); u;
			     u = xml_next(u)) {
				const char *k2 = xml_child_text(u, "Key");
				if (k2 && strcmp(k, k2) == 0)
					return req_error(
						req, 400, "InvalidTag",
						"Cannot provide multiple "
						"Tags with the same key");
			}
		}
	} else if (strcmp(sr->query, "cors") == 0) {
		if (!xml_child(doc, "CORSRule"))
			return req_error(req, 400, "MalformedXML",
					 "The XML you provided was not "
					 "well-formed or did not validate "
					 "against our published schema");
		for (struct xml_node *r = xml_child(doc, "CORSRule"); r;
		     r = xml_next(r)) {
			if (!xml_child(r, "AllowedMethod") ||
			    !xml_child(r, "AllowedOrigin"))
				return req_error(req, 400, "MalformedXML",
						 "The XML you provided was "
						 "not well-formed or did not "
						 "validate against our "
						 "published schema");
			for (struct xml_node *m = xml_child(r, "AllowedMethod");
			     m; m = xml_next(m)) {
				static const char *const ok[] = {
					"GET", "PUT", "HEAD", "POST",
					"DELETE"};
				int good = 0;
				for (int i = 0; i < 5; i++)
					good |= strcmp(m->text, ok[i]) == 0;
				if (!good)
					return req_error(
						req, 400, "InvalidRequest",
						"Found unsupported HTTP "
						"method in CORS config. "
						"Unsupported method is %s",
						m->text);
			}
		}
	}
	return 0;
}

int s3_bucket_config_put(struct request *req, struct response *resp)
{
	const struct s3_subres *sr = s3_subres_find(req);
	const char *bucket = s3_bucket_name(req);
	if (s3_require_bucket(req, bucket))
		return -1;
	if (!sr->root) {
		/* a bucket policy: JSON whose first byte is '{' */
		cJSON *j = NULL;
		if (req->body_len && req->body[0] == '{')
			j = cJSON_ParseWithLength(req->body, req->body_len);
		if (!j || !cJSON_IsObject(j)) {
			cJSON_Delete(j);
			return req_error(req, 400, "MalformedPolicy",
					 "Policies must be valid JSON and the "
					 "first byte must be '{'");
		}
		cJSON_Delete(j);
		if (s3_config_put(req, bucket, sr->query, req->body,
				  req->body_len))
			return -1;
		resp->status = 204;
		return 0;
	}
	if (strcmp(sr->query, "acl") == 0 && !req->body_len) {
		const char *canned = req_header(req, "x-amz-acl");
		if (!canned)
			return req_error(req, 400, "MissingSecurityHeader",
					 "Your request was missing a required "
					 "header");
		if (check_canned(req, canned))
			return -1;
		char *x = acl_xml(req, canned);
		return s3_config_put(req, bucket, "acl", x, strlen(x));
	}
	struct xml_node *doc = s3_body_xml(req, sr->root);
	if (!doc || check_document(req, sr, doc))
		return -1;
	if (s3_config_put(req, bucket, sr->query, req->body, req->body_len))
		return -1;
	if (strcmp(sr->query, "tagging") == 0)
		resp->status = 204;
	return 0;
}

int s3_bucket_config_delete(struct request *req, struct response *resp)
{
	const struct s3_subres *sr = s3_subres_find(req);
	const char *bucket = s3_bucket_name(req);
	if (s3_require_bucket(req, bucket))
		return -1;
	if (s3_config_delete(req, bucket, sr->query))
		return -1;
	resp->status = 204;
	return 0;
}

/* ACLs of objects: the canned policy of the owner (object ACLs are not
 * kept; BucketOwnerEnforced makes them moot on new buckets). */
int s3_get_object_acl(struct request *req, struct response *resp)
{
	struct s3_object o;
	int found = s3_object_load(req, s3_bucket_name(req), s3_key_name(req),
				   &o);
	if (found <= 0) {
		if (found == 0 && !s3_require_bucket(req, s3_bucket_name(req)))
			s3_no_such_key(req, s3_key_name(req));
		return -1;
	}
	send_document(resp, acl_xml(req, NULL), 0);
	return 0;
}

int s3_put_object_acl(struct request *req, struct response *resp)
{
	struct s3_object o;
	(void)resp;
	int found = s3_object_load(req, s3_bucket_name(req), s3_key_name(req),
				   &o);
	if (found <= 0) {
		if (found == 0 && !s3_require_bucket(req, s3_bucket_name(req)))
			s3_no_such_key(req, s3_key_name(req));
		return -1;
	}
	const char *canned = req_header(req, "x-amz-acl");
	if (canned && check_canned(req, canned))
		return -1;
	if (!canned && req->body_len &&
	    !s3_body_xml(req, "AccessControlPolicy"))
		return -1;
	return 0;
}
