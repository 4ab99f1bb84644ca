#!/usr/bin/python3
"""runtest.py -- boot pcv6 under QEMU and drive its shell through a list of cases.

Usage (the Makefile's `test` target does this):
    scripts/runtest.py --qemu "qemu-system-riscv64 ... -snapshot" [--only NAME]...
                       [--timeout-boot SECONDS] [--timeout NAME=SECONDS]...
                       [--log test.log] [--powercut-trials N] [--powercut-seed S]
                       [--soak]

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
               -snapshot, kills it with SIGKILL in the middle of fsstress
               (or of freeing a file, or at a crash point it provoked),
               boots the copy again so the kernel replays its log and
               finishes its orphans, and checks the copy with
               scripts/fsck.py. The crash is triggered by the console
               output, never by a timer.
  LOGFAIL_CASES
               the same, where the first machine is killed after an
               injected disk error made its file system read-only.
  POWERCUT_CASES
               power-cut campaigns: many cuts at random points while
               `pcsync write busy` stores and msyncs generations, each
               followed by a reboot, `pcsync check` and fsck.py; one
               campaign kills QEMU, one cuts the power inside the guest
               with the disk's write-cache test mode (see POWERCUT_CASES).
  LOCKCHECK_CASES
               each boots the lock-order checker's test kernel and makes
               it break the lock order on purpose; passes when the machine
               panics naming both locks.
  BENCH_SMOKE  when the Makefile passes --bench-qemu: runs `make
               bench-quick`'s pipeline (scripts/bench.py --quick,
               summary.py, plot.py) into a temporary directory and checks
               that a CSV with sane numbers and every plot came out -- the
               pipeline, not the goals.

With --soak the cases are the soak's instead (soak_cases(): long fsx runs,
long sysfuzz runs and long power-cut campaigns; `make soak`), and --only
also takes the name of one of its parts (soak_parts()).

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
import random
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

from benchdata import (FAULTAROUND_DEFAULT, KNOBS_H, READAHEAD_DEFAULT, WINDOW_MAX, header_numbers,
                       read_csv)
from qemuconsole import (PANIC_RE, Console, QemuDied, boot, run_command, send_and_watch,
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
    a round of fsstress, COMMIT_CRASH or a key of ORPHAN_CRASHES (see
    CRASH_CASES). run_crash_case() drives it; the methods are what
    differs."""
    name: str
    round: int | str
    timeout: float

    def run(self, runner: Runner, timeout: float) -> Result:
        return run_crash_case(self, timeout, runner)

    def label(self) -> str:
        """What the first boot is for, in the log."""
        if self.round in ORPHAN_CRASHES:
            return f"cut the power in {self.round}"
        return "run fsstress, crash " + ("at a commit point" if self.round == COMMIT_CRASH
                                         else f"at round {self.round}")

    def crash(self, con: Console, timeout: float) -> str | None:
        """Phase 1, at the first boot's prompt: ends with the machine gone.
        Returns None or a failure reason."""
        if self.round == COMMIT_CRASH:
            return crash_phase_commit(con, timeout)
        if self.round in ORPHAN_CRASHES:
            return crash_phase_orphan(con, self.round, timeout)
        assert isinstance(self.round, int)
        return crash_phase_run(con, self.round, timeout)

    def recovered(self, con: Console, replayed: bool, timeout: float) -> str | None:
        """Phase 2, at the prompt after the recovery boot (replayed: it
        replayed the log). Returns None or a failure reason."""
        if self.round == COMMIT_CRASH:
            if not replayed:
                return "no log replay after a crash at a commit point"
            o = run_command(con, "cat /crashed", [CRASHPOINT_LINE], timeout)
            if not o.ok:
                return "cat /crashed after replay: " + o.why
        if self.round in ORPHAN_CRASHES:
            o = run_command(con, "orphan check " + self.round.removeprefix("orphan-"),
                            [r"^orphan: /orphan_\w+ (is gone|holds its first \d+ bytes)$"],
                            timeout)
        else:
            o = run_command(con, "ls /stress", [r"^\.\s"], timeout)
        return None if o.ok else "check after the crash: " + o.why

    def orphans(self) -> tuple[list[str], list[str]]:
        """The orphans the crash must leave: the lines fsck.py must print
        for them on the crashed image, and those the recovery boot must
        print finishing them (regular expressions; none for fsstress)."""
        if self.round not in ORPHAN_CRASHES:
            return [], []
        o = ORPHAN_CRASHES[self.round]
        return [o.listed], [o.finished]


@dataclass
class LogFailCase(Case):
    """A disk error that stops the log, and the recovery from it (see
    LOGFAIL_CASES): `disktest logfail KIND` makes it happen, the kernel's
    line "log: I/O error LINE: file system is now read-only" must say so;
    after the reboot, which must replay the log iff `replays`, `disktest
    logcheck KIND` checks what the disk kept. Driven by run_crash_case(),
    as a CrashCase is."""
    name: str
    kind: str
    line: str  # a regular expression
    replays: bool
    timeout: float

    def run(self, runner: Runner, timeout: float) -> Result:
        return run_crash_case(self, timeout, runner)

    def label(self) -> str:
        return f"make a commit fail ({self.kind})"

    def crash(self, con: Console, timeout: float) -> str | None:
        stopped = rf"^log: I/O error {self.line}: file system is now read-only$"
        o = run_command(con, f"disktest logfail {self.kind}",
                        [stopped, r"^disktest: read-only as expected$"], timeout)
        if not o.ok:
            return f"disktest logfail {self.kind}: {o.why}"
        o = run_command(con, "ls /", [r"^README\s"], timeout)
        if not o.ok:
            return "ls on the read-only file system: " + o.why
        con.crash()
        return None

    def recovered(self, con: Console, replayed: bool, timeout: float) -> str | None:
        if replayed != self.replays:
            return (f"{self.kind}: the boot after the failure " +
                    ("replayed the log" if replayed else "did not replay the log"))
        o = run_command(con, f"disktest logcheck {self.kind}",
                        [r"^disktest: log check passed$"], timeout)
        return None if o.ok else "check after the crash: " + o.why

    def orphans(self) -> tuple[list[str], list[str]]:
        """As CrashCase.orphans: `disktest logfail` leaves two orphans the
        read-only file system cannot finish, an unlinked file its last
        close did not free and a file whose truncation to 0 a disk error
        stopped; the recovery boot finishes both."""
        return ([ORPHAN_LISTED_FREE, ORPHAN_LISTED_TRUNC],
                [ORPHAN_FREED, r"^fs: orphan inode \d+ truncated to 0 bytes \(nlink 1\)$"])


@dataclass
class PowerCutCase(Case):
    """A power-cut campaign of `trials` cuts (--powercut-trials overrides
    it); method is CUT_KILL or CUT_WCACHE (see POWERCUT_CASES). Driven by
    run_powercut(): one image, a chain of boots, each cut followed by a
    check of what msync promised and by fsck."""
    name: str
    method: str
    trials: int
    timeout: float

    def run(self, runner: Runner, timeout: float) -> Result:
        return run_powercut(self, timeout, runner)


@dataclass
class LockcheckCase(Case):
    """Boots the lock-order checker's test kernel (the normal kernel's
    path plus LOCKTEST_SUFFIX), runs `locktest KIND`, which takes locks in
    a wrong order of that kind (LOCKCHECK_TEST_* in kernel/knobs.h), and
    passes iff the machine panics with a line matching expect."""
    name: str
    kind: int
    expect: str
    timeout: float

    def run(self, runner: Runner, timeout: float) -> Result:
        return run_lockcheck_case(self, timeout, runner)


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
# The write-back knobs' defaults (kernel/knobs.h), which vmctl-writeback reads back.
WB = header_numbers(KNOBS_H, ("WB_EXPIRE_DEFAULT", "WB_INTERVAL_DEFAULT", "WB_BACKGROUND_DEFAULT",
                              "WB_THROTTLE_DEFAULT"))
FSX_OPS = 10000  # operations per fsx run in make test
# Calls of the short sysfuzz runs (the soak makes a million: SOAK_SYSFUZZ).
SYSFUZZ_CALLS = 5000
# fsx's modes: (name, shell command before, after, extra fsx options).
# Under each policy, with dirty pages found by store faults (svade), with a
# cache far smaller than the files, and as three instances at once.
FSX_MODES = [
    ("cache", "", "", ""),
    ("naive", "vmctl policy naive; ", "; vmctl policy cache", ""),
    ("svade", "vmctl svade 1; ", "; vmctl svade 0", ""),
    ("limit", "vmctl limit 24; ", "; vmctl limit 0", ""),
    ("procs", "", "", " -p 3"),
]


# oomtest's tests with a hog (a heap, a shared and a private anonymous area,
# a heap beside sharers of a copy-on-write heap).
OOM_HOGS = 5

# anontest's runs: case name suffix, the commands around it, and the knobs
# it must report.
ANON_MODES = [
    ("", "", "", "cache", 0, 0),
    ("-naive", "vmctl policy naive; ", "; vmctl policy cache", "naive", 0, 0),
    ("-svade", "vmctl svade 1; ", "; vmctl svade 0", "cache", 1, 0),
    ("-limit", "vmctl limit 16; ", "; vmctl limit 0", "cache", 0, 16),
]


# The three ways madvtest, cowtest and exectest run: case name suffix, the
# commands around the run, and the knobs it must report. The naive policy
# keeps its own meaning of each madvise call (no read-ahead to steer,
# private pages to drop), differs for copy-on-write fork only in a private
# file area, and makes exec copy the program; svade makes dirty tracking go
# through store faults, which none may confuse with a copy-on-write store
# or with write permission taken away.
POLICY_MODES = [
    ("", "", "", "cache", 0),
    ("-naive", "vmctl policy naive; ", "; vmctl policy cache", "naive", 0),
    ("-svade", "vmctl svade 1; ", "; vmctl svade 0", "cache", 1),
]


def fsx_case(mode: tuple[str, str, str, str], ops: int, seed: int, prefix: str = "fsx") -> Case:
    """One fsx run of `ops` operations from `seed` in one of FSX_MODES."""
    name, before, after, opts = mode
    expect = r"^fsx: 3 instances, 0 failed$" if "-p" in opts else r"^fsx: \d+ ops, seed \d+: OK$"
    return ShellCase(f"{prefix}-{name}" if name != "cache" or prefix != "fsx" else "fsx",
                     f"{before}fsx -n {ops} -s {seed}{opts}{after}", [expect],
                     max(900, ops // 10))

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
    # PAGES, then its split FILE, ANON, SHARED (cowtest resident_split
    # checks the numbers).
    ShellCase("ps", "ps",
              [r"^\s*PID\s+PPID\s+STATE\s+PAGES\s+FILE\s+ANON\s+SHARED\s+NAME$",
               r"^\s*1\s+0\s+sleeping\s+[1-9]\d*(\s+\d+){3}\s+init$",
               r"^\s*\d+\s+1\s+sleeping\s+[1-9]\d*(\s+\d+){3}\s+sh$",
               r"^\s*\d+\s+\d+\s+running\s+[1-9]\d*(\s+\d+){3}\s+ps$"], 120),
    ShellCase("sleep", "sleep 1; echo woke; sleep x", [r"^woke$", r"^usage: sleep ticks"],
              120),
    ShellCase("no-program", "nosuchprog; README",
              [r"^sh: exec nosuchprog: no such file or directory$",
               r"^sh: exec README: not an executable program$"], 120),
    # The fault-around knob starts at its default and ends there again.
    # The device offers VIRTIO_BLK_F_FLUSH, so the commits so far flushed;
    # a power cut needs the write-cache test mode on.
    ShellCase("vmctl", "vmctl faultaround 3; vmctl faultaround 8; "
              f"vmctl faultaround {FA}; vmctl powercut 5; vmctl wcache 7; vmctl wcache 0; "
              "vmctl; vmctl drop",
              [rf"^vmctl: faultaround 3: invalid argument \(a power of two from 1 to {WMAX}\)$",
               rf"^faultaround 8 \(was {FA}\)$", rf"^faultaround {FA} \(was 8\)$",
               r"^vmctl: powercut 5: invalid argument \(.*needs wcache on\)$",
               r"^wcache 7 \(was 0\)$", r"^wcache 0 \(was 7\)$",
               r"^free_pages [1-9]\d*$", r"^faults \d+$", r"^pc_pages \d+$",
               r"^disk_read_reqs [1-9]\d*$", r"^disk_flushes [1-9]\d*$",
               r"^dropped \d+ pages$"], 120),
    # The write-back knobs start at their defaults (knobs.h) and end there
    # again; a pass asked for is waited for and counted; a percentage
    # outside 1..100 is refused.
    ShellCase("vmctl-writeback", "vmctl interval 0; vmctl wbrun due; vmctl wbrun all; "
              f"vmctl throttle 0; vmctl writeback; vmctl interval {WB['WB_INTERVAL_DEFAULT']}",
              [rf"^interval 0 \(was {WB['WB_INTERVAL_DEFAULT']}\)$", r"^passes [1-9]\d*$",
               r"^vmctl: throttle 0: invalid argument \(percent, 1 to 100\)$",
               rf"^dirty \d+ pages; expire {WB['WB_EXPIRE_DEFAULT']} ticks, interval 0 ticks, "
               rf"background {WB['WB_BACKGROUND_DEFAULT']}%, throttle {WB['WB_THROTTLE_DEFAULT']}%; "
               r"passes [1-9]\d*, written \d+ pages, throttled \d+ ticks$",
               rf"^interval {WB['WB_INTERVAL_DEFAULT']} \(was 0\)$"], 120),
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
    # Anonymous memory behaves the same whatever the knobs say: under either
    # policy (it always takes the cache's path), with dirty pages found by
    # store faults, and with a page cache far smaller than its areas.
    *[ShellCase(f"anontest{suffix}", f"{before}anontest{after}",
                [rf"^anontest: policy {policy}, svade {svade}, limit {limit}$",
                 r"^anontest: all tests succeeded$"], 300)
      for suffix, before, after, policy, svade, limit in ANON_MODES],
    # mprotect, madvise, MAP_POPULATE and mincore, under each policy and
    # with dirty pages found by store faults.
    *[ShellCase(f"madvtest{suffix}", f"{before}madvtest{after}",
                [rf"^madvtest: policy {policy}, svade {svade}$",
                 r"^madvtest: all tests succeeded$"], 300)
      for suffix, before, after, policy, svade in POLICY_MODES],
    # Copy-on-write fork: under either policy and with store-fault dirty
    # tracking.
    *[ShellCase(f"cowtest{suffix}", f"{before}cowtest{after}",
                [rf"^cowtest: policy {policy}, svade {svade}$",
                 r"^cowtest: all tests succeeded$"], 300)
      for suffix, before, after, policy, svade in POLICY_MODES],
    # exec mapping programs from the page cache (the naive policy copies
    # them, the old design), the ELF checks and ETXTBSY: under either
    # policy and with store-fault dirty tracking.
    *[ShellCase(f"exectest{suffix}", f"{before}exectest{after}",
                [rf"^exectest: policy {policy}, svade {svade}$",
                 r"^exectest: all tests succeeded$"], 300)
      for suffix, before, after, policy, svade in POLICY_MODES],
    # The page cache's own tests (pctest selects the cache policy itself).
    ShellCase("pctest", "pctest", [r"^pctest: all tests succeeded$"], 600),
    # Background write-back, with dirty pages found by D bits and by store
    # faults (wbtest selects the cache policy itself).
    ShellCase("wbtest", "wbtest", [r"^wbtest: svade 0$", r"^wbtest: all tests succeeded$"], 600),
    ShellCase("wbtest-svade", "vmctl svade 1; wbtest; vmctl svade 0",
              [r"^wbtest: svade 1$", r"^wbtest: all tests succeeded$"], 600),
    # 2 MiB mappings of cached files (large folios, megapages) and every
    # split, with dirty pages found by D bits and by store faults.
    ShellCase("megatest", "megatest",
              [r"^megatest: svade 0$", r"^megatest: all tests succeeded$"], 600),
    ShellCase("megatest-svade", "vmctl svade 1; megatest; vmctl svade 0",
              [r"^megatest: svade 1$", r"^megatest: all tests succeeded$"], 600),
    # Only the lock-check test kernel breaks the lock order on request.
    ShellCase("locktest", "locktest 1",
              [r"^locktest: 1: invalid argument \(only the lock-check test kernel has this knob\)$"],
              120),
    # The cache's promises under eviction, failing copies and races.
    ShellCase("trusttest", "trusttest", [r"^trusttest: all tests succeeded$"], 600),
    # Disk errors injected by the driver's knobs: failed reads fail the
    # call or kill the faulting process (saying why on the console),
    # failed write-backs are reported once per open file. The vmctl case
    # arms and disarms both knobs where no request can meet them: the
    # millionth write (or flush) is far off (none is due between the two
    # failnth lines; the count says), and block 0 (the boot block) is never
    # written. A flush touches no block: it is never sticky.
    ShellCase("vmctl-fail", "vmctl failnth 1000000 write sticky; vmctl failnth off; "
              "vmctl failnth 1000000 flush; vmctl failnth off; vmctl failnth 1 flush sticky; "
              "vmctl failblock 0 write; vmctl failblock off; vmctl failblock 100000000 read; "
              "vmctl",
              [r"^failnth 1000000 write sticky \(was off\)$",
               r"^failnth off \(was \d+ write sticky\)$",
               r"^failnth 1000000 flush \(was off\)$", r"^failnth off \(was \d+ flush\)$",
               r"^vmctl: failnth: invalid argument \(N from 1; a flush is never sticky\)$",
               r"^failblock 0 write \(was off\)$", r"^failblock off \(was 0 write\)$",
               r"^vmctl: failblock: invalid argument "
               r"\(a block on the disk; read, write or any\)$",
               r"^disk_injected_errors \d+$"], 120),
    ShellCase("disktest", "disktest",
              [r"^disktest: all tests succeeded$",
               r"^pid \d+ \(disktest\): killed: load page fault \(I/O error\) at va "], 600),
    # lseek, ftruncate (holes and their write-back), fsync; atomic O_TRUNC.
    ShellCase("posixtest", "posixtest", [r"^posixtest: all tests succeeded$"], 600),
    # The model-based file tester: every path to a file's bytes checked
    # against a shadow copy, in each mode of FSX_MODES.
    *[fsx_case(mode, FSX_OPS, seed) for seed, mode in enumerate(FSX_MODES, 1)],
    # The kernel bugs sysfuzz found, one test each.
    ShellCase("fuzzregress", "fuzzregress", [r"^fuzzregress: all tests succeeded$"], 300),
    # Random system calls with bad and edge arguments from three processes
    # while a fourth keeps changing the cache's knobs: no panic, no hang,
    # no call that must fail succeeding, nothing leaked or left behind.
    ShellCase("sysfuzz", f"sysfuzz -p 3 -n {SYSFUZZ_CALLS} -s 1",
              [rf"^sysfuzz: {SYSFUZZ_CALLS} calls, seed 1: OK$"], 600),
    ShellCase("wakeuptest", "wakeuptest", [r"^wakeuptest: all tests succeeded$"], 300),
    # The kernel's out-of-memory lines must name the hogs that oomtest
    # reports, in order: one per test with a hog.
    ShellCase("oomtest", "oomtest",
              [r"^oomtest: all tests succeeded$",
               r"[\s\S]*".join(
                   [r"^pid (\d+) \(oomtest\): killed: out of memory, \d+ pages$"] * OOM_HOGS +
                   [rf"^oomtest: hog pid \{i + 1} killed by the out-of-memory policy$"
                    for i in range(OOM_HOGS)])], 900),
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
# works, kills the idle machine at its prompt, and runs scripts/fsck.py
# --no-orphans on the copy (the boot has finished every orphan in the
# table, so none may be left). fsck also runs once on the crashed image
# before that second boot (it applies a committed log in memory, as the
# kernel would, and allows orphans the table lists). It passes iff both
# boots reach the prompt, nothing panics, ls works, and both fsck runs
# exit 0. A failing case keeps its image for inspection.
# The timeout covers each of the three waits separately.
#
# A crash between transactions leaves an empty log, and a SIGKILL almost
# always lands there. So the case whose round is COMMIT_CRASH crashes at a
# known point instead: after two rounds of fsstress it runs `crashpoint`,
# which sets the kernel's KNOB_CRASH_AFTER_COMMIT and writes /crashed; the
# kernel powers off right after that write's commit point, before
# installing it. That case requires the second boot to replay the log and
# /crashed to hold crashpoint's line. (Cuts after msync are the power-cut
# campaigns' job: POWERCUT_CASES.)
COMMIT_CRASH = "commit"
CRASHPOINT_LINE = r"^committed before the crash$"
# A case whose round is a key of ORPHAN_CRASHES runs `orphan KIND` and cuts
# the power on the line `cut` (user/orphan.c): while a 16 MiB file is
# freed piece by piece (free) or truncated (trunc) -- KNOB_FREE_PAUSE
# makes the kernel print "fs: inode N: piece K" and wait a tick before
# each piece, and the cut follows piece 2's line, when piece 1 has
# committed -- or while an unlinked file is still open (open). fsck of the
# crashed image must then find the inode in the orphan table (`listed`:
# the crash left work), the next boot must say it finished it
# (`finished`), and `orphan check KIND` must find the file gone or
# holding exactly the bytes before its new size.
@dataclass
class OrphanCrash:
    cut: str       # the console line to cut the power on
    listed: str    # fsck.py's line for the orphan on the crashed image
    finished: str  # the recovery boot's line for it


# fsck.py's lines for a listed orphan, and the boot's as it finishes one.
ORPHAN_LISTED_FREE = r"^orphan: inode \d+ \(file, nlink 0, .*: listed \(freed at the next boot\)$"
ORPHAN_LISTED_TRUNC = (r"^orphan: inode \d+ \(file, nlink 1, .*: \d+ blocks past its size: "
                       r"listed \(truncated to its size at the next boot\)$")
ORPHAN_FREED = r"^fs: orphan inode \d+ freed \(nlink 0\)$"
ORPHAN_TRUNCATED = r"^fs: orphan inode \d+ truncated to \d+ bytes \(nlink 1\)$"
ORPHAN_PIECE_2 = r"^fs: inode \d+: piece 2$"
# Any boot's line for an orphan it finished (counted in the notes).
ORPHAN_DONE_RE = re.compile(r"^fs: orphan inode \d+ (?:freed|truncated)", re.MULTILINE)
ORPHAN_CRASHES = {
    "orphan-free": OrphanCrash(ORPHAN_PIECE_2, ORPHAN_LISTED_FREE, ORPHAN_FREED),
    "orphan-open": OrphanCrash(r"^orphan: unlinked, still open$", ORPHAN_LISTED_FREE,
                               ORPHAN_FREED),
    "orphan-trunc": OrphanCrash(ORPHAN_PIECE_2, ORPHAN_LISTED_TRUNC, ORPHAN_TRUNCATED),
}
CRASH_CASES = [
    CrashCase("crash-round3", 3, 900),
    CrashCase("crash-round5", 5, 900),
    CrashCase("crash-round8", 8, 900),
    CrashCase("crash-commit", COMMIT_CRASH, 900),
    *[CrashCase("crash-" + kind, kind, 900) for kind in ORPHAN_CRASHES],
]

# Disk errors that stop the log, run after the crash cases in the same
# way: each makes a commit fail on purpose with the disk driver's
# fault-injection knob (`disktest logfail KIND`): the write of the log
# body, of the commit record, or of the first home block (install), the
# cache flush after the body or after the commit record, or the read of
# an inode block that a write must rewrite (inode). The kernel
# must say so in one line, refuse writes with EROFS and keep reading
# (disktest checks both, and the case runs `ls /`); the machine is killed
# at its prompt. Before arming the failure, `disktest logfail` leaves two
# orphans (see LogFailCase.orphans): fsck of the crashed image must find
# both listed. After the reboot, which must finish both, `disktest
# logcheck KIND` must find the failed transaction discarded -- or
# replayed, for install and commit-flush, where the commit record had
# reached the disk (and the boot must say "log: replaying"; after
# commit-flush msync and fsync must still have said EIO: the record was
# not known to be stable) -- and the file system writable again; then
# fsck --no-orphans must find no orphan left.
LOGFAIL_CASES = [
    LogFailCase("diskerr-log-body", "body", "writing the log", False, 600),
    LogFailCase("diskerr-log-commit", "commit", "writing the commit record", False, 600),
    LogFailCase("diskerr-log-install", "install", "installing the log", True, 600),
    LogFailCase("diskerr-log-inode", "inode", r"reading inode block \d+", False, 600),
    LogFailCase("diskerr-flush-body", "body-flush", "flushing the log", False, 600),
    LogFailCase("diskerr-flush-commit", "commit-flush", "flushing the commit record", True, 600),
]

# Power-cut campaigns, after the disk-error cases. Each builds a small
# image of its own (POWERCUT_BLOCKS blocks, the files of fs.img) and runs
# a chain of trials on it: boot; unless this is the first boot, `pcsync
# check G` for the previous trial; then `pcsync write busy` (pcsync.c:
# generations stored through a shared mapping, msync(MS_SYNC) after each,
# "pcsync: generation G synced" once it returns; two children keep the
# log busy with their own appends and unlinks, one holding each of its
# operations open for a clock tick), cut at a random point. G is the last
# generation the console showed as synced before the cut (a line printed
# after msync returned, so the promise was made before the cut); with no
# such line nothing was promised and the check is skipped. After each cut
# fsck.py checks the image as the next boot will find it (it applies a
# committed log in memory, as recovery does, and allows orphans listed in
# the table: a busy child's unlinked file whose blocks were being freed,
# which that boot finishes); after the last trial's check the machine is
# stopped idle and fsck.py --no-orphans runs once more on the recovered
# image. Any panic, failed check or fsck problem fails the campaign and
# keeps the image.
#
#   CUT_KILL    SIGKILL from the host. Odd trials kill the moment a
#               random generation's "synced" line appears (1..GENS): the
#               cut msync's promise is most exposed to, with its
#               transaction nearly always held open by a busy child --
#               the regression test for "msync(MS_SYNC) returns before
#               its transaction commits", which such a cut caught every
#               time. Even trials kill at a random delay (0 to
#               KILL_DELAY_MAX s) after a random generation's line
#               (generation 0: after the command was sent). QEMU has
#               written everything the guest's completed writes carried,
#               so this tests the log's order and msync's wait, not
#               flushes.
#   CUT_WCACHE  the disk's write-cache test mode (kernel/dev/wcache.c):
#               `vmctl wcache SEED` holds every completed write as "in a
#               volatile cache" until a flush covers it, `vmctl powercut
#               N` cuts the power after N more completed writes (N
#               random in WCACHE_CUT_MIN..WCACHE_CUT_MAX): the kernel
#               keeps a random subset of the held writes (chosen by SEED),
#               drops the rest and powers off. This is the campaign that
#               needs the log's flushes.
#
# The runner picks a campaign seed (printed on the PASS/FAIL line and in
# the log) from which every trial's choices follow; --powercut-seed S
# replays the same choices (the guest's timing still varies) and
# --powercut-trials N runs N trials per campaign (make test's
# POWERCUT_TRIALS), e.g.
#   make test ONLY="powercut-kill powercut-wcache" POWERCUT_TRIALS=500
# `make soak` runs longer campaigns of its own (soak_cases).
CUT_KILL = "kill"
CUT_WCACHE = "wcache"
POWERCUT_BLOCKS = 16384  # 16 MiB: a chain of trials, each fsck'd, stays quick
POWERCUT_TRIALS = 10
KILL_DELAY_MAX = 1.0
WCACHE_CUT_MIN = 150     # pcsync's setup takes about 190 writes from the knob on,
WCACHE_CUT_MAX = 400     # each generation 15-25 more (with the flushes; its 24
                         # pages are one transaction: they were six, 40-70 writes,
                         # before write-back transactions grew to 32 pages)
# Generations `pcsync write` stores: GENS in user/pcsync.c, read from there.
PCSYNC_GENS = int(re.search(r"^#define GENS (\d+)", (ROOT / "user" / "pcsync.c").read_text(),
                            re.MULTILINE).group(1))
POWERCUT_CASES = [
    PowerCutCase("powercut-kill", CUT_KILL, POWERCUT_TRIALS, 300),
    PowerCutCase("powercut-wcache", CUT_WCACHE, POWERCUT_TRIALS, 300),
]

BENCH_SMOKE = BenchSmoke("bench-quick", 300)
BENCH_PLOTS = ("time.png", "faults.png", "sharers.png", "dirty.png", "window.png", "size.png",
               "faultmap.png", "process.png", "shells.png", "start.png", "scan.png",
               "adaptive.png", "pagefault.png", "bandwidth.png")

# FRAG_BLOCKS gives the image more bitmap blocks (one per BPB = 8192
# blocks) than one operation may add to the log (MAXOPBLOCKS = 16), so a file spread
# over the holes cannot be freed in one transaction.
FRAG_BLOCKS = 56 * 8192
IMAGE_CASES = [
    ImageCase("fragment", FRAG_BLOCKS, "fragtest", [r"^fragtest: OK$"], 900),
    # sysfuzz where a file's first blocks each come from another bitmap
    # block (one call's changes span several transactions); then fsck.
    ImageCase("fragment-sysfuzz", FRAG_BLOCKS, f"sysfuzz -p 3 -n {SYSFUZZ_CALLS} -s 2",
              [rf"^sysfuzz: {SYSFUZZ_CALLS} calls, seed 2: OK$"], 900),
]


# Lock-order checker cases (kernel/lib/lockrank.h): each expects the
# checker's panic line naming both locks.
LOCKTEST_SUFFIX = "-locktest"
LOCKCHECK_CASES = [
    LockcheckCase("lockcheck-spin", 1,
                  r"^panic: lock order: acquiring icache \(rank \d+\) while holding proc "
                  r"\(rank \d+\)$", 120),
    LockcheckCase("lockcheck-sleep", 2,
                  r"^panic: lock order: acquiring inode \(rank \d+\) while holding buffer "
                  r"\(rank \d+\)$", 120),
    LockcheckCase("lockcheck-sleep-under-spin", 3,
                  r"^panic: lock order: may sleep for inode \(rank \d+\) while holding time "
                  r"\(rank \d+\)$", 120),
    LockcheckCase("lockcheck-sleep-holding", 4,
                  r"^panic: lock order: sleeping on time \(rank \d+\) while holding proc "
                  r"\(rank \d+\)$", 120),
]


# The soak (`make soak`, runtest.py --soak): the same tools run far longer,
# with seeds of their own, in three parts (soak_parts(); `make soak
# ONLY=sysfuzz` runs one part, ONLY also takes a case's name):
#   fsx       SOAK_FSX_ROUNDS rounds of every mode of FSX_MODES,
#             SOAK_FSX_OPS operations each (the procs mode runs three
#             instances): 1,050,000 operations in all.
#   sysfuzz   the runs of SOAK_SYSFUZZ, 1,000,000 calls in all: on fs.img
#             with 3, 5 and 8 workers, and on a fragmented image (as
#             fragment-sysfuzz) -- each with the knob churner.
#   powercut  both power-cut campaigns, SOAK_POWERCUT_TRIALS trials each
#             (--powercut-trials overrides it).
# The split keeps the whole soak under an hour on a 2-core host. Measured
# on one (2026-12-03, -smp 3, load average about 2.5): fsx 615 (naive) to
# 1,025 (cache) operations a second, 380 s a round, so the fsx part takes
# about 19 minutes; sysfuzz 2,850 (3 workers) to 3,200 (8) calls a second
# on fs.img and 1,500 on the fragmented image, about 7 minutes; the
# campaigns 17 (kill) and 20 (wcache) trials a minute, about 7 minutes.
# About 35 minutes in all, so a host half as fast again still fits.
SOAK_FSX_ROUNDS = 3
SOAK_FSX_OPS = 50000
# (workers, calls, seed, on the fragmented image)
SOAK_SYSFUZZ = [
    (3, 200000, 1001, False),
    (5, 200000, 1002, False),
    (8, 200000, 1003, False),
    (3, 200000, 1004, False),
    (3, 200000, 1005, True),
]
SOAK_POWERCUT_TRIALS = 60


def sysfuzz_case(name: str, procs: int, calls: int, seed: int, fragmented: bool) -> Case:
    """One sysfuzz run of `calls` calls by `procs` workers from `seed`, on
    the shared machine or on a fragmented image of its own."""
    command = f"sysfuzz -p {procs} -n {calls} -s {seed}"
    expects = [rf"^sysfuzz: {calls} calls, seed {seed}: OK$"]
    timeout = max(900, calls // 100)  # 100 calls a second: far below the slowest seen
    if fragmented:
        return ImageCase(name, FRAG_BLOCKS, command, expects, timeout)
    return ShellCase(name, command, expects, timeout)


def soak_parts() -> dict[str, list[Case]]:
    """The soak's parts, in the order they run: name -> its cases."""
    fsx: list[Case] = []
    for r in range(SOAK_FSX_ROUNDS):
        fsx += [fsx_case(mode, SOAK_FSX_OPS, 1000 + 10 * r + i, prefix=f"soak{r}-fsx")
                for i, mode in enumerate(FSX_MODES)]
    sysfuzz = [sysfuzz_case(f"soak-sysfuzz-{seed}" + ("-fragment" if frag else ""),
                            procs, calls, seed, frag)
               for procs, calls, seed, frag in SOAK_SYSFUZZ]
    powercut: list[Case] = [PowerCutCase("soak-" + c.name, c.method, SOAK_POWERCUT_TRIALS,
                                         c.timeout) for c in POWERCUT_CASES]
    return {"fsx": fsx, "sysfuzz": sysfuzz, "powercut": powercut}


def soak_cases() -> list[Case]:
    """The soak's cases, in the order they run."""
    return [BootCase()] + [c for part in soak_parts().values() for c in part]


def all_cases(soak: bool = False) -> list[Case]:
    """Every case, in the order they run (the soak's with soak)."""
    if soak:
        return soak_cases()
    return (HOST_CASES + [BootCase()] + CASES + IMAGE_CASES + CRASH_CASES + LOGFAIL_CASES +
            POWERCUT_CASES + LOCKCHECK_CASES + [BENCH_SMOKE])


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


def run_fsck(image: str, booted: bool) -> tuple[int, str]:
    """Run scripts/fsck.py on image. booted: the kernel has booted on it
    since its last crash and was killed idle, so no orphan may be left
    (--no-orphans); else orphans in the table are allowed. Returns (exit
    status, output)."""
    r = subprocess.run([sys.executable, str(SCRIPTS / "fsck.py"), image] +
                       (["--no-orphans"] if booted else []),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    return r.returncode, r.stdout


def cut_at_line(con: Console, command: str, hit: re.Pattern[str], timeout: float) -> str | None:
    """Phase 1 of a crash case, at the prompt: run command and kill QEMU
    the moment a line matching hit appears. Returns None or a failure
    reason (the command failed, the kernel panicked, the command ended or
    the time ran out first)."""
    try:
        got = send_and_watch(con, command, time.monotonic() + timeout, hit=hit,
                             bad=re.compile(r"panic|FAILED"))
    except QemuDied:
        return "first boot: " + con.status()
    if got == "hit":
        con.crash()
        return None
    if got is None:
        return f"no line matching {hit.pattern!r} within {int(timeout)}s"
    con.settle()
    return {"bad": f"{command} failed or the kernel panicked",
            "exited": f"{command} ended before the line to cut the power on"}[got]


def crash_phase_run(con: Console, round_no: int, timeout: float) -> str | None:
    """Phase 1: start fsstress and kill QEMU as soon as it reports
    round_no. Returns None or a failure reason."""
    return cut_at_line(con, f"fsstress {round_no + 20}",
                       re.compile(rf"^fsstress: round {round_no}$", re.MULTILINE), timeout)


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


def crash_phase_orphan(con: Console, kind: str, timeout: float) -> str | None:
    """Phase 1 of an orphan crash: run `orphan KIND` and kill QEMU the
    moment ORPHAN_CRASHES[kind].cut appears. Returns None or a failure
    reason."""
    return cut_at_line(con, "orphan " + kind.removeprefix("orphan-"),
                       re.compile(ORPHAN_CRASHES[kind].cut, re.MULTILINE), timeout)


def run_crash_case(case: CrashCase | LogFailCase, timeout: float, runner: Runner) -> Result:
    """One crash case, from copying the image to fsck; the case's crash()
    and recovered() are its two phases, and its orphans() what each fsck
    and the recovery boot must say of the orphans the crash left. The note
    says whether the second boot replayed the log and what orphans it
    finished."""
    name, log = case.name, runner.log
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
        con, why = machine(case.label())
        if why:
            return Result(False, "first boot: " + why, outputs())
        why = case.crash(con, timeout)
        con.stop()
        if why:
            return Result(False, why, outputs())

        # fsck first on the crashed image itself (it applies a committed
        # log in memory; orphans in the table are allowed), then again
        # after the kernel's own recovery (none may be left).
        status, report = run_fsck(image, booted=False)
        runner.note(f"\n==== runtest: {name}: fsck before recovery ====\n{report}")
        if status != 0:
            return Result(False, f"fsck of the crashed image found problems (image kept: "
                          f"{image})", report)
        listed, finished = case.orphans()
        for want in listed:
            if not re.search(want, report, re.MULTILINE):
                return Result(False, f"fsck of the crashed image has no line {want!r} (image "
                              f"kept: {image})", report)

        con, why = machine("recover")
        if why:
            return Result(False, "boot after the crash: " + why, outputs())
        m = re.search(r"log: replaying (\d+) committed blocks", con.snapshot())
        remark = f"log replayed {m.group(1)} blocks" if m else "log was empty"
        done = ORPHAN_DONE_RE.findall(con.snapshot())
        if done:
            remark += f"; {len(done)} orphans finished"
        for want in finished:
            if not re.search(want, con.snapshot(), re.MULTILINE):
                return Result(False, f"the boot after the crash printed no line {want!r}",
                              outputs(), remark)
        why = case.recovered(con, m is not None, timeout)
        con.crash()  # idle at the prompt: nothing in flight
        con.stop()
        if why:
            return Result(False, why, outputs(), remark)

        status, report = run_fsck(image, booted=True)
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


# ---------------------------------------------------------------- power cuts

PCSYNC_WRITE = "pcsync write busy"
SYNCED_RE = re.compile(r"^pcsync: generation (\d+) synced$", re.MULTILINE)
PCSYNC_ERROR_RE = re.compile(r"^pcsync: (?!generation \d+ synced$).*$", re.MULTILINE)
CUT_LINE_RE = re.compile(r"^disk: power cut \(seed \d+\): (\d+) blocks .*, (\d+) of them kept, "
                         r"(\d+) blocks put back", re.MULTILINE)


@dataclass
class Trial:
    """One trial's random choices (see POWERCUT_CASES)."""
    number: int
    method: str
    gen: int = 0          # CUT_KILL: the generation whose line starts the delay
    delay: float = 0.0    # CUT_KILL: seconds from that line to the kill (0: at once)
    kseed: int = 0        # CUT_WCACHE: the kernel's seed for the cut's choices
    writes: int = 0       # CUT_WCACHE: completed writes from the knob to the cut

    def describe(self) -> str:
        if self.method == CUT_KILL and self.delay == 0:
            return f"SIGKILL at generation {self.gen}'s line"
        if self.method == CUT_KILL:
            return f"SIGKILL {self.delay:.2f}s after generation {self.gen}"
        return f"write cache seed {self.kseed}, cut after {self.writes} writes"


def powercut_trial(rng: random.Random, method: str, number: int) -> Trial:
    """Trial `number`'s choices (see CUT_KILL and CUT_WCACHE above)."""
    if method == CUT_KILL and number % 2 == 1:  # right after msync returned
        return Trial(number, method, gen=rng.randrange(1, PCSYNC_GENS + 1), delay=0.0)
    if method == CUT_KILL:
        return Trial(number, method, gen=rng.randrange(PCSYNC_GENS),
                     delay=round(rng.uniform(0, KILL_DELAY_MAX), 2))
    return Trial(number, method, kseed=rng.randrange(1, 10**8),
                 writes=rng.randrange(WCACHE_CUT_MIN, WCACHE_CUT_MAX + 1))


def drain(con: Console) -> str:
    """Everything QEMU printed, once it has stopped (what was still in the
    pipe when it died included)."""
    try:
        con.wait(lambda text: None, time.monotonic() + 10)
    except QemuDied:
        pass
    return con.snapshot()


def cut_by_kill(con: Console, trial: Trial, timeout: float) -> tuple[str | None, str]:
    """Runs PCSYNC_WRITE and kills QEMU trial.delay seconds after it reports
    generation trial.gen synced (gen 0: after the command was sent; delay
    0: the moment the line arrives).
    Returns (failure reason or None, the output from the command on)."""
    start = con.mark()
    line_re = re.compile(rf"^pcsync: generation {trial.gen} synced$", re.MULTILINE)
    try:
        # Generation 0 cuts at once: the empty pattern matches any output.
        got = send_and_watch(con, PCSYNC_WRITE, time.monotonic() + timeout,
                             hit=line_re if trial.gen > 0 else re.compile(""))
        if got == "hit" and trial.delay > 0:  # the random part: wait, watching for a panic
            got = con.wait(lambda text: "bad" if PANIC_RE.search(text[start:]) else None,
                           time.monotonic() + trial.delay)
    except QemuDied:
        return "QEMU stopped during " + PCSYNC_WRITE, con.snapshot(start)
    con.crash()
    out = drain(con)[start:]
    if got is None and trial.gen > 0 and not line_re.search(out):
        return f"no \"pcsync: generation {trial.gen} synced\" within {int(timeout)}s", out
    if got == "exited":
        return PCSYNC_WRITE + " exited", out
    if got == "bad":
        return "kernel panic", out
    return None, out


def cut_by_wcache(con: Console, trial: Trial, timeout: float) -> tuple[str | None, str]:
    """Turns the write-cache mode on, arms the cut after trial.writes
    writes and runs PCSYNC_WRITE until the kernel powers the machine off.
    Returns (failure reason or None, the output from the command on)."""
    start = con.mark()
    command = f"vmctl wcache {trial.kseed}; vmctl powercut {trial.writes}; {PCSYNC_WRITE}"
    try:
        got = send_and_watch(con, command, time.monotonic() + timeout)
    except QemuDied:
        out = drain(con)[start:]
        if not CUT_LINE_RE.search(out):
            return "QEMU stopped without the power cut line", out
        return None, out
    con.crash()
    out = drain(con)[start:]
    if got is None:
        return f"no power cut within {int(timeout)}s", out
    return {"bad": "kernel panic", "exited": "the command line ended"}[got], out


def run_powercut(case: PowerCutCase, timeout: float, runner: Runner) -> Result:
    """One campaign (see POWERCUT_CASES). The note gives the seed, the
    generation each cut had to keep, how many boots replayed the log and
    how many orphans the boots finished."""
    args, log = runner.args, runner.log
    trials = args.powercut_trials or case.trials
    seed = args.powercut_seed if args.powercut_seed is not None else random.randrange(1, 10**6)
    rng = random.Random(seed)
    fd, image = tempfile.mkstemp(prefix=f"pcv6-{case.name}-", suffix=".img")
    os.close(fd)
    cons: list[Console] = []  # the last two machines, for a failure's output
    trial: Trial | None = None
    history: list[int] = []
    replays = put_back = orphans = 0

    def fail(why: str, out: str = "") -> Result:
        where = f"trial {trial.number} of {trials} ({trial.describe()})" if trial else "setup"
        return Result(False, f"{where}, campaign seed {seed}: {why} (image kept: {image})",
                      out or "\n".join(c.snapshot() for c in cons))

    try:
        mkfs = [str(SCRIPTS / "mkfs"), "-s", str(POWERCUT_BLOCKS), image] + image_files()
        r = subprocess.run(mkfs, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        if r.returncode != 0:
            return fail("mkfs: " + r.stdout.strip())
        argv, _ = crash_argv(runner.qemu_argv, image)
        runner.note(f"\n==== runtest: {case.name}: {trials} trials ({case.method}), "
                    f"campaign seed {seed}, image {image} ====\n")
        for number in range(1, trials + 2):
            con = Console(argv, log)
            cons = cons[-1:] + [con]
            why = boot(con, args.timeout_boot)
            if why:
                return fail("boot after the cut: " + why if trial else "first boot: " + why)
            if "log: replaying" in con.snapshot():
                replays += 1
            orphans += len(ORPHAN_DONE_RE.findall(con.snapshot()))
            if trial and history[-1] > 0:
                o = run_command(con, f"pcsync check {history[-1]}", [r"^pcsync: data intact$"],
                                timeout)
                if not o.ok:
                    return fail(f"after the reboot, pcsync check {history[-1]}: {o.why}")
            if number > trials:
                con.crash()  # idle at the prompt: nothing in flight
                break
            trial = powercut_trial(rng, case.method, number)
            runner.note(f"\n==== runtest: {case.name}: trial {number}/{trials}: "
                        f"{trial.describe()} ====\n")
            cut = cut_by_kill if case.method == CUT_KILL else cut_by_wcache
            why, out = cut(con, trial, timeout)
            con.stop()
            if why:
                return fail(why)
            history.append(max((int(g) for g in SYNCED_RE.findall(out)), default=0))
            m = CUT_LINE_RE.search(out)
            put_back += int(m.group(3)) if m else 0
            bad = PCSYNC_ERROR_RE.search(out)
            if bad:
                return fail(f"{PCSYNC_WRITE} said: {bad.group(0)}")
            status, report = run_fsck(image, booted=False)
            runner.note(f"\n==== runtest: {case.name}: trial {number}: last synced generation "
                        f"{history[-1]}; fsck of the cut image ====\n{report}")
            if status != 0:
                return fail("fsck of the image after the cut found problems", report)
        status, report = run_fsck(image, booted=True)
        runner.note(f"\n==== runtest: {case.name}: fsck after the last recovery ====\n{report}")
        if status != 0:
            return fail("fsck after the last recovery found problems", report)
        Path(image).unlink()
        gens = " ".join(map(str, history)) if trials <= 30 else \
            f"{sum(1 for g in history if g > 0)} with a generation synced"
        extra = f", {put_back} blocks put back" if case.method == CUT_WCACHE else ""
        return Result(True, note=f"{trials} trials, seed {seed}; last synced generations: {gens}; "
                      f"{replays} boots replayed the log, {orphans} orphans finished{extra}")
    except (OSError, ValueError) as e:
        return fail(str(e))
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
        status, report = run_fsck(image, booted=True)
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


# ---------------------------------------------------------------- lock checks

def run_lockcheck_case(case: LockcheckCase, timeout: float, runner: Runner) -> Result:
    """One case of LOCKCHECK_CASES."""
    argv = [a + LOCKTEST_SUFFIX if prev == "-kernel" else a
            for prev, a in zip([None] + runner.qemu_argv, runner.qemu_argv)]
    runner.note(f"\n==== runtest: {case.name}: starting QEMU ({' '.join(argv)}) ====\n")
    con = Console(argv, runner.log)
    try:
        why = boot(con, runner.args.timeout_boot)
        if why:
            return Result(False, "boot: " + why, con.snapshot())
        o = run_command(con, f"locktest {case.kind}", [], timeout)
        if o.ok:
            return Result(False, "no panic: the checker let the wrong order pass", o.out)
        if not re.search(case.expect, o.out, re.MULTILINE):
            return Result(False, f"{o.why} (expected {case.expect!r})", o.out)
        return Result(True)
    except OSError as e:
        return Result(False, str(e), con.snapshot())
    finally:
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
    # Issue 16's workloads: lat_pagefault's shape (cache, today and anonymous
    # memory), bw_file_rd and bw_mmap_rd, and the famax sweep.
    have = {(r.get("variant"), r["workload"], r["phase"], r["policy"]) for r in rows}
    for want in (("default", "pagefault", "file", "cache"), ("today", "pagefault", "file", "cache"),
                 ("default", "pagefault", "anon", "anon"), ("default", "bw", "read", "cache"),
                 ("default", "bw", "mmap", "cache"), ("famax", "remap", "second", "cache")):
        if want not in have:
            return f"no row of {' '.join(want)}"
    pf = [r for r in rows if r["workload"] == "pagefault" and r["policy"] == "cache"]
    if any(int(r["faults"]) >= int(r["touched_pages"]) for r in pf):
        return "lat_pagefault under the page cache: a fault for every page"
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
                    help="run only this case, or with --soak this part of the soak "
                    "(repeatable; boot always runs)")
    ap.add_argument("--log", default="test.log",
                    help="file that receives all console output (default test.log)")
    ap.add_argument("--soak", action="store_true",
                    help="run the soak's long cases instead (see soak_cases)")
    ap.add_argument("--powercut-trials", type=int, default=0, metavar="N",
                    help="trials per power-cut campaign (default: each case's own)")
    ap.add_argument("--powercut-seed", type=int, metavar="S",
                    help="campaign seed (default: a random one, printed)")
    args = ap.parse_args(argv)

    names = [c.name for c in all_cases(args.soak) if not isinstance(c, BootCase)]
    parts = soak_parts() if args.soak else {}
    args.only = [c.name for n in args.only for c in parts.get(n, [])] + \
        [n for n in args.only if n not in parts]  # a part of the soak: its cases
    for n in args.only:
        if n not in names and n != "boot":
            have = ", ".join(list(parts) + names)
            ap.error(f"unknown case {n!r} (have: {have})")
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
        for case in (c for c in all_cases(args.soak) if wanted(c, args)):
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
