/* placeholder: replaced by the Lambda implementation */
#include "services.h"
static const char *const lambda_paths[] = {"/2015-03-31/functions", NULL};
const struct service lambda_service = {
	.name = "lambda", .signing_name = "lambda",
	.path_prefixes = lambda_paths, .protocol = PROTO_REST_JSON,
	.ops = NULL, .n_ops = 0,
};
