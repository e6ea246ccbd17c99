/*
 * protocol.h - wire forms shared by the services of one AWS protocol:
 * the error encoders (the only code that writes error bodies) and the
 * success helpers for JSON bodies and the Query XML envelope.
 */
#ifndef IMGPIPE_PROTOCOL_H
#define IMGPIPE_PROTOCOL_H

#include "service.h"

struct cJSON;

/* Render req->err as proto's error into resp (svc may be NULL). */
void protocol_write_error(const struct service *svc, enum protocol proto,
			  struct request *req, struct response *resp);
/* The protocol a request looks like, for requests no service claims. */
enum protocol protocol_guess(const struct request *req);
/* Record the protocol's "no such operation" error; returns -1. */
int protocol_unknown_operation(const struct service *svc,
			       struct request *req, const char *name);

/* Serialise json as the body (takes ownership of json and frees it),
 * with the service's JSON content type. */
void resp_json(struct response *resp, const struct service *svc,
	       struct cJSON *json);

/* The request body parsed as a JSON object, owned by the request's arena
 * (never free it).  An empty body is an empty object.  NULL, with
 * error_code recorded (DynamoDB: "SerializationException", Lambda:
 * "InvalidRequestContentException"), when the body is not an object. */
struct cJSON *req_json_body(struct request *req, const char *error_code);

/* Query protocol success:
 *   query_begin(&b, svc, "GetCallerIdentity");  ... elements ...
 *   query_end(&b, req, "GetCallerIdentity"); query_send(resp, &b); */
void query_begin(struct buf *b, const struct service *svc,
		 const char *action);
void query_end(struct buf *b, const struct request *req, const char *action);
/* <name>escaped value</name> */
void query_element(struct buf *b, const char *name, const char *value);
void query_send(struct response *resp, struct buf *b);
/* The whole answer of an action whose result is one element, e.g.
 * CreateTopic's <TopicArn>. */
void query_answer_one(struct request *req, struct response *resp,
		      const char *action, const char *name, const char *value);

#endif
