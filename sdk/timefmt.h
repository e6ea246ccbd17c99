/*
 * timefmt.h - the clocks and date formats AWS protocols use, in one place.
 *
 *   ISO 8601 with milliseconds  2025-01-02T03:04:05.678Z  (XML, Query)
 *   ISO 8601 basic              20250102T030405Z          (SigV4)
 *   HTTP date (RFC 7231)        Thu, 02 Jan 2025 03:04:05 GMT
 *   epoch seconds, fractional   1735787045.678           (JSON protocols)
 *
 * Every output buffer is TIMEFMT_MAX bytes; every value is UTC.  It lives
 * in sdk/ so the emulator and the pipeline share one implementation.
 */
#ifndef IMGPIPE_TIMEFMT_H
#define IMGPIPE_TIMEFMT_H

#include <stdint.h>

#define TIMEFMT_MAX 40

/* Wall clock, milliseconds since the epoch. */
int64_t time_now_ms(void);
/* Monotonic clock, microseconds (for durations only). */
int64_t time_mono_us(void);

void time_iso8601_ms(int64_t epoch_ms, char out[TIMEFMT_MAX]);
void time_iso8601_basic(int64_t epoch_ms, char out[TIMEFMT_MAX]);
void time_http_date(int64_t epoch_ms, char out[TIMEFMT_MAX]);

/* Parse an HTTP date (RFC 7231 IMF-fixdate, also RFC 850 and asctime
 * forms) into epoch ms; returns 0 or -1. */
int time_parse_http_date(const char *s, int64_t *epoch_ms);
/* Parse ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff]Z" (or basic
 * "YYYYMMDDTHHMMSSZ") into epoch ms; returns 0 or -1. */
int time_parse_iso8601(const char *s, int64_t *epoch_ms);

#endif
