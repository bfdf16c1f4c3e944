# yichuang — build, run and test.  `make run` and `make test` do all the set-up.
CC      ?= cc
PKGS     = fcgi hiredis libmariadb jansson libsodium libcurl libqrencode libpng libcrypto cairo
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
OPT     ?= -O2 -g
CFLAGS  := $(OPT) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral \
           -fno-strict-aliasing $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
           -DYC_VERSION='"$(VERSION)"'
ifdef CI
CFLAGS  += -Werror
endif
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
B       ?= build
PREFIX  ?= /usr/local

RUNTIME  = $(wildcard fcgi/*.c)
MODULES  = $(wildcard modules/*/*.c)
LIBSRC   = $(RUNTIME) $(MODULES)
LIBOBJ   = $(LIBSRC:%.c=$(B)/%.o)
HEADERS  = $(wildcard fcgi/*.h programs/*.h modules/*.h modules/*/*.h test/lib/*.h)
UNIT     = $(patsubst test/unit/%.c,$(B)/test/%,$(wildcard test/unit/*.c))
INTEG    = $(patsubst test/integration/%.c,$(B)/test/%,$(wildcard test/integration/*.c))

.PHONY: all run stop test asan bench faults fuzz fuzzers tests clean deps install uninstall screenshots mutate \
        cluster cluster-down cluster-test cluster-bench
all: $(B)/yichuang-app $(B)/yichuang-worker $(B)/yichuang-admin

$(B)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

# Made anew each time: `ar r` alone would keep the object of a file that was moved or removed.
$(B)/libyc.a: $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $^

ROOMS    = $(B)/programs/assembly.o
$(B)/yichuang-app: $(B)/programs/app.o $(ROOMS) $(B)/libyc.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(B)/yichuang-worker: $(B)/programs/worker.o $(ROOMS) $(B)/libyc.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(B)/yichuang-admin: $(B)/programs/admin.o $(ROOMS) $(B)/libyc.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/test/%: test/unit/%.c $(ROOMS) $(B)/libyc.a $(B)/test/lib.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka
$(B)/test/%: test/integration/%.c $(B)/test/lib.a $(ROOMS) $(B)/libyc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka
$(B)/test/lib.a: $(patsubst %.c,$(B)/%.o,$(wildcard test/lib/*.c))
	@rm -f $@
	$(AR) rcs $@ $^
tests: $(UNIT) $(INTEG) $(B)/cluster/it_cluster $(B)/bench/sse_subs $(B)/bench/release_rush
# The several-host test is not an it_* against the test stack: it needs the machine's one
# cluster (ops/cluster.sh: fixed yc-* names and 10.77.0.0/24).  make test runs its short form
# (ops/test.sh "cluster"), make cluster-test its long one.
$(B)/cluster/it_cluster: test/cluster/it_cluster.c $(B)/test/lib.a $(ROOMS) $(B)/libyc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

FUZZ     = $(patsubst test/fuzz/%.c,$(B)/fuzz/%,$(wildcard test/fuzz/*.c))
FUZZOPT  = -O1 -g -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer
$(B)/fuzz/%: test/fuzz/%.c $(ROOMS) $(B)/libyc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
fuzzers: $(FUZZ)

# FHS install (ops/install.sh, docs/INSTALL.md): PREFIX (/usr/local), DESTDIR to stage.
install: all
	@B=$(B) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) bash ops/install.sh install
uninstall:
	@PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) bash ops/install.sh uninstall

deps:
	@bash ops/deps.sh
run: deps
	@$(MAKE) --no-print-directory all
	@bash ops/stack.sh up run
stop:
	@bash ops/stack.sh down run
test:
	@bash ops/deps.sh test
	@$(MAKE) --no-print-directory all tests
	@$(MAKE) --no-print-directory B=build-fuzz CC=clang OPT="$(FUZZOPT)" fuzzers
	@YICHUANG_FUZZ_SECONDS=$${YICHUANG_FUZZ_SECONDS:-4} bash ops/test.sh
# The README gallery: docs/screenshots/*.png from a throwaway stack (ops/screenshots.sh).
screenshots:
	@bash ops/deps.sh test
	@$(MAKE) --no-print-directory all
	@bash ops/screenshots.sh
bench:
	@bash ops/deps.sh test
	@$(MAKE) --no-print-directory all $(B)/bench/sse_subs $(B)/bench/release_rush
	@YICHUANG_BUILD=$(B) bash ops/bench.sh
# The push bench's subscribers: N Server-Sent Events connections on one epoll thread.
$(B)/bench/sse_subs: test/bench/sse_subs.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lpthread
# The city booking release: one connection a citizen, every answer counted.
$(B)/bench/release_rush: test/bench/release_rush.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lcrypto
faults:
	@bash ops/deps.sh test
	@$(MAKE) --no-print-directory all $(B)/test/it_faults
	@YICHUANG_BUILD=$(B) bash ops/faults.sh
fuzz:
	@bash ops/deps.sh test
	@$(MAKE) --no-print-directory B=build-fuzz CC=clang OPT="$(FUZZOPT)" fuzzers
	@bash ops/fuzz.sh $${FUZZ_SECONDS:-60}
asan:
	@bash ops/deps.sh test
	@$(MAKE) --no-print-directory B=build-asan CC=clang \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  all tests
	@YICHUANG_BUILD=build-asan YICHUANG_INSTANCE=asan YICHUANG_SANITIZERS=1 bash ops/test.sh
# Each test/mutants/*.mutant in a scratch copy, against its own suites (MUTANTS="08 10" for some).
mutate:
	@bash ops/deps.sh test
	@bash ops/mutate.sh $(MUTANTS)
# Several hosts on this machine (ops/cluster.sh, root: network namespaces): Galera ×3, Redis
# primary + replica + 3 Sentinels, two app hosts behind haproxy, all under var/cluster/.
cluster:
	@bash ops/deps.sh cluster
	@$(MAKE) --no-print-directory all
	@bash ops/cluster.sh down >/dev/null 2>&1 || true
	@YICHUANG_BUILD=$(B) bash ops/cluster.sh up
cluster-down:
	@bash ops/cluster.sh down
# The acceptance flows under load while one host at a time is lost (ops/cluster-test.sh).
cluster-test:
	@bash ops/deps.sh cluster
	@bash ops/deps.sh test
	@$(MAKE) --no-print-directory all $(B)/cluster/it_cluster
	@YICHUANG_BUILD=$(B) bash ops/cluster-test.sh
# Throughput through the balancer, two app hosts against one (a running make cluster).
cluster-bench:
	@bash ops/deps.sh cluster
	@bash ops/cluster-bench.sh
clean:
	rm -rf build build-asan build-fuzz
