/*
 * redis.h - the Redis (RESP) server inside the emulator.
 *
 * It runs on its own thread with its own event loop on --redis-port,
 * independent of the HTTP edge.  main.c starts it after the store and
 * stops it before closing the store.
 *
 * Entry points, in call order:
 *   redis_server_start()  bind, restore the keyspace, start the thread
 *   redis_server_port()   the bound port (useful with --redis-port 0)
 *   redis_server_reset()  FLUSHALL from another thread (/_emulator/reset)
 *   redis_server_resources() keyspace summary for /_emulator/resources
 *   redis_server_stop()   stop the loop, commit, join, free
 */
#ifndef IMGPIPE_REDIS_H
#define IMGPIPE_REDIS_H

#include <stddef.h>

struct emulator;
struct redis_server;

/* Returns 0 and *out, or -1 with a one-line reason in errbuf (e.g. the
 * port is taken).  Caller owns *out (redis_server_stop). */
int redis_server_start(struct emulator *emu, struct redis_server **out,
		       char *errbuf, size_t errlen);
int redis_server_port(const struct redis_server *srv);
int redis_server_reset(struct redis_server *srv);
/* A cJSON object (returned as void*, caller owns it). */
void *redis_server_resources(struct redis_server *srv);
void redis_server_stop(struct redis_server *srv);

#endif
