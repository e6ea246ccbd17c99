/*
 * info.c - INFO: the sections redis-cli, client libraries and monitoring
 * tools read (server, clients, memory, persistence, stats, replication,
 * cpu, modules, errorstats, cluster, keyspace, commandstats), with the
 * field names Redis 7.0 uses.  "INFO" alone gives the default sections,
 * "INFO all"/"everything" adds commandstats; several section names may be
 * given.  The reply is a verbatim string in RESP3, a bulk string in RESP2.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "server.h"
#include "util.h"

static void human_bytes(char *out, size_t len, double n)
{
	if (n < 1024)
		snprintf(out, len, "%.0fB", n);
	else if (n < 1024 * 1024)
		snprintf(out, len, "%.2fK", n / 1024);
	else if (n < 1024.0 * 1024 * 1024)
		snprintf(out, len, "%.2fM", n / (1024 * 1024));
	else
		snprintf(out, len, "%.2fG", n / (1024.0 * 1024 * 1024));
}

static void info_section(struct redis_server *srv, struct buf *b,
			 const char *name)
{
	if (b->len)
		buf_puts(b, "\r\n");
	int64_t now = redis_now_ms();
	if (!strcmp(name, "server")) {
		struct utsname u;
		uname(&u);
		long long up = (now - srv->start_ms) / 1000;
		buf_printf(b, "# Server\r\nredis_version:%s\r\nredis_git_sha1:00000000\r\n"
			   "redis_git_dirty:0\r\nredis_build_id:0\r\nredis_mode:standalone\r\n"
			   "os:%s %s %s\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\n"
			   "multiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\n"
			   "gcc_version:0.0.0\r\nprocess_id:%d\r\nprocess_supervised:no\r\n"
			   "run_id:%016llx%016llx%08x\r\ntcp_port:%d\r\nserver_time_usec:%lld\r\n"
			   "uptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\nhz:10\r\n"
			   "configured_hz:10\r\nlru_clock:%lld\r\nexecutable:\r\nconfig_file:\r\n"
			   "io_threads_active:0\r\nimgpipe_emulator:1\r\n",
			   REDIS_VERSION, u.sysname, u.release, u.machine, (int)getpid(),
			   (unsigned long long)srv->start_ms * 2654435761ULL,
			   (unsigned long long)(uintptr_t)srv, (unsigned)srv->port,
			   srv->port, (long long)redis_now_us(), up, up / 86400,
			   (long long)(now / 1000) & ((1 << 24) - 1));
	} else if (!strcmp(name, "clients")) {
		size_t pubsub = 0;
		for (struct redis_client *c = srv->clients; c; c = c->next)
			if (redis_pubsub_count(c))
				pubsub++;
		buf_printf(b, "# Clients\r\nconnected_clients:%zu\r\ncluster_connections:0\r\n"
			   "maxclients:%lld\r\nclient_recent_max_input_buffer:0\r\n"
			   "client_recent_max_output_buffer:0\r\nblocked_clients:%zu\r\n"
			   "tracking_clients:0\r\nclients_in_timeout_table:%zu\r\n"
			   "pubsub_clients:%zu\r\n",
			   srv->n_clients, redis_config_ll(srv, "maxclients"),
			   srv->n_blocked, srv->n_blocked, pubsub);
	} else if (!strcmp(name, "memory")) {
		struct mallinfo2 mi = mallinfo2();
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		char h1[32], h2[32], h3[32];
		double used = (double)mi.uordblks + (double)mi.hblkhd;
		long long maxmem = redis_config_ll(srv, "maxmemory");
		human_bytes(h1, sizeof h1, used);
		human_bytes(h2, sizeof h2, (double)ru.ru_maxrss * 1024);
		human_bytes(h3, sizeof h3, (double)maxmem);
		buf_printf(b, "# Memory\r\nused_memory:%.0f\r\nused_memory_human:%s\r\n"
			   "used_memory_rss:%lld\r\nused_memory_rss_human:%s\r\n"
			   "used_memory_peak:%.0f\r\nused_memory_peak_human:%s\r\n"
			   "maxmemory:%lld\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\n"
			   "mem_allocator:libc\r\nmem_fragmentation_ratio:1.00\r\n",
			   used, h1, (long long)ru.ru_maxrss * 1024, h2, used, h1,
			   maxmem, h3, redis_config_get(srv, "maxmemory-policy"));
	} else if (!strcmp(name, "persistence")) {
		buf_printf(b, "# Persistence\r\nloading:0\r\nasync_loading:0\r\n"
			   "rdb_changes_since_last_save:0\r\nrdb_bgsave_in_progress:0\r\n"
			   "rdb_last_save_time:%lld\r\nrdb_last_bgsave_status:ok\r\n"
			   "aof_enabled:0\r\naof_rewrite_in_progress:0\r\n"
			   "aof_last_write_status:ok\r\nsqlite_durability:%s\r\n",
			   (long long)(now / 1000), srv->persist ? "on" : "off");
	} else if (!strcmp(name, "stats")) {
		buf_printf(b, "# Stats\r\ntotal_connections_received:%llu\r\n"
			   "total_commands_processed:%llu\r\ninstantaneous_ops_per_sec:0\r\n"
			   "total_net_input_bytes:%llu\r\ntotal_net_output_bytes:%llu\r\n"
			   "rejected_connections:%llu\r\nexpired_keys:%llu\r\nevicted_keys:0\r\n"
			   "keyspace_hits:%llu\r\nkeyspace_misses:%llu\r\npubsub_channels:%zu\r\n"
			   "pubsub_patterns:%zu\r\ntotal_error_replies:%llu\r\n",
			   (unsigned long long)srv->stat_connections,
			   (unsigned long long)srv->stat_commands,
			   (unsigned long long)srv->stat_net_in,
			   (unsigned long long)srv->stat_net_out,
			   (unsigned long long)srv->stat_rejected_conns,
			   (unsigned long long)srv->stat_expired,
			   (unsigned long long)srv->stat_hits,
			   (unsigned long long)srv->stat_misses,
			   dict_size(srv->pubsub_channels),
			   redis_pubsub_npatterns(srv),
			   (unsigned long long)srv->stat_errors);
	} else if (!strcmp(name, "replication")) {
		buf_puts(b, "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"
			 "master_failover_state:no-failover\r\nmaster_repl_offset:0\r\n"
			 "repl_backlog_active:0\r\n");
	} else if (!strcmp(name, "cpu")) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		buf_printf(b, "# CPU\r\nused_cpu_sys:%ld.%06ld\r\nused_cpu_user:%ld.%06ld\r\n"
			   "used_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n",
			   (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec,
			   (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec);
	} else if (!strcmp(name, "modules")) {
		buf_puts(b, "# Modules\r\n");
	} else if (!strcmp(name, "errorstats")) {
		buf_puts(b, "# Errorstats\r\n");
	} else if (!strcmp(name, "cluster")) {
		buf_puts(b, "# Cluster\r\ncluster_enabled:0\r\n");
	} else if (!strcmp(name, "commandstats")) {
		buf_puts(b, "# Commandstats\r\n");
		redis_commandstats(srv, b);
	} else if (!strcmp(name, "keyspace")) {
		buf_puts(b, "# Keyspace\r\n");
		for (int i = 0; i < REDIS_DBS; i++) {
			struct redis_db *db = &srv->db[i];
			if (!dict_size(db->keys))
				continue;
			buf_printf(b, "db%d:keys=%zu,expires=%zu,avg_ttl=0\r\n", i,
				   dict_size(db->keys), dict_size(db->expires));
		}
	}
}

static const char *const default_sections[] = {
	"server", "clients", "memory", "persistence", "stats", "replication",
	"cpu", "modules", "errorstats", "cluster", "keyspace",
};
static const char *const all_sections[] = {
	"server", "clients", "memory", "persistence", "stats", "replication",
	"cpu", "modules", "commandstats", "errorstats", "cluster", "keyspace",
};

void redis_cmd_info(struct redis_client *c)
{
	int want[sizeof all_sections / sizeof all_sections[0]] = { 0 };
	size_t n = sizeof all_sections / sizeof all_sections[0];
	if (c->argc == 1)
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < sizeof default_sections / sizeof default_sections[0]; j++)
				if (!strcmp(all_sections[i], default_sections[j]))
					want[i] = 1;
	for (size_t a = 1; a < c->argc; a++) {
		const struct rstr *s = c->argv[a];
		if (arg_is(s, "all") || arg_is(s, "everything")) {
			for (size_t i = 0; i < n; i++)
				want[i] = 1;
		} else if (arg_is(s, "default")) {
			for (size_t i = 0; i < n; i++)
				if (strcmp(all_sections[i], "commandstats"))
					want[i] = 1;
		} else {
			for (size_t i = 0; i < n; i++)
				if (arg_is(s, all_sections[i]))
					want[i] = 1;
		}
	}
	struct buf b;
	buf_init(&b, 1 << 24);
	for (size_t i = 0; i < n; i++)
		if (want[i])
			info_section(c->srv, &b, all_sections[i]);
	reply_verbatim(c, b.data ? b.data : "", b.len);
	buf_free(&b);
}
