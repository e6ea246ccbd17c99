/*
 * ddb.h - what the files of the DynamoDB service share (internal to
 * emulator/dynamodb/; nothing outside the folder includes it).
 *
 *   ddb_number.c      38-digit decimal (ddb_number.h)
 *   ddb_value.c       AttributeValue checks, sizes, equality, order, keys
 *   ddb_expr_lex.c    tokens of every expression kind
 *   ddb_expr_parse.c  condition / update / projection / key-condition ASTs
 *   ddb_expr_eval.c   evaluating conditions, applying updates, projecting
 *   ddb_reserved.c    DynamoDB's reserved words
 *   ddb_store.c       SQLite schema, item rows and index rows
 *   ddb_table.c       control plane (tables, TTL, backups, tags, limits)
 *   ddb_item.c        PutItem, GetItem, UpdateItem, DeleteItem
 *   ddb_query.c       Query and Scan
 *   ddb_batch.c       BatchGetItem, BatchWriteItem
 *   ddb_txn.c         TransactWriteItems, TransactGetItems
 *   dynamodb.c        the op table, the service row, hooks, TTL sweeper
 *
 * Item trees are cJSON objects in DynamoDB's own JSON form
 * ({"attr": {"S": "x"}}); request trees are owned by the request arena.
 */
#ifndef IMGPIPE_DDB_H
#define IMGPIPE_DDB_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ddb_number.h"
#include "service.h"
#include "store/store.h"

/* What DynamoDB sends as __type for request validation failures. */
#define DDB_VALIDATION "com.amazon.coral.validate#ValidationException"
#define DDB_SERIALIZATION "com.amazon.coral.service#SerializationException"
#define DDB_MAX_ITEM_SIZE 409600
#define DDB_PAGE_BYTES (1024 * 1024)
#define DDB_MAX_INDEXES 25

/* The service's state (returned by init, req->service_state). */
struct ddb_state {
	struct emulator *emu;
	struct store_db *db;
	pthread_t ttl_thread;
	int ttl_started;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int stopping;
	int ttl_interval_ms; /* sweeper period */
};

/* ---- values (ddb_value.c) --------------------------------------- */

enum ddb_type {
	DT_BAD = 0, DT_S, DT_N, DT_B, DT_BOOL, DT_NULL, DT_M, DT_L,
	DT_SS, DT_NS, DT_BS
};

/* The type of an AttributeValue ({"S": ..}); DT_BAD if not one. */
enum ddb_type ddb_type_of(const cJSON *av);
/* "S", "N", ... for a type. */
const char *ddb_type_name(enum ddb_type t);
enum ddb_type ddb_type_parse(const char *name);
/* Check an AttributeValue (recursively), canonicalising numbers in place.
 * Returns 0, or -1 with a DynamoDB message in err. */
int ddb_value_check(cJSON *av, char *err, size_t errlen);
/* Check every attribute of an item map (may be empty). */
int ddb_item_check(cJSON *item, char *err, size_t errlen);
/* Size of a value / an item as DynamoDB counts it. */
size_t ddb_value_size(const cJSON *av);
size_t ddb_item_size(const cJSON *item);
/* Deep equality (numbers numerically, sets as sets). */
int ddb_value_equal(const cJSON *a, const cJSON *b);
/* Order of two values of the same scalar type (S, N, B): *ok = 0 when
 * they are not comparable. */
int ddb_value_cmp(const cJSON *a, const cJSON *b, int *ok);
/* Parse the number of an N value; 0 or -1. */
int ddb_value_num(const cJSON *av, struct ddb_num *out);
/* A new {"N": text} value. */
cJSON *ddb_value_new_num(const struct ddb_num *n);
/* Decoded bytes of a B value (or of a base64 string) into the arena. */
int ddb_b64_bytes(struct arena *a, const char *text, unsigned char **out,
		  size_t *len);

/* ---- tables ----------------------------------------------------- */

struct ddb_keydef {
	const char *name; /* NULL: no such key */
	enum ddb_type type;
};

struct ddb_keys {
	struct ddb_keydef hash, range;
};

enum ddb_proj { DDB_PROJ_ALL, DDB_PROJ_KEYS_ONLY, DDB_PROJ_INCLUDE };

struct ddb_index {
	const char *name;
	int global;
	struct ddb_keys keys;
	enum ddb_proj proj;
	const cJSON *non_key; /* array of names (INCLUDE) or NULL */
};

struct ddb_table {
	int64_t id;
	const char *name;
	cJSON *desc; /* the stored TableDescription (arena-owned) */
	struct ddb_keys keys;
	struct ddb_index idx[DDB_MAX_INDEXES];
	size_t n_idx;
	const char *ttl_attr; /* TTL attribute when enabled, else NULL */
	int deletion_protection;
};

/* An encoded primary key (or index key): order-preserving bytes. */
struct ddb_key {
	const unsigned char *pk, *sk; /* sk = "" when no range key */
	size_t pk_len, sk_len;
};

/* Encode a key attribute value of type t into the arena. */
int ddb_key_bytes(struct arena *a, const cJSON *av, unsigned char **out,
		  size_t *len);
/* Key of item for keys: missing attributes or wrong types record AWS's
 * ValidationException on req.  as_key: the input is a Key parameter
 * (exactly the key attributes) rather than an Item. */
int ddb_extract_key(struct request *req, const struct ddb_keys *keys,
		    const cJSON *item, int as_key, struct ddb_key *out);
/* The key attributes of item as a new map (for LastEvaluatedKey). */
cJSON *ddb_key_map(const struct ddb_table *t, const struct ddb_index *ix,
		   const cJSON *item);

/* Load a table by name into the arena; 0, or -1 with
 * ResourceNotFoundException recorded (message as given). */
int ddb_table_load(struct request *req, const char *name,
		   struct ddb_table **out);
int ddb_table_find(struct request *req, const char *name,
		   struct ddb_table **out); /* 0 found, 1 missing, -1 error */
const struct ddb_index *ddb_table_index(const struct ddb_table *t,
					const char *name);
/* TableDescription JSON with the live counts (new tree). */
cJSON *ddb_table_describe(struct request *req, const struct ddb_table *t,
			  const char *status);

/* ---- storage (ddb_store.c) -------------------------------------- */

struct store_db *ddb_store_open(struct emulator *emu, char *errbuf,
				size_t errlen);
/* The stored item at key (parsed, arena-owned) or NULL; -1 on error. */
int ddb_store_get(struct request *req, const struct ddb_table *t,
		  const struct ddb_key *k, cJSON **item);
/* Write item (replacing old, which may be NULL) and its index rows.
 * Inside the caller's transaction. */
int ddb_store_put(struct request *req, const struct ddb_table *t,
		  const struct ddb_key *k, const cJSON *old, const cJSON *item);
int ddb_store_delete(struct request *req, const struct ddb_table *t,
		     const struct ddb_key *k, const cJSON *old);
/* Recompute the index rows of one index over every item (new GSI). */
int ddb_store_backfill(struct request *req, const struct ddb_table *t,
		       const struct ddb_index *ix);
/* Delete every row of a table (items, index rows), optionally only
 * those of one index. */
int ddb_store_drop(struct store_db *db, int64_t tid, const char *index);
/* Recompute the ttl column for every item of a table. */
int ddb_store_set_ttl(struct request *req, const struct ddb_table *t);
/* Index rows of item for ix: 0 when the item is not in the index. */
int ddb_index_key(struct arena *a, const struct ddb_index *ix,
		  const cJSON *item, struct ddb_key *out);
/* Delete items whose TTL passed; returns how many, or -1. */
long ddb_store_sweep_ttl(struct store_db *db, int64_t now_s);

/* Run sql with one text/int binding pattern; helpers around store.h. */
int ddb_begin(struct request *req);
int ddb_commit(struct request *req);
void ddb_rollback(struct request *req);

/* ---- expressions (ddb_expr_*.c) --------------------------------- */

enum ddb_expr_kind {
	DDB_EXPR_CONDITION, DDB_EXPR_FILTER, DDB_EXPR_KEY,
	DDB_EXPR_UPDATE, DDB_EXPR_PROJECTION
};

enum ddb_tok_type {
	TK_EOF, TK_IDENT, TK_NAME, TK_VALUE, TK_INT, TK_LPAREN, TK_RPAREN,
	TK_LBRACKET, TK_RBRACKET, TK_COMMA, TK_DOT, TK_EQ, TK_NE, TK_LT,
	TK_LE, TK_GT, TK_GE, TK_PLUS, TK_MINUS
};

struct ddb_tok {
	enum ddb_tok_type type;
	const char *start; /* into the expression text */
	size_t len;
};

/* Tokenise text into the arena.  0, or -1 with err ("Syntax error; ..."
 * without the "Invalid XExpression: " prefix). */
int ddb_lex(struct arena *a, const char *text, struct ddb_tok **out,
	    size_t *n, char *err, size_t errlen);
/* 1 if word (len bytes) is a DynamoDB reserved word (any case). */
int ddb_is_reserved(const char *word, size_t len);

struct ddb_path_elem {
	const char *name; /* attribute/map key, or NULL for an index */
	long index;
};

struct ddb_path {
	struct ddb_path_elem *e;
	size_t n;
};

enum ddb_node_type {
	DN_PATH, DN_VALUE, DN_SIZE, DN_IF_NOT_EXISTS, DN_LIST_APPEND,
	DN_PLUS, DN_MINUS, DN_CMP, DN_BETWEEN, DN_IN, DN_AND, DN_OR, DN_NOT,
	DN_EXISTS, DN_NOT_EXISTS, DN_TYPE, DN_BEGINS, DN_CONTAINS
};

enum ddb_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

struct ddb_node {
	enum ddb_node_type type;
	enum ddb_cmp cmp;
	struct ddb_node **kids;
	size_t n_kids;
	struct ddb_path path;   /* DN_PATH */
	const cJSON *value;     /* DN_VALUE */
	const char *vname;      /* DN_VALUE: ":v" for messages */
};

enum ddb_update_op { UPD_SET, UPD_REMOVE, UPD_ADD, UPD_DELETE };

struct ddb_update_action {
	enum ddb_update_op op;
	struct ddb_path path;
	struct ddb_node *value; /* NULL for REMOVE */
};

struct ddb_update {
	struct ddb_update_action *a;
	size_t n;
};

struct ddb_projection {
	struct ddb_path *paths;
	size_t n;
};

/* One request's expressions share the attribute name/value maps, so
 * unused entries can be reported once all of them are parsed. */
struct ddb_expr_ctx {
	struct arena *arena;
	const cJSON *names, *values;
	unsigned char *names_used, *values_used;
	size_t n_names, n_values;
	char err[1024];
};

void ddb_expr_ctx_init(struct ddb_expr_ctx *c, struct arena *a,
		       const cJSON *names, const cJSON *values);
/* Parse a condition-like expression (condition, filter, key).  0, or -1
 * with c->err holding the whole message ("Invalid ...Expression: ..."). */
int ddb_parse_condition(struct ddb_expr_ctx *c, enum ddb_expr_kind kind,
			const char *text, struct ddb_node **out);
int ddb_parse_update(struct ddb_expr_ctx *c, const char *text,
		     struct ddb_update *out);
int ddb_parse_projection(struct ddb_expr_ctx *c, const char *text,
			 struct ddb_projection *out);
/* After every expression of the request is parsed: unused names/values.
 * 0, or -1 with c->err. */
int ddb_expr_check_unused(struct ddb_expr_ctx *c);
/* "a.b[1]" text of a path (arena) for messages. */
const char *ddb_path_text(struct arena *a, const struct ddb_path *p);

/* 1 true, 0 false, -1 error (c->err). item may be NULL. */
int ddb_eval_condition(struct ddb_expr_ctx *c, const struct ddb_node *n,
		       const cJSON *item);
/* Apply u to item (a copy of the old item, or a new one holding just the
 * key), reading operands from old (may be NULL).  0, or -1 with c->err. */
int ddb_apply_update(struct ddb_expr_ctx *c, const struct ddb_update *u,
		     const cJSON *old, cJSON *item);
/* The value at path in item, or NULL. */
const cJSON *ddb_path_get(const cJSON *item, const struct ddb_path *p);
/* A new map with only the projected paths of item. */
cJSON *ddb_project(const struct ddb_projection *p, const cJSON *item);

/* ---- request helpers (dynamodb.c) ------------------------------- */

/* A string member of a request object, or NULL. */
const char *ddb_str(const cJSON *obj, const char *name);
/* Record ValidationException with message; returns -1. */
int ddb_invalid(struct request *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record an error whose body carries JSON members besides the message
 * (ConditionalCheckFailedException.Item, CancellationReasons): extra's
 * members go to the error (req_error_json) and extra is freed.  Returns
 * -1; protocol.c writes the body. */
int ddb_error_with(struct request *req, struct response *resp, int status,
		   const char *code, const char *message, cJSON *extra);
/* ConsumedCapacity for ReturnConsumedCapacity (NULL when NONE). */
cJSON *ddb_consumed(const cJSON *body, const char *table, double units);
/* Parse ExpressionAttributeNames/Values of a request into c, with
 * AWS's checks (empty maps, names without expressions).  0 or -1. */
int ddb_expr_setup(struct request *req, const cJSON *body,
		   struct ddb_expr_ctx *c, int has_expression);

/* Handlers. */
int ddb_create_table(struct request *req, struct response *resp);
int ddb_describe_table(struct request *req, struct response *resp);
int ddb_list_tables(struct request *req, struct response *resp);
int ddb_delete_table(struct request *req, struct response *resp);
int ddb_update_table(struct request *req, struct response *resp);
int ddb_describe_ttl(struct request *req, struct response *resp);
int ddb_update_ttl(struct request *req, struct response *resp);
int ddb_describe_backups(struct request *req, struct response *resp);
int ddb_update_backups(struct request *req, struct response *resp);
int ddb_tag_resource(struct request *req, struct response *resp);
int ddb_untag_resource(struct request *req, struct response *resp);
int ddb_list_tags(struct request *req, struct response *resp);
int ddb_describe_endpoints(struct request *req, struct response *resp);
int ddb_describe_limits(struct request *req, struct response *resp);
int ddb_put_item(struct request *req, struct response *resp);
int ddb_get_item(struct request *req, struct response *resp);
int ddb_delete_item(struct request *req, struct response *resp);
int ddb_update_item(struct request *req, struct response *resp);
int ddb_query(struct request *req, struct response *resp);
int ddb_scan(struct request *req, struct response *resp);
int ddb_batch_get(struct request *req, struct response *resp);
int ddb_batch_write(struct request *req, struct response *resp);
int ddb_transact_write(struct request *req, struct response *resp);
int ddb_transact_get(struct request *req, struct response *resp);

/* Shared by item, batch and txn: one write, checked and applied inside
 * the caller's transaction.  See ddb_item.c. */
enum ddb_write_kind { DDB_W_PUT, DDB_W_DELETE, DDB_W_UPDATE, DDB_W_CHECK };

struct ddb_write {
	enum ddb_write_kind kind;
	struct ddb_table *table;
	cJSON *item;              /* PUT: the new item; UPDATE/DELETE/CHECK:
				     the Key */
	struct ddb_key key;
	struct ddb_expr_ctx ctx;
	struct ddb_node *cond;    /* ConditionExpression or NULL */
	struct ddb_update update; /* UPDATE */
	/* Results. */
	cJSON *old;               /* the item before, or NULL */
	cJSON *new_item;          /* the item after (PUT/UPDATE), or NULL */
	int cond_failed;
};

/* Parse and check one write request object (PutItem body, a Put of a
 * transaction...).  0, or -1 with the error recorded. */
int ddb_write_prepare(struct request *req, const cJSON *body,
		      enum ddb_write_kind kind, struct ddb_write *w);
/* Read the old item, check the condition, compute the new item; nothing
 * is written.  0 (w->cond_failed may be set), -1 on error. */
int ddb_write_evaluate(struct request *req, struct ddb_write *w);
/* Store the result of an evaluated write. */
int ddb_write_apply(struct request *req, struct ddb_write *w);

#endif
