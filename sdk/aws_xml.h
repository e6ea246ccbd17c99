/*
 * aws_xml.h - a small read-only XML tree for AWS responses (expat).
 *
 * AWS XML responses (S3 REST-XML, the Query protocol) are small documents
 * of elements holding text or other elements, with namespaces that the
 * sdk ignores.  aws_xml_parse builds the whole tree; callers walk it by
 * local element name:
 *
 *   struct aws_xml *doc = aws_xml_parse(body, len);
 *   const struct aws_xml *e = aws_xml_path(doc, "Error/Code");
 *   const char *code = aws_xml_text(e);
 *   for (c = aws_xml_child(doc, "Contents"); c; c = aws_xml_next(c, "Contents"))
 *   aws_xml_free(doc);
 *
 * Names are local names (the part after any "prefix:" or namespace URI).
 * The root is the document element itself.  Limits: depth 64, and the
 * parser is expat's, which refuses entity expansion attacks.
 */
#ifndef IMGPIPE_AWS_XML_H
#define IMGPIPE_AWS_XML_H

#include <stddef.h>

struct aws_xml {
	char *name;               /* local element name */
	char *text;               /* concatenated character data ("" if none) */
	size_t text_len;          /* bytes in text */
	struct aws_xml *children; /* first child element */
	struct aws_xml *next;     /* next sibling */
	struct aws_xml *parent;
};

/*
 * Parse len bytes of XML.  Returns the root element (free with
 * aws_xml_free) or NULL when the document is not well-formed or empty.
 */
struct aws_xml *aws_xml_parse(const char *data, size_t len);
void aws_xml_free(struct aws_xml *root);

/* First child of e named name (any name when NULL), or NULL. */
const struct aws_xml *aws_xml_child(const struct aws_xml *e, const char *name);
/* The next sibling after e with the same name (any name when NULL). */
const struct aws_xml *aws_xml_next(const struct aws_xml *e, const char *name);
/*
 * Walk "A/B/C" from e (each step the first child of that name); a leading
 * step equal to e's own name is not skipped, so pass paths relative to e.
 */
const struct aws_xml *aws_xml_path(const struct aws_xml *e, const char *path);
/* e's text, or NULL when e is NULL.  Borrowed from the tree. */
const char *aws_xml_text(const struct aws_xml *e);

#endif
