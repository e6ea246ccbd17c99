# pipeline/glue.mk - the Lambda side of the pipeline (included by the
# top-level Makefile after pipeline/pipeline.mk, whose PIPE_LIB holds the
# handler and the image core).
#
#   $(BUILD)/bin/bootstrap          the custom runtime (pipeline/bootstrap.c)
#   make lambda-zip                 $(BUILD)/lambda/pipeline.zip: bootstrap,
#                                   every shared library it needs and the
#                                   dynamic loader (pipeline/lambda_zip.sh),
#                                   so it runs on provided.al2023 whatever
#                                   the build host's glibc
#
# `make run`, `make bench` (tests/bench/bench_e2e.sh) and the integration
# tests need the zip: it is added to their prerequisites here.

BOOTSTRAP  := $(BUILD)/bin/bootstrap
LAMBDA_ZIP := $(BUILD)/lambda/pipeline.zip

$(BOOTSTRAP): $(BUILD)/obj/pipeline/bootstrap.o $(PIPE_LIB) $(SDK_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(VIPS_LIBS) $(LIBS)

$(LAMBDA_ZIP): $(BOOTSTRAP) pipeline/lambda_zip.sh
	@mkdir -p $(@D)
	sh pipeline/lambda_zip.sh $(BOOTSTRAP) $@

.PHONY: lambda-zip
lambda-zip: $(LAMBDA_ZIP)

ALL_BINS         += $(BOOTSTRAP)
INTEGRATION_DEPS += $(LAMBDA_ZIP)
run-only: $(LAMBDA_ZIP)
bench: $(LAMBDA_ZIP)
