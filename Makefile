# pipetrace build (libbpf-tools style: clang -target bpf, bpftool gen skeleton, CO-RE).
#   make            build/pipetrace
#   make demo       install what is missing, build, trace examples/pipeline.sh
#   make test       the whole test suite (sanitizer build, real BPF, DuckDB + hyparquet)
#   make bench      overhead and Parquet benchmarks, ratios against baselines in the same run
#   make static     build/static/pipetrace: one self-contained binary (static libc too)
#   make test-kernels  the core of the suite on Debian's 5.10, 6.1 and 6.12 kernels, in qemu
#   make install    PREFIX=/usr/local (the binary, pipetrace(1), bash completion, queries)

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BUILD      ?= build
CC         ?= cc
CLANG      ?= clang
BPFTOOL    ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
ARCH       := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS     ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -DPIPETRACE_VERSION='"$(VERSION)"' \
              -Isrc -I$(BUILD)/bpf -I$(BUILD)/gen $(EXTRA_CFLAGS)
# Linked statically (libbpf-tools do the same with libbpf): pipetrace runs on a machine without
# them, and skips their dynamic relocation, ~0.2 ms of every run's start-up.
LIBS       := -Wl,-Bstatic -lbpf -lelf -lz -lzstd -llz4 -Wl,-Bdynamic -lm
# make static: libc and libm too, so that the binary runs on any x86_64 Linux with BTF.
ifeq ($(STATIC),1)
LIBS       := -static -lbpf -lelf -lz -lzstd -llz4 -lm
endif

BPF_SRCS   := $(wildcard src/bpf/*.bpf.c)
BPF_OBJS   := $(patsubst src/bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELETONS  := $(patsubst src/bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))

# Every user-space module, in dataflow order; parquet/ stands alone.
MODULES    := parquet redact dataset model probes trace analysis cli
SRCS       := $(foreach m,$(MODULES),$(wildcard src/$(m)/*.c))
OBJS       := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS   := $(filter-out $(BUILD)/obj/cli/main.o,$(OBJS))
PARQUET_OBJS := $(filter $(BUILD)/obj/parquet/%,$(OBJS))

# The man page and the bash completion, written from the command tables by cli-docs.
DOCS_SRCS  := $(wildcard src/cli/docs/*.c)
CLI_DOCS   := $(BUILD)/pipetrace.1 $(BUILD)/pipetrace.bash

TOOL_SRCS  := $(wildcard tests/tools/*.c)
TOOLS      := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))
BENCH_TOOLS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

.PHONY: all demo test bench bench-tools install uninstall clean deps fuzz tools static \
        test-kernels
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/pipetrace $(CLI_DOCS)

$(BUILD)/pipetrace: $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/cli-docs: $(DOCS_SRCS) src/cli/docs/docs.h $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(DOCS_SRCS) $(LIB_OBJS) $(LIBS)
$(BUILD)/pipetrace.1: $(BUILD)/cli-docs
	$< man > $@
$(BUILD)/pipetrace.bash: $(BUILD)/cli-docs
	$< bash > $@

$(BUILD)/obj/%.o: src/%.c | $(SKELETONS) $(BUILD)/bpf/embedded_btf.h $(BUILD)/obj
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
# The Parquet library stands alone: it builds without bpftool or the kernel's BTF.
$(BUILD)/obj/parquet/%.o: src/parquet/%.c | $(BUILD)/obj
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The HTML export's page, style and script (hand-written, docs/export.md), built into the binary.
TIMELINE   := src/analysis/timeline
TIMELINE_JS := $(TIMELINE)/model.js $(TIMELINE)/draw.js $(TIMELINE)/view.js
$(BUILD)/gen/timeline_assets.h: $(TIMELINE)/timeline.html $(TIMELINE)/timeline.css $(TIMELINE_JS) \
		scripts/embed-text.sh
	@mkdir -p $(dir $@)
	scripts/embed-text.sh $@ timeline_page=$(TIMELINE)/timeline.html \
	  timeline_style=$(TIMELINE)/timeline.css timeline_script=$(TIMELINE)/model.js+$(TIMELINE)/draw.js+$(TIMELINE)/view.js
$(BUILD)/obj/analysis/export_html.o: $(BUILD)/gen/timeline_assets.h

# vmlinux.h comes from the running kernel's BTF (CO-RE relocates it on other kernels).
src/bpf/vmlinux.h:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/bpf/%.bpf.o: src/bpf/%.bpf.c src/bpf/vmlinux.h $(wildcard src/bpf/*.h) | $(BUILD)/bpf
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Isrc/bpf -c $< -o $@
	llvm-strip -g $@ 2>/dev/null || true

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# The kernel types the probes relocate, cut from this kernel's BTF (src/probes/core_btf.c).
$(BUILD)/bpf/embedded_btf.h: $(BPF_OBJS) scripts/embed-core-btf.sh
	scripts/embed-core-btf.sh $(BPFTOOL) $@ $(BPF_OBJS)

# Test helper programs (tests/tools/*.c) link against the library objects.
tools: $(TOOLS)
$(BUILD)/tools/%: tests/tools/%.c $(wildcard tests/tools/*.h) $(LIB_OBJS) | $(BUILD)/tools
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS) -lpthread
# pq_* tools exercise the standalone Parquet library alone.
$(BUILD)/tools/pq_%: tests/tools/pq_%.c $(PARQUET_OBJS) | $(BUILD)/tools
	$(CC) $(ALL_CFLAGS) -o $@ $< $(PARQUET_OBJS) -lzstd -lm

# Benchmark programs (bench/*.c): pq_bench exercises the standalone Parquet library alone.
bench-tools: $(BENCH_TOOLS)
$(BUILD)/bench/pq_%: bench/pq_%.c $(PARQUET_OBJS) | $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $< $(PARQUET_OBJS) -lzstd -lm
# spawn forks and execs as fast as it can (the spawn ceiling).
$(BUILD)/bench/spawn: bench/spawn.c | $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $<
# exit0 does nothing without libc: the program bench/spawn spawns (x86_64).
$(BUILD)/bench/exit0: bench/exit0.c | $(BUILD)/bench
	$(CC) -O2 -static -nostdlib -fno-stack-protector -o $@ $<
# bpf_cost measures what the probes cost per call, against empty programs on the same hooks.
$(BUILD)/bench/bpf_cost: bench/bpf_cost.c | $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBS)

$(BUILD)/obj $(BUILD)/bpf $(BUILD)/tools $(BUILD)/bench:
	mkdir -p $@

deps:
	scripts/install-deps.sh

demo: deps
	$(MAKE) all
	$(BUILD)/pipetrace run -o $(BUILD)/demo -- examples/pipeline.sh

# The test build carries AddressSanitizer and UndefinedBehaviorSanitizer.
SANITIZE := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
test: deps
	$(MAKE) BUILD=build/test CFLAGS="$(SANITIZE)" all tools
	$(MAKE) BUILD=build/fuzz fuzz
	tests/run.sh build/test

# The linker warns that a static getpwnam/initgroups needs glibc's NSS modules at run time:
# --user in this binary resolves users with the services built into libc ("files":
# /etc/passwd, /etc/group), not with ones loaded from shared objects (LDAP, sssd, systemd).
static:
	$(MAKE) BUILD=build/static STATIC=1 all

# Boots Debian's kernels in qemu and runs scripts/kernels/guest.sh in each (docs/kernels.md).
test-kernels: deps
	scripts/install-deps.sh --kernels
	$(MAKE) all tools
	$(MAKE) static
	scripts/kernels/test-kernels.sh build

bench: deps
	$(MAKE) all tools bench-tools
	bench/run.sh $(BUILD)

# libFuzzer target for the Parquet reader (clang), ASan + UBSan.
fuzz: $(BUILD)/fuzz_parquet_reader $(BUILD)/fuzz_redact
$(BUILD)/fuzz_parquet_reader: tests/fuzz/fuzz_parquet_reader.c $(wildcard src/parquet/*.c) src/parquet/parquet.h
	@mkdir -p $(BUILD)
	$(CLANG) -std=gnu11 -g -O1 -D_GNU_SOURCE -Isrc -fsanitize=fuzzer,address,undefined \
	  -o $@ tests/fuzz/fuzz_parquet_reader.c $(wildcard src/parquet/*.c) -lzstd
$(BUILD)/fuzz_redact: tests/fuzz/fuzz_redact.c $(wildcard src/redact/*.[ch])
	@mkdir -p $(BUILD)
	$(CLANG) -std=gnu11 -g -O1 -D_GNU_SOURCE -Isrc -fsanitize=fuzzer,address,undefined \
	  -o $@ tests/fuzz/fuzz_redact.c $(wildcard src/redact/*.c)

install: all
	install -D -m 0755 $(BUILD)/pipetrace $(DESTDIR)$(PREFIX)/bin/pipetrace
	install -D -m 0644 $(BUILD)/pipetrace.1 $(DESTDIR)$(PREFIX)/share/man/man1/pipetrace.1
	install -D -m 0644 $(BUILD)/pipetrace.bash \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pipetrace
	install -d $(DESTDIR)$(PREFIX)/share/pipetrace/queries
	install -m 0644 queries/*.sql $(DESTDIR)$(PREFIX)/share/pipetrace/queries/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/pipetrace $(DESTDIR)$(PREFIX)/share/man/man1/pipetrace.1
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pipetrace
	rm -rf $(DESTDIR)$(PREFIX)/share/pipetrace

clean:
	rm -rf build

-include $(OBJS:.o=.d)
