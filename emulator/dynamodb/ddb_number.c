/*
 * ddb_number.c - the 38-digit decimal behind DynamoDB's N type: parse,
 * canonical text, comparison, exact addition and subtraction, and the
 * order-preserving key encoding (see ddb_number.h for the layout).
 */
#include "ddb_number.h"

#include <string.h>

typedef unsigned __int128 u128;

#define SCIEXP_MAX 125
#define SCIEXP_MIN (-130)

static u128 pow10_u128(int n)
{
	u128 p = 1;
	while (n-- > 0)
		p *= 10;
	return p;
}

/* Digits of m (m > 0) as text into out (at least 40 bytes); length. */
static int mant_text(u128 m, char *out)
{
	char tmp[48];
	int n = 0;
	while (m) {
		tmp[n++] = (char)('0' + (int)(m % 10));
		m /= 10;
	}
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
	return n;
}

int ddb_num_digits(const struct ddb_num *n)
{
	char t[48];
	return n->sign ? mant_text(n->mant, t) : 0;
}

/* Strip trailing zeros and check digits and range; sign set by caller. */
static enum ddb_num_status normalize(struct ddb_num *n)
{
	if (n->mant == 0) {
		n->sign = 0;
		n->exp = 0;
		return DDB_NUM_OK;
	}
	while (n->mant % 10 == 0) {
		n->mant /= 10;
		n->exp++;
	}
	int digits = ddb_num_digits(n);
	if (digits > DDB_NUM_DIGITS)
		return DDB_NUM_EPREC;
	long sciexp = (long)n->exp + digits - 1;
	if (sciexp > SCIEXP_MAX)
		return DDB_NUM_EOVERFLOW;
	if (sciexp < SCIEXP_MIN)
		return DDB_NUM_EUNDERFLOW;
	return DDB_NUM_OK;
}

enum ddb_num_status ddb_num_parse(const char *s, struct ddb_num *out)
{
	char digits[DDB_NUM_DIGITS + 2];
	long n = 0;           /* significant digits seen (after leading 0s) */
	long last_nz = -1;    /* index of the last non-zero digit */
	long exp10 = 0;
	int sign = 1, any = 0;
	const char *p = s;

	memset(out, 0, sizeof(*out));
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (; *p >= '0' && *p <= '9'; p++) {
		any = 1;
		if (n == 0 && *p == '0')
			continue;
		if (n < (long)sizeof(digits))
			digits[n] = *p;
		if (*p != '0')
			last_nz = n;
		n++;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			any = 1;
			exp10--;
			if (n == 0 && *p == '0')
				continue;
			if (n < (long)sizeof(digits))
				digits[n] = *p;
			if (*p != '0')
				last_nz = n;
			n++;
		}
	}
	if (!any)
		return DDB_NUM_EINVAL;
	if (*p == 'e' || *p == 'E') {
		int esign = 1;
		long e = 0;
		p++;
		if (*p == '+' || *p == '-')
			esign = *p++ == '-' ? -1 : 1;
		if (!(*p >= '0' && *p <= '9'))
			return DDB_NUM_EINVAL;
		for (; *p >= '0' && *p <= '9'; p++)
			if (e < 1000000)
				e = e * 10 + (*p - '0');
		exp10 += esign * e;
	}
	if (*p)
		return DDB_NUM_EINVAL;
	if (last_nz < 0)
		return DDB_NUM_OK; /* zero */
	long sig = last_nz + 1;
	exp10 += n - sig;
	if (sig > DDB_NUM_DIGITS)
		return DDB_NUM_EPREC;
	if (exp10 + sig - 1 > SCIEXP_MAX)
		return DDB_NUM_EOVERFLOW;
	if (exp10 + sig - 1 < SCIEXP_MIN)
		return DDB_NUM_EUNDERFLOW;
	for (long i = 0; i < sig; i++)
		out->mant = out->mant * 10 + (u128)(digits[i] - '0');
	out->sign = sign;
	out->exp = (int)exp10;
	return normalize(out);
}

void ddb_num_format(const struct ddb_num *n, char *out)
{
	char d[48];
	if (!n->sign) {
		strcpy(out, "0");
		return;
	}
	int nd = mant_text(n->mant, d);
	char *o = out;
	if (n->sign < 0)
		*o++ = '-';
	if (n->exp >= 0) {
		memcpy(o, d, (size_t)nd);
		o += nd;
		for (int i = 0; i < n->exp; i++)
			*o++ = '0';
	} else if (-n->exp < nd) {
		int ip = nd + n->exp; /* digits before the point */
		memcpy(o, d, (size_t)ip);
		o += ip;
		*o++ = '.';
		memcpy(o, d + ip, (size_t)(nd - ip));
		o += nd - ip;
	} else {
		*o++ = '0';
		*o++ = '.';
		for (int i = 0; i < -n->exp - nd; i++)
			*o++ = '0';
		memcpy(o, d, (size_t)nd);
		o += nd;
	}
	*o = 0;
}

/* Compare magnitudes of two non-zero numbers. */
static int cmp_abs(const struct ddb_num *a, const struct ddb_num *b)
{
	int da = ddb_num_digits(a), db = ddb_num_digits(b);
	long sa = (long)a->exp + da - 1, sb = (long)b->exp + db - 1;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	/* Same scientific exponent: align mantissas to the same length. */
	u128 ma = a->mant, mb = b->mant;
	if (da < db)
		ma *= pow10_u128(db - da);
	else if (db < da)
		mb *= pow10_u128(da - db);
	return ma < mb ? -1 : ma > mb ? 1 : 0;
}

int ddb_num_cmp(const struct ddb_num *a, const struct ddb_num *b)
{
	if (a->sign != b->sign)
		return a->sign < b->sign ? -1 : 1;
	if (!a->sign)
		return 0;
	int c = cmp_abs(a, b);
	return a->sign > 0 ? c : -c;
}

/* Scale m * 10^by; -1 when the result would reach 10^38 (no fit). */
static int scale(u128 *m, int by)
{
	const u128 limit = (u128)10000000000000000000ULL *
			   (u128)10000000000000000000ULL;
	for (int i = 0; i < by; i++) {
		if (*m >= limit / 10)
			return -1;
		*m *= 10;
	}
	return 0;
}

enum ddb_num_status ddb_num_add(const struct ddb_num *a,
				const struct ddb_num *b, struct ddb_num *out)
{
	if (!a->sign) {
		*out = *b;
		return DDB_NUM_OK;
	}
	if (!b->sign) {
		*out = *a;
		return DDB_NUM_OK;
	}
	int e = a->exp < b->exp ? a->exp : b->exp;
	u128 ma = a->mant, mb = b->mant;
	if (scale(&ma, a->exp - e) || scale(&mb, b->exp - e))
		return DDB_NUM_EPREC;
	memset(out, 0, sizeof(*out));
	out->exp = e;
	if (a->sign == b->sign) {
		out->mant = ma + mb;
		out->sign = a->sign;
	} else if (ma >= mb) {
		out->mant = ma - mb;
		out->sign = a->sign;
	} else {
		out->mant = mb - ma;
		out->sign = b->sign;
	}
	return normalize(out);
}

enum ddb_num_status ddb_num_sub(const struct ddb_num *a,
				const struct ddb_num *b, struct ddb_num *out)
{
	struct ddb_num nb = *b;
	nb.sign = -nb.sign;
	return ddb_num_add(a, &nb, out);
}

size_t ddb_num_key(const struct ddb_num *n, unsigned char *out)
{
	char d[48];
	if (!n->sign) {
		out[0] = 0x80;
		return 1;
	}
	int nd = mant_text(n->mant, d);
	unsigned e = (unsigned)(n->exp + nd - 1 + 0x8000);
	size_t len = 0;
	if (n->sign > 0) {
		out[len++] = 0xC0;
		out[len++] = (unsigned char)(e >> 8);
		out[len++] = (unsigned char)e;
		for (int i = 0; i < nd; i++)
			out[len++] = (unsigned char)d[i];
	} else {
		out[len++] = 0x40;
		out[len++] = (unsigned char)~(e >> 8);
		out[len++] = (unsigned char)~e;
		for (int i = 0; i < nd; i++)
			out[len++] = (unsigned char)(0xFF - (unsigned char)d[i]);
		out[len++] = 0xFF;
	}
	return len;
}

const char *ddb_num_message(enum ddb_num_status st)
{
	switch (st) {
	case DDB_NUM_OK:
		return "";
	case DDB_NUM_EINVAL:
		return "The parameter cannot be converted to a numeric value";
	case DDB_NUM_EPREC:
		return "Attempting to store more than 38 significant digits "
		       "in a Number";
	case DDB_NUM_EOVERFLOW:
		return "Number overflow. Attempting to store a number with "
		       "magnitude larger than supported range";
	case DDB_NUM_EUNDERFLOW:
		return "Number underflow. Attempting to store a number with "
		       "magnitude smaller than supported range";
	}
	return "";
}
