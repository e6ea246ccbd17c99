/*
 * ids.c - random identifiers (see ids.h).
 */
#include "ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

static void fill_random(unsigned char *p, size_t n)
{
	while (n) {
		ssize_t got = getrandom(p, n, 0);
		if (got <= 0)
			abort(); /* the kernel's entropy source failed */
		p += got;
		n -= (size_t)got;
	}
}

void ids_uuid4(char out[37])
{
	unsigned char b[16];
	fill_random(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void from_alphabet(char *out, size_t len, const char *alphabet,
			  unsigned n)
{
	unsigned char b[64];
	size_t i = 0;
	while (i < len) {
		fill_random(b, sizeof(b));
		for (size_t k = 0; k < sizeof(b) && i < len; k++) {
			/* Reject the top of the range: no modulo bias. */
			if (b[k] >= 256 - (256 % n))
				continue;
			out[i++] = alphabet[b[k] % n];
		}
	}
	out[len] = '\0';
}

void ids_alnum(char *out, size_t len)
{
	from_alphabet(out, len, "abcdefghijklmnopqrstuvwxyz0123456789", 36);
}

void ids_hex(char *out, size_t len)
{
	from_alphabet(out, len, "0123456789abcdef", 16);
}
