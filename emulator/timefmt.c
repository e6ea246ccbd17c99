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
	snprintf(out, TIMEFMT_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ms);
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
	snprintf(out, TIMEFMT_MAX, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		 days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
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
