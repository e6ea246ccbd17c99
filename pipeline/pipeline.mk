# pipeline/pipeline.mk - build rules for the image pipeline (included by
# the top-level Makefile, which provides BUILD, CFLAGS_ALL, LDFLAGS_ALL,
# LIBS, VIPS_CFLAGS, VIPS_LIBS, SDK_LIB, ALL_BINS and UNIT_BIN).
#
#   $(BUILD)/lib/libimgpipe-pipeline.a   every pipeline/*.c except programs
#   $(BUILD)/bin/imgpipe-process         the local CLI over the image core
#   $(BUILD)/tests/pipeline/test_*       cmocka tests, linked with libvips
#
# Pipeline objects are compiled with the libvips include flags on top of
# the project flags, by their own pattern rule (not a target-specific
# variable: that would reach $(BUILD)/.flags, a prerequisite, and flip
# the recorded flags).  These rules have shorter stems than the generic
# `$(BUILD)/obj/%.o` and `$(BUILD)/tests/%` rules, so GNU make picks them.

PIPE_PROGS := pipeline/imgpipe_process.c pipeline/bootstrap.c
PIPE_SRC   := $(sort $(filter-out $(PIPE_PROGS),$(wildcard pipeline/*.c)))
PIPE_OBJ   := $(PIPE_SRC:%.c=$(BUILD)/obj/%.o)
PIPE_LIB   := $(BUILD)/lib/libimgpipe-pipeline.a
PIPE_UNIT  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,\
                $(sort $(wildcard tests/unit/pipeline/test_*.c)))

$(BUILD)/obj/pipeline/%.o: pipeline/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(VIPS_CFLAGS) -MMD -MP -c $< -o $@

$(PIPE_LIB): $(PIPE_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/imgpipe-process: $(BUILD)/obj/pipeline/imgpipe_process.o \
    $(PIPE_LIB) $(SDK_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(VIPS_LIBS) $(LIBS)

$(BUILD)/tests/pipeline/%: tests/unit/pipeline/%.c $(PIPE_LIB) $(SDK_LIB) \
    $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(VIPS_CFLAGS) -Ipipeline -Itests/unit -MMD -MP \
	  -o $@ $< $(PIPE_LIB) $(SDK_LIB) $(LDFLAGS_ALL) $(VIPS_LIBS) $(LIBS) \
	  -lcmocka

ALL_BINS += $(BUILD)/bin/imgpipe-process
UNIT_BIN += $(filter-out $(UNIT_BIN),$(PIPE_UNIT))
