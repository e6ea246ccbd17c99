/*
 * router.h - from a request to a service and an operation.
 *
 * router.c is the one file that lists every service (as curl's
 * lib/protocol.c lists every scheme).  The edge calls, per request:
 *
 *   router_route()     when the headers are in: picks the service and,
 *                      where the headers name it, the operation; checks
 *                      the declared body size; runs the op's begin hook
 *   router_dispatch()  when the body is in: resolves a Query Action,
 *                      checks the signature, runs the handler and, on
 *                      error, renders it in the service's protocol
 *
 * Both return 0 to go on, -1 when req->err holds an error that must be
 * sent now (router_dispatch renders it itself), or OP_SUSPEND.
 */
#ifndef IMGPIPE_ROUTER_H
#define IMGPIPE_ROUTER_H

#include "service.h"

struct router;

/* Default limit on a buffered request body (services may set their own). */
#define ROUTER_DEFAULT_MAX_BODY (16u * 1024 * 1024)

int router_init(struct emulator *emu, struct router **out, char *errbuf,
		size_t errlen);
void router_shutdown(struct router *router);

int router_route(struct router *router, struct request *req);
/* The body limit for this request once routed. */
size_t router_max_body(const struct router *router,
		       const struct request *req);
int router_dispatch(struct router *router, struct request *req,
		    struct response *resp);
/* Render req->err for the request's service (or its guessed protocol). */
void router_write_error(struct request *req, struct response *resp);

/* Match a raw path against a REST template ("/x/{Name}/y", "{Key+}" takes
 * the rest); fills up to max_caps decoded captures.  1 on a match. */
int router_match_template(struct arena *arena, const char *tmpl,
			  const char *path, struct kv *caps, size_t max_caps,
			  size_t *n_caps);

/* Walk the services (for /_emulator/health, resources, reset). */
size_t router_service_count(const struct router *router);
const struct service *router_service_at(const struct router *router,
					size_t i, void **state);

/* Per-operation counters, kept beside the const tables (Redis keeps its
 * command stats in struct redisCommand). */
struct op_stats {
	unsigned long long calls;
	unsigned long long errors;
	unsigned long long usec;
};
void router_op_stats(const struct router *router, size_t service_index,
		     size_t op_index, struct op_stats *out);
void router_record(struct router *router, const struct request *req,
		   int failed, unsigned long long usec);

#endif
