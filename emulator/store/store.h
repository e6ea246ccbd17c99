/*
 * store.h - the only code that touches SQLite and blob files.
 *
 * The store owns the data directory:
 *
 *   <data-dir>/
 *     <component>.db     one SQLite database per component ("s3",
 *                        "dynamodb", "redis", ...), WAL mode, so the
 *                        components never wait on each other's locks
 *     blobs/ab/<id>      immutable byte blobs (object bodies, zips),
 *                        named by a random id, never by a user's key
 *     tmp/               blobs being written; emptied at every start
 *
 * Entry points, in legal call order:
 *   store_open()            once, at start: creates the layout, removes
 *                           leftovers in tmp/
 *   store_db_open()         once per component, at its init: opens
 *                           <component>.db and runs its numbered
 *                           migrations inside one transaction each
 *   store_db_conn() / store_prepare() / store_begin() / store_commit() /
 *   store_rollback() / store_exec()
 *                           from any thread: each thread gets its own
 *                           connection and its own prepared-statement
 *                           cache, opened on first use
 *   store_blob_*()          from any thread
 *   store_close()           once, at exit, after every user has stopped
 *
 * Durability: a write is visible only after its blob bytes are fsynced and
 * renamed into place and its row is committed.  synchronous=NORMAL by
 * default (a committed transaction survives a process crash; a power loss
 * may drop the last ones); STORE_DURABILITY_FULL (--durability full) makes
 * every commit reach the disk.
 *
 * Errors: functions return 0 (or a valid pointer) on success and -1 (NULL)
 * on failure, with a one-line reason logged; SQLite result codes from
 * sqlite3_step are the caller's to read.
 */
#ifndef IMGPIPE_STORE_H
#define IMGPIPE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

enum store_durability {
	STORE_DURABILITY_NORMAL, /* synchronous=NORMAL */
	STORE_DURABILITY_FULL,   /* synchronous=FULL, fsync on every commit */
	STORE_DURABILITY_OFF,    /* synchronous=OFF, no fsync at all: for an
				    --ephemeral data dir, which dies with
				    the process anyway */
};

struct store;
struct store_db;
struct store_blob_writer;

/*
 * A numbered migration: `sql` (one or more statements) brings the schema
 * from version-1 to version.  A component's migrations are listed in
 * order starting at 1; versions already applied (recorded in the
 * database's user_version) are skipped.
 */
struct store_migration {
	int version;
	const char *sql;
};

/*
 * Open (creating if needed) the data directory.  On failure returns -1 and
 * writes a one-line reason into errbuf.  Caller owns *out (store_close).
 */
int store_open(const char *data_dir, enum store_durability durability,
	       struct store **out, char *errbuf, size_t errlen);
/* Close every connection of every thread and free the store. */
void store_close(struct store *store);
const char *store_data_dir(const struct store *store);

/*
 * Open <data-dir>/<component>.db and apply its migrations.  The returned
 * handle belongs to the store (freed by store_close).  Returns NULL and
 * fills errbuf on failure (including a database newer than the
 * migrations know).
 */
struct store_db *store_db_open(struct store *store, const char *component,
			       const struct store_migration *migrations,
			       size_t n_migrations, char *errbuf,
			       size_t errlen);

/* This thread's connection to db (opened on first use, WAL, foreign keys,
 * busy timeout).  Owned by the store; never close it.  NULL (logged) when
 * the database cannot be opened. */
sqlite3 *store_db_conn(struct store_db *db);

/* How many connections are open, over every thread and database (for
 * /_emulator/stats and tests). */
size_t store_conn_count(struct store *store);

/*
 * This thread's cached prepared statement for sql, reset and with its
 * bindings cleared.  Owned by the store: the caller steps it and must not
 * finalize it or keep it across calls.  NULL on a prepare error (logged),
 * or when sql holds more than one statement.  The statement stays valid
 * until this thread prepares the same SQL again; the cache keeps the 64
 * most recently used statements per connection, evicting ones that are
 * part-way through their steps last.  Reset it (or step it to
 * SQLITE_DONE) when done: a statement left part-way keeps its read
 * snapshot open, so this thread would not see other threads' commits.
 */
sqlite3_stmt *store_prepare(struct store_db *db, const char *sql);

/* Transactions on this thread's connection.  store_begin takes the write
 * lock at once (BEGIN IMMEDIATE) so a transaction never fails half-way
 * with SQLITE_BUSY.  When store_commit fails the transaction may still be
 * open: call store_rollback, which does nothing when none is open. */
int store_begin(struct store_db *db);
int store_commit(struct store_db *db);
void store_rollback(struct store_db *db);
/* Run SQL with no results (no bindings). */
int store_exec(struct store_db *db, const char *sql);

/* ---------------------------------------------------------------------
 * Blobs: temp -> fsync -> rename, so a crash leaves old or new bytes,
 * never torn ones.
 * ------------------------------------------------------------------- */

#define STORE_BLOB_ID_LEN 32 /* hex characters, without terminator */

/* A fresh random blob id (STORE_BLOB_ID_LEN hex chars + NUL). */
void store_blob_new_id(char id[STORE_BLOB_ID_LEN + 1]);

/* Start writing a new blob in tmp/.  Caller owns *out until commit or
 * abort. */
int store_blob_create(struct store *store, struct store_blob_writer **out);
/* Append len bytes.  On failure (logged) w stays valid: abort it. */
int store_blob_write(struct store_blob_writer *w, const void *data,
		     size_t len);
uint64_t store_blob_size(const struct store_blob_writer *w);
/* fsync, rename to blobs/<id[0..1]>/<id>, fsync the directory; frees w
 * (also on failure, when the temp file is removed). */
int store_blob_commit(struct store_blob_writer *w, const char *id);
/* Remove the temp file and free w. */
void store_blob_abort(struct store_blob_writer *w);

/* Open a committed blob read-only; returns an fd the caller closes, or -1
 * (errno ENOENT when there is no such blob). */
int store_blob_open(struct store *store, const char *id);
/* Remove a committed blob; a missing blob is not an error. */
int store_blob_remove(struct store *store, const char *id);
/* Write the path of blob id into out; -1 if it does not fit. */
int store_blob_path(const struct store *store, const char *id, char *out,
		    size_t outlen);

/*
 * Remove every committed blob for which is_referenced(id, ctx) returns 0.
 * Blobs are not namespaced by component (S3 objects and Lambda zips share
 * blobs/), so is_referenced must answer for EVERY component that keeps
 * blobs; a component must never sweep with a predicate that knows only
 * its own rows.  Nothing calls it yet: crash orphans (a blob committed
 * whose row was not) cost disk space, never correctness.  Returns how
 * many were removed, or -1.
 */
long store_blob_sweep(struct store *store,
		      int (*is_referenced)(const char *id, void *ctx),
		      void *ctx);

/* ---------------------------------------------------------------------
 * Internal to emulator/store/ (store_blob.c, called by store_open); not
 * for services.  mkdir -p data_dir (changed while it runs, then restored),
 * check it is writable, make blobs/ and tmp/ (blobs/00..ff come with their first blob), and remove
 * whatever a previous run left in tmp/; sync: fsync the new directories.
 * -1 with errbuf filled on failure.
 * ------------------------------------------------------------------- */
int store_dir_init(char *data_dir, int sync, char *errbuf, size_t errlen);
/* Whether blobs and directories are fsynced (not with DURABILITY_OFF). */
int store_syncs(const struct store *store);

#endif
