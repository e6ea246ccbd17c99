/*
 * sns_filter.h - SNS subscription filter policies: validation at
 * Subscribe / SetSubscriptionAttributes, evaluation at Publish.
 *
 * A policy is a JSON object whose keys name message attributes (scope
 * MessageAttributes) or, nested, properties of a JSON message body (scope
 * MessageBody); each leaf is an array of conditions, any of which may
 * match: exact strings and numbers, null (body scope), {"prefix"},
 * {"suffix"}, {"anything-but"}, {"numeric": [op, n, ...]},
 * {"exists": bool}, {"equals-ignore-case"}, and "$or": [policy, ...].
 * Every key must match (AND).  Pure functions: no state, no I/O.
 */
#ifndef IMGPIPE_SNS_FILTER_H
#define IMGPIPE_SNS_FILTER_H

#include <stddef.h>

struct cJSON;

/* Check policy (JSON text) as AWS would; 0, or -1 with AWS's reason in
 * err ("Invalid parameter: FilterPolicy: ..."). */
int sns_filter_check(const char *policy, char *err, size_t errlen);

/*
 * Does a message match policy?  body_scope: evaluate against the JSON
 * message body (a body that is not JSON matches nothing), else against
 * attrs, the message attributes as {"name": {"Type": "String|Number|
 * String.Array|Binary", "Value": "..."}}.  Returns 1 or 0; a policy that
 * does not parse matches nothing.
 */
int sns_filter_match(const char *policy, int body_scope,
		     const struct cJSON *attrs, const char *body);

#endif
