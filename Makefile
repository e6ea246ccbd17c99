# imgpipe - top-level build.
#
#   make              build/bin/emulator and the libraries that exist
#   make deps         install the Debian packages the build and tests need
#   make test         unit (cmocka) + integration tests; under ASan+UBSan
#                     when SANITIZE=1 (CI sets it)
#   make check-asan   the same as `make SANITIZE=1 test`
#   make run          set up and start the emulator on :4566 / :6379
#   make bench        cold start and idle memory, beside moto_server
#   make fuzz         libFuzzer targets (clang), FUZZ_TIME seconds each (20)
#   make clean
#
# Objects go to $(BUILD) (build/ or, with SANITIZE=1, build/asan/), with
# -MMD dependency files; a change of compiler flags rebuilds everything
# (the flags are kept in $(BUILD)/.flags, as Redis keeps .make-settings).

.DELETE_ON_ERROR:
.SUFFIXES:
.DEFAULT_GOAL := all

CC       ?= cc
SANITIZE ?=
ifeq ($(SANITIZE),1)
BUILD    ?= build/asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
OPT      ?= -O1
else
BUILD    ?= build
SANFLAGS :=
OPT      ?= -O2
endif

# Libraries found through pkg-config (see `make deps` for the packages).
PKGS_EMU := libmicrohttpd sqlite3 libcjson libcrypto expat
PKGS_SDK := libcurl libcrypto libcjson hiredis expat
PKGS_ALL := $(sort $(PKGS_EMU) $(PKGS_SDK))

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS_ALL) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS_ALL) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
        -Wvla -Wwrite-strings -fno-common -Wshadow
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) $(SANFLAGS) \
              -Isdk -Iemulator -Iemulator/store $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)
LIBS := $(PKG_LIBS) -lpthread -lm

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CFLAGS_ALL += -DIMGPIPE_VERSION=\"$(VERSION)\"

# ---------------------------------------------------------------------
# Sources: every .c below a folder belongs to it; no list to keep.
SDK_SRC  := $(sort $(filter-out sdk/imgctl.c,$(wildcard sdk/*.c)))
EMU_SRC  := $(sort $(filter-out emulator/main.c,$(shell find emulator -name '*.c')))
UNIT_SRC := $(sort $(shell find tests/unit -name 'test_*.c' 2>/dev/null))

SDK_OBJ  := $(SDK_SRC:%.c=$(BUILD)/obj/%.o)
EMU_OBJ  := $(EMU_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

SDK_LIB  := $(BUILD)/lib/libimgpipe-sdk.a
EMU_LIB  := $(BUILD)/lib/libimgpipe-emulator.a
EMULATOR := $(BUILD)/bin/emulator

# The pipeline (libvips) and the SDK's programs keep their rules beside
# their code; they add to ALL_BINS, UNIT_BIN and the test targets.
VIPS_CFLAGS := $(shell pkg-config --cflags vips 2>/dev/null)
VIPS_LIBS   := $(shell pkg-config --libs vips 2>/dev/null)
ALL_BINS    :=
INTEGRATION_DEPS :=
-include sdk/sdk.mk
-include pipeline/pipeline.mk
-include pipeline/glue.mk

.PHONY: all deps test test-only unit integration compat check-asan run \
        run-only bench fuzz clean FORCE

all: $(EMULATOR) $(ALL_BINS)

# Rebuild everything when the flags change.
$(BUILD)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) $(LIBS)' | cmp -s - $@ || \
	  echo '$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) $(LIBS)' > $@

$(BUILD)/obj/%.o: %.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(SDK_LIB): $(SDK_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(EMU_LIB): $(EMU_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(EMULATOR): $(BUILD)/obj/emulator/main.o $(EMU_LIB) $(SDK_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

# Unit tests: one binary per tests/unit/**/test_*.c, linked with both
# libraries so a test can reach any module (include the .c for statics).
$(BUILD)/tests/%: tests/unit/%.c $(EMU_LIB) $(SDK_LIB) $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests/unit -MMD -MP -o $@ $< $(EMU_LIB) \
	  $(SDK_LIB) $(LDFLAGS_ALL) $(LIBS) -lcmocka

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)


# ---------------------------------------------------------------------
deps:
	@sh tests/lib/deps.sh

unit: $(UNIT_BIN)
	@sh tests/lib/run_unit.sh $(UNIT_BIN)

integration: $(EMULATOR) $(ALL_BINS) $(INTEGRATION_DEPS)
	@EMULATOR_BIN=$(abspath $(EMULATOR)) BUILD_DIR=$(abspath $(BUILD)) \
	  python3 tests/lib/run.py tests/integration

compat: $(EMULATOR) $(ALL_BINS) $(INTEGRATION_DEPS)
	@EMULATOR_BIN=$(abspath $(EMULATOR)) BUILD_DIR=$(abspath $(BUILD)) \
	  python3 tests/lib/run.py tests/compat

# `make test` and `make run` set the machine up first; the work itself
# runs in a fresh make so pkg-config sees the packages deps installed.
test: deps
	@$(MAKE) --no-print-directory test-only

test-only: unit integration compat

check-asan:
	@$(MAKE) --no-print-directory SANITIZE=1 test

run: deps
	@$(MAKE) --no-print-directory run-only

run-only: $(EMULATOR)
	@sh tests/lib/run_emulator.sh $(EMULATOR)

bench: deps
	@sh tests/lib/deps.sh bench
	@$(MAKE) --no-print-directory all
	@sh tests/bench/bench.sh $(abspath $(EMULATOR))

fuzz:
	@sh tests/fuzz/build.sh run

clean:
	rm -rf build
