# suraksha: plain make with pkg-config (STYLE.md, Build).
#   make                 build ./suraksha
#   make SANITIZE=1      build with ASan + UBSan (separate object folder)
#   make check           install missing packages, build, run every test
#   make run             install, build, init demo data if none, serve on 127.0.0.1:8080
#   make bench           benchmarks; they print figures, they never fail on them

CC      ?= cc
PKGS    := libmicrohttpd sqlite3 libcrypto libssl jansson libmagic libarchive \
           libqrencode libqpdf libpng libjpeg libcurl
CSTD    := -std=c17 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wwrite-strings \
           -Wshadow -Wformat=2 -Wno-unused-parameter \
           -Wno-format-truncation -Wno-missing-field-initializers -Werror
OPT     ?= -O2 -g
CFLAGS  += $(CSTD) $(WARN) $(OPT) -Isrc $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lhpdf -lpthread -lm
# PKCS#11: only the header (the signer dlopen()s the module named by a setting)
CFLAGS  += $(shell pkg-config --cflags p11-kit-1)

ifeq ($(SANITIZE),1)
VARIANT := san
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
VARIANT := std
endif

B       := build/$(VARIANT)
SRCS    := $(shell find src -name '*.c' | sort)
LIBSRCS := $(filter-out src/main.c,$(SRCS))
OBJS    := $(LIBSRCS:%.c=$(B)/%.o)
UNITSRC := $(wildcard tests/unit/test_*.c)
UNITS   := $(UNITSRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all suraksha deps check unit e2e run bench fuzz fuzz-intake fuzz-rules fuzz-verify fuzz-tsa lint clean
all: suraksha

suraksha: $(B)/suraksha
	@cp -f $(B)/suraksha ./suraksha

$(B)/suraksha: $(B)/src/main.o $(B)/libsuraksha.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/libsuraksha.a: $(OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(B)/libsuraksha.a
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libsuraksha.a $(LDLIBS) $(shell pkg-config --libs cmocka)

deps:
	@sh scripts/deps.sh

unit: suraksha $(UNITS)
	@sh tests/run.sh unit $(UNITS)

e2e: suraksha
	@sh tests/run.sh e2e tests/e2e/t_*.sh

check: deps
	@$(MAKE) --no-print-directory suraksha $(UNITS)
	@sh tests/run.sh all $(UNITS) tests/e2e/t_*.sh

run: deps
	@$(MAKE) --no-print-directory suraksha
	@test -f storage/suraksha.db || { ./suraksha init --demo && sh scripts/open-windows.sh; }
	@echo "suraksha: http://127.0.0.1:8080 (demo accounts: docs/demo/README.md, password suraksha-demo)"
	./suraksha serve

bench: deps
	@$(MAKE) --no-print-directory suraksha
	@sh tests/bench/run.sh

# libFuzzer over the intake parsers, seeded from tests/corpus; new inputs and crash
# artifacts go to build/fuzz. Bounded: FUZZ_SECONDS (default 60).
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(filter-out src/intake/cmd_intake.c src/intake/documents.c src/intake/sweep.c,$(wildcard src/intake/*.c)) \
             $(wildcard src/util/*.c)
build/fuzz/fuzz_intake: tests/fuzz/fuzz_intake.c $(FUZZ_SRCS)
	@mkdir -p build/fuzz/corpus
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -Isrc $(shell pkg-config --cflags $(PKGS)) -o $@ $^ $(LDLIBS)

fuzz-intake: deps build/fuzz/fuzz_intake
	build/fuzz/fuzz_intake -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2560 \
	    -max_len=2097152 -artifact_prefix=build/fuzz/ build/fuzz/corpus tests/corpus

# libFuzzer over the rules case reader, seeded from tests/rules; new inputs and crash
# artifacts go to build/fuzz-rules. Bounded: FUZZ_SECONDS (default 60).
RULES_FUZZ_SRCS := src/cases/rules.c src/cases/rules_json.c src/cases/rules_params.c \
                   $(wildcard src/util/*.c)
build/fuzz-rules/fuzz_rules_json: tests/fuzz/fuzz_rules_json.c $(RULES_FUZZ_SRCS)
	@mkdir -p build/fuzz-rules/corpus
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -Isrc $(shell pkg-config --cflags $(PKGS)) -o $@ $^ $(LDLIBS)

fuzz-rules: deps build/fuzz-rules/fuzz_rules_json
	build/fuzz-rules/fuzz_rules_json -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -max_len=65536 -artifact_prefix=build/fuzz-rules/ build/fuzz-rules/corpus tests/rules

# issue 9: libFuzzer over the DER walk of letter verification (and the CMS parse after
# it), seeded from tests/fuzz/verify_der; artifacts go to build/fuzz-verify.
VERIFY_FUZZ_SRCS := src/letters/verify_der.c $(wildcard src/util/*.c)
build/fuzz-verify/fuzz_verify_der: tests/fuzz/fuzz_verify_der.c $(VERIFY_FUZZ_SRCS)
	@mkdir -p build/fuzz-verify/corpus
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -Isrc $(shell pkg-config --cflags $(PKGS)) -o $@ $^ $(LDLIBS)

fuzz-verify: deps build/fuzz-verify/fuzz_verify_der
	build/fuzz-verify/fuzz_verify_der -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -max_len=65536 -artifact_prefix=build/fuzz-verify/ build/fuzz-verify/corpus \
	    tests/fuzz/verify_der


# libFuzzer over the TSA's query parser (issue 13), seeded from tests/tsa.
# Bounded: FUZZ_SECONDS (default 60).
build/fuzz-tsa/fuzz_tsa: tests/fuzz/fuzz_tsa.c $(filter-out src/main.c,$(SRCS))
	@mkdir -p build/fuzz-tsa/corpus
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -Isrc $(shell pkg-config --cflags $(PKGS) p11-kit-1) -o $@ $^ $(LDLIBS)

fuzz-tsa: deps build/fuzz-tsa/fuzz_tsa
	build/fuzz-tsa/fuzz_tsa -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=8192 \
	    -artifact_prefix=build/fuzz-tsa/ build/fuzz-tsa/corpus tests/tsa

# Every harness in turn, each for FUZZ_SECONDS.
fuzz: fuzz-intake fuzz-rules fuzz-verify fuzz-tsa

lint:
	@! grep -nE '\b(sprintf|strcpy|strcat|atoi|strtok|gets)\s*\(' $(SRCS) || \
	  (echo "lint: banned function (STYLE.md, Strings)"; exit 1)

clean:
	rm -rf build suraksha

-include $(OBJS:.o=.d) $(B)/src/main.d
