/*
 * edge.c - libmicrohttpd glue: bytes on the wire <-> struct request and
 * struct response.  Nothing in here knows any AWS service; it hands each
 * request to the router (router.h) in two steps, headers then body.
 *
 * One edge_conn lives per HTTP request (libmicrohttpd's con_cls):
 *   uri_log_cb        the request line arrived: allocate, keep the raw URI
 *   access_cb (1st)   headers in: build struct request, router_route()
 *   access_cb (data)  body slices: to the op's sink, or a capped buffer
 *   access_cb (last)  body done: router_dispatch(), queue the response
 *   completed_cb      sent or abandoned: access log line, free everything
 * An operation may suspend (OP_SUSPEND, e.g. a Runtime API long-poll)
 * without holding a worker thread: the connection is parked with
 * MHD_suspend_connection until req_resume() is called from any thread.
 *
 * libmicrohttpd runs a pool of --threads worker threads, each with its
 * own epoll loop; keep-alive, Expect: 100-continue, chunked request
 * bodies and sendfile for fd bodies are its work.  Header sizes are
 * capped by its per-connection memory pool (431 beyond it).
 */
#include "edge.h"
#include "config.h"
#include "log.h"
#include "router.h"
#include "service.h"
#include "uri.h"
#include "xalloc.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

enum conn_state {
	CONN_NEW,       /* request line seen, headers not yet read */
	CONN_BODY,      /* headers routed, reading the body */
	CONN_SUSPENDED, /* handler returned OP_SUSPEND */
	CONN_CANCELLING,/* parked; the edge is asking its owner to let go */
	CONN_RESUMED,   /* req_resume() called; answer on the next call */
	CONN_ANSWERED,  /* a response is queued */
};

struct edge {
	struct MHD_Daemon *daemon;
	struct router *router;
	struct emulator *emu;
	int port;
	atomic_int inflight;
	atomic_ullong next_id;
	unsigned long long id_seed;
	pthread_mutex_t lock;      /* guards suspended and the conns' state
				      changes around suspend/resume */
	pthread_cond_t changed;    /* inflight dropped */
	struct edge_conn *suspended; /* list of parked requests */
	int stopping;
};

struct edge_conn {
	struct edge *edge;
	struct MHD_Connection *mhd;
	enum conn_state state;
	int resume_pending;        /* req_resume came before the park */
	int held;                  /* edge_stop is cancelling it: completion
				      must not free the struct */
	int finished;              /* completed while held */
	struct edge_conn *next_suspended;
	struct request req;
	struct response resp;
	struct buf body;           /* buffered body (no sink) */
	int body_failed;           /* error recorded; discard the rest */
	int sink_open;             /* sink installed, neither finished nor
				      aborted */
	uint64_t bytes_in;
	struct timespec started;
};

static double elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

/* A request id shaped like AWS's (a UUID), unique within the process. */
static void make_request_id(struct edge *edge, char out[40])
{
	unsigned long long n = atomic_fetch_add(&edge->next_id, 1);
	unsigned long long a = edge->id_seed ^ (n * 0x9E3779B97F4A7C15ull);
	unsigned long long b = (edge->id_seed >> 17) + n;
	snprintf(out, 40, "%08llx-%04llx-4%03llx-a%03llx-%012llx",
		 a >> 32, (a >> 16) & 0xffff, a & 0xfff, (b >> 48) & 0xfff,
		 b & 0xffffffffffffull);
}

/* ---------------------------------------------------------------------
 * Building the request
 * ------------------------------------------------------------------- */

struct header_collect {
	struct request *req;
	size_t cap;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind,
				      const char *key, size_t key_size,
				      const char *value, size_t value_size)
{
	struct header_collect *hc = cls;
	struct request *req = hc->req;
	(void)kind;
	if (req->n_headers == hc->cap) {
		size_t cap = hc->cap ? hc->cap * 2 : 16;
		struct kv *kv = arena_alloc(req->arena, cap * sizeof(*kv));
		if (req->n_headers)
			memcpy(kv, req->headers,
			       req->n_headers * sizeof(*kv));
		req->headers = kv;
		hc->cap = cap;
	}
	char *name = arena_strndup(req->arena, key, key_size);
	for (char *c = name; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	req->headers[req->n_headers].name = name;
	req->headers[req->n_headers].value =
		arena_strndup(req->arena, value ? value : "", value_size);
	req->n_headers++;
	return MHD_YES;
}

/* Fill c->req from the connection; -1 with an error recorded on a request
 * the edge cannot represent (a malformed escape in the path). */
static int build_request(struct edge_conn *c, const char *method,
			 const char *raw_uri)
{
	struct request *req = &c->req;
	struct header_collect hc = {req, 0};

	req->method = arena_strdup(req->arena, method);
	/* An absolute-form target ("http://host/path") keeps only the path. */
	if (strncasecmp(raw_uri, "http://", 7) == 0 ||
	    strncasecmp(raw_uri, "https://", 8) == 0) {
		const char *slash = strchr(strstr(raw_uri, "//") + 2, '/');
		raw_uri = slash ? slash : "/";
	}
	const char *q = strchr(raw_uri, '?');
	req->raw_path = q ? arena_strndup(req->arena, raw_uri,
					  (size_t)(q - raw_uri))
			  : arena_strdup(req->arena, raw_uri);
	req->raw_query = arena_strdup(req->arena, q ? q + 1 : "");

	MHD_get_connection_values_n(c->mhd, MHD_HEADER_KIND, collect_header,
				    &hc);
	const char *host = req_header(req, "host");
	req->host = host ? host : "";
	const char *clen = req_header(req, "content-length");
	req->content_length = UINT64_MAX;
	if (clen) {
		char *end;
		unsigned long long v = strtoull(clen, &end, 10);
		if (end != clen && !*end)
			req->content_length = v;
	}

	size_t plen = strlen(req->raw_path);
	char *path = arena_alloc(req->arena, plen + 1);
	size_t out_len;
	if (req_parse_pairs(req->arena, req->raw_query,
			    strlen(req->raw_query), 0, &req->query,
			    &req->n_query))
		return req_error(req, 400, "InvalidArgument",
				 "the query string has a malformed escape");
	if (uri_decode(req->raw_path, plen, path, &out_len))
		return req_error(req, 400, "InvalidURI",
				 "Couldn't parse the specified URI.");
	req->path = path;
	return 0;
}

/* ---------------------------------------------------------------------
 * Sending the response
 * ------------------------------------------------------------------- */

static ssize_t never_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	(void)pos;
	(void)buf;
	(void)max;
	return MHD_CONTENT_READER_END_OF_STREAM;
}

/* Hand c->resp to libmicrohttpd; the body's ownership moves with it. */
static enum MHD_Result queue_response(struct edge_conn *c)
{
	struct response *resp = &c->resp;
	struct request *req = &c->req;
	struct MHD_Response *mr;
	const char *declared = resp_get_header(resp, "Content-Length");

	if (resp->fd >= 0) {
		mr = MHD_create_response_from_fd_at_offset64(
			resp->fd_length, resp->fd, (uint64_t)resp->fd_offset);
		if (mr)
			resp->fd = -1; /* MHD closes it */
	} else if (!resp->body && declared &&
		   strcmp(req->method, "HEAD") == 0) {
		/* HEAD of a body we did not load: send its length only. */
		mr = MHD_create_response_from_callback(
			strtoull(declared, NULL, 10), 4096, never_read, NULL,
			NULL);
	} else {
		mr = MHD_create_response_from_buffer(
			resp->body_len, resp->body ? resp->body : (char *)"",
			resp->body ? MHD_RESPMEM_MUST_FREE
				   : MHD_RESPMEM_PERSISTENT);
		if (mr)
			resp->body = NULL; /* MHD frees it */
	}
	if (!mr) {
		log_error("cannot create a response for request %s",
			  req->request_id);
		return MHD_NO;
	}
	for (size_t i = 0; i < resp->n_headers; i++) {
		if (strcasecmp(resp->headers[i].name, "Content-Length") == 0)
			continue;
		MHD_add_response_header(mr, resp->headers[i].name,
					resp->headers[i].value);
	}
	MHD_add_response_header(mr, "x-amz-request-id", req->request_id);
	MHD_add_response_header(mr, "x-amzn-RequestId", req->request_id);
	if (c->edge->stopping)
		MHD_add_response_header(mr, "Connection", "close");
	enum MHD_Result rc = MHD_queue_response(c->mhd,
						(unsigned)resp->status, mr);
	MHD_destroy_response(mr);
	c->state = CONN_ANSWERED;
	return rc;
}

/* Answer now with the error recorded on the request. */
static enum MHD_Result answer_error(struct edge_conn *c)
{
	router_write_error(&c->req, &c->resp);
	return queue_response(c);
}

/* ---------------------------------------------------------------------
 * Suspend / resume
 * ------------------------------------------------------------------- */

/* Ask the owner of a parked request to give it up (edge_stop); the
 * caller holds no lock and has set c->state to CONN_CANCELLING. */
static void cancel_parked(struct edge_conn *c)
{
	struct edge *edge = c->edge;
	pthread_mutex_lock(&edge->lock);
	int still_parked = c->state == CONN_CANCELLING;
	pthread_mutex_unlock(&edge->lock);
	int gave_up = 0;
	if (still_parked)
		gave_up = c->req.cancel ? c->req.cancel(&c->req) : 1;
	pthread_mutex_lock(&edge->lock);
	/* If the owner resumed it meanwhile, the state moved on: its answer
	 * stands.  If it gave up, nobody else will answer: we do. */
	if (gave_up && c->state == CONN_CANCELLING) {
		req_error(&c->req, 503, "ServiceUnavailable",
			  "the emulator is shutting down");
		c->state = CONN_RESUMED;
		MHD_resume_connection(c->mhd);
	}
	c->held = 0;
	int free_it = c->finished;
	pthread_mutex_unlock(&edge->lock);
	if (free_it)
		free(c);
}

static void park(struct edge_conn *c)
{
	struct edge *edge = c->edge;
	pthread_mutex_lock(&edge->lock);
	if (c->resume_pending) {
		/* Finished before we could park: answer on this call. */
		c->state = CONN_RESUMED;
		pthread_mutex_unlock(&edge->lock);
		return;
	}
	if (edge->stopping) {
		/* Parked after edge_stop's cancel round: cancel it now. */
		c->state = CONN_CANCELLING;
		c->held = 1;
		MHD_suspend_connection(c->mhd);
		pthread_mutex_unlock(&edge->lock);
		cancel_parked(c);
		return;
	}
	c->state = CONN_SUSPENDED;
	c->next_suspended = edge->suspended;
	edge->suspended = c;
	MHD_suspend_connection(c->mhd);
	pthread_mutex_unlock(&edge->lock);
}

static void unlink_suspended(struct edge *edge, struct edge_conn *c)
{
	for (struct edge_conn **p = &edge->suspended; *p;
	     p = &(*p)->next_suspended) {
		if (*p == c) {
			*p = c->next_suspended;
			return;
		}
	}
}

void req_resume(struct request *req)
{
	struct edge_conn *c = req->conn;
	struct edge *edge = c->edge;
	pthread_mutex_lock(&edge->lock);
	if (c->state == CONN_SUSPENDED || c->state == CONN_CANCELLING) {
		if (c->state == CONN_SUSPENDED)
			unlink_suspended(edge, c);
		c->state = CONN_RESUMED;
		MHD_resume_connection(c->mhd);
	} else {
		c->resume_pending = 1;
	}
	pthread_mutex_unlock(&edge->lock);
}

struct response *req_response(struct request *req)
{
	return &req->conn->resp;
}

static enum MHD_Result on_resumed(struct edge_conn *c);

/* ---------------------------------------------------------------------
 * libmicrohttpd callbacks
 * ------------------------------------------------------------------- */

static void *uri_log_cb(void *cls, const char *uri,
			struct MHD_Connection *mhd)
{
	struct edge *edge = cls;
	struct edge_conn *c = xcalloc(1, sizeof(*c));
	c->edge = edge;
	c->mhd = mhd;
	c->state = CONN_NEW;
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	c->req.arena = arena_new();
	c->req.emu = edge->emu;
	c->req.conn = c;
	c->req.raw_path = arena_strdup(c->req.arena, uri ? uri : "/");
	c->resp.arena = c->req.arena;
	c->resp.status = 200;
	c->resp.fd = -1;
	make_request_id(edge, c->req.request_id);
	atomic_fetch_add(&edge->inflight, 1);
	return c;
}

static enum MHD_Result on_headers(struct edge_conn *c, const char *method)
{
	struct request *req = &c->req;
	buf_init(&c->body, ROUTER_DEFAULT_MAX_BODY);
	if (build_request(c, method, req->raw_path))
		return answer_error(c);
	if (router_route(c->edge->router, req))
		return answer_error(c);
	c->body.cap = router_max_body(c->edge->router, req);
	c->sink_open = req->sink != NULL;
	c->state = CONN_BODY;
	return MHD_YES;
}

static void on_body(struct edge_conn *c, const char *data, size_t len)
{
	struct request *req = &c->req;
	c->bytes_in += len;
	if (c->body_failed)
		return;
	if (req->sink) {
		if (req->sink->write(req, data, len)) {
			c->body_failed = 1;
			req->sink->abort(req);
			c->sink_open = 0;
		}
		return;
	}
	if (buf_append(&c->body, data, len)) {
		c->body_failed = 1;
		req_error(req, 413, "RequestEntityTooLarge",
			  "Request must be smaller than %zu bytes for the %s "
			  "operation",
			  c->body.cap, req->op ? req->op->name : "requested");
	}
}

static enum MHD_Result on_complete(struct edge_conn *c)
{
	struct request *req = &c->req;
	if (c->body_failed)
		return answer_error(c);
	if (req->sink) {
		c->sink_open = 0;
		if (req->sink->finish(req))
			return answer_error(c);
	} else {
		req->body_len = c->body.len;
		req->body = buf_detach(&c->body, NULL);
		arena_defer(req->arena, free, req->body);
	}
	int rc = router_dispatch(c->edge->router, req, &c->resp);
	if (rc == OP_SUSPEND) {
		park(c);
		if (c->state == CONN_RESUMED)
			return on_resumed(c);
		return MHD_YES;
	}
	return queue_response(c);
}

/* A parked request's owner has filled the response (or an error). */
static enum MHD_Result on_resumed(struct edge_conn *c)
{
	if (c->req.err.status)
		return answer_error(c);
	return queue_response(c);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *mhd,
				 const char *url, const char *method,
				 const char *version, const char *upload_data,
				 size_t *upload_data_size, void **con_cls)
{
	struct edge_conn *c = *con_cls;
	(void)cls;
	(void)url;
	(void)version;
	(void)mhd;

	switch (c->state) {
	case CONN_NEW:
		return on_headers(c, method);
	case CONN_BODY:
		if (*upload_data_size) {
			on_body(c, upload_data, *upload_data_size);
			*upload_data_size = 0;
			return MHD_YES;
		}
		return on_complete(c);
	case CONN_RESUMED:
		return on_resumed(c);
	case CONN_SUSPENDED:
	case CONN_CANCELLING:
		return MHD_YES;
	case CONN_ANSWERED:
		/* Body still arriving after an early answer: drop it. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	return MHD_NO;
}

static void completed_cb(void *cls, struct MHD_Connection *mhd,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct edge *edge = cls;
	struct edge_conn *c = *con_cls;
	(void)mhd;
	if (!c)
		return;
	struct request *req = &c->req;
	if (c->sink_open && req->sink)
		req->sink->abort(req);
	const char *op = req->op ? req->op->name : "-";
	const char *svc = req->service ? req->service->name : "-";
	uint64_t bytes = c->resp.fd_length ? c->resp.fd_length
					   : c->resp.body_len;
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		log_info("%s %s %s %d %llu %.1fms %s %s", req->request_id, svc,
			 op, c->resp.status, (unsigned long long)bytes,
			 elapsed_ms(&c->started), req->method ? req->method : "-",
			 req->raw_path ? req->raw_path : "-");
	else
		log_info("%s %s %s aborted(%d) in=%llu %.1fms",
			 req->request_id, svc, op, (int)toe,
			 (unsigned long long)c->bytes_in,
			 elapsed_ms(&c->started));
	router_record(edge->router, req, c->resp.status >= 400,
		      (unsigned long long)(elapsed_ms(&c->started) * 1000));
	buf_free(&c->body);
	resp_release(&c->resp);
	arena_destroy(req->arena);
	*con_cls = NULL;
	pthread_mutex_lock(&edge->lock);
	int keep = c->held; /* edge_stop still looks at it: it frees it */
	c->finished = 1;
	atomic_fetch_sub(&edge->inflight, 1);
	pthread_cond_broadcast(&edge->changed);
	pthread_mutex_unlock(&edge->lock);
	if (!keep)
		free(c);
}

static size_t keep_raw(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s); /* we decode ourselves, from the raw URI */
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("http: %s", line);
}

/* ---------------------------------------------------------------------
 * Start and stop
 * ------------------------------------------------------------------- */

int edge_start(struct emulator *emu, struct router *router,
	       struct edge **out, char *errbuf, size_t errlen)
{
	const struct config *cfg = emu->config;
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, strcmp(cfg->host, "localhost") == 0
				       ? "127.0.0.1"
				       : cfg->host,
		      &addr.sin_addr) != 1) {
		snprintf(errbuf, errlen, "--host '%s' is not an IPv4 address",
			 cfg->host);
		return -1;
	}

	struct edge *edge = xcalloc(1, sizeof(*edge));
	edge->emu = emu;
	edge->router = router;
	pthread_mutex_init(&edge->lock, NULL);
	pthread_cond_init(&edge->changed, NULL);
	if (getrandom(&edge->id_seed, sizeof(edge->id_seed), 0) !=
	    sizeof(edge->id_seed))
		edge->id_seed = (unsigned long long)time(NULL) ^
				(unsigned long long)getpid() << 32;

	/* Probe the port first so "address in use" is reported as such:
	 * libmicrohttpd only says it failed. */
	int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (probe < 0 ||
	    bind(probe, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		snprintf(errbuf, errlen, "cannot listen on %s:%d: %s",
			 cfg->host, cfg->port, strerror(errno));
		if (probe >= 0)
			close(probe);
		free(edge);
		return -1;
	}
	close(probe);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;
	edge->daemon = MHD_start_daemon(
		flags, (uint16_t)cfg->port, NULL, NULL, access_cb, edge,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)cfg->connection_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_URI_LOG_CALLBACK, uri_log_cb, edge,
		MHD_OPTION_NOTIFY_COMPLETED, completed_cb, edge,
		MHD_OPTION_UNESCAPE_CALLBACK, keep_raw, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 511u, MHD_OPTION_END);
	if (!edge->daemon) {
		snprintf(errbuf, errlen, "cannot listen on %s:%d: %s",
			 cfg->host, cfg->port,
			 errno ? strerror(errno) : "libmicrohttpd failed");
		free(edge);
		return -1;
	}
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(edge->daemon, MHD_DAEMON_INFO_BIND_PORT);
	edge->port = info ? info->port : cfg->port;
	*out = edge;
	return 0;
}

int edge_port(const struct edge *edge)
{
	return edge->port;
}

int edge_inflight(const struct edge *edge)
{
	return atomic_load(&((struct edge *)edge)->inflight);
}

int edge_stop(struct edge *edge, int timeout_ms)
{
	if (!edge)
		return 0;
	MHD_socket listen_fd = MHD_quiesce_daemon(edge->daemon);
	if (listen_fd != MHD_INVALID_SOCKET)
		close(listen_fd);

	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&edge->lock);
	edge->stopping = 1;
	/* Parked requests cannot finish on their own once their owners stop:
	 * ask each owner to let go, so only real work is waited for. */
	struct edge_conn *parked = edge->suspended;
	edge->suspended = NULL;
	for (struct edge_conn *c = parked; c; c = c->next_suspended) {
		c->state = CONN_CANCELLING;
		c->held = 1;
	}
	pthread_mutex_unlock(&edge->lock);
	while (parked) {
		struct edge_conn *c = parked;
		parked = c->next_suspended;
		cancel_parked(c); /* c may be gone once this returns */
	}
	pthread_mutex_lock(&edge->lock);
	int rc = 0;
	while (atomic_load(&edge->inflight) > 0 && rc == 0)
		rc = pthread_cond_timedwait(&edge->changed, &edge->lock,
					    &deadline);
	int left = atomic_load(&edge->inflight);
	pthread_mutex_unlock(&edge->lock);
	if (left)
		log_warn("shutdown timeout: %d request(s) still in flight", left);

	MHD_stop_daemon(edge->daemon);
	pthread_mutex_destroy(&edge->lock);
	pthread_cond_destroy(&edge->changed);
	free(edge);
	return left;
}
