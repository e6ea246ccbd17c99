/*
 * timefmt.c - AWS date formats (see timefmt.h).  Built on timegm and
 * strptime so calendar arithmetic is the C library's, not ours.
 */
#include "timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void split(int64_t epoch_ms, struct tm *tm, int *ms)
{
	time_t sec = (time_t)(epoch_ms / 1000);
	*ms = (int)(epoch_ms % 1000);
	if (*ms < 0) {
		*ms += 1000;
		sec--;
	}
	gmtime_r(&sec, tm);
}

void time_iso8601_ms(int64_t epoch_ms, char out[TIMEFMT_MAX])
{
	struct tm tm;
	int ms;
	split(epoch_ms, &tm, &ms);
	/* The modulos only tell the compiler each field's width. */
	snprintf(out, TIMEFMT_MAX, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
		 (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
		 (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
		 (unsigned)tm.tm_sec % 100u, (unsigned)ms % 1000u);
}

void time_iso8601_basic(int64_t epoch_ms, char out[TIMEFMT_MAX])
{
	struct tm tm;
	int ms;
	split(epoch_ms, &tm, &ms);
	strftime(out, TIMEFMT_MAX, "%Y%m%dT%H%M%SZ", &tm);
}

void time_http_date(int64_t epoch_ms, char out[TIMEFMT_MAX])
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
					   "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
					     "May", "Jun", "Jul", "Aug",
					     "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	int ms;
	split(epoch_ms, &tm, &ms);
	/* Not strftime: %a and %b follow the locale. */
	snprintf(out, TIMEFMT_MAX, "%s, %02u %s %04u %02u:%02u:%02u GMT",
		 days[tm.tm_wday % 7], (unsigned)tm.tm_mday % 100u,
		 months[tm.tm_mon % 12], (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
		 (unsigned)tm.tm_sec % 100u);
}

static int parse_with(const char *s, const char *fmt, int64_t *epoch_ms)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(s, fmt, &tm);
	if (!end || *end)
		return -1;
	*epoch_ms = (int64_t)timegm(&tm) * 1000;
	return 0;
}

int time_parse_http_date(const char *s, int64_t *epoch_ms)
{
	if (parse_with(s, "%a, %d %b %Y %H:%M:%S GMT", epoch_ms) == 0 ||
	    parse_with(s, "%A, %d-%b-%y %H:%M:%S GMT", epoch_ms) == 0 ||
	    parse_with(s, "%a %b %e %H:%M:%S %Y", epoch_ms) == 0)
		return 0;
	return -1;
}

int time_parse_iso8601(const char *s, int64_t *epoch_ms)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return parse_with(s, "%Y%m%dT%H%M%SZ", epoch_ms);
	int ms = 0;
	if (*end == '.') {
		int digits = 0;
		end++;
		while (*end >= '0' && *end <= '9') {
			if (digits < 3) {
				ms = ms * 10 + (*end - '0');
				digits++;
			}
			end++;
		}
		while (digits++ < 3)
			ms *= 10;
	}
	if (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0)
		return -1;
	*epoch_ms = (int64_t)timegm(&tm) * 1000 + ms;
	return 0;
}
