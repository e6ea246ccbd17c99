/*
 * bootstrap.c - the empty function bench_lambda.sh invokes: a custom
 * runtime `bootstrap` that runs the Lambda Runtime API loop (GET
 * .../invocation/next, POST .../invocation/{id}/response with "{}") over
 * one kept-alive HTTP/1.1 connection, reconnecting whenever the server
 * closes it.  It does no work and logs nothing, so an invoke measures
 * the emulator's own path.  Built by bench_lambda.sh with
 * `cc -O2 -o bootstrap bootstrap.c`; AWS_LAMBDA_RUNTIME_API is
 * "host:port" optionally followed by a path prefix, kept in front of
 * /2018-06-01/...
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (7 * 1024 * 1024)

static char host[256], prefix[256];
static int port;
static int fd = -1;
static char *buf;

/* Connects fd to the Runtime API; exits on failure (the emulator sees
 * the worker die and reports it). */
static void connect_api(void)
{
	struct sockaddr_in sa;
	int one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "bootstrap: bad host %s\n", host);
		exit(1);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("bootstrap: connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Writes all of p[0..n); returns 0, or -1 when the connection broke. */
static int write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Sends one request and reads its whole response (headers, then
 * Content-Length bytes of body, which is not looked at) into buf.  id,
 * when not NULL (64 bytes), receives Lambda-Runtime-Aws-Request-Id.
 * Returns 0, or -1 when the connection closed first (the caller
 * reconnects and retries). */
static int exchange(const char *method, const char *path, const char *body,
		    char *id)
{
	char head[1024];
	size_t blen = body ? strlen(body) : 0, len = 0, need = 0;
	char *end = NULL;
	int n = snprintf(head, sizeof(head),
			 "%s %s%s HTTP/1.1\r\nHost: %s:%d\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 method, prefix, path, host, port, blen);

	if (write_all(head, (size_t)n) || (blen && write_all(body, blen)))
		return -1;
	for (;;) {
		ssize_t r;
		if (len + 1 >= BUF_SIZE) {
			fprintf(stderr, "bootstrap: response too large\n");
			exit(1);
		}
		r = read(fd, buf + len, BUF_SIZE - len - 1);
		if (r <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = '\0';
		if (!end && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			char *line;
			*end = '\0';
			for (line = buf; *line;) {
				char *nl = strstr(line, "\r\n");
				if (strncasecmp(line, "Content-Length:", 15) == 0)
					need = strtoul(line + 15, NULL, 10);
				else if (id && strncasecmp(line,
					"Lambda-Runtime-Aws-Request-Id:", 30) == 0)
					sscanf(line + 30, " %63[^\r\n]", id);
				if (!nl)
					break;
				line = nl + 2;
			}
			end += 4;
		}
		if (end && len - (size_t)(end - buf) >= need) {
			return 0;
		}
	}
}

int main(void)
{
	const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
	char path[256], id[64];

	if (!api || sscanf(api, "%255[^:]:%d%255s", host, &port, prefix) < 2) {
		fprintf(stderr, "bootstrap: no AWS_LAMBDA_RUNTIME_API\n");
		return 1;
	}
	buf = malloc(BUF_SIZE);
	if (!buf)
		return 1;
	connect_api();
	for (;;) {
		id[0] = '\0';
		while (exchange("GET", "/2018-06-01/runtime/invocation/next",
				NULL, id)) {
			close(fd);
			connect_api();
		}
		snprintf(path, sizeof(path),
			 "/2018-06-01/runtime/invocation/%s/response", id);
		while (exchange("POST", path, "{}", NULL)) {
			close(fd);
			connect_api();
		}
	}
}
