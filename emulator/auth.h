/*
 * auth.h - SigV4 authentication of requests (--auth sigv4).
 *
 * With --auth off every request is accepted and the identity is read
 * from the credential scope when there is one.  With --auth sigv4 each
 * request must be signed (header or presigned query) by the configured
 * key pair; the router calls:
 *   auth_check_headers()  for operations that stream their body: checks
 *                         the signature against the declared payload hash
 *                         (x-amz-content-sha256); the body's own hash or
 *                         chunk signatures are the operation's to check
 *   auth_check_body()     for buffered bodies, once the body is in:
 *                         computes the payload hash when none is declared
 *                         and checks a declared one against the body
 * Both return 0, or -1 with the AWS error recorded on the request.
 */
#ifndef IMGPIPE_AUTH_H
#define IMGPIPE_AUTH_H

#include "service.h"

int auth_check_headers(struct request *req);
int auth_check_body(struct request *req);

#endif
