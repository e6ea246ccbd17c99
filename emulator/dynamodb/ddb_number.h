/*
 * ddb_number.h - DynamoDB's Number type: a decimal with up to 38
 * significant digits and a magnitude between 1E-130 and
 * 9.99...E+125, never a double.
 *
 * A value is sign * mant * 10^exp with mant an unsigned __int128
 * (10^38 < 2^127) kept without trailing zeros, so equal values have
 * equal representations.  Text comes back in DynamoDB's canonical plain
 * form ("1E3" -> "1000", "1.50" -> "1.5", "-0" -> "0").
 *
 * ddb_num_key() writes an order-preserving byte string: memcmp() of two
 * keys orders them as the numbers compare.  Layout:
 *   zero      0x80
 *   positive  0xC0, (sciexp + 0x8000) big-endian, digits as '0'..'9'
 *   negative  0x40, ~(sciexp + 0x8000), each digit 0xFF - '0'..'9', 0xFF
 * where sciexp is the exponent of the first digit (d.ddd x 10^sciexp).
 */
#ifndef IMGPIPE_DDB_NUMBER_H
#define IMGPIPE_DDB_NUMBER_H

#include <stddef.h>

#define DDB_NUM_DIGITS 38
#define DDB_NUM_KEY_MAX 48   /* bytes ddb_num_key may write */
#define DDB_NUM_TEXT_MAX 200 /* bytes ddb_num_format may write, with NUL */

/* Results of parse and arithmetic. */
enum ddb_num_status {
	DDB_NUM_OK = 0,
	DDB_NUM_EINVAL,    /* not a number */
	DDB_NUM_EPREC,     /* more than 38 significant digits */
	DDB_NUM_EOVERFLOW, /* magnitude above 9.99..E+125 */
	DDB_NUM_EUNDERFLOW /* magnitude below 1E-130 */
};

struct ddb_num {
	int sign;               /* -1, 0, 1 */
	unsigned __int128 mant; /* no trailing zeros; 0 when sign == 0 */
	int exp;                /* value = sign * mant * 10^exp */
};

/* Parse s ("-1.5e3", "+.5", "007").  Returns DDB_NUM_OK or an error. */
enum ddb_num_status ddb_num_parse(const char *s, struct ddb_num *out);
/* Canonical plain text into out (DDB_NUM_TEXT_MAX bytes). */
void ddb_num_format(const struct ddb_num *n, char *out);
/* <0, 0, >0 as a compares to b. */
int ddb_num_cmp(const struct ddb_num *a, const struct ddb_num *b);
/* out = a + b (or a - b); an error when the exact result does not fit. */
enum ddb_num_status ddb_num_add(const struct ddb_num *a,
				const struct ddb_num *b, struct ddb_num *out);
enum ddb_num_status ddb_num_sub(const struct ddb_num *a,
				const struct ddb_num *b, struct ddb_num *out);
/* Number of significant digits (0 for zero). */
int ddb_num_digits(const struct ddb_num *n);
/* Order-preserving key bytes into out (DDB_NUM_KEY_MAX); returns length. */
size_t ddb_num_key(const struct ddb_num *n, unsigned char *out);
/* The message DynamoDB gives for a status (for ValidationException). */
const char *ddb_num_message(enum ddb_num_status st);

#endif
