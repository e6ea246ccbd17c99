/*
 * server.c - the Redis server's thread: listening socket, epoll loop,
 * client connections, and the end-of-turn sequence that makes
 * acknowledged writes durable.
 *
 * One loop turn:
 *   1. epoll_wait (timeout: the next cron tick or blocked-client deadline)
 *   2. accept new clients; read from readable clients and run every
 *      complete command in their input (pipelining), appending replies to
 *      their output buffers; run the input of clients a push unblocked
 *   3. cron (10 Hz): active expiry, idle timeouts; blocked timeouts
 *   4. persist.c commits the keys this turn modified in ONE transaction
 *   5. only then are the output buffers written to the sockets
 *   6. clients marked dead are freed
 * So a reply never leaves before the write it acknowledges is committed,
 * and a burst of commands costs one commit (group commit).
 *
 * Other threads talk to the loop only through redis_server_reset /
 * redis_server_resources / redis_server_stop: a request slot under a
 * mutex, an eventfd to wake the loop, a condition variable for the answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "log.h"
#include "redis.h"
#include "server.h"
#include "service.h"
#include "util.h"
#include "xalloc.h"

#define READ_CHUNK (16 * 1024)
#define QBUF_MAX ((size_t)1 << 30)  /* client-query-buffer-limit */
#define CRON_MS 100

/* ---- clients ---------------------------------------------------------------- */

static void fmt_addr(const struct sockaddr_storage *sa, char *out,
		     size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
	}
	snprintf(out, outlen, "%s:%d", host, port);
}

/* A client for an accepted socket (taking fd), linked into the server's
 * list; the server owns it and frees it with client_free. */
static struct redis_client *client_new(struct redis_server *srv, int fd)
{
	struct redis_client *c = xcalloc(1, sizeof *c);
	c->srv = srv;
	c->fd = fd;
	c->id = ++srv->next_client_id;
	c->resp = 2;
	c->db = &srv->db[0];
	c->authenticated = srv->cfg->redis_password[0] == '\0';
	c->ctime_ms = c->last_ms = redis_mono_ms();
	resp_parser_init(&c->parser);
	c->parser.unauthenticated = !c->authenticated;
	buf_init(&c->out, REDIS_OUT_MAX);
	struct sockaddr_storage sa;
	socklen_t sl = sizeof sa;
	if (getpeername(fd, (struct sockaddr *)&sa, &sl) == 0)
		fmt_addr(&sa, c->addr, sizeof c->addr);
	sl = sizeof sa;
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		fmt_addr(&sa, c->laddr, sizeof c->laddr);
	c->next = srv->clients;
	if (srv->clients)
		srv->clients->prev = c;
	srv->clients = c;
	srv->n_clients++;
	return c;
}

void redis_client_close_asap(struct redis_client *c)
{
	if (c->flags & CLIENT_CLOSE_ASAP)
		return;
	c->flags |= CLIENT_CLOSE_ASAP;
	c->next_closing = c->srv->closing;
	c->srv->closing = c;
}

/* Undo everything a client holds (blocking, WATCH, MULTI queue,
 * subscriptions, socket, buffers) and free it.  Only end_of_turn and
 * server_free call it, so no pointer to c survives the turn. */
static void client_free(struct redis_client *c)
{
	struct redis_server *srv = c->srv;
	if (c->flags & CLIENT_BLOCKED)
		redis_unblock(c);
	clist_remove(&srv->unblocked, c);
	redis_unwatch_all(c);
	redis_multi_free(c);
	redis_pubsub_client_free(c);
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->n_clients--;
	resp_parser_free(&c->parser);
	for (size_t i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->qbuf);
	buf_free(&c->out);
	free(c->name);
	free(c->lib_name);
	free(c->lib_ver);
	free(c);
}

void redis_client_want_write(struct redis_client *c)
{
	if (c->flags & (CLIENT_PENDING_WRITE | CLIENT_CLOSE_ASAP))
		return;
	c->flags |= CLIENT_PENDING_WRITE;
	c->next_pending = c->srv->pending_writes;
	c->srv->pending_writes = c;
}

static void set_epollout(struct redis_client *c, int on)
{
	if (!!(c->flags & CLIENT_EPOLLOUT) == on)
		return;
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0),
				  .data.ptr = c };
	epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	if (on)
		c->flags |= CLIENT_EPOLLOUT;
	else
		c->flags &= ~CLIENT_EPOLLOUT;
}

/* Write what is buffered; returns -1 when the client died. */
static int client_write(struct redis_client *c)
{
	while (c->out_sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_sent,
				 c->out.len - c->out_sent, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_sent += (size_t)n;
			c->srv->stat_net_out += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Keep the unsent tail at the front. */
			if (c->out_sent > c->out.len / 2) {
				memmove(c->out.data, c->out.data + c->out_sent,
					c->out.len - c->out_sent);
				c->out.len -= c->out_sent;
				c->out.data[c->out.len] = '\0';
				c->out_sent = 0;
			}
			set_epollout(c, 1);
			return 0;
		}
		redis_client_close_asap(c);
		return -1;
	}
	c->out_sent = 0;
	if (c->out.alloc > 1024 * 1024)
		buf_free(&c->out);
	else
		buf_reset(&c->out);
	set_epollout(c, 0);
	if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
		redis_client_close_asap(c);
	return 0;
}

/* Protocol error: reply it, then close once it is written (as Redis). */
static void protocol_error(struct redis_client *c, const char *err)
{
	char msg[128];
	snprintf(msg, sizeof msg, "ERR %s", err);
	reply_error(c, msg);
	c->flags |= CLIENT_CLOSE_AFTER_REPLY;
	log_debug("redis: protocol error from '%s': %s", c->addr, err);
}

void redis_client_process_input(struct redis_client *c)
{
	size_t pos = 0;
	while (pos < c->qlen || c->parser.in_multibulk) {
		if (c->flags & (CLIENT_BLOCKED | CLIENT_CLOSE_ASAP |
				CLIENT_CLOSE_AFTER_REPLY))
			break;
		size_t used;
		const char *err;
		c->parser.unauthenticated = !c->authenticated;
		int rc = resp_parse(&c->parser, c->qbuf + pos, c->qlen - pos,
				    &used, &err);
		pos += used;
		if (rc == RESP_ERROR) {
			protocol_error(c, err);
			pos = c->qlen;
			break;
		}
		if (rc == RESP_MORE)
			break;
		/* Take the arguments: the command may steal some. */
		c->argv = c->parser.argv;
		c->argc = c->parser.argc;
		c->parser.argv = NULL;
		c->parser.argc = 0;
		c->parser.argv_cap = 0;
		c->last_ms = redis_mono_ms();
		redis_process_command(c);
		for (size_t i = 0; i < c->argc; i++)
			free(c->argv[i]);
		free(c->argv);
		c->argv = NULL;
		c->argc = 0;
	}
	if (pos) {
		memmove(c->qbuf, c->qbuf + pos, c->qlen - pos);
		c->qlen -= pos;
	}
}

/* Read what the socket has (bigger reads inside a big bulk argument)
 * and run the complete commands; EOF or an error closes the client. */
static void client_read(struct redis_client *c)
{
	size_t want = READ_CHUNK;
	/* Inside a big bulk: read bigger pieces. */
	if (c->parser.bulk_len > 0) {
		long long left = c->parser.bulk_len + 2 - c->parser.bulk_got;
		if (left > (long long)want)
			want = left > 1024 * 1024 ? 1024 * 1024 : (size_t)left;
	}
	if (c->qcap - c->qlen < want) {
		if (c->qlen + want > QBUF_MAX) {
			log_warn("redis: closing '%s': query buffer over limit",
				 c->addr);
			redis_client_close_asap(c);
			return;
		}
		c->qcap = c->qlen + want;
		c->qbuf = xrealloc(c->qbuf, c->qcap);
	}
	ssize_t n = recv(c->fd, c->qbuf + c->qlen, want, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		redis_client_close_asap(c);
		return;
	}
	if (n == 0) {
		redis_client_close_asap(c);
		return;
	}
	c->qlen += (size_t)n;
	c->srv->stat_net_in += (uint64_t)n;
	redis_client_process_input(c);
	/* Give back a big read buffer once it is empty. */
	if (c->qlen == 0 && c->qcap > 4 * READ_CHUNK) {
		free(c->qbuf);
		c->qbuf = NULL;
		c->qcap = 0;
	}
}

static void accept_clients(struct redis_server *srv)
{
	for (;;) {
		int fd = accept4(srv->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("redis: accept failed: %s",
					 strerror(errno));
			return;
		}
		long long maxclients = redis_config_ll(srv, "maxclients");
		if (maxclients > 0 && (long long)srv->n_clients >= maxclients) {
			static const char msg[] =
				"-ERR max number of clients reached\r\n";
			ssize_t w = send(fd, msg, sizeof msg - 1, MSG_NOSIGNAL);
			(void)w;
			close(fd);
			srv->stat_rejected_conns++;
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct redis_client *c = client_new(srv, fd);
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
		epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev);
		srv->stat_connections++;
	}
}

/* ---- the loop ---------------------------------------------------------------- */

void redis_flush_all(struct redis_server *srv)
{
	for (int i = 0; i < REDIS_DBS; i++)
		db_flush(&srv->db[i]);
}

static void *build_resources(struct redis_server *srv)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "port", srv->port);
	cJSON_AddNumberToObject(o, "clients", (double)srv->n_clients);
	cJSON_AddBoolToObject(o, "durable", srv->persist != NULL);
	cJSON *dbs = cJSON_AddArrayToObject(o, "databases");
	for (int i = 0; i < REDIS_DBS; i++) {
		struct redis_db *db = &srv->db[i];
		if (!dict_size(db->keys))
			continue;
		cJSON *d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "db", i);
		cJSON_AddNumberToObject(d, "keys", (double)dict_size(db->keys));
		cJSON_AddNumberToObject(d, "expires",
					(double)dict_size(db->expires));
		cJSON_AddItemToArray(dbs, d);
	}
	return o;
}

/* Serve the cross-thread request slot; returns 1 when asked to stop. */
static int serve_wakeup(struct redis_server *srv)
{
	uint64_t v;
	ssize_t n = read(srv->wake_fd, &v, sizeof v);
	(void)n;
	pthread_mutex_lock(&srv->lock);
	int stop = srv->stopping;
	enum redis_xreq req = srv->xreq;
	pthread_mutex_unlock(&srv->lock);
	if (req == XREQ_NONE)
		return stop;
	void *result = NULL;
	if (req == XREQ_RESET)
		redis_flush_all(srv);
	else if (req == XREQ_RESOURCES)
		result = build_resources(srv);
	if (srv->persist)
		redis_persist_commit(srv);
	pthread_mutex_lock(&srv->lock);
	srv->xreq = XREQ_NONE;
	srv->xresult = result;
	srv->xdone = 1;
	pthread_cond_broadcast(&srv->cond);
	pthread_mutex_unlock(&srv->lock);
	return stop;
}

static void cron(struct redis_server *srv)
{
	db_active_expire(srv, 10000);
	long long timeout = redis_config_ll(srv, "timeout");
	if (timeout > 0) {
		int64_t now = redis_mono_ms();
		for (struct redis_client *c = srv->clients; c; c = c->next) {
			if (c->flags & CLIENT_BLOCKED ||
			    redis_pubsub_count(c) > 0)
				continue;
			if (now - c->last_ms > timeout * 1000)
				redis_client_close_asap(c);
		}
	}
}

/* Commit the turn's writes, then send the replies, then free the clients
 * that died: the order is what makes a reply mean "durable". */
static void end_of_turn(struct redis_server *srv)
{
	if (srv->persist)
		redis_persist_commit(srv);
	struct redis_client *c = srv->pending_writes;
	srv->pending_writes = NULL;
	while (c) {
		struct redis_client *next = c->next_pending;
		c->flags &= ~CLIENT_PENDING_WRITE;
		if (!(c->flags & CLIENT_CLOSE_ASAP))
			client_write(c);
		c = next;
	}
	while (srv->closing) {
		c = srv->closing;
		srv->closing = c->next_closing;
		client_free(c);
	}
}

static void *loop_main(void *arg)
{
	struct redis_server *srv = arg;
	struct epoll_event events[256];
	int64_t next_cron = redis_mono_ms() + CRON_MS;
	redis_persist_thread_init(srv->persist);
	for (;;) {
		int64_t now = redis_mono_ms();
		int64_t wake = next_cron;
		int64_t bd = redis_blocked_next_deadline(srv);
		if (bd && bd < wake)
			wake = bd;
		int timeout = wake > now ? (int)(wake - now) : 0;
		int n = epoll_wait(srv->epfd, events, 256, timeout);
		int stop = 0;
		for (int i = 0; i < n; i++) {
			void *p = events[i].data.ptr;
			if (p == &srv->listen_fd) {
				accept_clients(srv);
			} else if (p == &srv->wake_fd) {
				stop |= serve_wakeup(srv);
			} else {
				struct redis_client *c = p;
				if (c->flags & CLIENT_CLOSE_ASAP)
					continue;
				if (events[i].events & EPOLLOUT)
					redis_client_want_write(c);
				if (events[i].events &
				    (EPOLLIN | EPOLLERR | EPOLLHUP))
					client_read(c);
			}
		}
		/* Clients a push unblocked: run what they pipelined. */
		while (srv->unblocked.n) {
			struct redis_client *c = srv->unblocked.v[0];
			clist_remove(&srv->unblocked, c);
			c->flags &= ~CLIENT_UNBLOCKED;
			if (!(c->flags & CLIENT_CLOSE_ASAP))
				redis_client_process_input(c);
		}
		now = redis_mono_ms();
		if (srv->n_blocked)
			redis_blocked_timeouts(srv, now);
		if (now >= next_cron) {
			cron(srv);
			next_cron = now + CRON_MS;
		}
		end_of_turn(srv);
		if (stop)
			break;
	}
	/* Release any thread still waiting for an answer. */
	pthread_mutex_lock(&srv->lock);
	srv->loop_done = 1;
	pthread_cond_broadcast(&srv->cond);
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------ */

static int listen_on(struct redis_server *srv, const char *host, int port,
		     char *errbuf, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char portstr[16];
	snprintf(portstr, sizeof portstr, "%d", port);
	int rc = getaddrinfo(host[0] ? host : NULL, portstr, &hints, &res);
	if (rc) {
		snprintf(errbuf, errlen, "redis: cannot resolve '%s': %s", host,
			 gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	int err = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
			    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 511) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(errbuf, errlen, "redis: cannot listen on %s:%d: %s",
			 host, port, strerror(err));
		return -1;
	}
	struct sockaddr_storage sa;
	socklen_t sl = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	srv->port = sa.ss_family == AF_INET6
			    ? ntohs(((struct sockaddr_in6 *)&sa)->sin6_port)
			    : ntohs(((struct sockaddr_in *)&sa)->sin_port);
	srv->listen_fd = fd;
	return 0;
}

static void free_config_value(void *p)
{
	free(p);
}

static void server_free(struct redis_server *srv)
{
	while (srv->clients) {
		struct redis_client *c = srv->clients;
		if (!(c->flags & CLIENT_CLOSE_ASAP))
			redis_client_close_asap(c);
		while (srv->closing) {
			struct redis_client *x = srv->closing;
			srv->closing = x->next_closing;
			client_free(x);
		}
	}
	for (int i = 0; i < REDIS_DBS; i++) {
		dict_free(srv->db[i].keys);
		dict_free(srv->db[i].expires);
	}
	dict_free(srv->cmd_lookup);
	dict_free(srv->cmd_index);
	free(srv->cmd_rows);
	free(srv->cmd_parent);
	dict_free(srv->pubsub_channels);
	dict_free(srv->pubsub_patterns);
	dict_free(srv->watched_keys);
	dict_free(srv->blocking_keys);
	dict_free(srv->ready_keys);
	dict_free(srv->config);
	free(srv->unblocked.v);
	free(srv->cmd_stats);
	if (srv->persist)
		redis_persist_close(srv->persist);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->wake_fd >= 0)
		close(srv->wake_fd);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->cond);
	free(srv);
}

int redis_server_start(struct emulator *emu, struct redis_server **out,
		       char *errbuf, size_t errlen)
{
	struct redis_server *srv = xcalloc(1, sizeof *srv);
	srv->emu = emu;
	srv->cfg = emu->config;
	srv->listen_fd = srv->epfd = srv->wake_fd = -1;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->cond, NULL);
	srv->start_ms = redis_now_ms();
	srv->start_mono = redis_mono_ms();
	srv->rng = (uint64_t)redis_now_us() ^ (uint64_t)(uintptr_t)srv;
	for (int i = 0; i < REDIS_DBS; i++) {
		srv->db[i].srv = srv;
		srv->db[i].id = i;
		srv->db[i].keys = dict_new(robj_free);
		srv->db[i].expires = dict_new(NULL);
	}
	srv->pubsub_channels = dict_new(clist_free);
	srv->pubsub_patterns = dict_new(clist_free);
	srv->watched_keys = dict_new(clist_free);
	srv->blocking_keys = dict_new(clist_free);
	srv->ready_keys = dict_new(NULL);
	srv->config = dict_new(free_config_value);
	redis_config_init(srv);
	redis_commands_init(srv);

	if (srv->cfg->redis_durability && emu->store) {
		if (redis_persist_open(srv, errbuf, errlen))
			goto fail;
	}
	if (listen_on(srv, srv->cfg->host, srv->cfg->redis_port, errbuf,
		      errlen))
		goto fail;
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	srv->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (srv->epfd < 0 || srv->wake_fd < 0) {
		snprintf(errbuf, errlen, "redis: cannot create event loop: %s",
			 strerror(errno));
		goto fail;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &srv->listen_fd };
	epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->listen_fd, &ev);
	ev.data.ptr = &srv->wake_fd;
	epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->wake_fd, &ev);
	int rc = pthread_create(&srv->thread, NULL, loop_main, srv);
	if (rc) {
		snprintf(errbuf, errlen, "redis: cannot start thread: %s",
			 strerror(rc));
		goto fail;
	}
	srv->thread_started = 1;
	log_info("redis: listening on %s:%d (durability %s)", srv->cfg->host,
		 srv->port, srv->persist ? "on" : "off");
	*out = srv;
	return 0;
fail:
	server_free(srv);
	return -1;
}

int redis_server_port(const struct redis_server *srv)
{
	return srv ? srv->port : -1;
}

/* Post a request to the loop and wait for it to be served. */
static void *cross_call(struct redis_server *srv, enum redis_xreq req,
			int *failed)
{
	*failed = 0;
	pthread_mutex_lock(&srv->lock);
	while (srv->xreq != XREQ_NONE && !srv->loop_done)
		pthread_cond_wait(&srv->cond, &srv->lock);
	if (srv->stopping || srv->loop_done) {
		pthread_mutex_unlock(&srv->lock);
		*failed = 1;
		return NULL;
	}
	srv->xreq = req;
	srv->xdone = 0;
	uint64_t one = 1;
	ssize_t n = write(srv->wake_fd, &one, sizeof one);
	(void)n;
	while (!srv->xdone && !srv->loop_done)
		pthread_cond_wait(&srv->cond, &srv->lock);
	if (!srv->xdone) {
		srv->xreq = XREQ_NONE;
		pthread_mutex_unlock(&srv->lock);
		*failed = 1;
		return NULL;
	}
	void *result = srv->xresult;
	srv->xresult = NULL;
	srv->xdone = 0;
	pthread_cond_broadcast(&srv->cond);
	pthread_mutex_unlock(&srv->lock);
	return result;
}

int redis_server_reset(struct redis_server *srv)
{
	int failed;
	if (!srv || !srv->thread_started)
		return -1;
	cross_call(srv, XREQ_RESET, &failed);
	return failed ? -1 : 0;
}

void *redis_server_resources(struct redis_server *srv)
{
	int failed;
	void *r = NULL;
	if (srv && srv->thread_started)
		r = cross_call(srv, XREQ_RESOURCES, &failed);
	return r ? r : cJSON_CreateObject();
}

void redis_server_stop(struct redis_server *srv)
{
	if (!srv)
		return;
	if (srv->thread_started) {
		pthread_mutex_lock(&srv->lock);
		srv->stopping = 1;
		pthread_mutex_unlock(&srv->lock);
		uint64_t one = 1;
		ssize_t n = write(srv->wake_fd, &one, sizeof one);
		(void)n;
		pthread_join(srv->thread, NULL);
	}
	if (srv->persist)
		redis_persist_commit(srv);
	server_free(srv);
}
