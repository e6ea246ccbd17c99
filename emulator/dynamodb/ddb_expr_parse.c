/*
 * ddb_expr_parse.c - recursive-descent parsers for DynamoDB's
 * expressions, building arena-owned ASTs (struct ddb_node, ddb.h):
 *
 *   condition  := or ; or := and (OR and)* ; and := not (AND not)*
 *   not        := NOT not | '(' condition ')' | function
 *               | operand cmp operand | operand BETWEEN operand AND operand
 *               | operand IN '(' operand (',' operand)* ')'
 *   operand    := path | :value | size(path)
 *   path       := (name | #name) ('.' (name | #name) | '[' int ']')*
 *   update     := (SET a=v,.. | REMOVE p,.. | ADD p :v,.. | DELETE p :v,..)+
 *   setvalue   := setop (('+' | '-') setop)?
 *   setop      := path | :value | if_not_exists(path, setop)
 *               | list_append(setop, setop)
 *   projection := path (',' path)*
 *
 * Placeholders are resolved while parsing (an undefined one is an
 * error) and marked used in the shared context, so that unused ones can
 * be reported after every expression of the request is parsed.  Errors
 * use DynamoDB's wording, prefixed "Invalid <Kind>Expression: ".
 */
#include "ddb.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct parser {
	struct ddb_expr_ctx *c;
	enum ddb_expr_kind kind;
	struct ddb_tok *t;
	size_t n, pos;
};

static const char *kind_name(enum ddb_expr_kind k)
{
	switch (k) {
	case DDB_EXPR_CONDITION: return "ConditionExpression";
	case DDB_EXPR_FILTER: return "FilterExpression";
	case DDB_EXPR_KEY: return "KeyConditionExpression";
	case DDB_EXPR_UPDATE: return "UpdateExpression";
	case DDB_EXPR_PROJECTION: return "ProjectionExpression";
	}
	return "Expression";
}

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->c->err, sizeof(p->c->err), "Invalid %s: ",
			 kind_name(p->kind));
	va_start(ap, fmt);
	vsnprintf(p->c->err + n, sizeof(p->c->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static struct ddb_tok *cur(struct parser *p)
{
	return &p->t[p->pos];
}

/* DynamoDB's syntax error: the token and the text around it. */
static int syntax_error(struct parser *p)
{
	struct ddb_tok *t = cur(p);
	const char *from = p->pos > 0 ? p->t[p->pos - 1].start : t->start;
	const char *to = t->start + t->len;
	if (t->type != TK_EOF && p->pos + 1 < p->n)
		to = p->t[p->pos + 1].start + p->t[p->pos + 1].len;
	if (t->type == TK_EOF)
		return fail(p, "Syntax error; token: \"<EOF>\", near: \"%.*s\"",
			    (int)(to - from), from);
	return fail(p, "Syntax error; token: \"%.*s\", near: \"%.*s\"",
		    (int)t->len, t->start, (int)(to - from), from);
}

static int is_kw(const struct ddb_tok *t, const char *kw)
{
	return t->type == TK_IDENT && strlen(kw) == t->len &&
	       strncasecmp(t->start, kw, t->len) == 0;
}

static int is_word(const struct ddb_tok *t, const char *w)
{
	return t->type == TK_IDENT && strlen(w) == t->len &&
	       strncmp(t->start, w, t->len) == 0;
}

static int expect(struct parser *p, enum ddb_tok_type type)
{
	if (cur(p)->type != type)
		return syntax_error(p);
	p->pos++;
	return 0;
}

static struct ddb_node *node(struct parser *p, enum ddb_node_type type,
			     size_t n_kids)
{
	struct ddb_node *n = arena_calloc(p->c->arena, sizeof(*n));
	n->type = type;
	n->n_kids = n_kids;
	if (n_kids)
		n->kids = arena_calloc(p->c->arena, n_kids * sizeof(*n->kids));
	return n;
}

/* Index of key (len bytes) among map's members, or -1. */
static long map_find(const cJSON *map, const char *key, size_t len)
{
	long i = 0;
	for (const cJSON *e = map ? map->child : NULL; e; e = e->next, i++)
		if (e->string && strlen(e->string) == len &&
		    memcmp(e->string, key, len) == 0)
			return i;
	return -1;
}

static const cJSON *map_at(const cJSON *map, long i)
{
	const cJSON *e = map->child;
	while (i-- > 0)
		e = e->next;
	return e;
}

/* One name element of a path: an identifier or a #placeholder. */
static int path_name(struct parser *p, const char **out)
{
	struct ddb_tok *t = cur(p);
	if (t->type == TK_IDENT) {
		if (ddb_is_reserved(t->start, t->len))
			return fail(p, "Attribute name is a reserved keyword; "
				    "reserved keyword: %.*s", (int)t->len,
				    t->start);
		*out = arena_strndup(p->c->arena, t->start, t->len);
	} else if (t->type == TK_NAME) {
		long i = map_find(p->c->names, t->start, t->len);
		if (i < 0)
			return fail(p, "An expression attribute name used in "
				    "the document path is not defined; "
				    "attribute name: %.*s", (int)t->len,
				    t->start);
		p->c->names_used[i] = 1;
		*out = map_at(p->c->names, i)->valuestring;
	} else {
		return syntax_error(p);
	}
	p->pos++;
	return 0;
}

static int parse_path(struct parser *p, struct ddb_path *out)
{
	size_t cap = 4;
	out->e = arena_alloc(p->c->arena, cap * sizeof(*out->e));
	out->n = 0;
	for (;;) {
		if (out->n == cap) {
			struct ddb_path_elem *e = arena_alloc(
				p->c->arena, 2 * cap * sizeof(*e));
			memcpy(e, out->e, cap * sizeof(*e));
			out->e = e;
			cap *= 2;
		}
		struct ddb_path_elem *e = &out->e[out->n];
		if (out->n == 0 || cur(p)->type == TK_DOT) {
			if (out->n)
				p->pos++;
			e->index = -1;
			if (path_name(p, &e->name))
				return -1;
			out->n++;
		} else if (cur(p)->type == TK_LBRACKET) {
			p->pos++;
			struct ddb_tok *t = cur(p);
			if (t->type != TK_INT)
				return syntax_error(p);
			e->name = NULL;
			e->index = 0;
			for (size_t i = 0; i < t->len; i++) {
				e->index = e->index * 10 + (t->start[i] - '0');
				if (e->index > 100000000)
					return fail(p, "List index is too "
						    "large");
			}
			p->pos++;
			if (expect(p, TK_RBRACKET))
				return -1;
			out->n++;
		} else {
			return 0;
		}
	}
}

static int parse_value(struct parser *p, struct ddb_node **out)
{
	struct ddb_tok *t = cur(p);
	long i = map_find(p->c->values, t->start, t->len);
	if (i < 0)
		return fail(p, "An expression attribute value used in "
			    "expression is not defined; attribute value: %.*s",
			    (int)t->len, t->start);
	p->c->values_used[i] = 1;
	*out = node(p, DN_VALUE, 0);
	(*out)->value = map_at(p->c->values, i);
	(*out)->vname = arena_strndup(p->c->arena, t->start, t->len);
	p->pos++;
	return 0;
}

static const char *const bool_funcs[] = {
	"attribute_exists", "attribute_not_exists", "attribute_type",
	"begins_with", "contains",
};
static const char *const update_funcs[] = {"if_not_exists", "list_append"};

static int in_list(const struct ddb_tok *t, const char *const *list,
		   size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_word(t, list[i]))
			return 1;
	return 0;
}

static int parse_operand(struct parser *p, struct ddb_node **out);
static int parse_or(struct parser *p, struct ddb_node **out);
static int parse_setop(struct parser *p, struct ddb_node **out);

/* Arguments of a function call: '(' item (',' item)* ')'. */
static int parse_args(struct parser *p, struct ddb_node *fn, const char *name,
		      size_t want, int (*item)(struct parser *,
					       struct ddb_node **))
{
	struct ddb_node *args[8];
	size_t n = 0;
	if (expect(p, TK_LPAREN))
		return -1;
	for (;;) {
		if (n == 8)
			return syntax_error(p);
		if (item(p, &args[n++]))
			return -1;
		if (cur(p)->type == TK_COMMA) {
			p->pos++;
			continue;
		}
		if (expect(p, TK_RPAREN))
			return -1;
		break;
	}
	if (n != want)
		return fail(p, "Incorrect number of operands for operator or "
			    "function; operator or function: %s, number of "
			    "operands: %zu", name, n);
	fn->kids = arena_alloc(p->c->arena, n * sizeof(*fn->kids));
	memcpy(fn->kids, args, n * sizeof(*args));
	fn->n_kids = n;
	return 0;
}

static int need_path(struct parser *p, const struct ddb_node *n,
		     const char *fn)
{
	if (n->type != DN_PATH)
		return fail(p, "Operator or function requires a document path; "
			    "operator or function: %s", fn);
	return 0;
}

static int parse_path_node(struct parser *p, struct ddb_node **out)
{
	*out = node(p, DN_PATH, 0);
	return parse_path(p, &(*out)->path);
}

static int parse_function(struct parser *p, struct ddb_node **out)
{
	struct ddb_tok *t = cur(p);
	const char *name = arena_strndup(p->c->arena, t->start, t->len);
	struct ddb_node *fn;
	p->pos++;
	if (strcmp(name, "size") == 0) {
		fn = node(p, DN_SIZE, 0);
		if (parse_args(p, fn, name, 1, parse_operand) ||
		    need_path(p, fn->kids[0], name))
			return -1;
	} else if (strcmp(name, "attribute_exists") == 0 ||
		   strcmp(name, "attribute_not_exists") == 0) {
		fn = node(p, name[10] == 'e' ? DN_EXISTS : DN_NOT_EXISTS, 0);
		if (parse_args(p, fn, name, 1, parse_operand) ||
		    need_path(p, fn->kids[0], name))
			return -1;
	} else if (strcmp(name, "attribute_type") == 0) {
		fn = node(p, DN_TYPE, 0);
		if (parse_args(p, fn, name, 2, parse_operand) ||
		    need_path(p, fn->kids[0], name))
			return -1;
	} else if (strcmp(name, "begins_with") == 0 ||
		   strcmp(name, "contains") == 0) {
		fn = node(p, name[0] == 'b' ? DN_BEGINS : DN_CONTAINS, 0);
		if (parse_args(p, fn, name, 2, parse_operand))
			return -1;
	} else if (in_list(t, update_funcs, 2)) {
		return fail(p, "The function is not allowed to be used this "
			    "way in an expression; function: %s", name);
	} else {
		return fail(p, "Invalid function name; function: %s", name);
	}
	*out = fn;
	return 0;
}

static int parse_operand(struct parser *p, struct ddb_node **out)
{
	struct ddb_tok *t = cur(p);
	if (t->type == TK_IDENT && p->t[p->pos + 1].type == TK_LPAREN) {
		if (in_list(t, bool_funcs, 5))
			return fail(p, "The function is not allowed to be used "
				    "this way in an expression; function: "
				    "%.*s", (int)t->len, t->start);
		return parse_function(p, out);
	}
	if (t->type == TK_IDENT || t->type == TK_NAME)
		return parse_path_node(p, out);
	if (t->type == TK_VALUE)
		return parse_value(p, out);
	return syntax_error(p);
}

static int cmp_of(enum ddb_tok_type t, enum ddb_cmp *out)
{
	switch (t) {
	case TK_EQ: *out = CMP_EQ; return 1;
	case TK_NE: *out = CMP_NE; return 1;
	case TK_LT: *out = CMP_LT; return 1;
	case TK_LE: *out = CMP_LE; return 1;
	case TK_GT: *out = CMP_GT; return 1;
	case TK_GE: *out = CMP_GE; return 1;
	default: return 0;
	}
}

static int parse_primary(struct parser *p, struct ddb_node **out)
{
	struct ddb_tok *t = cur(p);
	struct ddb_node *l, *n;
	enum ddb_cmp op;
	if (t->type == TK_LPAREN) {
		p->pos++;
		if (parse_or(p, out))
			return -1;
		return expect(p, TK_RPAREN);
	}
	if (t->type == TK_IDENT && p->t[p->pos + 1].type == TK_LPAREN &&
	    in_list(t, bool_funcs, 5))
		return parse_function(p, out);
	if (parse_operand(p, &l))
		return -1;
	t = cur(p);
	if (cmp_of(t->type, &op)) {
		p->pos++;
		n = node(p, DN_CMP, 2);
		n->cmp = op;
		n->kids[0] = l;
		if (parse_operand(p, &n->kids[1]))
			return -1;
	} else if (is_kw(t, "BETWEEN")) {
		p->pos++;
		n = node(p, DN_BETWEEN, 3);
		n->kids[0] = l;
		if (parse_operand(p, &n->kids[1]))
			return -1;
		if (!is_kw(cur(p), "AND"))
			return syntax_error(p);
		p->pos++;
		if (parse_operand(p, &n->kids[2]))
			return -1;
	} else if (is_kw(t, "IN")) {
		struct ddb_node *items[101];
		size_t k = 0;
		p->pos++;
		items[k++] = l;
		if (expect(p, TK_LPAREN))
			return -1;
		for (;;) {
			if (k == 101)
				return fail(p, "The IN operator is provided "
					    "with too many operands; number "
					    "of operands: %zu", k);
			if (parse_operand(p, &items[k++]))
				return -1;
			if (cur(p)->type != TK_COMMA)
				break;
			p->pos++;
		}
		if (expect(p, TK_RPAREN))
			return -1;
		n = node(p, DN_IN, k);
		memcpy(n->kids, items, k * sizeof(*items));
	} else {
		return syntax_error(p);
	}
	*out = n;
	return 0;
}

static int parse_not(struct parser *p, struct ddb_node **out)
{
	if (is_kw(cur(p), "NOT")) {
		p->pos++;
		*out = node(p, DN_NOT, 1);
		return parse_not(p, &(*out)->kids[0]);
	}
	return parse_primary(p, out);
}

static int parse_and(struct parser *p, struct ddb_node **out)
{
	if (parse_not(p, out))
		return -1;
	while (is_kw(cur(p), "AND")) {
		struct ddb_node *n = node(p, DN_AND, 2);
		p->pos++;
		n->kids[0] = *out;
		if (parse_not(p, &n->kids[1]))
			return -1;
		*out = n;
	}
	return 0;
}

static int parse_or(struct parser *p, struct ddb_node **out)
{
	if (parse_and(p, out))
		return -1;
	while (is_kw(cur(p), "OR")) {
		struct ddb_node *n = node(p, DN_OR, 2);
		p->pos++;
		n->kids[0] = *out;
		if (parse_and(p, &n->kids[1]))
			return -1;
		*out = n;
	}
	return 0;
}

/* Tokenise; an empty expression is DynamoDB's own error. */
static int start(struct parser *p, struct ddb_expr_ctx *c,
		 enum ddb_expr_kind kind, const char *text)
{
	char err[256];
	memset(p, 0, sizeof(*p));
	p->c = c;
	p->kind = kind;
	if (ddb_lex(c->arena, text, &p->t, &p->n, err, sizeof(err)))
		return fail(p, "%s", err);
	if (p->t[0].type == TK_EOF)
		return fail(p, "The expression can not be empty;");
	return 0;
}

int ddb_parse_condition(struct ddb_expr_ctx *c, enum ddb_expr_kind kind,
			const char *text, struct ddb_node **out)
{
	struct parser p;
	if (start(&p, c, kind, text) || parse_or(&p, out))
		return -1;
	if (cur(&p)->type != TK_EOF)
		return syntax_error(&p);
	return 0;
}

/* ---- update and projection ------------------------------------------ */

static int parse_setop(struct parser *p, struct ddb_node **out)
{
	struct ddb_tok *t = cur(p);
	if (t->type == TK_IDENT && p->t[p->pos + 1].type == TK_LPAREN) {
		const char *name = arena_strndup(p->c->arena, t->start, t->len);
		struct ddb_node *fn;
		p->pos++;
		if (strcmp(name, "if_not_exists") == 0) {
			fn = node(p, DN_IF_NOT_EXISTS, 0);
			if (parse_args(p, fn, name, 2, parse_setop) ||
			    need_path(p, fn->kids[0], name))
				return -1;
		} else if (strcmp(name, "list_append") == 0) {
			fn = node(p, DN_LIST_APPEND, 0);
			if (parse_args(p, fn, name, 2, parse_setop))
				return -1;
		} else if (in_list(t, bool_funcs, 5) ||
			   strcmp(name, "size") == 0) {
			return fail(p, "The function is not allowed in a update "
				    "expression; function: %s", name);
		} else {
			return fail(p, "Invalid function name; function: %s",
				    name);
		}
		*out = fn;
		return 0;
	}
	if (t->type == TK_IDENT || t->type == TK_NAME)
		return parse_path_node(p, out);
	if (t->type == TK_VALUE)
		return parse_value(p, out);
	return syntax_error(p);
}

static int parse_setvalue(struct parser *p, struct ddb_node **out)
{
	if (parse_setop(p, out))
		return -1;
	enum ddb_tok_type t = cur(p)->type;
	if (t == TK_PLUS || t == TK_MINUS) {
		struct ddb_node *n = node(p, t == TK_PLUS ? DN_PLUS : DN_MINUS,
					  2);
		p->pos++;
		n->kids[0] = *out;
		if (parse_setop(p, &n->kids[1]))
			return -1;
		*out = n;
	}
	return 0;
}

/* "[a, b, [2]]": how DynamoDB prints a path in overlap messages. */
static const char *path_list(struct arena *a, const struct ddb_path *p)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	buf_putc(&b, '[');
	for (size_t i = 0; i < p->n; i++) {
		if (i)
			buf_puts(&b, ", ");
		if (p->e[i].name)
			buf_puts(&b, p->e[i].name);
		else
			buf_printf(&b, "[%ld]", p->e[i].index);
	}
	buf_putc(&b, ']');
	char *s = arena_strdup(a, b.data);
	buf_free(&b);
	return s;
}

const char *ddb_path_text(struct arena *a, const struct ddb_path *p)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	for (size_t i = 0; i < p->n; i++) {
		if (p->e[i].name)
			buf_printf(&b, "%s%s", i ? "." : "", p->e[i].name);
		else
			buf_printf(&b, "[%ld]", p->e[i].index);
	}
	char *s = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

static int elem_eq(const struct ddb_path_elem *a, const struct ddb_path_elem *b)
{
	if (!a->name != !b->name)
		return 0;
	return a->name ? strcmp(a->name, b->name) == 0 : a->index == b->index;
}

/* Two paths where one is a prefix of the other are DynamoDB's error. */
static int check_overlap(struct parser *p, const struct ddb_path *paths,
			 size_t n, size_t stride)
{
	for (size_t i = 0; i < n; i++) {
		const struct ddb_path *a = (const void *)((const char *)paths +
							  i * stride);
		for (size_t j = i + 1; j < n; j++) {
			const struct ddb_path *b = (const void *)(
				(const char *)paths + j * stride);
			size_t m = a->n < b->n ? a->n : b->n, k = 0;
			while (k < m && elem_eq(&a->e[k], &b->e[k]))
				k++;
			if (k == m)
				return fail(p, "Two document paths overlap "
					    "with each other; must remove or "
					    "rewrite one of these paths; path "
					    "one: %s, path two: %s",
					    path_list(p->c->arena, a),
					    path_list(p->c->arena, b));
			if (!a->e[k].name != !b->e[k].name)
				return fail(p, "Two document paths conflict "
					    "with each other; must remove or "
					    "rewrite one of these paths; path "
					    "one: %s, path two: %s",
					    path_list(p->c->arena, a),
					    path_list(p->c->arena, b));
		}
	}
	return 0;
}

int ddb_parse_update(struct ddb_expr_ctx *c, const char *text,
		     struct ddb_update *out)
{
	static const char *const sections[] = {"SET", "REMOVE", "ADD",
					       "DELETE"};
	struct parser p;
	int seen[4] = {0};
	if (start(&p, c, DDB_EXPR_UPDATE, text))
		return -1;
	out->a = arena_alloc(c->arena, p.n * sizeof(*out->a));
	out->n = 0;
	while (cur(&p)->type != TK_EOF) {
		int s = -1;
		for (int i = 0; i < 4; i++)
			if (is_kw(cur(&p), sections[i]))
				s = i;
		if (s < 0)
			return syntax_error(&p);
		if (seen[s]++)
			return fail(&p, "The \"%s\" section can only be used "
				    "once in an update expression;",
				    sections[s]);
		p.pos++;
		for (int first = 1;; first = 0) {
			struct ddb_update_action *a = &out->a[out->n];
			if (!first) {
				if (cur(&p)->type != TK_COMMA)
					break;
				p.pos++;
			}
			a->op = (enum ddb_update_op)s;
			a->value = NULL;
			if (parse_path(&p, &a->path))
				return -1;
			if (s == UPD_SET) {
				if (expect(&p, TK_EQ) ||
				    parse_setvalue(&p, &a->value))
					return -1;
			} else if (s == UPD_ADD || s == UPD_DELETE) {
				if (cur(&p)->type != TK_VALUE)
					return syntax_error(&p);
				if (parse_value(&p, &a->value))
					return -1;
			}
			out->n++;
		}
	}
	return check_overlap(&p, &out->a[0].path, out->n, sizeof(*out->a));
}

int ddb_parse_projection(struct ddb_expr_ctx *c, const char *text,
			 struct ddb_projection *out)
{
	struct parser p;
	if (start(&p, c, DDB_EXPR_PROJECTION, text))
		return -1;
	out->paths = arena_alloc(c->arena, p.n * sizeof(*out->paths));
	out->n = 0;
	for (;;) {
		if (parse_path(&p, &out->paths[out->n++]))
			return -1;
		if (cur(&p)->type != TK_COMMA)
			break;
		p.pos++;
	}
	if (cur(&p)->type != TK_EOF)
		return syntax_error(&p);
	return check_overlap(&p, out->paths, out->n, sizeof(*out->paths));
}

void ddb_expr_ctx_init(struct ddb_expr_ctx *c, struct arena *a,
		       const cJSON *names, const cJSON *values)
{
	memset(c, 0, sizeof(*c));
	c->arena = a;
	c->names = names;
	c->values = values;
	c->n_names = names ? (size_t)cJSON_GetArraySize(names) : 0;
	c->n_values = values ? (size_t)cJSON_GetArraySize(values) : 0;
	c->names_used = arena_calloc(a, c->n_names + 1);
	c->values_used = arena_calloc(a, c->n_values + 1);
}

/* "{#a, #b}" of the unused members, or NULL when all were used. */
static const char *unused(struct arena *a, const cJSON *map,
			  const unsigned char *used)
{
	struct buf b;
	size_t i = 0, n = 0;
	buf_init(&b, 1 << 20);
	buf_putc(&b, '{');
	for (const cJSON *e = map ? map->child : NULL; e; e = e->next, i++) {
		if (used[i])
			continue;
		buf_printf(&b, "%s%s", n++ ? ", " : "", e->string);
	}
	buf_putc(&b, '}');
	const char *s = n ? arena_strdup(a, b.data) : NULL;
	buf_free(&b);
	return s;
}

int ddb_expr_check_unused(struct ddb_expr_ctx *c)
{
	const char *u = unused(c->arena, c->names, c->names_used);
	if (u) {
		snprintf(c->err, sizeof(c->err), "Value provided in "
			 "ExpressionAttributeNames unused in expressions: "
			 "keys: %s", u);
		return -1;
	}
	u = unused(c->arena, c->values, c->values_used);
	if (u) {
		snprintf(c->err, sizeof(c->err), "Value provided in "
			 "ExpressionAttributeValues unused in expressions: "
			 "keys: %s", u);
		return -1;
	}
	return 0;
}
