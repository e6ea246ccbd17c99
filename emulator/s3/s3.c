/* placeholder: replaced by the S3 implementation */
#include "services.h"
const struct service s3_service = {
	.name = "s3", .signing_name = "s3", .protocol = PROTO_REST_XML,
	.flags = SVC_FALLBACK, .ops = NULL, .n_ops = 0,
};
