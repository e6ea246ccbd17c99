/*
 * aws_ddb.h - DynamoDB client (PutItem, GetItem, UpdateItem, DeleteItem,
 * Query, and any other operation through aws_ddb_call) and a small
 * AttributeValue builder over cJSON.
 *
 * Items are cJSON objects in DynamoDB's wire form: attribute name ->
 * AttributeValue ({"S": "x"}, {"N": "12"}, {"M": {...}}...).  Build one:
 *
 *   cJSON *item = aws_ddb_item();
 *   aws_ddb_put(item, "image_id", aws_ddb_s("abc"));
 *   aws_ddb_put(item, "width", aws_ddb_n_int(800));
 *   cJSON *v = aws_ddb_m();
 *   aws_ddb_put(aws_ddb_map(v), "thumb", aws_ddb_s("abc/thumb.jpg"));
 *   aws_ddb_put(item, "variants", v);
 *   aws_ddb_put_item(ddb, "imgpipe-images", item, NULL, NULL, &err);
 *   cJSON_Delete(item);
 *
 * Builders return a new AttributeValue that the caller owns until it is
 * handed to aws_ddb_put / aws_ddb_append, which take it.  Numbers travel
 * as text, as on the wire, so no precision is lost; aws_ddb_to_json turns
 * an item into plain JSON (numbers as JSON numbers, sets as arrays,
 * binary as base64 strings).
 *
 * Client calls return 0 or -1 with err filled (DynamoDB's code:
 * ConditionalCheckFailedException, ResourceNotFoundException,
 * ValidationException, ProvisionedThroughputExceededException after the
 * retries...).  Outputs marked "caller frees" are released with
 * cJSON_Delete.  One client per thread.
 */
#ifndef IMGPIPE_AWS_DDB_H
#define IMGPIPE_AWS_DDB_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "aws_config.h"
#include "aws_error.h"
#include "aws_http.h"

/* ---- AttributeValue builder ------------------------------------------- */

cJSON *aws_ddb_s(const char *s);
/* A number from its text; NULL when text is not a DynamoDB number literal. */
cJSON *aws_ddb_n(const char *text);
cJSON *aws_ddb_n_int(long long v);
/* A double written with 17 significant digits; NULL for NaN/infinity. */
cJSON *aws_ddb_n_double(double v);
cJSON *aws_ddb_bool(int v);
cJSON *aws_ddb_null(void);
/* Binary: the bytes are base64-encoded into {"B": ...}. */
cJSON *aws_ddb_b(const void *data, size_t len);
/* A string set from n strings (DynamoDB refuses empty sets). */
cJSON *aws_ddb_ss(const char *const *v, size_t n);
/* An empty map {"M": {}}; fill it through aws_ddb_map(). */
cJSON *aws_ddb_m(void);
/* An empty list {"L": []}; fill it with aws_ddb_append. */
cJSON *aws_ddb_l(void);
/* An empty item, key, or ExpressionAttributeValues object. */
cJSON *aws_ddb_item(void);

/*
 * Set name to av in map (an item, or aws_ddb_map(m)), replacing any old
 * value.  Takes av (also on failure).  Returns 0, or -1 when map or av
 * is NULL.
 */
int aws_ddb_put(cJSON *map, const char *name, cJSON *av);
/* Append av to list (an {"L": []} value).  Takes av.  Returns 0 or -1. */
int aws_ddb_append(cJSON *list, cJSON *av);
/* The name -> AttributeValue object inside an {"M": ...} value, or NULL. */
cJSON *aws_ddb_map(const cJSON *m);

/* ---- readers (borrowed results) --------------------------------------- */

/* The AttributeValue of name in map (an item or aws_ddb_map()), or NULL. */
const cJSON *aws_ddb_get(const cJSON *map, const char *name);
/* The string of an S attribute, or NULL when absent or not S. */
const char *aws_ddb_get_s(const cJSON *map, const char *name);
/* An N attribute as an integer: 0, or -1 when absent, not N or not integral. */
int aws_ddb_get_ll(const cJSON *map, const char *name, long long *out);
/* A BOOL attribute: 0, or -1. */
int aws_ddb_get_bool(const cJSON *map, const char *name, int *out);
/*
 * Plain JSON for an item (or the inner object of an M).  Returns a new object
 * (caller frees), or NULL when the input is not DynamoDB JSON.
 */
cJSON *aws_ddb_to_json(const cJSON *item);

/* ---- the client ------------------------------------------------------- */

struct aws_ddb;

struct aws_ddb *aws_ddb_new(const struct aws_config *cfg, struct aws_error *err);
void aws_ddb_free(struct aws_ddb *ddb);
/* The underlying HTTP client, to adjust timeouts (borrowed). */
struct aws_client *aws_ddb_http(struct aws_ddb *ddb);

/* The condition parts shared by put, update and delete (all optional). */
struct aws_ddb_cond {
	const char *condition;     /* ConditionExpression */
	const cJSON *names;        /* ExpressionAttributeNames {"#n": "name"} */
	const cJSON *values;       /* ExpressionAttributeValues {":v": AV} */
	const char *return_values; /* ReturnValues: "ALL_OLD", "ALL_NEW", ... */
};

/*
 * PutItem.  old (may be NULL): with return_values "ALL_OLD", the replaced
 * item (caller frees), NULL when there was none.
 */
int aws_ddb_put_item(struct aws_ddb *ddb, const char *table, const cJSON *item,
		     const struct aws_ddb_cond *cond, cJSON **old, struct aws_error *err);
/*
 * GetItem.  *item is the item (caller frees), or NULL when no item has
 * that key (not an error).  projection and names may be NULL.
 */
int aws_ddb_get_item(struct aws_ddb *ddb, const char *table, const cJSON *key,
		     int consistent, const char *projection, const cJSON *names,
		     cJSON **item, struct aws_error *err);
/* UpdateItem with update (UpdateExpression).  attrs as old for put. */
int aws_ddb_update_item(struct aws_ddb *ddb, const char *table, const cJSON *key,
			const char *update, const struct aws_ddb_cond *cond,
			cJSON **attrs, struct aws_error *err);
/* DeleteItem.  old as for put. */
int aws_ddb_delete_item(struct aws_ddb *ddb, const char *table, const cJSON *key,
			const struct aws_ddb_cond *cond, cJSON **old,
			struct aws_error *err);

struct aws_ddb_query {
	const char *index;          /* IndexName, or NULL for the table */
	const char *key_condition;  /* KeyConditionExpression (required) */
	const char *filter;         /* FilterExpression */
	const char *projection;     /* ProjectionExpression */
	const cJSON *names;
	const cJSON *values;
	int limit;                  /* 0: none */
	int descending;             /* ScanIndexForward = false */
	int consistent;             /* ConsistentRead */
	const cJSON *start_key;     /* ExclusiveStartKey, or NULL */
};

/*
 * One page of Query.  *items: array of items (caller frees); *last_key
 * (may be NULL): LastEvaluatedKey (caller frees) or NULL on the last page.
 */
int aws_ddb_query(struct aws_ddb *ddb, const char *table, const struct aws_ddb_query *q,
		  cJSON **items, cJSON **last_key, struct aws_error *err);

/*
 * Any DynamoDB operation: op ("DescribeTable"...), request body
 * (borrowed), *response the parsed answer (caller frees).
 */
int aws_ddb_call(struct aws_ddb *ddb, const char *op, const cJSON *request,
		 cJSON **response, struct aws_error *err);

#endif
