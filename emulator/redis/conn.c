/*
 * conn.c - connection commands: AUTH, HELLO, SELECT, PING, ECHO, QUIT,
 * RESET and the CLIENT family.
 *
 * There is one user, "default", whose password is --redis-password (no
 * password: every connection starts authenticated, as Redis without
 * requirepass).  HELLO switches between RESP2 and RESP3 and answers the
 * server map; CLIENT SETINFO (Redis 7.2) is accepted because current
 * client libraries send it when they connect.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "server.h"
#include "util.h"
#include "xalloc.h"

#define ERR_WRONGPASS \
	"WRONGPASS invalid username-password pair or user is disabled."

/* Check user/password; returns 0, or -1 after replying the error. */
static int check_auth(struct redis_client *c, const struct rstr *user,
		      const struct rstr *pass)
{
	const char *pw = c->srv->cfg->redis_password;
	if (user && !arg_is(user, "default")) {
		reply_error(c, ERR_WRONGPASS);
		return -1;
	}
	if (pass->len != strlen(pw) || memcmp(pass->data, pw, pass->len) != 0) {
		reply_error(c, ERR_WRONGPASS);
		return -1;
	}
	c->authenticated = 1;
	return 0;
}

void redis_cmd_auth(struct redis_client *c)
{
	if (c->argc > 3) {
		reply_error(c, ERR_SYNTAX);
		return;
	}
	if (c->argc == 2 && c->srv->cfg->redis_password[0] == '\0') {
		reply_error(c, "ERR AUTH <password> called without any password "
			    "configured for the default user. Are you sure your "
			    "configuration is correct?");
		return;
	}
	if (check_auth(c, c->argc == 3 ? c->argv[1] : NULL,
		       c->argv[c->argc - 1]))
		return;
	reply_ok(c);
}

void redis_cmd_hello(struct redis_client *c)
{
	long long ver = c->resp;
	size_t i = 1;
	if (c->argc >= 2) {
		if (redis_str2ll(c->argv[1]->data, c->argv[1]->len, &ver)) {
			reply_error(c, "ERR Protocol version is not an integer or out of range");
			return;
		}
		i = 2;
		if (ver < 2 || ver > 3) {
			reply_error(c, "NOPROTO unsupported protocol version");
			return;
		}
	}
	const struct rstr *user = NULL, *pass = NULL, *name = NULL;
	for (; i < c->argc; i++) {
		size_t left = c->argc - i - 1;
		if (arg_is(c->argv[i], "AUTH") && left >= 2) {
			user = c->argv[i + 1];
			pass = c->argv[i + 2];
			i += 2;
		} else if (arg_is(c->argv[i], "SETNAME") && left >= 1) {
			name = c->argv[i + 1];
			i++;
		} else {
			reply_errorf(c, "ERR Syntax error in HELLO option '%.128s'",
				     c->argv[i]->data);
			return;
		}
	}
	if (pass && check_auth(c, user, pass))
		return;
	if (!c->authenticated) {
		reply_error(c, "NOAUTH HELLO must be called with the client "
			    "already authenticated, otherwise the HELLO AUTH "
			    "<user> <pass> option can be used to authenticate "
			    "the client and select the RESP protocol version at "
			    "the same time");
		return;
	}
	if (name) {
		for (size_t k = 0; k < name->len; k++) {
			if (name->data[k] < '!' || name->data[k] > '~') {
				reply_error(c, "ERR Client names cannot contain "
					    "spaces, newlines or special characters.");
				return;
			}
		}
		free(c->name);
		c->name = name->len ? xstrndup(name->data, name->len) : NULL;
	}
	c->resp = (int)ver;
	reply_map(c, 7);
	reply_bulk_cstr(c, "server");
	reply_bulk_cstr(c, "redis");
	reply_bulk_cstr(c, "version");
	reply_bulk_cstr(c, REDIS_VERSION);
	reply_bulk_cstr(c, "proto");
	reply_long(c, c->resp);
	reply_bulk_cstr(c, "id");
	reply_long(c, (long long)c->id);
	reply_bulk_cstr(c, "mode");
	reply_bulk_cstr(c, "standalone");
	reply_bulk_cstr(c, "role");
	reply_bulk_cstr(c, "master");
	reply_bulk_cstr(c, "modules");
	reply_array(c, 0);
}

void redis_cmd_select(struct redis_client *c)
{
	long long id;
	if (arg_ll(c, c->argv[1], &id))
		return;
	if (id < 0 || id >= REDIS_DBS) {
		reply_error(c, "ERR DB index is out of range");
		return;
	}
	c->db = &c->srv->db[id];
	reply_ok(c);
}

void redis_cmd_ping(struct redis_client *c)
{
	if (c->argc > 2) {
		reply_error_arity(c, "ping");
		return;
	}
	if (c->resp < 3 && redis_pubsub_count(c) > 0) {
		reply_array(c, 2);
		reply_bulk_cstr(c, "pong");
		if (c->argc == 2)
			reply_bulk_rstr(c, c->argv[1]);
		else
			reply_bulk(c, "", 0);
		return;
	}
	if (c->argc == 2)
		reply_bulk_rstr(c, c->argv[1]);
	else
		reply_status(c, "PONG");
}

void redis_cmd_echo(struct redis_client *c)
{
	reply_bulk_rstr(c, c->argv[1]);
}

void redis_cmd_quit(struct redis_client *c)
{
	reply_ok(c);
	c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

void redis_cmd_reset(struct redis_client *c)
{
	redis_multi_free(c);
	redis_unwatch_all(c);
	redis_pubsub_client_free(c);
	c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC);
	c->db = &c->srv->db[0];
	c->resp = 2;
	free(c->name);
	c->name = NULL;
	c->authenticated = c->srv->cfg->redis_password[0] == '\0';
	reply_status(c, "RESET");
}

/* ---- CLIENT -------------------------------------------------------------- */

void redis_cmd_client_id(struct redis_client *c)
{
	reply_long(c, (long long)c->id);
}

void redis_cmd_client_setname(struct redis_client *c)
{
	const struct rstr *name = c->argv[2];
	for (size_t i = 0; i < name->len; i++) {
		if (name->data[i] < '!' || name->data[i] > '~') {
			reply_error(c, "ERR Client names cannot contain spaces, "
				    "newlines or special characters.");
			return;
		}
	}
	free(c->name);
	c->name = name->len ? xstrndup(name->data, name->len) : NULL;
	reply_ok(c);
}

void redis_cmd_client_getname(struct redis_client *c)
{
	if (c->name)
		reply_bulk_cstr(c, c->name);
	else
		reply_null(c);
}

/* One CLIENT LIST / CLIENT INFO line (with its newline). */
static void client_line(struct redis_client *c, struct buf *b)
{
	int64_t now = redis_mono_ms();
	char flags[8];
	size_t nf = 0;
	if (c->flags & CLIENT_MULTI)
		flags[nf++] = 'x';
	if (c->flags & CLIENT_BLOCKED)
		flags[nf++] = 'b';
	if (redis_pubsub_count(c))
		flags[nf++] = 'P';
	if (!nf)
		flags[nf++] = 'N';
	flags[nf] = '\0';
	char cmd[96] = "NULL";
	if (c->last_cmd)
		redis_command_fullname(c->last_cmd,
				       redis_command_parent(c->srv, c->last_cmd),
				       cmd, sizeof cmd);
	buf_printf(b,
		   "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld "
		   "flags=%s db=%d sub=%zu psub=%zu ssub=0 multi=%lld qbuf=%zu "
		   "qbuf-free=%zu argv-mem=0 multi-mem=0 rbs=%zu rbp=0 obl=0 "
		   "oll=0 omem=%zu tot-mem=%zu events=r cmd=%s user=default "
		   "redir=-1 resp=%d lib-name=%s lib-ver=%s\n",
		   (unsigned long long)c->id, c->addr, c->laddr, c->fd,
		   c->name ? c->name : "", (long long)(now - c->ctime_ms) / 1000,
		   (long long)(now - c->last_ms) / 1000, flags, c->db->id,
		   c->channels ? dict_size(c->channels) : 0,
		   c->patterns ? dict_size(c->patterns) : 0,
		   c->flags & CLIENT_MULTI ? (long long)c->mq_len : -1LL,
		   c->qlen, c->qcap - c->qlen, c->qcap, c->out.len - c->out_sent,
		   c->qcap + c->out.alloc + sizeof *c, cmd, c->resp,
		   c->lib_name ? c->lib_name : "", c->lib_ver ? c->lib_ver : "");
}

void redis_cmd_client_info(struct redis_client *c)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	/* CLIENT INFO reports itself as the running command. */
	const struct redis_command *saved = c->last_cmd;
	c->last_cmd = c->cmd;
	client_line(c, &b);
	c->last_cmd = saved;
	reply_verbatim(c, b.data, b.len);
	buf_free(&b);
}

void redis_cmd_client_list(struct redis_client *c)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 30);
	const struct redis_command *saved = c->last_cmd;
	c->last_cmd = c->cmd;
	/* Oldest first, as Redis lists them. */
	struct redis_client *last = c->srv->clients;
	while (last && last->next)
		last = last->next;
	for (struct redis_client *x = last; x; x = x->prev)
		if (!(x->flags & CLIENT_CLOSE_ASAP))
			client_line(x, &b);
	c->last_cmd = saved;
	reply_verbatim(c, b.data ? b.data : "", b.len);
	buf_free(&b);
}

void redis_cmd_client_setinfo(struct redis_client *c)
{
	const struct rstr *attr = c->argv[2], *val = c->argv[3];
	for (size_t i = 0; i < val->len; i++) {
		if (val->data[i] < '!' || val->data[i] > '~') {
			reply_errorf(c, "ERR %s cannot contain spaces, newlines "
				     "or special characters.",
				     arg_is(attr, "lib-name") ? "lib-name"
							      : "lib-ver");
			return;
		}
	}
	char **slot;
	if (arg_is(attr, "lib-name"))
		slot = &c->lib_name;
	else if (arg_is(attr, "lib-ver"))
		slot = &c->lib_ver;
	else {
		reply_errorf(c, "ERR Unrecognized option '%.128s'", attr->data);
		return;
	}
	free(*slot);
	*slot = val->len ? xstrndup(val->data, val->len) : NULL;
	reply_ok(c);
}

void redis_cmd_client_kill(struct redis_client *c)
{
	struct redis_server *srv = c->srv;
	if (c->argc == 3) {
		/* Old form: CLIENT KILL ip:port. */
		for (struct redis_client *x = srv->clients; x; x = x->next) {
			if (arg_is(c->argv[2], x->addr)) {
				if (x == c)
					c->flags |= CLIENT_CLOSE_AFTER_REPLY;
				else
					redis_client_close_asap(x);
				reply_ok(c);
				return;
			}
		}
		reply_error(c, "ERR No such client");
		return;
	}
	if ((c->argc - 2) % 2) {
		reply_error(c, ERR_SYNTAX);
		return;
	}
	long long id = -1;
	const struct rstr *addr = NULL;
	for (size_t i = 2; i < c->argc; i += 2) {
		if (arg_is(c->argv[i], "ID")) {
			if (redis_str2ll(c->argv[i + 1]->data,
					 c->argv[i + 1]->len, &id) || id < 1) {
				reply_error(c, "ERR client-id should be greater than 0");
				return;
			}
		} else if (arg_is(c->argv[i], "ADDR")) {
			addr = c->argv[i + 1];
		} else if (arg_is(c->argv[i], "SKIPME") ||
			   arg_is(c->argv[i], "TYPE") ||
			   arg_is(c->argv[i], "USER") ||
			   arg_is(c->argv[i], "LADDR")) {
			continue;
		} else {
			reply_error(c, ERR_SYNTAX);
			return;
		}
	}
	long long killed = 0;
	for (struct redis_client *x = srv->clients; x; x = x->next) {
		if (id > 0 && (long long)x->id != id)
			continue;
		if (addr && !arg_is(addr, x->addr))
			continue;
		if (x == c)
			continue; /* SKIPME yes is the default */
		redis_client_close_asap(x);
		killed++;
	}
	reply_long(c, killed);
}

void redis_cmd_client_ok(struct redis_client *c)
{
	if (!arg_is(c->argv[2], "on") && !arg_is(c->argv[2], "off")) {
		reply_error(c, ERR_SYNTAX);
		return;
	}
	reply_ok(c);
}

void redis_cmd_client_help(struct redis_client *c)
{
	static const char *lines[] = {
		"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GETNAME", "    Return the name of the current connection.",
		"ID", "    Return the ID of the current connection.",
		"INFO", "    Return information about the current client connection.",
		"KILL <ip:port>", "    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are: ID <client-id>, ADDR <ip:port>.",
		"LIST", "    Return information about client connections.",
		"SETNAME <name>", "    Assign the name <name> to the current connection.",
		"SETINFO <option> <value>", "    Set client meta attr. Options are LIB-NAME and LIB-VER.",
		"NO-EVICT (ON|OFF)", "    Accepted; no effect in the emulator.",
		"NO-TOUCH (ON|OFF)", "    Accepted; no effect in the emulator.",
		"HELP", "    Print this help.",
	};
	reply_array(c, sizeof lines / sizeof lines[0]);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		reply_status(c, lines[i]);
}
