/*
 * admin.c - server commands: CONFIG, FUNCTION, DBSIZE, FLUSHDB,
 * FLUSHALL, TIME, OBJECT, LASTSAVE, SAVE, BGSAVE, SWAPDB; and the CONFIG
 * parameter store.
 *
 * CONFIG keeps the common parameters with Redis's defaults and checks
 * their type on SET (integers, memory sizes, yes/no, enumerations); most
 * are only stored and echoed.  The ones the emulator honours: maxclients,
 * timeout, and the encoding thresholds that OBJECT ENCODING reports
 * against.  The values live in the server's own dict (no global state).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "server.h"
#include "util.h"
#include "xalloc.h"

/* ---- CONFIG parameters -------------------------------------------------- */

enum param_type { P_STRING, P_INT, P_MEMORY, P_BOOL, P_ENUM, P_IMMUTABLE };

struct param {
	const char *name;
	enum param_type type;
	const char *def;      /* default value */
	const char *choices;  /* P_ENUM: ", "-separated */
	const char *alias;    /* older name, or NULL */
};

static const struct param params[] = {
	{ "maxmemory", P_MEMORY, "0", NULL, NULL },
	{ "maxmemory-policy", P_ENUM, "noeviction", "volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction", NULL },
	{ "maxmemory-samples", P_INT, "5", NULL, NULL },
	{ "maxmemory-eviction-tenacity", P_INT, "10", NULL, NULL },
	{ "maxmemory-clients", P_MEMORY, "0", NULL, NULL },
	{ "maxclients", P_INT, "10000", NULL, NULL },
	{ "timeout", P_INT, "0", NULL, NULL },
	{ "tcp-keepalive", P_INT, "300", NULL, NULL },
	{ "save", P_STRING, "3600 1 300 100 60 10000", NULL, NULL },
	{ "appendonly", P_BOOL, "no", NULL, NULL },
	{ "appendfsync", P_ENUM, "everysec", "always, everysec, no", NULL },
	{ "appendfilename", P_IMMUTABLE, "appendonly.aof", NULL, NULL },
	{ "dbfilename", P_STRING, "dump.rdb", NULL, NULL },
	{ "databases", P_IMMUTABLE, "16", NULL, NULL },
	{ "hz", P_INT, "10", NULL, NULL },
	{ "loglevel", P_ENUM, "notice", "debug, verbose, notice, warning, nothing", NULL },
	{ "notify-keyspace-events", P_STRING, "", NULL, NULL },
	{ "hash-max-listpack-entries", P_INT, "128", NULL, "hash-max-ziplist-entries" },
	{ "hash-max-listpack-value", P_INT, "64", NULL, "hash-max-ziplist-value" },
	{ "list-max-listpack-size", P_INT, "-2", NULL, "list-max-ziplist-size" },
	{ "list-compress-depth", P_INT, "0", NULL, NULL },
	{ "set-max-intset-entries", P_INT, "512", NULL, NULL },
	{ "zset-max-listpack-entries", P_INT, "128", NULL, "zset-max-ziplist-entries" },
	{ "zset-max-listpack-value", P_INT, "64", NULL, "zset-max-ziplist-value" },
	{ "slowlog-log-slower-than", P_INT, "10000", NULL, NULL },
	{ "slowlog-max-len", P_INT, "128", NULL, NULL },
	{ "lazyfree-lazy-eviction", P_BOOL, "no", NULL, NULL },
	{ "lazyfree-lazy-expire", P_BOOL, "no", NULL, NULL },
	{ "lazyfree-lazy-server-del", P_BOOL, "no", NULL, NULL },
	{ "lazyfree-lazy-user-del", P_BOOL, "no", NULL, NULL },
	{ "lazyfree-lazy-user-flush", P_BOOL, "no", NULL, NULL },
	{ "proto-max-bulk-len", P_MEMORY, "536870912", NULL, NULL },
	{ "client-query-buffer-limit", P_MEMORY, "1073741824", NULL, NULL },
	{ "client-output-buffer-limit", P_STRING, "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", NULL, NULL },
	{ "stop-writes-on-bgsave-error", P_BOOL, "yes", NULL, NULL },
	{ "protected-mode", P_BOOL, "no", NULL, NULL },
	{ "io-threads", P_IMMUTABLE, "1", NULL, NULL },
	{ "replica-read-only", P_BOOL, "yes", NULL, "slave-read-only" },
	{ "lua-time-limit", P_INT, "5000", NULL, "busy-reply-threshold" },
	{ "latency-tracking", P_BOOL, "yes", NULL, NULL },
	{ "activerehashing", P_BOOL, "yes", NULL, NULL },
	{ "port", P_IMMUTABLE, "6379", NULL, NULL },
	{ "bind", P_STRING, "127.0.0.1", NULL, NULL },
	{ "dir", P_STRING, ".", NULL, NULL },
	{ "requirepass", P_STRING, "", NULL, NULL },
};

#define N_PARAMS (sizeof params / sizeof params[0])

void redis_config_init(struct redis_server *srv)
{
	for (size_t i = 0; i < N_PARAMS; i++)
		dict_upsert(srv->config, params[i].name, strlen(params[i].name),
			    NULL)->v.ptr = xstrdup(params[i].def);
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%d", srv->cfg->redis_port);
	struct dict_entry *e = dict_find(srv->config, "port", 4);
	free(e->v.ptr);
	e->v.ptr = xstrdup(tmp);
	e = dict_find(srv->config, "bind", 4);
	free(e->v.ptr);
	e->v.ptr = xstrdup(srv->cfg->host);
	e = dict_find(srv->config, "dir", 3);
	free(e->v.ptr);
	e->v.ptr = xstrdup(srv->cfg->data_dir);
	e = dict_find(srv->config, "requirepass", 11);
	free(e->v.ptr);
	e->v.ptr = xstrdup(srv->cfg->redis_password);
}

const char *redis_config_get(struct redis_server *srv, const char *name)
{
	struct dict_entry *e = dict_find(srv->config, name, strlen(name));
	return e ? e->v.ptr : NULL;
}

long long redis_config_ll(struct redis_server *srv, const char *name)
{
	const char *v = redis_config_get(srv, name);
	return v ? strtoll(v, NULL, 10) : 0;
}

static const struct param *find_param(const char *s, size_t len)
{
	for (size_t i = 0; i < N_PARAMS; i++)
		if (redis_eq(s, len, params[i].name) ||
		    (params[i].alias && redis_eq(s, len, params[i].alias)))
			return &params[i];
	return NULL;
}

/* "100mb" -> bytes; -1 when not a memory value. */
static long long parse_memory(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || v < 0)
		return -1;
	long long mul = 1;
	if (!strcasecmp(end, "") || !strcasecmp(end, "b"))
		mul = 1;
	else if (!strcasecmp(end, "k"))
		mul = 1000;
	else if (!strcasecmp(end, "kb"))
		mul = 1024;
	else if (!strcasecmp(end, "m"))
		mul = 1000 * 1000;
	else if (!strcasecmp(end, "mb"))
		mul = 1024 * 1024;
	else if (!strcasecmp(end, "g"))
		mul = 1000LL * 1000 * 1000;
	else if (!strcasecmp(end, "gb"))
		mul = 1024LL * 1024 * 1024;
	else
		return -1;
	return v * mul;
}

/* Validate and normalise a value; returns a new string or NULL with
 * *why set. */
static char *check_value(const struct param *p, const struct rstr *v,
			 const char **why)
{
	long long ll;
	char tmp[32];
	switch (p->type) {
	case P_STRING:
		return xstrndup(v->data, v->len);
	case P_INT:
		if (redis_str2ll(v->data, v->len, &ll)) {
			*why = "argument couldn't be parsed into an integer";
			return NULL;
		}
		return xstrndup(v->data, v->len);
	case P_MEMORY:
		ll = parse_memory(v->data);
		if (ll < 0) {
			*why = "argument must be a memory value";
			return NULL;
		}
		snprintf(tmp, sizeof tmp, "%lld", ll);
		return xstrdup(tmp);
	case P_BOOL:
		if (arg_is(v, "yes"))
			return xstrdup("yes");
		if (arg_is(v, "no"))
			return xstrdup("no");
		*why = "argument must be 'yes' or 'no'";
		return NULL;
	case P_ENUM: {
		const char *s = p->choices;
		while (*s) {
			const char *e = strstr(s, ", ");
			size_t l = e ? (size_t)(e - s) : strlen(s);
			if (l == v->len && !strncasecmp(s, v->data, l)) {
				char *out = xstrndup(s, l);
				return out;
			}
			s += l;
			if (*s)
				s += 2;
		}
		*why = NULL; /* caller formats the choices */
		return NULL;
	}
	case P_IMMUTABLE:
		*why = "can't set immutable config";
		return NULL;
	}
	return NULL;
}

void redis_cmd_config_set(struct redis_client *c)
{
	if (c->argc % 2) {
		reply_error(c, ERR_SYNTAX);
		return;
	}
	/* Validate everything first: CONFIG SET is all or nothing. */
	size_t n = (c->argc - 2) / 2;
	char **vals = xcalloc(n, sizeof *vals);
	const struct param **ps = xcalloc(n, sizeof *ps);
	for (size_t i = 0; i < n; i++) {
		const struct rstr *name = c->argv[2 + 2 * i];
		ps[i] = find_param(name->data, name->len);
		if (!ps[i]) {
			reply_errorf(c, "ERR Unknown option or number of "
				     "arguments for CONFIG SET - '%.128s'",
				     name->data);
			goto out;
		}
		const char *why = NULL;
		vals[i] = check_value(ps[i], c->argv[3 + 2 * i], &why);
		if (!vals[i]) {
			if (ps[i]->type == P_ENUM)
				reply_errorf(c, "ERR CONFIG SET failed (possibly "
					     "related to argument '%s') - "
					     "argument(s) must be one of the "
					     "following: %s", name->data,
					     ps[i]->choices);
			else
				reply_errorf(c, "ERR CONFIG SET failed (possibly "
					     "related to argument '%s') - %s",
					     name->data, why);
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct dict_entry *e = dict_find(c->srv->config, ps[i]->name,
						 strlen(ps[i]->name));
		free(e->v.ptr);
		e->v.ptr = vals[i];
		vals[i] = NULL;
	}
	reply_ok(c);
out:
	for (size_t i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
	free(ps);
}

void redis_cmd_config_get(struct redis_client *c)
{
	size_t mark = reply_defer(c), n = 0;
	/* Each name (an alias counts as its own name) once, as Redis. */
	int *seen = xcalloc(N_PARAMS * 2, sizeof *seen);
	for (size_t a = 2; a < c->argc; a++) {
		const struct rstr *pat = c->argv[a];
		for (size_t i = 0; i < N_PARAMS * 2; i++) {
			const char *name = i % 2 ? params[i / 2].alias
						 : params[i / 2].name;
			if (!name || seen[i] ||
			    !redis_glob_match(pat->data, pat->len, name,
					      strlen(name), 1))
				continue;
			seen[i] = 1;
			reply_bulk_cstr(c, name);
			reply_bulk_cstr(c, redis_config_get(c->srv,
							    params[i / 2].name));
			n++;
		}
	}
	free(seen);
	reply_defer_set(c, mark, '%', n);
}

void redis_cmd_config_resetstat(struct redis_client *c)
{
	struct redis_server *srv = c->srv;
	memset(srv->cmd_stats, 0, srv->n_cmd_rows * sizeof *srv->cmd_stats);
	srv->stat_connections = srv->stat_commands = 0;
	srv->stat_hits = srv->stat_misses = srv->stat_expired = 0;
	srv->stat_net_in = srv->stat_net_out = srv->stat_errors = 0;
	srv->stat_rejected_conns = 0;
	reply_ok(c);
}

void redis_cmd_config_rewrite(struct redis_client *c)
{
	reply_error(c, "ERR The server is running without a config file");
}

static void reply_help(struct redis_client *c, const char *const *lines,
		       size_t n)
{
	reply_array(c, n);
	for (size_t i = 0; i < n; i++)
		reply_status(c, lines[i]);
}

void redis_cmd_config_help(struct redis_client *c)
{
	static const char *const lines[] = {
		"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>", "    Set the configuration <directive> to <value>.",
		"RESETSTAT", "    Reset statistics reported by the INFO command.",
		"REWRITE", "    Rewrite the configuration file.",
		"HELP", "    Print this help.",
	};
	reply_help(c, lines, sizeof lines / sizeof lines[0]);
}

/* ---- FUNCTION (no functions: the emulator has no scripting) ------------- */

void redis_cmd_function_flush(struct redis_client *c)
{
	if (c->argc > 3 || (c->argc == 3 && !arg_is(c->argv[2], "SYNC") &&
			    !arg_is(c->argv[2], "ASYNC"))) {
		reply_error(c, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
		return;
	}
	reply_ok(c);
}

void redis_cmd_function_list(struct redis_client *c)
{
	for (size_t i = 2; i < c->argc; i++) {
		if (arg_is(c->argv[i], "WITHCODE"))
			continue;
		if (arg_is(c->argv[i], "LIBRARYNAME") && i + 1 < c->argc) {
			i++;
			continue;
		}
		reply_errorf(c, "ERR Unknown argument %.128s", c->argv[i]->data);
		return;
	}
	reply_array(c, 0);
}

void redis_cmd_function_help(struct redis_client *c)
{
	static const char *const lines[] = {
		"FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"LIST [LIBRARYNAME <pattern>] [WITHCODE]", "    Return general information on all the libraries (none here).",
		"FLUSH [ASYNC|SYNC]", "    Delete all the libraries.",
		"HELP", "    Print this help.",
	};
	reply_help(c, lines, sizeof lines / sizeof lines[0]);
}

/* ---- keyspace-wide commands ------------------------------------------------ */

void redis_cmd_dbsize(struct redis_client *c)
{
	reply_long(c, (long long)dict_size(c->db->keys));
}

/* FLUSHDB/FLUSHALL take an optional ASYNC or SYNC. */
static int flush_args_ok(struct redis_client *c)
{
	if (c->argc == 1)
		return 1;
	if (c->argc == 2 && (arg_is(c->argv[1], "ASYNC") ||
			     arg_is(c->argv[1], "SYNC")))
		return 1;
	reply_error(c, ERR_SYNTAX);
	return 0;
}

void redis_cmd_flushdb(struct redis_client *c)
{
	if (!flush_args_ok(c))
		return;
	db_flush(c->db);
	reply_ok(c);
}

void redis_cmd_flushall(struct redis_client *c)
{
	if (!flush_args_ok(c))
		return;
	redis_flush_all(c->srv);
	reply_ok(c);
}

void redis_cmd_swapdb(struct redis_client *c)
{
	long long a, b;
	if (arg_ll_msg(c, c->argv[1], &a, "ERR invalid first DB index") ||
	    arg_ll_msg(c, c->argv[2], &b, "ERR invalid second DB index"))
		return;
	if (a < 0 || a >= REDIS_DBS || b < 0 || b >= REDIS_DBS) {
		reply_error(c, "ERR DB index is out of range");
		return;
	}
	struct redis_db *da = &c->srv->db[a], *db = &c->srv->db[b];
	redis_touch_db(da);
	redis_touch_db(db);
	struct dict *k = da->keys, *e = da->expires;
	da->keys = db->keys;
	da->expires = db->expires;
	db->keys = k;
	db->expires = e;
	/* Persist: both databases rewritten from memory. */
	for (int i = 0; i < 2 && c->srv->persist; i++) {
		struct redis_db *d = i ? db : da;
		redis_persist_mark_flush(c->srv->persist, d->id);
		struct dict_iter it;
		struct dict_entry *en;
		dict_iter_init(&it, d->keys);
		while ((en = dict_iter_next(&it)))
			db_key_changed(d, en->key, en->klen);
		dict_iter_done(&it);
	}
	reply_ok(c);
}

void redis_cmd_time(struct redis_client *c)
{
	int64_t us = redis_now_us();
	reply_array(c, 2);
	reply_bulk_ll(c, us / 1000000);
	reply_bulk_ll(c, us % 1000000);
}

void redis_cmd_lastsave(struct redis_client *c)
{
	reply_long(c, redis_now_ms() / 1000);
}

void redis_cmd_save(struct redis_client *c)
{
	if (c->srv->persist && redis_persist_commit(c->srv)) {
		reply_error(c, "ERR");
		return;
	}
	reply_ok(c);
}

/* WAIT numreplicas timeout: there are no replicas, so 0 at once. */
void redis_cmd_wait(struct redis_client *c)
{
	long long n, timeout;
	if (arg_ll(c, c->argv[1], &n) || arg_ll(c, c->argv[2], &timeout))
		return;
	if (timeout < 0) {
		reply_error(c, "ERR timeout is negative");
		return;
	}
	reply_long(c, 0);
}

void redis_cmd_bgsave(struct redis_client *c)
{
	reply_status(c, "Background saving started");
}

/* ---- OBJECT ---------------------------------------------------------------- */

static int all_small(struct dict *d, long long maxlen, int values)
{
	struct dict_iter it;
	struct dict_entry *e;
	int ok = 1;
	dict_iter_init(&it, d);
	while (ok && (e = dict_iter_next(&it))) {
		if ((long long)e->klen > maxlen)
			ok = 0;
		if (values && (long long)((struct rstr *)e->v.ptr)->len > maxlen)
			ok = 0;
	}
	dict_iter_done(&it);
	return ok;
}

const char *redis_encoding(struct redis_server *srv, const struct robj *o)
{
	long long ll;
	switch (o->type) {
	case OBJ_STRING:
		if (o->v.str->len <= 20 &&
		    !redis_str2ll(o->v.str->data, o->v.str->len, &ll))
			return "int";
		return o->v.str->len <= 44 ? "embstr" : "raw";
	case OBJ_LIST:
		return "quicklist";
	case OBJ_HASH:
		if ((long long)dict_size(o->v.hash) <=
			    redis_config_ll(srv, "hash-max-listpack-entries") &&
		    all_small(o->v.hash,
			      redis_config_ll(srv, "hash-max-listpack-value"), 1))
			return "listpack";
		return "hashtable";
	case OBJ_SET: {
		if ((long long)dict_size(o->v.set) >
		    redis_config_ll(srv, "set-max-intset-entries"))
			return "hashtable";
		struct dict_iter it;
		struct dict_entry *e;
		int ints = 1;
		dict_iter_init(&it, o->v.set);
		while (ints && (e = dict_iter_next(&it)))
			ints = redis_str2ll(e->key, e->klen, &ll) == 0;
		dict_iter_done(&it);
		return ints ? "intset" : "hashtable";
	}
	case OBJ_ZSET:
		if ((long long)o->v.zset->length <=
			    redis_config_ll(srv, "zset-max-listpack-entries") &&
		    all_small(o->v.zset->dict,
			      redis_config_ll(srv, "zset-max-listpack-value"), 0))
			return "listpack";
		return "skiplist";
	}
	return "unknown";
}

/* The value of argv[2] for OBJECT, or NULL after replying null. */
static struct robj *object_target(struct redis_client *c)
{
	struct robj *o = db_lookup(c->db, c->argv[2]->data, c->argv[2]->len);
	if (!o)
		reply_null(c);
	return o;
}

void redis_cmd_object_encoding(struct redis_client *c)
{
	struct robj *o = object_target(c);
	if (o)
		reply_bulk_cstr(c, redis_encoding(c->srv, o));
}

void redis_cmd_object_refcount(struct redis_client *c)
{
	if (object_target(c))
		reply_long(c, 1);
}

void redis_cmd_object_idletime(struct redis_client *c)
{
	if (object_target(c))
		reply_long(c, 0);
}

void redis_cmd_object_freq(struct redis_client *c)
{
	if (object_target(c))
		reply_error(c, "ERR An LFU maxmemory policy is not selected, "
			    "access frequency not tracked. Please note that when "
			    "switching between policies at runtime LRU and LFU "
			    "data will take some time to adjust.");
}

void redis_cmd_object_help(struct redis_client *c)
{
	static const char *const lines[] = {
		"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>", "    Return the access logarithmic access frequency counter of a <key>.",
		"IDLETIME <key>", "    Return the idle time of a <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
		"    <key>.",
		"HELP", "    Print this help.",
	};
	reply_help(c, lines, sizeof lines / sizeof lines[0]);
}
