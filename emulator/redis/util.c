/*
 * util.c - number parsing/formatting and glob matching (see util.h).
 *
 * The number rules follow what redis-server 7.0 accepts and prints, checked
 * byte for byte against it: integers are strict (no '+', no leading
 * zeros), floats go through strtod/strtold and must use every byte.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int redis_str2ll(const char *s, size_t len, long long *out)
{
	if (len == 0 || len > 20)
		return -1;
	size_t i = 0;
	int neg = 0;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (len == 1)
			return -1;
	}
	if (s[i] == '0' && (len - i > 1 || neg))
		return -1;
	unsigned long long v = 0;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -1;
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
							   : -(long long)v;
	} else {
		if (v > (unsigned long long)LLONG_MAX)
			return -1;
		*out = (long long)v;
	}
	return 0;
}

/* Copy a counted string into a terminated buffer for strtod/strtold. */
static int copy_num(char *tmp, size_t size, const char *s, size_t len)
{
	if (len == 0 || len >= size || isspace((unsigned char)s[0]))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (strlen(tmp) != len)
		return -1;
	return 0;
}

int redis_str2d(const char *s, size_t len, double *out)
{
	char tmp[REDIS_NUMSTR_MAX];
	if (copy_num(tmp, sizeof tmp, s, len))
		return -1;
	char *end;
	errno = 0;
	double d = strtod(tmp, &end);
	if (*end != '\0' || isnan(d) ||
	    (errno == ERANGE && (isinf(d) || d == 0)))
		return -1;
	*out = d;
	return 0;
}

int redis_str2ld(const char *s, size_t len, long double *out)
{
	char tmp[REDIS_NUMSTR_MAX];
	if (copy_num(tmp, sizeof tmp, s, len))
		return -1;
	char *end;
	errno = 0;
	long double d = strtold(tmp, &end);
	if (*end != '\0' || isnan(d) ||
	    (errno == ERANGE && (isinf(d) || d == 0)))
		return -1;
	*out = d;
	return 0;
}

size_t redis_ll2str(char *buf, size_t size, long long ll)
{
	/* Every reply header goes through here: no printf. */
	char tmp[24];
	size_t n = 0;
	unsigned long long v = ll < 0 ? 0ULL - (unsigned long long)ll
				      : (unsigned long long)ll;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (ll < 0)
		tmp[n++] = '-';
	if (n + 1 > size) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

size_t redis_d2str(char *buf, size_t size, double d)
{
	int n;
	if (isinf(d))
		n = snprintf(buf, size, "%s", d > 0 ? "inf" : "-inf");
	else
		n = snprintf(buf, size, "%.17g", d);
	return n < 0 ? 0 : (size_t)n;
}

size_t redis_ld2str(char *buf, size_t size, long double ld)
{
	int n;
	if (isinf(ld)) {
		n = snprintf(buf, size, "%s", ld > 0 ? "inf" : "-inf");
		return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
	}
	n = snprintf(buf, size, "%.17Lf", ld);
	if (n < 0 || (size_t)n >= size)
		return 0;
	if (strchr(buf, '.')) {
		while (n > 0 && buf[n - 1] == '0')
			n--;
		if (n > 0 && buf[n - 1] == '.')
			n--;
		buf[n] = '\0';
	}
	if (n == 2 && buf[0] == '-' && buf[1] == '0') {
		buf[0] = '0';
		buf[1] = '\0';
		n = 1;
	}
	return (size_t)n;
}

static int fold(int c, int nocase)
{
	return nocase ? tolower((unsigned char)c) : (unsigned char)c;
}

/*
 * Match a bracket class starting just after '['.  On return *pp points
 * past the closing ']' (or at the end when unterminated, where Redis
 * treats the rest as the class).  Returns 1 when c is in the class.
 */
static int match_class(const char **pp, const char *pend, int c, int nocase)
{
	const char *p = *pp;
	int neg = 0, hit = 0;
	if (p < pend && *p == '^') {
		neg = 1;
		p++;
	}
	while (p < pend && *p != ']') {
		if (*p == '\\' && p + 1 < pend) {
			p++;
			if (fold(*p, nocase) == c)
				hit = 1;
			p++;
		} else if (p + 2 < pend && p[1] == '-' && p[2] != ']') {
			int lo = fold(p[0], nocase), hi = fold(p[2], nocase);
			if (lo > hi) {
				int t = lo;
				lo = hi;
				hi = t;
			}
			if (c >= lo && c <= hi)
				hit = 1;
			p += 3;
		} else {
			if (fold(*p, nocase) == c)
				hit = 1;
			p++;
		}
	}
	if (p < pend)
		p++; /* the ']' */
	*pp = p;
	return neg ? !hit : hit;
}

/*
 * Iterative glob matcher: on a mismatch it backtracks to the last '*'
 * and lets it swallow one more byte, so the cost stays O(pattern * text)
 * whatever the number of stars.
 */
int redis_glob_match(const char *pat, size_t plen, const char *str,
		     size_t slen, int nocase)
{
	const char *p = pat, *pend = pat + plen;
	const char *s = str, *send = str + slen;
	const char *star_p = NULL, *star_s = NULL;

	while (s < send) {
		if (p < pend && *p == '*') {
			while (p < pend && *p == '*')
				p++;
			if (p == pend)
				return 1;
			star_p = p;
			star_s = s;
			continue;
		}
		int ok = 0;
		const char *np = p;
		if (p < pend) {
			int c = fold(*s, nocase);
			if (*p == '?') {
				ok = 1;
				np = p + 1;
			} else if (*p == '[') {
				np = p + 1;
				ok = match_class(&np, pend, c, nocase);
			} else if (*p == '\\' && p + 1 < pend) {
				ok = fold(p[1], nocase) == c;
				np = p + 2;
			} else {
				ok = fold(*p, nocase) == c;
				np = p + 1;
			}
		}
		if (ok) {
			p = np;
			s++;
		} else if (star_p) {
			p = star_p;
			s = ++star_s;
		} else {
			return 0;
		}
	}
	while (p < pend && *p == '*')
		p++;
	return p == pend;
}

int redis_eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

int64_t redis_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t redis_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t redis_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
