#!/usr/bin/python3
"""runtest.py -- boot pcv6 under QEMU and drive its shell through a list of cases.

Usage (the Makefile's `test` target does this):
    scripts/runtest.py --qemu "qemu-system-riscv64 ... -snapshot" [--only NAME]...
                       [--timeout-boot SECONDS] [--timeout NAME=SECONDS]...
                       [--log test.log]

The cases, in the order they run (each kind is a dataclass below, and
main() is one loop over them):

  HOST_CASES   programs built for the host from kernel source
               (scripts/stringtest.c); each passes when it exits 0.
  boot         one QEMU is booted for the shell cases; always runs.
  CASES        shell cases: one command line each at that machine's
               prompt, its output checked against regular expressions.
  IMAGE_CASES  each builds a disk image of its own, runs one command on it
               and checks the image with scripts/fsck.py.
  CRASH_CASES  each copies the disk image, boots QEMU on the copy without
               -snapshot, kills it with SIGKILL in the middle of fsstress,
               boots the copy again so the kernel replays its log, and
               checks the copy with scripts/fsck.py. The crash is
               triggered by fsstress's own output, never by a timer.
  BENCH_SMOKE  when the Makefile passes --bench-qemu: runs `make
               bench-quick`'s pipeline (scripts/bench.py --quick,
               summary.py, plot.py) into a temporary directory and checks
               that a CSV with sane numbers and every plot came out -- the
               pipeline, not the goals.

A shell case passes if every expected regular expression matched its
output (scripts/qemuconsole.py says how a command's output is found). It
fails on a timeout, a missing expectation, the word "panic" anywhere in
its output, or QEMU exiting. After a failure that may have left the
machine in a bad state (timeout, panic, QEMU gone) the next case gets a
freshly booted QEMU; with -snapshot the disk image starts clean each time.

Output: one line per case, "PASS name (12.3s)" or "FAIL name: reason" followed
by the last console lines of that case, then "N passed, N failed" alone on
the last line. Exit status 1 if anything failed, else 0.
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from benchdata import FAULTAROUND_DEFAULT, READAHEAD_DEFAULT, WINDOW_MAX, read_csv
from qemuconsole import (PANIC_RE, PROMPT, Console, QemuDied, body_of, boot, run_command,
                         tail)

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent


@dataclass
class Result:
    """How a case went. out: console output whose tail a FAIL line shows;
    note: said after the time on a PASS line, after the reason on a FAIL."""
    ok: bool
    why: str = ""
    out: str = ""
    note: str = ""


class Runner:
    """What the cases share: the arguments, the log, and the machine the
    shell cases run on (booted by the boot case, rebooted when a case
    leaves it unusable, stopped before the first case that boots its own)."""

    def __init__(self, args: argparse.Namespace, log: IO[str]):
        self.args = args
        self.qemu_argv = shlex.split(args.qemu)
        self.log = log
        self.con: Console | None = None
        self.booted = False

    def note(self, text: str) -> None:
        self.log.write(text)
        self.log.flush()

    def start_machine(self, label: str) -> tuple[Console | None, str | None]:
        """Boot a fresh shared QEMU; returns (console, failure reason or None)."""
        self.note(f"\n==== runtest: starting QEMU ({label}) ====\n")
        try:
            c = Console(self.qemu_argv, self.log)
        except OSError as e:
            return None, f"cannot start QEMU: {e}"
        return c, boot(c, self.args.timeout_boot)

    def stop_shared(self) -> None:
        if self.con is not None:
            self.con.stop()
            self.con = None


# ---------------------------------------------------------------- case kinds

class Case:
    """A case: name and timeout in seconds (--timeout NAME=S overrides it).
    shared: it runs on the runner's shared machine. prepare() runs before
    the case's clock starts and may fail it; run() is the case."""
    name: str
    timeout: float
    shared = False

    def prepare(self, runner: Runner) -> Result | None:
        return None

    def run(self, runner: Runner, timeout: float) -> Result:
        raise NotImplementedError


@dataclass
class HostCase(Case):
    """A program built by `make test` that checks kernel code compiled for
    the host; passes when it exits 0."""
    name: str
    argv: list[str]
    timeout: float

    def run(self, runner: Runner, timeout: float) -> Result:
        runner.log.write(f"\n==== runtest: host case: {' '.join(self.argv)} ====\n")
        try:
            p = subprocess.run(self.argv, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            return Result(False, f"cannot run {self.argv[0]}: {e}")
        out = p.stdout.decode(errors="replace")
        runner.log.write(out)
        last = out.strip().splitlines()[-1] if out.strip() else "(no output)"
        if p.returncode != 0:
            return Result(False, f"exit status {p.returncode}: {last}\n{tail(out)}")
        return Result(True, note=last)


@dataclass
class BootCase(Case):
    """The first boot of the shared machine (its timeout is --timeout-boot)."""
    name: str = "boot"
    timeout: float = 0
    shared = True

    def run(self, runner: Runner, timeout: float) -> Result:
        runner.con, why = runner.start_machine("boot")
        if why:
            return Result(False, why, runner.con.snapshot() if runner.con else "")
        runner.booted = True
        return Result(True)


@dataclass
class ShellCase(Case):
    """One command line at the shared machine's prompt; every regex of
    expects (Python, searched with re.MULTILINE in the command's output,
    its echo excluded) must match, in any order."""
    name: str
    command: str
    expects: list[str]
    timeout: float
    shared = True

    def prepare(self, runner: Runner) -> Result | None:
        if not runner.booted:
            return Result(False, "not run: the machine did not boot")
        if runner.con is None or not runner.con.alive():
            runner.stop_shared()
            con, why = runner.start_machine("before " + self.name)
            if why:
                out = con.snapshot() if con else ""
                if con is not None:
                    con.stop()
                return Result(False, "fresh QEMU did not boot: " + why, out)
            runner.con = con
        return None

    def run(self, runner: Runner, timeout: float) -> Result:
        runner.note(f"\n==== runtest: case {self.name}: {self.command} ====\n")
        o = run_command(runner.con, self.command, self.expects, timeout)
        if not o.usable:
            runner.stop_shared()
        return Result(o.ok, o.why, "" if o.ok else o.out)


@dataclass
class ImageCase(Case):
    """A command run on an image of its own, of `blocks` blocks: built with
    `scripts/mkfs -s` holding the same files as fs.img, then fragmented by
    scripts/fragment.py (every bitmap block but the last keeps one free
    block, the rest of the disk is filled). QEMU boots on the image (no
    -snapshot), runs the command as a shell case would, and is killed idle
    at its prompt (every transaction has committed by then); then
    scripts/fsck.py checks the image. Passes iff the boot works, the output
    matches with no panic, and fsck exits 0. The image is deleted unless
    the case fails."""
    name: str
    blocks: int
    command: str
    expects: list[str]
    timeout: float

    def run(self, runner: Runner, timeout: float) -> Result:
        return run_image_case(self, timeout, runner)


@dataclass
class CrashCase(Case):
    """A crash and the recovery from it; round says where the crash falls:
    a round of fsstress, COMMIT_CRASH or MSYNC_CRASH (see CRASH_CASES)."""
    name: str
    round: int | str
    timeout: float

    def run(self, runner: Runner, timeout: float) -> Result:
        return run_crash_case(self, timeout, runner)


@dataclass
class BenchSmoke(Case):
    """The bench-quick pipeline; see bench_smoke()."""
    name: str
    timeout: float

    def run(self, runner: Runner, timeout: float) -> Result:
        return bench_smoke(runner.args.bench_qemu, timeout, runner.log)


# ---------------------------------------------------------------- the cases

# Shell cases, run in this order after the boot. Timeouts are generous: the
# host is a busy 2-core machine emulating 3 harts.
#
# The tool cases check their numbers against README.md as the host sees it:
# mkfs copies that file into the image as README when make test builds.
README_BYTES = (ROOT / "README.md").read_bytes()
README_LINES = README_BYTES.split(b"\n")
if README_LINES and README_LINES[-1] == b"":
    README_LINES.pop()
README_FIRST = README_LINES[0].decode()
README_FIRST_RE = re.escape(README_FIRST)
PCV6_LINES = sum(1 for l in README_LINES if b"pcv6" in l.lower())
PCV6_UPPER_LINES = sum(1 for l in README_LINES if b"PCV6" in l)
NO_PCV6_LINES = sum(1 for l in README_LINES if b"pcv6" not in l)
FA, WMAX = FAULTAROUND_DEFAULT, WINDOW_MAX
# Calls of the short sysfuzz runs (the soak makes a million: README).
SYSFUZZ_CALLS = 5000

CASES = [
    ShellCase("shell", "echo hi > f; cat f | grep hi | wc", [r"^\s*1 1 3\b"], 120),
    # A line typed in one write, three times the console's 128-byte input
    # buffer: the UART must hold what does not fit, not drop it.
    ShellCase("paste", f"echo {'q' * 400} | wc -c", [r"^\s*401\b"], 120),
    ShellCase("ls", "ls", [r"^README", r"^cat\s", r"^usertests\s"], 120),
    ShellCase("ls-l", "ls -l README; ls -l /",
              [rf"^file\s+1\s+\d+\s+{len(README_BYTES)} README$",
               r"^dir\s+\d+\s+1\s+\d+ \.$", r"^dev\s+1\s+\d+\s+0 console$"], 120),
    ShellCase("grep-n", f"grep -n '^{README_FIRST}$' README; "
              f"grep -in '^{README_FIRST.upper()}$' README",
              [rf"\A1:{README_FIRST_RE}\n1:{README_FIRST_RE}\n"], 120),
    ShellCase("grep-c", "grep -c PCV6 README; grep -ic PCV6 README; grep -vc pcv6 README",
              [rf"\A{PCV6_UPPER_LINES}\n{PCV6_LINES}\n{NO_PCV6_LINES}\n"], 120),
    ShellCase("wc-l", "wc -l README; wc -lc README",
              [rf"^{len(README_LINES)} README$",
               rf"^{len(README_LINES)} {len(README_BYTES)} README$"], 120),
    ShellCase("echo-n", "echo -n abc; echo def", [r"^abcdef$"], 120),
    ShellCase("cat-n", "echo one > n1; echo two >> n1; cat -n n1",
              [r"\A\s+1\tone\n\s+2\ttwo\n"], 120),
    ShellCase("bad-option", "ls -z; grep -q x README; wc -x; echo still here",
              [r"^ls: unknown option -z\nusage: ls ", r"^usage: grep ", r"^usage: wc ",
               r"^still here$"], 120),
    ShellCase("cat-missing", "cat nosuchfile",
              [r"^cat: nosuchfile: no such file or directory$"], 120),
    ShellCase("ps", "ps",
              [r"^\s*PID\s+PPID\s+STATE\s+PAGES\s+NAME$",
               r"^\s*1\s+0\s+sleeping\s+[1-9]\d*\s+init$",
               r"^\s*\d+\s+1\s+sleeping\s+[1-9]\d*\s+sh$",
               r"^\s*\d+\s+\d+\s+running\s+[1-9]\d*\s+ps$"], 120),
    ShellCase("sleep", "sleep 1; echo woke; sleep x", [r"^woke$", r"^usage: sleep ticks"],
              120),
    ShellCase("no-program", "nosuchprog; README",
              [r"^sh: exec nosuchprog: no such file or directory$",
               r"^sh: exec README: not an executable program$"], 120),
    # The fault-around knob starts at its default and ends there again.
    ShellCase("vmctl", "vmctl faultaround 3; vmctl faultaround 8; "
              f"vmctl faultaround {FA}; vmctl; vmctl drop",
              [rf"^vmctl: faultaround 3: invalid argument \(a power of two from 1 to {WMAX}\)$",
               rf"^faultaround 8 \(was {FA}\)$", rf"^faultaround {FA} \(was 8\)$",
               r"^free_pages [1-9]\d*$", r"^faults \d+$", r"^pc_pages \d+$",
               r"^disk_read_reqs [1-9]\d*$", r"^dropped \d+ pages$"], 120),
    ShellCase("vmctl-trace", "vmctl trace on; mmaptest -p cache eof_zero; vmctl trace dump",
              [r"^test eof_zero: OK$", r"^trace [1-9]\d*$", r"^\d+ (minor|major) \d+ 0$",
               r"^\d+ around \d+ 1$"], 300),
    # The naive policy first: the case sets the policy knob, and the next
    # case sets it back to the page cache for everything after it.
    ShellCase("mmaptest-naive", "mmaptest -p naive",
              [r"^mmaptest: policy naive$", r"^mmaptest: all tests succeeded$"], 600),
    ShellCase("mmaptest", "mmaptest -p cache",
              [r"^mmaptest: policy cache$", r"^mmaptest: all tests succeeded$"], 600),
    # The page cache again, with dirty pages found by store faults (as on
    # a hart without hardware D-bit updates) instead of by the D bit.
    ShellCase("mmaptest-svade", "vmctl svade 1; mmaptest -p cache; vmctl svade 0",
              [r"^mmaptest: policy cache$", r"^mmaptest: all tests succeeded$"], 600),
    # The page cache's own tests (pctest selects the cache policy itself).
    ShellCase("pctest", "pctest", [r"^pctest: all tests succeeded$"], 600),
    # The cache's promises under eviction, failing copies and races.
    ShellCase("trusttest", "trusttest", [r"^trusttest: all tests succeeded$"], 600),
    # The kernel bugs sysfuzz found, one test each.
    ShellCase("fuzzregress", "fuzzregress", [r"^fuzzregress: all tests succeeded$"], 300),
    # Random system calls with bad and edge arguments from three processes
    # while a fourth keeps changing the cache's knobs: no panic, no hang,
    # no call that must fail succeeding, nothing leaked or left behind.
    ShellCase("sysfuzz", f"sysfuzz -p 3 -n {SYSFUZZ_CALLS} -s 1",
              [rf"^sysfuzz: {SYSFUZZ_CALLS} calls, seed 1: OK$"], 600),
    ShellCase("wakeuptest", "wakeuptest", [r"^wakeuptest: all tests succeeded$"], 300),
    # The kernel's out-of-memory line must name the hog that oomtest reports.
    ShellCase("oomtest", "oomtest",
              [r"^oomtest: all tests succeeded$",
               r"^pid (\d+) \(oomtest\): killed: out of memory, \d+ pages$"
               r"[\s\S]*^oomtest: hog pid \1 killed by the out-of-memory policy$"], 900),
    ShellCase("usertests", "usertests", [r"^ALL TESTS PASSED$"], 900),
    # The kernel tests again with areas mapped by the naive policy (the
    # knob is set back to the page cache after them).
    ShellCase("usertests-naive", "vmctl policy naive; usertests; vmctl policy cache",
              [r"^ALL TESTS PASSED$"], 900),
]

# Host cases, run first, before any QEMU.
HOST_CASES = [
    HostCase("string", ["scripts/stringtest"], 120),  # memset/memmove edges (kernel/lib/string.c)
]

# Crash-recovery cases, run after the image cases, each on its own copy of
# the disk image (no -snapshot). A case whose round is a number boots QEMU
# on the copy, runs "fsstress N" with N well past the round (so it cannot
# finish first), and kills QEMU with SIGKILL the moment
# "fsstress: round ROUND" appears -- that is the crash, synchronised on the
# output, so it lands somewhere in round ROUND + 1. It then boots the copy
# again (the kernel replays a committed log at boot, printing "log:
# replaying N committed blocks"; noted, not required, since the crash may
# fall between transactions), runs "ls /stress" to see the file system
# works, kills the idle machine at its prompt, and runs scripts/fsck.py on
# the copy. fsck also runs once on the crashed image before that second
# boot (it applies a committed log in memory, as the kernel would). It
# passes iff both boots reach the prompt, nothing panics, ls works, and
# both fsck runs exit 0. A failing case keeps its image for inspection.
# The timeout covers each of the three waits separately.
#
# A crash between transactions leaves an empty log, and a SIGKILL almost
# always lands there. So the case whose round is COMMIT_CRASH crashes at a
# known point instead: after two rounds of fsstress it runs `crashpoint`,
# which sets the kernel's KNOB_CRASH_AFTER_COMMIT and writes /crashed; the
# kernel powers off right after that write's commit point, before
# installing it. That case requires the second boot to replay the log and
# /crashed to hold crashpoint's line.
COMMIT_CRASH = "commit"
CRASHPOINT_LINE = r"^committed before the crash$"
# The case whose round is MSYNC_CRASH cuts the power right after
# msync(MS_SYNC) returns in `pcsync write` (which keeps its mapping, so
# only msync can have written the stores), and requires `pcsync check`
# to find every stored byte after the next boot.
MSYNC_CRASH = "msync"
# The same with two processes keeping the log busy (`pcsync write busy`):
# msync's transaction is then nearly always held open by another
# process's operation when msync's own write-back ends.
MSYNC_BUSY_CRASH = "msync-busy"
# The generation after whose "synced" line the power is cut.
MSYNC_CUT_GENERATION = 3
CRASH_CASES = [
    CrashCase("crash-msync", MSYNC_CRASH, 900),
    CrashCase("crash-msync-busy", MSYNC_BUSY_CRASH, 900),
    CrashCase("crash-round3", 3, 900),
    CrashCase("crash-round5", 5, 900),
    CrashCase("crash-round8", 8, 900),
    CrashCase("crash-commit", COMMIT_CRASH, 900),
]

BENCH_SMOKE = BenchSmoke("bench-quick", 300)
BENCH_PLOTS = ("time.png", "faults.png", "sharers.png", "dirty.png", "window.png", "size.png",
               "faultmap.png")

# FRAG_BLOCKS gives the image more bitmap blocks (one per BPB = 8192
# blocks) than the log holds blocks (LOGBLOCKS = 48), so a file spread
# over the holes cannot be freed in one transaction.
FRAG_BLOCKS = 56 * 8192
IMAGE_CASES = [
    ImageCase("fragment", FRAG_BLOCKS, "fragtest", [r"^fragtest: OK$"], 900),
    # sysfuzz where a file's first blocks each come from another bitmap
    # block (one call's changes span several transactions); then fsck.
    ImageCase("fragment-sysfuzz", FRAG_BLOCKS, f"sysfuzz -p 3 -n {SYSFUZZ_CALLS} -s 2",
              [rf"^sysfuzz: {SYSFUZZ_CALLS} calls, seed 2: OK$"], 900),
]


def all_cases() -> list[Case]:
    """Every case, in the order they run."""
    return HOST_CASES + [BootCase()] + CASES + IMAGE_CASES + CRASH_CASES + [BENCH_SMOKE]


# ---------------------------------------------------------------- crash cases

def crash_argv(qemu_argv: list[str], image: str) -> tuple[list[str], str]:
    """The QEMU command line for a crash case: the disk is `image` instead
    of fs.img, and -snapshot is dropped so writes reach the file. Returns
    (argv, original image path) or raises ValueError."""
    out, original = [], None
    for a in qemu_argv:
        if a == "-snapshot":
            continue
        m = re.search(r"(^|,)file=([^,]+)", a)
        if m and original is None:
            original = m.group(2)
            a = a[:m.start(2)] + image + a[m.end(2):]
        out.append(a)
    if original is None:
        raise ValueError("no -drive file=... in the QEMU command line")
    return out, original


def run_fsck(image: str) -> tuple[int, str]:
    """Run scripts/fsck.py on image. Returns (exit status, output)."""
    r = subprocess.run([sys.executable, str(SCRIPTS / "fsck.py"), image],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    return r.returncode, r.stdout


def crash_phase_run(con: Console, round_no: int, timeout: float) -> str | None:
    """Phase 1, at the prompt: start fsstress and kill QEMU as soon as it
    reports round_no. Returns None or a failure reason."""
    start = con.mark()
    command = f"fsstress {round_no + 20}"
    done_re = re.compile(rf"^fsstress: round {round_no}$", re.MULTILINE)
    bad_re = re.compile(r"panic|FAILED")

    def check(text: str) -> str | None:
        out = text[start:]
        if bad_re.search(out):
            return "bad"
        if done_re.search(out):
            return "round"
        body = body_of(out, command)
        if body is not None and body.endswith(PROMPT):
            return "exited"
        return None

    try:
        con.send(command + "\n")
        got = con.wait(check, time.monotonic() + timeout)
    except QemuDied:
        return "first boot: " + con.status()
    if got == "round":
        con.crash()
        return None
    if got is None:
        return f"no \"fsstress: round {round_no}\" within {int(timeout)}s"
    con.settle()
    return {"bad": "fsstress failed or the kernel panicked",
            "exited": "fsstress exited early"}[got]


def crash_phase_commit(con: Console, timeout: float) -> str | None:
    """Phase 1 of the commit crash: two rounds of fsstress, then
    crashpoint, after which the kernel must power the machine off at its
    crash point. Returns None or a failure reason."""
    o = run_command(con, "fsstress 2", [], timeout)
    if not o.ok:
        return "fsstress 2: " + o.why
    start = con.mark()
    point_re = re.compile(r"^log: crash point:", re.MULTILINE)
    try:
        con.send("crashpoint\n")
        got = con.wait(lambda text: "panic" if PANIC_RE.search(text[start:]) else None,
                       time.monotonic() + timeout)
    except QemuDied:
        if point_re.search(con.snapshot(start)):
            return None
        return "QEMU stopped without reaching the crash point"
    if got == "panic":
        return "kernel panic after crashpoint"
    return f"the machine was still running {int(timeout)}s after crashpoint"


def crash_phase_msync(con: Console, timeout: float, busy: bool) -> str | None:
    """Phase 1 of the msync crash: run `pcsync write` and kill QEMU the
    moment it says generation MSYNC_CUT_GENERATION's msync returned.
    Returns None or a failure reason."""
    start = con.mark()
    synced_re = re.compile(rf"^pcsync: generation {MSYNC_CUT_GENERATION} synced$", re.MULTILINE)

    def check(text: str) -> str | None:
        out = text[start:]
        if PANIC_RE.search(out):
            return "panic"
        if synced_re.search(out):
            return "synced"
        body = body_of(out, "pcsync write")
        if body is not None and body.endswith(PROMPT):
            return "exited"
        return None

    try:
        con.send("pcsync write busy\n" if busy else "pcsync write\n")
        got = con.wait(check, time.monotonic() + timeout)
    except QemuDied:
        return "QEMU stopped during pcsync write"
    if got == "synced":
        con.crash()
        return None
    if got is None:
        return f"no \"pcsync: generation {MSYNC_CUT_GENERATION} synced\" within {int(timeout)}s"
    return {"panic": "kernel panic in pcsync write", "exited": "pcsync write failed"}[got]


def run_crash_case(case: CrashCase, timeout: float, runner: Runner) -> Result:
    """One crash case, from copying the image to fsck. The note says
    whether the second boot replayed the log."""
    name, round_no, log = case.name, case.round, runner.log
    fd, image = tempfile.mkstemp(prefix=f"pcv6-{name}-", suffix=".img")
    os.close(fd)
    cons: list[Console] = []

    def machine(label: str) -> tuple[Console, str | None]:
        runner.note(f"\n==== runtest: {name}: starting QEMU ({label}) on {image} ====\n")
        c = Console(argv, log)
        cons.append(c)
        return c, boot(c, runner.args.timeout_boot)

    def outputs() -> str:
        return "\n".join(c.snapshot() for c in cons)

    try:
        argv, original = crash_argv(runner.qemu_argv, image)
        shutil.copyfile(original, image)
        commit = round_no == COMMIT_CRASH
        msync = round_no in (MSYNC_CRASH, MSYNC_BUSY_CRASH)
        con, why = machine("cut the power after msync" if msync else
                           "run fsstress, crash " +
                           ("at a commit point" if commit else f"at round {round_no}"))
        if why:
            return Result(False, "first boot: " + why, outputs())
        if msync:
            why = crash_phase_msync(con, timeout, round_no == MSYNC_BUSY_CRASH)
        elif commit:
            why = crash_phase_commit(con, timeout)
        else:
            why = crash_phase_run(con, round_no, timeout)
        con.stop()
        if why:
            return Result(False, why, outputs())

        # fsck first on the crashed image itself (it applies a committed
        # log in memory), then again after the kernel's own recovery.
        status, report = run_fsck(image)
        runner.note(f"\n==== runtest: {name}: fsck before recovery ====\n{report}")
        if status != 0:
            return Result(False, f"fsck of the crashed image found problems (image kept: "
                          f"{image})", report)

        con, why = machine("recover")
        if why:
            return Result(False, "boot after the crash: " + why, outputs())
        m = re.search(r"log: replaying (\d+) committed blocks", con.snapshot())
        remark = f"log replayed {m.group(1)} blocks" if m else "log was empty"
        if commit:
            if not m:
                return Result(False, "no log replay after a crash at a commit point", outputs())
            o = run_command(con, "cat /crashed", [CRASHPOINT_LINE], timeout)
            if not o.ok:
                return Result(False, "cat /crashed after replay: " + o.why, outputs(), remark)
        if msync:
            o = run_command(con, f"pcsync check {MSYNC_CUT_GENERATION}", [r"^pcsync: data intact$"],
                            timeout)
        else:
            o = run_command(con, "ls /stress", [r"^\.\s"], timeout)
        con.crash()  # idle at the prompt: nothing in flight
        con.stop()
        if not o.ok:
            return Result(False, "check after the crash: " + o.why, outputs(), remark)

        status, report = run_fsck(image)
        runner.note(f"\n==== runtest: {name}: fsck after recovery ====\n{report}")
        if status != 0:
            return Result(False, f"fsck found problems (image kept: {image})", report, remark)
        Path(image).unlink()
        return Result(True, note=remark)
    except (OSError, ValueError) as e:
        return Result(False, str(e), outputs())
    finally:
        for c in cons:
            c.stop()


# ---------------------------------------------------------------- image cases

def image_files() -> list[str]:
    """The files fs.img holds, as the Makefile passes them to mkfs."""
    progs = sorted(str(p) for p in (ROOT / "user").iterdir() if p.name.startswith("_"))
    return [str(ROOT / "README.md")] + progs


def build_fragmented(image: str, blocks: int, log: IO[str]) -> str | None:
    """Make image: mkfs -s blocks, then fragment.py (whose output fsck.py
    accepts; the check after the run would catch it otherwise). Returns
    None or a failure reason."""
    steps = [("mkfs", [str(SCRIPTS / "mkfs"), "-s", str(blocks), image] + image_files()),
             ("fragment.py", [sys.executable, str(SCRIPTS / "fragment.py"), image])]
    for label, argv in steps:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        log.write(f"\n==== runtest: {label} {image} ====\n{r.stdout}")
        log.flush()
        if r.returncode != 0:
            return f"{label} failed on the fresh image: {r.stdout.strip()}"
    return None


def run_image_case(case: ImageCase, timeout: float, runner: Runner) -> Result:
    """One case of IMAGE_CASES."""
    fd, image = tempfile.mkstemp(prefix=f"pcv6-{case.name}-", suffix=".img")
    os.close(fd)
    con = None
    try:
        why = build_fragmented(image, case.blocks, runner.log)
        if why:
            return Result(False, f"{why} (image kept: {image})")
        argv, _ = crash_argv(runner.qemu_argv, image)
        runner.note(f"\n==== runtest: {case.name}: starting QEMU on {image} ====\n")
        con = Console(argv, runner.log)
        why = boot(con, runner.args.timeout_boot)
        if why:
            return Result(False, "boot: " + why, con.snapshot())
        o = run_command(con, case.command, case.expects, timeout)
        con.crash()  # at the prompt (or dead): nothing in flight
        if not o.ok:
            return Result(False, f"{o.why} (image kept: {image})", o.out)
        status, report = run_fsck(image)
        runner.note(f"\n==== runtest: {case.name}: fsck ====\n{report}")
        if status != 0:
            return Result(False, f"fsck found problems (image kept: {image})", report)
        Path(image).unlink()
        return Result(True)
    except (OSError, ValueError) as e:
        return Result(False, str(e), con.snapshot() if con else "")
    finally:
        if con is not None:
            con.stop()


# ---------------------------------------------------------------- bench smoke

def bench_smoke(bench_qemu: str, timeout: float, log: IO[str]) -> Result:
    """Runs the bench-quick pipeline into a temporary directory and checks
    its output; the note gives the rows and plots it made."""
    out = Path(tempfile.mkdtemp(prefix="pcv6-bench-quick-"))
    steps = [
        [sys.executable, str(SCRIPTS / "bench.py"), "--quick", "--no-hyperfine",
         "--qemu", bench_qemu, "--out", str(out), "--log", str(out / "console.log")],
        [sys.executable, str(SCRIPTS / "summary.py"), str(out)],
        [sys.executable, str(SCRIPTS / "plot.py"), str(out)],
    ]
    deadline = time.monotonic() + timeout
    for argv in steps:
        script = Path(argv[1]).name
        left = deadline - time.monotonic()
        try:
            r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=max(left, 1))
        except subprocess.TimeoutExpired:
            return Result(False, f"{script}: timeout (output kept in {out})")
        text = r.stdout.decode(errors="replace")
        log.write(f"\n==== runtest: bench smoke: {argv[1]} ====\n{text}")
        log.flush()
        if r.returncode != 0:
            last = text.strip().splitlines()[-3:]
            return Result(False, f"{script} failed: {' / '.join(last)} (output kept in {out})")
    rows = read_csv(out / "bench.csv")
    why = bench_sane(rows)
    for png in BENCH_PLOTS:
        p = out / png
        if not p.exists() or p.stat().st_size < 10000:
            why = why or f"plot {png} missing or empty"
    if not (out / "summary.md").exists():
        why = why or "no summary.md"
    if why:
        return Result(False, f"{why} (output kept in {out})")
    shutil.rmtree(out, ignore_errors=True)
    return Result(True, note=f"{len(rows)} rows, {len(BENCH_PLOTS)} plots")


def bench_sane(rows: list[dict]) -> str | None:
    """None if the quick CSV's numbers make sense, else what does not."""
    fa, ra = str(FAULTAROUND_DEFAULT), str(READAHEAD_DEFAULT)
    if len(rows) < 20:
        return f"only {len(rows)} rows in bench.csv"
    for r in rows:
        if r["machine"] == "smp3":
            if r["ok"] != "1" or int(r["time_ns"]) <= 0:
                return f"implausible -smp 3 row: {r['workload']} {r['time_ns']}"
            continue
        if r["ok"] != "1" or int(r["cpu_ns"]) <= 0 or int(r["cycles"]) < int(r["cpu_ns"]):
            return f"implausible row: {r['workload']} {r['policy']} {r['cpu_ns']}"
    for r in rows:  # only the window sweep (read-ahead off) leaves the defaults
        if r["machine"] == "icount" and r["ra"] != "0" and (r["fa"], r["ra"]) != (fa, ra):
            return f"{r['workload']} ran with fault-around {r['fa']}, read-ahead {r['ra']}"
    seq = {r["policy"]: r for r in rows if r["machine"] == "icount" and
           r["workload"] == "seqread" and r["phase"] == "touch" and r["file"] == "f4" and
           r["fa"] == fa and r["ra"] == ra}
    if set(seq) != {"naive", "cache"}:
        return "no cold seqread of f4 under both policies"
    n, c = seq["naive"], seq["cache"]
    if int(n["faults"]) != 1024 or int(n["disk_read_reqs"]) < 4096:
        return (f"naive seqread of 1024 pages: {n['faults']} faults, "
                f"{n['disk_read_reqs']} disk reads")
    if not 0 < int(c["faults"]) < int(n["faults"]) or int(c["pc_misses"]) <= 0:
        return f"cache seqread: {c['faults']} faults, {c['pc_misses']} misses"
    if not any(r["machine"] == "smp3" for r in rows):
        return "no -smp 3 rows"
    return None


# ---------------------------------------------------------------- main

def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Run the pcv6 test cases under QEMU.")
    ap.add_argument("--qemu", required=True,
                    help="full QEMU command line (use -snapshot)")
    ap.add_argument("--bench-qemu",
                    help="QEMU command line for bench.img; enables the bench-quick case")
    ap.add_argument("--timeout-boot", type=float, default=300,
                    help="seconds to wait for the first shell prompt")
    ap.add_argument("--timeout", action="append", default=[], metavar="NAME=SECONDS",
                    help="override one case's timeout (repeatable)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run only this case (repeatable; boot always runs)")
    ap.add_argument("--log", default="test.log",
                    help="file that receives all console output (default test.log)")
    args = ap.parse_args(argv)

    names = [c.name for c in all_cases() if not isinstance(c, BootCase)]
    for n in args.only:
        if n not in names and n != "boot":
            ap.error(f"unknown case {n!r} (have: {', '.join(names)})")
    overrides = {}
    for item in args.timeout:
        n, sep, secs = item.partition("=")
        if not sep or n not in names:
            ap.error(f"bad --timeout {item!r} (want NAME=SECONDS, NAME one of "
                     f"{', '.join(names)})")
        overrides[n] = float(secs)
    args.overrides = overrides
    return args


def wanted(case: Case, args: argparse.Namespace) -> bool:
    """Whether this run includes the case: boot always, the bench smoke
    only with --bench-qemu, the others unless --only leaves them out."""
    if isinstance(case, BootCase):
        return True
    if isinstance(case, BenchSmoke) and not args.bench_qemu:
        return False
    return not args.only or case.name in args.only


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    passed = failed = 0
    log = Path(args.log).open("w", encoding="utf-8", errors="replace")
    runner = Runner(args, log)
    try:
        for case in (c for c in all_cases() if wanted(c, args)):
            if not case.shared:
                runner.stop_shared()
            timeout = args.overrides.get(case.name, case.timeout)
            res = case.prepare(runner)
            t0 = time.monotonic()
            if res is None:
                res = case.run(runner, timeout)
            note = "; " + res.note if res.note else ""
            if res.ok:
                passed += 1
                print(f"PASS {case.name} ({time.monotonic() - t0:.1f}s{note})", flush=True)
            else:
                failed += 1
                print(f"FAIL {case.name}: {res.why}{note}", flush=True)
                if res.out:
                    print(tail(res.out), flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        failed += 1
    finally:
        runner.stop_shared()
        log.close()

    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
