/* placeholder: replaced by the DynamoDB implementation */
#include "services.h"
const struct service dynamodb_service = {
	.name = "dynamodb", .signing_name = "dynamodb",
	.target_prefix = "DynamoDB_20120810.", .protocol = PROTO_JSON,
	.flags = SVC_JSON_CRC32,
	.error_namespace = "com.amazonaws.dynamodb.v20120810#",
	.json_content_type = "application/x-amz-json-1.0",
	.ops = NULL, .n_ops = 0,
};
