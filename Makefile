# pcv6 build. `make` builds kernel/kernel and fs.img; `make qemu` boots it;
# `make test` runs the test suite; `make bench` the benchmarks.
#
# Every user/*.c that defines main() becomes a program in fs.img: drop a
# file in user/ and rebuild, no edit here needed.

K := kernel
U := user
TOOLPREFIX ?= riscv64-unknown-elf-
CC      := $(TOOLPREFIX)gcc
AS      := $(TOOLPREFIX)as
LD      := $(TOOLPREFIX)ld
OBJCOPY := $(TOOLPREFIX)objcopy
OBJDUMP := $(TOOLPREFIX)objdump

FSSIZE ?= 131072   # file system size in 1 KiB blocks (128 MiB)
CPUS   ?= 3
MEM    := 128M

ARCHFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
CFLAGS := -Wall -Werror -O2 -g -MD $(ARCHFLAGS) -ffreestanding -fno-common \
          -nostdlib -fno-builtin -fno-omit-frame-pointer -fno-stack-protector \
          -fno-pie -no-pie -I. -DFSSIZE=$(FSSIZE)
KCFLAGS := $(CFLAGS) -Wstrict-prototypes
ASFLAGS := $(ARCHFLAGS) -I. -MD
LDFLAGS := -z max-page-size=4096 --no-warn-rwx-segments

# Subsystem folders under kernel/ (README's layout table says what each holds).
KDIRS := $(K) $(addprefix $(K)/,arch lib dev fs mm proc)
KSRCS := $(sort $(foreach d,$(KDIRS),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S)))
KOBJS := $(patsubst %.S,%.o,$(patsubst %.c,%.o,$(KSRCS)))

ULIBSRC := $(U)/ulib.c $(U)/printf.c $(U)/umalloc.c $(U)/errstr.c
ULIBOBJ := $(ULIBSRC:.c=.o) $(U)/usys.o
MAIN_RE := ^((int|void)[[:space:]]+)?main[[:space:]]*[(]
UPROGSRC := $(filter-out $(ULIBSRC),$(shell grep -l -E '$(MAIN_RE)' $(U)/*.c))
UPROGS := $(patsubst $(U)/%.c,$(U)/_%,$(UPROGSRC))

all: $(K)/kernel fs.img

# Flags live here: objects are stale when this file changes.
$(KOBJS) $(ULIBOBJ) $(UPROGSRC:.c=.o): Makefile

$(K)/%.o: $(K)/%.c
	$(CC) $(KCFLAGS) -c -o $@ $<
$(K)/%.o: $(K)/%.S
	$(CC) $(ASFLAGS) -c -o $@ $<

$(K)/kernel: $(KOBJS) $(K)/kernel.ld
	$(LD) $(LDFLAGS) -T $(K)/kernel.ld -o $@ $(KOBJS)
	$(OBJDUMP) -S $@ > $(K)/kernel.asm

# The lock-order checker's test kernel: the same objects but for
# kernel/lib/locktest.c, compiled with LOCKCHECK_SELFTEST so that its knob
# breaks the lock order on purpose (the normal kernel refuses the knob: no
# user program may make it panic). Only make test's lock-check cases boot it.
$(K)/lib/locktest-selftest.o: $(K)/lib/locktest.c Makefile
	$(CC) $(KCFLAGS) -DLOCKCHECK_SELFTEST -c -o $@ $<
LOCKTEST_OBJS := $(filter-out $(K)/lib/locktest.o,$(KOBJS)) $(K)/lib/locktest-selftest.o
$(K)/kernel-locktest: $(LOCKTEST_OBJS) $(K)/kernel.ld
	$(LD) $(LDFLAGS) -T $(K)/kernel.ld -o $@ $(LOCKTEST_OBJS)

$(U)/%.o: $(U)/%.c
	$(CC) $(CFLAGS) -c -o $@ $<
$(U)/%.o: $(U)/%.S
	$(CC) $(ASFLAGS) -c -o $@ $<

$(U)/_%: $(U)/%.o $(ULIBOBJ) $(U)/user.ld
	$(LD) $(LDFLAGS) -T $(U)/user.ld -o $@ $< $(ULIBOBJ)

# .fssize records the FSSIZE of the last build, so `make FSSIZE=N` rebuilds
# mkfs and the image when N changes.
.fssize: FORCE
	@echo $(strip $(FSSIZE)) | cmp -s - $@ || echo $(strip $(FSSIZE)) > $@

# .uprogs records the list of programs of the last build, so that removing
# a user/*.c (not just adding or changing one) also rebuilds fs.img.
.uprogs: FORCE
	@echo $(UPROGS) | cmp -s - $@ || echo $(UPROGS) > $@

# A host build of kernel/lib/string.c under test (the `string` case of make test).
scripts/stringtest: scripts/stringtest.c $(K)/lib/string.c $(K)/lib/string.h $(K)/types.h
	gcc -Wall -Werror -O2 -I. -o $@ scripts/stringtest.c

scripts/mkfs: scripts/mkfs.c $(K)/fs.h $(K)/param.h $(K)/types.h $(K)/stat.h .fssize
	gcc -Wall -Werror -O2 -I. -DFSSIZE=$(FSSIZE) -o $@ scripts/mkfs.c

fs.img: scripts/mkfs README.md $(UPROGS) .uprogs
	scripts/mkfs $@ README.md $(UPROGS)

.PRECIOUS: $(U)/%.o

# ---- benchmarks (`make bench`; scripts/bench.py says what runs) ----
#
# bench.img is a separate disk image, never the test image: the tools a
# benchmark boot needs (init, sh, vmctl), every bench/*.c program with
# main(), and data files written on the host by scripts/mkdata (a 64 MiB
# file is near MAXFILE, so the image is larger than fs.img, with its own
# mkfs built for that size).
B := bench
BENCH_FSSIZE := 163840   # 1 KiB blocks (160 MiB)
BPROGSRC := $(shell grep -l -E '$(MAIN_RE)' $(B)/*.c)
BPROGS := $(patsubst $(B)/%.c,$(B)/_%,$(BPROGSRC))
# NAME:MIB:SEED of each data file (bench/data.h says what they hold). The
# dirty workload stores to d16 (d1 in bench-quick); nothing else uses them.
BENCH_DATA := s32:32:1 f16:16:2 d16:16:3 f1:1:4 f4:4:5 f64:64:6 d1:1:7

$(BPROGSRC:.c=.o): Makefile $(B)/data.h
$(B)/%.o: $(B)/%.c
	$(CC) $(CFLAGS) -c -o $@ $<
$(B)/_%: $(B)/%.o $(ULIBOBJ) $(U)/user.ld
	$(LD) $(LDFLAGS) -T $(U)/user.ld -o $@ $< $(ULIBOBJ)

scripts/mkdata: scripts/mkdata.c $(B)/data.h $(K)/types.h
	gcc -Wall -Werror -O2 -I. -o $@ scripts/mkdata.c
scripts/mkfs-bench: scripts/mkfs.c $(K)/fs.h $(K)/param.h $(K)/types.h $(K)/stat.h
	gcc -Wall -Werror -O2 -I. -DFSSIZE=$(BENCH_FSSIZE) -o $@ scripts/mkfs.c

$(B)/data/sums: scripts/mkdata Makefile
	mkdir -p $(B)/data
	scripts/mkdata $(B)/data $(BENCH_DATA)

bench.img: scripts/mkfs-bench $(B)/data/sums $(U)/_init $(U)/_sh $(U)/_vmctl $(BPROGS)
	scripts/mkfs-bench $@ $(U)/_init $(U)/_sh $(U)/_vmctl $(BPROGS) $(B)/data/sums \
	    $(foreach f,$(BENCH_DATA),$(B)/data/$(firstword $(subst :, ,$(f))))

QEMU := qemu-system-riscv64
QEMUOPTS := -machine virt -bios default -kernel $(K)/kernel -m $(MEM) -smp $(CPUS) \
            -nographic -global virtio-mmio.force-legacy=false \
            -drive file=fs.img,if=none,format=raw,id=x0 \
            -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0

deps:
	@bash scripts/install-deps.sh

qemu: deps
	$(MAKE) all
	$(QEMU) $(QEMUOPTS)

GDBPORT ?= $(shell expr `id -u` % 5000 + 25000)

# Writes .gdbinit (kernel symbols, then attach to this QEMU), so that in
# another terminal, in this directory, `gdb-multiarch -x .gdbinit` attaches.
qemu-gdb: deps
	$(MAKE) all
	@printf 'file kernel/kernel\ntarget remote 127.0.0.1:%s\n' $(GDBPORT) > .gdbinit
	@echo "waiting for gdb on port $(GDBPORT); in another terminal, here: gdb-multiarch -x .gdbinit"
	@echo "(the kernel's C entry point is start(), in kernel/main.c)"
	$(QEMU) $(QEMUOPTS) -S -gdb tcp:127.0.0.1:$(GDBPORT)

# `make bench` runs every benchmark (9 minutes on a 2-core host shared with
# other QEMU runs, the build on top; results/run.json has the time of each part) and
# writes results/: bench.csv, summary.md, the plots, hyperfine.md/.json.
# `make bench-quick` is a small version for development (results-quick/).
BENCH_QEMU := $(QEMU) -machine virt -bios default -kernel $(K)/kernel -m $(MEM) -nographic \
              -global virtio-mmio.force-legacy=false \
              -drive file=bench.img,if=none,format=raw,id=x0 \
              -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 -snapshot
BENCH_DEPS := hyperfine python3-matplotlib

bench:
	@bash scripts/install-deps.sh $(BENCH_DEPS)
	$(MAKE) all bench.img
	/usr/bin/python3 scripts/bench.py --qemu "$(BENCH_QEMU)" --out results
	/usr/bin/python3 scripts/summary.py results --readme README.md
	/usr/bin/python3 scripts/plot.py results
	@echo "bench: results in results/ (summary.md, bench.csv, *.png, hyperfine.md);"
	@echo "bench: README.md's goals table updated"

bench-quick:
	@bash scripts/install-deps.sh $(BENCH_DEPS)
	$(MAKE) all bench.img
	/usr/bin/python3 scripts/bench.py --quick --qemu "$(BENCH_QEMU)" --out results-quick \
	    --log bench-quick.log
	/usr/bin/python3 scripts/summary.py results-quick
	/usr/bin/python3 scripts/plot.py results-quick
	@echo "bench-quick: results in results-quick/"

# `make test ONLY=name` (or ONLY="a b") runs just those cases after boot.
ONLY ?=
# POWERCUT_TRIALS=N runs N trials in each power-cut campaign instead of the
# suite's short default (or the soak's longer one), POWERCUT_SEED=S replays
# a campaign's choices; e.g.
# make test ONLY="powercut-kill powercut-wcache" POWERCUT_TRIALS=500
POWERCUT_TRIALS ?=
POWERCUT_SEED ?=
POWERCUT_ARGS = $(if $(POWERCUT_TRIALS),--powercut-trials $(POWERCUT_TRIALS)) \
	$(if $(POWERCUT_SEED),--powercut-seed $(POWERCUT_SEED))
# The last case, bench-quick, runs the benchmark pipeline on bench.img.
test:
	@bash scripts/install-deps.sh python3-matplotlib
	$(MAKE) all bench.img scripts/stringtest $(K)/kernel-locktest
	/usr/bin/python3 scripts/runtest.py --qemu "$(QEMU) $(QEMUOPTS) -snapshot" \
	    --bench-qemu "$(BENCH_QEMU)" $(foreach n,$(ONLY),--only $(n)) $(POWERCUT_ARGS)

# `make soak` runs the test tools for far longer than make test does (see
# soak_parts in scripts/runtest.py: over a million fsx operations, a
# million sysfuzz calls, then both power-cut campaigns with 60 trials
# each); about 35 minutes on a 2-core host, estimated from the rates in
# runtest.py. ONLY=fsx,
# ONLY=sysfuzz or ONLY=powercut runs one part (or ONLY=a case's name).
# Its console output goes to soak.log.
soak:
	@bash scripts/install-deps.sh
	$(MAKE) all
	/usr/bin/python3 scripts/runtest.py --soak --log soak.log --qemu "$(QEMU) $(QEMUOPTS) -snapshot" \
	    $(foreach n,$(ONLY),--only $(n)) $(POWERCUT_ARGS)

format:
	clang-format -i $(foreach d,$(KDIRS),$(wildcard $(d)/*.c $(d)/*.h)) $(U)/*.c $(U)/*.h

clean:
	rm -f $(foreach d,$(KDIRS),$(d)/*.o $(d)/*.d) $(K)/kernel $(K)/kernel-locktest $(K)/kernel.asm \
	      $(U)/*.o $(U)/*.d $(U)/_* \
	      scripts/mkfs fs.img .fssize .uprogs .gdbinit \
	      $(B)/*.o $(B)/*.d $(B)/_* scripts/mkfs-bench scripts/mkdata scripts/stringtest bench.img
	rm -rf $(B)/data

-include $(foreach d,$(KDIRS),$(wildcard $(d)/*.d)) $(U)/*.d $(B)/*.d

.PHONY: all deps qemu qemu-gdb test soak bench bench-quick format clean FORCE
