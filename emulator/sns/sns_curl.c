/*
 * sns_curl.c - load libcurl on first use (see sns_curl.h).
 */
#include "sns_curl.h"
#include "log.h"

#include <dlfcn.h>
#include <string.h>

void sns_curl_init(struct sns_curl *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
}

/* Resolve one symbol into *slot; -1 when it is missing. */
static int resolve(void *handle, const char *name, void *slot)
{
	void *sym = dlsym(handle, name);
	if (!sym) {
		log_error("sns: libcurl has no '%s'", name);
		return -1;
	}
	memcpy(slot, &sym, sizeof(sym));
	return 0;
}

static int load(struct sns_curl *c)
{
	c->handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!c->handle) {
		log_error("sns: cannot load libcurl: %s", dlerror());
		return -1;
	}
	if (resolve(c->handle, "curl_easy_init", &c->easy_init) ||
	    resolve(c->handle, "curl_easy_cleanup", &c->easy_cleanup) ||
	    resolve(c->handle, "curl_easy_reset", &c->easy_reset) ||
	    resolve(c->handle, "curl_easy_setopt", &c->easy_setopt) ||
	    resolve(c->handle, "curl_easy_perform", &c->easy_perform) ||
	    resolve(c->handle, "curl_easy_getinfo", &c->easy_getinfo) ||
	    resolve(c->handle, "curl_easy_strerror", &c->easy_strerror) ||
	    resolve(c->handle, "curl_slist_append", &c->slist_append) ||
	    resolve(c->handle, "curl_slist_free_all", &c->slist_free_all) ||
	    resolve(c->handle, "curl_global_init", &c->global_init) ||
	    resolve(c->handle, "curl_global_cleanup", &c->global_cleanup))
		goto fail;
	if (c->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("sns: libcurl failed to initialise");
		goto fail;
	}
	return 0;
fail:
	dlclose(c->handle);
	c->handle = NULL;
	return -1;
}

const struct sns_curl *sns_curl_get(struct sns_curl *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->state == 0)
		c->state = load(c) == 0 ? 1 : -1;
	int ok = c->state == 1;
	pthread_mutex_unlock(&c->lock);
	return ok ? c : NULL;
}

void sns_curl_unload(struct sns_curl *c)
{
	if (c->state == 1) {
		c->global_cleanup();
		dlclose(c->handle);
	}
	c->state = 0;
	c->handle = NULL;
	pthread_mutex_destroy(&c->lock);
}
