/*
 * handler_item.c - what the pipeline writes about an image once its
 * variants are stored: the DynamoDB item (the commit point), the Redis
 * cache entry and the SNS event.
 *
 * The item (attribute names are the table's public interface):
 *   image_id, status ("processed" | "failed"), created_at (the upload's
 *   eventTime), processed_at, bytes, sha256, format, width/height (after
 *   orientation), camera {make, model, date_taken} (those present),
 *   variants {name: {key, width, height, format, bytes}} or, for bad
 *   input, error {code, message}; source_bucket, source_key, source_etag,
 *   source_sequencer (what the conditional write is keyed on), and after
 *   the event is out, published_at and message_id.
 *
 * The SNS message is the item as plain JSON with "event" first
 * ("image.processed" | "image.failed"); the message attribute `event`
 * carries the same name so subscriptions can filter on it.
 */
#include "handler_int.h"
#include "timefmt.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void put_s_if(cJSON *map, const char *name, const char *v)
{
	if (v && *v)
		aws_ddb_put(map, name, aws_ddb_s(v));
}

static void put_dims(cJSON *map, int width, int height)
{
	if (width > 0 && height > 0) {
		aws_ddb_put(map, "width", aws_ddb_n_int(width));
		aws_ddb_put(map, "height", aws_ddb_n_int(height));
	}
}

cJSON *pipeline_build_item(const struct pipeline *p, struct record *r,
			   const struct imgpipe_result *res)
{
	char now[TIMEFMT_MAX];
	time_iso8601_ms(time_now_ms(), now);
	const struct imgpipe_meta *m = &res->meta;
	int ok = res->fail == IMGPIPE_OK;
	cJSON *item = aws_ddb_item();

	r->outcome = ok ? "processed" : "failed";
	aws_ddb_put(item, "image_id", aws_ddb_s(r->id));
	aws_ddb_put(item, "status", aws_ddb_s(r->outcome));
	aws_ddb_put(item, "created_at",
		    aws_ddb_s(r->event_time[0] ? r->event_time : now));
	aws_ddb_put(item, "processed_at", aws_ddb_s(now));
	aws_ddb_put(item, "bytes", aws_ddb_n_int((long long)r->bytes));
	put_s_if(item, "sha256", r->sha256);
	put_s_if(item, "format", m->format);
	put_dims(item, m->width, m->height);
	if (m->camera_make[0] || m->camera_model[0] || m->date_taken[0]) {
		cJSON *cam = aws_ddb_m();
		put_s_if(aws_ddb_map(cam), "make", m->camera_make);
		put_s_if(aws_ddb_map(cam), "model", m->camera_model);
		put_s_if(aws_ddb_map(cam), "date_taken", m->date_taken);
		aws_ddb_put(item, "camera", cam);
	}
	if (ok) {
		cJSON *vars = aws_ddb_m();
		for (size_t i = 0; i < res->n_variants; i++) {
			const struct imgpipe_variant *v = &res->variants[i];
			cJSON *one = aws_ddb_m();
			cJSON *om = aws_ddb_map(one);
			char *key = xasprintf("%s/%s.%s", r->id, v->name,
					      imgpipe_format_ext(v->format));
			aws_ddb_put(om, "key", aws_ddb_s(key));
			free(key);
			put_dims(om, v->width, v->height);
			aws_ddb_put(om, "format",
				    aws_ddb_s(imgpipe_format_name(v->format)));
			aws_ddb_put(om, "bytes", aws_ddb_n_int((long long)v->len));
			aws_ddb_put(aws_ddb_map(vars), v->name, one);
		}
		aws_ddb_put(item, "variants", vars);
	} else {
		cJSON *er = aws_ddb_m();
		aws_ddb_put(aws_ddb_map(er), "code",
			    aws_ddb_s(imgpipe_fail_code(res->fail)));
		aws_ddb_put(aws_ddb_map(er), "message",
			    aws_ddb_s(res->message[0] ? res->message
						      : imgpipe_fail_code(res->fail)));
		aws_ddb_put(item, "error", er);
		snprintf(r->reason, sizeof(r->reason), "%s: %s",
			 imgpipe_fail_code(res->fail), res->message);
	}
	aws_ddb_put(item, "source_bucket", aws_ddb_s(p->upload_bucket));
	aws_ddb_put(item, "source_key", aws_ddb_s(r->key));
	put_s_if(item, "source_etag", r->etag);
	put_s_if(item, "source_sequencer", r->seq);
	return item;
}

/* The condition that lets this record's item replace the stored one. */
static const char *commit_condition(const struct record *r, cJSON *values)
{
	if (r->seq[0]) {
		aws_ddb_put(values, ":seq", aws_ddb_s(r->seq));
		return "attribute_not_exists(image_id) OR "
		       "attribute_not_exists(source_sequencer) OR "
		       "source_sequencer < :seq";
	}
	aws_ddb_put(values, ":etag", aws_ddb_s(r->etag));
	return "attribute_not_exists(image_id) OR "
	       "attribute_not_exists(source_etag) OR source_etag <> :etag";
}

int pipeline_commit(struct pipeline *p, struct record *r, const cJSON *item)
{
	cJSON *values = aws_ddb_item();
	struct aws_ddb_cond cond = {.values = values};
	struct aws_error e;
	cond.condition = commit_condition(r, values);
	int rc = aws_ddb_put_item(p->ddb, p->table, item, &cond, NULL, &e);
	cJSON_Delete(values);
	if (rc) {
		if (strcmp(e.code, "ConditionalCheckFailedException") == 0) {
			r->outcome = "duplicate";
			snprintf(r->reason, sizeof(r->reason),
				 "another delivery committed this upload or a "
				 "newer one first");
			return 0;
		}
		return pipeline_dep_error(r, "PutItem", &e);
	}
	return pipeline_announce(p, r, item);
}

/* SET image:{id} json EX ttl; failures are logged only. */
static void cache_item(struct pipeline *p, struct record *r, const char *json)
{
	if (!p->redis)
		return;
	char key[PIPELINE_ID_MAX + 8];
	snprintf(key, sizeof(key), "image:%s", r->id);
	struct aws_error e;
	if (redis_client_set(p->redis, key, json, strlen(json),
			     PIPELINE_CACHE_TTL, &e))
		pipeline_log(r, "redis: %s %s (cache not updated)", e.code,
			     e.message);
}

/* Mark the item published, only if it still records this upload. */
static void mark_published(struct pipeline *p, struct record *r,
			   const char *message_id)
{
	char now[TIMEFMT_MAX];
	time_iso8601_ms(time_now_ms(), now);
	cJSON *key = aws_ddb_item(), *values = aws_ddb_item();
	aws_ddb_put(key, "image_id", aws_ddb_s(r->id));
	aws_ddb_put(values, ":t", aws_ddb_s(now));
	aws_ddb_put(values, ":m", aws_ddb_s(message_id));
	struct aws_ddb_cond cond = {.values = values};
	if (r->seq[0]) {
		aws_ddb_put(values, ":seq", aws_ddb_s(r->seq));
		cond.condition = "source_sequencer = :seq";
	} else {
		aws_ddb_put(values, ":etag", aws_ddb_s(r->etag));
		cond.condition = "source_etag = :etag";
	}
	struct aws_error e;
	if (aws_ddb_update_item(p->ddb, p->table, key,
				"SET published_at = :t, message_id = :m", &cond,
				NULL, &e) &&
	    strcmp(e.code, "ConditionalCheckFailedException") != 0)
		pipeline_log(r, "marking the event published: %s %s", e.code,
			     e.message);
	cJSON_Delete(key);
	cJSON_Delete(values);
}

int pipeline_announce(struct pipeline *p, struct record *r, const cJSON *item)
{
	cJSON *plain = aws_ddb_to_json(item);
	if (!plain)
		plain = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(plain, "published_at");
	cJSON_DeleteItemFromObjectCaseSensitive(plain, "message_id");
	char *json = cJSON_PrintUnformatted(plain);
	cache_item(p, r, json);
	free(json);

	int rc = 0;
	if (p->topic_arn) {
		const char *status = aws_ddb_get_s(item, "status");
		const char *event = status && strcmp(status, "processed") == 0
					    ? "image.processed"
					    : "image.failed";
		cJSON *msg = cJSON_CreateObject();
		cJSON_AddStringToObject(msg, "event", event);
		cJSON *f;
		cJSON_ArrayForEach(f, plain)
			cJSON_AddItemToObject(msg, f->string,
					      cJSON_Duplicate(f, 1));
		char *text = cJSON_PrintUnformatted(msg);
		cJSON_Delete(msg);
		struct aws_sns_attr attr = {"event", "String", event, 0};
		char message_id[AWS_SNS_ID_MAX];
		struct aws_error e;
		if (aws_sns_publish(p->sns, p->topic_arn, text, NULL, &attr, 1,
				    message_id, &e))
			rc = pipeline_dep_error(r, "Publish", &e);
		else
			mark_published(p, r, message_id);
		free(text);
	}
	cJSON_Delete(plain);
	return rc;
}
