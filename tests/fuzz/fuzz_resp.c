// fuzz-sources: emulator/redis/resp.c emulator/redis/object.c emulator/redis/dict.c emulator/redis/util.c sdk/xalloc.c
// fuzz-dict: "*"
// fuzz-dict: "$"
// fuzz-dict: "\x0d\x0a"
// fuzz-dict: "*1\x0d\x0a$"
// fuzz-dict: "\\x4"
// fuzz-dict: "\""
// fuzz-dict: "'"
// fuzz-seed: \005*2\r\n$3\r\nGET\r\n$1\r\nk\r\n
// fuzz-seed: \001SET "a b\\x41" 'it\\'s' plain\r\n\r\nPING\n
// fuzz-seed: \040*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*0\r\n
/*
 * fuzz_resp.c - libFuzzer target for the Redis request parser
 * (emulator/redis/resp.c): whatever bytes a client sends, in whatever
 * pieces, the parser must consume them without reading out of bounds,
 * leaking, or looping; a command it returns has argc > 0 and arguments
 * of the length it says.
 *
 * The first input byte picks the piece size and the limits (small ones,
 * so the limit paths are reached); the rest is the stream.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redis/resp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	data++;
	size--;
	size_t step = (size_t)(ctl & 0x0f) + 1;
	struct resp_parser p;
	resp_parser_init(&p);
	p.unauthenticated = (ctl & 0x10) != 0;
	if (ctl & 0x20) {
		p.max_inline = 64;
		p.max_multibulk = 16;
		p.max_bulk = 1024;
	}
	/* The caller's buffer, as server.c keeps it: unconsumed bytes stay
	 * at the front and the next piece is appended. */
	uint8_t *buf = malloc(size + 1);
	size_t have = 0, fed = 0;
	for (;;) {
		size_t n = size - fed < step ? size - fed : step;
		memcpy(buf + have, data + fed, n);
		have += n;
		fed += n;
		int dead = 0;
		for (;;) {
			size_t used = 0;
			const char *err = NULL;
			int rc = resp_parse(&p, (const char *)buf, have, &used, &err);
			if (used > have)
				abort();
			memmove(buf, buf + used, have - used);
			have -= used;
			if (rc == RESP_ERROR) {
				if (!err)
					abort();
				dead = 1;
				break;
			}
			if (rc == RESP_MORE)
				break;
			if (p.argc == 0)
				abort();
			for (size_t i = 0; i < p.argc; i++)
				if (p.argv[i]->data[p.argv[i]->len] != '\0')
					abort();
			resp_parser_clear_args(&p);
		}
		if (dead || fed == size)
			break;
	}
	free(buf);
	resp_parser_free(&p);

	/* The inline splitter on its own. */
	resp_parser_init(&p);
	resp_split_inline(&p, (const char *)data, size);
	resp_parser_free(&p);
	return 0;
}
