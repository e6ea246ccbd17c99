/*
 * sns_sub.c - subscriptions: Subscribe, ConfirmSubscription, Unsubscribe,
 * ListSubscriptions(ByTopic), Get/SetSubscriptionAttributes.
 *
 * As on AWS, http/https/email/email-json subscriptions start pending: an
 * http(s) endpoint is sent a signed SubscriptionConfirmation (queued in
 * the outbox, retried like any delivery) whose SubscribeURL - a GET to
 * this emulator with Action=ConfirmSubscription - confirms it, as does a
 * ConfirmSubscription call with the token.  sqs, lambda, firehose,
 * application and sms subscriptions of the same account are confirmed at
 * once.  Subscribe is idempotent for the same topic, protocol and
 * endpoint.  ConfirmSubscription and Unsubscribe are served unsigned
 * (AWS does the same, so the URLs in the messages work from anywhere); a
 * request that does carry a signature is still verified.
 */
#include "auth.h"
#include "config.h"
#include "ids.h"
#include "protocol.h"
#include "sns.h"
#include "sns_filter.h"
#include "timefmt.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNS_TOKEN_LEN 256

static const char *const sub_attr_names[] = {
	"DeliveryPolicy", "FilterPolicy", "FilterPolicyScope",
	"RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn",
	"ReplayPolicy",
};

static int sub_attr_known(const char *name)
{
	for (size_t i = 0; i < sizeof(sub_attr_names) / sizeof(*sub_attr_names);
	     i++)
		if (strcmp(sub_attr_names[i], name) == 0)
			return 1;
	return 0;
}

/* Protocols a subscription may use; `confirm`: needs a confirmation. */
static const struct {
	const char *name;
	int confirm;
} protocols[] = {
	{"http", 1}, {"https", 1}, {"email", 1}, {"email-json", 1},
	{"sqs", 0}, {"lambda", 0}, {"firehose", 0}, {"application", 0},
	{"sms", 0},
};

static int protocol_index(const char *name)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(*protocols); i++)
		if (strcmp(protocols[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Check the endpoint for protocol; 0 or -1 (InvalidParameter). */
static int check_endpoint(struct request *req, const char *protocol,
			  const char *endpoint)
{
	const char *why = NULL;
	if (strcmp(protocol, "http") == 0) {
		if (strncmp(endpoint, "http://", 7) != 0 || !endpoint[7])
			why = "Invalid parameter: Endpoint must match the "
			      "specified protocol";
	} else if (strcmp(protocol, "https") == 0) {
		if (strncmp(endpoint, "https://", 8) != 0 || !endpoint[8])
			why = "Invalid parameter: Endpoint must match the "
			      "specified protocol";
	} else if (strcmp(protocol, "lambda") == 0) {
		if (strncmp(endpoint, "arn:aws:lambda:", 15) != 0)
			why = "Invalid parameter: Lambda endpoint ARN";
	} else if (strcmp(protocol, "sqs") == 0) {
		if (strncmp(endpoint, "arn:aws:sqs:", 12) != 0)
			why = "Invalid parameter: SQS endpoint ARN";
	} else if (strcmp(protocol, "firehose") == 0) {
		if (strncmp(endpoint, "arn:aws:firehose:", 17) != 0)
			why = "Invalid parameter: Firehose endpoint ARN";
	} else if (strncmp(protocol, "email", 5) == 0) {
		if (!strchr(endpoint, '@'))
			why = "Invalid parameter: Email address";
	}
	return why ? req_error(req, 400, "InvalidParameter", "%s", why) : 0;
}

/*
 * Check one subscription attribute for a subscription of protocol.
 * Returns 0, or -1 with AWS's InvalidParameter recorded.
 */
static int check_sub_attr(struct request *req, const char *protocol,
			  const char *name, const char *value)
{
	char err[256];
	if (strcmp(name, "RawMessageDelivery") == 0) {
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: RawMessageDelivery");
		if (strcmp(value, "true") == 0 &&
		    strcmp(protocol, "http") != 0 &&
		    strcmp(protocol, "https") != 0 &&
		    strcmp(protocol, "sqs") != 0 &&
		    strcmp(protocol, "firehose") != 0)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: Attributes "
					 "Reason: Delivery protocol [%s] does "
					 "not support raw message delivery.",
					 protocol);
	} else if (strcmp(name, "FilterPolicy") == 0) {
		if (*value && sns_filter_check(value, err, sizeof(err)))
			return req_error(req, 400, "InvalidParameter", "%s",
					 err);
	} else if (strcmp(name, "FilterPolicyScope") == 0) {
		if (strcmp(value, "MessageAttributes") != 0 &&
		    strcmp(value, "MessageBody") != 0)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: Attributes "
					 "Reason: FilterPolicyScope: Invalid "
					 "value [%s]. Please use either "
					 "MessageBody or MessageAttributes",
					 value);
	} else if (strcmp(name, "DeliveryPolicy") == 0) {
		if (*value && sns_delivery_policy_check(value, 0))
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: DeliveryPolicy: "
					 "healthyRetryPolicy is invalid");
	} else if (strcmp(name, "RedrivePolicy") == 0 && *value) {
		cJSON *j = cJSON_Parse(value);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(
			j, "deadLetterTargetArn");
		int ok = cJSON_IsString(t) &&
			 strncmp(t->valuestring, "arn:aws:sqs:", 12) == 0;
		int parsed = cJSON_IsObject(j);
		cJSON_Delete(j);
		if (!parsed)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: RedrivePolicy: "
					 "failed to parse JSON");
		if (!ok)
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: RedrivePolicy: "
					 "deadLetterTargetArn is invalid");
	}
	return 0;
}

/* A subscription row, loaded; strings are arena copies. */
struct sub_row {
	const char *arn, *topic_arn, *protocol, *endpoint, *token, *base_url;
	cJSON *attrs; /* deferred to the arena */
	int confirmed, authenticated;
};

static const char sub_columns[] =
	"arn, topic_arn, protocol, endpoint, attrs, confirmed, token, "
	"base_url, authenticated";

static void read_row(struct request *req, sqlite3_stmt *st,
		     struct sub_row *r)
{
	const char *v;
	r->arn = arena_strdup(req->arena, (const char *)sqlite3_column_text(st, 0));
	r->topic_arn = arena_strdup(req->arena,
				    (const char *)sqlite3_column_text(st, 1));
	r->protocol = arena_strdup(req->arena,
				   (const char *)sqlite3_column_text(st, 2));
	r->endpoint = arena_strdup(req->arena,
				   (const char *)sqlite3_column_text(st, 3));
	r->attrs = cJSON_Parse((const char *)sqlite3_column_text(st, 4));
	if (!r->attrs)
		r->attrs = cJSON_CreateObject();
	sns_defer_json(req, r->attrs);
	r->confirmed = sqlite3_column_int(st, 5);
	v = (const char *)sqlite3_column_text(st, 6);
	r->token = v ? arena_strdup(req->arena, v) : NULL;
	r->base_url = arena_strdup(req->arena,
				   (const char *)sqlite3_column_text(st, 7));
	r->authenticated = sqlite3_column_int(st, 8);
}

/* Load a subscription by ARN; 1 found, 0 not, -1 database error. */
static int load_sub(struct request *req, const char *arn, struct sub_row *r)
{
	struct sns *sns = req->service_state;
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT %s FROM subs WHERE arn = ?1",
		 sub_columns);
	sqlite3_stmt *st = store_prepare(sns->db, sql);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(req, st, r);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int save_attrs(struct sns *sns, const char *arn, const cJSON *attrs)
{
	char *text = cJSON_PrintUnformatted(attrs);
	sqlite3_stmt *st = store_prepare(
		sns->db, "UPDATE subs SET attrs = ?2 WHERE arn = ?1");
	int rc = -1;
	if (st) {
		sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	free(text);
	return rc;
}

/* Queue the SubscriptionConfirmation for an http(s) subscription. */
static int queue_confirmation(struct request *req, const struct sub_row *r,
			      const cJSON *topic_attrs)
{
	struct sns *sns = req->service_state;
	char message_id[37];
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(topic_attrs,
							   "SignatureVersion");
	char *body = sns_msg_confirmation(
		sns, "SubscriptionConfirmation", r->topic_arn, r->token,
		r->base_url, cJSON_IsString(sv) ? sv->valuestring : "1",
		message_id);
	if (!body)
		return -1;
	char *policy = sns_effective_retry_policy(topic_attrs, r->attrs);
	struct sns_outbox_row row = {
		.sub_arn = r->arn,
		.topic_arn = r->topic_arn,
		.protocol = r->protocol,
		.endpoint = r->endpoint,
		.msg_type = "SubscriptionConfirmation",
		.message_id = message_id,
		.body = body,
		.raw = 0,
		.policy = policy,
		.dlq = NULL,
	};
	int rc = sns_outbox_add(sns, &row);
	free(policy);
	free(body);
	return rc;
}

/* Find an existing subscription of topic for protocol+endpoint. */
static int find_existing(struct request *req, const char *topic,
			 const char *protocol, const char *endpoint,
			 struct sub_row *r)
{
	struct sns *sns = req->service_state;
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM subs WHERE topic_arn = ?1 AND protocol = ?2 "
		 "AND endpoint = ?3", sub_columns);
	sqlite3_stmt *st = store_prepare(sns->db, sql);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, protocol, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, endpoint, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(req, st, r);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int insert_sub(struct sns *sns, const struct sub_row *r)
{
	char *text = cJSON_PrintUnformatted(r->attrs);
	sqlite3_stmt *st = store_prepare(
		sns->db,
		"INSERT INTO subs(arn, topic_arn, protocol, endpoint, attrs, "
		"confirmed, token, base_url, authenticated, created_ms) "
		"VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)");
	int rc = -1;
	if (st) {
		sqlite3_bind_text(st, 1, r->arn, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->topic_arn, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->protocol, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->endpoint, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, r->confirmed);
		sqlite3_bind_text(st, 7, r->token, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, r->base_url, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, time_now_ms());
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	free(text);
	return rc;
}

int sns_subscribe(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *topic = sns_require(req, "TopicArn");
	const char *protocol = topic ? sns_require(req, "Protocol") : NULL;
	if (!protocol)
		return -1;
	const char *endpoint = req_query(req, "Endpoint");
	const char *ret = req_query(req, "ReturnSubscriptionArn");
	int return_arn = ret && strcmp(ret, "true") == 0;
	if (!sns_arn_is_topic(topic))
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: TopicArn");
	int p = protocol_index(protocol);
	if (p < 0)
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: Amazon SNS does not "
				 "support this protocol string: %s", protocol);
	if (!endpoint || !*endpoint)
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: Endpoint");
	if (check_endpoint(req, protocol, endpoint))
		return -1;
	struct sns_pair *attrs;
	int n_attrs = sns_query_map(req, "Attributes", &attrs);
	if (n_attrs < 0)
		return -1;
	cJSON *obj = cJSON_CreateObject();
	sns_defer_json(req, obj);
	for (int i = 0; i < n_attrs; i++) {
		if (!sub_attr_known(attrs[i].key))
			return req_error(req, 400, "InvalidParameter",
					 "Invalid parameter: Attributes "
					 "Reason: Unknown attribute %s",
					 attrs[i].key);
		if (check_sub_attr(req, protocol, attrs[i].key,
				   attrs[i].value))
			return -1;
		cJSON_DeleteItemFromObjectCaseSensitive(obj, attrs[i].key);
		if (*attrs[i].value)
			cJSON_AddStringToObject(obj, attrs[i].key,
						attrs[i].value);
	}

	if (store_begin(sns->db))
		return sns_internal_error(req);
	cJSON *topic_attrs = sns_topic_load(sns, topic);
	if (!topic_attrs) {
		store_rollback(sns->db);
		return req_error(req, 404, "NotFound", "Topic does not exist");
	}
	sns_defer_json(req, topic_attrs);
	const cJSON *fifo = cJSON_GetObjectItemCaseSensitive(topic_attrs,
							     "FifoTopic");
	if (cJSON_IsString(fifo) && strcmp(fifo->valuestring, "true") == 0 &&
	    strcmp(protocol, "sqs") != 0) {
		store_rollback(sns->db);
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: Endpoint Reason: FIFO SNS "
				 "Topics currently only support FIFO SQS Queues "
				 "as endpoints");
	}
	struct sub_row r;
	int found = find_existing(req, topic, protocol, endpoint, &r);
	if (found < 0) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	if (found) {
		store_rollback(sns->db);
		for (const cJSON *a = obj->child; a; a = a->next) {
			const cJSON *have = cJSON_GetObjectItemCaseSensitive(
				r.attrs, a->string);
			if (!cJSON_IsString(have) ||
			    strcmp(have->valuestring, a->valuestring) != 0)
				return req_error(
					req, 400, "InvalidParameter",
					"Invalid parameter: Attributes Reason:"
					" Subscription already exists with "
					"different attributes");
		}
		query_answer_one(req, resp, "Subscribe", "SubscriptionArn",
			       r.confirmed || return_arn
				       ? r.arn
				       : "pending confirmation");
		return 0;
	}
	char uuid[37];
	ids_uuid4(uuid);
	char token[SNS_TOKEN_LEN + 1];
	ids_hex(token, SNS_TOKEN_LEN);
	r.arn = arena_printf(req->arena, "%s:%s", topic, uuid);
	r.topic_arn = topic;
	r.protocol = protocol;
	r.endpoint = endpoint;
	r.attrs = obj;
	r.confirmed = !protocols[p].confirm;
	r.authenticated = 0;
	r.token = r.confirmed ? NULL : token;
	r.base_url = sns_base_url(req);
	int rc = insert_sub(sns, &r);
	if (rc == 0 && !r.confirmed && strncmp(protocol, "http", 4) == 0)
		rc = queue_confirmation(req, &r, topic_attrs);
	if (rc || store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	sns_wake(sns);
	query_answer_one(req, resp, "Subscribe", "SubscriptionArn",
		       r.confirmed || return_arn ? r.arn
						 : "pending confirmation");
	return 0;
}

/* Verify a signature when the request carries one (unsigned calls are
 * accepted for the operations that AWS serves unsigned).  Returns 1 if
 * signed and valid, 0 if unsigned, -1 with the error recorded. */
static int optional_auth(struct request *req)
{
	if (!req_header(req, "authorization") &&
	    !req_query(req, "X-Amz-Credential"))
		return 0;
	return auth_check_body(req) ? -1 : 1;
}

int sns_confirm_subscription(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	int authed = optional_auth(req);
	if (authed < 0)
		return -1;
	const char *topic = sns_require(req, "TopicArn");
	const char *token = topic ? sns_require(req, "Token") : NULL;
	if (!token)
		return -1;
	if (!sns_arn_is_topic(topic))
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: TopicArn");
	if (store_begin(sns->db))
		return sns_internal_error(req);
	cJSON *t = sns_topic_load(sns, topic);
	if (!t) {
		store_rollback(sns->db);
		return req_error(req, 404, "NotFound", "Topic does not exist");
	}
	cJSON_Delete(t);
	sqlite3_stmt *st = store_prepare(
		sns->db, "SELECT arn FROM subs WHERE topic_arn = ?1 AND "
			 "token = ?2");
	char *arn = NULL;
	if (st) {
		sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			arn = arena_strdup(req->arena,
					   (const char *)sqlite3_column_text(
						   st, 0));
		sqlite3_reset(st);
	}
	if (!arn) {
		store_rollback(sns->db);
		return req_error(req, 400, "InvalidParameter",
				 "Invalid token");
	}
	const char *aou = req_query(req, "AuthenticateOnUnsubscribe");
	st = store_prepare(sns->db,
			   "UPDATE subs SET confirmed = 1, authenticated = "
			   "max(authenticated, ?2) WHERE arn = ?1");
	int rc = -1;
	if (st) {
		sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, authed == 1 && aou &&
					       strcmp(aou, "true") == 0);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	if (rc || store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	query_answer_one(req, resp, "ConfirmSubscription",
			 "SubscriptionArn", arn);
	return 0;
}

/* Run each statement of sql (one ?1 parameter, bound to arg) in order;
 * 0, or -1 at the first that fails. */
static int run_each(struct sns *sns, const char *const *sql, size_t n,
		    const char *arg)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = store_prepare(sns->db, sql[i]);
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* Delete one subscription and cancel what is queued for it. */
static int delete_sub(struct sns *sns, const char *arn)
{
	static const char *const sql[] = {
		"UPDATE outbox SET state = 'cancelled' WHERE sub_arn = ?1 AND "
		"state = 'pending'",
		"DELETE FROM subs WHERE arn = ?1",
	};
	return run_each(sns, sql, 2, arn);
}

int sns_subs_delete_for_topic(struct sns *sns, const char *topic_arn)
{
	static const char *const sql[] = {
		"UPDATE outbox SET state = 'cancelled' WHERE topic_arn = ?1 "
		"AND state = 'pending'",
		"DELETE FROM subs WHERE topic_arn = ?1",
	};
	return run_each(sns, sql, 2, topic_arn);
}

int sns_unsubscribe(struct request *req, struct response *resp)
{
	struct sns *sns = req->service_state;
	int authed = optional_auth(req);
	if (authed < 0)
		return -1;
	const char *arn = sns_require(req, "SubscriptionArn");
	if (!arn)
		return -1;
	if (!sns_arn_is_subscription(arn))
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: SubscriptionArn");
	if (store_begin(sns->db))
		return sns_internal_error(req);
	struct sub_row r;
	int found = load_sub(req, arn, &r);
	if (found < 0) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	if (found && r.authenticated && authed != 1) {
		store_rollback(sns->db);
		return req_error(req, 403, "AuthorizationError",
				 "Authorization error: this subscription "
				 "requires an authenticated Unsubscribe");
	}
	if (found && delete_sub(sns, arn)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	if (store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	sns_answer_empty(req, resp, "Unsubscribe");
	return 0;
}

/* A subscription named by SubscriptionArn; -1 with the error recorded. */
static int sub_for(struct request *req, struct sub_row *r)
{
	const char *arn = sns_require(req, "SubscriptionArn");
	if (!arn)
		return -1;
	if (!sns_arn_is_subscription(arn))
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: SubscriptionArn");
	int found = load_sub(req, arn, r);
	if (found < 0)
		return sns_internal_error(req);
	if (!found)
		return req_error(req, 404, "NotFound",
				 "Subscription does not exist");
	return 0;
}

int sns_get_subscription_attributes(struct request *req,
				    struct response *resp)
{
	struct sns *sns = req->service_state;
	struct sub_row r;
	if (sub_for(req, &r))
		return -1;
	struct buf b;
	buf_init(&b, 1 << 22);
	query_begin(&b, req->service, "GetSubscriptionAttributes");
	buf_puts(&b, "\n    <Attributes>");
	sns_xml_entry(&b, "Owner", req->emu->config->account_id);
	sns_xml_entry(&b, "SubscriptionArn", r.arn);
	sns_xml_entry(&b, "TopicArn", r.topic_arn);
	sns_xml_entry(&b, "Protocol", r.protocol);
	sns_xml_entry(&b, "Endpoint", r.endpoint);
	sns_xml_entry(&b, "PendingConfirmation",
		      r.confirmed ? "false" : "true");
	sns_xml_entry(&b, "ConfirmationWasAuthenticated",
		      r.authenticated || !r.token ? "true" : "false");
	sns_xml_entry(&b, "SubscriptionPrincipal",
		      arena_printf(req->arena, "arn:aws:iam::%s:root",
				   req->emu->config->account_id));
	if (!cJSON_GetObjectItemCaseSensitive(r.attrs, "RawMessageDelivery"))
		sns_xml_entry(&b, "RawMessageDelivery", "false");
	if (cJSON_GetObjectItemCaseSensitive(r.attrs, "FilterPolicy") &&
	    !cJSON_GetObjectItemCaseSensitive(r.attrs, "FilterPolicyScope"))
		sns_xml_entry(&b, "FilterPolicyScope", "MessageAttributes");
	if (strncmp(r.protocol, "http", 4) == 0) {
		cJSON *t = sns_topic_load(sns, r.topic_arn);
		char *pol = sns_effective_retry_policy(t, r.attrs);
		char *eff = arena_printf(
			req->arena,
			"{\"healthyRetryPolicy\":%s,\"sicklyRetryPolicy\":null,"
			"\"throttlePolicy\":null,\"requestPolicy\":{"
			"\"headerContentType\":\"text/plain; charset=UTF-8\"},"
			"\"guaranteed\":false}", pol);
		free(pol);
		cJSON_Delete(t);
		sns_xml_entry(&b, "EffectiveDeliveryPolicy", eff);
	}
	for (const cJSON *a = r.attrs->child; a; a = a->next)
		if (cJSON_IsString(a))
			sns_xml_entry(&b, a->string, a->valuestring);
	buf_puts(&b, "\n    </Attributes>\n  ");
	query_end(&b, req, "GetSubscriptionAttributes");
	query_send(resp, &b);
	return 0;
}

int sns_set_subscription_attributes(struct request *req,
				    struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *name = sns_require(req, "AttributeName");
	if (!name)
		return -1;
	const char *value = req_query(req, "AttributeValue");
	if (!value)
		value = "";
	struct sub_row r;
	if (sub_for(req, &r))
		return -1;
	if (!sub_attr_known(name))
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: AttributeName");
	if (check_sub_attr(req, r.protocol, name, value))
		return -1;
	if (store_begin(sns->db))
		return sns_internal_error(req);
	struct sub_row cur;
	int found = load_sub(req, r.arn, &cur);
	if (found <= 0) {
		store_rollback(sns->db);
		return found < 0 ? sns_internal_error(req)
				 : req_error(req, 404, "NotFound",
					     "Subscription does not exist");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(cur.attrs, name);
	if (*value)
		cJSON_AddStringToObject(cur.attrs, name, value);
	if (save_attrs(sns, r.arn, cur.attrs) || store_commit(sns->db)) {
		store_rollback(sns->db);
		return sns_internal_error(req);
	}
	sns_answer_empty(req, resp, "SetSubscriptionAttributes");
	return 0;
}
