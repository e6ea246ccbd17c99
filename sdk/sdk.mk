# sdk/sdk.mk - the sdk's programs (included by the top-level Makefile).
#
# Every sdk/*.c but imgctl.c is already in $(SDK_LIB).  This adds:
#   $(BUILD)/bin/imgctl           the CLI over the sdk (sdk/imgctl.c)
#   $(BUILD)/tests/sdk_driver     the program tests/integration/test_sdk*.py
#                                 drive the sdk through (one call per run,
#                                 JSON on stdout)

IMGCTL     := $(BUILD)/bin/imgctl
SDK_DRIVER := $(BUILD)/tests/sdk_driver

ALL_BINS         += $(IMGCTL)
INTEGRATION_DEPS += $(SDK_DRIVER)

$(IMGCTL): $(BUILD)/obj/sdk/imgctl.o $(SDK_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(SDK_DRIVER): $(BUILD)/obj/tests/integration/sdk_driver.o $(SDK_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)
