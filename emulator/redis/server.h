/*
 * server.h - what the files of the Redis server share: the server and
 * client structures, the reply API, the keyspace API and the command
 * procedures the command table (commands.c) points at.
 *
 * Module map (one file per concern, as Redis keeps them):
 *   server.c    thread, epoll loop, accept, client I/O, end-of-turn commit
 *   resp.c      request parser            reply.c   reply writer (RESP2/3)
 *   commands.c  command table, dispatcher, COMMAND
 *   conn.c      AUTH HELLO CLIENT SELECT PING ECHO QUIT RESET
 *   admin.c     CONFIG FUNCTION DBSIZE FLUSH* TIME OBJECT   info.c  INFO
 *   db.c        keyspace, expiry (lazy + active)
 *   keys.c      key commands and the SCAN family core
 *   t_string.c t_hash.c t_list.c t_set.c t_zset.c   one file per type
 *   pubsub.c multi.c blocked.c                       cross-cutting
 *   persist.c   SQLite write-through of the keys a turn modified
 *   dict.c object.c util.c   hash table, value structures, numbers/glob
 *
 * Everything runs on the server's own thread; nothing here is locked,
 * except the request slot other threads use (redis_server_reset, ...).
 */
#ifndef IMGPIPE_REDIS_SERVER_H
#define IMGPIPE_REDIS_SERVER_H

#include <pthread.h>
#include <stdint.h>

#include "buf.h"
#include "dict.h"
#include "object.h"
#include "resp.h"

struct redis_server;
struct redis_command;
struct redis_persist;

#define REDIS_DBS 16
#define REDIS_VERSION "7.0.15"
#define REDIS_OUT_MAX ((size_t)2 << 30)       /* reply buffer hard cap */
#define REDIS_OUT_PUBSUB_MAX ((size_t)32 << 20) /* as client-output-buffer-limit pubsub */

/* Shared error texts (the reply adds "-" and CRLF). */
#define ERR_SYNTAX "ERR syntax error"
#define ERR_WRONGTYPE \
	"WRONGTYPE Operation against a key holding the wrong kind of value"
#define ERR_NOTINT "ERR value is not an integer or out of range"
#define ERR_NOTFLOAT "ERR value is not a valid float"
#define ERR_NOKEY "ERR no such key"
#define ERR_RANGE "ERR index out of range"
#define ERR_OVERFLOW "ERR increment or decrement would overflow"

/* A list of clients (subscribers of a channel, clients blocked on a key,
 * watchers of a key), in arrival order. */
struct clist {
	struct redis_client **v;
	size_t n, cap;
};

void clist_add(struct clist *l, struct redis_client *c);
/* Remove c (keeping order); returns 1 if it was there. */
int clist_remove(struct clist *l, struct redis_client *c);
void clist_free(void *l);

/* A key of a given database, for the server-wide tables: 1 byte of db
 * index, then the key.  Caller frees. */
struct rstr *redis_dbkey(int db, const char *key, size_t len);

struct redis_db {
	struct redis_server *srv;
	int id;
	struct dict *keys;      /* key -> struct robj* (owned) */
	struct dict *expires;   /* key -> v.i, deadline in ms since epoch */
	uint64_t expire_cursor; /* where the active expiry sweep resumes */
};

/* Client flags. */
#define CLIENT_CLOSE_AFTER_REPLY (1u << 0) /* QUIT, protocol error */
#define CLIENT_CLOSE_ASAP        (1u << 1) /* dead: freed at end of turn */
#define CLIENT_MULTI             (1u << 2) /* between MULTI and EXEC */
#define CLIENT_DIRTY_CAS         (1u << 3) /* a WATCHed key changed */
#define CLIENT_DIRTY_EXEC        (1u << 4) /* a queued command was bad */
#define CLIENT_BLOCKED           (1u << 5) /* in BLPOP/BRPOP */
#define CLIENT_PENDING_WRITE     (1u << 6) /* on the pending-write list */
#define CLIENT_EPOLLOUT          (1u << 7) /* registered for EPOLLOUT */
#define CLIENT_UNBLOCKED         (1u << 8) /* input left to process */
#define CLIENT_IN_EXEC           (1u << 9) /* running EXEC's commands */

struct multi_cmd {
	const struct redis_command *cmd;
	struct rstr **argv;  /* owned */
	size_t argc;
};

struct watched_key {
	int db;
	struct rstr *key;    /* owned */
};

struct redis_client {
	struct redis_server *srv;
	uint64_t id;
	int fd;
	char addr[64];              /* peer "ip:port" */
	char laddr[64];             /* local "ip:port" */
	unsigned flags;             /* CLIENT_* */
	int resp;                   /* protocol: 2 or 3 */
	int authenticated;
	struct redis_db *db;
	char *name;                 /* CLIENT SETNAME, or NULL */
	char *lib_name, *lib_ver;   /* CLIENT SETINFO, or NULL */
	int64_t ctime_ms;           /* connected (monotonic) */
	int64_t last_ms;            /* last command (monotonic) */

	/* Input. */
	char *qbuf;                 /* bytes read, not yet parsed */
	size_t qlen, qcap;
	struct resp_parser parser;
	struct rstr **argv;         /* the command being run */
	size_t argc;
	const struct redis_command *cmd;      /* its table row */
	const struct redis_command *last_cmd; /* for CLIENT INFO */

	/* Output: replies not yet written; out_sent bytes already sent. */
	struct buf out;
	size_t out_sent;

	/* MULTI/WATCH. */
	struct multi_cmd *mq;
	size_t mq_len, mq_cap;
	struct watched_key *watched;
	size_t n_watched, cap_watched;

	/* Pub/sub. */
	struct dict *channels;      /* channel -> NULL, or NULL */
	struct dict *patterns;      /* pattern -> NULL, or NULL */

	/* BLPOP/BRPOP. */
	struct {
		struct rstr **keys; /* owned */
		size_t n;
		int db;
		int where;          /* LIST_HEAD or LIST_TAIL */
		int64_t deadline;   /* monotonic ms, 0 = forever */
	} bpop;

	struct redis_client *prev, *next;  /* all clients */
	struct redis_client *next_pending; /* pending-write list */
	struct redis_client *next_closing; /* closing list */
};

/* Per-command counters (INFO commandstats). */
struct redis_cmd_stat {
	uint64_t calls;
	uint64_t usec;
	uint64_t rejected;
	uint64_t failed;
};

/* Cross-thread requests served by the loop (see server.c). */
enum redis_xreq {
	XREQ_NONE,
	XREQ_RESET,
	XREQ_RESOURCES,
};

struct redis_server {
	struct emulator *emu;
	const struct config *cfg;
	int listen_fd;
	int epfd;
	int wake_fd;                /* eventfd: stop and cross-thread calls */
	int port;
	pthread_t thread;
	int thread_started;
	int stopping;               /* read/written under lock */
	int loop_done;              /* the loop has exited (under lock) */

	struct redis_db db[REDIS_DBS];
	struct redis_client *clients;
	size_t n_clients;
	uint64_t next_client_id;
	struct redis_client *pending_writes;
	struct redis_client *closing;   /* CLOSE_ASAP, freed at turn end */
	struct clist unblocked;     /* unblocked with input left to run */

	struct dict *cmd_lookup;    /* lower-case name -> v.ptr row */
	struct dict *cmd_index;     /* row address -> v.i index below */
	const struct redis_command **cmd_rows;   /* every row, subs too */
	const struct redis_command **cmd_parent; /* its parent, or NULL */
	struct redis_cmd_stat *cmd_stats;        /* per row */
	size_t n_cmd_rows;

	struct dict *pubsub_channels; /* channel -> struct clist* */
	struct dict *pubsub_patterns; /* pattern -> struct clist* */
	struct dict *watched_keys;  /* dbkey -> struct clist* */
	struct dict *blocking_keys; /* dbkey -> struct clist* */
	struct dict *ready_keys;    /* dbkey -> NULL: lists pushed to */
	size_t n_blocked;

	struct redis_persist *persist; /* NULL when durability is off */
	struct dict *config;        /* CONFIG values: name -> char* */

	/* Stats for INFO. */
	uint64_t stat_connections;
	uint64_t stat_commands;
	uint64_t stat_rejected_conns;
	uint64_t stat_hits, stat_misses;
	uint64_t stat_expired;
	uint64_t stat_net_in, stat_net_out;
	uint64_t stat_errors;
	int64_t start_ms;           /* wall clock at start */
	int64_t start_mono;
	uint64_t rng;

	/* Cross-thread request slot. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum redis_xreq xreq;
	void *xresult;
	int xdone;
};

/* ---- server.c ---------------------------------------------------------- */

/* Mark a client dead; it is freed at the end of the turn. */
void redis_client_close_asap(struct redis_client *c);
/* Put c on the pending-write list (reply.c calls it). */
void redis_client_want_write(struct redis_client *c);
/* Run the commands waiting in c's input (after it was unblocked). */
void redis_client_process_input(struct redis_client *c);
/* FLUSHALL on every db (commands and redis_server_reset). */
void redis_flush_all(struct redis_server *srv);

/* ---- reply.c ------------------------------------------------------------ */

void reply_raw(struct redis_client *c, const void *p, size_t len);
void reply_ok(struct redis_client *c);
void reply_status(struct redis_client *c, const char *s);
/* An error: s is "ERR ..." / "WRONGTYPE ..." (CR/LF replaced by spaces). */
void reply_error(struct redis_client *c, const char *s);
void reply_errorf(struct redis_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void reply_error_arity(struct redis_client *c, const char *name);
void reply_bulk(struct redis_client *c, const void *p, size_t len);
void reply_bulk_cstr(struct redis_client *c, const char *s);
void reply_bulk_rstr(struct redis_client *c, const struct rstr *s);
void reply_bulk_ll(struct redis_client *c, long long v);
void reply_long(struct redis_client *c, long long v);
void reply_double(struct redis_client *c, double d);
void reply_bool(struct redis_client *c, int v);
void reply_null(struct redis_client *c);       /* $-1 / _ */
void reply_null_array(struct redis_client *c); /* *-1 / _ */
void reply_array(struct redis_client *c, size_t n);
void reply_map(struct redis_client *c, size_t n);  /* n pairs */
void reply_set(struct redis_client *c, size_t n);
void reply_push(struct redis_client *c, size_t n);
void reply_verbatim(struct redis_client *c, const char *s, size_t len);
/* Deferred length: reply_defer returns a mark; reply_defer_set inserts
 * the header ('*', '%' or '~') with n elements (pairs for '%') there. */
size_t reply_defer(struct redis_client *c);
void reply_defer_set(struct redis_client *c, size_t mark, char type,
		     size_t n);

/* Argument parsing that replies on failure (returns -1 then). */
int arg_ll(struct redis_client *c, const struct rstr *a, long long *out);
int arg_ll_msg(struct redis_client *c, const struct rstr *a,
	       long long *out, const char *msg);
int arg_double(struct redis_client *c, const struct rstr *a, double *out);
int arg_ld(struct redis_client *c, const struct rstr *a, long double *out);
int arg_is(const struct rstr *a, const char *lit);

/* ---- db.c --------------------------------------------------------------- */

/* Lookup with lazy expiry.  Read lookups count hits/misses. */
struct robj *db_lookup(struct redis_db *db, const char *key, size_t len);
struct robj *db_lookup_read(struct redis_db *db, const char *key,
			    size_t len);
/* Lookup c->argv[i] expecting type: 0 with *out (NULL when missing), or
 * -1 after replying WRONGTYPE. */
int db_get_typed(struct redis_client *c, size_t i, enum robj_type type,
		 int for_write, struct robj **out);
/* Add a key that does not exist (takes o). */
void db_add(struct redis_db *db, const char *key, size_t len,
	    struct robj *o);
/* Set key to o (takes o), replacing any value; clears the TTL unless
 * keepttl. */
void db_set(struct redis_db *db, const char *key, size_t len,
	    struct robj *o, int keepttl);
int db_delete(struct redis_db *db, const char *key, size_t len);
/* Take a value out without freeing it (RENAME). */
struct robj *db_take(struct redis_db *db, const char *key, size_t len);
void db_set_expire(struct redis_db *db, const char *key, size_t len,
		   int64_t when_ms);
/* Deadline in ms, or -1 when the key has no TTL. */
int64_t db_get_expire(struct redis_db *db, const char *key, size_t len);
int db_remove_expire(struct redis_db *db, const char *key, size_t len);
void db_flush(struct redis_db *db);
/* One active-expiry cycle over every db, bounded by time_us. */
void db_active_expire(struct redis_server *srv, int64_t time_us);

/* Modification hooks: WATCH, blocked clients and persistence hear of
 * every write through these (called by the type files). */
void db_key_changed(struct redis_db *db, const char *key, size_t len);
void db_meta_changed(struct redis_db *db, const char *key, size_t len);
void db_elem_changed(struct redis_db *db, const char *key, size_t len,
		     const char *sub, size_t sublen);
/* List element with position pos changed (persist.c's row key). */
void db_list_elem_changed(struct redis_db *db, const char *key,
			  size_t len, int64_t pos);
/* Delete the key when its collection became empty; returns 1 if so. */
int db_delete_if_empty(struct redis_db *db, const char *key, size_t len,
		       struct robj *o);

/* ---- keys.c ------------------------------------------------------------- */

/* A SCAN cursor, or -1 after replying "invalid cursor". */
int redis_parse_cursor(struct redis_client *c, const struct rstr *a,
		       unsigned long long *out);

/* The SCAN family: argv[cursor_at] is the cursor; scans d (NULL: the
 * keyspace of c's db) replying [cursor, [items]]; for hashes and zsets
 * each item is followed by its value. */
void redis_scan_generic(struct redis_client *c, struct robj *o,
			size_t cursor_at);

/* ---- persist.c ---------------------------------------------------------- */

enum persist_kind {
	PERSIST_WHOLE,  /* type, value, TTL and every element */
	PERSIST_META,   /* type, string value, TTL */
	PERSIST_ELEM,   /* one element (hash field, member, list position) */
	PERSIST_DROP,   /* the old value was a collection: drop its rows */
};

int redis_persist_open(struct redis_server *srv, char *err, size_t errlen);
void redis_persist_mark(struct redis_persist *p, int db, const char *key,
			size_t len, enum persist_kind kind, const char *sub,
			size_t sublen);
void redis_persist_mark_flush(struct redis_persist *p, int db);
/* Commit what this turn changed; 0 or -1 (logged). */
int redis_persist_commit(struct redis_server *srv);
/* Tune the loop thread's connection (first thing the loop does). */
void redis_persist_thread_init(struct redis_persist *p);
void redis_persist_close(struct redis_persist *p);

/* ---- multi.c, pubsub.c, blocked.c ----------------------------------------- */

void redis_touch_key(struct redis_db *db, const char *key, size_t len);
void redis_touch_db(struct redis_db *db);
void redis_unwatch_all(struct redis_client *c);
void redis_multi_free(struct redis_client *c);
void redis_queue_command(struct redis_client *c);

void redis_pubsub_client_free(struct redis_client *c);
size_t redis_pubsub_count(const struct redis_client *c);
size_t redis_pubsub_npatterns(const struct redis_server *srv);

void redis_signal_key_ready(struct redis_db *db, const char *key,
			    size_t len);
/* Block c on argv[first..last] (BLPOP/BRPOP); deadline 0 = forever. */
void redis_block_on_keys(struct redis_client *c, size_t first, size_t last,
			 int where, int64_t deadline);
/* Pop one element of the non-empty list at key in db and reply
 * [key, element] to c (t_list.c; blocked.c serves clients with it). */
void redis_list_pop_reply(struct redis_client *c, struct redis_db *db,
			  const char *key, size_t len, int where);
void redis_serve_ready_keys(struct redis_server *srv);
void redis_unblock(struct redis_client *c);
void redis_blocked_timeouts(struct redis_server *srv, int64_t now_mono);
/* Earliest blocked deadline (monotonic ms), or 0. */
int64_t redis_blocked_next_deadline(struct redis_server *srv);

/* ---- commands.c --------------------------------------------------------- */

typedef void redis_cmd_fn(struct redis_client *c);

/* Command flags. */
#define CMD_WRITE     (1u << 0)  /* may modify the keyspace */
#define CMD_READONLY  (1u << 1)  /* reads the keyspace */
#define CMD_FAST      (1u << 2)  /* O(1) or O(log N) */
#define CMD_NOAUTH    (1u << 3)  /* allowed before AUTH */
#define CMD_PUBSUB_OK (1u << 4)  /* allowed in RESP2 subscribed context */
#define CMD_NO_MULTI  (1u << 5)  /* runs at once inside MULTI */
#define CMD_DENYOOM   (1u << 6)  /* may grow memory */
#define CMD_ADMIN     (1u << 7)
#define CMD_PUBSUB    (1u << 8)  /* a pub/sub command */
#define CMD_BLOCKING  (1u << 9)
#define CMD_LOADING   (1u << 10) /* allowed while loading */
#define CMD_STALE     (1u << 11)

struct redis_command {
	const char *name;        /* lower case; a subcommand's full name
				    ("client|setname") is built on demand */
	redis_cmd_fn *proc;      /* MUST be set (NULL for a container) */
	int arity;               /* N: exactly N args; -N: at least N */
	unsigned flags;          /* CMD_* */
	int first_key;           /* 0 = no keys */
	int last_key;            /* -1 = last argument */
	int key_step;
	const char *group;       /* COMMAND DOCS group */
	const char *summary;     /* COMMAND DOCS summary */
	const struct redis_command *sub; /* subcommands, or NULL */
	size_t n_sub;
};

extern const struct redis_command redis_commands[];
extern const size_t redis_n_commands;

void redis_commands_init(struct redis_server *srv);
const struct redis_command *redis_lookup_command(struct redis_server *srv,
						 const struct rstr *name);
/* Check and run (or queue) c->argv. */
void redis_process_command(struct redis_client *c);
/* Run cmd with c->argv (no checks); used by the dispatcher and EXEC. */
void redis_call(struct redis_client *c, const struct redis_command *cmd);
/* The parent of a subcommand row, or NULL. */
const struct redis_command *redis_command_parent(struct redis_server *srv,
						 const struct redis_command *cmd);
/* INFO commandstats lines. */
void redis_commandstats(struct redis_server *srv, struct buf *b);
/* "get" or "client|setname", for errors and stats. */
void redis_command_fullname(const struct redis_command *cmd,
			    const struct redis_command *parent, char *out,
			    size_t outlen);

/* ---- admin.c ------------------------------------------------------------ */

void redis_config_init(struct redis_server *srv);
const char *redis_config_get(struct redis_server *srv, const char *name);
long long redis_config_ll(struct redis_server *srv, const char *name);
/* The OBJECT ENCODING name of a value. */
const char *redis_encoding(struct redis_server *srv, const struct robj *o);

/* ---- command procedures ---------------------------------------------------- */

#define REDIS_CMD(name) void redis_cmd_##name(struct redis_client *c);
#include "cmdlist.h"
#undef REDIS_CMD

#endif
