/*
 * logs.h - what the files of the CloudWatch Logs service share (other
 * services reach Logs only through the bus: logs_put, logs_query).
 *
 *   logs.c         the op table, the service row, init/reset/resources,
 *                  the bus hooks, request helpers
 *   logs_group.c   log groups: create/delete/describe, retention, tags
 *   logs_events.c  log streams and events: put, get, filter
 */
#ifndef IMGPIPE_LOGS_H
#define IMGPIPE_LOGS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "service.h"
#include "store.h"

struct logs_state {
	struct emulator *emu;
	struct store_db *db;
};

/* A string member of obj, or NULL. */
const char *logs_str(const cJSON *obj, const char *name);
/* The group named by logGroupName or logGroupIdentifier (a name or an
 * ARN) in body; NULL with InvalidParameterException recorded when
 * neither is given. */
const char *logs_group_param(struct request *req, const cJSON *body);
/* Whether group exists. */
int logs_group_exists(struct logs_state *s, const char *group);
/* ResourceNotFoundException for a missing group; returns -1. */
int logs_no_group(struct request *req);
/* The ARN of group (without ":*"), in the request's arena. */
const char *logs_group_arn(struct request *req, const char *group);
/* The integer member name of body into *out when present (1), absent
 * (0), or not an integer (-1, InvalidParameterException recorded). */
int logs_int(struct request *req, const cJSON *body, const char *name,
	     int64_t *out);

/* Create stream in group unless it exists (lock-free: callers are in a
 * transaction).  0 or -1. */
int logs_stream_ensure(struct logs_state *s, const char *group,
		       const char *stream, int64_t now_ms);
/* Insert one event.  0 or -1. */
int logs_event_insert(struct logs_state *s, const char *group,
		      const char *stream, int64_t ts, int64_t ingest,
		      const char *msg, size_t len);

/* Handlers. */
int logs_create_group(struct request *req, struct response *resp);
int logs_delete_group(struct request *req, struct response *resp);
int logs_describe_groups(struct request *req, struct response *resp);
int logs_put_retention(struct request *req, struct response *resp);
int logs_delete_retention(struct request *req, struct response *resp);
int logs_tag_resource(struct request *req, struct response *resp);
int logs_untag_resource(struct request *req, struct response *resp);
int logs_list_tags_resource(struct request *req, struct response *resp);
int logs_tag_group(struct request *req, struct response *resp);
int logs_untag_group(struct request *req, struct response *resp);
int logs_list_tags_group(struct request *req, struct response *resp);
int logs_create_stream(struct request *req, struct response *resp);
int logs_delete_stream(struct request *req, struct response *resp);
int logs_describe_streams(struct request *req, struct response *resp);
int logs_put_events(struct request *req, struct response *resp);
int logs_get_events(struct request *req, struct response *resp);
int logs_filter_events(struct request *req, struct response *resp);

#endif
