/*
 * config.h - the emulator's settings: flags, mirrored by environment
 * variables (IMGPIPE_<FLAG>, e.g. IMGPIPE_PORT), with flags winning.
 *
 * The flags are a public interface (README, docs/cli.md); keep them
 * stable.  config_parse fills a struct config once at start; after that
 * the struct is read-only and shared by every thread.
 */
#ifndef IMGPIPE_CONFIG_H
#define IMGPIPE_CONFIG_H

#include <stddef.h>

#include "store.h"

enum auth_mode {
	AUTH_OFF,   /* accept any request, signed or not (like LocalStack) */
	AUTH_SIGV4, /* every request must carry a valid SigV4 signature */
};

struct config {
	char host[256];           /* --host, default 127.0.0.1 */
	int port;                 /* --port, default 4566 (0: pick a free one) */
	int redis_port;           /* --redis-port, default 6379 (0: free one,
				     -1: --redis-port off) */
	char redis_password[256]; /* --redis-password, "" = none */
	int redis_durability;     /* --redis-durability on|off, default on */
	char data_dir[4096];      /* --data-dir, default ./.imgpipe */
	int ephemeral;            /* --ephemeral: temp data dir, removed */
	int log_level;            /* --log-level (enum log_level) */
	enum auth_mode auth;      /* --auth off|sigv4 */
	char access_key[128];     /* --access-key, default test */
	char secret_key[128];     /* --secret-key, default test */
	enum store_durability durability; /* --durability normal|full */
	char region[64];          /* --region, default us-east-1 */
	char account_id[16];      /* --account-id, default 123456789012 */
	int threads;              /* --threads, HTTP worker threads */
	int shutdown_timeout_ms;  /* --shutdown-timeout (seconds on the CLI) */
	int connection_timeout_s; /* --connection-timeout, idle connections */
	int sns_fast_retries;     /* --fast-retries: SNS retry delays in ms */
};

/*
 * Fill cfg from defaults, then the environment, then argv.  Returns 0 to
 * run, 1 when --help or --version was handled (exit 0), -1 on a bad
 * flag (message written to errbuf; exit 2).
 */
int config_parse(struct config *cfg, int argc, char **argv, char *errbuf,
		 size_t errlen);
/* The --help text. */
const char *config_usage(void);

#endif
