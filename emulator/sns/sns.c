/*
 * sns.c - Amazon SNS: topics, subscriptions, Publish, and delivery to
 * HTTP/HTTPS endpoints and Lambda functions that behaves like AWS's:
 * signed messages, subscription confirmation, retries on the delivery
 * policy's schedule, and a persisted outbox so nothing is lost across a
 * restart.
 *
 * Query protocol (Action=...&Version=2010-03-31, form-encoded POST or
 * GET), XML answers in SNS's namespace, errors in its ErrorResponse
 * shape (protocol.c).  The files of the service and who does what are
 * listed in sns.h; docs/services/sns.md lists the operations and what
 * differs from AWS.
 *
 * Not supported (the router answers InvalidAction): platform
 * applications and endpoints, SMS, data protection policies,
 * Add/RemovePermission.  sqs, email, email-json, firehose, application
 * and sms subscriptions are stored and listed, but nothing is delivered
 * to them (there is no SQS or mail here).
 */
#include "config.h"
#include "log.h"
#include "services.h"
#include "sns.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct store_migration sns_migrations[] = {
	{1,
	 "CREATE TABLE topics(arn TEXT PRIMARY KEY, name TEXT NOT NULL, "
	 "  attrs TEXT NOT NULL, created_ms INTEGER NOT NULL);"
	 "CREATE TABLE tags(arn TEXT NOT NULL, key TEXT NOT NULL, "
	 "  value TEXT NOT NULL, PRIMARY KEY(arn, key));"
	 "CREATE TABLE subs(arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, "
	 "  protocol TEXT NOT NULL, endpoint TEXT NOT NULL, "
	 "  attrs TEXT NOT NULL, confirmed INTEGER NOT NULL, token TEXT, "
	 "  base_url TEXT NOT NULL, authenticated INTEGER NOT NULL, "
	 "  created_ms INTEGER NOT NULL);"
	 "CREATE INDEX subs_topic ON subs(topic_arn, arn);"
	 "CREATE TABLE outbox(id INTEGER PRIMARY KEY, sub_arn TEXT NOT NULL,"
	 "  topic_arn TEXT NOT NULL, protocol TEXT NOT NULL, "
	 "  endpoint TEXT NOT NULL, msg_type TEXT NOT NULL, "
	 "  message_id TEXT NOT NULL, body TEXT NOT NULL, "
	 "  raw INTEGER NOT NULL, policy TEXT, dlq TEXT, "
	 "  state TEXT NOT NULL, attempts INTEGER NOT NULL, "
	 "  next_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL, "
	 "  last_ms INTEGER, last_status INTEGER, last_error TEXT, "
	 "  claimed INTEGER NOT NULL);"
	 "CREATE INDEX outbox_due ON outbox(state, claimed, next_ms);"
	 "CREATE INDEX outbox_sub ON outbox(sub_arn);"
	 "CREATE TABLE dedup(topic_arn TEXT NOT NULL, dedup_id TEXT NOT NULL,"
	 "  message_id TEXT NOT NULL, seq TEXT NOT NULL, "
	 "  expires_ms INTEGER NOT NULL, PRIMARY KEY(topic_arn, dedup_id));"
	 "CREATE TABLE fifo_seq(topic_arn TEXT PRIMARY KEY, "
	 "  n INTEGER NOT NULL);"},
};

void sns_wake(struct sns *sns)
{
	pthread_mutex_lock(&sns->lock);
	sns->queued_gen++;
	pthread_cond_broadcast(&sns->wake);
	pthread_mutex_unlock(&sns->lock);
}

static int sns_init(struct emulator *emu, void **state, char *errbuf,
		    size_t errlen)
{
	struct sns *sns = xcalloc(1, sizeof(*sns));
	sns->emu = emu;
	sns->fast_retries = emu->config->sns_fast_retries;
	sns->db = store_db_open(emu->store, "sns", sns_migrations,
				sizeof(sns_migrations) /
					sizeof(sns_migrations[0]),
				errbuf, errlen);
	if (!sns->db) {
		free(sns);
		return -1;
	}
	/* Rows a previous run had taken but not finished go out again. */
	if (store_exec(sns->db, "UPDATE outbox SET claimed = 0 WHERE "
				"claimed = 1")) {
		snprintf(errbuf, errlen, "sns: cannot reset the outbox");
		free(sns);
		return -1;
	}
	sns->signer = sns_signer_open(store_data_dir(emu->store), errbuf,
				      errlen);
	if (!sns->signer) {
		free(sns);
		return -1;
	}
	sns_curl_init(&sns->curl);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sns->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&sns->lock, NULL);
	emu->bus.sns = sns;
	emu->bus.sns_publish = sns_bus_publish;
	*state = sns;
	return 0;
}

static int sns_start(void *state)
{
	return sns_deliver_start(state);
}

static void sns_shutdown(void *state)
{
	struct sns *sns = state;
	if (!sns)
		return;
	sns_deliver_stop(sns);
	if (sns->emu->bus.sns == sns) {
		sns->emu->bus.sns = NULL;
		sns->emu->bus.sns_publish = NULL;
	}
	pthread_cond_destroy(&sns->wake);
	pthread_mutex_destroy(&sns->lock);
	sns_signer_free(sns->signer);
	sns_curl_unload(&sns->curl);
	free(sns);
}

static int sns_reset(void *state)
{
	struct sns *sns = state;
	if (store_begin(sns->db))
		return -1;
	if (store_exec(sns->db, "DELETE FROM outbox") ||
	    store_exec(sns->db, "DELETE FROM subs") ||
	    store_exec(sns->db, "DELETE FROM tags") ||
	    store_exec(sns->db, "DELETE FROM dedup") ||
	    store_exec(sns->db, "DELETE FROM fifo_seq") ||
	    store_exec(sns->db, "DELETE FROM topics") ||
	    store_commit(sns->db)) {
		store_rollback(sns->db);
		return -1;
	}
	return 0;
}

/* Every topic (with its subscriptions) and the delivery rows. */
static void *sns_resources(void *state)
{
	struct sns *sns = state;
	cJSON *out = cJSON_CreateObject();
	cJSON *topics = cJSON_AddArrayToObject(out, "topics");
	sqlite3_stmt *st = store_prepare(
		sns->db, "SELECT arn, attrs FROM topics ORDER BY arn");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "arn",
					(const char *)sqlite3_column_text(st, 0));
		cJSON *a = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
		cJSON_AddItemToObject(t, "attributes",
				      a ? a : cJSON_CreateObject());
		cJSON_AddItemToArray(topics, t);
	}
	if (st)
		sqlite3_reset(st);
	cJSON *subs = cJSON_AddArrayToObject(out, "subscriptions");
	st = store_prepare(sns->db,
			   "SELECT arn, topic_arn, protocol, endpoint, "
			   "confirmed, attrs FROM subs ORDER BY arn");
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		cJSON *s = cJSON_CreateObject();
		static const char *const names[] = {"arn", "topic_arn",
						    "protocol", "endpoint"};
		for (int i = 0; i < 4; i++)
			cJSON_AddStringToObject(
				s, names[i],
				(const char *)sqlite3_column_text(st, i));
		cJSON_AddBoolToObject(s, "confirmed",
				      sqlite3_column_int(st, 4));
		cJSON *a = cJSON_Parse((const char *)sqlite3_column_text(st, 5));
		cJSON_AddItemToObject(s, "attributes",
				      a ? a : cJSON_CreateObject());
		cJSON_AddItemToArray(subs, s);
	}
	if (st)
		sqlite3_reset(st);
	cJSON_AddItemToObject(out, "deliveries", sns_outbox_resources(sns));
	return out;
}

#define Q(name, fn) {name, NULL, NULL, fn, NULL, 0, 0}
#define Q_UNSIGNED(name, fn) {name, NULL, NULL, fn, NULL, OP_NO_AUTH, 0}

static const struct service_op sns_ops[] = {
	Q("CreateTopic", sns_create_topic),
	Q("DeleteTopic", sns_delete_topic),
	Q("ListTopics", sns_list_topics),
	Q("GetTopicAttributes", sns_get_topic_attributes),
	Q("SetTopicAttributes", sns_set_topic_attributes),
	Q("Subscribe", sns_subscribe),
	Q_UNSIGNED("ConfirmSubscription", sns_confirm_subscription),
	Q_UNSIGNED("Unsubscribe", sns_unsubscribe),
	Q("ListSubscriptions", sns_list_subscriptions),
	Q("ListSubscriptionsByTopic", sns_list_subscriptions_by_topic),
	Q("GetSubscriptionAttributes", sns_get_subscription_attributes),
	Q("SetSubscriptionAttributes", sns_set_subscription_attributes),
	Q("Publish", sns_publish),
	Q("PublishBatch", sns_publish_batch),
	Q("TagResource", sns_tag_resource),
	Q("UntagResource", sns_untag_resource),
	Q("ListTagsForResource", sns_list_tags),
	/* Emulator extension: the certificate at SigningCertURL. */
	Q_UNSIGNED("GetSigningCertificate", sns_get_signing_certificate),
};

const struct service sns_service = {
	.name = "sns",
	.signing_name = "sns",
	.target_prefix = NULL,
	.query_version = "2010-03-31",
	.path_prefixes = NULL,
	.protocol = PROTO_QUERY,
	.flags = 0,
	.error_namespace = "http://sns.amazonaws.com/doc/2010-03-31/",
	.json_content_type = NULL,
	.max_body = 2 * 1024 * 1024, /* PublishBatch: 10 x 256 KiB, encoded */
	.init = sns_init,
	.start = sns_start,
	.shutdown = sns_shutdown,
	.reset = sns_reset,
	.resources = sns_resources,
	.ops = sns_ops,
	.n_ops = sizeof(sns_ops) / sizeof(sns_ops[0]),
};
