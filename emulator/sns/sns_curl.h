/*
 * sns_curl.h - libcurl, loaded when SNS first delivers over HTTP.
 *
 * libcurl and the ~20 libraries it needs (Kerberos, LDAP, SSH, RTMP,
 * ...) cost a fresh process about a third of its start-up time, and most
 * emulator runs never deliver an HTTP notification.  So the emulator is
 * not linked against libcurl: the first delivery dlopen()s it, once, and
 * calls it through this table.  The SDK (sdk/) links libcurl normally.
 */
#ifndef IMGPIPE_SNS_CURL_H
#define IMGPIPE_SNS_CURL_H

#include <curl/curl.h>
#include <pthread.h>

struct sns_curl {
	pthread_mutex_t lock;
	int state;            /* 0 not tried, 1 loaded, -1 failed */
	void *handle;         /* from dlopen */
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *curl);
	void (*easy_reset)(CURL *curl);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list,
					   const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
};

void sns_curl_init(struct sns_curl *c);
/* The loaded table, or NULL when libcurl cannot be loaded (logged once).
 * Safe from any thread. */
const struct sns_curl *sns_curl_get(struct sns_curl *c);
/* After every user has stopped: curl_global_cleanup and dlclose. */
void sns_curl_unload(struct sns_curl *c);

#endif
