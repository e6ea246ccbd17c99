/*
 * edge.h - the HTTP edge: libmicrohttpd on one port for every AWS service.
 *
 * Entry points, in call order:
 *   edge_start()  bind --host:--port and start the worker threads
 *   edge_port()   the bound port (--port 0 picks a free one)
 *   edge_stop()   stop accepting, let requests in flight finish (up to a
 *                 timeout), then close every connection and free the edge
 */
#ifndef IMGPIPE_EDGE_H
#define IMGPIPE_EDGE_H

#include <stddef.h>

struct emulator;
struct router;
struct edge;

int edge_start(struct emulator *emu, struct router *router,
	       struct edge **out, char *errbuf, size_t errlen);
int edge_port(const struct edge *edge);
/* Requests in flight right now (for health and shutdown). */
int edge_inflight(const struct edge *edge);
/* Returns how many requests were still in flight when the timeout hit. */
int edge_stop(struct edge *edge, int timeout_ms);

#endif
