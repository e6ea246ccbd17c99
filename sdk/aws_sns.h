/*
 * aws_sns.h - SNS client: Publish with message attributes, and
 * CreateTopic (idempotent: it returns the ARN of an existing topic),
 * which is how a program learns a topic's ARN from its name.
 *
 * Query protocol (form-encoded POST, XML answers).  Calls return 0 or -1
 * with err filled (NotFound, InvalidParameter, AuthorizationError...).
 * One client per thread.
 */
#ifndef IMGPIPE_AWS_SNS_H
#define IMGPIPE_AWS_SNS_H

#include <stddef.h>

#include "aws_config.h"
#include "aws_error.h"
#include "aws_http.h"

#define AWS_SNS_ID_MAX 256

/* One message attribute.  type: "String", "Number", "String.Array" or "Binary". */
struct aws_sns_attr {
	const char *name;
	const char *type;
	const char *value;   /* text, or the raw bytes for Binary */
	size_t value_len;    /* Binary only (0: strlen(value)) */
};

struct aws_sns;

struct aws_sns *aws_sns_new(const struct aws_config *cfg, struct aws_error *err);
void aws_sns_free(struct aws_sns *sns);
/* The underlying HTTP client, to adjust timeouts (borrowed). */
struct aws_client *aws_sns_http(struct aws_sns *sns);

/*
 * Publish message to topic_arn.  subject may be NULL; attrs/count the
 * message attributes (filter policies match them).  message_id (may be
 * NULL) receives the MessageId (AWS_SNS_ID_MAX bytes).
 */
int aws_sns_publish(struct aws_sns *sns, const char *topic_arn, const char *message,
		    const char *subject, const struct aws_sns_attr *attrs, size_t count,
		    char *message_id, struct aws_error *err);
/* CreateTopic name; *arn receives the topic ARN (caller frees). */
int aws_sns_create_topic(struct aws_sns *sns, const char *name, char **arn,
			 struct aws_error *err);

#endif
