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

KSRCS := $(sort $(wildcard $(K)/*.c) $(wildcard $(K)/*.S))
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

scripts/mkfs: scripts/mkfs.c $(K)/fs.h $(K)/param.h $(K)/types.h $(K)/stat.h .fssize
	gcc -Wall -Werror -O2 -I. -DFSSIZE=$(FSSIZE) -o $@ scripts/mkfs.c

fs.img: scripts/mkfs README.md $(UPROGS)
	scripts/mkfs $@ README.md $(UPROGS)

.PRECIOUS: $(U)/%.o

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

# `make test ONLY=name` (or ONLY="a b") runs just those cases after boot.
ONLY ?=
test: deps
	$(MAKE) all
	/usr/bin/python3 scripts/runtest.py --qemu "$(QEMU) $(QEMUOPTS) -snapshot" \
	    $(foreach n,$(ONLY),--only $(n))

format:
	clang-format -i $(K)/*.c $(K)/*.h $(U)/*.c $(U)/*.h

clean:
	rm -f $(K)/*.o $(K)/*.d $(K)/kernel $(K)/kernel.asm $(U)/*.o $(U)/*.d $(U)/_* \
	      scripts/mkfs fs.img .fssize .gdbinit

-include $(K)/*.d $(U)/*.d

.PHONY: all deps qemu qemu-gdb test format clean FORCE
