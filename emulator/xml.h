/*
 * xml.h - the XML reader and writer the REST-XML and Query services share.
 *
 * Reading: xml_parse() runs expat over an untrusted request body and
 * builds a small element tree in the request's arena.  It is hardened the
 * way defusedxml is: any DOCTYPE (so any entity declaration, internal or
 * external) is refused, parameter entities are never parsed, and the
 * input size, element count, depth and text size are capped.  Namespaces
 * are dropped from names: "s3:Key" and "Key" both read as "Key".
 *
 * Writing: a few helpers over struct buf (sdk/buf.h) that escape every
 * text value, so no caller concatenates user data into markup by hand.
 *
 * Ownership: trees live in the arena given to xml_parse and are freed
 * with it; nothing here keeps global state.
 */
#ifndef IMGPIPE_XML_H
#define IMGPIPE_XML_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"

#define XML_MAX_INPUT (1u << 20) /* largest document xml_parse accepts */
#define XML_MAX_NODES 20000      /* elements per document */
#define XML_MAX_DEPTH 32         /* nesting */

struct xml_node {
	const char *name;         /* local name (namespace prefix removed) */
	char *text;               /* character data directly inside, or "" */
	size_t text_len;
	struct xml_node *parent;
	struct xml_node *child;   /* first child element */
	struct xml_node *last;    /* last child element */
	struct xml_node *next;    /* next sibling element */
};

/*
 * Parse len bytes of data into a tree allocated in arena.  Returns the
 * root element, or NULL with a one-line reason in err (malformed input,
 * a DOCTYPE, a limit passed).
 */
struct xml_node *xml_parse(struct arena *arena, const char *data, size_t len,
			   char *err, size_t errlen);

/* First child element of node named name (NULL node or no such: NULL). */
struct xml_node *xml_child(const struct xml_node *node, const char *name);
/* The next sibling after node with the same name, or NULL. */
struct xml_node *xml_next(const struct xml_node *node);
/* Text of the child named name, or NULL when there is no such child. */
const char *xml_child_text(const struct xml_node *node, const char *name);
/* How many children are named name. */
size_t xml_count(const struct xml_node *node, const char *name);

/* ---- writing ------------------------------------------------------- */

/* The XML declaration S3 puts first: <?xml version="1.0" ...?>\n */
void xml_decl(struct buf *b);
/* <name> ; with xmlns: <name xmlns="ns"> */
void xml_open(struct buf *b, const char *name);
void xml_open_ns(struct buf *b, const char *name, const char *ns);
/* </name> */
void xml_close(struct buf *b, const char *name);
/* <name>escaped text</name> */
void xml_elem(struct buf *b, const char *name, const char *text);
void xml_elem_len(struct buf *b, const char *name, const char *text,
		  size_t len);
/* <name>printf text, escaped</name> */
void xml_elemf(struct buf *b, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
