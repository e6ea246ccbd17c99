/*
 * ddb_expr_lex.c - the tokens shared by DynamoDB's expression kinds
 * (condition, filter, key condition, update, projection):
 *
 *   identifiers   [A-Za-z_][A-Za-z0-9_]*   attribute names, keywords
 *                                          (AND, SET, ...) and functions
 *   #name         an ExpressionAttributeNames placeholder
 *   :value        an ExpressionAttributeValues placeholder
 *   integers      list indexes inside [ ]
 *   ( ) [ ] , . = <> < <= > >= + -
 *
 * Whitespace separates tokens.  A character outside these gives
 * DynamoDB's "Syntax error; token: ..." message.
 */
#include "ddb.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int is_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static int is_ident(int c)
{
	return isalnum(c) || c == '_';
}

int ddb_lex(struct arena *a, const char *text, struct ddb_tok **out,
	    size_t *n, char *err, size_t errlen)
{
	size_t cap = strlen(text) + 1, count = 0;
	struct ddb_tok *toks = arena_alloc(a, cap * sizeof(*toks));
	const char *p = text;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		struct ddb_tok *t = &toks[count];
		t->start = p;
		t->len = 1;
		unsigned char c = (unsigned char)*p;
		if (!c) {
			t->type = TK_EOF;
			t->len = 0;
			count++;
			break;
		}
		if (is_ident_start(c)) {
			t->type = TK_IDENT;
			while (is_ident((unsigned char)p[t->len]))
				t->len++;
		} else if (c == '#' || c == ':') {
			t->type = c == '#' ? TK_NAME : TK_VALUE;
			while (is_ident((unsigned char)p[t->len]))
				t->len++;
			if (t->len == 1)
				goto bad;
		} else if (isdigit(c)) {
			t->type = TK_INT;
			while (isdigit((unsigned char)p[t->len]))
				t->len++;
		} else {
			switch (c) {
			case '(': t->type = TK_LPAREN; break;
			case ')': t->type = TK_RPAREN; break;
			case '[': t->type = TK_LBRACKET; break;
			case ']': t->type = TK_RBRACKET; break;
			case ',': t->type = TK_COMMA; break;
			case '.': t->type = TK_DOT; break;
			case '=': t->type = TK_EQ; break;
			case '+': t->type = TK_PLUS; break;
			case '-': t->type = TK_MINUS; break;
			case '<':
				if (p[1] == '>') {
					t->type = TK_NE;
					t->len = 2;
				} else if (p[1] == '=') {
					t->type = TK_LE;
					t->len = 2;
				} else {
					t->type = TK_LT;
				}
				break;
			case '>':
				if (p[1] == '=') {
					t->type = TK_GE;
					t->len = 2;
				} else {
					t->type = TK_GT;
				}
				break;
			default:
				goto bad;
			}
		}
		p += t->len;
		count++;
	}
	*out = toks;
	*n = count;
	return 0;
bad:
	snprintf(err, errlen, "Syntax error; token: \"%c\", near: \"%.20s\"",
		 *p, p);
	return -1;
}
