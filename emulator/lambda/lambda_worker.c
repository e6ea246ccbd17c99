/*
 * lambda_worker.c - one execution environment: a `bootstrap` child
 * process, the environment Lambda gives it, its output, its end.
 *
 * The child is started with posix_spawn (no shell) in the unpacked code
 * directory, as the leader of a new process group (so a timeout kills
 * what it started too), with stdin on /dev/null and stdout+stderr on one
 * pipe the supervisor reads line by line into the current invocation's
 * log.  Signals blocked or ignored in the emulator are restored to their
 * defaults in the child, and no descriptor of the emulator leaks into it.
 *
 * Its Runtime API endpoint is AWS_LAMBDA_RUNTIME_API =
 * 127.0.0.1:<edge port>/_lambda/<token>: runtime clients build URLs as
 * "http://" + AWS_LAMBDA_RUNTIME_API + "/2018-06-01/runtime/...", so the
 * token tells the emulator which worker is asking.  (A client that keeps
 * only host:port still works while a single worker is alive.)
 *
 * Everything here runs with state->lock held.
 */
#include "config.h"
#include "edge/edge.h"
#include "ids.h"
#include "lambda.h"
#include "log.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 127.0.0.1 when the edge listens on every address. */
static const char *loopback(const struct config *cfg)
{
	if (!cfg->host[0] || strcmp(cfg->host, "0.0.0.0") == 0 ||
	    strcmp(cfg->host, "::") == 0 || strcmp(cfg->host, "localhost") == 0)
		return "127.0.0.1";
	return cfg->host;
}

static int edge_port_of(const struct emulator *emu)
{
	const struct edge *edge = __atomic_load_n(&emu->edge, __ATOMIC_ACQUIRE);
	return edge ? edge_port(edge) : emu->config->port;
}

static void env_add(char ***env, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void env_add(char ***env, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	*env = xrealloc(*env, (*n + 2) * sizeof(char *));
	(*env)[(*n)++] = s;
	(*env)[*n] = NULL;
}

/*
 * The environment shared by every worker of rt (heap, NULL-terminated;
 * free each string and the array): Lambda's variables, then the
 * function's own.
 */
char **lambda_worker_env(struct lambda_state *st, const struct lambda_rt *rt,
			 const cJSON *cfg)
{
	const struct emulator *emu = st->emu;
	const struct config *c = emu->config;
	char **env = NULL;
	size_t n = 0;
	const char *path = getenv("PATH");
	env_add(&env, &n, "PATH=%s",
		path ? path : "/usr/local/bin:/usr/bin:/bin");
	env_add(&env, &n, "LD_LIBRARY_PATH=%s/lib:%s", rt->code_dir,
		rt->code_dir);
	env_add(&env, &n, "LANG=en_US.UTF-8");
	env_add(&env, &n, "TZ=:UTC");
	env_add(&env, &n, "_HANDLER=%s", rt->handler ? rt->handler : "");
	env_add(&env, &n, "LAMBDA_TASK_ROOT=%s", rt->code_dir);
	env_add(&env, &n, "LAMBDA_RUNTIME_DIR=%s", rt->code_dir);
	env_add(&env, &n, "AWS_LAMBDA_FUNCTION_NAME=%s", rt->name);
	env_add(&env, &n, "AWS_LAMBDA_FUNCTION_VERSION=%s", rt->version);
	env_add(&env, &n, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%d",
		rt->memory_mb);
	env_add(&env, &n, "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/%s",
		rt->name);
	env_add(&env, &n, "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand");
	env_add(&env, &n, "AWS_REGION=%s", c->region);
	env_add(&env, &n, "AWS_DEFAULT_REGION=%s", c->region);
	env_add(&env, &n, "AWS_ACCESS_KEY_ID=%s", c->access_key);
	env_add(&env, &n, "AWS_SECRET_ACCESS_KEY=%s", c->secret_key);
	env_add(&env, &n, "AWS_SESSION_TOKEN=%s", st->session_token);
	env_add(&env, &n, "AWS_ENDPOINT_URL=http://%s:%d", loopback(c),
		edge_port_of(emu));
	const cJSON *vars = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cfg, "Environment"),
		"Variables");
	const cJSON *v;
	cJSON_ArrayForEach(v, vars)
		if (cJSON_IsString(v))
			env_add(&env, &n, "%s=%s", v->string, v->valuestring);
	return env;
}

void lambda_worker_free_env(char **env)
{
	for (char **p = env; p && *p; p++)
		free(*p);
	free(env);
}

/*
 * Start a worker for rt.  Returns it (linked into rt), or NULL with a
 * reason in why (the errorMessage tail Lambda would give).
 */
struct lambda_worker *lambda_worker_spawn(struct lambda_state *st,
					  struct lambda_rt *rt, char *why,
					  size_t whylen)
{
	char exe[PATH_MAX];
	snprintf(exe, sizeof(exe), "%s/bootstrap", rt->code_dir);
	struct stat sb;
	if (stat(exe, &sb) || !S_ISREG(sb.st_mode)) {
		snprintf(why, whylen, "Couldn't find valid bootstrap(s): [%s]",
			 exe);
		return NULL;
	}
	if (access(exe, X_OK)) {
		snprintf(why, whylen, "fork/exec %s: permission denied", exe);
		return NULL;
	}
	int fds[2];
	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(why, whylen, "cannot create a pipe: %s",
			 strerror(errno));
		return NULL;
	}
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);

	struct lambda_worker *w = xcalloc(1, sizeof(*w));
	w->rt = rt;
	w->out_fd = fds[0];
	ids_hex(w->token, 16);
	w->token[16] = '\0';

	char **env = NULL;
	size_t n = 0;
	for (char **p = rt->env; p && *p; p++)
		env_add(&env, &n, "%s", *p);
	env_add(&env, &n, "AWS_LAMBDA_RUNTIME_API=%s:%d/_lambda/%s",
		loopback(st->emu->config), edge_port_of(st->emu), w->token);
	char day[TIMEFMT_MAX];
	time_iso8601_ms(time_now_ms(), day);
	day[10] = '\0';
	for (char *p = day; *p; p++)
		if (*p == '-')
			*p = '/';
	snprintf(w->log_stream, sizeof(w->log_stream), "%s/[%s]%s", day,
		 rt->version, w->token);
	env_add(&env, &n, "AWS_LAMBDA_LOG_STREAM_NAME=%s", w->log_stream);

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGCHLD);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addchdir_np(&fa, rt->code_dir);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
					       POSIX_SPAWN_SETSIGDEF |
					       POSIX_SPAWN_SETPGROUP);
	char *const argv[] = {exe, NULL};
	int rc = posix_spawn(&w->pid, exe, &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	lambda_worker_free_env(env);
	close(fds[1]);
	if (rc != 0) {
		snprintf(why, whylen, "fork/exec %s: %s", exe, strerror(rc));
		close(fds[0]);
		free(w);
		return NULL;
	}
	w->state = LW_STARTING;
	w->spawned_ms = time_now_ms();
	w->init_deadline_ms = w->spawned_ms + 10000 + rt->timeout_s * 1000;
	w->next = rt->workers;
	rt->workers = w;
	rt->n_workers++;
	log_info("lambda: started worker %s (pid %d) for %s:%s", w->token,
		 (int)w->pid, rt->name, rt->version);
	return w;
}

/* Append text to inv's log, keeping the newest bytes when full. */
void lambda_inv_log(struct lambda_inv *inv, const char *text, size_t len)
{
	if (len > LAMBDA_INV_LOG_CAP / 2) {
		text += len - LAMBDA_INV_LOG_CAP / 2;
		len = LAMBDA_INV_LOG_CAP / 2;
	}
	if (inv->log.len + len > LAMBDA_INV_LOG_CAP) {
		size_t drop = inv->log.len / 2;
		memmove(inv->log.data, inv->log.data + drop,
			inv->log.len - drop);
		inv->log.len -= drop;
		inv->log.data[inv->log.len] = '\0';
	}
	buf_append(&inv->log, text, len);
}

/* One complete output line of w. */
static void output_line(struct lambda_worker *w, const char *line,
			size_t len)
{
	if (w->inv) {
		lambda_inv_log(w->inv, line, len);
		lambda_inv_log(w->inv, "\n", 1);
	}
	log_debug("lambda[%s] %.*s", w->rt->name, (int)len, line);
}

void lambda_pool_drain(struct lambda_state *st, struct lambda_worker *w)
{
	(void)st;
	char chunk[8192];
	while (w->out_fd >= 0) {
		ssize_t n = read(w->out_fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break; /* EAGAIN: nothing more for now */
		if (n == 0) {
			close(w->out_fd);
			w->out_fd = -1;
			break;
		}
		for (ssize_t i = 0; i < n; i++) {
			char c = chunk[i];
			if (c == '\n' ||
			    w->partial_len == sizeof(w->partial)) {
				output_line(w, w->partial, w->partial_len);
				w->partial_len = 0;
				if (c == '\n')
					continue;
			}
			w->partial[w->partial_len++] = c;
		}
	}
}

/* Flush a line left without its newline (the worker ended or the
 * invocation finished). */
void lambda_worker_flush_partial(struct lambda_worker *w)
{
	if (w->partial_len) {
		output_line(w, w->partial, w->partial_len);
		w->partial_len = 0;
	}
}

/* Kill w and everything it started (its process group). */
void lambda_worker_kill(struct lambda_worker *w)
{
	if (w->pid > 0 && !w->exited) {
		kill(-w->pid, SIGKILL);
		kill(w->pid, SIGKILL);
	}
	w->state = LW_DEAD;
}

/* Peak resident memory of a live worker in MB, from /proc, or 0. */
int lambda_worker_max_rss_mb(const struct lambda_worker *w)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)w->pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	long kb = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return (int)((kb + 1023) / 1024);
}
