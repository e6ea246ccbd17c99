/*
 * lambda_extra.c - the smaller per-function settings Terraform and the
 * SDKs read and write:
 *
 *   AddPermission / GetPolicy / RemovePermission   the resource policy
 *   Put/Update/Get/DeleteFunctionEventInvokeConfig  async retry settings
 *                                                   and destinations
 *   Put/Get/DeleteFunctionConcurrency               reserved concurrency
 *                                                   (the pool's cap)
 *   GetFunctionCodeSigningConfig                    always none
 *   ListTags / TagResource / UntagResource
 *   GetAccountSettings
 *
 * Settings are per function: a Qualifier is checked to exist but the
 * setting is the function's.  The policy is kept as Lambda returns it (a
 * JSON document, in a string).  It is enforced only where AWS checks it
 * up front, with --auth sigv4: S3 notification destinations
 * (lambda_policy.c, bus.lambda_allows).
 */
#include "config.h"
#include "lambda.h"
#include "protocol.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Name (and qualifier) of req's function, checked to exist. */
static int existing(struct request *req, const char **name,
		    const char **qualifier)
{
	if (lambda_req_function(req, name, qualifier))
		return -1;
	cJSON *cfg = lambda_db_config(lambda_state_of(req), *name, *qualifier,
				      NULL, NULL);
	if (!cfg)
		return lambda_not_found(req, *name, *qualifier);
	cJSON_Delete(cfg);
	return 0;
}

static const char *str_field(const cJSON *body, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, field);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int missing(struct request *req, const char *member)
{
	return req_error(req, 400, "ValidationException",
			 "1 validation error detected: Value null at '%s' "
			 "failed to satisfy constraint: Member must not be "
			 "null", member);
}

/* The Principal element for what AddPermission was given. */
static cJSON *principal(const char *p)
{
	if (strcmp(p, "*") == 0)
		return cJSON_CreateString("*");
	cJSON *o = cJSON_CreateObject();
	size_t n = strlen(p);
	int digits = n == 12;
	for (size_t i = 0; digits && i < n; i++)
		digits = p[i] >= '0' && p[i] <= '9';
	if (digits) {
		char *arn = xasprintf("arn:aws:iam::%s:root", p);
		cJSON_AddStringToObject(o, "AWS", arn);
		free(arn);
	} else if (strncmp(p, "arn:", 4) == 0) {
		cJSON_AddStringToObject(o, "AWS", p);
	} else {
		cJSON_AddStringToObject(o, "Service", p);
	}
	return o;
}

int lambda_add_permission(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (existing(req, &name, &qualifier))
		return -1;
	cJSON *body = req_json_body(req, "InvalidRequestContentException");
	if (!body)
		return -1;
	const char *sid = str_field(body, "StatementId");
	const char *action = str_field(body, "Action");
	const char *who = str_field(body, "Principal");
	if (!sid)
		return missing(req, "statementId");
	if (!action)
		return missing(req, "action");
	if (!who)
		return missing(req, "principal");
	if (!lambda_valid_name(sid) || strlen(sid) > 100)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%s' at "
				 "'statementId' failed to satisfy constraint: "
				 "Member must satisfy regular expression "
				 "pattern: ([a-zA-Z0-9-_.]+)", sid);
	if (strcmp(action, "*") != 0 && strncmp(action, "lambda:", 7) != 0)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%s' at "
				 "'action' failed to satisfy constraint: Member "
				 "must satisfy regular expression pattern: "
				 "(lambda:[*]|lambda:[a-zA-Z]+|[*])", action);
	cJSON *stmt = cJSON_CreateObject();
	cJSON_AddStringToObject(stmt, "Sid", sid);
	cJSON_AddStringToObject(stmt, "Effect", "Allow");
	cJSON_AddItemToObject(stmt, "Principal", principal(who));
	cJSON_AddStringToObject(stmt, "Action", action);
	cJSON_AddStringToObject(stmt, "Resource",
				lambda_function_arn(req->arena, req->emu, name,
						    qualifier));
	const char *src_arn = str_field(body, "SourceArn");
	const char *src_acct = str_field(body, "SourceAccount");
	const char *org = str_field(body, "PrincipalOrgID");
	const char *token = str_field(body, "EventSourceToken");
	if (src_arn || src_acct || org || token) {
		cJSON *cond = cJSON_AddObjectToObject(stmt, "Condition");
		if (src_acct || org || token) {
			cJSON *eq = cJSON_AddObjectToObject(cond,
							    "StringEquals");
			if (src_acct)
				cJSON_AddStringToObject(eq, "AWS:SourceAccount",
							src_acct);
			if (org)
				cJSON_AddStringToObject(eq, "aws:PrincipalOrgID",
							org);
			if (token)
				cJSON_AddStringToObject(
					eq, "lambda:EventSourceToken", token);
		}
		if (src_arn) {
			cJSON *like = cJSON_AddObjectToObject(cond, "ArnLike");
			cJSON_AddStringToObject(like, "AWS:SourceArn", src_arn);
		}
	}
	if (store_begin(st->db)) {
		cJSON_Delete(stmt);
		return req_error(req, 500, "ServiceException",
				 "cannot store the policy");
	}
	char *text = lambda_db_column(st, name, "policy", NULL);
	cJSON *policy = text ? cJSON_Parse(text) : NULL;
	free(text);
	if (!policy) {
		policy = cJSON_CreateObject();
		cJSON_AddStringToObject(policy, "Version", "2012-10-17");
		cJSON_AddStringToObject(policy, "Id", "default");
		cJSON_AddArrayToObject(policy, "Statement");
	}
	cJSON *list = cJSON_GetObjectItemCaseSensitive(policy, "Statement");
	const cJSON *s;
	cJSON_ArrayForEach(s, list) {
		const char *have = str_field(s, "Sid");
		if (have && strcmp(have, sid) == 0) {
			store_rollback(st->db);
			cJSON_Delete(policy);
			cJSON_Delete(stmt);
			return req_error(req, 409, "ResourceConflictException",
					 "The statement id (%s) provided "
					 "already exists. Please provide a new "
					 "statement id, or remove the existing "
					 "statement.", sid);
		}
	}
	char *stmt_text = cJSON_PrintUnformatted(stmt);
	cJSON_AddItemToArray(list, stmt);
	text = cJSON_PrintUnformatted(policy);
	cJSON_Delete(policy);
	int rc = lambda_db_set_column(st, name, "policy", text);
	free(text);
	if (rc || store_commit(st->db)) {
		store_rollback(st->db);
		free(stmt_text);
		return req_error(req, 500, "ServiceException",
				 "cannot store the policy");
	}
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "Statement", stmt_text);
	free(stmt_text);
	resp->status = 201;
	resp_json(resp, &lambda_service, out);
	return 0;
}

int lambda_get_policy(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (existing(req, &name, &qualifier))
		return -1;
	char *text = lambda_db_column(st, name, "policy", NULL);
	if (!text)
		return req_error(req, 404, "ResourceNotFoundException",
				 "The resource you requested does not exist.");
	cJSON *cfg = lambda_db_config(st, name, NULL, NULL, NULL);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "Policy", text);
	const char *rev = lambda_config_str(cfg, "RevisionId");
	cJSON_AddStringToObject(out, "RevisionId", rev ? rev : "");
	cJSON_Delete(cfg);
	free(text);
	resp_json(resp, &lambda_service, out);
	return 0;
}

int lambda_remove_permission(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (existing(req, &name, &qualifier))
		return -1;
	const char *sid = req_path_param(req, "StatementId");
	if (store_begin(st->db))
		return req_error(req, 500, "ServiceException",
				 "cannot store the policy");
	char *text = lambda_db_column(st, name, "policy", NULL);
	cJSON *policy = text ? cJSON_Parse(text) : NULL;
	free(text);
	cJSON *list = cJSON_GetObjectItemCaseSensitive(policy, "Statement");
	int index = 0, found = -1;
	const cJSON *s;
	cJSON_ArrayForEach(s, list) {
		const char *have = str_field(s, "Sid");
		if (found < 0 && have && sid && strcmp(have, sid) == 0)
			found = index;
		index++;
	}
	if (found < 0) {
		store_rollback(st->db);
		cJSON_Delete(policy);
		return req_error(req, 404, "ResourceNotFoundException",
				 "Statement %s is not found in resource "
				 "policy.", sid ? sid : "");
	}
	cJSON_DeleteItemFromArray(list, found);
	text = cJSON_GetArraySize(list) ? cJSON_PrintUnformatted(policy) : NULL;
	cJSON_Delete(policy);
	int rc = lambda_db_set_column(st, name, "policy", text);
	free(text);
	if (rc || store_commit(st->db)) {
		store_rollback(st->db);
		return req_error(req, 500, "ServiceException",
				 "cannot store the policy");
	}
	resp->status = 204;
	return 0;
}

/* ---- event invoke config --------------------------------------- */

static int eic_int(struct request *req, cJSON *eic, const cJSON *body,
		   const char *field, const char *member, int lo, int hi)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, field);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valueint < lo || v->valueint > hi)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%d' at "
				 "'%s' failed to satisfy constraint: Member "
				 "must have value %s %d", v->valueint, member,
				 v->valueint < lo ? "greater than or equal to"
						  : "less than or equal to",
				 v->valueint < lo ? lo : hi);
	cJSON_DeleteItemFromObjectCaseSensitive(eic, field);
	cJSON_AddNumberToObject(eic, field, v->valueint);
	return 0;
}

/* Put (replace) or Update (merge) the event invoke config. */
static int write_eic(struct request *req, struct response *resp, int merge)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (existing(req, &name, &qualifier))
		return -1;
	cJSON *body = req_json_body(req, "InvalidRequestContentException");
	if (!body)
		return -1;
	char *text = merge ? lambda_db_column(st, name, "invoke_config", NULL)
			   : NULL;
	cJSON *eic = text ? cJSON_Parse(text) : NULL;
	free(text);
	if (!eic)
		eic = cJSON_CreateObject();
	if (eic_int(req, eic, body, "MaximumRetryAttempts",
		    "maximumRetryAttempts", 0, 2) ||
	    eic_int(req, eic, body, "MaximumEventAgeInSeconds",
		    "maximumEventAgeInSeconds", 60, 21600)) {
		cJSON_Delete(eic);
		return -1;
	}
	const cJSON *dest = cJSON_GetObjectItemCaseSensitive(body,
							    "DestinationConfig");
	if (cJSON_IsObject(dest)) {
		cJSON_DeleteItemFromObjectCaseSensitive(eic,
							"DestinationConfig");
		cJSON_AddItemToObject(eic, "DestinationConfig",
				      cJSON_Duplicate(dest, 1));
	} else if (!cJSON_GetObjectItemCaseSensitive(eic,
						     "DestinationConfig")) {
		cJSON *d = cJSON_AddObjectToObject(eic, "DestinationConfig");
		cJSON_AddObjectToObject(d, "OnSuccess");
		cJSON_AddObjectToObject(d, "OnFailure");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(eic, "FunctionArn");
	cJSON_AddStringToObject(eic, "FunctionArn",
				lambda_function_arn(req->arena, req->emu, name,
						    qualifier ? qualifier
							      : "$LATEST"));
	cJSON_DeleteItemFromObjectCaseSensitive(eic, "LastModified");
	cJSON_AddNumberToObject(eic, "LastModified",
				(double)time_now_ms() / 1000.0);
	text = cJSON_PrintUnformatted(eic);
	int rc = lambda_db_set_column(st, name, "invoke_config", text);
	free(text);
	if (rc) {
		cJSON_Delete(eic);
		return req_error(req, 500, "ServiceException",
				 "cannot store the event invoke config");
	}
	resp_json(resp, &lambda_service, eic);
	return 0;
}

int lambda_put_event_invoke_config(struct request *req, struct response *resp)
{
	return write_eic(req, resp, 0);
}

int lambda_update_event_invoke_config(struct request *req,
				      struct response *resp)
{
	return write_eic(req, resp, 1);
}

int lambda_get_event_invoke_config(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (existing(req, &name, &qualifier))
		return -1;
	char *text = lambda_db_column(st, name, "invoke_config", NULL);
	cJSON *eic = text ? cJSON_Parse(text) : NULL;
	free(text);
	if (!eic)
		return req_error(req, 404, "ResourceNotFoundException",
				 "The function %s doesn't have an "
				 "EventInvokeConfig",
				 lambda_function_arn(req->arena, req->emu, name,
						     qualifier ? qualifier
							       : "$LATEST"));
	resp_json(resp, &lambda_service, eic);
	return 0;
}

int lambda_delete_event_invoke_config(struct request *req,
				      struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (existing(req, &name, &qualifier))
		return -1;
	char *text = lambda_db_column(st, name, "invoke_config", NULL);
	if (!text)
		return req_error(req, 404, "ResourceNotFoundException",
				 "The function %s doesn't have an "
				 "EventInvokeConfig",
				 lambda_function_arn(req->arena, req->emu, name,
						     qualifier ? qualifier
							       : "$LATEST"));
	free(text);
	if (lambda_db_set_column(st, name, "invoke_config", NULL))
		return req_error(req, 500, "ServiceException",
				 "cannot delete the event invoke config");
	resp->status = 204;
	return 0;
}

/* ---- concurrency ------------------------------------------------ */

int lambda_put_concurrency(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (existing(req, &name, &qualifier))
		return -1;
	cJSON *body = req_json_body(req, "InvalidRequestContentException");
	if (!body)
		return -1;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		body, "ReservedConcurrentExecutions");
	if (!cJSON_IsNumber(v))
		return missing(req, "reservedConcurrentExecutions");
	if (v->valueint < 0)
		return req_error(req, 400, "ValidationException",
				 "1 validation error detected: Value '%d' at "
				 "'reservedConcurrentExecutions' failed to "
				 "satisfy constraint: Member must have value "
				 "greater than or equal to 0", v->valueint);
	if (v->valueint > 900)
		return req_error(req, 400, "InvalidParameterValueException",
				 "Specified ReservedConcurrentExecutions for "
				 "function decreases account's "
				 "UnreservedConcurrentExecution below its "
				 "minimum value of [100].");
	char n[24];
	snprintf(n, sizeof(n), "%d", v->valueint);
	if (lambda_db_set_column(st, name, "concurrency", n))
		return req_error(req, 500, "ServiceException",
				 "cannot store the concurrency");
	lambda_pool_forget(st, name, 0);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "ReservedConcurrentExecutions",
				v->valueint);
	resp_json(resp, &lambda_service, out);
	return 0;
}

int lambda_get_concurrency(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (existing(req, &name, &qualifier))
		return -1;
	int n = lambda_db_concurrency(st, name);
	cJSON *out = cJSON_CreateObject();
	if (n >= 0)
		cJSON_AddNumberToObject(out, "ReservedConcurrentExecutions", n);
	resp_json(resp, &lambda_service, out);
	return 0;
}

int lambda_delete_concurrency(struct request *req, struct response *resp)
{
	struct lambda_state *st = lambda_state_of(req);
	const char *name, *qualifier;
	if (existing(req, &name, &qualifier))
		return -1;
	if (lambda_db_set_column(st, name, "concurrency", NULL))
		return req_error(req, 500, "ServiceException",
				 "cannot delete the concurrency");
	lambda_pool_forget(st, name, 0);
	resp->status = 204;
	return 0;
}

int lambda_get_code_signing(struct request *req, struct response *resp)
{
	const char *name, *qualifier;
	if (existing(req, &name, &qualifier))
		return -1;
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "CodeSigningConfigArn", "");
	cJSON_AddStringToObject(out, "FunctionName", name);
	resp_json(resp, &lambda_service, out);
	return 0;
}
