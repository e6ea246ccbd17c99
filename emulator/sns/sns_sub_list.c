/*
 * sns_sub_list.c - ListSubscriptions and ListSubscriptionsByTopic: pages
 * of 100 in ARN order, NextToken the last ARN of a page; a pending
 * subscription is listed with SubscriptionArn "PendingConfirmation", as
 * AWS lists it.
 */
#include "config.h"
#include "protocol.h"
#include "sns.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define SNS_LIST_PAGE 100

/* ListSubscriptions and ListSubscriptionsByTopic (topic != NULL). */
static int list_subs(struct request *req, struct response *resp,
		     const char *action, const char *topic)
{
	struct sns *sns = req->service_state;
	const char *token = req_query(req, "NextToken");
	sqlite3_stmt *st = store_prepare(
		sns->db,
		"SELECT arn, topic_arn, protocol, endpoint, confirmed FROM subs"
		" WHERE arn > ?1 AND (?2 IS NULL OR topic_arn = ?2) ORDER BY "
		"arn LIMIT ?3");
	if (!st)
		return sns_internal_error(req);
	sqlite3_bind_text(st, 1, token ? token : "", -1, SQLITE_STATIC);
	if (topic)
		sqlite3_bind_text(st, 2, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, SNS_LIST_PAGE + 1);
	struct buf b;
	buf_init(&b, 1 << 22);
	query_begin(&b, req->service, action);
	buf_puts(&b, "\n    <Subscriptions>");
	int n = 0;
	char last[1024] = "";
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *arn = (const char *)sqlite3_column_text(st, 0);
		if (++n > SNS_LIST_PAGE)
			break;
		buf_puts(&b, "\n      <member>");
		query_element(&b, "TopicArn",
			      (const char *)sqlite3_column_text(st, 1));
		query_element(&b, "Protocol",
			      (const char *)sqlite3_column_text(st, 2));
		query_element(&b, "SubscriptionArn",
			      sqlite3_column_int(st, 4) ? arn
							: "PendingConfirmation");
		query_element(&b, "Owner", req->emu->config->account_id);
		query_element(&b, "Endpoint",
			      (const char *)sqlite3_column_text(st, 3));
		buf_puts(&b, "</member>");
		snprintf(last, sizeof(last), "%s", arn);
	}
	sqlite3_reset(st);
	buf_puts(&b, "\n    </Subscriptions>");
	if (n > SNS_LIST_PAGE) {
		buf_puts(&b, "\n    ");
		query_element(&b, "NextToken", last);
	}
	buf_puts(&b, "\n  ");
	query_end(&b, req, action);
	query_send(resp, &b);
	return 0;
}

int sns_list_subscriptions(struct request *req, struct response *resp)
{
	return list_subs(req, resp, "ListSubscriptions", NULL);
}

int sns_list_subscriptions_by_topic(struct request *req,
				    struct response *resp)
{
	struct sns *sns = req->service_state;
	const char *topic = sns_require(req, "TopicArn");
	if (!topic)
		return -1;
	if (!sns_arn_is_topic(topic))
		return req_error(req, 400, "InvalidParameter",
				 "Invalid parameter: TopicArn");
	cJSON *t = sns_topic_load(sns, topic);
	if (!t)
		return req_error(req, 404, "NotFound", "Topic does not exist");
	cJSON_Delete(t);
	return list_subs(req, resp, "ListSubscriptionsByTopic", topic);
}
