/*
 * store.c - the SQLite side of the store: one database per component,
 * per-thread connections with their prepared-statement caches, numbered
 * migrations and transactions.  The files of the data dir (its layout and
 * the blobs) are in store_blob.c.
 *
 * Entry points, in call order:
 *   store_open        lay out the data dir (store_dir_init, in
 *                     store_blob.c); make the pthread key
 *   store_db_open     main thread, at a component's init: open
 *                     <component>.db and run its migrations
 *   store_db_conn / store_prepare / store_begin / store_commit /
 *   store_rollback / store_exec
 *                     any thread; the first call of a thread makes its
 *                     struct store_thread (kept in the pthread key and in
 *                     the store's registry), the first call for a database
 *                     opens the thread's connection to it
 *   store_close       once every user has stopped: closes the connections
 *                     of every thread still registered
 *
 * A thread that exits before store_close gets its connections closed by
 * the key's destructor (thread_exit).  Worker threads may still be alive
 * (idle) at store_close, but none may exit while it runs.
 */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "xalloc.h"

#define STORE_STMT_CACHE_MAX  64   /* statements kept per connection */
#define STORE_BUSY_TIMEOUT_MS 5000 /* how long a locked database is waited for */
#define STORE_COMPONENT_MAX   64   /* longest component name */

struct store_stmt {
	const char *key;        /* caller's pointer last used for this SQL */
	char *sql;              /* own copy of the SQL text */
	sqlite3_stmt *stmt;     /* prepared with SQLITE_PREPARE_PERSISTENT */
	uint64_t last_used;     /* conn->clock at last use, for eviction */
};

struct store_conn {
	sqlite3 *handle;        /* used by one thread only (NOMUTEX) */
	struct store_stmt stmts[STORE_STMT_CACHE_MAX]; /* [0, n_stmts) used */
	size_t n_stmts;         /* entries in use */
	uint64_t clock;         /* counts store_prepare calls */
};

struct store_thread {
	struct store *store;        /* owner, for the destructor */
	struct store_conn **conns;  /* by store_db.index; NULL until used */
	size_t n_conns;             /* length of conns */
	struct store_thread *prev;  /* registry links, under store->lock */
	struct store_thread *next;
};

struct store_db {
	struct store *store;    /* owner */
	char *component;        /* "s3", "dynamodb", ... */
	char *path;             /* <data-dir>/<component>.db */
	size_t index;           /* slot in every store_thread.conns */
};

struct store {
	char *data_dir;                 /* without trailing slash */
	enum store_durability durability;
	pthread_key_t key;              /* -> this thread's store_thread */
	pthread_mutex_t lock;           /* guards threads, n_conns, dbs */
	struct store_thread *threads;   /* registry of every thread's state */
	size_t n_conns;                 /* open connections, all threads */
	struct store_db **dbs;          /* by index, from store_db_open */
	size_t n_dbs;
};

__attribute__((format(printf, 3, 4)))
static void set_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	if (!errbuf || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * Connections
 * ------------------------------------------------------------------- */

/*
 * Run one pragma (or any statement) whose result rows do not matter.
 * Returns 0, or -1 with errbuf filled.
 */
static int conn_exec(sqlite3 *handle, const char *path, const char *sql,
		     char *errbuf, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(handle, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	set_err(errbuf, errlen, "'%s': %s: %s", path, sql,
		msg ? msg : sqlite3_errmsg(handle));
	sqlite3_free(msg);
	return -1;
}

/* Switch to WAL and check that SQLite did (it may refuse on some file
 * systems).  Returns 0, or -1 with errbuf filled. */
static int conn_wal(sqlite3 *handle, const char *path, char *errbuf,
		    size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(handle, "PRAGMA journal_mode=WAL", -1, &stmt,
			       NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW) {
		set_err(errbuf, errlen, "'%s': journal_mode=WAL: %s", path,
			sqlite3_errmsg(handle));
		goto out;
	}
	const char *mode = (const char *)sqlite3_column_text(stmt, 0);
	if (!mode || strcasecmp(mode, "wal") != 0) {
		set_err(errbuf, errlen, "'%s': cannot use WAL (journal mode "
			"stays '%s')", path, mode ? mode : "?");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * Open a connection to path with the store's pragmas.  Returns a new
 * connection the caller closes with conn_close, or NULL with errbuf filled.
 */
static struct store_conn *conn_open(const struct store *store,
				    const char *path, char *errbuf,
				    size_t errlen)
{
	sqlite3 *handle = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(path, &handle, flags, NULL);
	if (rc != SQLITE_OK) {
		set_err(errbuf, errlen, "open '%s': %s", path,
			handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(handle, STORE_BUSY_TIMEOUT_MS);
	const char *sync = store->durability == STORE_DURABILITY_FULL
				   ? "PRAGMA synchronous=FULL"
			   : store->durability == STORE_DURABILITY_OFF
				   ? "PRAGMA synchronous=OFF"
				   : "PRAGMA synchronous=NORMAL";
	/* synchronous first: switching a new file to WAL is a transaction
	 * of its own, synced as the setting in force says. */
	if (conn_exec(handle, path, sync, errbuf, errlen) ||
	    conn_wal(handle, path, errbuf, errlen) ||
	    conn_exec(handle, path, "PRAGMA foreign_keys=ON", errbuf, errlen))
		goto fail;
	struct store_conn *conn = xcalloc(1, sizeof(*conn));
	conn->handle = handle;
	return conn;
fail:
	sqlite3_close(handle);
	return NULL;
}

/* Finalize the cached statements, close the connection and free conn. */
static void conn_close(struct store_conn *conn)
{
	for (size_t i = 0; i < conn->n_stmts; i++) {
		sqlite3_finalize(conn->stmts[i].stmt);
		free(conn->stmts[i].sql);
	}
	if (sqlite3_close(conn->handle) != SQLITE_OK)
		log_warn("close '%s': %s",
			 sqlite3_db_filename(conn->handle, "main"),
			 sqlite3_errmsg(conn->handle));
	free(conn);
}

/* ---------------------------------------------------------------------
 * Per-thread state
 * ------------------------------------------------------------------- */

/* Close th's connections and free it; th must be out of the registry. */
static void thread_free(struct store_thread *th)
{
	for (size_t i = 0; i < th->n_conns; i++)
		if (th->conns[i])
			conn_close(th->conns[i]);
	free(th->conns);
	free(th);
}

/* The pthread key destructor: a thread is exiting before store_close. */
static void thread_exit(void *arg)
{
	struct store_thread *th = arg;
	struct store *store = th->store;
	size_t open = 0;
	for (size_t i = 0; i < th->n_conns; i++)
		open += th->conns[i] != NULL;
	pthread_mutex_lock(&store->lock);
	if (th->prev)
		th->prev->next = th->next;
	else
		store->threads = th->next;
	if (th->next)
		th->next->prev = th->prev;
	store->n_conns -= open;
	pthread_mutex_unlock(&store->lock);
	thread_free(th);
}

/* This thread's state, made and registered on first use; NULL (logged)
 * only if the pthread key cannot hold it. */
static struct store_thread *thread_get(struct store *store)
{
	struct store_thread *th = pthread_getspecific(store->key);
	if (th)
		return th;
	th = xcalloc(1, sizeof(*th));
	th->store = store;
	int err = pthread_setspecific(store->key, th);
	if (err) {
		log_error("store thread state: %s", strerror(err));
		free(th);
		return NULL;
	}
	pthread_mutex_lock(&store->lock);
	th->next = store->threads;
	if (store->threads)
		store->threads->prev = th;
	store->threads = th;
	pthread_mutex_unlock(&store->lock);
	return th;
}

/* Make conn this thread's connection to db.  Takes ownership of conn
 * (closed at once if the thread state cannot be made). */
static void thread_install(struct store_db *db, struct store_conn *conn)
{
	struct store *store = db->store;
	struct store_thread *th = thread_get(store);
	if (!th) {
		conn_close(conn);
		return;
	}
	pthread_mutex_lock(&store->lock);
	if (db->index >= th->n_conns) {
		size_t n = db->index + 1;
		th->conns = xrealloc(th->conns, n * sizeof(*th->conns));
		memset(th->conns + th->n_conns, 0,
		       (n - th->n_conns) * sizeof(*th->conns));
		th->n_conns = n;
	}
	th->conns[db->index] = conn;
	store->n_conns++;
	pthread_mutex_unlock(&store->lock);
}

/* This thread's connection to db, opened on first use; NULL (logged). */
static struct store_conn *thread_conn(struct store_db *db)
{
	struct store_thread *th = pthread_getspecific(db->store->key);
	if (th && db->index < th->n_conns && th->conns[db->index])
		return th->conns[db->index];
	char err[512];
	struct store_conn *conn = conn_open(db->store, db->path, err,
					    sizeof(err));
	if (!conn) {
		log_error("%s", err);
		return NULL;
	}
	thread_install(db, conn);
	th = pthread_getspecific(db->store->key);
	return th ? th->conns[db->index] : NULL;
}

/* ---------------------------------------------------------------------
 * Data directory and store lifetime
 * ------------------------------------------------------------------- */

int store_syncs(const struct store *store)
{
	return store->durability != STORE_DURABILITY_OFF;
}

int store_open(const char *data_dir, enum store_durability durability,
	       struct store **out, char *errbuf, size_t errlen)
{
	if (!data_dir || !*data_dir) {
		set_err(errbuf, errlen, "data dir is empty");
		return -1;
	}
	if (strlen(data_dir) > PATH_MAX - 64) {
		set_err(errbuf, errlen, "data dir '%s': %s", data_dir,
			strerror(ENAMETOOLONG));
		return -1;
	}
	char *dir = xstrdup(data_dir);
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	if (store_dir_init(dir, durability != STORE_DURABILITY_OFF, errbuf,
			   errlen) != 0)
		goto fail;
	struct store *store = xcalloc(1, sizeof(*store));
	int err = pthread_key_create(&store->key, thread_exit);
	if (err) {
		set_err(errbuf, errlen, "data dir '%s': pthread key: %s", dir,
			strerror(err));
		free(store);
		goto fail;
	}
	pthread_mutex_init(&store->lock, NULL);
	store->data_dir = dir;
	store->durability = durability;
	*out = store;
	return 0;
fail:
	free(dir);
	return -1;
}

void store_close(struct store *store)
{
	if (!store)
		return;
	/* No destructor runs after the key is gone: threads still alive
	 * keep a dangling value they never read again. */
	pthread_setspecific(store->key, NULL);
	pthread_key_delete(store->key);
	pthread_mutex_lock(&store->lock);
	struct store_thread *th = store->threads;
	store->threads = NULL;
	store->n_conns = 0;
	pthread_mutex_unlock(&store->lock);
	while (th) {
		struct store_thread *next = th->next;
		thread_free(th);
		th = next;
	}
	for (size_t i = 0; i < store->n_dbs; i++) {
		free(store->dbs[i]->component);
		free(store->dbs[i]->path);
		free(store->dbs[i]);
	}
	free(store->dbs);
	pthread_mutex_destroy(&store->lock);
	free(store->data_dir);
	free(store);
}

const char *store_data_dir(const struct store *store)
{
	return store->data_dir;
}

size_t store_conn_count(struct store *store)
{
	pthread_mutex_lock(&store->lock);
	size_t n = store->n_conns;
	pthread_mutex_unlock(&store->lock);
	return n;
}

/* ---------------------------------------------------------------------
 * Databases and migrations
 * ------------------------------------------------------------------- */

/* The database's user_version, or -1 with errbuf filled. */
static int user_version(sqlite3 *handle, const char *path, char *errbuf,
			size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int version = -1;
	if (sqlite3_prepare_v2(handle, "PRAGMA user_version", -1, &stmt,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		version = sqlite3_column_int(stmt, 0);
	else
		set_err(errbuf, errlen, "'%s': user_version: %s", path,
			sqlite3_errmsg(handle));
	sqlite3_finalize(stmt);
	return version;
}

/*
 * Apply migration m (the next one) in its own BEGIN IMMEDIATE transaction
 * together with the user_version update.  The version is read again under
 * the write lock, so a migration another process applied meanwhile is
 * skipped.  Returns 0, or -1 with errbuf filled and nothing changed.
 */
static int migrate_one(sqlite3 *handle, const char *path,
		       const struct store_migration *m, char *errbuf,
		       size_t errlen)
{
	if (conn_exec(handle, path, "BEGIN IMMEDIATE", errbuf, errlen))
		return -1;
	int current = user_version(handle, path, errbuf, errlen);
	if (current < 0)
		goto fail;
	if (current >= m->version)
		return conn_exec(handle, path, "COMMIT", errbuf, errlen);
	char *msg = NULL;
	if (sqlite3_exec(handle, m->sql, NULL, NULL, &msg) != SQLITE_OK) {
		set_err(errbuf, errlen, "'%s': migration %d: %s", path,
			m->version, msg ? msg : sqlite3_errmsg(handle));
		sqlite3_free(msg);
		goto fail;
	}
	if (sqlite3_get_autocommit(handle)) {
		set_err(errbuf, errlen, "'%s': migration %d ends the "
			"transaction itself", path, m->version);
		return -1;
	}
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", m->version);
	if (conn_exec(handle, path, sql, errbuf, errlen) ||
	    conn_exec(handle, path, "COMMIT", errbuf, errlen))
		goto fail;
	log_debug("'%s': applied migration %d", path, m->version);
	return 0;
fail:
	if (!sqlite3_get_autocommit(handle))
		sqlite3_exec(handle, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Check the list and bring the database up to its last version.  Returns
 * 0, or -1 with errbuf filled. */
static int migrate(sqlite3 *handle, const char *path,
		   const struct store_migration *migrations, size_t n,
		   char *errbuf, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (migrations[i].version != (int)i + 1 || !migrations[i].sql) {
			set_err(errbuf, errlen, "'%s': migration #%zu has "
				"version %d, want %zu", path, i,
				migrations[i].version, i + 1);
			return -1;
		}
	}
	int current = user_version(handle, path, errbuf, errlen);
	if (current < 0)
		return -1;
	if ((size_t)current > n) {
		set_err(errbuf, errlen, "'%s' is at schema version %d, newer "
			"than this emulator knows (%zu)", path, current, n);
		return -1;
	}
	for (size_t i = (size_t)current; i < n; i++)
		if (migrate_one(handle, path, &migrations[i], errbuf, errlen))
			return -1;
	return 0;
}

/* 1 when name is a usable file name stem: [a-z0-9_-], not too long. */
static int component_valid(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > STORE_COMPONENT_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

struct store_db *store_db_open(struct store *store, const char *component,
			       const struct store_migration *migrations,
			       size_t n_migrations, char *errbuf,
			       size_t errlen)
{
	if (!component_valid(component)) {
		set_err(errbuf, errlen, "component name '%.80s' is not "
			"[a-z0-9_-]{1,64}", component);
		return NULL;
	}
	struct store_db *db = xcalloc(1, sizeof(*db));
	db->store = store;
	db->component = xstrdup(component);
	db->path = xasprintf("%s/%s.db", store->data_dir, component);
	struct store_conn *conn = conn_open(store, db->path, errbuf, errlen);
	if (!conn)
		goto fail;
	if (migrate(conn->handle, db->path, migrations, n_migrations, errbuf,
		    errlen))
		goto fail;
	pthread_mutex_lock(&store->lock);
	db->index = store->n_dbs;
	store->dbs = xrealloc(store->dbs,
			      (store->n_dbs + 1) * sizeof(*store->dbs));
	store->dbs[store->n_dbs++] = db;
	pthread_mutex_unlock(&store->lock);
	thread_install(db, conn);
	return db;
fail:
	if (conn)
		conn_close(conn);
	free(db->component);
	free(db->path);
	free(db);
	return NULL;
}

sqlite3 *store_db_conn(struct store_db *db)
{
	struct store_conn *conn = thread_conn(db);
	return conn ? conn->handle : NULL;
}

/* ---------------------------------------------------------------------
 * Statement cache and transactions
 * ------------------------------------------------------------------- */

/* The cache slot for sql, or NULL.  A pointer match is confirmed with
 * strcmp, since a caller's buffer may hold other SQL by now. */
static struct store_stmt *cache_find(struct store_conn *conn,
				     const char *sql)
{
	for (size_t i = 0; i < conn->n_stmts; i++)
		if (conn->stmts[i].key == sql &&
		    strcmp(conn->stmts[i].sql, sql) == 0)
			return &conn->stmts[i];
	for (size_t i = 0; i < conn->n_stmts; i++) {
		if (strcmp(conn->stmts[i].sql, sql) == 0) {
			conn->stmts[i].key = sql;
			return &conn->stmts[i];
		}
	}
	return NULL;
}

/* A free cache slot: a new one, or the least recently used statement
 * (finalized here), preferring one that is not part-way through its
 * steps.  A busy one is only taken when all are: a caller that stepped
 * it and never reset it, STORE_STMT_CACHE_MAX prepares ago, is done. */
static struct store_stmt *cache_slot(struct store_conn *conn)
{
	if (conn->n_stmts < STORE_STMT_CACHE_MAX)
		return &conn->stmts[conn->n_stmts++];
	struct store_stmt *idle = NULL;
	struct store_stmt *oldest = NULL;
	for (size_t i = 0; i < conn->n_stmts; i++) {
		struct store_stmt *s = &conn->stmts[i];
		if (!oldest || s->last_used < oldest->last_used)
			oldest = s;
		if (!sqlite3_stmt_busy(s->stmt) &&
		    (!idle || s->last_used < idle->last_used))
			idle = s;
	}
	struct store_stmt *victim = idle ? idle : oldest;
	sqlite3_finalize(victim->stmt);
	free(victim->sql);
	memset(victim, 0, sizeof(*victim));
	return victim;
}

sqlite3_stmt *store_prepare(struct store_db *db, const char *sql)
{
	struct store_conn *conn = thread_conn(db);
	if (!conn)
		return NULL;
	struct store_stmt *entry = cache_find(conn, sql);
	if (!entry) {
		sqlite3_stmt *stmt = NULL;
		const char *tail = NULL;
		if (sqlite3_prepare_v3(conn->handle, sql, -1,
				       SQLITE_PREPARE_PERSISTENT, &stmt,
				       &tail) != SQLITE_OK) {
			log_error("'%s': prepare '%.200s': %s", db->path, sql,
				  sqlite3_errmsg(conn->handle));
			return NULL;
		}
		tail += strspn(tail, " \t\r\n;");
		if (!stmt || *tail) {
			log_error("'%s': prepare '%.200s': not exactly one "
				  "statement", db->path, sql);
			sqlite3_finalize(stmt);
			return NULL;
		}
		entry = cache_slot(conn);
		entry->key = sql;
		entry->sql = xstrdup(sql);
		entry->stmt = stmt;
	}
	entry->last_used = ++conn->clock;
	sqlite3_reset(entry->stmt);
	sqlite3_clear_bindings(entry->stmt);
	return entry->stmt;
}

/* Step a cached statement with no results once; 0, or -1 (logged). */
static int step_simple(struct store_db *db, const char *sql)
{
	sqlite3_stmt *stmt = store_prepare(db, sql);
	if (!stmt)
		return -1;
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_error("'%s': %s: %s", db->path, sql,
			  sqlite3_errmsg(sqlite3_db_handle(stmt)));
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

int store_begin(struct store_db *db)
{
	return step_simple(db, "BEGIN IMMEDIATE");
}

int store_commit(struct store_db *db)
{
	return step_simple(db, "COMMIT");
}

void store_rollback(struct store_db *db)
{
	struct store_conn *conn = thread_conn(db);
	if (!conn || sqlite3_get_autocommit(conn->handle))
		return;
	for (size_t i = 0; i < conn->n_stmts; i++)
		sqlite3_reset(conn->stmts[i].stmt);
	step_simple(db, "ROLLBACK");
}

int store_exec(struct store_db *db, const char *sql)
{
	struct store_conn *conn = thread_conn(db);
	if (!conn)
		return -1;
	char *msg = NULL;
	if (sqlite3_exec(conn->handle, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	log_error("'%s': exec '%.200s': %s", db->path, sql,
		  msg ? msg : sqlite3_errmsg(conn->handle));
	sqlite3_free(msg);
	return -1;
}
