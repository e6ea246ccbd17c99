/*
 * aws_error.c - filling struct aws_error, and reading AWS error bodies
 * in the REST-XML, Query and JSON shapes (see aws_error.h).
 */
#include "aws_error.h"
#include "aws_xml.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void aws_error_clear(struct aws_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

/* Copy at most size-1 bytes of s (n bytes) into dst, NUL-terminated. */
static void copy_field(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int aws_error_set(struct aws_error *err, int http_status, const char *code,
		  const char *fmt, ...)
{
	if (!err)
		return -1;
	aws_error_clear(err);
	err->http_status = http_status;
	copy_field(err->code, sizeof(err->code), code, strlen(code));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

const char *aws_error_status_code(int status)
{
	switch (status) {
	case 301: return "MovedPermanently";
	case 304: return "NotModified";
	case 307: return "TemporaryRedirect";
	case 400: return "BadRequest";
	case 403: return "Forbidden";
	case 404: return "NotFound";
	case 405: return "MethodNotAllowed";
	case 409: return "Conflict";
	case 412: return "PreconditionFailed";
	case 413: return "RequestEntityTooLarge";
	case 416: return "InvalidRange";
	case 429: return "TooManyRequestsException";
	case 500: return "InternalError";
	case 501: return "NotImplemented";
	case 502: return "BadGateway";
	case 503: return "ServiceUnavailable";
	case 504: return "GatewayTimeout";
	default: return "UnknownError";
	}
}

/*
 * Store an AWS error type as the code: "ns.v1#Code" and "Code:uri"
 * (X-Amzn-ErrorType) both become "Code".
 */
static void set_code_from_type(struct aws_error *err, const char *type)
{
	const char *hash = strrchr(type, '#');
	if (hash)
		type = hash + 1;
	size_t n = strcspn(type, ":");
	copy_field(err->code, sizeof(err->code), type, n);
}

/* Code, message and request id from an XML error document. */
static void parse_xml(struct aws_error *err, const char *body, size_t len)
{
	struct aws_xml *doc = aws_xml_parse(body, len);
	if (!doc)
		return;
	const struct aws_xml *e = doc;
	if (strcmp(doc->name, "ErrorResponse") == 0 ||
	    strcmp(doc->name, "Response") == 0) {
		/* Query: ErrorResponse/Error; EC2-style Response/Errors/Error */
		const struct aws_xml *inner = aws_xml_child(doc, "Error");
		if (!inner)
			inner = aws_xml_path(doc, "Errors/Error");
		if (inner)
			e = inner;
	}
	const char *code = aws_xml_text(aws_xml_child(e, "Code"));
	const char *msg = aws_xml_text(aws_xml_child(e, "Message"));
	const char *rid = aws_xml_text(aws_xml_child(e, "RequestId"));
	if (!rid)
		rid = aws_xml_text(aws_xml_child(doc, "RequestId"));
	if (!rid)
		rid = aws_xml_text(aws_xml_child(doc, "RequestID"));
	if (code && *code)
		copy_field(err->code, sizeof(err->code), code, strlen(code));
	if (msg)
		copy_field(err->message, sizeof(err->message), msg, strlen(msg));
	if (rid && *rid)
		copy_field(err->request_id, sizeof(err->request_id), rid, strlen(rid));
	aws_xml_free(doc);
}

/* Code and message from a JSON error document. */
static void parse_json(struct aws_error *err, const char *body, size_t len)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return;
	}
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "__type"));
	if (!type)
		type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "code"));
	if (!type)
		type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "Code"));
	if (type && *type)
		set_code_from_type(err, type);
	static const char *const msg_keys[] = { "message", "Message", "errorMessage" };
	for (size_t i = 0; i < sizeof(msg_keys) / sizeof(msg_keys[0]); i++) {
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, msg_keys[i]));
		if (m) {
			copy_field(err->message, sizeof(err->message), m, strlen(m));
			break;
		}
	}
	cJSON_Delete(doc);
}

int aws_error_parse(struct aws_error *err, int status, const char *body,
		    size_t len, const char *content_type,
		    const char *error_type_header, const char *request_id_header)
{
	if (!err)
		return -1;
	aws_error_clear(err);
	err->http_status = status;
	/* skip leading whitespace to sniff the shape */
	size_t off = 0;
	while (body && off < len && strchr(" \t\r\n", body[off]))
		off++;
	if (body && off < len) {
		int json = body[off] == '{' ||
			   (content_type && strstr(content_type, "json"));
		if (body[off] == '<')
			parse_xml(err, body + off, len - off);
		else if (json)
			parse_json(err, body + off, len - off);
	}
	if (error_type_header && *error_type_header)
		set_code_from_type(err, error_type_header);
	if (!err->code[0])
		copy_field(err->code, sizeof(err->code), aws_error_status_code(status),
			   strlen(aws_error_status_code(status)));
	if (!err->request_id[0] && request_id_header)
		copy_field(err->request_id, sizeof(err->request_id), request_id_header,
			   strlen(request_id_header));
	return -1;
}
