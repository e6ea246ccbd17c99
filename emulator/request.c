/*
 * request.c - what a handler can ask of a request, and how it records an
 * error.
 *
 * The edge fills struct request (edge/edge.c); this file holds the small
 * accessors every service uses, so no service parses headers, queries or
 * forms on its own.  All strings returned live in the request's arena.
 */
#include "service.h"
#include "uri.h"

#include <cjson/cJSON.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *kv_get(const struct kv *kv, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].name, name) == 0)
			return kv[i].value;
	return NULL;
}

const char *req_header(const struct request *req, const char *name)
{
	return kv_get(req->headers, req->n_headers, name);
}

const char *req_query(const struct request *req, const char *name)
{
	return kv_get(req->query, req->n_query, name);
}

const char *req_path_param(const struct request *req, const char *name)
{
	return kv_get(req->path_params, req->n_path_params, name);
}

/*
 * Split "a=1&b=&c" into decoded pairs (arena-owned).  form_plus says
 * whether '+' means a space (forms) or itself (URL queries, as S3 reads
 * them).  Returns -1 on a malformed percent escape.
 */
int req_parse_pairs(struct arena *arena, const char *text, size_t len,
		    int form_plus, struct kv **out, size_t *n_out)
{
	size_t cap = 1;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '&')
			cap++;
	struct kv *kv = arena_alloc(arena, cap * sizeof(*kv));
	size_t n = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *amp = memchr(text + pos, '&', len - pos);
		size_t end = amp ? (size_t)(amp - text) : len;
		if (end > pos) {
			const char *eq = memchr(text + pos, '=', end - pos);
			size_t name_end = eq ? (size_t)(eq - text) : end;
			size_t value_start = eq ? name_end + 1 : end;
			char *name = arena_alloc(arena, name_end - pos + 1);
			char *value = arena_alloc(arena, end - value_start + 1);
			size_t name_len, value_len;
			int (*decode)(const char *, size_t, char *, size_t *) =
				form_plus ? uri_form_decode : uri_decode;
			if (decode(text + pos, name_end - pos, name,
				   &name_len) ||
			    decode(text + value_start, end - value_start,
				   value, &value_len))
				return -1;
			kv[n].name = name;
			kv[n].value = value;
			n++;
		}
		pos = end + 1;
	}
	*out = kv;
	*n_out = n;
	return 0;
}

int req_parse_form(struct request *req, const char *body, size_t len,
		   struct kv **out, size_t *n_out)
{
	return req_parse_pairs(req->arena, body ? body : "", body ? len : 0,
			       1, out, n_out);
}

int req_error(struct request *req, int status, const char *code,
	      const char *fmt, ...)
{
	if (req->err.status)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char message[1024];
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	req->err.status = status;
	req->err.code = arena_strdup(req->arena, code);
	req->err.message = arena_strdup(req->arena, message);
	req->err.sender = status >= 500 ? "Receiver" : "Sender";
	return -1;
}

void req_error_extra(struct request *req, const char *name,
		     const char *value)
{
	struct aws_err *e = &req->err;
	if (e->n_extra >= AWS_ERR_MAX_EXTRA || !value)
		return;
	e->extra[e->n_extra].name = arena_strdup(req->arena, name);
	e->extra[e->n_extra].value = arena_strdup(req->arena, value);
	e->n_extra++;
}

static void delete_json(void *json)
{
	cJSON_Delete(json);
}

void req_error_json(struct request *req, const char *name, cJSON *value)
{
	if (!value)
		return;
	if (!req->err.json_fields) {
		req->err.json_fields = cJSON_CreateObject();
		arena_defer(req->arena, delete_json, req->err.json_fields);
	}
	cJSON_AddItemToObject(req->err.json_fields, name, value);
}
