/*
 * protocol.c - the wire form of answers, one encoder per AWS protocol.
 *
 * Handlers record errors as values (req_error); only this file turns an
 * aws_err into bytes, in the shape the SDKs parse for that protocol:
 *
 *   REST-XML (S3)     <Error><Code/><Message/>[extra]<RequestId/><HostId/>
 *   JSON (DynamoDB)   {"__type":"<namespace>#Code","message":"..."}
 *   REST-JSON         X-Amzn-ErrorType: Code, {"Type":..,"message":..}
 *   Query (SNS, IAM)  <ErrorResponse><Error><Type/><Code/><Message/>
 *                     </Error><RequestId/></ErrorResponse>
 *
 * It also holds the success-side helpers every service of a protocol
 * shares (a JSON body with the right content type, the Query envelope).
 */
#include "hash.h"
#include "protocol.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_xml_error(struct request *req, struct response *resp)
{
	const struct aws_err *e = &req->err;
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>");
	buf_xml_escape(&b, e->code, strlen(e->code));
	buf_puts(&b, "</Code><Message>");
	buf_xml_escape(&b, e->message, strlen(e->message));
	buf_puts(&b, "</Message>");
	for (size_t i = 0; i < e->n_extra; i++) {
		buf_printf(&b, "<%s>", e->extra[i].name);
		buf_xml_escape(&b, e->extra[i].value,
			       strlen(e->extra[i].value));
		buf_printf(&b, "</%s>", e->extra[i].name);
	}
	buf_printf(&b, "<RequestId>%s</RequestId><HostId>%s</HostId></Error>",
		   req->request_id, req->request_id);
	resp_header(resp, "Content-Type", "application/xml");
	resp_body_buf(resp, &b);
}

static void write_query_error(const char *xmlns, struct request *req,
			      struct response *resp)
{
	const struct aws_err *e = &req->err;
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_printf(&b, "<ErrorResponse xmlns=\"%s\">\n  <Error>\n    <Type>%s"
		   "</Type>\n    <Code>",
		   xmlns ? xmlns : "", e->sender ? e->sender : "Sender");
	buf_xml_escape(&b, e->code, strlen(e->code));
	buf_puts(&b, "</Code>\n    <Message>");
	buf_xml_escape(&b, e->message, strlen(e->message));
	buf_puts(&b, "</Message>\n  </Error>\n  <RequestId>");
	buf_puts(&b, req->request_id);
	buf_puts(&b, "</RequestId>\n</ErrorResponse>\n");
	resp_header(resp, "Content-Type", "text/xml");
	resp_body_buf(resp, &b);
}

/* The error's extra members, strings and JSON values alike. */
static void add_extras(cJSON *json, const struct aws_err *e)
{
	for (size_t i = 0; i < e->n_extra; i++)
		cJSON_AddStringToObject(json, e->extra[i].name,
					e->extra[i].value);
	if (!e->json_fields)
		return;
	for (cJSON *f = e->json_fields->child; f; f = f->next)
		cJSON_AddItemToObject(json, f->string, cJSON_Duplicate(f, 1));
}

static void write_json_error(const struct service *svc, struct request *req,
			     struct response *resp)
{
	const struct aws_err *e = &req->err;
	cJSON *json = cJSON_CreateObject();
	/* A code that already names its namespace ("com.amazon.coral.
	 * validate#ValidationException") is sent as it is. */
	if (strchr(e->code, '#') || !svc || !svc->error_namespace) {
		cJSON_AddStringToObject(json, "__type", e->code);
	} else {
		char *type = xasprintf("%s%s", svc->error_namespace, e->code);
		cJSON_AddStringToObject(json, "__type", type);
		free(type);
	}
	cJSON_AddStringToObject(json, "message", e->message);
	add_extras(json, e);
	resp_json(resp, svc, json);
}

static void write_rest_json_error(const struct service *svc,
				  struct request *req, struct response *resp)
{
	const struct aws_err *e = &req->err;
	cJSON *json = cJSON_CreateObject();
	cJSON_AddStringToObject(json, "Type",
				e->status >= 500 ? "Service" : "User");
	cJSON_AddStringToObject(json,
				svc && (svc->flags & SVC_ERROR_MESSAGE_CAPITAL)
					? "Message"
					: "message",
				e->message);
	add_extras(json, e);
	resp_header(resp, "X-Amzn-ErrorType", e->code);
	resp_json(resp, svc, json);
}

void protocol_write_error(const struct service *svc, enum protocol proto,
			  struct request *req, struct response *resp)
{
	if (!req->err.status)
		req_error(req, 500, "InternalFailure",
			  "the operation failed without saying why");
	resp->status = req->err.status;
	switch (proto) {
	case PROTO_REST_XML:
		write_xml_error(req, resp);
		break;
	case PROTO_JSON:
		write_json_error(svc, req, resp);
		break;
	case PROTO_REST_JSON:
		write_rest_json_error(svc, req, resp);
		break;
	case PROTO_QUERY:
		write_query_error(svc ? svc->error_namespace : NULL, req,
				  resp);
		break;
	}
}

enum protocol protocol_guess(const struct request *req)
{
	const char *ctype = req_header(req, "content-type");
	if (req_header(req, "x-amz-target"))
		return PROTO_JSON;
	if (ctype && strncmp(ctype, "application/x-www-form-urlencoded",
			     33) == 0)
		return PROTO_QUERY;
	if (ctype && strstr(ctype, "json"))
		return PROTO_REST_JSON;
	return PROTO_REST_XML;
}

int protocol_unknown_operation(const struct service *svc,
			       struct request *req, const char *name)
{
	switch (svc->protocol) {
	case PROTO_JSON:
		/* AWS's JSON services name this one in coral's namespace. */
		return req_error(req, 400,
				 "com.amazon.coral.service#"
				 "UnknownOperationException",
				 "operation '%s' is not supported by %s",
				 name ? name : "", svc->name);
	case PROTO_QUERY:
		if (!name || !*name)
			return req_error(req, 400, "MissingAction",
					 "Missing Action");
		return req_error(req, 400, "InvalidAction",
				 "The action %s is not valid for this web "
				 "service.", name);
	case PROTO_REST_JSON:
		return req_error(req, 404, "UnknownOperationException",
				 "no %s operation matches %s %s", svc->name,
				 req->method, req->path);
	case PROTO_REST_XML:
		break;
	}
	return req_error(req, 501, "NotImplemented",
			 "A header you provided implies functionality that "
			 "is not implemented");
}

void resp_json(struct response *resp, const struct service *svc,
	       struct cJSON *json)
{
	char *text = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	if (!text)
		abort();
	size_t len = strlen(text);
	resp_header(resp, "Content-Type",
		    svc && svc->json_content_type ? svc->json_content_type
						  : "application/json");
	if (svc && (svc->flags & SVC_JSON_CRC32))
		resp_headerf(resp, "x-amz-crc32", "%u",
			     (unsigned)hash_crc32(0, text, len));
	resp_body_take(resp, text, len);
}

static void delete_json(void *json)
{
	cJSON_Delete(json);
}

struct cJSON *req_json_body(struct request *req, const char *error_code)
{
	const char *end = NULL;
	if (!req->body || req->body_len == 0) {
		cJSON *empty = cJSON_CreateObject();
		arena_defer(req->arena, delete_json, empty);
		return empty;
	}
	cJSON *json = cJSON_ParseWithLengthOpts(req->body, req->body_len,
						&end, 0);
	if (!json) {
		req_error(req, 400, error_code,
			  "the request body is not valid JSON (at byte %zu)",
			  end ? (size_t)(end - req->body) : 0);
		return NULL;
	}
	arena_defer(req->arena, delete_json, json);
	if (!cJSON_IsObject(json)) {
		req_error(req, 400, error_code,
			  "the request body must be a JSON object");
		return NULL;
	}
	return json;
}

void query_begin(struct buf *b, const struct service *svc,
		 const char *action)
{
	buf_printf(b, "<%sResponse xmlns=\"%s\">\n  <%sResult>", action,
		   svc->error_namespace ? svc->error_namespace : "", action);
}

void query_end(struct buf *b, const struct request *req, const char *action)
{
	buf_printf(b, "</%sResult>\n  <ResponseMetadata>\n    <RequestId>%s"
		   "</RequestId>\n  </ResponseMetadata>\n</%sResponse>\n",
		   action, req->request_id, action);
}

void query_element(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "<%s>", name);
	buf_xml_escape(b, value, strlen(value));
	buf_printf(b, "</%s>", name);
}

void query_send(struct response *resp, struct buf *b)
{
	resp_header(resp, "Content-Type", "text/xml");
	resp_body_buf(resp, b);
}

void query_answer_one(struct request *req, struct response *resp,
		      const char *action, const char *name, const char *value)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	query_begin(&b, req->service, action);
	buf_puts(&b, "\n    ");
	query_element(&b, name, value);
	buf_puts(&b, "\n  ");
	query_end(&b, req, action);
	query_send(resp, &b);
}
