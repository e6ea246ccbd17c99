/*
 * test_store.c - unit tests of emulator/store: the data dir, migrations,
 * per-thread connections, the statement cache, transactions and blobs.
 *
 * Every test gets a fresh mkdtemp() directory with an open store in it
 * (setup/teardown below) and removes it at the end; no test depends on
 * another.  The cases that test failures make the store log error lines
 * on stderr; that output is expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

struct fixture {
	char dir[64];           /* the mkdtemp() directory */
	char data[128];         /* <dir>/data, the store's data dir */
	struct store *store;    /* open on data; NULL once a test closed it */
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700); /* undo read-only test dirs */
	return remove(path);
}

static void rm_rf(const char *path)
{
	chmod(path, 0700);
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_store.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->data, sizeof(f->data), "%s/data", f->dir);
	char err[256] = "";
	assert_int_equal(store_open(f->data, STORE_DURABILITY_NORMAL,
				    &f->store, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->store);
	rm_rf(f->dir);
	free(f);
	return 0;
}

/* How many entries (besides . and ..) dir holds. */
static int count_entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e = readdir(d); e; e = readdir(d))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static int count_tmp(const struct fixture *f)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/tmp", f->data);
	return count_entries(path);
}

/* One integer from a single-row query on the calling thread's conn. */
static long long query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	long long v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static const struct store_migration basic_migrations[] = {
	{1, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"},
};

/* ---------------------------------------------------------------------
 * Data dir
 * ------------------------------------------------------------------- */

static void test_open_creates_layout(void **state)
{
	struct fixture *f = *state;
	char path[256];
	struct stat st;
	assert_string_equal(store_data_dir(f->store), f->data);
	snprintf(path, sizeof(path), "%s/blobs", f->data);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* blobs/ab comes with the first blob whose id starts with "ab". */
	snprintf(path, sizeof(path), "%s/blobs/ab", f->data);
	assert_int_not_equal(stat(path, &st), 0);
	struct store_blob_writer *w = NULL;
	assert_int_equal(store_blob_create(f->store, &w), 0);
	assert_int_equal(store_blob_write(w, "x", 1), 0);
	assert_int_equal(store_blob_commit(w, "ab0123456789abcdef0123456789abcd"), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	int fd = store_blob_open(f->store, "ab0123456789abcdef0123456789abcd");
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/tmp", f->data);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	/* mkdir -p of a deeper path, trailing slash dropped */
	struct store *s2 = NULL;
	char err[256] = "";
	snprintf(path, sizeof(path), "%s/a/b/c/", f->dir);
	assert_int_equal(store_open(path, STORE_DURABILITY_NORMAL, &s2, err,
				    sizeof(err)), 0);
	path[strlen(path) - 1] = '\0';
	assert_string_equal(store_data_dir(s2), path);
	store_close(s2);
}

static void test_open_under_regular_file(void **state)
{
	struct fixture *f = *state;
	char file[256], path[300], err[512] = "";
	snprintf(file, sizeof(file), "%s/file", f->dir);
	int fd = open(file, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/data", file);
	struct store *s2 = (struct store *)0x1; /* must stay untouched */
	assert_int_equal(store_open(path, STORE_DURABILITY_NORMAL, &s2, err,
				    sizeof(err)), -1);
	assert_ptr_equal(s2, (struct store *)0x1);
	assert_non_null(strstr(err, "data dir '"));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "Not a directory"));
}

/* store_open on a read-only dir; run as an unprivileged user since root
 * writes anywhere.  Exit 0 = refused with the right message. */
static int open_read_only(const char *dir)
{
	char err[512] = "";
	struct store *s2 = NULL;
	if (store_open(dir, STORE_DURABILITY_NORMAL, &s2, err, sizeof(err))
	    != -1) {
		store_close(s2);
		return 1;
	}
	if (!strstr(err, "data dir '") || !strstr(err, "Permission denied"))
		return 2;
	char blobs[300];
	snprintf(blobs, sizeof(blobs), "%s/blobs", dir);
	return access(blobs, F_OK) == 0 ? 3 : 0;
}

static void test_open_read_only_dir(void **state)
{
	struct fixture *f = *state;
	char ro[256];
	snprintf(ro, sizeof(ro), "%s/ro", f->dir);
	assert_int_equal(mkdir(ro, 0555), 0);
	assert_int_equal(chmod(ro, 0555), 0);
	if (geteuid() != 0) {
		assert_int_equal(open_read_only(ro), 0);
		return;
	}
	assert_int_equal(chmod(f->dir, 0755), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(77);
		_exit(open_read_only(ro));
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip(); /* cannot drop root here: say so, do not pass */
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---------------------------------------------------------------------
 * Migrations
 * ------------------------------------------------------------------- */

static const struct store_migration log_migrations[] = {
	{1, "CREATE TABLE log (v INTEGER);"
	    "INSERT INTO log VALUES (1);"},
	{2, "ALTER TABLE log ADD COLUMN w TEXT;"
	    "INSERT INTO log VALUES (2, 'two');"},
	{3, "INSERT INTO log VALUES (3, 'three');"},
};

static void test_migrations_once_in_order(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	struct store_db *db = store_db_open(f->store, "comp", log_migrations,
					    2, err, sizeof(err));
	assert_non_null(db);
	sqlite3 *c = store_db_conn(db);
	assert_int_equal(query_int(c, "PRAGMA user_version"), 2);
	assert_int_equal(query_int(c, "SELECT count(*) FROM log"), 2);
	assert_int_equal(query_int(c, "SELECT group_concat(v, '') FROM "
				      "(SELECT v FROM log ORDER BY rowid)"),
			 12);

	/* re-open: nothing re-applied; then a new migration is applied */
	store_close(f->store);
	assert_int_equal(store_open(f->data, STORE_DURABILITY_NORMAL,
				    &f->store, err, sizeof(err)), 0);
	db = store_db_open(f->store, "comp", log_migrations, 2, err,
			   sizeof(err));
	assert_non_null(db);
	assert_int_equal(query_int(store_db_conn(db),
				   "SELECT count(*) FROM log"), 2);
	store_close(f->store);
	assert_int_equal(store_open(f->data, STORE_DURABILITY_NORMAL,
				    &f->store, err, sizeof(err)), 0);
	db = store_db_open(f->store, "comp", log_migrations, 3, err,
			   sizeof(err));
	assert_non_null(db);
	c = store_db_conn(db);
	assert_int_equal(query_int(c, "PRAGMA user_version"), 3);
	assert_int_equal(query_int(c, "SELECT group_concat(v, '') FROM "
				      "(SELECT v FROM log ORDER BY rowid)"),
			 123);
}

static void test_migration_failure_rolls_back(void **state)
{
	struct fixture *f = *state;
	static const struct store_migration bad[] = {
		{1, "CREATE TABLE a (x);"},
		{2, "CREATE TABLE b (x); INSERT INTO nosuch VALUES (1);"},
	};
	char err[512] = "";
	assert_null(store_db_open(f->store, "comp", bad, 2, err,
				  sizeof(err)));
	assert_non_null(strstr(err, "migration 2"));
	assert_non_null(strstr(err, "nosuch"));

	char path[256];
	snprintf(path, sizeof(path), "%s/comp.db", f->data);
	sqlite3 *raw = NULL;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(query_int(raw, "PRAGMA user_version"), 1);
	assert_int_equal(query_int(raw, "SELECT count(*) FROM sqlite_master "
				        "WHERE name = 'b'"), 0);
	assert_int_equal(query_int(raw, "SELECT count(*) FROM sqlite_master "
				        "WHERE name = 'a'"), 1);
	sqlite3_close(raw);

	/* the store is still usable and a fixed migration 2 applies */
	static const struct store_migration good[] = {
		{1, "CREATE TABLE a (x);"},
		{2, "CREATE TABLE b (x);"},
	};
	struct store_db *db = store_db_open(f->store, "comp", good, 2, err,
					    sizeof(err));
	assert_non_null(db);
	assert_int_equal(query_int(store_db_conn(db), "PRAGMA user_version"),
			 2);
}

static void test_newer_database_refused(void **state)
{
	struct fixture *f = *state;
	char path[256], err[512] = "";
	snprintf(path, sizeof(path), "%s/comp.db", f->data);
	sqlite3 *raw = NULL;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version=7", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_null(store_db_open(f->store, "comp", log_migrations, 3, err,
				  sizeof(err)));
	assert_non_null(strstr(err, "newer"));
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(query_int(raw, "PRAGMA user_version"), 7);
	assert_int_equal(query_int(raw, "SELECT count(*) FROM sqlite_master"),
			 0);
	sqlite3_close(raw);
}

static void test_bad_migration_list_and_name(void **state)
{
	struct fixture *f = *state;
	static const struct store_migration gap[] = {
		{1, "CREATE TABLE a (x);"},
		{3, "CREATE TABLE b (x);"},
	};
	char err[512] = "";
	assert_null(store_db_open(f->store, "comp", gap, 2, err,
				  sizeof(err)));
	assert_non_null(strstr(err, "version 3"));
	assert_null(store_db_open(f->store, "../comp", gap, 1, err,
				  sizeof(err)));
	assert_null(store_db_open(f->store, "", gap, 1, err, sizeof(err)));
	assert_int_equal(store_conn_count(f->store), 0);
}

/* ---------------------------------------------------------------------
 * Connections
 * ------------------------------------------------------------------- */

static void test_connection_pragmas(void **state)
{
	struct fixture *f = *state;
	static const struct store_migration fk[] = {
		{1, "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
		    "CREATE TABLE child (p INTEGER REFERENCES parent(id));"},
	};
	char err[512] = "";
	struct store_db *db = store_db_open(f->store, "comp", fk, 1, err,
					    sizeof(err));
	assert_non_null(db);
	sqlite3 *c = store_db_conn(db);
	sqlite3_stmt *s = store_prepare(db, "PRAGMA journal_mode");
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_reset(s);
	assert_int_equal(query_int(c, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(c, "PRAGMA busy_timeout"), 5000);
	assert_int_equal(query_int(c, "PRAGMA synchronous"), 1);
	s = store_prepare(db, "INSERT INTO child VALUES (42)");
	assert_int_equal(sqlite3_step(s), SQLITE_CONSTRAINT);

	/* --durability full */
	struct store *full = NULL;
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/full", f->dir);
	assert_int_equal(store_open(dir, STORE_DURABILITY_FULL, &full, err,
				    sizeof(err)), 0);
	db = store_db_open(full, "comp", fk, 1, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(query_int(store_db_conn(db), "PRAGMA synchronous"),
			 2);
	store_close(full);
}

struct thread_arg {
	struct store_db *db;
	pthread_barrier_t *barrier; /* all threads hold a connection */
	pthread_barrier_t *idle;    /* NULL, or: wait here when done, */
	pthread_barrier_t *release; /* then here before exiting */
	int id;
	sqlite3 *conn;              /* out: the thread's connection */
	int ok;                     /* out: wrote and read back */
};

static void *conn_worker(void *p)
{
	struct thread_arg *a = p;
	a->conn = store_db_conn(a->db);
	if (store_db_conn(a->db) != a->conn)
		return NULL;
	pthread_barrier_wait(a->barrier);
	if (store_begin(a->db) != 0)
		return NULL;
	sqlite3_stmt *s = store_prepare(a->db, "INSERT INTO t (id, v) "
					       "VALUES (?1, 'x')");
	sqlite3_bind_int(s, 1, a->id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE || store_commit(a->db) != 0) {
		store_rollback(a->db);
		return NULL;
	}
	s = store_prepare(a->db, "SELECT v FROM t WHERE id = ?1");
	sqlite3_bind_int(s, 1, a->id);
	a->ok = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	if (a->idle) {
		pthread_barrier_wait(a->idle);
		pthread_barrier_wait(a->release);
	}
	return NULL;
}

static void test_per_thread_connections(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	struct store_db *db = store_db_open(f->store, "comp", basic_migrations,
					    1, err, sizeof(err));
	assert_non_null(db);
	sqlite3 *mine = store_db_conn(db);
	assert_int_equal(store_conn_count(f->store), 1);

	pthread_barrier_t barrier;
	pthread_barrier_init(&barrier, NULL, 2);
	struct thread_arg args[2] = {
		{.db = db, .barrier = &barrier, .id = 1},
		{.db = db, .barrier = &barrier, .id = 2},
	};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, conn_worker,
						&args[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&barrier);
	assert_true(args[0].ok && args[1].ok);
	assert_non_null(args[0].conn);
	assert_ptr_not_equal(args[0].conn, args[1].conn);
	assert_ptr_not_equal(args[0].conn, mine);
	assert_ptr_not_equal(args[1].conn, mine);
	assert_int_equal(query_int(mine, "SELECT count(*) FROM t"), 2);
	/* the exited threads' connections were closed by the destructor */
	assert_int_equal(store_conn_count(f->store), 1);
}

static void test_close_with_live_threads(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	struct store_db *db = store_db_open(f->store, "comp", basic_migrations,
					    1, err, sizeof(err));
	assert_non_null(db);
	pthread_barrier_t barrier, idle, release;
	pthread_barrier_init(&barrier, NULL, 1);
	pthread_barrier_init(&idle, NULL, 2);
	pthread_barrier_init(&release, NULL, 2);
	struct thread_arg a = {.db = db, .barrier = &barrier, .idle = &idle,
			       .release = &release, .id = 1};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, conn_worker, &a), 0);
	/* close while the worker is alive but idle, then let it exit: its
	 * state must be freed once, by store_close, not by the destructor */
	pthread_barrier_wait(&idle);
	assert_true(a.ok);
	assert_int_equal(store_conn_count(f->store), 2);
	store_close(f->store);
	f->store = NULL;
	pthread_barrier_wait(&release);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&barrier);
	pthread_barrier_destroy(&idle);
	pthread_barrier_destroy(&release);
}

/* ---------------------------------------------------------------------
 * Statement cache and transactions
 * ------------------------------------------------------------------- */

static void test_statement_cache(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	struct store_db *db = store_db_open(f->store, "comp", basic_migrations,
					    1, err, sizeof(err));
	assert_non_null(db);
	const char *sql = "SELECT ?1 UNION ALL SELECT 2";
	sqlite3_stmt *s1 = store_prepare(db, sql);
	assert_non_null(s1);
	sqlite3_bind_int(s1, 1, 7);
	assert_int_equal(sqlite3_step(s1), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s1, 0), 7);

	/* same pointer, and same text at another address */
	sqlite3_stmt *s2 = store_prepare(db, sql);
	assert_ptr_equal(s1, s2);
	assert_false(sqlite3_stmt_busy(s2)); /* reset */
	assert_int_equal(sqlite3_step(s2), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(s2, 0), SQLITE_NULL); /* cleared */
	char *copy = strdup(sql);
	assert_ptr_equal(store_prepare(db, copy), s1);
	free(copy);

	/* a reused buffer holding other SQL is not taken for the old one */
	char buf[64];
	strcpy(buf, "SELECT 1");
	sqlite3_stmt *a = store_prepare(db, buf);
	strcpy(buf, "SELECT 2");
	sqlite3_stmt *b = store_prepare(db, buf);
	assert_ptr_not_equal(a, b);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(b, 0), 2);

	/* errors: bad SQL, more than one statement, none */
	assert_null(store_prepare(db, "SELEC 1"));
	assert_null(store_prepare(db, "SELECT 1; SELECT 2"));
	assert_null(store_prepare(db, "  "));
	assert_non_null(store_prepare(db, "SELECT 3;"));

	/* many distinct statements, each reset after use: the cache evicts,
	 * and the one part-way through its steps survives */
	sqlite3_stmt *busy = store_prepare(db, sql);
	assert_int_equal(sqlite3_step(busy), SQLITE_ROW);
	for (int i = 0; i < 200; i++) {
		char q[64];
		snprintf(q, sizeof(q), "SELECT %d", i);
		sqlite3_stmt *s = store_prepare(db, q);
		assert_non_null(s);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), i);
		sqlite3_reset(s);
	}
	assert_int_equal(sqlite3_step(busy), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(busy, 0), 2);
	assert_ptr_equal(store_prepare(db, sql), busy);

	/* callers that never reset: the cache still hands out statements */
	for (int i = 0; i < 200; i++) {
		char q[64];
		snprintf(q, sizeof(q), "SELECT %d + 1", i);
		sqlite3_stmt *s = store_prepare(db, q);
		assert_non_null(s);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), i + 1);
	}
}

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	struct store_db *db = store_db_open(f->store, "comp", basic_migrations,
					    1, err, sizeof(err));
	assert_non_null(db);
	sqlite3 *c = store_db_conn(db);
	const char *ins = "INSERT INTO t (id, v) VALUES (?1, 'x')";

	assert_int_equal(store_begin(db), 0);
	assert_false(sqlite3_get_autocommit(c));
	sqlite3_stmt *s = store_prepare(db, ins);
	sqlite3_bind_int(s, 1, 1);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	store_rollback(db);
	assert_true(sqlite3_get_autocommit(c));
	assert_int_equal(query_int(c, "SELECT count(*) FROM t"), 0);
	store_rollback(db); /* none open: harmless */

	assert_int_equal(store_begin(db), 0);
	/* BEGIN IMMEDIATE: the write lock is taken at once */
	char path[256];
	snprintf(path, sizeof(path), "%s/comp.db", f->data);
	sqlite3 *other = NULL;
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
				      NULL), SQLITE_BUSY);
	s = store_prepare(db, ins);
	sqlite3_bind_int(s, 1, 2);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	assert_int_equal(store_begin(db), -1); /* no nesting */
	assert_int_equal(store_commit(db), 0);
	assert_int_equal(query_int(other, "SELECT count(*) FROM t"), 1);
	sqlite3_close(other);
	assert_int_equal(store_commit(db), -1); /* nothing to commit */

	assert_int_equal(store_exec(db, "INSERT INTO t VALUES (3, 'y');"
					"INSERT INTO t VALUES (4, 'z')"), 0);
	assert_int_equal(query_int(c, "SELECT count(*) FROM t"), 3);
	assert_int_equal(store_exec(db, "INSERT INTO nosuch VALUES (1)"), -1);
}

/* ---------------------------------------------------------------------
 * Blobs
 * ------------------------------------------------------------------- */

/* Write len bytes of value fill as blob id, in 4 KiB pieces. */
static void put_blob(struct store *store, const char *id, int fill,
		     size_t len)
{
	static unsigned char chunk[4096];
	struct store_blob_writer *w = NULL;
	assert_int_equal(store_blob_create(store, &w), 0);
	memset(chunk, fill, sizeof(chunk));
	for (size_t off = 0; off < len; off += sizeof(chunk)) {
		size_t n = len - off < sizeof(chunk) ? len - off : sizeof(chunk);
		assert_int_equal(store_blob_write(w, chunk, n), 0);
	}
	assert_int_equal(store_blob_size(w), len);
	assert_int_equal(store_blob_commit(w, id), 0);
}

/* Read the whole of blob id into buf (up to cap); the length or -1. */
static ssize_t read_blob(struct store *store, const char *id,
			 unsigned char *buf, size_t cap)
{
	int fd = store_blob_open(store, id);
	if (fd < 0)
		return -1;
	size_t got = 0;
	for (;;) {
		ssize_t n = read(fd, buf + got, cap - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

static void test_blob_roundtrip(void **state)
{
	struct fixture *f = *state;
	char id[STORE_BLOB_ID_LEN + 1], id2[STORE_BLOB_ID_LEN + 1];
	store_blob_new_id(id);
	store_blob_new_id(id2);
	assert_int_equal(strlen(id), STORE_BLOB_ID_LEN);
	assert_int_equal(strspn(id, "0123456789abcdef"), STORE_BLOB_ID_LEN);
	assert_string_not_equal(id, id2);

	struct store_blob_writer *w = NULL;
	assert_int_equal(store_blob_create(f->store, &w), 0);
	assert_int_equal(count_tmp(f), 1);
	assert_int_equal(store_blob_write(w, "hello, ", 7), 0);
	assert_int_equal(store_blob_write(w, "world", 5), 0);
	assert_int_equal(store_blob_size(w), 12);
	assert_int_equal(store_blob_commit(w, id), 0);
	assert_int_equal(count_tmp(f), 0);

	unsigned char buf[64];
	assert_int_equal(read_blob(f->store, id, buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "hello, world", 12);

	char path[256], want[256];
	assert_int_equal(store_blob_path(f->store, id, path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/blobs/%.2s/%s", f->data, id, id);
	assert_string_equal(path, want);
	char small[10];
	assert_int_equal(store_blob_path(f->store, id, small, sizeof(small)),
			 -1);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(store_blob_remove(f->store, id), 0);
	errno = 0;
	assert_int_equal(store_blob_open(f->store, id), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(store_blob_remove(f->store, id), 0); /* missing: ok */
}

static void test_blob_abort_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_blob_writer *w = NULL;
	assert_int_equal(store_blob_create(f->store, &w), 0);
	assert_int_equal(store_blob_write(w, "partial", 7), 0);
	assert_int_equal(count_tmp(f), 1);
	store_blob_abort(w);
	assert_int_equal(count_tmp(f), 0);
	store_blob_abort(NULL);

	/* a commit to a bad id fails, frees w and removes the temp file */
	assert_int_equal(store_blob_create(f->store, &w), 0);
	assert_int_equal(store_blob_commit(w, "../../etc/passwd"), -1);
	assert_int_equal(count_tmp(f), 0);
}

static void test_blob_tmp_emptied_at_open(void **state)
{
	struct fixture *f = *state;
	/* a crash: a writer never finished, plus stray files */
	struct store_blob_writer *w = NULL;
	assert_int_equal(store_blob_create(f->store, &w), 0);
	assert_int_equal(store_blob_write(w, "torn", 4), 0);
	char path[256];
	snprintf(path, sizeof(path), "%s/tmp/stray", f->data);
	int fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/tmp/emptydir", f->data);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(count_tmp(f), 3);

	char err[512] = "";
	struct store *again = NULL;
	assert_int_equal(store_open(f->data, STORE_DURABILITY_NORMAL, &again,
				    err, sizeof(err)), 0);
	assert_int_equal(count_tmp(f), 0);
	store_close(again);
	store_blob_abort(w); /* the old writer's file is already gone */
}

struct reader_arg {
	struct store *store;
	const char *id;
	atomic_int stop;
	atomic_long reads;  /* out: complete reads checked */
	atomic_int bad;     /* out: a read that was no whole version */
};

/* Version k of the blob: (k % 3 + 1) * 64 KiB of byte k. */
static size_t version_len(int k)
{
	return (size_t)(k % 3 + 1) * 65536;
}

static void *blob_reader(void *p)
{
	struct reader_arg *a = p;
	unsigned char *buf = malloc(4 * 65536);
	while (!atomic_load(&a->stop)) {
		ssize_t n = read_blob(a->store, a->id, buf, 4 * 65536);
		if (n <= 0) {
			a->bad = 1;
			break;
		}
		int k = buf[0];
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != k)
				a->bad = 1;
		if ((size_t)n != version_len(k))
			a->bad = 1;
		a->reads++;
	}
	free(buf);
	return NULL;
}

static void test_blob_commit_is_atomic(void **state)
{
	struct fixture *f = *state;
	char id[STORE_BLOB_ID_LEN + 1];
	store_blob_new_id(id);
	put_blob(f->store, id, 0, version_len(0));

	/* a reader holding the old blob open keeps the old bytes */
	int old = store_blob_open(f->store, id);
	assert_true(old >= 0);

	struct reader_arg a = {.store = f->store, .id = id};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, blob_reader, &a), 0);
	for (int k = 1; k <= 60; k++)
		put_blob(f->store, id, k, version_len(k));
	while (a.reads < 10 && !a.bad)
		usleep(1000);
	atomic_store(&a.stop, 1);
	pthread_join(th, NULL);
	assert_false(a.bad);

	unsigned char c;
	assert_int_equal(pread(old, &c, 1, 100), 1);
	assert_int_equal(c, 0);
	close(old);
	assert_int_equal(count_tmp(f), 0);
}

static int referenced(const char *id, void *ctx)
{
	const char *const *keep = ctx;
	for (; *keep; keep++)
		if (strcmp(*keep, id) == 0)
			return 1;
	return 0;
}

static void test_blob_sweep(void **state)
{
	struct fixture *f = *state;
	char a[STORE_BLOB_ID_LEN + 1], b[STORE_BLOB_ID_LEN + 1];
	char c[STORE_BLOB_ID_LEN + 1];
	store_blob_new_id(a);
	store_blob_new_id(b);
	store_blob_new_id(c);
	put_blob(f->store, a, 'a', 10);
	put_blob(f->store, b, 'b', 10);
	put_blob(f->store, c, 'c', 10);
	/* not a blob: left alone */
	char stray[256];
	snprintf(stray, sizeof(stray), "%s/blobs/%.2s/README", f->data, a);
	int fd = open(stray, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);

	const char *keep[] = {a, c, NULL};
	assert_int_equal(store_blob_sweep(f->store, referenced, keep), 1);
	int bfd = store_blob_open(f->store, b);
	assert_int_equal(bfd, -1);
	int afd = store_blob_open(f->store, a);
	int cfd = store_blob_open(f->store, c);
	assert_true(afd >= 0 && cfd >= 0);
	close(afd);
	close(cfd);
	assert_int_equal(access(stray, F_OK), 0);
	assert_int_equal(store_blob_sweep(f->store, referenced, keep), 0);
}

static void test_blob_ids_validated(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"../../../../../../../etc/passwd",
		"0123456789abcdef0123456789abcde",   /* 31 */
		"0123456789abcdef0123456789abcdef0", /* 33 */
		"0123456789ABCDEF0123456789abcdef",  /* upper case */
		"0123456789abcdef0123456789abc/ef",
		"",
	};
	char path[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(store_blob_open(f->store, bad[i]), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(store_blob_remove(f->store, bad[i]), -1);
		assert_int_equal(store_blob_path(f->store, bad[i], path,
						 sizeof(path)), -1);
	}
	assert_int_equal(store_blob_open(f->store, NULL), -1);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_open_creates_layout),
		T(test_open_under_regular_file),
		T(test_open_read_only_dir),
		T(test_migrations_once_in_order),
		T(test_migration_failure_rolls_back),
		T(test_newer_database_refused),
		T(test_bad_migration_list_and_name),
		T(test_connection_pragmas),
		T(test_per_thread_connections),
		T(test_close_with_live_threads),
		T(test_statement_cache),
		T(test_transactions),
		T(test_blob_roundtrip),
		T(test_blob_abort_leaves_nothing),
		T(test_blob_tmp_emptied_at_open),
		T(test_blob_commit_is_atomic),
		T(test_blob_sweep),
		T(test_blob_ids_validated),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
