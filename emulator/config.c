/*
 * config.c - defaults, environment and flags, in that order of strength.
 *
 * Every option is one row of option_table: its flag, its environment
 * variable and a setter that validates the text.  --help prints the same
 * table, so the usage text cannot drift from what is parsed.
 */
#include "config.h"
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A setter returns 0, or -1 after writing why into errbuf. */
typedef int option_setter_fn(struct config *cfg, const char *value,
			     char *errbuf, size_t errlen);

struct option_row {
	const char *flag;    /* "--port" */
	const char *env;     /* "IMGPIPE_PORT" */
	const char *arg;     /* "N", or NULL for a switch */
	option_setter_fn *set;
	const char *help;
};

static int parse_int(const char *value, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int copy_string(char *dst, size_t size, const char *value,
		       const char *what, char *errbuf, size_t errlen)
{
	if (strlen(value) >= size) {
		snprintf(errbuf, errlen, "%s is too long", what);
		return -1;
	}
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

static int set_port_value(int *port, const char *value, const char *what,
			  int allow_off, char *errbuf, size_t errlen)
{
	long v;
	if (allow_off && strcmp(value, "off") == 0) {
		*port = -1;
		return 0;
	}
	if (parse_int(value, 0, 65535, &v)) {
		snprintf(errbuf, errlen, "%s: '%s' is not a port (0-65535%s)",
			 what, value, allow_off ? " or off" : "");
		return -1;
	}
	*port = (int)v;
	return 0;
}

static int set_host(struct config *cfg, const char *v, char *e, size_t n)
{
	return copy_string(cfg->host, sizeof(cfg->host), v, "--host", e, n);
}

static int set_port(struct config *cfg, const char *v, char *e, size_t n)
{
	return set_port_value(&cfg->port, v, "--port", 0, e, n);
}

static int set_redis_port(struct config *cfg, const char *v, char *e,
			  size_t n)
{
	return set_port_value(&cfg->redis_port, v, "--redis-port", 1, e, n);
}

static int set_redis_password(struct config *cfg, const char *v, char *e,
			      size_t n)
{
	return copy_string(cfg->redis_password, sizeof(cfg->redis_password),
			   v, "--redis-password", e, n);
}

static int set_on_off(int *out, const char *v, const char *what, char *e,
		      size_t n)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "1") == 0) {
		*out = 1;
	} else if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
		*out = 0;
	} else {
		snprintf(e, n, "%s: '%s' is not on or off", what, v);
		return -1;
	}
	return 0;
}

static int set_redis_durability(struct config *cfg, const char *v, char *e,
				size_t n)
{
	return set_on_off(&cfg->redis_durability, v, "--redis-durability", e,
			  n);
}

static int set_data_dir(struct config *cfg, const char *v, char *e, size_t n)
{
	if (!*v) {
		snprintf(e, n, "--data-dir: empty path");
		return -1;
	}
	return copy_string(cfg->data_dir, sizeof(cfg->data_dir), v,
			   "--data-dir", e, n);
}

static int set_ephemeral(struct config *cfg, const char *v, char *e,
			 size_t n)
{
	return set_on_off(&cfg->ephemeral, v ? v : "on", "--ephemeral", e, n);
}

static int set_fast_retries(struct config *cfg, const char *v, char *e,
			    size_t n)
{
	return set_on_off(&cfg->sns_fast_retries, v ? v : "on",
			  "--fast-retries", e, n);
}

static int set_log_level(struct config *cfg, const char *v, char *e,
			 size_t n)
{
	int level = log_level_parse(v);
	if (level < 0) {
		snprintf(e, n,
			 "--log-level: '%s' is not error, warn, info or debug",
			 v);
		return -1;
	}
	cfg->log_level = level;
	return 0;
}

static int set_auth(struct config *cfg, const char *v, char *e, size_t n)
{
	if (strcmp(v, "off") == 0) {
		cfg->auth = AUTH_OFF;
	} else if (strcmp(v, "sigv4") == 0) {
		cfg->auth = AUTH_SIGV4;
	} else {
		snprintf(e, n, "--auth: '%s' is not off or sigv4", v);
		return -1;
	}
	return 0;
}

static int set_access_key(struct config *cfg, const char *v, char *e,
			  size_t n)
{
	return copy_string(cfg->access_key, sizeof(cfg->access_key), v,
			   "--access-key", e, n);
}

static int set_secret_key(struct config *cfg, const char *v, char *e,
			  size_t n)
{
	return copy_string(cfg->secret_key, sizeof(cfg->secret_key), v,
			   "--secret-key", e, n);
}

static int set_durability(struct config *cfg, const char *v, char *e,
			  size_t n)
{
	if (strcmp(v, "normal") == 0) {
		cfg->durability = STORE_DURABILITY_NORMAL;
	} else if (strcmp(v, "full") == 0) {
		cfg->durability = STORE_DURABILITY_FULL;
	} else {
		snprintf(e, n, "--durability: '%s' is not normal or full", v);
		return -1;
	}
	return 0;
}

static int set_region(struct config *cfg, const char *v, char *e, size_t n)
{
	return copy_string(cfg->region, sizeof(cfg->region), v, "--region", e,
			   n);
}

static int set_account_id(struct config *cfg, const char *v, char *e,
			  size_t n)
{
	size_t len = strlen(v);
	if (len != 12 || strspn(v, "0123456789") != len) {
		snprintf(e, n, "--account-id: '%s' is not 12 digits", v);
		return -1;
	}
	return copy_string(cfg->account_id, sizeof(cfg->account_id), v,
			   "--account-id", e, n);
}

static int set_threads(struct config *cfg, const char *v, char *e, size_t n)
{
	long t;
	if (parse_int(v, 1, 256, &t)) {
		snprintf(e, n, "--threads: '%s' is not a number from 1 to 256",
			 v);
		return -1;
	}
	cfg->threads = (int)t;
	return 0;
}

static int set_shutdown_timeout(struct config *cfg, const char *v, char *e,
				size_t n)
{
	long s;
	if (parse_int(v, 0, 3600, &s)) {
		snprintf(e, n, "--shutdown-timeout: '%s' is not 0-3600 seconds",
			 v);
		return -1;
	}
	cfg->shutdown_timeout_ms = (int)s * 1000;
	return 0;
}

static int set_connection_timeout(struct config *cfg, const char *v,
				  char *e, size_t n)
{
	long s;
	if (parse_int(v, 1, 86400, &s)) {
		snprintf(e, n,
			 "--connection-timeout: '%s' is not 1-86400 seconds",
			 v);
		return -1;
	}
	cfg->connection_timeout_s = (int)s;
	return 0;
}

static const struct option_row option_table[] = {
	{"--host", "IMGPIPE_HOST", "ADDR", set_host,
	 "address to listen on (default 127.0.0.1)"},
	{"--port", "IMGPIPE_PORT", "N", set_port,
	 "edge port for every AWS service (default 4566; 0 = any free)"},
	{"--redis-port", "IMGPIPE_REDIS_PORT", "N|off", set_redis_port,
	 "Redis port (default 6379; 0 = any free; off = no Redis)"},
	{"--redis-password", "IMGPIPE_REDIS_PASSWORD", "PW",
	 set_redis_password, "require AUTH with this password"},
	{"--redis-durability", "IMGPIPE_REDIS_DURABILITY", "on|off",
	 set_redis_durability,
	 "commit Redis writes before replying (default on)"},
	{"--data-dir", "IMGPIPE_DATA_DIR", "DIR", set_data_dir,
	 "where state is kept (default ./.imgpipe)"},
	{"--ephemeral", "IMGPIPE_EPHEMERAL", NULL, set_ephemeral,
	 "use a temporary data dir, removed at exit"},
	{"--log-level", "IMGPIPE_LOG_LEVEL", "LEVEL", set_log_level,
	 "error, warn, info (default) or debug"},
	{"--auth", "IMGPIPE_AUTH", "off|sigv4", set_auth,
	 "check SigV4 signatures (default off)"},
	{"--access-key", "IMGPIPE_ACCESS_KEY", "KEY", set_access_key,
	 "the access key --auth sigv4 accepts (default test)"},
	{"--secret-key", "IMGPIPE_SECRET_KEY", "KEY", set_secret_key,
	 "its secret key (default test)"},
	{"--durability", "IMGPIPE_DURABILITY", "normal|full", set_durability,
	 "SQLite synchronous mode (default normal)"},
	{"--region", "IMGPIPE_REGION", "NAME", set_region,
	 "region in ARNs and answers (default us-east-1)"},
	{"--account-id", "IMGPIPE_ACCOUNT_ID", "ID", set_account_id,
	 "account id in ARNs (default 123456789012)"},
	{"--threads", "IMGPIPE_THREADS", "N", set_threads,
	 "HTTP worker threads (default 4)"},
	{"--shutdown-timeout", "IMGPIPE_SHUTDOWN_TIMEOUT", "SECONDS",
	 set_shutdown_timeout,
	 "how long SIGTERM waits for requests in flight (default 30)"},
	{"--connection-timeout", "IMGPIPE_CONNECTION_TIMEOUT", "SECONDS",
	 set_connection_timeout,
	 "close connections idle this long (default 60)"},
	{"--fast-retries", "IMGPIPE_FAST_RETRIES", NULL, set_fast_retries,
	 "SNS delivery retry delays in ms, not s (for tests)"},
};

#define N_OPTIONS (sizeof(option_table) / sizeof(option_table[0]))

const char *config_usage(void)
{
	static char text[4096];
	if (text[0])
		return text;
	size_t off = (size_t)snprintf(
		text, sizeof(text),
		"usage: emulator [options]\n\n"
		"Local AWS (S3, DynamoDB, SNS, Lambda, API Gateway) and Redis "
		"emulator.\n\noptions (each also read from its environment "
		"variable):\n");
	for (size_t i = 0; i < N_OPTIONS && off < sizeof(text); i++) {
		const struct option_row *o = &option_table[i];
		char lhs[64];
		snprintf(lhs, sizeof(lhs), "%s%s%s", o->flag, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"  %-28s %s [%s]\n", lhs, o->help,
					o->env);
	}
	if (off < sizeof(text))
		snprintf(text + off, sizeof(text) - off,
			 "  %-28s %s\n  %-28s %s\n", "--help",
			 "show this text", "--version", "show the version");
	return text;
}

static void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->host, "127.0.0.1");
	cfg->port = 4566;
	cfg->redis_port = 6379;
	cfg->redis_durability = 1;
	strcpy(cfg->data_dir, "./.imgpipe");
	cfg->log_level = LOG_INFO;
	cfg->auth = AUTH_OFF;
	strcpy(cfg->access_key, "test");
	strcpy(cfg->secret_key, "test");
	cfg->durability = STORE_DURABILITY_NORMAL;
	strcpy(cfg->region, "us-east-1");
	strcpy(cfg->account_id, "123456789012");
	cfg->threads = 4;
	cfg->shutdown_timeout_ms = 30000;
	cfg->connection_timeout_s = 60;
}

int config_parse(struct config *cfg, int argc, char **argv, char *errbuf,
		 size_t errlen)
{
	config_defaults(cfg);

	for (size_t i = 0; i < N_OPTIONS; i++) {
		const char *v = getenv(option_table[i].env);
		if (!v || !*v)
			continue;
		char why[512];
		if (option_table[i].set(cfg, v, why, sizeof(why))) {
			snprintf(errbuf, errlen, "%s (from %s)", why,
				 option_table[i].env);
			return -1;
		}
	}

	for (int a = 1; a < argc; a++) {
		const char *arg = argv[a];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			fputs(config_usage(), stdout);
			return 1;
		}
		if (strcmp(arg, "--version") == 0) {
			printf("imgpipe emulator %s\n", IMGPIPE_VERSION);
			return 1;
		}
		/* --flag=value or --flag value */
		const char *eq = strchr(arg, '=');
		size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct option_row *o = NULL;
		for (size_t i = 0; i < N_OPTIONS; i++) {
			if (strlen(option_table[i].flag) == name_len &&
			    strncmp(option_table[i].flag, arg, name_len) == 0) {
				o = &option_table[i];
				break;
			}
		}
		if (!o) {
			snprintf(errbuf, errlen,
				 "unknown option '%s' (see --help)", arg);
			return -1;
		}
		const char *value = eq ? eq + 1 : NULL;
		if (!value && o->arg) {
			if (a + 1 >= argc) {
				snprintf(errbuf, errlen, "%s needs a value",
					 o->flag);
				return -1;
			}
			value = argv[++a];
		}
		if (o->set(cfg, value, errbuf, errlen))
			return -1;
	}
	return 0;
}
