/*
 * xml.c - a hardened expat front end that builds element trees, and the
 * escaping writer helpers (see xml.h for the rules and the limits).
 *
 * The tree keeps only elements and their direct character data: S3 and
 * the Query services never use attributes or mixed content in request
 * bodies, so nothing else is kept.
 */
#include "xml.h"

#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct xml_build {
	XML_Parser parser;
	struct arena *arena;
	struct xml_node *root;
	struct xml_node *cur;
	size_t nodes;
	int depth;
	const char *failure;   /* why we stopped the parser, or NULL */
	struct buf text;       /* character data of cur, while it is open */
};

static void stop(struct xml_build *x, const char *why)
{
	if (!x->failure)
		x->failure = why;
	XML_StopParser(x->parser, XML_FALSE);
}

static const char *local_name(const char *name)
{
	const char *colon = strrchr(name, ':');
	return colon ? colon + 1 : name;
}

/* Close the text of the element being left into its node. */
static void flush_text(struct xml_build *x)
{
	if (!x->cur)
		return;
	x->cur->text = arena_strndup(x->arena, x->text.data ? x->text.data : "",
				     x->text.len);
	x->cur->text_len = x->text.len;
	buf_reset(&x->text);
}

static void XMLCALL on_start(void *ud, const XML_Char *name,
			     const XML_Char **attrs)
{
	struct xml_build *x = ud;
	(void)attrs;
	if (++x->nodes > XML_MAX_NODES)
		return stop(x, "too many elements");
	if (++x->depth > XML_MAX_DEPTH)
		return stop(x, "elements nested too deep");
	struct xml_node *n = arena_calloc(x->arena, sizeof(*n));
	n->name = arena_strdup(x->arena, local_name(name));
	n->text = (char *)"";
	n->parent = x->cur;
	if (x->cur) {
		/* Text before a child element is not kept (no mixed content). */
		buf_reset(&x->text);
		if (x->cur->last)
			x->cur->last->next = n;
		else
			x->cur->child = n;
		x->cur->last = n;
	} else {
		x->root = n;
	}
	x->cur = n;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct xml_build *x = ud;
	(void)name;
	if (x->cur && !x->cur->child)
		flush_text(x);
	else
		buf_reset(&x->text);
	x->depth--;
	x->cur = x->cur ? x->cur->parent : NULL;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct xml_build *x = ud;
	if (x->cur && buf_append(&x->text, s, (size_t)len))
		stop(x, "text too long");
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name,
			       const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	stop(ud, "document type declarations are not allowed");
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name,
				   int is_param, const XML_Char *value,
				   int value_len, const XML_Char *base,
				   const XML_Char *sysid, const XML_Char *pubid,
				   const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	stop(ud, "entity declarations are not allowed");
}

struct xml_node *xml_parse(struct arena *arena, const char *data, size_t len,
			   char *err, size_t errlen)
{
	struct xml_build x;
	memset(&x, 0, sizeof(x));
	if (len > XML_MAX_INPUT) {
		snprintf(err, errlen, "document larger than %u bytes",
			 XML_MAX_INPUT);
		return NULL;
	}
	x.parser = XML_ParserCreate("UTF-8");
	if (!x.parser) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x.arena = arena;
	buf_init(&x.text, XML_MAX_INPUT);
	XML_SetUserData(x.parser, &x);
	XML_SetElementHandler(x.parser, on_start, on_end);
	XML_SetCharacterDataHandler(x.parser, on_text);
	XML_SetStartDoctypeDeclHandler(x.parser, on_doctype);
	XML_SetEntityDeclHandler(x.parser, on_entity_decl);
	XML_SetParamEntityParsing(x.parser, XML_PARAM_ENTITY_PARSING_NEVER);

	enum XML_Status st = XML_Parse(x.parser, data ? data : "", (int)len,
				       XML_TRUE);
	struct xml_node *root = x.root;
	if (x.failure) {
		snprintf(err, errlen, "%s", x.failure);
		root = NULL;
	} else if (st != XML_STATUS_OK) {
		snprintf(err, errlen, "%s at line %lu",
			 XML_ErrorString(XML_GetErrorCode(x.parser)),
			 (unsigned long)XML_GetCurrentLineNumber(x.parser));
		root = NULL;
	} else if (!root) {
		snprintf(err, errlen, "no root element");
	}
	buf_free(&x.text);
	XML_ParserFree(x.parser);
	return root;
}

struct xml_node *xml_child(const struct xml_node *node, const char *name)
{
	if (!node)
		return NULL;
	for (struct xml_node *c = node->child; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

struct xml_node *xml_next(const struct xml_node *node)
{
	for (struct xml_node *c = node->next; c; c = c->next)
		if (strcmp(c->name, node->name) == 0)
			return c;
	return NULL;
}

const char *xml_child_text(const struct xml_node *node, const char *name)
{
	struct xml_node *c = xml_child(node, name);
	return c ? c->text : NULL;
}

size_t xml_count(const struct xml_node *node, const char *name)
{
	size_t n = 0;
	for (struct xml_node *c = node ? node->child : NULL; c; c = c->next)
		n += strcmp(c->name, name) == 0;
	return n;
}

/* ---- writing ------------------------------------------------------- */

void xml_decl(struct buf *b)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

/* Tags are written with appends, not printf: answers such as a listing
 * of 1,000 keys write thousands of them. */
void xml_open(struct buf *b, const char *name)
{
	buf_putc(b, '<');
	buf_puts(b, name);
	buf_putc(b, '>');
}

void xml_open_ns(struct buf *b, const char *name, const char *ns)
{
	buf_printf(b, "<%s xmlns=\"%s\">", name, ns);
}

void xml_close(struct buf *b, const char *name)
{
	buf_append(b, "</", 2);
	buf_puts(b, name);
	buf_putc(b, '>');
}

/* Escape text: the five specials, and control characters as character
 * references (S3 writes keys with \x01 as "&#x1;").  Runs of plain
 * characters are appended at once. */
static void escape(struct buf *b, const char *text, size_t len)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		const char *rep;
		char ref[8];
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default:
			if (c >= 0x20 || c == '\t' || c == '\n')
				continue;
			snprintf(ref, sizeof(ref), "&#x%X;", c);
			rep = ref;
		}
		buf_append(b, text + run, i - run);
		buf_puts(b, rep);
		run = i + 1;
	}
	buf_append(b, text + run, len - run);
}

void xml_elem_len(struct buf *b, const char *name, const char *text,
		  size_t len)
{
	xml_open(b, name);
	escape(b, text, len);
	xml_close(b, name);
}

void xml_elem(struct buf *b, const char *name, const char *text)
{
	xml_elem_len(b, name, text ? text : "", text ? strlen(text) : 0);
}

void xml_elemf(struct buf *b, const char *name, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	xml_elem_len(b, name, tmp, (size_t)n);
}
