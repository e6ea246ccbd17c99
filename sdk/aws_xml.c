/*
 * aws_xml.c - expat-built element tree for AWS XML responses (see
 * aws_xml.h).  Character data is gathered per element in a struct buf;
 * mixed content (text between child elements) is concatenated, which is
 * harmless for AWS documents, whose elements hold text or children.
 */
#include "aws_xml.h"
#include "buf.h"
#include "xalloc.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#define AWS_XML_MAX_DEPTH 64
#define AWS_XML_TEXT_CAP (16u << 20) /* no AWS element holds more text */

/* Parser state: the element being filled and its text. */
struct xml_state {
	struct aws_xml *root;
	struct aws_xml *cur;
	struct aws_xml *last_child[AWS_XML_MAX_DEPTH]; /* append points */
	struct buf text[AWS_XML_MAX_DEPTH];
	int depth;
	int failed;
	XML_Parser parser;
};

/* The local part of a possibly prefixed name. */
static const char *local_name(const char *name)
{
	const char *colon = strrchr(name, ':');
	return colon ? colon + 1 : name;
}

static void XMLCALL on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct xml_state *st = arg;
	(void)attrs;
	if (st->failed)
		return;
	if (st->depth >= AWS_XML_MAX_DEPTH || (!st->cur && st->root)) {
		st->failed = 1;
		XML_StopParser(st->parser, XML_FALSE);
		return;
	}
	struct aws_xml *e = xcalloc(1, sizeof(*e));
	e->name = xstrdup(local_name(name));
	e->parent = st->cur;
	if (!st->cur) {
		st->root = e;
	} else {
		struct aws_xml **tail = &st->last_child[st->depth - 1];
		if (*tail)
			(*tail)->next = e;
		else
			st->cur->children = e;
		*tail = e;
	}
	st->cur = e;
	st->last_child[st->depth] = NULL;
	buf_init(&st->text[st->depth], AWS_XML_TEXT_CAP);
	st->depth++;
}

static void XMLCALL on_end(void *arg, const XML_Char *name)
{
	struct xml_state *st = arg;
	(void)name;
	if (st->failed || !st->cur)
		return;
	st->depth--;
	struct buf *t = &st->text[st->depth];
	st->cur->text = buf_detach(t, &st->cur->text_len);
	st->cur = st->cur->parent;
}

static void XMLCALL on_text(void *arg, const XML_Char *s, int len)
{
	struct xml_state *st = arg;
	if (st->failed || !st->cur || len <= 0)
		return;
	if (buf_append(&st->text[st->depth - 1], s, (size_t)len) != 0) {
		st->failed = 1;
		XML_StopParser(st->parser, XML_FALSE);
	}
}

void aws_xml_free(struct aws_xml *root)
{
	/* iterative over siblings, recursive over depth (bounded by 64) */
	while (root) {
		struct aws_xml *next = root->next;
		aws_xml_free(root->children);
		free(root->name);
		free(root->text);
		free(root);
		root = next;
	}
}

struct aws_xml *aws_xml_parse(const char *data, size_t len)
{
	struct xml_state st;
	memset(&st, 0, sizeof(st));
	if (!data || len == 0 || len > (size_t)0x7fffffff)
		return NULL;
	st.parser = XML_ParserCreate(NULL);
	if (!st.parser)
		return NULL;
	XML_SetUserData(st.parser, &st);
	XML_SetElementHandler(st.parser, on_start, on_end);
	XML_SetCharacterDataHandler(st.parser, on_text);
	int ok = XML_Parse(st.parser, data, (int)len, XML_TRUE) == XML_STATUS_OK;
	XML_ParserFree(st.parser);
	/* free text buffers of elements left open by a failure */
	for (int i = 0; i < st.depth; i++)
		buf_free(&st.text[i]);
	if (!ok || st.failed || st.cur) {
		aws_xml_free(st.root);
		return NULL;
	}
	return st.root;
}

const struct aws_xml *aws_xml_child(const struct aws_xml *e, const char *name)
{
	if (!e)
		return NULL;
	for (const struct aws_xml *c = e->children; c; c = c->next)
		if (!name || strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct aws_xml *aws_xml_next(const struct aws_xml *e, const char *name)
{
	if (!e)
		return NULL;
	for (const struct aws_xml *c = e->next; c; c = c->next)
		if (!name || strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct aws_xml *aws_xml_path(const struct aws_xml *e, const char *path)
{
	char step[128];
	while (e && *path) {
		size_t n = strcspn(path, "/");
		if (n >= sizeof(step))
			return NULL;
		memcpy(step, path, n);
		step[n] = '\0';
		e = aws_xml_child(e, step);
		path += n;
		if (*path == '/')
			path++;
	}
	return e;
}

const char *aws_xml_text(const struct aws_xml *e)
{
	return e ? (e->text ? e->text : "") : NULL;
}
