/*
 * aws_config.h - region, credentials and endpoints resolved the way the
 * AWS SDKs and the aws cli resolve them (environment, then the shared
 * config and credentials files).
 *
 * Region:       AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`.
 * Credentials:  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+
 *               AWS_SESSION_TOKEN); else the profile in the shared
 *               credentials file (AWS_SHARED_CREDENTIALS_FILE, default
 *               ~/.aws/credentials: aws_access_key_id,
 *               aws_secret_access_key, aws_session_token); else the same
 *               keys in the config file's profile.
 * Profile:      AWS_PROFILE, else "default".  In the config file it is
 *               [profile NAME] ([default] for the default profile); in the
 *               credentials file [NAME].
 * Endpoints:    AWS_ENDPOINT_URL_<SERVICE> (S3, DYNAMODB, SNS), then
 *               AWS_ENDPOINT_URL, then the profile's `services` section
 *               (`[services NAME]` with `s3 =` and an indented
 *               `endpoint_url = ...`), then the profile's `endpoint_url`;
 *               none of them when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is
 *               true (or the profile's ignore_configured_endpoint_urls).
 *               Otherwise https://<service>.<region>.amazonaws.com.
 * Retries:      AWS_MAX_ATTEMPTS, else the profile's max_attempts, else 3.
 *
 * Not supported: SSO, assume-role and process credential providers,
 * container/instance metadata credentials, credential refresh.
 *
 * Ownership: struct aws_config owns its strings; aws_config_free releases
 * them.  The loaders read the environment through an aws_getenv_fn so
 * tests can pass their own; aws_config_load uses getenv(3).
 */
#ifndef IMGPIPE_AWS_CONFIG_H
#define IMGPIPE_AWS_CONFIG_H

#include "aws_error.h"

/* The services the sdk has clients for. */
enum aws_service {
	AWS_SERVICE_S3,
	AWS_SERVICE_DYNAMODB,
	AWS_SERVICE_SNS,
	AWS_SERVICE_COUNT
};

struct aws_config {
	char *region;                 /* e.g. "us-east-1" */
	char *profile;                /* the profile the files were read with */
	char *access_key;             /* credentials */
	char *secret_key;
	char *session_token;          /* NULL without one */
	const char *credential_source;/* "environment", "shared-credentials-file", "config-file" */
	char *endpoints[AWS_SERVICE_COUNT]; /* configured endpoint per service, or NULL */
	int max_attempts;             /* total attempts per call (>= 1) */
};

/* Environment lookup: the value of name, or NULL. */
typedef const char *aws_getenv_fn(void *arg, const char *name);

/*
 * Resolve everything from the process environment and files.  Returns 0,
 * or -1 with err filled: "NoRegion" (no region anywhere),
 * "NoCredentials" (no credentials anywhere), "PartialCredentials" (an
 * access key without a secret or the reverse), "ProfileNotFound"
 * (AWS_PROFILE names a profile neither file has), "InvalidParameter" (a
 * bad AWS_MAX_ATTEMPTS).  cfg is zeroed on failure.
 */
int aws_config_load(struct aws_config *cfg, struct aws_error *err);
/* The same with an explicit environment. */
int aws_config_load_env(struct aws_config *cfg, aws_getenv_fn *env, void *arg,
			struct aws_error *err);
void aws_config_free(struct aws_config *cfg);

/*
 * The endpoint to use for svc: the configured one, or the AWS default
 * for cfg->region.  *custom is set to 1 for a configured endpoint.
 * Returns a heap string without a trailing '/' (caller frees).
 */
char *aws_config_endpoint(const struct aws_config *cfg, enum aws_service svc,
			  int *custom);

/* Signing name / endpoint id of svc ("s3", "dynamodb", "sns"). */
const char *aws_service_name(enum aws_service svc);

/*
 * Look up key in section of an INI text as the AWS config files write it
 * (section headers "[name]", "key = value", '#' and ';' comment lines).
 * subkey: NULL for a plain key; else key must have an empty value
 * followed by indented "subkey = value" lines, whose value is returned.
 * Returns a heap string (caller frees) or NULL.  *section_found (may be
 * NULL) is set to 1 when the section exists.
 */
char *aws_ini_get(const char *text, const char *section, const char *key,
		  const char *subkey, int *section_found);

#endif
