/*
 * aws_config.c - region, credential and endpoint resolution (see
 * aws_config.h for the order).  The two shared files are read once per
 * load, each capped at AWS_CONFIG_FILE_MAX; a missing file is the same
 * as an empty one.
 */
#include "aws_config.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AWS_CONFIG_FILE_MAX (1u << 20)
#define AWS_MAX_ATTEMPTS_DEFAULT 3

static const char *const service_names[AWS_SERVICE_COUNT] = {
	"s3", "dynamodb", "sns",
};
static const char *const service_env[AWS_SERVICE_COUNT] = {
	"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SNS",
};

const char *aws_service_name(enum aws_service svc)
{
	return (unsigned)svc < AWS_SERVICE_COUNT ? service_names[svc] : "";
}

/* ---- INI files -------------------------------------------------------- */

/* Copy s[0..n) without surrounding blanks into a heap string. */
static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* Section header text with runs of blanks collapsed ("profile  x" -> "profile x"). */
static void normalise_section(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;
	int blank = 0;
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (isspace((unsigned char)s[i])) {
			blank = 1;
			continue;
		}
		if (blank && o + 1 < size)
			out[o++] = ' ';
		blank = 0;
		if (o + 1 < size)
			out[o++] = s[i];
	}
	out[o] = '\0';
}

/* Split "key = value" (line, n bytes) at '='; 0 on success. */
static int split_pair(const char *line, size_t n, char **key, char **value)
{
	const char *eq = memchr(line, '=', n);
	if (!eq)
		return -1;
	*key = trim_dup(line, (size_t)(eq - line));
	*value = trim_dup(eq + 1, n - (size_t)(eq + 1 - line));
	return 0;
}

char *aws_ini_get(const char *text, const char *section, const char *key,
		  const char *subkey, int *section_found)
{
	char cur[256] = "";
	int in_section = 0, in_parent = 0;
	char *result = NULL;

	if (section_found)
		*section_found = 0;
	if (!text)
		return NULL;
	for (const char *p = text; *p && !result;) {
		size_t n = strcspn(p, "\n");
		const char *line = p;
		p += n;
		if (*p == '\n')
			p++;
		if (n && line[n - 1] == '\r')
			n--;
		size_t lead = 0;
		while (lead < n && (line[lead] == ' ' || line[lead] == '\t'))
			lead++;
		if (lead == n || line[lead] == '#' || line[lead] == ';')
			continue;
		if (line[lead] == '[') {
			const char *close = memchr(line + lead, ']', n - lead);
			if (!close)
				continue;
			normalise_section(line + lead + 1, (size_t)(close - line - lead - 1),
					  cur, sizeof(cur));
			in_section = strcmp(cur, section) == 0;
			if (in_section && section_found)
				*section_found = 1;
			in_parent = 0;
			continue;
		}
		if (!in_section)
			continue;
		char *k, *v;
		if (split_pair(line + lead, n - lead, &k, &v) != 0)
			continue;
		if (lead == 0) {
			in_parent = subkey && strcmp(k, key) == 0 && !*v;
			if (!subkey && strcmp(k, key) == 0) {
				result = v;
				v = NULL;
			}
		} else if (in_parent && strcmp(k, subkey) == 0) {
			result = v;
			v = NULL;
		}
		free(k);
		free(v);
	}
	return result;
}

/* Read a whole (small) file; NULL when it is missing or unreadable. */
static char *read_small_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *data = xmalloc(AWS_CONFIG_FILE_MAX + 1);
	size_t n = fread(data, 1, AWS_CONFIG_FILE_MAX, f);
	fclose(f);
	data[n] = '\0';
	return data;
}

/* Path from an env override or ~/.aws/<name>; heap string or NULL. */
static char *file_path(aws_getenv_fn *env, void *arg, const char *var,
		       const char *name)
{
	const char *p = env(arg, var);
	const char *home = env(arg, "HOME");
	if (p && *p) {
		if (p[0] == '~' && p[1] == '/' && home)
			return xasprintf("%s%s", home, p + 1);
		return xstrdup(p);
	}
	if (!home || !*home)
		return NULL;
	return xasprintf("%s/.aws/%s", home, name);
}

/* ---- resolution --------------------------------------------------------- */

/* The files of one load. */
struct files {
	char *config;       /* config file text or NULL */
	char *credentials;  /* credentials file text or NULL */
	char config_section[300];
	char *profile;
};

/* A key from the profile's section of the config file (heap or NULL). */
static char *profile_get(struct files *f, const char *key)
{
	return aws_ini_get(f->config, f->config_section, key, NULL, NULL);
}

/* Non-empty environment value or NULL. */
static const char *env_value(aws_getenv_fn *env, void *arg, const char *name)
{
	const char *v = env(arg, name);
	return v && *v ? v : NULL;
}

static int is_true(const char *v)
{
	return v && strcasecmp(v, "true") == 0;
}

/* Fill the endpoints per the order in aws_config.h. */
static void resolve_endpoints(struct aws_config *cfg, struct files *f,
			      aws_getenv_fn *env, void *arg)
{
	char *ignore = profile_get(f, "ignore_configured_endpoint_urls");
	int skip = is_true(env_value(env, arg, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
		   is_true(ignore);
	free(ignore);
	if (skip)
		return;
	const char *global = env_value(env, arg, "AWS_ENDPOINT_URL");
	char *services = profile_get(f, "services");
	char *profile_url = profile_get(f, "endpoint_url");
	char section[300];
	snprintf(section, sizeof(section), "services %s", services ? services : "");
	for (int s = 0; s < AWS_SERVICE_COUNT; s++) {
		const char *v = env_value(env, arg, service_env[s]);
		if (!v)
			v = global;
		if (v) {
			cfg->endpoints[s] = xstrdup(v);
		} else if (services) {
			cfg->endpoints[s] = aws_ini_get(f->config, section, service_names[s],
							"endpoint_url", NULL);
		}
		if (!cfg->endpoints[s] && profile_url)
			cfg->endpoints[s] = xstrdup(profile_url);
		/* drop trailing slashes so paths can be appended */
		char *e = cfg->endpoints[s];
		while (e && *e && e[strlen(e) - 1] == '/')
			e[strlen(e) - 1] = '\0';
	}
	free(services);
	free(profile_url);
}

/* Credentials from env, then the files.  Returns 0 or -1 (err filled). */
static int resolve_credentials(struct aws_config *cfg, struct files *f,
			       aws_getenv_fn *env, void *arg, struct aws_error *err)
{
	const char *ak = env_value(env, arg, "AWS_ACCESS_KEY_ID");
	const char *sk = env_value(env, arg, "AWS_SECRET_ACCESS_KEY");
	if (ak || sk) {
		if (!ak || !sk)
			return aws_error_set(err, 0, "PartialCredentials",
					     "Partial credentials found in env, missing: %s",
					     ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		cfg->access_key = xstrdup(ak);
		cfg->secret_key = xstrdup(sk);
		const char *tok = env_value(env, arg, "AWS_SESSION_TOKEN");
		cfg->session_token = tok ? xstrdup(tok) : NULL;
		cfg->credential_source = "environment";
		return 0;
	}
	struct {
		const char *text, *section, *source;
	} places[2] = {
		{ f->credentials, f->profile, "shared-credentials-file" },
		{ f->config, f->config_section, "config-file" },
	};
	for (int i = 0; i < 2; i++) {
		char *a = aws_ini_get(places[i].text, places[i].section, "aws_access_key_id", NULL, NULL);
		char *s = aws_ini_get(places[i].text, places[i].section, "aws_secret_access_key", NULL, NULL);
		if (a && *a && s && *s) {
			cfg->access_key = a;
			cfg->secret_key = s;
			cfg->session_token = aws_ini_get(places[i].text, places[i].section,
							 "aws_session_token", NULL, NULL);
			cfg->credential_source = places[i].source;
			return 0;
		}
		int partial = (a && *a) || (s && *s);
		free(a);
		free(s);
		if (partial)
			return aws_error_set(err, 0, "PartialCredentials",
					     "Partial credentials found in %s for profile %s",
					     places[i].source, f->profile);
	}
	return aws_error_set(err, 0, "NoCredentials", "Unable to locate credentials");
}

/* Region, profile, credentials, endpoints, attempts; 0 or -1. */
static int resolve(struct aws_config *cfg, struct files *f, aws_getenv_fn *env,
		   void *arg, struct aws_error *err)
{
	const char *r = env_value(env, arg, "AWS_REGION");
	if (!r)
		r = env_value(env, arg, "AWS_DEFAULT_REGION");
	cfg->region = r ? xstrdup(r) : profile_get(f, "region");
	if (!cfg->region || !*cfg->region)
		return aws_error_set(err, 0, "NoRegion", "You must specify a region.");
	if (resolve_credentials(cfg, f, env, arg, err) != 0)
		return -1;
	resolve_endpoints(cfg, f, env, arg);
	cfg->max_attempts = AWS_MAX_ATTEMPTS_DEFAULT;
	const char *ma = env_value(env, arg, "AWS_MAX_ATTEMPTS");
	char *pma = ma ? NULL : profile_get(f, "max_attempts");
	const char *attempts = ma ? ma : pma;
	if (attempts) {
		char *end;
		errno = 0;
		long v = strtol(attempts, &end, 10);
		if (errno || *end || v < 1 || v > 100) {
			aws_error_set(err, 0, "InvalidParameter",
				      "max_attempts must be an integer from 1 to 100, got '%s'",
				      attempts);
			free(pma);
			return -1;
		}
		cfg->max_attempts = (int)v;
	}
	free(pma);
	return 0;
}

int aws_config_load_env(struct aws_config *cfg, aws_getenv_fn *env, void *arg,
			struct aws_error *err)
{
	struct files f;
	memset(cfg, 0, sizeof(*cfg));
	memset(&f, 0, sizeof(f));
	aws_error_clear(err);

	const char *profile = env_value(env, arg, "AWS_PROFILE");
	int explicit_profile = profile != NULL;
	f.profile = xstrdup(profile ? profile : "default");
	if (strcmp(f.profile, "default") == 0)
		snprintf(f.config_section, sizeof(f.config_section), "default");
	else
		snprintf(f.config_section, sizeof(f.config_section), "profile %s", f.profile);

	char *path = file_path(env, arg, "AWS_CONFIG_FILE", "config");
	f.config = path ? read_small_file(path) : NULL;
	free(path);
	path = file_path(env, arg, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
	f.credentials = path ? read_small_file(path) : NULL;
	free(path);

	int rc = 0;
	if (explicit_profile) {
		int in_config = 0, in_creds = 0;
		free(aws_ini_get(f.config, f.config_section, "", NULL, &in_config));
		free(aws_ini_get(f.credentials, f.profile, "", NULL, &in_creds));
		if (!in_config && !in_creds)
			rc = aws_error_set(err, 0, "ProfileNotFound",
					   "The config profile (%s) could not be found",
					   f.profile);
	}
	if (rc == 0)
		rc = resolve(cfg, &f, env, arg, err);
	if (rc == 0)
		cfg->profile = xstrdup(f.profile);
	free(f.config);
	free(f.credentials);
	free(f.profile);
	if (rc != 0)
		aws_config_free(cfg);
	return rc;
}

/* aws_getenv_fn over the process environment. */
static const char *process_env(void *arg, const char *name)
{
	(void)arg;
	return getenv(name);
}

int aws_config_load(struct aws_config *cfg, struct aws_error *err)
{
	return aws_config_load_env(cfg, process_env, NULL, err);
}

void aws_config_free(struct aws_config *cfg)
{
	free(cfg->region);
	free(cfg->profile);
	free(cfg->access_key);
	free(cfg->secret_key);
	free(cfg->session_token);
	for (int s = 0; s < AWS_SERVICE_COUNT; s++)
		free(cfg->endpoints[s]);
	memset(cfg, 0, sizeof(*cfg));
}

char *aws_config_endpoint(const struct aws_config *cfg, enum aws_service svc,
			  int *custom)
{
	if ((unsigned)svc < AWS_SERVICE_COUNT && cfg->endpoints[svc]) {
		if (custom)
			*custom = 1;
		return xstrdup(cfg->endpoints[svc]);
	}
	if (custom)
		*custom = 0;
	const char *suffix = strncmp(cfg->region, "cn-", 3) == 0 ?
			     "amazonaws.com.cn" : "amazonaws.com";
	return xasprintf("https://%s.%s.%s", aws_service_name(svc), cfg->region, suffix);
}
