/*
 * s3_cors.c - CORS as S3 applies a bucket's CORS configuration: the
 * OPTIONS preflight (PreflightRequest) and the Access-Control-* headers
 * on actual requests that carry an Origin.
 *
 * The first CORSRule whose AllowedOrigin, AllowedMethod and (for a
 * preflight) AllowedHeader patterns all match wins; patterns may hold
 * one '*' wildcard.  Origins and methods compare case-sensitively,
 * header names case-insensitively, as S3 does.
 */
#include "s3_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Match s against a pattern with at most one '*'. */
static int wildcard(const char *pat, const char *s, int nocase)
{
	const char *star = strchr(pat, '*');
	int (*cmp)(const char *, const char *, size_t) =
		nocase ? strncasecmp : strncmp;
	if (!star)
		return nocase ? strcasecmp(pat, s) == 0 : strcmp(pat, s) == 0;
	size_t pre = (size_t)(star - pat), post = strlen(star + 1);
	size_t n = strlen(s);
	return n >= pre + post && cmp(pat, s, pre) == 0 &&
	       cmp(star + 1, s + n - post, post) == 0;
}

static int any_matches(struct xml_node *rule, const char *name,
		       const char *value, int nocase)
{
	for (struct xml_node *c = xml_child(rule, name); c; c = xml_next(c))
		if (wildcard(c->text, value, nocase))
			return 1;
	return 0;
}

/* Every header of the comma-separated list is allowed by the rule. */
static int headers_allowed(struct request *req, struct xml_node *rule,
			   const char *list)
{
	if (!list)
		return 1;
	char *copy = arena_strdup(req->arena, list), *save = NULL;
	for (char *h = strtok_r(copy, ",", &save); h;
	     h = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*h))
			h++;
		char *e = h + strlen(h);
		while (e > h && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*h && !any_matches(rule, "AllowedHeader", h, 1))
			return 0;
	}
	return 1;
}

/* The bucket's CORS rules document, or NULL (also on errors). */
static struct xml_node *cors_rules(struct request *req)
{
	const char *body;
	char err[128];
	struct aws_err saved = req->err;
	if (s3_config_get(req, s3_bucket_name(req), "cors", &body) != 1) {
		req->err = saved;
		return NULL;
	}
	return xml_parse(req->arena, body, strlen(body), err, sizeof(err));
}

static struct xml_node *match_rule(struct request *req, struct xml_node *doc,
				   const char *origin, const char *method,
				   const char *req_headers)
{
	for (struct xml_node *r = xml_child(doc, "CORSRule"); r;
	     r = xml_next(r))
		if (any_matches(r, "AllowedOrigin", origin, 0) &&
		    any_matches(r, "AllowedMethod", method, 0) &&
		    headers_allowed(req, r, req_headers))
			return r;
	return NULL;
}

/* Access-Control-* headers of a matched rule. */
static void rule_headers(struct request *req, struct response *resp,
			 struct xml_node *r, const char *origin, int preflight)
{
	int star = 0;
	for (struct xml_node *o = xml_child(r, "AllowedOrigin"); o;
	     o = xml_next(o))
		star |= strcmp(o->text, "*") == 0;
	resp_header(resp, "Access-Control-Allow-Origin", star ? "*" : origin);
	struct buf b;
	buf_init(&b, 4096);
	for (struct xml_node *m = xml_child(r, "AllowedMethod"); m;
	     m = xml_next(m)) {
		if (b.len)
			buf_puts(&b, ", ");
		buf_puts(&b, m->text);
	}
	resp_header(resp, "Access-Control-Allow-Methods",
		    arena_strdup(req->arena, b.data ? b.data : ""));
	buf_reset(&b);
	for (struct xml_node *e = xml_child(r, "ExposeHeader"); e;
	     e = xml_next(e)) {
		if (b.len)
			buf_puts(&b, ", ");
		buf_puts(&b, e->text);
	}
	if (b.len)
		resp_header(resp, "Access-Control-Expose-Headers",
			    arena_strdup(req->arena, b.data));
	buf_free(&b);
	if (!star)
		resp_header(resp, "Access-Control-Allow-Credentials", "true");
	resp_header(resp, "Vary",
		    "Origin, Access-Control-Request-Headers, "
		    "Access-Control-Request-Method");
	if (preflight) {
		const char *rh = req_header(req, "access-control-request-headers");
		if (rh)
			resp_header(resp, "Access-Control-Allow-Headers", rh);
		const char *age = xml_child_text(r, "MaxAgeSeconds");
		if (age)
			resp_header(resp, "Access-Control-Max-Age", age);
	}
}

void s3_cors_headers(struct request *req, struct response *resp)
{
	const char *origin = req_header(req, "origin");
	if (!origin || !s3_bucket_name(req))
		return;
	struct xml_node *doc = cors_rules(req);
	struct xml_node *r = doc ? match_rule(req, doc, origin, req->method,
					      NULL)
				 : NULL;
	if (r)
		rule_headers(req, resp, r, origin, 0);
}

int s3_options(struct request *req, struct response *resp)
{
	const char *origin = req_header(req, "origin");
	const char *method = req_header(req, "access-control-request-method");
	if (!origin || !method)
		return req_error(req, 400, "BadRequest",
				 "Insufficient information. Origin request "
				 "header needed.");
	if (s3_require_bucket(req, s3_bucket_name(req)))
		return -1;
	struct xml_node *doc = cors_rules(req);
	if (!doc)
		return req_error(req, 403, "CORSResponse",
				 "CORS is not enabled for this bucket.");
	struct xml_node *r = match_rule(
		req, doc, origin, method,
		req_header(req, "access-control-request-headers"));
	if (!r)
		return req_error(req, 403, "CORSResponse",
				 "This CORS request is not allowed. This is "
				 "usually because the evalution of Origin, "
				 "request method / Access-Control-Request-Method "
				 "or Access-Control-Request-Headers are not "
				 "whitelisted by the resource's CORS spec.");
	rule_headers(req, resp, r, origin, 1);
	resp_header(resp, "Content-Length", "0");
	return 0;
}
