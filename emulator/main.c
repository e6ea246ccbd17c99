/*
 * main.c - start-up and shutdown of the emulator process.
 *
 * Order of start: settings -> data dir and store -> services (router) ->
 * Redis thread -> HTTP edge -> one "ready" line on stdout.  Order of stop
 * (SIGINT or SIGTERM): the edge stops accepting and lets requests in
 * flight finish (bounded by --shutdown-timeout) -> Redis stops and
 * commits -> services shut down -> the store closes -> an --ephemeral
 * data dir is removed -> exit 0.
 *
 * The two signals are blocked in every thread and taken synchronously
 * by the main thread with sigwait, so no work happens in a signal
 * handler.
 */
#define _XOPEN_SOURCE 700
#include "config.h"
#include "edge/edge.h"
#include "log.h"
#include "redis/redis.h"
#include "router.h"
#include "service.h"
#include "store.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0 && errno != ENOENT)
		log_warn("cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* cJSON allocates through the one OOM policy of the project. */
static void use_xalloc_for_cjson(void)
{
	cJSON_Hooks hooks = {xmalloc, free};
	cJSON_InitHooks(&hooks);
}

int main(int argc, char **argv)
{
	double t0 = now_ms(CLOCK_MONOTONIC);
	struct config cfg;
	char err[1024] = "";
	int rc = config_parse(&cfg, argc, argv, err, sizeof(err));
	if (rc > 0)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "emulator: %s\n", err);
		return 2;
	}
	log_set_level((enum log_level)cfg.log_level);
	use_xalloc_for_cjson();

	/* Block the stop signals before any thread starts, so they all
	 * inherit the mask and only sigwait below sees them. */
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (cfg.ephemeral) {
		const char *tmp = getenv("TMPDIR");
		snprintf(cfg.data_dir, sizeof(cfg.data_dir),
			 "%s/imgpipe-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(cfg.data_dir)) {
			fprintf(stderr,
				"emulator: cannot create a temporary data dir "
				"in '%s': %s\n",
				tmp && *tmp ? tmp : "/tmp", strerror(errno));
			return 1;
		}
	}

	struct emulator emu = {
		.config = &cfg,
		.version = IMGPIPE_VERSION,
		.started_ms = (int64_t)now_ms(CLOCK_REALTIME),
	};
	int exit_code = 1;

	/* An ephemeral data dir dies with the process: syncing it to disk
	 * would buy nothing and cost most of a cold start. */
	if (store_open(cfg.data_dir,
		       cfg.ephemeral ? STORE_DURABILITY_OFF : cfg.durability,
		       &emu.store, err, sizeof(err))) {
		fprintf(stderr, "emulator: %s\n", err);
		goto out;
	}
	if (router_init(&emu, &emu.router, err, sizeof(err))) {
		fprintf(stderr, "emulator: %s\n", err);
		goto out;
	}
	if (cfg.redis_port >= 0 &&
	    redis_server_start(&emu, &emu.redis, err, sizeof(err))) {
		fprintf(stderr, "emulator: %s\n", err);
		goto out;
	}
	if (edge_start(&emu, emu.router, &emu.edge, err, sizeof(err))) {
		fprintf(stderr, "emulator: %s\n", err);
		goto out;
	}

	char redis_part[300] = "";
	if (emu.redis)
		snprintf(redis_part, sizeof(redis_part), " redis://%s:%d",
			 cfg.host, redis_server_port(emu.redis));
	printf("imgpipe emulator %s ready: http://%s:%d%s data=%s%s "
	       "(%.1f ms)\n",
	       IMGPIPE_VERSION, cfg.host, edge_port(emu.edge), redis_part,
	       cfg.data_dir, cfg.ephemeral ? " (ephemeral)" : "",
	       now_ms(CLOCK_MONOTONIC) - t0);
	fflush(stdout);

	int sig = 0;
	while (sigwait(&stop_signals, &sig) != 0)
		;
	log_info("received %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	exit_code = 0;

out:
	if (emu.edge)
		edge_stop(emu.edge, cfg.shutdown_timeout_ms);
	if (emu.redis)
		redis_server_stop(emu.redis);
	router_shutdown(emu.router);
	store_close(emu.store);
	if (cfg.ephemeral)
		remove_tree(cfg.data_dir);
	if (exit_code == 0)
		log_info("stopped");
	return exit_code;
}
