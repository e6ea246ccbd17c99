/*
 * response.c - building a response: status, headers, body.
 *
 * Handlers fill struct response only through these calls (the way Redis
 * writes replies only through addReply*), so the edge can rely on one
 * shape: headers in the arena, a body that is either heap memory owned
 * by the response or a file descriptor owned by the response.
 */
#include "service.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void resp_header(struct response *resp, const char *name, const char *value)
{
	/* Replace a header of the same name: one value per name. */
	for (size_t i = 0; i < resp->n_headers; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0) {
			resp->headers[i].value =
				arena_strdup(resp->arena, value);
			return;
		}
	}
	if (resp->n_headers == resp->alloc_headers) {
		size_t alloc = resp->alloc_headers ? resp->alloc_headers * 2 : 8;
		struct kv *kv = arena_alloc(resp->arena, alloc * sizeof(*kv));
		if (resp->n_headers)
			memcpy(kv, resp->headers,
			       resp->n_headers * sizeof(*kv));
		resp->headers = kv;
		resp->alloc_headers = alloc;
	}
	resp->headers[resp->n_headers].name = arena_strdup(resp->arena, name);
	resp->headers[resp->n_headers].value = arena_strdup(resp->arena, value);
	resp->n_headers++;
}

void resp_headerf(struct response *resp, const char *name, const char *fmt,
		  ...)
{
	char value[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	resp_header(resp, name, value);
}

const char *resp_get_header(const struct response *resp, const char *name)
{
	for (size_t i = 0; i < resp->n_headers; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

/* Drop whatever body the response had. */
static void resp_body_clear(struct response *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	if (resp->fd >= 0)
		close(resp->fd);
	resp->fd = -1;
	resp->fd_offset = 0;
	resp->fd_length = 0;
}

void resp_body_take(struct response *resp, char *data, size_t len)
{
	resp_body_clear(resp);
	resp->body = data;
	resp->body_len = len;
}

void resp_body(struct response *resp, const void *data, size_t len)
{
	char *copy = xmalloc(len + 1);
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	resp_body_take(resp, copy, len);
}

void resp_body_buf(struct response *resp, struct buf *b)
{
	size_t len;
	char *data = buf_detach(b, &len);
	resp_body_take(resp, data, len);
}

void resp_body_fd(struct response *resp, int fd, off_t offset,
		  uint64_t length)
{
	resp_body_clear(resp);
	resp->fd = fd;
	resp->fd_offset = offset;
	resp->fd_length = length;
}

/* Release what the response owns (the edge calls this once it is sent or
 * abandoned). */
void resp_release(struct response *resp)
{
	resp_body_clear(resp);
}
