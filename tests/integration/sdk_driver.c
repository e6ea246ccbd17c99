/*
 * sdk_driver.c - drives the sdk for tests/integration/test_sdk*.py: one
 * call per run, the result as one JSON object on stdout.
 *
 *   sdk_driver COMMAND ARGS...
 *
 * Success prints {"ok": true, ...fields}, exit 0; an sdk error prints
 * {"ok": false, "code", "message", "request_id", "status"}, exit 1; bad
 * usage exits 2.  Configuration comes from the environment exactly as
 * for any sdk program (aws_config_load).  Commands are listed in
 * usage() below.
 */
#include "aws_config.h"
#include "aws_ddb.h"
#include "aws_s3.h"
#include "aws_sns.h"
#include "hash.h"
#include "redis_client.h"
#include "runtime_client.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
	fputs("usage: sdk_driver COMMAND ARGS...\n"
	      "  config\n"
	      "  s3-put BUCKET KEY TEXT [CONTENT-TYPE [CACHE-CONTROL]]\n"
	      "  s3-put-file BUCKET KEY PATH [CONTENT-TYPE]\n"
	      "  s3-put-new BUCKET KEY TEXT          (If-None-Match: *)\n"
	      "  s3-get BUCKET KEY [MAX]\n"
	      "  s3-get-file BUCKET KEY PATH\n"
	      "  s3-head BUCKET KEY\n"
	      "  s3-delete BUCKET KEY\n"
	      "  s3-list BUCKET [PREFIX [DELIMITER [MAX-KEYS [TOKEN]]]]\n"
	      "  s3-presign METHOD BUCKET KEY EXPIRES\n"
	      "  ddb-put TABLE ITEM [CONDITION [NAMES [VALUES]]]\n"
	      "  ddb-put-built TABLE ID\n"
	      "  ddb-get TABLE KEY [PROJECTION]\n"
	      "  ddb-update TABLE KEY UPDATE [CONDITION [NAMES [VALUES]]]\n"
	      "  ddb-delete TABLE KEY [CONDITION [NAMES [VALUES]]]\n"
	      "  ddb-query TABLE INDEX|- KEYCOND NAMES VALUES [LIMIT [FORWARD]]\n"
	      "  sns-publish TOPIC-ARN MESSAGE [SUBJECT|- [NAME TYPE VALUE]...]\n"
	      "  redis HOST PORT TIMEOUT-MS ARG...\n"
	      "  redis-session HOST PORT TIMEOUT-MS   (one command per stdin line)\n"
	      "  runtime MAX-INVOCATIONS\n"
	      "  runtime-init-error TYPE MESSAGE\n", stderr);
	exit(2);
}

/* Print doc and free it. */
static void emit(cJSON *doc)
{
	char *s = cJSON_PrintUnformatted(doc);
	puts(s);
	fflush(stdout);
	free(s);
	cJSON_Delete(doc);
}

/* Print err as the failure object; returns the exit code 1. */
static int fail(const struct aws_error *err)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddBoolToObject(d, "ok", 0);
	cJSON_AddStringToObject(d, "code", err->code);
	cJSON_AddStringToObject(d, "message", err->message);
	cJSON_AddStringToObject(d, "request_id", err->request_id);
	cJSON_AddNumberToObject(d, "status", err->http_status);
	emit(d);
	return 1;
}

static cJSON *ok_object(void)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddBoolToObject(d, "ok", 1);
	return d;
}

static void add_info(cJSON *d, const struct aws_s3_object *info)
{
	cJSON_AddNumberToObject(d, "size", (double)info->size);
	cJSON_AddStringToObject(d, "etag", info->etag);
	cJSON_AddStringToObject(d, "content_type", info->content_type);
	cJSON_AddStringToObject(d, "cache_control", info->cache_control);
	cJSON_AddStringToObject(d, "last_modified", info->last_modified);
}

/* Optional argument i of argv, or NULL ("-" also means none). */
static const char *opt(int argc, char **argv, int i)
{
	return i < argc && strcmp(argv[i], "-") != 0 ? argv[i] : NULL;
}

static int cmd_config(void)
{
	struct aws_config cfg;
	struct aws_error err;
	if (aws_config_load(&cfg, &err) != 0)
		return fail(&err);
	cJSON *d = ok_object();
	cJSON_AddStringToObject(d, "region", cfg.region);
	cJSON_AddStringToObject(d, "profile", cfg.profile);
	cJSON_AddStringToObject(d, "access_key", cfg.access_key);
	cJSON_AddStringToObject(d, "secret_key", cfg.secret_key);
	if (cfg.session_token)
		cJSON_AddStringToObject(d, "session_token", cfg.session_token);
	cJSON_AddStringToObject(d, "credential_source", cfg.credential_source);
	cJSON_AddNumberToObject(d, "max_attempts", cfg.max_attempts);
	for (int s = 0; s < AWS_SERVICE_COUNT; s++) {
		char *e = aws_config_endpoint(&cfg, (enum aws_service)s, NULL);
		cJSON_AddStringToObject(d, aws_service_name((enum aws_service)s), e);
		free(e);
	}
	emit(d);
	aws_config_free(&cfg);
	return 0;
}

static int cmd_s3(int argc, char **argv, struct aws_s3 *s3)
{
	const char *cmd = argv[1];
	struct aws_error err;
	struct aws_s3_object info;
	memset(&info, 0, sizeof(info));
	cJSON *d;

	if (strcmp(cmd, "s3-put") == 0 || strcmp(cmd, "s3-put-new") == 0) {
		if (argc < 5)
			usage();
		struct aws_s3_meta meta[] = { { "origin", "sdk-driver" } };
		struct aws_s3_put_opts o = {
			.content_type = opt(argc, argv, 5), .cache_control = opt(argc, argv, 6),
			.metadata = meta, .metadata_count = 1,
			.if_none_match = strcmp(cmd, "s3-put-new") == 0 ? "*" : NULL,
		};
		if (aws_s3_put_object(s3, argv[2], argv[3], argv[4], strlen(argv[4]), &o, &info, &err))
			return fail(&err);
		d = ok_object();
		add_info(d, &info);
	} else if (strcmp(cmd, "s3-put-file") == 0) {
		if (argc < 5)
			usage();
		struct aws_s3_put_opts o = { .content_type = opt(argc, argv, 5) };
		if (aws_s3_put_object_file(s3, argv[2], argv[3], argv[4], &o, &info, &err))
			return fail(&err);
		d = ok_object();
		add_info(d, &info);
	} else if (strcmp(cmd, "s3-get") == 0) {
		if (argc < 4)
			usage();
		char *data;
		size_t len;
		size_t max = argc > 4 ? strtoul(argv[4], NULL, 10) : 0;
		if (aws_s3_get_object(s3, argv[2], argv[3], max, &data, &len, &info, &err))
			return fail(&err);
		d = ok_object();
		add_info(d, &info);
		char *b64 = xmalloc(HASH_BASE64_LEN(len) + 1);
		hash_base64_encode(data, len, b64);
		cJSON_AddStringToObject(d, "body_b64", b64);
		cJSON_AddNumberToObject(d, "length", (double)len);
		free(b64);
		free(data);
	} else if (strcmp(cmd, "s3-get-file") == 0) {
		if (argc < 5)
			usage();
		if (aws_s3_get_object_file(s3, argv[2], argv[3], argv[4], &info, &err))
			return fail(&err);
		d = ok_object();
		add_info(d, &info);
	} else if (strcmp(cmd, "s3-head") == 0) {
		if (argc < 4)
			usage();
		if (aws_s3_head_object(s3, argv[2], argv[3], &info, &err))
			return fail(&err);
		d = ok_object();
		add_info(d, &info);
	} else if (strcmp(cmd, "s3-delete") == 0) {
		if (argc < 4)
			usage();
		if (aws_s3_delete_object(s3, argv[2], argv[3], &err))
			return fail(&err);
		d = ok_object();
	} else if (strcmp(cmd, "s3-list") == 0) {
		if (argc < 3)
			usage();
		struct aws_s3_list_opts o = {
			.prefix = opt(argc, argv, 3), .delimiter = opt(argc, argv, 4),
			.max_keys = opt(argc, argv, 5) ? atoi(argv[5]) : 0,
			.continuation_token = opt(argc, argv, 6),
		};
		struct aws_s3_list l;
		if (aws_s3_list_objects_v2(s3, argv[2], &o, &l, &err))
			return fail(&err);
		d = ok_object();
		cJSON *keys = cJSON_AddArrayToObject(d, "keys");
		cJSON *sizes = cJSON_AddArrayToObject(d, "sizes");
		cJSON *pfx = cJSON_AddArrayToObject(d, "prefixes");
		for (size_t i = 0; i < l.count; i++) {
			cJSON_AddItemToArray(keys, cJSON_CreateString(l.entries[i].key));
			cJSON_AddItemToArray(sizes, cJSON_CreateNumber((double)l.entries[i].size));
		}
		for (size_t i = 0; i < l.prefix_count; i++)
			cJSON_AddItemToArray(pfx, cJSON_CreateString(l.prefixes[i]));
		cJSON_AddBoolToObject(d, "truncated", l.truncated);
		if (l.next_token)
			cJSON_AddStringToObject(d, "next_token", l.next_token);
		aws_s3_list_free(&l);
	} else if (strcmp(cmd, "s3-presign") == 0) {
		if (argc < 6)
			usage();
		char *url = aws_s3_presign(s3, argv[2], argv[3], argv[4],
					   strtoul(argv[5], NULL, 10), &err);
		if (!url)
			return fail(&err);
		d = ok_object();
		cJSON_AddStringToObject(d, "url", url);
		free(url);
	} else {
		usage();
		return 2;
	}
	emit(d);
	return 0;
}

/* Parse a JSON argument; exits 2 when it is not JSON. */
static cJSON *json_arg(int argc, char **argv, int i)
{
	const char *s = opt(argc, argv, i);
	if (!s)
		return NULL;
	cJSON *j = cJSON_Parse(s);
	if (!j) {
		fprintf(stderr, "argument %d is not JSON\n", i);
		exit(2);
	}
	return j;
}

/* Add item (taken; may be NULL) to d as plain JSON under name, and raw. */
static void add_item(cJSON *d, const char *name, cJSON *item)
{
	if (!item) {
		cJSON_AddNullToObject(d, name);
		return;
	}
	cJSON *plain = aws_ddb_to_json(item);
	char raw_name[64];
	snprintf(raw_name, sizeof(raw_name), "%s_raw", name);
	cJSON_AddItemToObject(d, name, plain ? plain : cJSON_CreateNull());
	cJSON_AddItemToObject(d, raw_name, item);
}

/* The item ddb-put-built writes: every builder once. */
static cJSON *built_item(const char *id)
{
	static const char *const tags[] = { "a", "b" };
	cJSON *item = aws_ddb_item();
	aws_ddb_put(item, "image_id", aws_ddb_s(id));
	aws_ddb_put(item, "width", aws_ddb_n_int(4000));
	aws_ddb_put(item, "ratio", aws_ddb_n_double(1.5));
	aws_ddb_put(item, "big", aws_ddb_n("12345678901234567890123456789"));
	aws_ddb_put(item, "ok", aws_ddb_bool(1));
	aws_ddb_put(item, "nothing", aws_ddb_null());
	aws_ddb_put(item, "blob", aws_ddb_b("\x00\x01\xff", 3));
	aws_ddb_put(item, "tags", aws_ddb_ss(tags, 2));
	cJSON *variants = aws_ddb_m();
	cJSON *thumb = aws_ddb_m();
	aws_ddb_put(aws_ddb_map(thumb), "key", aws_ddb_s("x/thumb.jpg"));
	aws_ddb_put(aws_ddb_map(thumb), "width", aws_ddb_n_int(200));
	aws_ddb_put(aws_ddb_map(variants), "thumb", thumb);
	aws_ddb_put(item, "variants", variants);
	cJSON *list = aws_ddb_l();
	aws_ddb_append(list, aws_ddb_s("one"));
	aws_ddb_append(list, aws_ddb_n_int(2));
	aws_ddb_put(item, "list", list);
	return item;
}

static int cmd_ddb(int argc, char **argv, struct aws_ddb *ddb)
{
	const char *cmd = argv[1];
	struct aws_error err;
	cJSON *out = NULL, *d;
	int rc;
	if (argc < 4)
		usage();
	cJSON *a3 = strcmp(cmd, "ddb-put-built") == 0 ? built_item(argv[3]) :
		    strcmp(cmd, "ddb-query") == 0 ? NULL : json_arg(argc, argv, 3);
	if (strcmp(cmd, "ddb-put") == 0 || strcmp(cmd, "ddb-put-built") == 0 ||
	    strcmp(cmd, "ddb-delete") == 0) {
		cJSON *names = json_arg(argc, argv, 5), *values = json_arg(argc, argv, 6);
		struct aws_ddb_cond c = { opt(argc, argv, 4), names, values, "ALL_OLD" };
		rc = strcmp(cmd, "ddb-delete") == 0 ?
		     aws_ddb_delete_item(ddb, argv[2], a3, &c, &out, &err) :
		     aws_ddb_put_item(ddb, argv[2], a3, &c, &out, &err);
		cJSON_Delete(names);
		cJSON_Delete(values);
		cJSON_Delete(a3);
		if (rc)
			return fail(&err);
		d = ok_object();
		add_item(d, "old", out);
	} else if (strcmp(cmd, "ddb-get") == 0) {
		rc = aws_ddb_get_item(ddb, argv[2], a3, 1, opt(argc, argv, 4), NULL, &out, &err);
		cJSON_Delete(a3);
		if (rc)
			return fail(&err);
		d = ok_object();
		add_item(d, "item", out);
	} else if (strcmp(cmd, "ddb-update") == 0) {
		if (argc < 5)
			usage();
		cJSON *names = json_arg(argc, argv, 6), *values = json_arg(argc, argv, 7);
		struct aws_ddb_cond c = { opt(argc, argv, 5), names, values, "ALL_NEW" };
		rc = aws_ddb_update_item(ddb, argv[2], a3, argv[4], &c, &out, &err);
		cJSON_Delete(names);
		cJSON_Delete(values);
		cJSON_Delete(a3);
		if (rc)
			return fail(&err);
		d = ok_object();
		add_item(d, "attributes", out);
	} else if (strcmp(cmd, "ddb-query") == 0) {
		if (argc < 7)
			usage();
		cJSON_Delete(a3);
		cJSON *names = json_arg(argc, argv, 5), *values = json_arg(argc, argv, 6);
		struct aws_ddb_query q = {
			.index = opt(argc, argv, 3), .key_condition = argv[4],
			.names = names, .values = values,
			.limit = opt(argc, argv, 7) ? atoi(argv[7]) : 0,
			.descending = opt(argc, argv, 8) && strcmp(argv[8], "desc") == 0,
		};
		cJSON *items, *last;
		rc = aws_ddb_query(ddb, argv[2], &q, &items, &last, &err);
		cJSON_Delete(names);
		cJSON_Delete(values);
		if (rc)
			return fail(&err);
		d = ok_object();
		cJSON *plain = cJSON_AddArrayToObject(d, "items");
		const cJSON *it;
		cJSON_ArrayForEach(it, items)
			cJSON_AddItemToArray(plain, aws_ddb_to_json(it));
		cJSON_Delete(items);
		add_item(d, "last_key", last);
	} else {
		usage();
		return 2;
	}
	emit(d);
	return 0;
}

static int cmd_sns(int argc, char **argv, struct aws_sns *sns)
{
	struct aws_error err;
	struct aws_sns_attr attrs[16];
	size_t n = 0;
	char id[AWS_SNS_ID_MAX];
	if (argc < 4)
		usage();
	for (int i = 5; i + 2 < argc && n < 16; i += 3)
		attrs[n++] = (struct aws_sns_attr){ argv[i], argv[i + 1], argv[i + 2], 0 };
	if (aws_sns_publish(sns, argv[2], argv[3], opt(argc, argv, 4), attrs, n, id, &err))
		return fail(&err);
	cJSON *d = ok_object();
	cJSON_AddStringToObject(d, "message_id", id);
	emit(d);
	return 0;
}

/* Reply as JSON: strings, status {"status": s}, integers, null, arrays. */
static cJSON *value_json(const struct redis_value *v)
{
	switch (v->type) {
	case REDIS_VALUE_STRING:
		return cJSON_CreateString(v->str);
	case REDIS_VALUE_STATUS: {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", v->str);
		return o;
	}
	case REDIS_VALUE_INTEGER:
		return cJSON_CreateNumber((double)v->integer);
	case REDIS_VALUE_ARRAY: {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < v->count; i++)
			cJSON_AddItemToArray(a, value_json(&v->elements[i]));
		return a;
	}
	default:
		return cJSON_CreateNull();
	}
}

/* Run one command (args split on spaces in line mode) and print the result. */
static int redis_one(struct redis_client *r, int argc, const char *const *argv)
{
	struct aws_error err;
	struct redis_value v;
	if (redis_client_command(r, argc, argv, NULL, &v, &err))
		return fail(&err);
	cJSON *d = ok_object();
	cJSON_AddItemToObject(d, "reply", value_json(&v));
	redis_value_free(&v);
	emit(d);
	return 0;
}

static int cmd_redis(int argc, char **argv)
{
	if (argc < 5 || (strcmp(argv[1], "redis") == 0 && argc < 6))
		usage();
	int timeout = atoi(argv[4]);
	struct redis_client *r = redis_client_new(argv[2], atoi(argv[3]), timeout, timeout);
	int rc = 0;
	if (strcmp(argv[1], "redis") == 0) {
		rc = redis_one(r, argc - 5, (const char *const *)argv + 5);
	} else {
		char line[4096];
		while (fgets(line, sizeof(line), stdin)) {
			const char *args[64];
			int n = 0;
			for (char *tok = strtok(line, " \r\n"); tok && n < 64; tok = strtok(NULL, " \r\n"))
				args[n++] = tok;
			if (n)
				rc |= redis_one(r, n, args);
		}
	}
	redis_client_free(r);
	return rc;
}

/*
 * The runtime test handler: echoes what it saw as JSON; an event with
 * "fail" set makes it fail with that errorType; "big" answers more than
 * RUNTIME_RESPONSE_MAX allows.
 */
static int echo_handler(void *arg, const struct runtime_invocation *inv,
			struct buf *response, struct runtime_failure *failure)
{
	(void)arg;
	cJSON *ev = cJSON_ParseWithLength(inv->payload, inv->payload_len);
	const char *f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "fail"));
	if (f) {
		snprintf(failure->type, sizeof(failure->type), "%s", f);
		snprintf(failure->message, sizeof(failure->message), "asked to fail");
		cJSON_Delete(ev);
		return -1;
	}
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "request_id", inv->request_id);
	cJSON_AddStringToObject(d, "function_arn", inv->function_arn);
	cJSON_AddStringToObject(d, "trace_id", inv->trace_id);
	cJSON_AddStringToObject(d, "trace_env", getenv("_X_AMZN_TRACE_ID") ?
				getenv("_X_AMZN_TRACE_ID") : "");
	cJSON_AddNumberToObject(d, "deadline_ms", (double)inv->deadline_ms);
	cJSON_AddBoolToObject(d, "remaining_positive", runtime_remaining_ms(inv) > 0);
	cJSON_AddItemToObject(d, "event", ev ? ev : cJSON_CreateNull());
	char *s = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	int rc = buf_puts(response, s);
	free(s);
	return rc == 0 ? 0 : -1;
}

static int cmd_runtime(int argc, char **argv)
{
	struct aws_error err;
	struct runtime_client *rc = runtime_client_new(NULL, &err);
	if (!rc)
		return fail(&err);
	int r;
	if (strcmp(argv[1], "runtime-init-error") == 0) {
		if (argc < 4)
			usage();
		r = runtime_client_init_error(rc, argv[2], argv[3], &err);
	} else {
		r = runtime_client_run(rc, echo_handler, NULL, argc > 2 ? atol(argv[2]) : 0, &err);
	}
	runtime_client_free(rc);
	if (r)
		return fail(&err);
	emit(ok_object());
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *cmd = argv[1];
	if (strcmp(cmd, "config") == 0)
		return cmd_config();
	if (strncmp(cmd, "redis", 5) == 0)
		return cmd_redis(argc, argv);
	if (strncmp(cmd, "runtime", 7) == 0)
		return cmd_runtime(argc, argv);
	struct aws_config cfg;
	struct aws_error err;
	if (aws_config_load(&cfg, &err) != 0)
		return fail(&err);
	int rc = 2;
	if (strncmp(cmd, "s3-", 3) == 0) {
		struct aws_s3 *s3 = aws_s3_new(&cfg, &err);
		rc = s3 ? cmd_s3(argc, argv, s3) : fail(&err);
		aws_s3_free(s3);
	} else if (strncmp(cmd, "ddb-", 4) == 0) {
		struct aws_ddb *ddb = aws_ddb_new(&cfg, &err);
		rc = ddb ? cmd_ddb(argc, argv, ddb) : fail(&err);
		aws_ddb_free(ddb);
	} else if (strncmp(cmd, "sns-", 4) == 0) {
		struct aws_sns *sns = aws_sns_new(&cfg, &err);
		rc = sns ? cmd_sns(argc, argv, sns) : fail(&err);
		aws_sns_free(sns);
	} else {
		aws_config_free(&cfg);
		usage();
	}
	aws_config_free(&cfg);
	return rc;
}
