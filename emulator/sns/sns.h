/*
 * sns.h - what the files of the SNS service share (not for other
 * services: they reach SNS through req->emu->bus).
 *
 *   sns.c          the op table, the service row, init/start/shutdown,
 *                  reset, resources, the bus hook
 *   sns_query.c    Query-protocol inputs: maps (Attributes.entry.N),
 *                  lists (Tags.member.N), ARNs, the XML answer helpers
 *   sns_topic.c    topics, their attributes and tags
 *   sns_sub.c      subscriptions, confirmation, unsubscribe
 *   sns_sub_list.c ListSubscriptions(ByTopic)
 *   sns_publish.c  Publish, PublishBatch: message attributes, fan-out
 *                  into the outbox (one row per delivery)
 *   sns_filter.c   subscription filter policies (pure, unit tested)
 *   sns_sign.c     the signing key and certificate, message signatures
 *   sns_message.c  the JSON documents sent (Notification, confirmations,
 *                  the Lambda event)
 *   sns_deliver.c  the delivery threads: HTTP POSTs, Lambda hand-off,
 *                  the retry schedule, dead letters
 *
 * State: sns.db (topics, tags, subs, outbox, dedup); no rows are kept in
 * memory, so every thread sees the same state through SQLite.
 */
#ifndef IMGPIPE_SNS_H
#define IMGPIPE_SNS_H

#include <pthread.h>

#include "sns_curl.h"
#include <stdint.h>

#include "service.h"
#include "store.h"

struct cJSON;
struct sns_signer;

#define SNS_WORKERS 4 /* delivery threads */

struct sns {
	struct emulator *emu;
	struct store_db *db;
	struct sns_signer *signer;
	int fast_retries; /* --fast-retries: delays in ms, not s */

	/* Delivery threads: woken when rows are queued or at shutdown. */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	int started;
	pthread_t workers[SNS_WORKERS];
	uint64_t queued_gen; /* bumped when a row is queued */
	struct sns_curl curl; /* libcurl, loaded by the first HTTP delivery */
};

/* ---- sns.c ---- */
/* Wake the delivery threads (after a commit that queued rows). */
void sns_wake(struct sns *sns);

/* ---- sns_query.c: inputs ---- */
struct sns_pair {
	const char *key;
	const char *value;
};
/* The map prefix.entry.N.key / .value (N from 1, stops at the first gap)
 * into *out (arena).  Returns the count, or -1 with InvalidParameter
 * recorded (an entry without a key). */
int sns_query_map(struct request *req, const char *prefix,
		  struct sns_pair **out);
/* The list prefix.member.N (N from 1) of strings; returns the count. */
int sns_query_list(struct request *req, const char *prefix,
		   const char ***out);
/* The tag list prefix.member.N.Key / .Value; count or -1 (recorded). */
int sns_query_tags(struct request *req, const char *prefix,
		   struct sns_pair **out);
/* A required parameter, or NULL with AWS's error recorded. */
const char *sns_require(struct request *req, const char *name);
/* Does arn look like arn:aws:sns:<region>:<account>:<name>[:<id>]? */
int sns_arn_is_topic(const char *arn);
int sns_arn_is_subscription(const char *arn);
/* Topic ARN for name in the request's region and the account. */
char *sns_topic_arn(struct request *req, const char *name);
/* http://<Host> of the request: base of SubscribeURL & co. (arena). */
const char *sns_base_url(struct request *req);

/* ---- sns_query.c: answers ---- */
/* <entry><key>k</key><value>v</value></entry> */
void sns_xml_entry(struct buf *b, const char *key, const char *value);
/* Record InternalError (500) for a database failure; returns -1. */
int sns_internal_error(struct request *req);
/* An answer with no Result element (DeleteTopic, Set*, Tag*). */
void sns_answer_empty(struct request *req, struct response *resp,
		      const char *action);
/* Free json with the request's arena. */
void sns_defer_json(struct request *req, struct cJSON *json);

/* ---- sns_topic.c ---- */
int sns_create_topic(struct request *req, struct response *resp);
int sns_delete_topic(struct request *req, struct response *resp);
int sns_list_topics(struct request *req, struct response *resp);
int sns_get_topic_attributes(struct request *req, struct response *resp);
int sns_set_topic_attributes(struct request *req, struct response *resp);
int sns_tag_resource(struct request *req, struct response *resp);
int sns_untag_resource(struct request *req, struct response *resp);
int sns_list_tags(struct request *req, struct response *resp);
/* The topic's stored attributes as a cJSON object the caller deletes,
 * or NULL when there is no such topic. */
struct cJSON *sns_topic_load(struct sns *sns, const char *arn);
/* AWS's default delivery policy for HTTP/S (EffectiveDeliveryPolicy). */
extern const char sns_default_delivery_policy[];

/* ---- sns_sub.c ---- */
int sns_subscribe(struct request *req, struct response *resp);
int sns_confirm_subscription(struct request *req, struct response *resp);
int sns_unsubscribe(struct request *req, struct response *resp);
int sns_list_subscriptions(struct request *req, struct response *resp);
int sns_list_subscriptions_by_topic(struct request *req,
				    struct response *resp);
int sns_get_subscription_attributes(struct request *req,
				    struct response *resp);
int sns_set_subscription_attributes(struct request *req,
				    struct response *resp);
/* Remove every subscription of topic_arn and cancel their queued
 * deliveries (inside the caller's transaction).  0 or -1. */
int sns_subs_delete_for_topic(struct sns *sns, const char *topic_arn);

/* ---- sns_publish.c ---- */
int sns_publish(struct request *req, struct response *resp);
int sns_publish_batch(struct request *req, struct response *resp);
/* The bus hook (service.h: struct bus.sns_publish). */
int sns_bus_publish(void *state, const char *topic_arn, const char *subject,
		    const char *message, char message_id[37], char *errbuf,
		    size_t errlen);

/* ---- sns_sign.c ---- */
/* Load the key and certificate from <data>/sns/, or make them.  NULL
 * with errbuf on failure.  Free with sns_signer_free. */
struct sns_signer *sns_signer_open(const char *data_dir, char *errbuf,
				   size_t errlen);
void sns_signer_free(struct sns_signer *s);
/* The certificate as PEM (owned by the signer), and its file name
 * "SimpleNotificationService-<sha1 hex>.pem". */
const char *sns_signer_cert_pem(struct sns_signer *s);
const char *sns_signer_cert_name(struct sns_signer *s);
/* Sign the JSON message doc (Type, MessageId, ... set) the way AWS does
 * for version "1" (SHA1withRSA) or "2" (SHA256withRSA): the base64
 * signature into out; 0 or -1. */
#define SNS_SIGNATURE_MAX 1400
int sns_sign_message(struct sns_signer *s, const struct cJSON *doc,
		     const char *version, char out[SNS_SIGNATURE_MAX]);
/* The string AWS signs for doc (heap, caller frees), or NULL. */
char *sns_string_to_sign(const struct cJSON *doc);
/* Answer GET /?Action=GetSigningCertificate (emulator extension). */
int sns_get_signing_certificate(struct request *req, struct response *resp);

/* ---- sns_message.c ---- */
/* One published message, as the message builders see it. */
struct sns_message {
	char message_id[37];
	const char *topic_arn;
	const char *subject;        /* NULL: none */
	const char *message;        /* as published */
	struct cJSON *structured;   /* MessageStructure=json object, or NULL */
	struct cJSON *attrs;        /* {"name":{"Type","Value"}}, or NULL */
	char timestamp[40];         /* ISO 8601 with ms */
	const char *base_url;       /* http://<emulator> */
	const char *sigver;         /* "1" or "2" */
	/* The last signature made, and the text it signed: subscriptions
	 * that get the same text share it (one RSA operation per message
	 * rather than per subscription). */
	const char *signed_text;
	char signature[SNS_SIGNATURE_MAX];
};
/* The text protocol gets: with MessageStructure=json its own key, else
 * "default"; otherwise the message. */
const char *sns_msg_text(const struct sns_message *m, const char *protocol);
/* Signed SubscriptionConfirmation or UnsubscribeConfirmation body for
 * topic_arn (heap, caller frees); its new id into message_id.  NULL on
 * failure. */
char *sns_msg_confirmation(struct sns *sns, const char *type,
			   const char *topic_arn, const char *token,
			   const char *base_url, const char *sigver,
			   char message_id[37]);
/* The signed Notification JSON an http(s) subscription sub_arn gets
 * (heap, caller frees), or NULL. */
char *sns_msg_notification(struct sns *sns, struct sns_message *m,
			   const char *protocol, const char *sub_arn);
/* The Lambda event ({"Records":[{"EventSource":"aws:sns",...,"Sns":
 * {...}}]}) for sub_arn (heap, caller frees), or NULL. */
char *sns_msg_lambda_event(struct sns *sns, struct sns_message *m,
			   const char *sub_arn);

/* ---- sns_deliver.c ---- */
int sns_deliver_start(struct sns *sns);
void sns_deliver_stop(struct sns *sns);
/* Queue one delivery row (inside the caller's transaction). 0 or -1. */
struct sns_outbox_row {
	const char *sub_arn;
	const char *topic_arn;
	const char *protocol;
	const char *endpoint;
	const char *msg_type;   /* Notification, SubscriptionConfirmation */
	const char *message_id;
	const char *body;       /* exactly what is POSTed / handed over */
	int raw;                /* RawMessageDelivery */
	const char *policy;     /* effective DeliveryPolicy JSON, or NULL */
	const char *dlq;        /* RedrivePolicy deadLetterTargetArn or NULL */
};
int sns_outbox_add(struct sns *sns, const struct sns_outbox_row *row);
/* Delay in ms before retry number `retry` (1-based) under the
 * healthyRetryPolicy object policy_json (NULL: AWS's HTTP default), or
 * -1 when the policy allows no more retries. */
long sns_retry_delay_ms(const char *policy_json, int retry, int fast);
/* Is json a valid DeliveryPolicy: topic level {"http":{
 * "defaultHealthyRetryPolicy":{...}}} or subscription level
 * {"healthyRetryPolicy":{...}}?  0 or -1. */
int sns_delivery_policy_check(const char *json, int topic_level);
/* The healthyRetryPolicy that applies to a subscription (its own
 * DeliveryPolicy, else the topic's, else AWS's default), as JSON text
 * (heap, caller frees). */
char *sns_effective_retry_policy(const struct cJSON *topic_attrs,
				 const struct cJSON *sub_attrs);
/* Delivery rows as JSON for /_emulator/resources (caller deletes). */
struct cJSON *sns_outbox_resources(struct sns *sns);

#endif
