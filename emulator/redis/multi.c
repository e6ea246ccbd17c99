/*
 * multi.c - transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
 *
 * Between MULTI and EXEC the dispatcher queues commands here (after its
 * checks; a rejected command flags the transaction so EXEC aborts with
 * EXECABORT).  EXEC runs the queue back to back inside one loop turn, so
 * its writes are also committed together.
 *
 * WATCH: the server maps each watched (db, key) to its watchers; every
 * change to a key goes through db.c's hooks, which call redis_touch_key,
 * which marks the watchers dirty; EXEC of a dirty client replies nil.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "xalloc.h"

static void free_queue(struct redis_client *c)
{
	for (size_t i = 0; i < c->mq_len; i++) {
		for (size_t j = 0; j < c->mq[i].argc; j++)
			free(c->mq[i].argv[j]);
		free(c->mq[i].argv);
	}
	free(c->mq);
	c->mq = NULL;
	c->mq_len = c->mq_cap = 0;
}

void redis_multi_free(struct redis_client *c)
{
	free_queue(c);
	c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC);
}

void redis_queue_command(struct redis_client *c)
{
	if (c->mq_len == c->mq_cap) {
		c->mq_cap = c->mq_cap ? c->mq_cap * 2 : 8;
		c->mq = xrealloc(c->mq, c->mq_cap * sizeof *c->mq);
	}
	struct multi_cmd *m = &c->mq[c->mq_len++];
	m->cmd = c->cmd;
	m->argv = c->argv;
	m->argc = c->argc;
	/* The queue owns the arguments now. */
	c->argv = NULL;
	c->argc = 0;
	reply_status(c, "QUEUED");
}

void redis_cmd_multi(struct redis_client *c)
{
	if (c->flags & CLIENT_MULTI) {
		reply_error(c, "ERR MULTI calls can not be nested");
		return;
	}
	c->flags |= CLIENT_MULTI;
	reply_ok(c);
}

void redis_cmd_discard(struct redis_client *c)
{
	if (!(c->flags & CLIENT_MULTI)) {
		reply_error(c, "ERR DISCARD without MULTI");
		return;
	}
	redis_multi_free(c);
	redis_unwatch_all(c);
	reply_ok(c);
}

void redis_cmd_exec(struct redis_client *c)
{
	if (!(c->flags & CLIENT_MULTI)) {
		reply_error(c, "ERR EXEC without MULTI");
		return;
	}
	if (c->flags & CLIENT_DIRTY_EXEC) {
		reply_error(c, "EXECABORT Transaction discarded because of "
			    "previous errors.");
		redis_multi_free(c);
		redis_unwatch_all(c);
		return;
	}
	if (c->flags & CLIENT_DIRTY_CAS) {
		reply_null_array(c);
		redis_multi_free(c);
		redis_unwatch_all(c);
		return;
	}
	/* Keys watched by this client no longer matter. */
	redis_unwatch_all(c);
	struct multi_cmd *q = c->mq;
	size_t n = c->mq_len;
	c->mq = NULL;
	c->mq_len = c->mq_cap = 0;
	c->flags &= ~CLIENT_MULTI;
	struct rstr **saved_argv = c->argv;
	size_t saved_argc = c->argc;
	const struct redis_command *saved_cmd = c->cmd;
	reply_array(c, n);
	c->flags |= CLIENT_IN_EXEC;
	for (size_t i = 0; i < n; i++) {
		c->argv = q[i].argv;
		c->argc = q[i].argc;
		redis_call(c, q[i].cmd);
		for (size_t j = 0; j < c->argc; j++)
			free(c->argv[j]);
		free(c->argv);
	}
	c->flags &= ~CLIENT_IN_EXEC;
	free(q);
	c->argv = saved_argv;
	c->argc = saved_argc;
	c->cmd = saved_cmd;
}

/* ---- WATCH ------------------------------------------------------------------- */

void redis_cmd_watch(struct redis_client *c)
{
	if (c->flags & CLIENT_MULTI) {
		reply_error(c, "ERR WATCH inside MULTI is not allowed");
		return;
	}
	struct redis_server *srv = c->srv;
	for (size_t i = 1; i < c->argc; i++) {
		const struct rstr *k = c->argv[i];
		size_t j = 0;
		for (; j < c->n_watched; j++)
			if (c->watched[j].db == c->db->id &&
			    c->watched[j].key->len == k->len &&
			    !memcmp(c->watched[j].key->data, k->data, k->len))
				break;
		if (j < c->n_watched)
			continue;
		if (c->n_watched == c->cap_watched) {
			c->cap_watched = c->cap_watched ? c->cap_watched * 2 : 4;
			c->watched = xrealloc(c->watched,
					      c->cap_watched * sizeof *c->watched);
		}
		c->watched[c->n_watched].db = c->db->id;
		c->watched[c->n_watched].key = rstr_new(k->data, k->len);
		c->n_watched++;
		struct rstr *dk = redis_dbkey(c->db->id, k->data, k->len);
		struct dict_entry *e = dict_upsert(srv->watched_keys, dk->data,
						   dk->len, NULL);
		if (!e->v.ptr)
			e->v.ptr = xcalloc(1, sizeof(struct clist));
		clist_add(e->v.ptr, c);
		free(dk);
	}
	reply_ok(c);
}

void redis_unwatch_all(struct redis_client *c)
{
	struct redis_server *srv = c->srv;
	for (size_t i = 0; i < c->n_watched; i++) {
		struct watched_key *w = &c->watched[i];
		struct rstr *dk = redis_dbkey(w->db, w->key->data, w->key->len);
		struct dict_entry *e = dict_find(srv->watched_keys, dk->data,
						 dk->len);
		if (e) {
			struct clist *l = e->v.ptr;
			clist_remove(l, c);
			if (!l->n)
				dict_delete(srv->watched_keys, dk->data, dk->len);
		}
		free(dk);
		free(w->key);
	}
	free(c->watched);
	c->watched = NULL;
	c->n_watched = c->cap_watched = 0;
	c->flags &= ~CLIENT_DIRTY_CAS;
}

void redis_cmd_unwatch(struct redis_client *c)
{
	redis_unwatch_all(c);
	reply_ok(c);
}

void redis_touch_key(struct redis_db *db, const char *key, size_t len)
{
	char small[256];
	struct rstr *big = NULL;
	const char *dk;
	if (len + 1 <= sizeof small) {
		small[0] = (char)db->id;
		memcpy(small + 1, key, len);
		dk = small;
	} else {
		big = redis_dbkey(db->id, key, len);
		dk = big->data;
	}
	struct dict_entry *e = dict_find(db->srv->watched_keys, dk, len + 1);
	if (e) {
		struct clist *l = e->v.ptr;
		for (size_t i = 0; i < l->n; i++)
			l->v[i]->flags |= CLIENT_DIRTY_CAS;
	}
	free(big);
}

void redis_touch_db(struct redis_db *db)
{
	struct dict_iter it;
	struct dict_entry *e;
	dict_iter_init(&it, db->srv->watched_keys);
	while ((e = dict_iter_next(&it))) {
		if ((unsigned char)e->key[0] != (unsigned)db->id)
			continue;
		/* Only keys that exist change when the db is emptied. */
		if (!dict_find(db->keys, e->key + 1, e->klen - 1))
			continue;
		struct clist *l = e->v.ptr;
		for (size_t i = 0; i < l->n; i++)
			l->v[i]->flags |= CLIENT_DIRTY_CAS;
	}
	dict_iter_done(&it);
}
