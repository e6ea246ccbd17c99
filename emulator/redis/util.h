/*
 * util.h - small pure helpers of the Redis server: strict number parsing
 * and formatting the way Redis 7 does it, and glob-style matching (KEYS,
 * SCAN MATCH, PSUBSCRIBE, CONFIG GET).
 *
 * Nothing here allocates or touches server state, so the unit tests and
 * the fuzz target use these functions directly.
 */
#ifndef IMGPIPE_REDIS_UTIL_H
#define IMGPIPE_REDIS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Longest text the formatting functions below write, terminator included. */
#define REDIS_NUMSTR_MAX 5120

/*
 * Parse a whole string as a signed 64-bit integer, Redis's strict way: no
 * spaces, no '+', no leading zeros, no overflow.  Returns 0 and *out, or
 * -1 (out untouched).
 */
int redis_str2ll(const char *s, size_t len, long long *out);
/* Parse a double (scores, timeouts): strtod over the whole string, no
 * leading space, NaN refused; "inf", "+inf", "-inf" accepted. */
int redis_str2d(const char *s, size_t len, double *out);
/* Parse a long double (INCRBYFLOAT, HINCRBYFLOAT), same rules. */
int redis_str2ld(const char *s, size_t len, long double *out);

/* Write ll in decimal; returns the length. buf needs 21 bytes. */
size_t redis_ll2str(char *buf, size_t size, long long ll);
/* A double as Redis 7.0 replies it (ZSCORE, ZRANGE WITHSCORES): "%.17g",
 * with "inf"/"-inf".  Returns the length. */
size_t redis_d2str(char *buf, size_t size, double d);
/* A long double as INCRBYFLOAT stores it: "%.17Lf" with trailing zeros
 * (and a trailing dot) removed; "inf"/"-inf".  Returns the length, or 0 if
 * it does not fit. */
size_t redis_ld2str(char *buf, size_t size, long double ld);

/* Glob matching as Redis does it: '*', '?', '[abc]', '[^a-z]', '\x'.
 * Returns 1 on a match. */
int redis_glob_match(const char *pat, size_t plen, const char *str,
		     size_t slen, int nocase);

/* Case-insensitive comparison of a counted string with a C string. */
int redis_eq(const char *s, size_t len, const char *lit);

/* Milliseconds and microseconds of the wall clock, and of a monotonic
 * clock for timeouts. */
int64_t redis_now_ms(void);
int64_t redis_now_us(void);
int64_t redis_mono_ms(void);

#endif
