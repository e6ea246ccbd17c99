/*
 * admin.c - the emulator's own endpoints under /_emulator/.
 *
 *   GET  /_emulator/health     version, uptime, each service's state
 *   GET  /_emulator/resources  every resource of every service, as JSON
 *   GET  /_emulator/stats      per-operation calls, errors and time
 *   POST /_emulator/reset      wipe all state of every service
 *   GET  /_emulator/logs       recent log events of ?function=NAME or
 *                              ?group=NAME (&limit=N), via bus.logs_query
 *
 * They are unsigned (like LocalStack's /_localstack/health) and answer
 * JSON; errors use the REST-JSON shape.  The admin service walks the
 * other services through the router and never looks inside them.
 */
#include "config.h"
#include "edge/edge.h"
#include "protocol.h"
#include "redis/redis.h"
#include "router.h"
#include "services.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <time.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int admin_health(struct request *req, struct response *resp)
{
	struct emulator *emu = req->emu;
	cJSON *json = cJSON_CreateObject();
	cJSON_AddStringToObject(json, "status", "running");
	cJSON_AddStringToObject(json, "version", emu->version);
	cJSON_AddNumberToObject(json, "uptime_ms",
				(double)(now_ms() - emu->started_ms));
	cJSON_AddNumberToObject(json, "inflight",
				emu->edge ? edge_inflight(emu->edge) : 0);
	cJSON *services = cJSON_AddObjectToObject(json, "services");
	for (size_t i = 0; i < router_service_count(emu->router); i++) {
		const struct service *svc =
			router_service_at(emu->router, i, NULL);
		if (svc == &admin_service)
			continue;
		cJSON *s = cJSON_AddObjectToObject(services, svc->name);
		cJSON_AddStringToObject(s, "state", "running");
		cJSON_AddNumberToObject(s, "operations", (double)svc->n_ops);
	}
	cJSON *redis = cJSON_AddObjectToObject(services, "redis");
	cJSON_AddStringToObject(redis, "state",
				emu->redis ? "running" : "disabled");
	if (emu->redis)
		cJSON_AddNumberToObject(redis, "port",
					redis_server_port(emu->redis));
	resp_json(resp, &admin_service, json);
	return 0;
}

static int admin_resources(struct request *req, struct response *resp)
{
	struct emulator *emu = req->emu;
	cJSON *json = cJSON_CreateObject();
	for (size_t i = 0; i < router_service_count(emu->router); i++) {
		void *state;
		const struct service *svc =
			router_service_at(emu->router, i, &state);
		if (!svc->resources)
			continue;
		cJSON *part = svc->resources(state);
		if (part)
			cJSON_AddItemToObject(json, svc->name, part);
	}
	if (emu->redis) {
		cJSON *part = redis_server_resources(emu->redis);
		if (part)
			cJSON_AddItemToObject(json, "redis", part);
	}
	resp_json(resp, &admin_service, json);
	return 0;
}

static int admin_stats(struct request *req, struct response *resp)
{
	struct emulator *emu = req->emu;
	cJSON *json = cJSON_CreateObject();
	for (size_t i = 0; i < router_service_count(emu->router); i++) {
		const struct service *svc =
			router_service_at(emu->router, i, NULL);
		cJSON *ops = NULL;
		for (size_t k = 0; k < svc->n_ops; k++) {
			struct op_stats st;
			router_op_stats(emu->router, i, k, &st);
			if (!st.calls)
				continue;
			if (!ops)
				ops = cJSON_AddObjectToObject(json, svc->name);
			cJSON *o = cJSON_AddObjectToObject(ops, svc->ops[k].name);
			cJSON_AddNumberToObject(o, "calls", (double)st.calls);
			cJSON_AddNumberToObject(o, "errors", (double)st.errors);
			cJSON_AddNumberToObject(o, "usec", (double)st.usec);
		}
	}
	resp_json(resp, &admin_service, json);
	return 0;
}

static int admin_reset(struct request *req, struct response *resp)
{
	struct emulator *emu = req->emu;
	cJSON *json = cJSON_CreateObject();
	cJSON *done = cJSON_AddArrayToObject(json, "reset");
	for (size_t i = 0; i < router_service_count(emu->router); i++) {
		void *state;
		const struct service *svc =
			router_service_at(emu->router, i, &state);
		if (!svc->reset)
			continue;
		if (svc->reset(state)) {
			cJSON_Delete(json);
			return req_error(req, 500, "InternalFailure",
					 "resetting %s failed", svc->name);
		}
		cJSON_AddItemToArray(done, cJSON_CreateString(svc->name));
	}
	if (emu->redis) {
		if (redis_server_reset(emu->redis)) {
			cJSON_Delete(json);
			return req_error(req, 500, "InternalFailure",
					 "resetting redis failed");
		}
		cJSON_AddItemToArray(done, cJSON_CreateString("redis"));
	}
	resp_json(resp, &admin_service, json);
	return 0;
}

/* GET /_emulator/logs?function=NAME|group=NAME[&limit=N]: the newest
 * events of the group (Lambda's /aws/lambda/NAME), oldest first. */
static int admin_logs(struct request *req, struct response *resp)
{
	struct bus *bus = &req->emu->bus;
	const char *fn = req_query(req, "function");
	const char *group = req_query(req, "group");
	const char *lim = req_query(req, "limit");
	int limit = lim ? atoi(lim) : 100;
	if (fn && *fn)
		group = arena_printf(req->arena, "/aws/lambda/%s", fn);
	if (!group || !*group)
		return req_error(req, 400, "InvalidParameterException",
				 "function or group is required");
	if (limit < 1 || limit > 10000)
		limit = 100;
	if (!bus->logs_query)
		return req_error(req, 404, "ResourceNotFoundException",
				 "the logs service is not part of this build");
	cJSON *events = bus->logs_query(bus->logs, group, limit);
	if (!events)
		return req_error(req, 404, "ResourceNotFoundException",
				 "The specified log group does not exist.");
	cJSON *json = cJSON_CreateObject();
	cJSON_AddStringToObject(json, "logGroupName", group);
	cJSON_AddItemToObject(json, "events", events);
	resp_json(resp, &admin_service, json);
	return 0;
}

static const struct service_op admin_ops[] = {
	{"Logs", "GET", "/_emulator/logs", admin_logs, NULL, OP_NO_AUTH, 0},
	{"Health", "GET", "/_emulator/health", admin_health, NULL, OP_NO_AUTH, 0},
	{"Resources", "GET", "/_emulator/resources", admin_resources, NULL,
	 OP_NO_AUTH, 0},
	{"Stats", "GET", "/_emulator/stats", admin_stats, NULL, OP_NO_AUTH, 0},
	{"Reset", "POST", "/_emulator/reset", admin_reset, NULL, OP_NO_AUTH, 0},
};

static const char *const admin_paths[] = {"/_emulator/", NULL};

const struct service admin_service = {
	.name = "admin",
	.signing_name = NULL,
	.target_prefix = NULL,     /* target_prefix */
	.query_version = NULL,     /* query_version */
	.path_prefixes = admin_paths,
	.protocol = PROTO_REST_JSON,
	.flags = SVC_UNSIGNED,
	.error_namespace = NULL,
	.json_content_type = "application/json",
	.max_body = 64 * 1024,
	.ops = admin_ops,
	.n_ops = sizeof(admin_ops) / sizeof(admin_ops[0]),
};
