/*
 * ids.h - random identifiers: UUIDs (message ids, request ids) and
 * lower-case alphanumeric ids (API Gateway's 10-character ids, ...),
 * from getrandom(2).
 */
#ifndef IMGPIPE_IDS_H
#define IMGPIPE_IDS_H

#include <stddef.h>

/* A random (version 4) UUID, 36 characters + NUL. */
void ids_uuid4(char out[37]);
/* len random characters from [a-z0-9] + NUL (out has len + 1 bytes). */
void ids_alnum(char *out, size_t len);
/* len random lower-case hex characters + NUL. */
void ids_hex(char *out, size_t len);

#endif
