/*
 * router.c - picks the service and the operation for a request, the way
 * AWS's own edge does, and is the one place that lists every service.
 *
 * How a service is recognised, strongest signal first:
 *   1. an unsigned path prefix (/_emulator/, /2018-06-01/runtime/): those
 *      requests carry no signature at all;
 *   2. X-Amz-Target ("DynamoDB_20120810.PutItem") names service and op;
 *   3. the SigV4 credential scope (Authorization, or X-Amz-Credential of a
 *      presigned URL): "s3", "dynamodb", "sns", ...; services that share
 *      a scope are told apart by path prefix (/v2/ for API Gateway v2);
 *   4. the Host header (virtual-hosted S3, *.execute-api.localhost);
 *   5. a path prefix (/2015-03-31/functions, /v2/apis) for unsigned calls;
 *   6. a Query-protocol form (Action=...&Version=...): the Version, or
 *      failing that the Action, picks among SNS, IAM, STS once the body
 *      is read;
 *   7. anything else goes to the fallback service (S3, path style).
 * Nothing here knows what a service does: the rules read only the
 * declarative fields of struct service.
 *
 * How the operation is found: the service's own resolve hook if it has
 * one (S3's sub-resources), else by protocol: the X-Amz-Target suffix,
 * the Action parameter, or method + path template for REST-JSON.
 */
#include "router.h"
#include "auth.h"
#include "log.h"
#include "protocol.h"
#include "services.h"
#include "sigv4.h"
#include "timefmt.h"
#include "uri.h"
#include "xalloc.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Every service, in the order the router considers them. */
static const struct service *const service_table[] = {
	&admin_service,
	&sts_service,
	&dynamodb_service,
	&sns_service,
	&lambda_runtime_service,
	&lambda_service,
	&logs_service,
	&s3_service,
};

#define N_SERVICES (sizeof(service_table) / sizeof(service_table[0]))

struct op_counters {
	atomic_ullong calls;
	atomic_ullong errors;
	atomic_ullong usec;
};

struct router {
	struct emulator *emu;
	void *state[N_SERVICES];
	int initialised[N_SERVICES];
	struct op_counters *counters[N_SERVICES]; /* one per op row */
};

int router_init(struct emulator *emu, struct router **out, char *errbuf,
		size_t errlen)
{
	struct router *router = xcalloc(1, sizeof(*router));
	router->emu = emu;
	for (size_t i = 0; i < N_SERVICES; i++) {
		const struct service *svc = service_table[i];
		router->counters[i] = xcalloc(svc->n_ops ? svc->n_ops : 1,
					      sizeof(struct op_counters));
		int64_t t0 = time_mono_us();
		if (svc->init &&
		    svc->init(emu, &router->state[i], errbuf, errlen)) {
			router_shutdown(router);
			return -1;
		}
		router->initialised[i] = 1;
		log_debug("%s: initialised in %.1f ms", svc->name,
			  (double)(time_mono_us() - t0) / 1000.0);
	}
	for (size_t i = 0; i < N_SERVICES; i++) {
		const struct service *svc = service_table[i];
		if (svc->start && svc->start(router->state[i])) {
			snprintf(errbuf, errlen, "cannot start the %s service",
				 svc->name);
			router_shutdown(router);
			return -1;
		}
	}
	*out = router;
	return 0;
}

void router_shutdown(struct router *router)
{
	if (!router)
		return;
	for (size_t i = N_SERVICES; i-- > 0;) {
		const struct service *svc = service_table[i];
		if (router->initialised[i] && svc->shutdown)
			svc->shutdown(router->state[i]);
		free(router->counters[i]);
	}
	free(router);
}

size_t router_service_count(const struct router *router)
{
	(void)router;
	return N_SERVICES;
}

const struct service *router_service_at(const struct router *router,
					size_t i, void **state)
{
	if (i >= N_SERVICES)
		return NULL;
	if (state)
		*state = router->state[i];
	return service_table[i];
}

/* ---------------------------------------------------------------------
 * Recognising the service
 * ------------------------------------------------------------------- */

static int has_path_prefix(const struct service *svc, const char *path)
{
	if (!svc->path_prefixes)
		return 0;
	for (const char *const *p = svc->path_prefixes; *p; p++)
		if (strncmp(path, *p, strlen(*p)) == 0)
			return 1;
	return 0;
}

/* The service named in the SigV4 credential scope, into scope[]. */
static int credential_scope(const struct request *req, struct sigv4_auth *a)
{
	const char *authz = req_header(req, "authorization");
	if (authz && sigv4_parse_authorization(authz, a) == 0)
		return 0;
	const char *cred = req_query(req, "X-Amz-Credential");
	if (cred && sigv4_parse_credential(cred, a) == 0)
		return 0;
	return -1;
}

static int is_query_form(const struct request *req)
{
	const char *ctype = req_header(req, "content-type");
	if (strcmp(req->method, "POST") == 0 && ctype &&
	    strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0)
		return 1;
	return strcmp(req->method, "GET") == 0 && req_query(req, "Action") &&
	       strcmp(req->path, "/") == 0;
}

/*
 * Pick the service for req (sets req->service and its state).  Returns 0,
 * or 1 when only the body can tell (a Query form with no scope), or -1
 * with an error recorded when the request names a service we do not
 * emulate.
 */
static int pick_service(struct router *router, struct request *req)
{
	size_t pick = N_SERVICES;
	const char *target = req_header(req, "x-amz-target");
	struct sigv4_auth auth;
	int signed_scope = credential_scope(req, &auth) == 0;

	for (size_t i = 0; i < N_SERVICES && pick == N_SERVICES; i++) {
		const struct service *svc = service_table[i];
		if ((svc->flags & SVC_UNSIGNED) && has_path_prefix(svc, req->path))
			pick = i;
	}
	for (size_t i = 0; i < N_SERVICES && pick == N_SERVICES && target; i++) {
		const char *prefix = service_table[i]->target_prefix;
		if (prefix && strncmp(target, prefix, strlen(prefix)) == 0)
			pick = i;
	}
	if (pick == N_SERVICES && target && !signed_scope) {
		/* Only JSON-protocol services send a target: one we do not
		 * emulate must not fall through to S3. */
		size_t len = strcspn(target, ".");
		return req_error(req, 501, "NotImplemented",
				 "service '%.*s' is not emulated by imgpipe",
				 (int)(len < 64 ? len : 64), target);
	}
	if (pick == N_SERVICES && signed_scope) {
		size_t any = N_SERVICES, by_path = N_SERVICES;
		for (size_t i = 0; i < N_SERVICES; i++) {
			const struct service *svc = service_table[i];
			if (!svc->signing_name ||
			    strcmp(svc->signing_name, auth.service) != 0)
				continue;
			if (has_path_prefix(svc, req->path)) {
				if (by_path == N_SERVICES)
					by_path = i;
			} else if (!svc->path_prefixes && any == N_SERVICES) {
				any = i;
			}
		}
		pick = by_path != N_SERVICES ? by_path : any;
		if (pick == N_SERVICES) {
			return req_error(req, 501, "NotImplemented",
					 "service '%s' is not emulated by "
					 "imgpipe", auth.service);
		}
	}
	for (size_t i = 0; i < N_SERVICES && pick == N_SERVICES; i++) {
		const struct service *svc = service_table[i];
		if (svc->match_host && req->host[0] && svc->match_host(req->host))
			pick = i;
	}
	for (size_t i = 0; i < N_SERVICES && pick == N_SERVICES; i++)
		if (has_path_prefix(service_table[i], req->path))
			pick = i;
	if (pick == N_SERVICES && is_query_form(req))
		return 1;
	for (size_t i = 0; i < N_SERVICES && pick == N_SERVICES; i++)
		if (service_table[i]->flags & SVC_FALLBACK)
			pick = i;
	if (pick == N_SERVICES)
		return req_error(req, 501, "NotImplemented",
				 "no emulated service answers %s %s",
				 req->method, req->path);
	req->service = service_table[pick];
	req->service_state = router->state[pick];
	return 0;
}

/* Choose among the Query-protocol services once the form is read. */
static int pick_query_service(struct router *router, struct request *req,
			      const char *version, const char *action)
{
	for (size_t i = 0; i < N_SERVICES; i++) {
		const struct service *svc = service_table[i];
		if (svc->protocol == PROTO_QUERY && svc->query_version &&
		    version && strcmp(svc->query_version, version) == 0) {
			req->service = svc;
			req->service_state = router->state[i];
			return 0;
		}
	}
	for (size_t i = 0; i < N_SERVICES && action; i++) {
		const struct service *svc = service_table[i];
		if (svc->protocol != PROTO_QUERY)
			continue;
		for (size_t k = 0; k < svc->n_ops; k++) {
			if (strcmp(svc->ops[k].name, action) == 0) {
				req->service = svc;
				req->service_state = router->state[i];
				return 0;
			}
		}
	}
	if (!action || !*action)
		return req_error(req, 400, "MissingAction", "Missing Action");
	return req_error(req, 400, "InvalidAction",
			 "The action %s is not valid for this web service.",
			 action);
}

/* ---------------------------------------------------------------------
 * Recognising the operation
 * ------------------------------------------------------------------- */

static const struct service_op *op_by_name(const struct service *svc,
					   const char *name)
{
	for (size_t i = 0; i < svc->n_ops; i++)
		if (strcmp(svc->ops[i].name, name) == 0)
			return &svc->ops[i];
	return NULL;
}

/*
 * Match a raw (percent-encoded) path against a template such as
 * "/2015-03-31/functions/{FunctionName}/policy/{StatementId}"; a
 * "{Name+}" capture takes the rest of the path.  Captures are decoded
 * into the arena.  Returns 1 on a match.
 */
int router_match_template(struct arena *arena, const char *tmpl,
			  const char *path, struct kv *caps, size_t max_caps,
			  size_t *n_caps)
{
	size_t n = 0;
	const char *t = tmpl, *p = path;
	while (*t) {
		if (*t != '{') {
			if (*t != *p)
				return 0;
			t++;
			p++;
			continue;
		}
		const char *close = strchr(t, '}');
		if (!close || n >= max_caps)
			return 0;
		int greedy = close[-1] == '+';
		size_t name_len = (size_t)(close - t - 1) - (greedy ? 1 : 0);
		size_t val_len = greedy ? strlen(p) : strcspn(p, "/");
		if (val_len == 0)
			return 0;
		char *value = arena_alloc(arena, val_len + 1);
		size_t out_len;
		if (uri_decode(p, val_len, value, &out_len))
			return 0;
		caps[n].name = arena_strndup(arena, t + 1, name_len);
		caps[n].value = value;
		n++;
		t = close + 1;
		p += val_len;
	}
	if (*p)
		return 0;
	*n_caps = n;
	return 1;
}

#define MAX_PATH_CAPTURES 8

static const struct service_op *op_by_path(const struct service *svc,
					   struct request *req)
{
	int path_known = 0;
	for (size_t i = 0; i < svc->n_ops; i++) {
		const struct service_op *op = &svc->ops[i];
		struct kv caps[MAX_PATH_CAPTURES];
		size_t n_caps;
		if (!op->path ||
		    !router_match_template(req->arena, op->path, req->raw_path,
					   caps, MAX_PATH_CAPTURES, &n_caps))
			continue;
		path_known = 1;
		if (strcmp(op->method, req->method) != 0)
			continue;
		req->path_params = arena_alloc(req->arena,
					       (n_caps ? n_caps : 1) *
						       sizeof(struct kv));
		memcpy(req->path_params, caps, n_caps * sizeof(struct kv));
		req->n_path_params = n_caps;
		return op;
	}
	if (path_known)
		req_error(req, 405, "MethodNotAllowed",
			  "The specified method is not allowed against this "
			  "resource.");
	return NULL;
}

/* Find req->op from the headers; the Query protocol waits for the body. */
static int resolve_op(struct request *req)
{
	const struct service *svc = req->service;
	const struct service_op *op = NULL;
	const char *name = NULL;

	if (svc->resolve) {
		op = svc->resolve(svc, req);
		if (!op && req->err.status)
			return -1;
	} else if (svc->protocol == PROTO_QUERY) {
		return 0;
	} else if (svc->protocol == PROTO_JSON) {
		const char *target = req_header(req, "x-amz-target");
		const char *dot = target ? strrchr(target, '.') : NULL;
		name = dot ? dot + 1 : target;
		if (name)
			op = op_by_name(svc, name);
	} else {
		op = op_by_path(svc, req);
		if (!op && req->err.status)
			return -1;
	}
	if (!op)
		return protocol_unknown_operation(svc, req, name);
	req->op = op;
	return 0;
}

size_t router_max_body(const struct router *router, const struct request *req)
{
	(void)router;
	if (req->op && req->op->max_body)
		return req->op->max_body;
	if (req->service && req->service->max_body)
		return req->service->max_body;
	if (!req->service && is_query_form(req)) {
		/* The form will name one of the Query services: allow the
		 * largest body any of them takes. */
		size_t most = 0;
		for (size_t i = 0; i < N_SERVICES; i++)
			if (service_table[i]->protocol == PROTO_QUERY &&
			    service_table[i]->max_body > most)
				most = service_table[i]->max_body;
		if (most)
			return most;
	}
	return ROUTER_DEFAULT_MAX_BODY;
}

int router_route(struct router *router, struct request *req)
{
	int rc = pick_service(router, req);
	if (rc < 0)
		return -1;
	if (rc == 0 && resolve_op(req))
		return -1;
	if (req->op && (req->op->flags & OP_STREAM_BODY)) {
		if (auth_check_headers(req))
			return -1;
		if (req->op->begin && req->op->begin(req))
			return -1;
		return 0;
	}
	/* rc == 1: a Query form, the body will name service and operation */
	size_t max_body = router_max_body(router, req);
	if (req->content_length != UINT64_MAX &&
	    req->content_length > max_body)
		return req_error(req, 413, "RequestEntityTooLarge",
				 "Request must be smaller than %zu bytes for "
				 "the %s operation",
				 max_body, req->op ? req->op->name : "requested");
	return 0;
}

/* The Query protocol's Action and parameters come from the form body (or
 * the URL query of a GET); the parsed form replaces req->query. */
static int resolve_query_op(struct router *router, struct request *req)
{
	struct kv *form = req->query;
	size_t n_form = req->n_query;
	if (strcmp(req->method, "POST") == 0 &&
	    req_parse_form(req, req->body, req->body_len, &form, &n_form))
		return req_error(req, 400, "MalformedQueryString",
				 "the form body has a malformed escape");
	req->query = form;
	req->n_query = n_form;
	const char *action = kv_get(form, n_form, "Action");
	if (!req->service &&
	    pick_query_service(router, req, kv_get(form, n_form, "Version"),
			       action))
		return -1;
	if (!action || !*action)
		return protocol_unknown_operation(req->service, req, NULL);
	req->op = op_by_name(req->service, action);
	if (!req->op)
		return protocol_unknown_operation(req->service, req, action);
	/* The edge read up to the largest Query limit; now the service is
	 * known, its own limit applies. */
	size_t max_body = router_max_body(router, req);
	if (req->body_len > max_body)
		return req_error(req, 413, "RequestEntityTooLarge",
				 "Request must be smaller than %zu bytes for "
				 "the %s operation", max_body, req->op->name);
	return 0;
}

void router_write_error(struct request *req, struct response *resp)
{
	const struct service *svc = req->service;
	enum protocol proto = svc ? svc->protocol : protocol_guess(req);
	/* A Query form that named no service still answers in Query XML. */
	if (!svc && is_query_form(req))
		proto = PROTO_QUERY;
	protocol_write_error(svc, proto, req, resp);
}

int router_dispatch(struct router *router, struct request *req,
		    struct response *resp)
{
	int rc;
	if (!req->err.status && (!req->service ||
				 req->service->protocol == PROTO_QUERY) &&
	    !req->op)
		resolve_query_op(router, req);
	if (!req->err.status && !(req->op->flags & OP_STREAM_BODY) &&
	    !(req->op->flags & OP_NO_AUTH))
		auth_check_body(req);
	if (req->err.status) {
		router_write_error(req, resp);
		return -1;
	}
	rc = req->op->handler(req, resp);
	if (rc == OP_SUSPEND)
		return OP_SUSPEND;
	if (rc != 0) {
		router_write_error(req, resp);
		return -1;
	}
	return 0;
}

static size_t service_index(const struct service *svc)
{
	for (size_t i = 0; i < N_SERVICES; i++)
		if (service_table[i] == svc)
			return i;
	return N_SERVICES;
}

void router_record(struct router *router, const struct request *req,
		   int failed, unsigned long long usec)
{
	if (!req->service || !req->op)
		return;
	size_t s = service_index(req->service);
	if (s == N_SERVICES)
		return;
	size_t o = (size_t)(req->op - req->service->ops);
	if (o >= req->service->n_ops)
		return;
	struct op_counters *c = &router->counters[s][o];
	atomic_fetch_add(&c->calls, 1);
	if (failed)
		atomic_fetch_add(&c->errors, 1);
	atomic_fetch_add(&c->usec, usec);
}

void router_op_stats(const struct router *router, size_t service_index_,
		     size_t op_index, struct op_stats *out)
{
	const struct op_counters *c =
		&router->counters[service_index_][op_index];
	out->calls = atomic_load(&c->calls);
	out->errors = atomic_load(&c->errors);
	out->usec = atomic_load(&c->usec);
}
