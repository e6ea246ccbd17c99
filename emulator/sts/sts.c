/*
 * sts.c - AWS STS, the part every SDK and Terraform reach for first:
 * GetCallerIdentity, answering for the emulator's one account.
 *
 * Query protocol (Action=...&Version=2011-06-15), XML answers in STS's
 * namespace.  Only GetCallerIdentity is implemented; any other Action
 * gets STS's InvalidAction error.
 */
#include "config.h"
#include "protocol.h"
#include "services.h"

#include <stdio.h>

static int sts_get_caller_identity(struct request *req, struct response *resp)
{
	const struct config *cfg = req->emu->config;
	char arn[128];
	struct buf b;
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:root", cfg->account_id);
	buf_init(&b, 4096);
	query_begin(&b, &sts_service, "GetCallerIdentity");
	buf_puts(&b, "\n    ");
	query_element(&b, "Arn", arn);
	buf_puts(&b, "\n    ");
	query_element(&b, "UserId", cfg->account_id);
	buf_puts(&b, "\n    ");
	query_element(&b, "Account", cfg->account_id);
	buf_puts(&b, "\n  ");
	query_end(&b, req, "GetCallerIdentity");
	query_send(resp, &b);
	return 0;
}

static const struct service_op sts_ops[] = {
	{"GetCallerIdentity", NULL, NULL, sts_get_caller_identity, NULL, 0, 0},
};

const struct service sts_service = {
	.name = "sts",
	.signing_name = "sts",
	.target_prefix = NULL,
	.query_version = "2011-06-15",
	.path_prefixes = NULL,
	.protocol = PROTO_QUERY,
	.flags = 0,
	.error_namespace = "https://sts.amazonaws.com/doc/2011-06-15/",
	.json_content_type = NULL,
	.max_body = 64 * 1024,
	.ops = sts_ops,
	.n_ops = sizeof(sts_ops) / sizeof(sts_ops[0]),
};
