# Safehub build.
#
#   make            build/safehub (release, warnings are errors)
#   make test       every test suite (see tests/run-all)
#   make bench      the benchmarks (see bench/run)
#   make fuzz       long libFuzzer runs of every parser
#   make asan       build/asan/safehub with AddressSanitizer + UndefinedBehaviorSanitizer
#   make CC=clang   the same with clang
#
# Every .c under src/ is part of the program; tests/unit/test_*.c each become a
# cmocka binary linked against the same objects. Adding a file needs no edit here.

CC      ?= cc
BUILD   ?= build
SAN     ?=
PKGS    := libmicrohttpd jansson libsodium sqlite3 libpq gnutls igraph
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

WARN := -Wall -Wextra -Werror -Wpedantic -Wshadow -Wformat=2 -Wformat-security \
        -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition \
        -Wpointer-arith -Wwrite-strings -Wvla -Wundef -Wcast-qual \
        -Wimplicit-fallthrough -Wmissing-declarations -Wredundant-decls \
        -Wno-overlength-strings
CSTD := -std=c17 -D_GNU_SOURCE
ifeq ($(SAN),1)
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  LDSAN := -fsanitize=address,undefined
else
  OPT := -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
  LDSAN := -pie -Wl,-z,relro,-z,now
endif
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(LDLIBS)

SRCS     := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/embedded.o
MAIN_OBJ := $(BUILD)/obj/src/main.o
EMBED_IN := $(sort $(wildcard src/store/migrations/*.sql)) $(sort $(wildcard config/*.json config/*.txt config/*.csv))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all asan clang test unit bench fuzz assets clean check-tools
all: $(BUILD)/safehub assets

$(BUILD)/safehub: $(MAIN_OBJ) $(LIB_OBJS)
	$(CC) $(OPT) -o $@ $^ $(LDSAN) $(LDFLAGS) $(LDLIBS_ALL)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

# Shipped data (migrations, default risk tool, calendars, name tables) is
# compiled into the binary so that a lone executable is complete.
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) -O1 $(WARN) -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED_IN)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed $@ $(EMBED_IN)

$(BUILD)/obj/gen/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) -Isrc -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(LIB_OBJS) $(LDSAN) $(LDFLAGS) $(LDLIBS_ALL) -lcmocka

unit: $(UNIT_BINS)

asan:
	$(MAKE) BUILD=build/asan SAN=1 CC=clang build/asan/safehub build/asan/unit-bins

$(BUILD)/unit-bins: $(UNIT_BINS)
	@touch $@

# Web assets: govuk-frontend, MOJ frontend and cytoscape from npm (package-lock.json),
# plus Safehub's own stylesheet and script, gathered into one directory the server
# loads at start-up.
ASSET_DIR := build/assets
assets: $(ASSET_DIR)/.stamp
$(ASSET_DIR)/.stamp: package-lock.json $(wildcard web/*)
	@test -d node_modules/govuk-frontend || { echo "safehub: assets: run 'npm ci' first (scripts/install-deps does)"; exit 1; }
	@rm -rf $(ASSET_DIR) && mkdir -p $(ASSET_DIR)/fonts $(ASSET_DIR)/images
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css $(ASSET_DIR)/
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(ASSET_DIR)/
	cp node_modules/govuk-frontend/dist/govuk/assets/fonts/* $(ASSET_DIR)/fonts/
	cp node_modules/govuk-frontend/dist/govuk/assets/images/* $(ASSET_DIR)/images/
	cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.css $(ASSET_DIR)/
	cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js $(ASSET_DIR)/
	cp node_modules/@ministryofjustice/frontend/moj/assets/images/*.svg $(ASSET_DIR)/images/
	cp node_modules/cytoscape/dist/cytoscape.esm.min.mjs $(ASSET_DIR)/cytoscape.min.mjs
	cp web/* $(ASSET_DIR)/
	@touch $@

test: all
	tests/run-all

bench: all
	bench/run

fuzz:
	tests/fuzz/run --seconds $${FUZZ_SECONDS:-600}

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
