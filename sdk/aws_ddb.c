/*
 * aws_ddb.c - DynamoDB operations over aws_http.c (JSON 1.0 protocol:
 * POST / with X-Amz-Target DynamoDB_20120810.<Op>).  The x-amz-crc32
 * header DynamoDB sends is checked against the body, as botocore does.
 */
#include "aws_ddb.h"
#include "hash.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct aws_ddb {
	struct aws_client http;
};

struct aws_ddb *aws_ddb_new(const struct aws_config *cfg, struct aws_error *err)
{
	struct aws_ddb *d = xcalloc(1, sizeof(*d));
	if (aws_client_init(&d->http, cfg, AWS_SERVICE_DYNAMODB, err) != 0) {
		free(d);
		return NULL;
	}
	return d;
}

void aws_ddb_free(struct aws_ddb *ddb)
{
	if (!ddb)
		return;
	aws_client_cleanup(&ddb->http);
	free(ddb);
}

struct aws_client *aws_ddb_http(struct aws_ddb *ddb)
{
	return &ddb->http;
}

int aws_ddb_call(struct aws_ddb *ddb, const char *op, const cJSON *request,
		 cJSON **response, struct aws_error *err)
{
	*response = NULL;
	char *body = cJSON_PrintUnformatted(request);
	if (!body)
		return aws_error_set(err, 0, "ClientError", "cannot serialise the request");
	char target[96];
	snprintf(target, sizeof(target), "DynamoDB_20120810.%s", op);
	struct aws_http_header h[] = {
		{ "Content-Type", "application/x-amz-json-1.0" },
		{ "X-Amz-Target", target },
	};
	struct aws_http_request req = {
		.method = "POST", .path = "/", .headers = h, .header_count = 2,
		.body = body, .body_len = strlen(body), .body_fd = -1, .out_fd = -1,
	};
	struct aws_http_response resp;
	int rc = aws_http_send(&ddb->http, &req, &resp, err);
	free(body);
	if (rc == 0) {
		const char *crc = aws_http_response_header(&resp, "x-amz-crc32");
		if (crc && strtoul(crc, NULL, 10) !=
		    hash_crc32(0, resp.body.data ? resp.body.data : "", resp.body.len)) {
			rc = aws_error_set(err, (int)resp.status, "CRC32CheckFailed",
					   "the response body does not match its x-amz-crc32");
		} else {
			*response = cJSON_ParseWithLength(resp.body.data ? resp.body.data : "{}",
							  resp.body.len ? resp.body.len : 2);
			if (!cJSON_IsObject(*response)) {
				cJSON_Delete(*response);
				*response = NULL;
				rc = aws_error_set(err, (int)resp.status, "ClientError",
						   "unreadable %s response", op);
			}
		}
		if (rc != 0) {
			const char *rid = aws_http_response_header(&resp, "x-amzn-requestid");
			snprintf(err->request_id, sizeof(err->request_id), "%s", rid ? rid : "");
		}
	}
	aws_http_response_free(&resp);
	return rc;
}

/* Add a copy of v to req under name when v is set. */
static void add_copy(cJSON *req, const char *name, const cJSON *v)
{
	if (v)
		cJSON_AddItemToObject(req, name, cJSON_Duplicate(v, 1));
}

static void add_string(cJSON *req, const char *name, const char *v)
{
	if (v)
		cJSON_AddStringToObject(req, name, v);
}

static void add_cond(cJSON *req, const struct aws_ddb_cond *c)
{
	if (!c)
		return;
	add_string(req, "ConditionExpression", c->condition);
	add_copy(req, "ExpressionAttributeNames", c->names);
	add_copy(req, "ExpressionAttributeValues", c->values);
	add_string(req, "ReturnValues", c->return_values);
}

/* Detach member name of resp into *out (when out is not NULL). */
static void take(cJSON *resp, const char *name, cJSON **out)
{
	if (!out)
		return;
	*out = resp ? cJSON_DetachItemFromObjectCaseSensitive(resp, name) : NULL;
}

/* Run op with req (consumed); move member name of the answer to *out. */
static int call_take(struct aws_ddb *ddb, const char *op, cJSON *req,
		     const char *name, cJSON **out, struct aws_error *err)
{
	cJSON *resp;
	if (out)
		*out = NULL;
	int rc = aws_ddb_call(ddb, op, req, &resp, err);
	cJSON_Delete(req);
	if (rc == 0)
		take(resp, name, out);
	cJSON_Delete(resp);
	return rc;
}

/* {"TableName": table} or NULL with err for a missing table name. */
static cJSON *new_request(const char *table, struct aws_error *err)
{
	if (!table || !*table) {
		aws_error_set(err, 0, "InvalidParameter", "table name is empty");
		return NULL;
	}
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "TableName", table);
	return req;
}

int aws_ddb_put_item(struct aws_ddb *ddb, const char *table, const cJSON *item,
		     const struct aws_ddb_cond *cond, cJSON **old, struct aws_error *err)
{
	cJSON *req = new_request(table, err);
	if (!req)
		return -1;
	add_copy(req, "Item", item);
	add_cond(req, cond);
	return call_take(ddb, "PutItem", req, "Attributes", old, err);
}

int aws_ddb_get_item(struct aws_ddb *ddb, const char *table, const cJSON *key,
		     int consistent, const char *projection, const cJSON *names,
		     cJSON **item, struct aws_error *err)
{
	cJSON *req = new_request(table, err);
	*item = NULL;
	if (!req)
		return -1;
	add_copy(req, "Key", key);
	if (consistent)
		cJSON_AddTrueToObject(req, "ConsistentRead");
	add_string(req, "ProjectionExpression", projection);
	add_copy(req, "ExpressionAttributeNames", names);
	return call_take(ddb, "GetItem", req, "Item", item, err);
}

int aws_ddb_update_item(struct aws_ddb *ddb, const char *table, const cJSON *key,
			const char *update, const struct aws_ddb_cond *cond,
			cJSON **attrs, struct aws_error *err)
{
	cJSON *req = new_request(table, err);
	if (!req)
		return -1;
	add_copy(req, "Key", key);
	add_string(req, "UpdateExpression", update);
	add_cond(req, cond);
	return call_take(ddb, "UpdateItem", req, "Attributes", attrs, err);
}

int aws_ddb_delete_item(struct aws_ddb *ddb, const char *table, const cJSON *key,
			const struct aws_ddb_cond *cond, cJSON **old,
			struct aws_error *err)
{
	cJSON *req = new_request(table, err);
	if (!req)
		return -1;
	add_copy(req, "Key", key);
	add_cond(req, cond);
	return call_take(ddb, "DeleteItem", req, "Attributes", old, err);
}

int aws_ddb_query(struct aws_ddb *ddb, const char *table, const struct aws_ddb_query *q,
		  cJSON **items, cJSON **last_key, struct aws_error *err)
{
	cJSON *req = new_request(table, err);
	*items = NULL;
	if (last_key)
		*last_key = NULL;
	if (!req)
		return -1;
	add_string(req, "IndexName", q->index);
	add_string(req, "KeyConditionExpression", q->key_condition);
	add_string(req, "FilterExpression", q->filter);
	add_string(req, "ProjectionExpression", q->projection);
	add_copy(req, "ExpressionAttributeNames", q->names);
	add_copy(req, "ExpressionAttributeValues", q->values);
	if (q->limit > 0)
		cJSON_AddNumberToObject(req, "Limit", q->limit);
	if (q->descending)
		cJSON_AddFalseToObject(req, "ScanIndexForward");
	if (q->consistent)
		cJSON_AddTrueToObject(req, "ConsistentRead");
	add_copy(req, "ExclusiveStartKey", q->start_key);
	cJSON *resp;
	int rc = aws_ddb_call(ddb, "Query", req, &resp, err);
	cJSON_Delete(req);
	if (rc == 0) {
		take(resp, "Items", items);
		if (!*items)
			*items = cJSON_CreateArray();
		take(resp, "LastEvaluatedKey", last_key);
	}
	cJSON_Delete(resp);
	return rc;
}
