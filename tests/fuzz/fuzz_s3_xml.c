/*
 * fuzz_s3_xml.c - libFuzzer target for emulator/xml.c, the reader of every
 * S3 request body (CompleteMultipartUpload, Delete, notification, CORS,
 * tagging and other configurations) and the writer of every answer.
 *
 * The input is parsed as a document; when it parses, every element's
 * text is written back with the escaping writer and the result must
 * parse again to the same tree shape (names and text), unless it holds a
 * control character XML 1.0 cannot carry or a namespace prefix.  The sanitizers check memory.
 *
 * Built and run by tests/fuzz/build.sh, which reads these lines:
 * fuzz-sources: emulator/xml.c emulator/arena.c sdk/buf.c sdk/xalloc.c
 * fuzz-pkgs: expat
 * fuzz-dict: "<!DOCTYPE"
 * fuzz-dict: "<!ENTITY"
 * fuzz-dict: "&amp;"
 * fuzz-dict: "<![CDATA["
 * fuzz-dict: "xmlns="
 * fuzz-seed: <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>
 * fuzz-seed: <Delete><Quiet>true</Quiet><Object><Key>a &amp; b</Key></Object></Delete>
 * fuzz-seed: <?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xml.h"

static int has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && c != '\t' && c != '\n')
			return 1;
	}
	return 0;
}

/* Write n and its subtree; returns 1 if the copy cannot be read back:
 * a text holds a control character, or a name was all prefix ("a:"). */
static int write_tree(struct buf *b, const struct xml_node *n)
{
	int ctl = !*n->name;
	if (!n->child) {
		xml_elem_len(b, n->name, n->text, n->text_len);
		return ctl | has_control(n->text, n->text_len);
	}
	xml_open(b, n->name);
	for (const struct xml_node *c = n->child; c; c = c->next)
		ctl |= write_tree(b, c);
	xml_close(b, n->name);
	return ctl;
}

static void same_tree(const struct xml_node *a, const struct xml_node *b)
{
	if (strcmp(a->name, b->name) != 0 || a->text_len != b->text_len ||
	    memcmp(a->text, b->text, a->text_len) != 0)
		abort();
	const struct xml_node *x = a->child, *y = b->child;
	for (; x && y; x = x->next, y = y->next)
		same_tree(x, y);
	if (x || y)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	char err[160];
	struct xml_node *doc = xml_parse(a, (const char *)data, size, err,
					 sizeof(err));
	if (doc) {
		struct buf b;
		buf_init(&b, 64u << 20);
		int ctl = write_tree(&b, doc);
		struct xml_node *again = xml_parse(a, b.data ? b.data : "",
						   b.len, err, sizeof(err));
		/* a prefixed name ("a:9") may leave a local part that is no
		 * name on its own: only inputs without ':' must round-trip */
		if (!ctl && b.len <= XML_MAX_INPUT && !memchr(data, ':', size)) {
			if (!again)
				abort();
			same_tree(doc, again);
		}
		buf_free(&b);
	}
	arena_destroy(a);
	return 0;
}
