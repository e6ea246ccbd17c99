/* placeholder: replaced by the SNS implementation */
#include "services.h"
const struct service sns_service = {
	.name = "sns", .signing_name = "sns", .query_version = "2010-03-31",
	.protocol = PROTO_QUERY,
	.error_namespace = "http://sns.amazonaws.com/doc/2010-03-31/",
	.ops = NULL, .n_ops = 0,
};
