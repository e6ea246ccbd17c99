/*
 * lambda_db.c - the Lambda service's SQLite database (lambda.db).
 *
 *   functions       one row per function: its $LATEST configuration as
 *                   the FunctionConfiguration JSON the API returns, the
 *                   code blob, tags, resource policy, reserved
 *                   concurrency, event invoke config, code signing
 *   versions        published versions: frozen configuration + code blob
 *   aliases         alias name -> version (stored for resolution)
 *   async_events    the durable queue of Event invocations
 *   async_failures  events that ran out of retries or age
 *
 * Rows are read and written by the handlers through store_prepare (one
 * cached statement per thread); every multi-row change is one
 * transaction in the caller.
 */
#include "lambda.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct store_migration lambda_migrations[] = {
	{1,
	 "CREATE TABLE functions ("
	 " name TEXT PRIMARY KEY,"
	 " config TEXT NOT NULL,"
	 " code_blob TEXT NOT NULL,"
	 " tags TEXT NOT NULL DEFAULT '{}',"
	 " policy TEXT,"
	 " concurrency INTEGER,"
	 " invoke_config TEXT,"
	 " code_signing TEXT,"
	 " last_version INTEGER NOT NULL DEFAULT 0,"
	 " created_ms INTEGER NOT NULL);"
	 "CREATE TABLE versions ("
	 " name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,"
	 " version INTEGER NOT NULL,"
	 " config TEXT NOT NULL,"
	 " code_blob TEXT NOT NULL,"
	 " PRIMARY KEY (name, version));"
	 "CREATE TABLE aliases ("
	 " name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,"
	 " alias TEXT NOT NULL,"
	 " version TEXT NOT NULL,"
	 " config TEXT NOT NULL,"
	 " PRIMARY KEY (name, alias));"
	 "CREATE TABLE async_events ("
	 " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " request_id TEXT NOT NULL,"
	 " function TEXT NOT NULL,"
	 " qualifier TEXT NOT NULL,"
	 " payload BLOB NOT NULL,"
	 " attempts INTEGER NOT NULL DEFAULT 0,"
	 " enqueued_ms INTEGER NOT NULL,"
	 " due_ms INTEGER NOT NULL,"
	 " running INTEGER NOT NULL DEFAULT 0);"
	 "CREATE TABLE async_failures ("
	 " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " request_id TEXT NOT NULL,"
	 " function TEXT NOT NULL,"
	 " qualifier TEXT NOT NULL,"
	 " payload BLOB NOT NULL,"
	 " attempts INTEGER NOT NULL,"
	 " condition TEXT NOT NULL,"
	 " error TEXT,"
	 " failed_ms INTEGER NOT NULL);"},
	/* Hot reload: pseudo blob id -> the watched local directory. */
	{2, "CREATE TABLE hot_dirs (blob TEXT PRIMARY KEY, dir TEXT NOT NULL);"},
};

int lambda_db_open(struct lambda_state *st, char *errbuf, size_t errlen)
{
	st->db = store_db_open(st->emu->store, "lambda", lambda_migrations,
			       sizeof(lambda_migrations) /
				       sizeof(lambda_migrations[0]),
			       errbuf, errlen);
	if (!st->db)
		return -1;
	/* Events that were running when the process stopped run again. */
	if (store_exec(st->db, "UPDATE async_events SET running = 0 "
			       "WHERE running <> 0")) {
		snprintf(errbuf, errlen, "lambda: cannot reset the async queue");
		return -1;
	}
	return 0;
}

/* Is s all digits (a version number)? */
static int is_version(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Step stmt for one row whose column 0 is a config and 1 a blob id. */
static cJSON *row_config(sqlite3_stmt *stmt, char *code_blob)
{
	cJSON *cfg = NULL;
	if (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
		cfg = cJSON_Parse((const char *)sqlite3_column_text(stmt, 0));
		if (code_blob) {
			const unsigned char *b = sqlite3_column_text(stmt, 1);
			snprintf(code_blob, STORE_BLOB_ID_LEN + 1, "%s",
				 b ? (const char *)b : "");
		}
	}
	if (stmt)
		sqlite3_reset(stmt);
	return cfg;
}

cJSON *lambda_db_config(struct lambda_state *st, const char *name,
			const char *qualifier, char *code_blob,
			int *found_name)
{
	sqlite3_stmt *stmt;
	cJSON *cfg;
	if (found_name)
		*found_name = 0;
	stmt = store_prepare(st->db,
			     "SELECT config, code_blob FROM functions "
			     "WHERE name = ?");
	if (!stmt)
		return NULL;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	cfg = row_config(stmt, code_blob);
	if (!cfg)
		return NULL;
	if (found_name)
		*found_name = 1;
	if (!qualifier || strcmp(qualifier, "$LATEST") == 0)
		return cfg;
	cJSON_Delete(cfg);

	char version[32];
	if (is_version(qualifier)) {
		snprintf(version, sizeof(version), "%s", qualifier);
	} else {
		stmt = store_prepare(st->db,
				     "SELECT version FROM aliases "
				     "WHERE name = ? AND alias = ?");
		if (!stmt)
			return NULL;
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 2, qualifier, -1, SQLITE_TRANSIENT);
		int rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW)
			snprintf(version, sizeof(version), "%s",
				 (const char *)sqlite3_column_text(stmt, 0));
		sqlite3_reset(stmt);
		if (rc != SQLITE_ROW)
			return NULL;
		if (strcmp(version, "$LATEST") == 0)
			return lambda_db_config(st, name, NULL, code_blob,
						found_name);
	}
	stmt = store_prepare(st->db,
			     "SELECT config, code_blob FROM versions "
			     "WHERE name = ? AND version = ?");
	if (!stmt)
		return NULL;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, strtoll(version, NULL, 10));
	return row_config(stmt, code_blob);
}

/* Only these columns may be named (they are spliced into SQL). */
static int column_ok(const char *column)
{
	static const char *const ok[] = {"tags", "policy", "invoke_config",
					 "code_signing", "concurrency"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(ok[i], column) == 0)
			return 1;
	return 0;
}

char *lambda_db_column(struct lambda_state *st, const char *name,
		       const char *column, int *found)
{
	char sql[128];
	char *out = NULL;
	if (found)
		*found = 0;
	if (!column_ok(column))
		return NULL;
	snprintf(sql, sizeof(sql), "SELECT %s FROM functions WHERE name = ?",
		 column);
	sqlite3_stmt *stmt = store_prepare(st->db, sql);
	if (!stmt)
		return NULL;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		if (found)
			*found = 1;
		const unsigned char *v = sqlite3_column_text(stmt, 0);
		if (v)
			out = xstrdup((const char *)v);
	}
	sqlite3_reset(stmt);
	return out;
}

int lambda_db_set_column(struct lambda_state *st, const char *name,
			 const char *column, const char *value)
{
	char sql[128];
	if (!column_ok(column))
		return -1;
	snprintf(sql, sizeof(sql), "UPDATE functions SET %s = ? WHERE name = ?",
		 column);
	sqlite3_stmt *stmt = store_prepare(st->db, sql);
	if (!stmt)
		return -1;
	if (value)
		sqlite3_bind_text(stmt, 1, value, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, 1);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(store_db_conn(st->db)) ? 0 : 1;
}

int lambda_db_concurrency(struct lambda_state *st, const char *name)
{
	int out = -1;
	sqlite3_stmt *stmt = store_prepare(
		st->db, "SELECT concurrency FROM functions WHERE name = ?");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		out = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return out;
}
