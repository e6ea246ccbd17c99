/*
 * handler_int.h - what handler.c and handler_item.c share: the pipeline's
 * settings and clients, and the state of the record being processed.
 * Not part of the pipeline's interface (handler.h is).
 */
#ifndef IMGPIPE_HANDLER_INT_H
#define IMGPIPE_HANDLER_INT_H

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdint.h>

#include "aws_config.h"
#include "aws_ddb.h"
#include "aws_s3.h"
#include "aws_sns.h"
#include "handler.h"
#include "hash.h"
#include "image.h"
#include "redis_client.h"

struct pipeline {
	char *upload_bucket;
	char *processed_bucket;
	char *table;
	char *topic_arn;            /* NULL: no events */
	struct imgpipe_config img;
	struct aws_config cfg;
	int have_cfg;               /* cfg was loaded (free it) */
	struct aws_s3 *s3;
	struct aws_ddb *ddb;
	struct aws_sns *sns;
	struct redis_client *redis; /* NULL: no cache */
};

/* One event record while it is processed. */
struct record {
	const char *request_id;     /* the invocation's (borrowed) */
	char *key;                  /* decoded object key (heap) or NULL */
	char id[PIPELINE_ID_MAX + 1];
	char ext[17];
	char etag[130];             /* without quotes; "" when unknown */
	char seq[PIPELINE_SEQ_LEN + 1]; /* normalised sequencer or "" */
	char event_time[40];        /* the record's eventTime or "" */
	uint64_t bytes;             /* size of the upload */
	char sha256[2 * HASH_SHA256_LEN + 1]; /* "" until downloaded */
	const char *outcome;        /* processed failed skipped duplicate ... */
	char reason[768];
	int transient;              /* the error is worth retrying soon */
};

/* One log line on stderr about r (may be NULL). */
void pipeline_log(const struct record *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record a failed dependency call on r (outcome "error"); returns -1. */
int pipeline_dep_error(struct record *r, const char *what,
		       const struct aws_error *e);

/*
 * The DynamoDB item for r and the image core's result (bad input when
 * res->fail is set).  Sets r->outcome to the status.  Caller frees.
 */
cJSON *pipeline_build_item(const struct pipeline *p, struct record *r,
			   const struct imgpipe_result *res);
/*
 * Write item (the commit point) unless a concurrent delivery or a newer
 * upload got there first, then announce it.  Returns 0 or -1.
 */
int pipeline_commit(struct pipeline *p, struct record *r, const cJSON *item);
/*
 * Cache item in Redis (failures logged), publish its event, mark it
 * published_at.  Returns 0, or -1 when the publish failed.
 */
int pipeline_announce(struct pipeline *p, struct record *r, const cJSON *item);

#endif
