/*
 * lambda.h - what the files of the Lambda service share (not for other
 * services: they reach Lambda through the bus in service.h).
 *
 * The service is split by concern:
 *   lambda.c            the op tables, the two service rows, init/start/
 *                       shutdown/reset/resources, the package download
 *   lambda_db.c         SQLite schema and the function/version rows
 *   lambda_names.c      function names, ARNs and qualifiers
 *   lambda_config.c     FunctionConfiguration JSON: defaults, validation
 *   lambda_code.c       the zip: base64, sha256, blob, safe unpacking
 *   lambda_fn.c         create/get/list/update/delete functions
 *   lambda_version.c    PublishVersion, ListVersionsByFunction
 *   lambda_alias.c      CreateAlias, GetAlias, ListAliases, UpdateAlias,
 *                       DeleteAlias
 *   lambda_extra.c      permissions, event invoke config, concurrency,
 *                       code signing
 *   lambda_tags.c       tags, account settings
 *   lambda_worker.c     one `bootstrap` child: environment, spawn, output
 *   lambda_pool.c       invocations onto workers (per-function pools)
 *   lambda_supervisor.c the thread that reaps, times out and cleans up
 *   lambda_runtime.c    the Runtime API the children talk to
 *   lambda_invoke.c     Invoke (sync, Event, DryRun), the bus hook
 *   lambda_async.c      the durable async queue and its dispatcher
 *   lambda_hot.c        hot reload: code from a watched local directory
 *
 * Locking: one mutex (state->lock) guards every in-memory runtime
 * structure (lambda_rt, lambda_worker, lambda_inv).  The edge calls a
 * parked request's cancel hook with its own lock held, and req_resume
 * takes that lock, so req_resume is never called with state->lock held:
 * work that resumes requests is queued on state->resume / state->done
 * under the lock and carried out by lambda_flush() after unlocking.
 */
#ifndef IMGPIPE_LAMBDA_H
#define IMGPIPE_LAMBDA_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "service.h"
#include "store.h"

struct cJSON;

#define LAMBDA_SYNC_MAX_PAYLOAD (6u * 1024 * 1024)   /* 6291456 */
#define LAMBDA_ASYNC_MAX_PAYLOAD (256u * 1024)       /* 262144 */
#define LAMBDA_RESPONSE_MAX (6u * 1024 * 1024)
#define LAMBDA_DEFAULT_CAP 10          /* workers per function */
#define LAMBDA_LOG_TAIL 4096           /* X-Amz-Log-Result bytes */
#define LAMBDA_INV_LOG_CAP (64 * 1024) /* log kept per invocation */

struct lambda_rt;
struct lambda_worker;

/* One invocation, from Invoke (or the async queue) to its result. */
struct lambda_inv {
	struct lambda_inv *next;     /* pending queue / done list link */
	char request_id[37];
	char *payload;               /* heap, owned */
	size_t len;
	char *client_context;        /* heap or NULL (base64 as received) */
	int log_tail;                /* LogType: Tail */
	int64_t queued_ms;
	int64_t wait_deadline_ms;    /* sync: TooManyRequests after this */
	int64_t deadline_ms;         /* set when a worker takes it */
	int64_t started_us;
	struct request *req;         /* parked sync Invoke, or NULL */
	int64_t async_id;            /* async_events row, or 0 */
	int attempts;                /* async: runs before this one */
	int64_t enqueued_ms;         /* async: when it was queued */
	char *function;              /* async: name and qualifier (heap) */
	char *qualifier;
	char *version;               /* executed version ("$LATEST") */
	struct lambda_worker *worker;/* running it, or NULL */
	int cold;                    /* first call of its worker */
	int64_t init_ms;             /* that worker's init duration */
	struct buf log;              /* START..REPORT lines of this call */
	char *log_group;             /* where the log goes (heap), set by */
	char *log_stream;            /* lambda_inv_finish from the worker */
	/* Result, once done. */
	int done;
	int http_status;             /* 200, or an error status */
	const char *err_code;        /* service error instead of a result */
	char *err_message;           /* heap, with err_code */
	char *result;                /* heap payload (function's output) */
	size_t result_len;
	char *function_error;        /* "Unhandled" or NULL (heap) */
	char *error_type;            /* errorType for async records (heap) */
};

enum lambda_worker_state {
	LW_STARTING, /* spawned, has not asked for work yet */
	LW_IDLE,     /* between invocations */
	LW_BUSY,     /* running lambda_worker.inv */
	LW_DEAD,     /* exited or killed; the supervisor reaps it */
};

struct lambda_worker {
	struct lambda_worker *next;  /* in rt->workers */
	struct lambda_rt *rt;
	char token[17];              /* names it in Runtime API paths */
	char log_stream[96];         /* YYYY/MM/DD/[version]token */
	pid_t pid;                   /* process group leader */
	int out_fd;                  /* stdout+stderr, non-blocking, or -1 */
	enum lambda_worker_state state;
	struct request *next_req;    /* parked /invocation/next, or NULL */
	struct lambda_inv *inv;      /* current invocation, or NULL */
	char partial[1024];          /* an output line not yet ended */
	size_t partial_len;
	int exited;                  /* waitpid saw it go */
	int exit_status;             /* wait status */
	int killed_for_timeout;
	int ready;                   /* has asked for work once */
	int served;                  /* has taken an invocation */
	int64_t init_ms;             /* spawn to first /next */
	long maxrss_kb;              /* from wait4 once exited */
	int retire;                  /* kill when it next goes idle */
	char *init_error;            /* body of /runtime/init/error (heap) */
	char *init_error_type;
	int64_t spawned_ms;
	int64_t init_deadline_ms;
};

/* The runtime side of one function version: its workers and queue. */
struct lambda_rt {
	struct lambda_rt *next;
	char *name;
	char *version;               /* "$LATEST" or "1", "2", ... */
	char *arn;                   /* qualified function ARN */
	char *code_dir;              /* unpacked code */
	char *handler;
	char **env;                  /* NULL-terminated, heap */
	int timeout_s;
	int memory_mb;
	int cap;                     /* most workers at once */
	int stale;                   /* deleted: finish and go */
	int reload;                  /* configuration changed: reload */
	int hot_wd;                  /* inotify watch of a hot-reload code
					directory, or 0 */
	struct lambda_worker *workers;
	int n_workers;
	int n_busy;
	struct lambda_inv *pending;  /* FIFO */
	struct lambda_inv *pending_tail;
	int64_t init_fail_until_ms;  /* after an init error: fail fast */
};

/* A parked request to answer (resp already filled) after unlocking. */
struct lambda_resume {
	struct lambda_resume *next;
	struct request *req;
};

struct lambda_state {
	struct emulator *emu;
	struct store_db *db;
	char root[PATH_MAX];         /* <data-dir>/lambda */
	pthread_mutex_t lock;
	pthread_cond_t wake;         /* the dispatcher's */
	struct lambda_rt *rts;
	struct lambda_resume *resume;/* to resume after unlocking */
	struct lambda_inv *done;     /* finished, to report after unlocking */
	int wake_pipe[2];            /* wakes the supervisor's poll */
	pthread_t supervisor;
	pthread_t dispatcher;
	int threads_started;
	int stopping;
	int edge_stopping;           /* a parked request was cancelled */
	int default_cap;
	int sync_wait_ms;            /* wait for a free worker, sync calls */
	int64_t retry_base_ms;       /* async retry backoff unit */
	int async_running;           /* async invocations in workers */
	int inotify_fd;              /* hot-reload watches, or -1 */
	char session_token[64];
};

/* ---- lambda_hot.c ------------------------------------------------ */
/* Is blob a hot-reload pseudo blob id? */
int lambda_hot_blob(const char *blob);
/* Code {"S3Bucket":"hot-reload","S3Key":dir}: check dir, record it under
 * a new pseudo blob id (blob, STORE_BLOB_ID_LEN + 1 bytes) and fill
 * sha256 (base64 of the path's SHA-256) and size (0).  0, or -1 with
 * the error recorded. */
int lambda_hot_code(struct lambda_state *st, struct request *req,
		    const char *dir, char *blob, char *sha256, int64_t *size);
/* The directory of a pseudo blob (heap), or NULL. */
char *lambda_hot_dir(struct lambda_state *st, const char *blob);
/* Forget a pseudo blob (the directory itself is the user's). */
void lambda_hot_remove(struct lambda_state *st, const char *blob);
/* Open / close the inotify descriptor (lambda_pool_start/stop). */
int lambda_hot_start(struct lambda_state *st);
void lambda_hot_stop(struct lambda_state *st);
/* Watch dir; its watch descriptor, or 0 when it cannot be watched. */
int lambda_hot_watch(struct lambda_state *st, const char *dir);
/* The distinct watch descriptors with pending events (at most max) into
 * wds, draining the descriptor; returns how many. */
size_t lambda_hot_read(struct lambda_state *st, int *wds, size_t max);

/* ---- lambda.c ---------------------------------------------------- */
extern const struct service lambda_service;

/* ---- lambda_names.c ---------------------------------------------- */
/*
 * Split a FunctionName as the API takes it (name, partial ARN
 * "123456789012:function:name", full ARN, each optionally ":qualifier")
 * into name and qualifier (NULL when absent), allocated in arena.
 * Returns 0, or -1 when it is not a valid function name.
 */
int lambda_parse_function_name(struct arena *arena, const char *input,
			       const char **name, const char **qualifier);
/* Is s a valid bare function name (1-64 of [A-Za-z0-9_-])? */
int lambda_valid_name(const char *s);
/* arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] in
 * the arena. */
char *lambda_function_arn(struct arena *arena, const struct emulator *emu,
			  const char *name, const char *qualifier);
/* The FunctionName and Qualifier of req (path + ?Qualifier=), checked;
 * records the AWS error and returns -1 when malformed or in conflict. */
int lambda_req_function(struct request *req, const char **name,
			const char **qualifier);
/* "2024-01-02T03:04:05.678+0000" for epoch ms (Lambda's LastModified). */
void lambda_time_modified(int64_t ms, char out[40]);

/* ---- lambda_db.c ------------------------------------------------- */
int lambda_db_open(struct lambda_state *st, char *errbuf, size_t errlen);
/*
 * The stored configuration of name at qualifier ($LATEST when NULL; a
 * version number; or an alias name, resolved) as a cJSON the caller
 * frees; code_blob (may be NULL) receives the code blob id (33 bytes).
 * NULL when there is no such function/version: *found_name tells
 * whether the function exists at all.
 */
struct cJSON *lambda_db_config(struct lambda_state *st, const char *name,
			       const char *qualifier, char *code_blob,
			       int *found_name);
/* A text column of the functions row (tags, policy, invoke_config,
 * code_signing) as a heap string, or NULL (also when absent). */
char *lambda_db_column(struct lambda_state *st, const char *name,
		       const char *column, int *found);
/* Set that column (value NULL stores NULL).  0, 1 when no such
 * function, -1 on a database error. */
int lambda_db_set_column(struct lambda_state *st, const char *name,
			 const char *column, const char *value);
/* Reserved concurrency of name, -1 when none (or no function). */
int lambda_db_concurrency(struct lambda_state *st, const char *name);

/* ---- lambda_config.c --------------------------------------------- */
/*
 * Apply the configuration fields of a CreateFunction or
 * UpdateFunctionConfiguration body to cfg (a FunctionConfiguration
 * object); is_create checks the fields only CreateFunction takes.
 * Records the AWS error and returns -1 on a bad value.
 */
int lambda_config_apply(struct request *req, struct cJSON *cfg,
			const struct cJSON *body, int is_create);
/* Set the fields that change on every write (LastModified, RevisionId). */
void lambda_config_touch(struct cJSON *cfg);
/* Integer field of a config with a default. */
int lambda_config_int(const struct cJSON *cfg, const char *field, int dflt);
/* String field of a config or NULL. */
const char *lambda_config_str(const struct cJSON *cfg, const char *field);

/* ---- lambda_code.c ----------------------------------------------- */
/*
 * Take the Code (or UpdateFunctionCode body) of req: decode ZipFile
 * (base64), store it as a blob and unpack it under st->root/code/<blob>.
 * Fills blob (33 bytes), sha256 (base64, 45 bytes) and *size.
 * Records the AWS error and returns -1 on failure (nothing left behind).
 */
int lambda_code_store(struct lambda_state *st, struct request *req,
		      const struct cJSON *code, char *blob,
		      char *sha256, int64_t *size);
/* The unpacked directory of blob, unpacking it again if it is missing;
 * heap string, or NULL (logged). */
char *lambda_code_dir(struct lambda_state *st, const char *blob);
/* Remove a code blob and its unpacked directory. */
void lambda_code_remove(struct lambda_state *st, const char *blob);
/* Unpack zip file zip_path into the new directory dir (refusing
 * absolute paths, ".." and links): 0 or -1. */
int lambda_unzip(const char *zip_path, const char *dir);
/* Is this zip entry name safe to extract? (unit-tested) */
int lambda_zip_name_ok(const char *name);

/* ---- lambda_worker.c --------------------------------------------- */
/* Lambda's environment for rt's workers plus the function's variables
 * (heap, NULL-terminated; lambda_worker_free_env). */
char **lambda_worker_env(struct lambda_state *st, const struct lambda_rt *rt,
			 const struct cJSON *cfg);
void lambda_worker_free_env(char **env);
/* Start a worker for rt (linked into rt); NULL with the reason in why. */
struct lambda_worker *lambda_worker_spawn(struct lambda_state *st,
					  struct lambda_rt *rt, char *why,
					  size_t whylen);
/* Append to inv's log, keeping the newest bytes when full. */
void lambda_inv_log(struct lambda_inv *inv, const char *text, size_t len);
/* Log a line the worker left without its newline. */
void lambda_worker_flush_partial(struct lambda_worker *w);
/* SIGKILL the worker's process group; marks it LW_DEAD. */
void lambda_worker_kill(struct lambda_worker *w);
/* Peak RSS of a live worker in MB (from /proc), or 0. */
int lambda_worker_max_rss_mb(const struct lambda_worker *w);

/* ---- lambda_pool.c ----------------------------------------------- */
int lambda_pool_start(struct lambda_state *st);
void lambda_pool_stop(struct lambda_state *st);
/* Kill the workers of name (every version), e.g. after an update or a
 * delete; running invocations finish first unless kill_busy. Locks. */
void lambda_pool_forget(struct lambda_state *st, const char *name,
			int kill_busy);
/*
 * Queue inv on name/qualifier's pool (loading the configuration when the
 * pool is new); st->lock NOT held.  Returns 0 (inv is the pool's now), or
 * -1 with the AWS error in inv->err_code/err_message (caller keeps inv).
 */
int lambda_pool_submit(struct lambda_state *st, const char *name,
		       const char *qualifier, struct lambda_inv *inv,
		       int is_async);
/* Free a pool with no workers and nothing waiting. */
void lambda_rt_free(struct lambda_rt *rt);
/* Take the first waiting invocation of rt (lock held), or NULL. */
struct lambda_inv *lambda_pool_take(struct lambda_rt *rt);
/* Fail inv with a function error {"errorType":type,"errorMessage":
 * "RequestId: <id> Error: <msg>"} (lock held). */
void lambda_inv_function_error(struct lambda_state *st,
			       struct lambda_inv *inv, const char *type,
			       const char *msg);
/* Start workers for what waits on rt, within its cap (lock held). */
void lambda_pool_ensure(struct lambda_state *st, struct lambda_rt *rt);
/* Queue a parked request to resume after the unlock (lock held). */
void lambda_pool_push_resume(struct lambda_state *st, struct request *req);
/* Run what was queued for after the unlock (resumes, results). */
void lambda_flush(struct lambda_state *st);
/* Finish inv (lock held): result or error, END/REPORT lines, onto the
 * done list.  Takes ownership of result. */
void lambda_inv_finish(struct lambda_state *st, struct lambda_inv *inv,
		       char *result, size_t len, const char *function_error,
		       const char *error_type);
/* Hand inv to worker w whose /next request is parked (lock held). */
void lambda_pool_deliver(struct lambda_state *st, struct lambda_worker *w,
			 struct lambda_inv *inv, struct request *next_req);
/* Find a worker by token ("" or NULL: the only live worker). Lock held. */
struct lambda_worker *lambda_pool_worker(struct lambda_state *st,
					 const char *token);
/* Drain w's output into its invocation's log (lock held). */
void lambda_pool_drain(struct lambda_state *st, struct lambda_worker *w);
/* Free an invocation. */
void lambda_inv_free(struct lambda_inv *inv);
struct lambda_inv *lambda_inv_new(const char *payload, size_t len);
/* Kill every worker and forget every pool (reset, shutdown). */
void lambda_pool_clear(struct lambda_state *st);
/* Wake the supervisor. */
void lambda_pool_kick(struct lambda_state *st);
/* Describe the pools as JSON (resources). */
struct cJSON *lambda_pool_describe(struct lambda_state *st);

/* ---- lambda_invoke.c --------------------------------------------- */
int lambda_invoke(struct request *req, struct response *resp);
int lambda_invoke_async_v1(struct request *req, struct response *resp);
/* The bus hook: queue an Event invocation durably. */
int lambda_bus_invoke_async(void *lambda, const char *function_arn,
			    const char *payload, size_t len, char *errbuf,
			    size_t errlen);
/* ---- lambda_policy.c --------------------------------------------- */
/* The bus hook: does the resource policy allow principal to invoke
 * function_arn for source_arn?  1 or 0. */
int lambda_bus_allows(void *lambda, const char *function_arn,
		      const char *principal, const char *source_arn);
/* An invocation finished (called by lambda_flush, no lock held). */
void lambda_invoke_completed(struct lambda_state *st, struct lambda_inv *inv);
/* ---- lambda_async.c ---------------------------------------------- */
/* Queue an Event invocation durably (and wake the dispatcher); 0 or -1. */
int lambda_async_enqueue(struct lambda_state *st, const char *name,
			 const char *qualifier, const char *payload,
			 size_t len, const char *request_id);
/* An async invocation finished: delete, retry or record it. */
void lambda_async_completed(struct lambda_state *st, struct lambda_inv *inv);
int lambda_dispatcher_start(struct lambda_state *st);
void lambda_dispatcher_stop(struct lambda_state *st);

/* ---- lambda_fn.c / lambda_version.c (shared helpers) -------------- */
/* Replace (value NULL: remove) a string field of cfg. */
void lambda_set_str(struct cJSON *cfg, const char *field, const char *value);
/* MaxItems of a list call (1..10000, default dflt); -1 with the error. */
int lambda_max_items(struct request *req, int dflt);
/* The RevisionId precondition of an update body; -1 with the error. */
int lambda_check_revision(struct request *req, const struct cJSON *body,
			  const struct cJSON *cfg);
/* Freeze $LATEST (its configuration, code blob) as the next version
 * inside the caller's open transaction; returns the version's
 * configuration (caller frees) or NULL on a database error. */
struct cJSON *lambda_publish_locked(struct lambda_state *st,
				    struct request *req, const char *name,
				    const struct cJSON *latest,
				    const char *blob, const char *description);

/* ---- handlers ---------------------------------------------------- */
int lambda_create_function(struct request *req, struct response *resp);
int lambda_get_function(struct request *req, struct response *resp);
int lambda_get_function_configuration(struct request *req,
				      struct response *resp);
int lambda_list_functions(struct request *req, struct response *resp);
int lambda_delete_function(struct request *req, struct response *resp);
int lambda_update_function_code(struct request *req, struct response *resp);
int lambda_update_function_configuration(struct request *req,
					 struct response *resp);
int lambda_publish_version(struct request *req, struct response *resp);
int lambda_list_versions(struct request *req, struct response *resp);
int lambda_create_alias(struct request *req, struct response *resp);
int lambda_get_alias(struct request *req, struct response *resp);
int lambda_list_aliases(struct request *req, struct response *resp);
int lambda_update_alias(struct request *req, struct response *resp);
int lambda_delete_alias(struct request *req, struct response *resp);

int lambda_add_permission(struct request *req, struct response *resp);
int lambda_get_policy(struct request *req, struct response *resp);
int lambda_remove_permission(struct request *req, struct response *resp);
int lambda_put_event_invoke_config(struct request *req,
				   struct response *resp);
int lambda_update_event_invoke_config(struct request *req,
				      struct response *resp);
int lambda_get_event_invoke_config(struct request *req,
				   struct response *resp);
int lambda_delete_event_invoke_config(struct request *req,
				      struct response *resp);
int lambda_put_concurrency(struct request *req, struct response *resp);
int lambda_get_concurrency(struct request *req, struct response *resp);
int lambda_delete_concurrency(struct request *req, struct response *resp);
int lambda_get_code_signing(struct request *req, struct response *resp);
int lambda_list_tags(struct request *req, struct response *resp);
int lambda_tag_resource(struct request *req, struct response *resp);
int lambda_untag_resource(struct request *req, struct response *resp);
int lambda_get_account_settings(struct request *req, struct response *resp);

int lambda_rt_next(struct request *req, struct response *resp);
int lambda_rt_response(struct request *req, struct response *resp);
int lambda_rt_error(struct request *req, struct response *resp);
int lambda_rt_init_error(struct request *req, struct response *resp);

/* The Lambda state from any request (both service rows). */
struct lambda_state *lambda_state_of(struct request *req);
/* Record ResourceNotFoundException for name[:qualifier]; returns -1. */
int lambda_not_found(struct request *req, const char *name,
		     const char *qualifier);

#endif
