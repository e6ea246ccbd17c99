/*
 * bootstrap.c - the pipeline as a Lambda custom runtime (provided.al2023):
 * the process Lambda (or the emulator) starts in the function's code
 * directory with AWS_LAMBDA_RUNTIME_API set.
 *
 * It initialises libvips once, builds the pipeline from the environment
 * (pipeline/handler.h lists the variables), then loops on the Runtime
 * API: next invocation -> pipeline_handle -> response or error.  An
 * initialisation failure (libvips, a missing or invalid variable) is
 * posted to /runtime/init/error, as Lambda expects, and the process
 * exits 1.  The loop ends only when the Runtime API fails (that is how
 * Lambda retires an environment); the exit status is then 1.
 *
 * In the deployment zip this binary is bin/bootstrap-real, started by
 * the `bootstrap` script through the bundled dynamic loader
 * (pipeline/lambda_zip.sh).
 */
#include "handler.h"
#include "image.h"
#include "runtime_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Report an init failure to the Runtime API and stderr; returns 1. */
static int init_failed(struct runtime_client *rc, const char *type,
		       const char *message)
{
	struct aws_error err;
	fprintf(stderr, "imgpipe bootstrap: %s: %s\n", type, message);
	if (runtime_client_init_error(rc, type, message, &err))
		fprintf(stderr, "imgpipe bootstrap: cannot report it: %s %s\n",
			err.code, err.message);
	return 1;
}

int main(int argc, char **argv)
{
	struct aws_error err;
	char why[1024];

	(void)argc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IOLBF, 0);
	struct runtime_client *rc = runtime_client_new(NULL, &err);
	if (!rc) {
		fprintf(stderr, "imgpipe bootstrap: %s (is this running "
			"under Lambda?)\n", err.message);
		return 1;
	}
	if (imgpipe_image_init(argv[0], why, sizeof(why))) {
		int r = init_failed(rc, "Runtime.InitError", why);
		runtime_client_free(rc);
		return r;
	}
	struct pipeline *p = pipeline_new(NULL, NULL, why, sizeof(why));
	if (!p) {
		int r = init_failed(rc, "Runtime.InitError", why);
		imgpipe_image_shutdown();
		runtime_client_free(rc);
		return r;
	}
	int r = runtime_client_run(rc, pipeline_handle, p, 0, &err);
	if (r)
		fprintf(stderr, "imgpipe bootstrap: runtime API: %s %s\n",
			err.code, err.message);
	pipeline_free(p);
	imgpipe_image_shutdown();
	runtime_client_free(rc);
	return r ? 1 : 0;
}
