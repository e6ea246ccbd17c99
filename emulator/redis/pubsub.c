/*
 * pubsub.c - SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and
 * PUBSUB CHANNELS/NUMSUB/NUMPAT.
 *
 * The server maps each channel (and each pattern) to the clients
 * subscribed, in subscription order; each client keeps the set of its
 * channels and patterns, so a disconnect unsubscribes everything
 * (redis_pubsub_client_free).  Messages are RESP3 pushes, or arrays for
 * RESP2 clients, which are then restricted to the subscription commands
 * (commands.c checks that).
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

size_t redis_pubsub_count(const struct redis_client *c)
{
	return (c->channels ? dict_size(c->channels) : 0) +
	       (c->patterns ? dict_size(c->patterns) : 0);
}

size_t redis_pubsub_npatterns(const struct redis_server *srv)
{
	size_t n = 0;
	struct dict_iter it;
	struct dict_entry *e;
	dict_iter_init(&it, srv->pubsub_patterns);
	while ((e = dict_iter_next(&it)))
		n += ((struct clist *)e->v.ptr)->n;
	dict_iter_done(&it);
	return n;
}

/* ["<kind>", name, count] */
static void reply_sub(struct redis_client *c, const char *kind,
		      const char *name, size_t len, int null_name)
{
	reply_push(c, 3);
	reply_bulk_cstr(c, kind);
	if (null_name)
		reply_null(c);
	else
		reply_bulk(c, name, len);
	reply_long(c, (long long)redis_pubsub_count(c));
}

/* Subscribe c to name in (client set, server map). Returns 1 if new. */
static int sub_add(struct redis_client *c, struct dict **mine,
		   struct dict *server, const struct rstr *name)
{
	if (!*mine)
		*mine = dict_new(NULL);
	int created;
	dict_upsert(*mine, name->data, name->len, &created);
	if (!created)
		return 0;
	struct dict_entry *e = dict_upsert(server, name->data, name->len, NULL);
	if (!e->v.ptr)
		e->v.ptr = xcalloc(1, sizeof(struct clist));
	clist_add(e->v.ptr, c);
	/* A subscriber that stops reading is cut off at 32 MB of pending
	 * messages, as Redis's pubsub output buffer limit. */
	if (c->out.len < REDIS_OUT_PUBSUB_MAX)
		c->out.cap = REDIS_OUT_PUBSUB_MAX;
	return 1;
}

static int sub_remove(struct redis_client *c, struct dict *mine,
		      struct dict *server, const char *name, size_t len)
{
	if (!mine || !dict_delete(mine, name, len))
		return 0;
	struct dict_entry *e = dict_find(server, name, len);
	if (e) {
		struct clist *l = e->v.ptr;
		clist_remove(l, c);
		if (!l->n)
			dict_delete(server, name, len);
	}
	return 1;
}

static void subscribe_generic(struct redis_client *c, int pattern)
{
	for (size_t i = 1; i < c->argc; i++) {
		if (pattern)
			sub_add(c, &c->patterns, c->srv->pubsub_patterns,
				c->argv[i]);
		else
			sub_add(c, &c->channels, c->srv->pubsub_channels,
				c->argv[i]);
		reply_sub(c, pattern ? "psubscribe" : "subscribe",
			  c->argv[i]->data, c->argv[i]->len, 0);
	}
}

void redis_cmd_subscribe(struct redis_client *c)
{
	subscribe_generic(c, 0);
}

void redis_cmd_psubscribe(struct redis_client *c)
{
	subscribe_generic(c, 1);
}

/* Unsubscribe from argv[1..] or, without arguments, from everything;
 * reply: whether to send replies (no when a client goes away). */
static void unsubscribe_generic(struct redis_client *c, int pattern,
				int reply)
{
	struct dict **mine = pattern ? &c->patterns : &c->channels;
	struct dict *server = pattern ? c->srv->pubsub_patterns
				      : c->srv->pubsub_channels;
	const char *kind = pattern ? "punsubscribe" : "unsubscribe";
	if (reply && c->argc > 1) {
		for (size_t i = 1; i < c->argc; i++) {
			sub_remove(c, *mine, server, c->argv[i]->data,
				   c->argv[i]->len);
			reply_sub(c, kind, c->argv[i]->data, c->argv[i]->len, 0);
		}
		if (!redis_pubsub_count(c))
			c->out.cap = REDIS_OUT_MAX;
		return;
	}
	size_t n = 0;
	while (*mine && dict_size(*mine)) {
		struct dict_iter it;
		dict_iter_init(&it, *mine);
		struct dict_entry *e = dict_iter_next(&it);
		struct rstr *name = rstr_new(e->key, e->klen);
		dict_iter_done(&it);
		sub_remove(c, *mine, server, name->data, name->len);
		if (reply)
			reply_sub(c, kind, name->data, name->len, 0);
		free(name);
		n++;
	}
	if (reply && n == 0)
		reply_sub(c, kind, NULL, 0, 1);
	if (!redis_pubsub_count(c))
		c->out.cap = REDIS_OUT_MAX;
}

void redis_cmd_unsubscribe(struct redis_client *c)
{
	unsubscribe_generic(c, 0, 1);
}

void redis_cmd_punsubscribe(struct redis_client *c)
{
	unsubscribe_generic(c, 1, 1);
}

void redis_pubsub_client_free(struct redis_client *c)
{
	unsubscribe_generic(c, 0, 0);
	unsubscribe_generic(c, 1, 0);
	dict_free(c->channels);
	dict_free(c->patterns);
	c->channels = c->patterns = NULL;
}

void redis_cmd_publish(struct redis_client *c)
{
	struct redis_server *srv = c->srv;
	const struct rstr *ch = c->argv[1], *msg = c->argv[2];
	long long receivers = 0;
	struct dict_entry *e = dict_find(srv->pubsub_channels, ch->data,
					 ch->len);
	if (e) {
		struct clist *l = e->v.ptr;
		for (size_t i = 0; i < l->n; i++) {
			struct redis_client *r = l->v[i];
			reply_push(r, 3);
			reply_bulk_cstr(r, "message");
			reply_bulk_rstr(r, ch);
			reply_bulk_rstr(r, msg);
			receivers++;
		}
	}
	struct dict_iter it;
	dict_iter_init(&it, srv->pubsub_patterns);
	while ((e = dict_iter_next(&it))) {
		if (!redis_glob_match(e->key, e->klen, ch->data, ch->len, 0))
			continue;
		struct clist *l = e->v.ptr;
		for (size_t i = 0; i < l->n; i++) {
			struct redis_client *r = l->v[i];
			reply_push(r, 4);
			reply_bulk_cstr(r, "pmessage");
			reply_bulk(r, e->key, e->klen);
			reply_bulk_rstr(r, ch);
			reply_bulk_rstr(r, msg);
			receivers++;
		}
	}
	dict_iter_done(&it);
	reply_long(c, receivers);
}

void redis_cmd_pubsub_channels(struct redis_client *c)
{
	const struct rstr *pat = c->argc > 2 ? c->argv[2] : NULL;
	if (c->argc > 3) {
		reply_error(c, "ERR unknown subcommand or wrong number of "
			    "arguments for 'CHANNELS'. Try PUBSUB HELP.");
		return;
	}
	size_t mark = reply_defer(c), n = 0;
	struct dict_iter it;
	struct dict_entry *e;
	dict_iter_init(&it, c->srv->pubsub_channels);
	while ((e = dict_iter_next(&it))) {
		if (pat && !redis_glob_match(pat->data, pat->len, e->key,
					     e->klen, 0))
			continue;
		reply_bulk(c, e->key, e->klen);
		n++;
	}
	dict_iter_done(&it);
	reply_defer_set(c, mark, '*', n);
}

void redis_cmd_pubsub_numsub(struct redis_client *c)
{
	reply_array(c, (c->argc - 2) * 2);
	for (size_t i = 2; i < c->argc; i++) {
		struct dict_entry *e = dict_find(c->srv->pubsub_channels,
						 c->argv[i]->data,
						 c->argv[i]->len);
		reply_bulk_rstr(c, c->argv[i]);
		reply_long(c, e ? (long long)((struct clist *)e->v.ptr)->n : 0);
	}
}

void redis_cmd_pubsub_numpat(struct redis_client *c)
{
	reply_long(c, (long long)dict_size(c->srv->pubsub_patterns));
}

void redis_cmd_pubsub_help(struct redis_client *c)
{
	static const char *const lines[] = {
		"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT", "    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"HELP", "    Print this help.",
	};
	reply_array(c, sizeof lines / sizeof lines[0]);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		reply_status(c, lines[i]);
}
