# seqshm - plain GNU make. Targets: all test demo bench install uninstall clean
#
# Library variants, each in its own directory under build/:
#   build/rel    the library users link: -O2, PIC, hidden visibility
#   build/fault  the same with fault-injection points (tests only)
#   build/san    fault build under AddressSanitizer + UBSan (Criterion suite)
#   build/tsan   clang ThreadSanitizer build (standalone race stress)
#   build/poll   -DSEQSHM_NO_FUTEX: the portable polling fallback
#   build/fuzz   clang libFuzzer + ASan + UBSan; openers wait 1 ms, not 1 s,
#                for an unpublished header (keeps the fuzzer fast)
#   build/stats  -DSEQSHM_STATS: counts read retries (benchmarks only; the
#                counter sits on the retry path, the fast path is unchanged)

V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)
CC      ?= cc
CLANG   ?= clang
CLANGXX ?= clang++
CXX     ?= c++
PREFIX  ?= /usr/local
DESTDIR ?=
# the release, from the header's SEQSHM_VERSION
VERSION := $(shell sed -n 's/^\#define SEQSHM_VERSION "\(.*\)"/\1/p' include/seqshm.h)
SOMAJOR := $(firstword $(subst ., ,$(VERSION)))

# The Python package (python/) is for the system's Python, the one Debian's
# python3-* packages install for, or PYTHON=... (a venv's with its PREFIX):
# scripts/install-python.sh says where (Debian's dist-packages for /usr and
# /usr/local, a venv's own site-packages, else PREFIX/lib/python3.X/
# site-packages: put that on PYTHONPATH).
PYTHON  ?= $(firstword $(wildcard /usr/bin/python3) python3)
PYVER   := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYDIR    = $(shell sh scripts/install-python.sh --where $(PYTHON) $(PREFIX))

# The Python package's compiled module (the library and the reads' fast
# path, python/seqshm/_fast.c) for $(PYTHON), where its headers are there
# (python3-dev); without them the package reads through ctypes alone.
PYINC   := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)
PYEXT   := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)
PYMOD   := $(if $(wildcard $(PYINC)/Python.h),build/python/_seqshm$(PYEXT))

# _GNU_SOURCE: futex(2) and MADV_WIPEONFORK.
WARN     := -Wall -Wextra -Wpedantic -Werror
CSTD     := -std=c11
CPPFLAGS += -Iinclude -D_GNU_SOURCE
CFLAGS   ?= -O2 -g
LIBCFLAGS = $(CSTD) $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden \
            -fno-semantic-interposition
LDLIBS   += -lpthread -lrt

# The portable library and one platform's folder (src/platform.h says what
# a platform provides).
PLATFORM ?= linux
SRC := $(wildcard src/*.c) $(wildcard src/$(PLATFORM)/*.c)
PUBHDR := include/seqshm.h include/seqshm/inline.h
HDR := $(PUBHDR) $(wildcard src/*.h) $(wildcard src/$(PLATFORM)/*.h)
LIBCPPFLAGS = -Isrc/$(PLATFORM)
# tests written once for every platform (tests/portable/harness.h)
PORTABLE_TESTS := $(wildcard tests/portable/*.c)

# C++ is needed only for seqshm.hpp's examples and tests (and the
# benchmarks): without a C++ compiler, make, make install and make demo build
# everything C and say once what they skipped.
HAVE_CXX := $(shell command -v $(CXX) >/dev/null 2>&1 && echo yes)

# Every segment a test run makes carries this run's tag in its name
# (tests/common/run_tag.h), so the leftover check looks at this run's only.
export SEQSHM_TEST_RUN ?= $(shell od -An -N4 -tx4 /dev/urandom | tr -d ' ')

.PHONY: all test test-run demo bench bench-deps bench-smoke install uninstall clean \
        deps check-clang models transcripts readme-transcripts bench-refresh stress tsan examples run-examples tool-test fuzz \
        fuzz-corpus soak valgrind python-test bench-python bridge bridge-skipped \
        bridge-test serve-test screenshot bench-serve bench-serve-run bench-bridge test-arm64 test-windows test-arm64-run test-windows-run fuzz-run \
        bench-run bench-smoke-run bench-python-run bench-bridge-run figures snippets \
        record-runs
all: build/rel/libseqshm.a build/rel/libseqshm.so build/rel/seqshm examples bridge $(PYMOD)
ifneq ($(HAVE_CXX),yes)
	@echo "seqshm: no C++ compiler ($(CXX)): built everything C, skipped the C++ examples"
endif
	@[ "$(HAVE_LWS)" = 1 ] || echo "seqshm: no libwebsockets: seqshm serve is not built in (apt-get install libwebsockets-dev)"

# ---------------------------------------------------------------- libraries
# The API: the functions seqshm.h declares (SEQSHM_API), one a line.
build/api.txt: include/seqshm.h
	@mkdir -p $(@D)
	$(Q)grep -o 'SEQSHM_API [^;(]*(' $< | grep -o 'seqshm_[a-z_]*(' | tr -d '(' | sort >$@

# $(call archive,objects,toolchain-prefix): the static library the users link is
# one object, partially linked, in which every name but the API's is made
# local: a program may define its own now_ns or claim_wait and still link
# (tests/checks/check-archive.sh). Test builds keep plain archives.
define archive
	$(Q)rm -f $@ $(@D)/seqshm-all.o
	$(Q)$(2)ld -r -o $(@D)/seqshm-all.o $(1)
	$(Q)$(2)objcopy --keep-global-symbols=build/api.txt $(@D)/seqshm-all.o
	$(Q)$(2)ar rcs $@ $(@D)/seqshm-all.o
endef

# $(call libvariant,dir,compiler,extra-flags[,local])
define libvariant
build/$(1)/%.o: src/%.c $(HDR) | build/$(1)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$(Q)$(2) $(CPPFLAGS) $(LIBCPPFLAGS) $(LIBCFLAGS) $(3) -c $$< -o $$@
build/$(1)/libseqshm.a: $(SRC:src/%.c=build/$(1)/%.o) $(if $(4),build/api.txt)
	@echo "  AR      $$@"
	$(if $(4),$$(call archive,$(SRC:src/%.c=build/$(1)/%.o),),$(Q)rm -f $$@ && ar rcs $$@ $(SRC:src/%.c=build/$(1)/%.o))
build/$(1):
	mkdir -p $$@
endef
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
TSANFLAGS := -fsanitize=thread -O1
$(eval $(call libvariant,rel,$(CC),,local))
$(eval $(call libvariant,fault,$(CC),-DSEQSHM_FAULT_INJECTION))
$(eval $(call libvariant,san,$(CC),-DSEQSHM_FAULT_INJECTION $(SANFLAGS)))
# TSan knows nothing of membarrier: its build publishes with full fences
$(eval $(call libvariant,tsan,$(CLANG),$(TSANFLAGS) -DSEQSHM_NO_MEMBARRIER))
$(eval $(call libvariant,poll,$(CC),-DSEQSHM_NO_FUTEX -DSEQSHM_FAULT_INJECTION))
$(eval $(call libvariant,clang,$(CLANG),))
$(eval $(call libvariant,stats,$(CC),-DSEQSHM_STATS))
FUZZFLAGS := -fsanitize=fuzzer-no-link,address,undefined -DPUBLISH_WAIT_NS=1000000
$(eval $(call libvariant,fuzz,$(CLANG),$(FUZZFLAGS)))

build/rel/libseqshm.so: build/rel/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libseqshm.so.$(SOMAJOR) -o $@.$(VERSION) \
	    $(SRC:src/%.c=build/rel/%.o) $(LDLIBS)
	$(Q)ln -sf libseqshm.so.$(VERSION) build/rel/libseqshm.so.$(SOMAJOR)
	$(Q)ln -sf libseqshm.so.$(SOMAJOR) $@

# --------------------------------------------------------------------- fuzz
# make fuzz [FUZZ_SECONDS=60]: libFuzzer on hostile segments, from the
# committed seed corpus (tests/fuzz/corpus); new finds go to build/fuzz.
FUZZ_SECONDS ?= 60
build/fuzz/fuzz_open: tests/fuzz/fuzz_open.c build/fuzz/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CLANG) $(CPPFLAGS) $(CSTD) $(WARN) -g -O1 \
	    -fsanitize=fuzzer,address,undefined $< build/fuzz/libseqshm.a \
	    -o $@ $(LDLIBS)
build/rel/make_corpus: tests/fuzz/make_corpus.c build/rel/libseqshm.a
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) $< build/rel/libseqshm.a -o $@ $(LDLIBS)
fuzz-corpus: build/rel/make_corpus
	mkdir -p tests/fuzz/corpus && build/rel/make_corpus tests/fuzz/corpus
fuzz:
	@sh scripts/deps.sh
	@$(MAKE) --no-print-directory fuzz-run
fuzz-run: build/fuzz/fuzz_open
	@mkdir -p build/fuzz/corpus
	@echo "fuzzing for $(FUZZ_SECONDS) s (log: build/fuzz/log)"
	@build/fuzz/fuzz_open -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -max_len=4096 -print_final_stats=1 -artifact_prefix=build/fuzz/ \
	    build/fuzz/corpus tests/fuzz/corpus >build/fuzz/log 2>&1; rc=$$?; \
	    grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done)|ERROR|SUMMARY|artifact' \
	    build/fuzz/log; exit $$rc
	@sh tests/checks/shm-clean-check.sh

# --------------------------------------------------------------------- tool
# the tool: main.c and its commands, and one host file per platform
TOOL_SRC := tools/main.c tools/common.c tools/inspect.c tools/manage.c \
            tools/follow.c tools/fields.c tools/mcap_cmd.c tools/mcap_write.c \
            tools/mcap_read.c
# record --mcap --zstd with libzstd (libzstd-dev), else uncompressed chunks
HAVE_ZSTD := $(shell pkg-config --exists libzstd 2>/dev/null && echo 1)
ZSTD_SRC  := $(if $(HAVE_ZSTD),tools/zstd_lib.c,tools/zstd_none.c)
ZSTD_LIBS := $(if $(HAVE_ZSTD),$(shell pkg-config --libs libzstd))
# seqshm serve (tools/serve/) needs libwebsockets (libwebsockets-dev); without
# it the tool is built with tools/serve_none.c, which says what to install.
HAVE_LWS := $(shell pkg-config --exists libwebsockets 2>/dev/null && echo 1)
ifeq ($(HAVE_LWS),1)
SERVE_SRC  := $(wildcard tools/serve/*.c) build/serve/page.c
SERVE_LIBS := $(shell pkg-config --libs libwebsockets)
else
SERVE_SRC  := tools/serve_none.c
endif
build/serve/page.c: tools/serve/page.html
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q){ echo '/* made from tools/serve/page.html by make */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const char serve_page[];'; \
	  echo 'extern const size_t serve_page_len;'; \
	  echo 'const char serve_page[] = {'; \
	  od -An -v -tu1 $< | sed 's/\([0-9][0-9]*\)/\1,/g'; \
	  echo '0};'; \
	  echo 'const size_t serve_page_len = sizeof serve_page - 1;'; } >$@
build/rel/seqshm: $(TOOL_SRC) $(SERVE_SRC) $(ZSTD_SRC) tools/host_posix.c \
                  tools/tool.h tools/mcap.h $(wildcard tools/serve/*.h) $(PUBHDR) \
                  build/rel/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 $(TOOL_SRC) $(SERVE_SRC) \
	    $(ZSTD_SRC) tools/host_posix.c build/rel/libseqshm.a -o $@ \
	    $(SERVE_LIBS) $(ZSTD_LIBS) $(LDLIBS)

# ------------------------------------------------------------------- arm64
# make test-arm64: the library, the torn-read stress, the kill test and the
# C examples cross-built for aarch64 and run under qemu-user (whose TCG runs
# ARM code with the host's stronger ordering: it proves the build and the
# logic); the barriers themselves are checked in the generated code
# (tests/checks/arm64-fences.sh).
ARM_CC  ?= aarch64-linux-gnu-gcc
ARM_RUN ?= qemu-aarch64 -L /usr/aarch64-linux-gnu
$(eval $(call libvariant,arm64,$(ARM_CC),))
build/arm64/stress build/arm64/killer: build/arm64/%: tests/stress/%.c tests/common/pattern.h \
                                        build/arm64/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(ARM_CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 -Itests $< \
	    build/arm64/libseqshm.a -o $@ $(LDLIBS)
ARM_EX := $(patsubst examples/c/%.c,build/arm64/examples/c/%,$(wildcard examples/c/*.c))
build/arm64/examples/c/%: examples/c/%.c $(PUBHDR) build/arm64/libseqshm.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(ARM_CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 $< build/arm64/libseqshm.a \
	    -o $@ $(LDLIBS)
build/arm64/demo: examples/demo.c build/arm64/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(ARM_CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 $< build/arm64/libseqshm.a \
	    -o $@ -lm $(LDLIBS)
# Each target that installs what it needs runs the rest in a new make, which
# reads this file again: every tool it names (WINE, HAVE_NATS, HAVE_CXX,
# PYTHON, ...) is resolved after the installs, not before them.
test-arm64:
	@sh scripts/deps.sh arm64
	@$(MAKE) --no-print-directory test-arm64-run
test-arm64-run: build/arm64/libseqshm.a build/arm64/stress build/arm64/killer \
                build/arm64/demo $(ARM_EX)
	@sh tests/checks/arm64-fences.sh build/arm64 $(ARM_CC)
	$(ARM_RUN) build/arm64/stress --seconds 0.5
	$(ARM_RUN) build/arm64/killer --kills 60 --no-mutex
	@sh tests/checks/run-examples.sh build/arm64/examples "$(ARM_RUN)" c
	$(ARM_RUN) build/arm64/demo | tail -3
	@sh tests/checks/shm-clean-check.sh

# ----------------------------------------------------------------- windows
# make test-windows: the library (src/ less its POSIX platform files, plus
# src/win32/), the tool and tests/win/wintests.c cross-built with
# mingw-w64 and run under wine.
WIN_CC   ?= x86_64-w64-mingw32-gcc
WINE     ?= $(firstword $(wildcard /usr/lib/wine/wine64 /usr/bin/wine64 /usr/bin/wine) wine)
WIN_SRC  := $(wildcard src/*.c) $(wildcard src/win32/*.c)
WIN_OBJ  := $(patsubst src/%.c,build/win/%.o,$(WIN_SRC))
build/win/%.o: src/%.c $(PUBHDR) $(wildcard src/*.h) $(wildcard src/win32/*.h)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(WIN_CC) -Iinclude -Isrc/win32 $(CSTD) $(WARN) -O2 -c $< -o $@
build/win/libseqshm.a: $(WIN_OBJ) build/api.txt
	@echo "  AR      $@"
	$(call archive,$(WIN_OBJ),x86_64-w64-mingw32-)
# the Windows runner, with the portable tests the Linux suite runs too
build/win/wintests.exe: tests/win/wintests.c tests/win/ptest_runner.c \
                        $(PORTABLE_TESTS) tests/portable/harness.h tests/common/pattern.h \
                        build/win/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(WIN_CC) -Iinclude $(CSTD) $(WARN) -O2 tests/win/wintests.c \
	    tests/win/ptest_runner.c $(PORTABLE_TESTS) build/win/libseqshm.a \
	    -o $@ -static -lpthread
build/win/seqshm.exe: $(TOOL_SRC) tools/host_win32.c tools/tool.h tools/mcap.h \
                      $(PUBHDR) build/win/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(WIN_CC) -Iinclude $(CSTD) $(WARN) -O2 $(TOOL_SRC) tools/serve_none.c \
	    tools/zstd_none.c tools/host_win32.c build/win/libseqshm.a -o $@ \
	    -static -lpthread
test-windows:
	@sh scripts/deps.sh windows
	@$(MAKE) --no-print-directory test-windows-run
test-windows-run: build/win/wintests.exe build/win/seqshm.exe
	@sh tests/checks/check-archive.sh build/win/libseqshm.a x86_64-w64-mingw32-nm \
	    $(WIN_CC) "-static -lpthread"
	WINEDEBUG=-all $(WINE) build/win/wintests.exe

# ------------------------------------------------------------------- serve
# seqshm serve and record --mcap checked with the real clients (Node.js:
# @foxglove/ws-protocol, @mcap/core, pinned in tests/serve/package-lock.json)
# and the page in headless Chromium.
build/serve/writer: tests/serve/writer.c $(PUBHDR) build/rel/libseqshm.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 $< build/rel/libseqshm.a -o $@ $(LDLIBS)
tests/serve/node_modules/.package-lock.json: tests/serve/package-lock.json
	sh scripts/npm-ci.sh tests/serve
serve-test: build/rel/seqshm build/serve/writer tests/serve/node_modules/.package-lock.json
	cd tests/serve && node --test serve.test.js mcap.test.js page.test.js
	@sh tests/checks/shm-clean-check.sh
# the ends make bench-serve puts around seqshm serve (a writer, and the
# libwebsockets floor); tests/serve/bench.js measures
build/serve/serve_bench: tests/serve/serve_bench.c $(PUBHDR) build/rel/libseqshm.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 $< build/rel/libseqshm.a -o $@ \
	    $(SERVE_LIBS) $(LDLIBS)
bench-serve:
	@sh scripts/deps.sh serve
	@$(MAKE) --no-print-directory bench-serve-run
bench-serve-run: build/rel/seqshm build/serve/serve_bench tests/serve/node_modules/.package-lock.json
	@mkdir -p $(BENCH_OUT)
	cd tests/serve && node bench.js | tee $(abspath $(BENCH_OUT))/serve.txt
	@sh tests/checks/shm-clean-check.sh
# the README's picture of the page (docs/serve.png), from the demo
screenshot: build/rel/seqshm build/rel/demo tests/serve/node_modules/.package-lock.json
	sh scripts/screenshot.sh

# ------------------------------------------------------------------ bridge
# seqshm-bridge (tools/bridge/) needs the NATS C client (libnats-dev); make
# builds it when the client is there, and says once that it skipped it.
HAVE_NATS := $(shell echo 'int main(void){return 0;}' | \
    $(CC) -include nats/nats.h -x c - -o /dev/null -lnats >/dev/null 2>&1 && echo 1)
BRIDGE_SRC := $(wildcard tools/bridge/*.c)
build/rel/seqshm-bridge: $(BRIDGE_SRC) tools/bridge/bridge.h $(PUBHDR) build/rel/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 -g $(BRIDGE_SRC) \
	    build/rel/libseqshm.a -o $@ -lnats -lpthread $(LDLIBS)
build/bench/nats_floor: tests/bridge/nats_floor.c | build/bench
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 $< -o $@ -lnats -lpthread
# puts crafted values, for the bridge's tests (tests/bridge/kvput.c)
build/rel/kvput: tests/bridge/kvput.c
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 $< -o $@ -lnats -lpthread
bridge: $(if $(HAVE_NATS),build/rel/seqshm-bridge,bridge-skipped)
bridge-skipped:
	@echo "make: seqshm-bridge skipped: no NATS C client (apt-get install libnats-dev)"

# -------------------------------------------------------------------- tests
TEST_SRC  := $(wildcard tests/unit/test_*.c)
TESTCFLAGS = $(CSTD) $(WARN) -O1 -g -Itests

build/fault/unit: $(TEST_SRC) $(PORTABLE_TESTS) tests/unit/util.c tests/unit/util.h \
                  tests/portable/harness.h build/fault/libseqshm.a build/fault/peer
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(TESTCFLAGS) -DPORTABLE_CRITERION $(TEST_SRC) \
	    $(PORTABLE_TESTS) tests/unit/util.c build/fault/libseqshm.a -o $@ \
	    -lcriterion $(LDLIBS)
build/san/unit: $(TEST_SRC) $(PORTABLE_TESTS) tests/unit/util.c tests/unit/util.h \
                tests/portable/harness.h build/san/libseqshm.a build/san/peer
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(TESTCFLAGS) -DPORTABLE_CRITERION $(SANFLAGS) \
	    $(TEST_SRC) $(PORTABLE_TESTS) tests/unit/util.c build/san/libseqshm.a \
	    -o $@ -lcriterion $(LDLIBS)
build/poll/unit: tests/unit/test_wait.c tests/unit/util.c tests/unit/util.h \
                 build/poll/libseqshm.a build/poll/peer
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(TESTCFLAGS) tests/unit/test_wait.c tests/unit/util.c \
	    build/poll/libseqshm.a -o $@ -lcriterion $(LDLIBS)
# the second program of the exec tests
VARIANT_FLAGS_san := $(SANFLAGS)
build/%/peer: tests/unit/peer.c build/%/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(TESTCFLAGS) $(VARIANT_FLAGS_$*) $< \
	    build/$*/libseqshm.a -o $@ $(LDLIBS)

build/rel/stress: tests/stress/stress.c tests/common/pattern.h build/rel/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 -g -Itests $< \
	    build/rel/libseqshm.a -o $@ $(LDLIBS)
build/rel/writes: tests/stress/writes.c build/rel/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 -g $< build/rel/libseqshm.a \
	    -o $@ $(LDLIBS)
build/rel/killer: tests/stress/killer.c tests/common/pattern.h build/rel/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 -g -Itests $< \
	    build/rel/libseqshm.a -o $@ $(LDLIBS)
build/rel/pywriter: tests/common/pywriter.c build/rel/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 -g $< build/rel/libseqshm.a \
	    -o $@ $(LDLIBS)
build/rel/litmus_fence: tests/stress/litmus_fence.c build/rel/$(PLATFORM)/barrier.o
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(LIBCPPFLAGS) $(CSTD) $(WARN) -O2 -g $< \
	    build/rel/$(PLATFORM)/barrier.o -o $@ $(LDLIBS)
build/rel/soak: tests/stress/soak.c tests/common/pattern.h build/rel/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 -g -Itests $< \
	    build/rel/libseqshm.a -o $@ $(LDLIBS)
build/tsan/stress_threads: tests/stress/stress_threads.c tests/common/pattern.h \
                           build/tsan/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CLANG) $(CPPFLAGS) $(CSTD) $(WARN) $(TSANFLAGS) -g -Itests $< \
	    build/tsan/libseqshm.a -o $@ $(LDLIBS)

deps:
	@sh scripts/deps.sh

# make test: install what is missing, build every test program (parallel
# builds are fine), then run the checks one after another (they time
# things, and share two cores).
TEST_BINS := all check-clang build/fault/unit build/san/unit build/poll/unit \
             build/fault/unit_hpp build/clang/unit_hpp build/fault/peer \
             build/rel/stress build/rel/killer build/rel/writes \
             build/rel/litmus_fence build/rel/pywriter build/tsan/stress_threads
test:
	@sh scripts/deps.sh
	@$(MAKE) --no-print-directory $(TEST_BINS)
	@$(MAKE) --no-print-directory -j1 test-run

# Criterion under ASan+UBSan runs the same suite as the plain build.
test-run: models stress tsan run-examples tool-test transcripts figures snippets \
          valgrind python-test bridge-test serve-test
	sh tests/checks/skips-visible.sh build/fault/unit --jobs 2
	build/fault/unit_hpp --jobs 2
	build/clang/unit_hpp --jobs 2
	ASAN_OPTIONS=detect_leaks=1 build/san/unit --jobs 2
	SEQSHM_TEST_POLL=1 build/poll/unit --jobs 2
	@sh tests/checks/shm-clean-check.sh

# what the Python package costs (python/bench.py) and what the bridge costs
# (tests/bridge/bench_bridge.py), into BENCH_OUT like make bench; the runs
# the README quotes are bench/results/python.txt and bridge.txt
# (make bench-python BENCH_OUT=bench/results rewrites them).
bench-python:
	@sh scripts/deps.sh python
	@$(MAKE) --no-print-directory bench-python-run
bench-python-run: all build/rel/pywriter
	@mkdir -p $(BENCH_OUT)
	PYTHONPATH=python $(PYTHON) python/bench.py --json build/python-bench.json \
	    | tee $(BENCH_OUT)/python.txt
bench-bridge:
	@sh scripts/deps.sh bridge bench
	@$(MAKE) --no-print-directory bench-bridge-run
# on a quiet machine, then again while make bench's benchmarks load both
# cores (bridge-loaded.txt)
bench-bridge-run: all build/rel/seqshm-bridge build/bench/nats_floor build/bench/seqshm-bench
	@mkdir -p $(BENCH_OUT)
	PYTHONPATH=python:tests/bridge $(PYTHON) tests/bridge/bench_bridge.py \
	    | tee $(BENCH_OUT)/bridge.txt
	build/bench/seqshm-bench >/dev/null 2>&1 & load=$$!; sleep 2; \
	PYTHONPATH=python:tests/bridge $(PYTHON) tests/bridge/bench_bridge.py \
	    "under make bench's load" | tee $(BENCH_OUT)/bridge-loaded.txt; \
	rc=$$?; kill $$load; wait $$load 2>/dev/null; \
	rm -f /dev/shm/seqshm-b-$$load-*; exit $$rc

# seqshm-bridge against a real nats-server (tests/bridge, pytest)
bridge-test: all build/rel/seqshm-bridge build/rel/kvput
	PYTHONPATH=python:tests/bridge $(PYTHON) -m pytest -q -rs -p no:cacheprovider tests/bridge

# the Python package against the library of this checkout, and C processes
# The package as built (with its compiled module where there is one), then
# its ctypes-only path against build/rel's library.
python-test: all build/rel/pywriter build/fault/peer
	PYTHONPATH=python $(PYTHON) -m pytest -q -rs -p no:cacheprovider python/tests
	SEQSHM_LIBRARY=build/rel/libseqshm.so.$(SOMAJOR) PYTHONPATH=python \
	    $(PYTHON) -m pytest -q -rs -p no:cacheprovider python/tests/test_segment.py
	sh tests/checks/mypy.sh

# python/setup.py builds the same module for pip install ./python.
build/python/_seqshm$(PYEXT): python/seqshm/_fast.c $(SRC) $(HDR)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(LIBCPPFLAGS) -I$(PYINC) $(LIBCFLAGS) -shared \
	    -o $@ python/seqshm/_fast.c $(SRC) $(LDLIBS)

stress: build/rel/stress build/rel/killer build/rel/writes build/rel/litmus_fence
	build/rel/litmus_fence; rc=$$?; [ $$rc = 0 ] || [ $$rc = 77 ]
	build/rel/stress --seconds 1
	build/rel/killer --kills 150
	sh tests/checks/futex_calls.sh build/rel/writes

# the README's transcripts match what today's code prints
# (make readme-transcripts rewrites them from a fresh run)
transcripts: all build/rel/pywriter
	@sh tests/checks/private-shm.sh sh tests/checks/transcripts.sh check
readme-transcripts: all build/rel/pywriter
	@sh tests/checks/private-shm.sh sh tests/checks/transcripts.sh update

# every figure in README.md and docs/ is in the committed result file its
# block names, and the committed summary is what bench/summary.py makes of
# the committed JSON (scripts/record-runs.sh rewrites the runs' files)
figures:
	@$(PYTHON) tests/checks/figures.py
	@sh tests/checks/doc-links.sh
	@$(PYTHON) bench/summary.py bench/results/bench.json | \
	    diff -u bench/results/summary.txt - >&2 && \
	    echo "figures: bench/results/summary.txt is bench/summary.py's of bench.json" || \
	    { echo "figures: bench/results/summary.txt is stale (make bench-refresh)" >&2; exit 1; }

# the demo, kill-test and soak runs the README quotes (bench/results)
record-runs: build/rel/demo build/rel/killer build/rel/soak
	@sh scripts/record-runs.sh

# every code block of README.md and docs/ compiles, and runs where it says
snippets: all build/rel/pywriter
	@PYTHON=$(PYTHON) sh tests/checks/private-shm.sh sh tests/checks/snippets.sh

# spin: the wait/wake and claim protocols, and the old mistakes they catch
models:
	@sh tests/checks/models.sh

tsan: build/tsan/stress_threads
	TSAN_OPTIONS=halt_on_error=1 build/tsan/stress_threads --seconds 3

# memcheck over the Criterion suite and the C examples
valgrind: build/fault/unit examples
	@sh tests/checks/valgrind.sh

# make soak [SOAK_SECONDS=600]: writers, readers, random kills, opens and
# closes over every layout (CI: 60 s).
SOAK_SECONDS ?= 600
soak: build/rel/soak
	build/rel/soak --seconds $(SOAK_SECONDS)
	@sh tests/checks/shm-clean-check.sh

# gcc builds everything; clang must compile the library cleanly too.
check-clang: build/clang/libseqshm.a

# -------------------------------------------------------------- benchmarks
# The benchmarks are C (bench/*.c); bench/gbench.cc wraps Google Benchmark
# for them and bench/boost_shim.cc reaches Boost.Interprocess (C++ only).
BENCH_C   := $(wildcard bench/*.c)
BENCH_CC  := bench/gbench.cc bench/boost_shim.cc
# A user's results go under build/; make bench-refresh writes the committed
# ones (bench/results) that the README quotes.
BENCH_OUT ?= build/bench/results
BENCH_ARGS ?= --benchmark_enable_random_interleaving=true
build/bench/%.o: bench/%.c $(wildcard bench/*.h) $(PUBHDR) | build/bench
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 -g -c $< -o $@
build/bench/%.o: bench/%.cc $(wildcard bench/*.h) | build/bench
	@echo "  CXX     $@"
	$(Q)$(CXX) -std=c++17 -Wall -Wextra -Werror -O2 -g -c $< -o $@
build/bench:
	$(Q)mkdir -p $@
build/bench/seqshm-bench: $(BENCH_C:bench/%.c=build/bench/%.o) \
                          $(BENCH_CC:bench/%.cc=build/bench/%.o) \
                          build/stats/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CXX) -o $@ $^ -lbenchmark $(LDLIBS)

bench-deps:
	@sh scripts/deps.sh bench

# Runs every benchmark (a few minutes), writes the JSON, prints the summary
# table of ratios and draws the chart. Google Benchmark's own lines go to
# build/bench/bench.log.
bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory bench-run
bench-run: build/bench/seqshm-bench
	@mkdir -p $(BENCH_OUT)
	@echo "running every benchmark (about six minutes; log: build/bench/bench.log)"
	$(Q)build/bench/seqshm-bench $(BENCH_ARGS) \
	    --benchmark_out=$(BENCH_OUT)/bench.json --benchmark_out_format=json \
	    >build/bench/bench.log 2>&1 || { tail -n 20 build/bench/bench.log; exit 1; }
	python3 bench/summary.py $(BENCH_OUT)/bench.json | tee $(BENCH_OUT)/summary.txt
	gnuplot -e "dir='$(BENCH_OUT)'" bench/plot.gp

# Refreshes the committed results (bench/results) that the README quotes.
bench-refresh:
	@$(MAKE) --no-print-directory bench BENCH_OUT=bench/results

# CI: the benchmark binary builds and runs every case, briefly; no timing
# is judged.
bench-smoke:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory bench-smoke-run
bench-smoke-run: build/bench/seqshm-bench
	SEQSHM_BENCH_SMOKE=1 build/bench/seqshm-bench \
	    --benchmark_out=build/bench/smoke.json --benchmark_out_format=json \
	    >/dev/null
	python3 bench/summary.py build/bench/smoke.json >/dev/null
	@echo "bench-smoke: every benchmark ran"

# ----------------------------------------------------------------- examples
# The reference's examples, in C (examples/c) and C++20 (examples/cpp).
CXXWARN := -Wall -Wextra -Werror
EX_C    := $(patsubst examples/c/%.c,build/examples/c/%,$(wildcard examples/c/*.c))
EX_CPP  := $(patsubst examples/cpp/%.cpp,build/examples/cpp/%,$(wildcard examples/cpp/*.cpp))
examples: $(EX_C) $(if $(HAVE_CXX),$(EX_CPP)) build/rel/demo
build/examples/c/%: examples/c/%.c $(PUBHDR) build/rel/libseqshm.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 $< build/rel/libseqshm.a -o $@ $(LDLIBS)
build/examples/cpp/%: examples/cpp/%.cpp include/seqshm.hpp $(PUBHDR) \
                      build/rel/libseqshm.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CXX) -Iinclude -std=c++20 $(CXXWARN) -O2 $< build/rel/libseqshm.a \
	    -o $@ $(LDLIBS)
run-examples: examples
	@sh tests/checks/run-examples.sh

# the tool against live segments; install + pkg-config; exported symbols;
# no global state
tool-test: all build/fault/peer
	@sh tests/checks/check-exports.sh build/rel/libseqshm.so
	@sh tests/checks/check-archive.sh build/rel/libseqshm.a
	@sh tests/checks/check-no-globals.sh build/rel/libseqshm.a
	@$(PYTHON) tests/checks/check-names.py
	@sh tests/checks/tool.sh build/rel/seqshm build/fault/peer
	@sh tests/checks/deps_check.sh
	@python3 tests/checks/summary_check.py

# The wrapper's tests, with g++ and clang++ (against the fault build, which
# lets a test stall a writer).
build/fault/unit_hpp: tests/unit/test_hpp.cpp include/seqshm.hpp build/fault/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CXX) -Iinclude -std=c++20 $(CXXWARN) -O1 -g $< build/fault/libseqshm.a \
	    -o $@ -lcriterion $(LDLIBS)
build/clang/unit_hpp: tests/unit/test_hpp.cpp include/seqshm.hpp build/fault/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CLANGXX) -Iinclude -std=c++20 $(CXXWARN) -O1 -g $< \
	    build/fault/libseqshm.a -o $@ -lcriterion $(LDLIBS)

# --------------------------------------------------------------------- demo
build/rel/demo: examples/demo.c build/rel/libseqshm.a
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CSTD) $(WARN) -O2 $< build/rel/libseqshm.a -o $@ \
	    $(LDLIBS) -lm
demo: build/rel/demo
	build/rel/demo
ifneq ($(HAVE_CXX),yes)
	@echo "seqshm: no C++ compiler ($(CXX)): the demo is C; the C++ examples were not built"
endif
	@$(PYTHON) -c 'import numpy, matplotlib' 2>/dev/null || \
	    echo "seqshm: no python3 with NumPy and matplotlib: the live plot of the demo (examples/python/plot.py) needs them"

# ------------------------------------------------------------------ install
# The loader searches /usr/lib and /usr/local/lib (install runs ldconfig
# when it installs into the running system as root); programs built with
# pkg-config against any other prefix find the library by an rpath that
# seqshm.pc adds.
PC_RPATH = $(if $(filter /usr/lib /usr/local/lib,$(PREFIX)/lib),,-Wl,-rpath,$${libdir})
install: all
	$(Q)install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	$(Q)install -m 644 build/rel/libseqshm.a $(DESTDIR)$(PREFIX)/lib/
	$(Q)install -m 755 build/rel/libseqshm.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	$(Q)ln -sf libseqshm.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libseqshm.so.$(SOMAJOR)
	$(Q)ln -sf libseqshm.so.$(SOMAJOR) $(DESTDIR)$(PREFIX)/lib/libseqshm.so
	$(Q)install -d $(DESTDIR)$(PREFIX)/include/seqshm
	$(Q)install -m 644 include/seqshm.h include/seqshm.hpp $(DESTDIR)$(PREFIX)/include/
	$(Q)install -m 644 include/seqshm/inline.h $(DESTDIR)$(PREFIX)/include/seqshm/
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@RPATH@|$(PC_RPATH)|' seqshm.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/seqshm.pc
	$(Q)install -m 755 build/rel/seqshm $(DESTDIR)$(PREFIX)/bin/
	$(Q)install -m 644 tools/seqshm.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	$(Q)if [ -x build/rel/seqshm-bridge ]; then \
	    install -m 755 build/rel/seqshm-bridge $(DESTDIR)$(PREFIX)/bin/ && \
	    install -m 644 tools/bridge/seqshm-bridge.1 \
	        $(DESTDIR)$(PREFIX)/share/man/man1/; else \
	    echo "seqshm-bridge: not installed (not built: no NATS C client, apt-get install libnats-dev)"; fi
	$(Q)if [ -z "$(PYVER)" ]; then \
	    echo "Python package: not installed (no $(PYTHON); PYTHON=... names another)"; \
	else sh scripts/install-python.sh $(PYTHON) $(PREFIX) "$(DESTDIR)" $(VERSION) \
	    $(PREFIX)/lib/libseqshm.so.$(SOMAJOR) $(PYMOD); fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null 2>&1; then \
	    ldconfig; fi
	@echo "installed under $(DESTDIR)$(PREFIX)"

uninstall:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/lib/libseqshm.a \
	      $(DESTDIR)$(PREFIX)/lib/libseqshm.so \
	      $(DESTDIR)$(PREFIX)/lib/libseqshm.so.$(SOMAJOR) \
	      $(DESTDIR)$(PREFIX)/lib/libseqshm.so.$(VERSION) \
	      $(DESTDIR)$(PREFIX)/lib/pkgconfig/seqshm.pc \
	      $(DESTDIR)$(PREFIX)/include/seqshm.h \
	      $(DESTDIR)$(PREFIX)/include/seqshm.hpp \
	      $(DESTDIR)$(PREFIX)/include/seqshm/inline.h \
	      $(DESTDIR)$(PREFIX)/bin/seqshm \
	      $(DESTDIR)$(PREFIX)/bin/seqshm-bridge \
	      $(DESTDIR)$(PREFIX)/share/man/man1/seqshm.1 \
	      $(DESTDIR)$(PREFIX)/share/man/man1/seqshm-bridge.1
	$(Q)rmdir $(DESTDIR)$(PREFIX)/include/seqshm 2>/dev/null || true
	$(Q)if [ -n "$(PYVER)" ]; then rm -rf $(DESTDIR)$(PYDIR)/seqshm \
	    $(DESTDIR)$(PYDIR)/seqshm-$(VERSION).dist-info; fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null 2>&1; then \
	    ldconfig; fi

clean:
	$(Q)rm -rf build
