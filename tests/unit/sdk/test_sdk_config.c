/*
 * test_sdk_config.c - unit tests for sdk/aws_config.c: the INI reader and
 * the resolution order of region, credentials, profile, endpoints and
 * max attempts (environment first, then the shared files), with a fake
 * environment and temporary files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_config.h"
#include "aws_http.h"

/* A fake environment: name=value pairs, NULL-terminated. */
struct fake_env {
	const char *pairs[32][2];
};

static const char *fake_getenv(void *arg, const char *name)
{
	struct fake_env *e = arg;
	for (int i = 0; i < 32 && e->pairs[i][0]; i++)
		if (strcmp(e->pairs[i][0], name) == 0)
			return e->pairs[i][1];
	return NULL;
}

static char config_path[64], creds_path[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(config_path, sizeof(config_path), "/tmp/sdkcfg-%d-config", (int)getpid());
	snprintf(creds_path, sizeof(creds_path), "/tmp/sdkcfg-%d-creds", (int)getpid());
	write_file(config_path,
		   "# comment\n"
		   "[default]\n"
		   "region = eu-west-1\n"
		   "max_attempts = 5\n"
		   "\n"
		   "[profile dev]\n"
		   "region=ap-south-1\n"
		   "aws_access_key_id = CFGKEY\n"
		   "aws_secret_access_key = CFGSECRET\n"
		   "services = local\n"
		   "endpoint_url = http://profile.example:1234/\n"
		   "\n"
		   "[services local]\n"
		   "s3 =\n"
		   "  endpoint_url = http://s3.local:9000\n"
		   "dynamodb =\n"
		   "\tendpoint_url = http://ddb.local:8000\n"
		   "\n"
		   "[profile  spaced ]\n"
		   "region = us-west-2\n"
		   "[profile ignore]\n"
		   "region = us-east-2\n"
		   "endpoint_url = http://ignored:1\n"
		   "ignore_configured_endpoint_urls = true\n"
		   "aws_access_key_id = I\n"
		   "aws_secret_access_key = S\n");
	write_file(creds_path,
		   "[default]\r\n"
		   "aws_access_key_id = FILEKEY\r\n"
		   "aws_secret_access_key = FILESECRET\r\n"
		   "aws_session_token = FILETOKEN\r\n"
		   "[spaced]\n"
		   "aws_access_key_id = SP\n"
		   "aws_secret_access_key = SPS\n"
		   "[half]\n"
		   "aws_access_key_id = ONLYKEY\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(config_path);
	unlink(creds_path);
	return 0;
}

/* Base environment pointing at the two files; extra pairs appended. */
static void base_env(struct fake_env *e)
{
	memset(e, 0, sizeof(*e));
	e->pairs[0][0] = "AWS_CONFIG_FILE";
	e->pairs[0][1] = config_path;
	e->pairs[1][0] = "AWS_SHARED_CREDENTIALS_FILE";
	e->pairs[1][1] = creds_path;
	e->pairs[2][0] = "HOME";
	e->pairs[2][1] = "/nonexistent";
}

static void env_add(struct fake_env *e, const char *name, const char *value)
{
	int i = 0;
	while (e->pairs[i][0])
		i++;
	e->pairs[i][0] = name;
	e->pairs[i][1] = value;
}

static void test_ini_get(void **state)
{
	(void)state;
	const char *t = "[a]\nk = v1\n[b]\nk=v2\n  x = no\nsub =\n  inner = deep\n[c d]\n";
	char *v = aws_ini_get(t, "a", "k", NULL, NULL);
	assert_string_equal(v, "v1");
	free(v);
	v = aws_ini_get(t, "b", "k", NULL, NULL);
	assert_string_equal(v, "v2");
	free(v);
	v = aws_ini_get(t, "b", "sub", "inner", NULL);
	assert_string_equal(v, "deep");
	free(v);
	assert_null(aws_ini_get(t, "b", "k", "inner", NULL));
	int found = 0;
	assert_null(aws_ini_get(t, "c d", "k", NULL, &found));
	assert_int_equal(found, 1);
	assert_null(aws_ini_get(t, "zz", "k", NULL, &found));
	assert_int_equal(found, 0);
	assert_null(aws_ini_get(NULL, "a", "k", NULL, NULL));
}

static void test_env_wins(void **state)
{
	(void)state;
	struct fake_env e;
	struct aws_config cfg;
	struct aws_error err;
	base_env(&e);
	env_add(&e, "AWS_REGION", "us-east-1");
	env_add(&e, "AWS_DEFAULT_REGION", "eu-central-1");
	env_add(&e, "AWS_ACCESS_KEY_ID", "ENVKEY");
	env_add(&e, "AWS_SECRET_ACCESS_KEY", "ENVSECRET");
	env_add(&e, "AWS_SESSION_TOKEN", "ENVTOKEN");
	env_add(&e, "AWS_ENDPOINT_URL", "http://global:4566/");
	env_add(&e, "AWS_ENDPOINT_URL_SNS", "http://sns-only:1");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), 0);
	assert_string_equal(cfg.region, "us-east-1");
	assert_string_equal(cfg.access_key, "ENVKEY");
	assert_string_equal(cfg.secret_key, "ENVSECRET");
	assert_string_equal(cfg.session_token, "ENVTOKEN");
	assert_string_equal(cfg.credential_source, "environment");
	assert_int_equal(cfg.max_attempts, 5); /* from [default] */
	char *ep = aws_config_endpoint(&cfg, AWS_SERVICE_S3, NULL);
	assert_string_equal(ep, "http://global:4566");
	free(ep);
	int custom = 0;
	ep = aws_config_endpoint(&cfg, AWS_SERVICE_SNS, &custom);
	assert_string_equal(ep, "http://sns-only:1");
	assert_int_equal(custom, 1);
	free(ep);
	aws_config_free(&cfg);
}

static void test_default_region_and_files(void **state)
{
	(void)state;
	struct fake_env e;
	struct aws_config cfg;
	struct aws_error err;
	base_env(&e);
	env_add(&e, "AWS_DEFAULT_REGION", "eu-central-1");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), 0);
	assert_string_equal(cfg.region, "eu-central-1");
	assert_string_equal(cfg.access_key, "FILEKEY");
	assert_string_equal(cfg.session_token, "FILETOKEN");
	assert_string_equal(cfg.credential_source, "shared-credentials-file");
	assert_string_equal(cfg.profile, "default");
	int custom = 1;
	char *ep = aws_config_endpoint(&cfg, AWS_SERVICE_DYNAMODB, &custom);
	assert_string_equal(ep, "https://dynamodb.eu-central-1.amazonaws.com");
	assert_int_equal(custom, 0);
	free(ep);
	aws_config_free(&cfg);
}

static void test_profile_services_section(void **state)
{
	(void)state;
	struct fake_env e;
	struct aws_config cfg;
	struct aws_error err;
	base_env(&e);
	env_add(&e, "AWS_PROFILE", "dev");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), 0);
	assert_string_equal(cfg.region, "ap-south-1");
	assert_string_equal(cfg.access_key, "CFGKEY");
	assert_string_equal(cfg.credential_source, "config-file");
	assert_null(cfg.session_token);
	assert_int_equal(cfg.max_attempts, 3);
	char *ep = aws_config_endpoint(&cfg, AWS_SERVICE_S3, NULL);
	assert_string_equal(ep, "http://s3.local:9000");
	free(ep);
	ep = aws_config_endpoint(&cfg, AWS_SERVICE_DYNAMODB, NULL);
	assert_string_equal(ep, "http://ddb.local:8000");
	free(ep);
	/* no services entry for sns: the profile's endpoint_url */
	ep = aws_config_endpoint(&cfg, AWS_SERVICE_SNS, NULL);
	assert_string_equal(ep, "http://profile.example:1234");
	free(ep);
	aws_config_free(&cfg);

	/* a service-specific env variable beats the services section */
	env_add(&e, "AWS_ENDPOINT_URL_S3", "http://env-s3:1");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), 0);
	ep = aws_config_endpoint(&cfg, AWS_SERVICE_S3, NULL);
	assert_string_equal(ep, "http://env-s3:1");
	free(ep);
	aws_config_free(&cfg);
}

static void test_spaced_profile_and_ignore(void **state)
{
	(void)state;
	struct fake_env e;
	struct aws_config cfg;
	struct aws_error err;
	base_env(&e);
	env_add(&e, "AWS_PROFILE", "spaced");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), 0);
	assert_string_equal(cfg.region, "us-west-2");
	assert_string_equal(cfg.access_key, "SP");
	aws_config_free(&cfg);

	base_env(&e);
	env_add(&e, "AWS_PROFILE", "ignore");
	env_add(&e, "AWS_ENDPOINT_URL", "http://also-ignored:2");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), 0);
	char *ep = aws_config_endpoint(&cfg, AWS_SERVICE_S3, NULL);
	assert_string_equal(ep, "https://s3.us-east-2.amazonaws.com");
	free(ep);
	aws_config_free(&cfg);

	base_env(&e);
	env_add(&e, "AWS_REGION", "cn-north-1");
	env_add(&e, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
	env_add(&e, "AWS_ENDPOINT_URL", "http://x:1");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), 0);
	ep = aws_config_endpoint(&cfg, AWS_SERVICE_SNS, NULL);
	assert_string_equal(ep, "https://sns.cn-north-1.amazonaws.com.cn");
	free(ep);
	aws_config_free(&cfg);
}

static void test_errors(void **state)
{
	(void)state;
	struct fake_env e;
	struct aws_config cfg;
	struct aws_error err;

	memset(&e, 0, sizeof(e)); /* nothing at all */
	env_add(&e, "AWS_CONFIG_FILE", "/nonexistent/config");
	env_add(&e, "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/creds");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), -1);
	assert_string_equal(err.code, "NoRegion");
	assert_null(cfg.region);

	env_add(&e, "AWS_REGION", "us-east-1");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), -1);
	assert_string_equal(err.code, "NoCredentials");
	assert_string_equal(err.message, "Unable to locate credentials");

	env_add(&e, "AWS_ACCESS_KEY_ID", "K");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), -1);
	assert_string_equal(err.code, "PartialCredentials");

	base_env(&e);
	env_add(&e, "AWS_PROFILE", "nosuch");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), -1);
	assert_string_equal(err.code, "ProfileNotFound");
	assert_string_equal(err.message, "The config profile (nosuch) could not be found");

	base_env(&e);
	env_add(&e, "AWS_PROFILE", "half");
	env_add(&e, "AWS_REGION", "us-east-1");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), -1);
	assert_string_equal(err.code, "PartialCredentials");

	base_env(&e);
	env_add(&e, "AWS_MAX_ATTEMPTS", "zero");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), -1);
	assert_string_equal(err.code, "InvalidParameter");
	base_env(&e);
	env_add(&e, "AWS_MAX_ATTEMPTS", "1");
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), 0);
	assert_int_equal(cfg.max_attempts, 1);
	aws_config_free(&cfg);
}

static void test_home_files(void **state)
{
	(void)state;
	char dir[80], aws[96], cpath[128];
	snprintf(dir, sizeof(dir), "/tmp/sdkhome-%d", (int)getpid());
	snprintf(aws, sizeof(aws), "%s/.aws", dir);
	snprintf(cpath, sizeof(cpath), "%s/credentials", aws);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", aws);
	assert_int_equal(system(cmd), 0);
	write_file(cpath, "[default]\naws_access_key_id=H\naws_secret_access_key=HS\n");
	struct fake_env e;
	memset(&e, 0, sizeof(e));
	env_add(&e, "HOME", dir);
	env_add(&e, "AWS_REGION", "us-east-1");
	struct aws_config cfg;
	struct aws_error err;
	assert_int_equal(aws_config_load_env(&cfg, fake_getenv, &e, &err), 0);
	assert_string_equal(cfg.access_key, "H");
	aws_config_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_ca_bundle(void **state)
{
	(void)state;
	setenv("AWS_CA_BUNDLE", "/some/where/ca.pem", 1);
	assert_string_equal(aws_ca_bundle(), "/some/where/ca.pem");
	unsetenv("AWS_CA_BUNDLE");
	const char *found = aws_ca_bundle();
	if (found)
		assert_int_equal(access(found, R_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ca_bundle),
		cmocka_unit_test(test_ini_get),
		cmocka_unit_test(test_env_wins),
		cmocka_unit_test(test_default_region_and_files),
		cmocka_unit_test(test_profile_services_section),
		cmocka_unit_test(test_spaced_profile_and_ignore),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_home_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
