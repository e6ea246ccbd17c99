/*
 * sns_message.c - the documents SNS sends: the HTTP/S Notification, the
 * SubscriptionConfirmation / UnsubscribeConfirmation, and the Lambda
 * event, field for field in AWS's order and spelling:
 *
 *   Notification: Type, MessageId, TopicArn, Subject (if any), Message,
 *     Timestamp, SignatureVersion, Signature, SigningCertURL,
 *     UnsubscribeURL, MessageAttributes (if any)
 *   SubscriptionConfirmation: Type, MessageId, Token, TopicArn, Message,
 *     SubscribeURL, Timestamp, SignatureVersion, Signature,
 *     SigningCertURL
 *   Lambda: {"Records":[{"EventSource":"aws:sns","EventVersion":"1.0",
 *     "EventSubscriptionArn", "Sns":{... SigningCertUrl, UnsubscribeUrl
 *     (Lambda's spelling), Subject null when absent, MessageAttributes
 *     always}}]}
 *
 * Every builder returns heap JSON text the caller frees.
 */
#include "ids.h"
#include "sns.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sns_msg_text(const struct sns_message *m, const char *protocol)
{
	if (!m->structured)
		return m->message;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->structured,
							  protocol);
	if (!cJSON_IsString(v))
		v = cJSON_GetObjectItemCaseSensitive(m->structured, "default");
	return cJSON_IsString(v) ? v->valuestring : "";
}

static char *cert_url(struct sns *sns, const char *base_url)
{
	return xasprintf("%s/?Action=GetSigningCertificate&Version=2010-03-31"
			 "&Certificate=%s", base_url,
			 sns_signer_cert_name(sns->signer));
}

/* Print doc and free it; NULL if printing fails. */
static char *finish(cJSON *doc)
{
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return text;
}

char *sns_msg_confirmation(struct sns *sns, const char *type,
			   const char *topic_arn, const char *token,
			   const char *base_url, const char *sigver,
			   char message_id[37])
{
	char ts[TIMEFMT_MAX], sig[SNS_SIGNATURE_MAX];
	int subscribe = strcmp(type, "SubscriptionConfirmation") == 0;
	char *text = xasprintf(
		subscribe ? "You have chosen to subscribe to the topic %s.\n"
			    "To confirm the subscription, visit the "
			    "SubscribeURL included in this message."
			  : "You have chosen to deactivate subscription %s.\n"
			    "To cancel this operation and restore the "
			    "subscription, visit the SubscribeURL included "
			    "in this message.",
		topic_arn);
	char *url = xasprintf("%s/?Action=ConfirmSubscription&TopicArn=%s"
			      "&Token=%s", base_url, topic_arn, token);
	char *cert = cert_url(sns, base_url);
	ids_uuid4(message_id);
	time_iso8601_ms(time_now_ms(), ts);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "Type", type);
	cJSON_AddStringToObject(doc, "MessageId", message_id);
	cJSON_AddStringToObject(doc, "Token", token);
	cJSON_AddStringToObject(doc, "TopicArn", topic_arn);
	cJSON_AddStringToObject(doc, "Message", text);
	cJSON_AddStringToObject(doc, "SubscribeURL", url);
	cJSON_AddStringToObject(doc, "Timestamp", ts);
	cJSON_AddStringToObject(doc, "SignatureVersion", sigver);
	char *out = NULL;
	if (sns_sign_message(sns->signer, doc, sigver, sig) == 0) {
		cJSON_AddStringToObject(doc, "Signature", sig);
		cJSON_AddStringToObject(doc, "SigningCertURL", cert);
		out = finish(doc);
	} else {
		cJSON_Delete(doc);
	}
	free(text);
	free(url);
	free(cert);
	return out;
}

/* Fill the fields Notification and the Lambda Sns record share, up to
 * and including Signature; lambda: Lambda's spelling.  0 or -1. */
static int notification_fields(struct sns *sns, struct sns_message *m,
			       const char *protocol, const char *sub_arn,
			       cJSON *doc, int lambda)
{
	const char *text = sns_msg_text(m, protocol);
	cJSON_AddStringToObject(doc, "Type", "Notification");
	cJSON_AddStringToObject(doc, "MessageId", m->message_id);
	cJSON_AddStringToObject(doc, "TopicArn", m->topic_arn);
	if (m->subject)
		cJSON_AddStringToObject(doc, "Subject", m->subject);
	else if (lambda)
		cJSON_AddNullToObject(doc, "Subject");
	cJSON_AddStringToObject(doc, "Message", text);
	cJSON_AddStringToObject(doc, "Timestamp", m->timestamp);
	cJSON_AddStringToObject(doc, "SignatureVersion", m->sigver);
	/* The signed fields depend on the message text only: sign each
	 * distinct text once. */
	if (m->signed_text != text) {
		m->signed_text = NULL;
		if (sns_sign_message(sns->signer, doc, m->sigver,
				     m->signature))
			return -1;
		m->signed_text = text;
	}
	cJSON_AddStringToObject(doc, "Signature", m->signature);
	char *cert = cert_url(sns, m->base_url);
	char *unsub = xasprintf("%s/?Action=Unsubscribe&SubscriptionArn=%s",
				m->base_url, sub_arn);
	cJSON_AddStringToObject(doc, lambda ? "SigningCertUrl"
					    : "SigningCertURL", cert);
	cJSON_AddStringToObject(doc, lambda ? "UnsubscribeUrl"
					    : "UnsubscribeURL", unsub);
	free(cert);
	free(unsub);
	if (m->attrs && m->attrs->child)
		cJSON_AddItemToObject(doc, "MessageAttributes",
				      cJSON_Duplicate(m->attrs, 1));
	else if (lambda)
		cJSON_AddObjectToObject(doc, "MessageAttributes");
	return 0;
}

char *sns_msg_notification(struct sns *sns, struct sns_message *m,
			   const char *protocol, const char *sub_arn)
{
	cJSON *doc = cJSON_CreateObject();
	if (notification_fields(sns, m, protocol, sub_arn, doc, 0)) {
		cJSON_Delete(doc);
		return NULL;
	}
	return finish(doc);
}

char *sns_msg_lambda_event(struct sns *sns, struct sns_message *m,
			   const char *sub_arn)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *records = cJSON_AddArrayToObject(doc, "Records");
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddItemToArray(records, rec);
	cJSON_AddStringToObject(rec, "EventSource", "aws:sns");
	cJSON_AddStringToObject(rec, "EventVersion", "1.0");
	cJSON_AddStringToObject(rec, "EventSubscriptionArn", sub_arn);
	cJSON *s = cJSON_AddObjectToObject(rec, "Sns");
	if (notification_fields(sns, m, "lambda", sub_arn, s, 1)) {
		cJSON_Delete(doc);
		return NULL;
	}
	return finish(doc);
}
