/*
 * blocked.c - clients waiting in BLPOP/BRPOP.
 *
 * API, in the order things happen:
 *   redis_block_on_keys()     t_list.c found every list empty: the client
 *                             is parked on its keys (FIFO per key) with a
 *                             deadline, and its input is not read further
 *   redis_signal_key_ready()  a push (or a new list under a watched key)
 *                             notes the key as ready, if anyone waits
 *   redis_serve_ready_keys()  after each command: pops for the waiting
 *                             clients, first come first served, while the
 *                             list has elements; served clients are
 *                             unblocked and their pipelined input resumes
 *   redis_blocked_timeouts()  the loop replies nil to expired waits
 *   redis_unblock()           also when a blocked client disconnects
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

void redis_block_on_keys(struct redis_client *c, size_t first, size_t last,
			 int where, int64_t deadline)
{
	struct redis_server *srv = c->srv;
	size_t n = last - first + 1;
	c->bpop.keys = xcalloc(n, sizeof *c->bpop.keys);
	c->bpop.n = 0;
	c->bpop.db = c->db->id;
	c->bpop.where = where;
	c->bpop.deadline = deadline;
	for (size_t i = first; i <= last; i++) {
		const struct rstr *k = c->argv[i];
		struct rstr *dk = redis_dbkey(c->db->id, k->data, k->len);
		struct dict_entry *e = dict_upsert(srv->blocking_keys, dk->data,
						   dk->len, NULL);
		if (!e->v.ptr)
			e->v.ptr = xcalloc(1, sizeof(struct clist));
		struct clist *l = e->v.ptr;
		/* BLPOP k k: wait once per key. */
		int dup = 0;
		for (size_t j = 0; j < l->n; j++)
			if (l->v[j] == c)
				dup = 1;
		if (!dup) {
			clist_add(l, c);
			c->bpop.keys[c->bpop.n++] = dk;
		} else {
			free(dk);
		}
	}
	c->flags |= CLIENT_BLOCKED;
	srv->n_blocked++;
}

void redis_unblock(struct redis_client *c)
{
	struct redis_server *srv = c->srv;
	if (!(c->flags & CLIENT_BLOCKED))
		return;
	for (size_t i = 0; i < c->bpop.n; i++) {
		struct rstr *dk = c->bpop.keys[i];
		struct dict_entry *e = dict_find(srv->blocking_keys, dk->data,
						 dk->len);
		if (e) {
			struct clist *l = e->v.ptr;
			clist_remove(l, c);
			if (!l->n)
				dict_delete(srv->blocking_keys, dk->data,
					    dk->len);
		}
		free(dk);
	}
	free(c->bpop.keys);
	c->bpop.keys = NULL;
	c->bpop.n = 0;
	c->flags &= ~CLIENT_BLOCKED;
	srv->n_blocked--;
	/* Commands pipelined after the BLPOP run in this same turn. */
	if (c->qlen && !(c->flags & (CLIENT_UNBLOCKED | CLIENT_CLOSE_ASAP))) {
		c->flags |= CLIENT_UNBLOCKED;
		clist_add(&srv->unblocked, c);
	}
}

void redis_signal_key_ready(struct redis_db *db, const char *key, size_t len)
{
	struct redis_server *srv = db->srv;
	if (!dict_size(srv->blocking_keys))
		return;
	struct rstr *dk = redis_dbkey(db->id, key, len);
	if (dict_find(srv->blocking_keys, dk->data, dk->len))
		dict_upsert(srv->ready_keys, dk->data, dk->len, NULL);
	free(dk);
}

void redis_serve_ready_keys(struct redis_server *srv)
{
	while (dict_size(srv->ready_keys)) {
		/* Take the current batch; serving may signal more keys. */
		struct dict *batch = srv->ready_keys;
		srv->ready_keys = dict_new(NULL);
		struct dict_iter it;
		struct dict_entry *rk;
		dict_iter_init(&it, batch);
		while ((rk = dict_iter_next(&it))) {
			struct redis_db *db = &srv->db[(unsigned char)rk->key[0]];
			const char *key = rk->key + 1;
			size_t len = rk->klen - 1;
			for (;;) {
				struct dict_entry *be = dict_find(
					srv->blocking_keys, rk->key, rk->klen);
				if (!be)
					break;
				struct robj *o = db_lookup(db, key, len);
				if (!o || o->type != OBJ_LIST || !o->v.list->len)
					break;
				struct redis_client *c =
					((struct clist *)be->v.ptr)->v[0];
				redis_list_pop_reply(c, db, key, len,
						     c->bpop.where);
				redis_unblock(c);
			}
		}
		dict_iter_done(&it);
		dict_free(batch);
	}
}

void redis_blocked_timeouts(struct redis_server *srv, int64_t now)
{
	for (struct redis_client *c = srv->clients; c; c = c->next) {
		if (!(c->flags & CLIENT_BLOCKED) || !c->bpop.deadline ||
		    c->bpop.deadline > now)
			continue;
		reply_null_array(c);
		redis_unblock(c);
	}
}

int64_t redis_blocked_next_deadline(struct redis_server *srv)
{
	if (!srv->n_blocked)
		return 0;
	int64_t best = 0;
	for (struct redis_client *c = srv->clients; c; c = c->next)
		if ((c->flags & CLIENT_BLOCKED) && c->bpop.deadline &&
		    (!best || c->bpop.deadline < best))
			best = c->bpop.deadline;
	return best;
}
