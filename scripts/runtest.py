#!/usr/bin/python3
"""runtest.py -- boot pcv6 under QEMU and drive its shell through a list of cases.

Usage (the Makefile's `test` target does this):
    scripts/runtest.py --qemu "qemu-system-riscv64 ... -snapshot" [--only NAME]...
                       [--timeout-boot SECONDS] [--timeout NAME=SECONDS]...
                       [--log test.log]

First come the host cases (HOST_CASES below): programs built for the host
from kernel source (scripts/stringtest.c), each passing when it exits 0.

How it works. QEMU runs with its console on our stdin/stdout pipes. A reader
thread appends everything QEMU prints to one text buffer (and to the log file)
and wakes whoever waits on the condition variable; the main thread never
sleeps to synchronise, it waits on that buffer with a deadline.

A case types one command line at the shell prompt. The kernel's console echoes
what we type, so the first line of a case's output is usually the command
itself: it is skipped, so the command text can never satisfy an expectation.
The case is over when the output ends with the next prompt "$ " (the shell
then blocks reading, so nothing follows it). It passes if every expected
regular expression matched that output. It fails on a timeout, a missing
expectation, the word "panic" anywhere in its output, or QEMU exiting. After
a failure that may have left the machine in a bad state (timeout, panic,
QEMU gone) the next case gets a freshly booted QEMU; with -snapshot the disk
image starts clean each time.

Then come the image cases (IMAGE_CASES below): each builds a disk image of
its own, runs one command on it and checks the image with scripts/fsck.py.

Then come the crash cases (CRASH_CASES below): each copies the disk image,
boots QEMU on the copy without -snapshot, kills it with SIGKILL in the
middle of fsstress, boots the copy again so the kernel replays its log, and
checks the copy with scripts/fsck.py. The crash is triggered by fsstress's
own output, never by a timer.

Last comes the benchmark smoke case (BENCH_SMOKE below), when the Makefile
passes --bench-qemu: it runs `make bench-quick`'s pipeline (scripts/bench.py
--quick, summary.py, plot.py) into a temporary directory and checks that a
CSV with sane numbers and every plot came out -- the pipeline, not the goals.

Output: one line per case, "PASS name (12.3s)" or "FAIL name: reason" followed
by the last console lines of that case, then "N passed, N failed" alone on
the last line. Exit status 1 if anything failed, else 0.
"""

import argparse
import codecs
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

# The cases, run in this order after the boot check. Each is
# (name, command line, expected regexes, timeout in seconds). Expectations
# are Python regexes searched with re.MULTILINE in the command's output
# (echo of the command excluded); all must match, in any order. Timeouts are
# generous: the host is a busy 2-core machine emulating 3 harts.
#
# The tool cases check their numbers against README.md as the host sees it:
# mkfs copies that file into the image as README when make test builds.
README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
with open(README, "rb") as _f:
    README_BYTES = _f.read()
README_LINES = README_BYTES.split(b"\n")
if README_LINES and README_LINES[-1] == b"":
    README_LINES.pop()
README_FIRST = README_LINES[0].decode()
PCV6_LINES = sum(1 for l in README_LINES if b"pcv6" in l.lower())

CASES = [
    ("shell", "echo hi > f; cat f | grep hi | wc", [r"^\s*1 1 3\b"], 120),
    # A line typed in one write, three times the console's 128-byte input
    # buffer: the UART must hold what does not fit, not drop it.
    ("paste", "echo %s | wc -c" % ("q" * 400), [r"^\s*401\b"], 120),
    ("ls", "ls", [r"^README", r"^cat\s", r"^usertests\s"], 120),
    ("ls-l", "ls -l README; ls -l /",
     [r"^file\s+1\s+\d+\s+%d README$" % len(README_BYTES),
      r"^dir\s+\d+\s+1\s+\d+ \.$", r"^dev\s+1\s+\d+\s+0 console$"], 120),
    ("grep-n", "grep -n '^%s$' README; grep -in '^%s$' README"
     % (README_FIRST, README_FIRST.upper()),
     [r"\A1:%s\n1:%s\n" % ((re.escape(README_FIRST),) * 2)], 120),
    ("grep-c", "grep -c PCV6 README; grep -ic PCV6 README; grep -vc pcv6 README",
     [r"\A%d\n%d\n%d\n" % (sum(1 for l in README_LINES if b"PCV6" in l),
                            PCV6_LINES,
                            sum(1 for l in README_LINES if b"pcv6" not in l))], 120),
    ("wc-l", "wc -l README; wc -lc README",
     [r"^%d README$" % len(README_LINES),
      r"^%d %d README$" % (len(README_LINES), len(README_BYTES))], 120),
    ("echo-n", "echo -n abc; echo def", [r"^abcdef$"], 120),
    ("cat-n", "echo one > n1; echo two >> n1; cat -n n1",
     [r"\A\s+1\tone\n\s+2\ttwo\n"], 120),
    ("bad-option", "ls -z; grep -q x README; wc -x; echo still here",
     [r"^ls: unknown option -z\nusage: ls ", r"^usage: grep ", r"^usage: wc ",
      r"^still here$"], 120),
    ("cat-missing", "cat nosuchfile",
     [r"^cat: nosuchfile: no such file or directory$"], 120),
    ("ps", "ps",
     [r"^\s*PID\s+PPID\s+STATE\s+PAGES\s+NAME$",
      r"^\s*1\s+0\s+sleeping\s+[1-9]\d*\s+init$",
      r"^\s*\d+\s+1\s+sleeping\s+[1-9]\d*\s+sh$",
      r"^\s*\d+\s+\d+\s+running\s+[1-9]\d*\s+ps$"], 120),
    ("sleep", "sleep 1; echo woke; sleep x", [r"^woke$", r"^usage: sleep ticks"], 120),
    ("no-program", "nosuchprog; README",
     [r"^sh: exec nosuchprog: no such file or directory$",
      r"^sh: exec README: not an executable program$"], 120),
    ("vmctl", "vmctl faultaround 3; vmctl faultaround 8; vmctl faultaround 16; vmctl; vmctl drop",
     [r"^vmctl: faultaround 3: invalid argument \(a power of two from 1 to 64\)$",
      r"^faultaround 8 \(was 16\)$", r"^faultaround 16 \(was 8\)$", r"^free_pages [1-9]\d*$",
      r"^faults \d+$", r"^pc_pages \d+$", r"^disk_read_reqs [1-9]\d*$",
      r"^dropped \d+ pages$"], 120),
    ("vmctl-trace", "vmctl trace on; mmaptest -p cache eof_zero; vmctl trace dump",
     [r"^test eof_zero: OK$", r"^trace [1-9]\d*$", r"^\d+ (minor|major) \d+ 0$",
      r"^\d+ around \d+ 1$"], 300),
    # The naive policy first: the case sets the policy knob, and the next
    # case sets it back to the page cache for everything after it.
    ("mmaptest-naive", "mmaptest -p naive", [r"^mmaptest: policy naive$",
                                             r"^mmaptest: all tests succeeded$"], 600),
    ("mmaptest", "mmaptest -p cache", [r"^mmaptest: policy cache$",
                                       r"^mmaptest: all tests succeeded$"], 600),
    # The page cache again, with dirty pages found by store faults (as on
    # a hart without hardware D-bit updates) instead of by the D bit.
    ("mmaptest-svade", "vmctl svade 1; mmaptest -p cache; vmctl svade 0",
     [r"^mmaptest: policy cache$", r"^mmaptest: all tests succeeded$"], 600),
    # The page cache's own tests (pctest selects the cache policy itself).
    ("pctest", "pctest", [r"^pctest: all tests succeeded$"], 600),
    # The cache's promises under eviction, failing copies and races.
    ("trusttest", "trusttest", [r"^trusttest: all tests succeeded$"], 600),
    # lseek, ftruncate (holes and their write-back), fsync; atomic O_TRUNC.
    ("posixtest", "posixtest", [r"^posixtest: all tests succeeded$"], 600),
    ("wakeuptest", "wakeuptest", [r"^wakeuptest: all tests succeeded$"], 300),
    # The kernel's out-of-memory line must name the hog that oomtest reports.
    ("oomtest", "oomtest", [r"^oomtest: all tests succeeded$",
                            r"^pid (\d+) \(oomtest\): killed: out of memory, \d+ pages$"
                            r"[\s\S]*^oomtest: hog pid \1 killed by the out-of-memory policy$"],
     900),
    ("usertests", "usertests", [r"^ALL TESTS PASSED$"], 900),
    # The kernel tests again with areas mapped by the naive policy (the
    # knob is set back to the page cache after them).
    ("usertests-naive", "vmctl policy naive; usertests; vmctl policy cache",
     [r"^ALL TESTS PASSED$"], 900),
]

# Host cases, run first, before any QEMU: (name, argv, timeout). Each is a
# program built by `make test` that checks kernel code compiled for the
# host; it passes when it exits 0.
HOST_CASES = [
    ("string", ["scripts/stringtest"], 120),  # memset/memmove edges (kernel/lib/string.c)
]

# Crash-recovery cases, run after CASES, each on its own copy of the disk
# image (no -snapshot): (name, round, timeout in seconds). The case boots
# QEMU on the copy, runs "fsstress N" with N well past the round (so it
# cannot finish first), and kills QEMU with SIGKILL the moment
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
    ("crash-msync", MSYNC_CRASH, 900),
    ("crash-msync-busy", MSYNC_BUSY_CRASH, 900),
    ("crash-round3", 3, 900),
    ("crash-round5", 5, 900),
    ("crash-round8", 8, 900),
    ("crash-commit", COMMIT_CRASH, 900),
]

# The benchmark smoke case: (name, timeout in seconds). See bench_smoke().
BENCH_SMOKE = ("bench-quick", 300)
BENCH_PLOTS = ("time.png", "faults.png", "sharers.png", "dirty.png", "window.png", "size.png",
               "faultmap.png")
# Cases on an image of their own, built for the case: (name, size in
# blocks, command line, expected regexes, timeout in seconds). The case
# builds a fresh image of that size with `scripts/mkfs -s` holding the
# same files as fs.img and runs scripts/fragment.py on it (every bitmap
# block but the last keeps one free block, the rest of the disk is
# filled); then it boots QEMU on the image (no -snapshot), runs the command
# as a CASES entry would, kills the idle machine at its prompt (every
# transaction has committed by then) and checks the image with
# scripts/fsck.py. It passes iff the boot works, the command's output
# matches with no panic, and fsck exits 0. The image is deleted unless the
# case fails.
#
# FRAG_BLOCKS gives the image more bitmap blocks (one per BPB = 8192
# blocks) than the log holds blocks (LOGBLOCKS = 48), so a file spread
# over the holes cannot be freed in one transaction.
FRAG_BLOCKS = 56 * 8192
IMAGE_CASES = [
    ("fragment", FRAG_BLOCKS, "fragtest", [r"^fragtest: OK$"], 900),
]

PROMPT = "$ "
PANIC_RE = re.compile(r"panic")
TAIL_LINES = 40


class QemuDied(Exception):
    pass


class Console:
    """One running QEMU and everything it has printed so far."""

    def __init__(self, argv, log):
        self.log = log
        self.cond = threading.Condition()
        self.text = ""      # all output, "\r" removed; guarded by cond
        self.eof = False    # QEMU closed its output; guarded by cond
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()

    def _read_loop(self):
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            piece = decoder.decode(chunk, final=not chunk).replace("\r", "")
            if piece:
                self.log.write(piece)
                self.log.flush()
            with self.cond:
                self.text += piece
                if not chunk:
                    self.eof = True
                self.cond.notify_all()
            if not chunk:
                return

    def wait(self, check, deadline):
        """Call check(text) each time output arrives until it returns
        something other than None, and return that. Returns None at the
        deadline; raises QemuDied if QEMU's output ended first."""
        with self.cond:
            while True:
                result = check(self.text)
                if result is not None:
                    return result
                if self.eof:
                    raise QemuDied()
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def settle(self, quiet=0.5, limit=3.0):
        """Give a dying machine a moment to finish printing (a panic
        message, say) so the log shows all of it. Only a bound on how long
        we keep reading, not a synchronisation point."""
        end = time.monotonic() + limit
        with self.cond:
            while not self.eof and time.monotonic() < end:
                before = len(self.text)
                self.cond.wait(quiet)
                if len(self.text) == before:
                    return

    def snapshot(self, start=0):
        with self.cond:
            return self.text[start:]

    def mark(self):
        with self.cond:
            return len(self.text)

    def send(self, line):
        try:
            self.proc.stdin.write(line.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise QemuDied()

    def crash(self):
        """Kill QEMU at once (SIGKILL): whatever the guest had not yet
        written to the disk image is lost, as in a power failure."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def alive(self):
        return self.proc.poll() is None and not self.eof

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.reader.join(timeout=5)


NOTABLE_RE = re.compile(r"FAILED|panic")


def tail(text, n=TAIL_LINES):
    """The last n console lines, preceded by any earlier lines that report
    a failure (a long run can scroll those out of the tail)."""
    lines = text.rstrip("\n").split("\n")
    early = [l for l in lines[:-n] if NOTABLE_RE.search(l)]
    shown = []
    if early:
        shown = ["    | " + l for l in early] + ["    | ..."]
    return "\n".join(shown + ["    | " + line for line in lines[-n:]])


def qemu_status(con):
    try:
        code = con.proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        code = None
    return "QEMU exited" + ("" if code is None else " (status %d)" % code)


def boot(con, timeout):
    """Wait for the first shell prompt. Returns None or a failure reason."""
    deadline = time.monotonic() + timeout
    try:
        got = con.wait(lambda t: "panic" if PANIC_RE.search(t)
                       else ("prompt" if PROMPT in t else None), deadline)
    except QemuDied:
        return qemu_status(con)
    if got is None:
        return "no shell prompt within %ds" % timeout
    if got == "panic":
        con.settle()
        return "kernel panic during boot"
    return None


def body_of(out, command):
    """Split a case's raw output into the command's output proper: drop the
    echoed command line when the first line is that echo. Returns None until
    the first line is complete."""
    nl = out.find("\n")
    if nl < 0:
        return None
    if command.strip() and command.strip() in out[:nl]:
        return out[nl + 1:]
    return out


def run_case(con, command, expects, timeout):
    """Run one case on a booted machine at its prompt.
    Returns (ok, reason, output, machine_still_usable)."""
    start = con.mark()
    deadline = time.monotonic() + timeout
    patterns = [re.compile(e, re.MULTILINE) for e in expects]

    def check(text):
        out = text[start:]
        if PANIC_RE.search(out):
            return "panic"
        body = body_of(out, command)
        if body is not None and body.endswith(PROMPT):
            return "prompt"
        return None

    try:
        con.send(command + "\n")
        got = con.wait(check, deadline)
    except QemuDied:
        return False, qemu_status(con), con.snapshot(start), False

    if got == "panic":
        con.settle()
        out = con.snapshot(start)
        line = next((l for l in out.split("\n") if PANIC_RE.search(l)), "")
        return False, "kernel panic: " + line.strip(), out, False

    out = con.snapshot(start)
    body = body_of(out, command) or ""
    missing = [p.pattern for p in patterns if not p.search(body)]
    if got is None:
        why = "timeout after %ds" % timeout
        if missing:
            why += " (still missing %s)" % ", ".join(repr(m) for m in missing)
        return False, why, out, False
    if missing:
        return False, "missing " + ", ".join(repr(m) for m in missing), out, True
    return True, "", out, True


def crash_argv(qemu_argv, image):
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


def run_fsck(image):
    """Run scripts/fsck.py on image. Returns (exit status, output)."""
    fsck = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fsck.py")
    r = subprocess.run([sys.executable, fsck, image], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    return r.returncode, r.stdout


def crash_phase_run(con, round_no, timeout):
    """Phase 1, at the prompt: start fsstress and kill QEMU as soon as it
    reports round_no. Returns None or a failure reason."""
    start = con.mark()
    command = "fsstress %d" % (round_no + 20)
    done_re = re.compile(r"^fsstress: round %d$" % round_no, re.MULTILINE)
    bad_re = re.compile(r"panic|FAILED")

    def check(text):
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
        return "first boot: " + qemu_status(con)
    if got == "round":
        con.crash()
        return None
    if got is None:
        return "no \"fsstress: round %d\" within %ds" % (round_no, timeout)
    con.settle()
    return {"bad": "fsstress failed or the kernel panicked",
            "exited": "fsstress exited early"}[got]


def crash_phase_commit(con, timeout):
    """Phase 1 of the commit crash: two rounds of fsstress, then
    crashpoint, after which the kernel must power the machine off at its
    crash point. Returns None or a failure reason."""
    ok, why, _, _ = run_case(con, "fsstress 2", [], timeout)
    if not ok:
        return "fsstress 2: " + why
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
    return "the machine was still running %ds after crashpoint" % timeout


def crash_phase_msync(con, timeout, busy):
    """Phase 1 of the msync crash: run `pcsync write` and kill QEMU the
    moment it says generation MSYNC_CUT_GENERATION's msync returned.
    Returns None or a failure reason."""
    start = con.mark()
    synced_re = re.compile(r"^pcsync: generation %d synced$" % MSYNC_CUT_GENERATION,
                           re.MULTILINE)

    def check(text):
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
        return "no \"pcsync: generation %d synced\" within %ds" % (MSYNC_CUT_GENERATION, timeout)
    return {"panic": "kernel panic in pcsync write", "exited": "pcsync write failed"}[got]


def run_crash_case(name, round_no, timeout, qemu_argv, boot_timeout, log):
    """One crash case, from copying the image to fsck.
    Returns (ok, reason, console output to show, remarks)."""
    fd, image = tempfile.mkstemp(prefix="pcv6-%s-" % name, suffix=".img")
    os.close(fd)
    cons = []

    def machine(label):
        log.write("\n==== runtest: %s: starting QEMU (%s) on %s ====\n"
                  % (name, label, image))
        log.flush()
        c = Console(argv, log)
        cons.append(c)
        return c, boot(c, boot_timeout)

    def outputs():
        return "\n".join(c.snapshot() for c in cons)

    try:
        argv, original = crash_argv(qemu_argv, image)
        shutil.copyfile(original, image)
        commit = round_no == COMMIT_CRASH
        msync = round_no in (MSYNC_CRASH, MSYNC_BUSY_CRASH)
        con, why = machine("cut the power after msync" if msync else
                           "run fsstress, crash " +
                           ("at a commit point" if commit else "at round %d" % round_no))
        if why:
            return False, "first boot: " + why, outputs(), ""
        if msync:
            why = crash_phase_msync(con, timeout, round_no == MSYNC_BUSY_CRASH)
        elif commit:
            why = crash_phase_commit(con, timeout)
        else:
            why = crash_phase_run(con, round_no, timeout)
        con.stop()
        if why:
            return False, why, outputs(), ""

        # fsck first on the crashed image itself (it applies a committed
        # log in memory), then again after the kernel's own recovery.
        status, report = run_fsck(image)
        log.write("\n==== runtest: %s: fsck before recovery ====\n%s"
                  % (name, report))
        log.flush()
        if status != 0:
            return (False, "fsck of the crashed image found problems (image "
                    "kept: %s)" % image, report, "")

        con, why = machine("recover")
        if why:
            return False, "boot after the crash: " + why, outputs(), ""
        m = re.search(r"log: replaying (\d+) committed blocks", con.snapshot())
        remark = ("log replayed %s blocks" % m.group(1)) if m else "log was empty"
        if commit:
            if not m:
                return False, "no log replay after a crash at a commit point", outputs(), ""
            ok, why, out, _ = run_case(con, "cat /crashed", [CRASHPOINT_LINE], timeout)
            if not ok:
                return False, "cat /crashed after replay: " + why, outputs(), remark
        if msync:
            ok, why, out, _ = run_case(con, "pcsync check %d" % MSYNC_CUT_GENERATION,
                                       [r"^pcsync: data intact$"], timeout)
        else:
            ok, why, out, _ = run_case(con, "ls /stress", [r"^\.\s"], timeout)
        con.crash()  # idle at the prompt: nothing in flight
        con.stop()
        if not ok:
            return False, "check after the crash: " + why, outputs(), remark

        status, report = run_fsck(image)
        log.write("\n==== runtest: %s: fsck after recovery ====\n%s"
                  % (name, report))
        log.flush()
        if status != 0:
            return (False, "fsck found problems (image kept: %s)" % image,
                    report, remark)
        os.unlink(image)
        return True, "", "", remark
    except (OSError, ValueError) as e:
        return False, str(e), outputs(), ""
    finally:
        for c in cons:
            c.stop()


def bench_smoke(bench_qemu, timeout, log):
    """Runs the bench-quick pipeline into a temporary directory and checks
    its output. Returns (ok, reason)."""
    import csv
    here = os.path.dirname(os.path.abspath(__file__))
    out = tempfile.mkdtemp(prefix="pcv6-bench-quick-")
    steps = [
        [sys.executable, os.path.join(here, "bench.py"), "--quick", "--no-hyperfine",
         "--qemu", bench_qemu, "--out", out, "--log", os.path.join(out, "console.log")],
        [sys.executable, os.path.join(here, "summary.py"), out],
        [sys.executable, os.path.join(here, "plot.py"), out],
    ]
    deadline = time.monotonic() + timeout
    for argv in steps:
        left = deadline - time.monotonic()
        try:
            r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=max(left, 1))
        except subprocess.TimeoutExpired:
            return False, "%s: timeout (output kept in %s)" % (os.path.basename(argv[1]), out)
        log.write("\n==== runtest: bench smoke: %s ====\n%s" % (
            " ".join(argv[1:2]), r.stdout.decode(errors="replace")))
        log.flush()
        if r.returncode != 0:
            last = r.stdout.decode(errors="replace").strip().splitlines()[-3:]
            return False, "%s failed: %s (output kept in %s)" % (
                os.path.basename(argv[1]), " / ".join(last), out)
    with open(os.path.join(out, "bench.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    why = bench_sane(rows)
    for png in BENCH_PLOTS:
        p = os.path.join(out, png)
        if not os.path.exists(p) or os.path.getsize(p) < 10000:
            why = why or "plot %s missing or empty" % png
    if not os.path.exists(os.path.join(out, "summary.md")):
        why = why or "no summary.md"
    if why:
        return False, why + " (output kept in %s)" % out
    shutil.rmtree(out, ignore_errors=True)
    return True, "%d rows, %d plots" % (len(rows), len(BENCH_PLOTS))


def bench_sane(rows):
    """None if the quick CSV's numbers make sense, else what does not."""
    if len(rows) < 20:
        return "only %d rows in bench.csv" % len(rows)
    for r in rows:
        if r["machine"] == "smp3":
            if r["ok"] != "1" or int(r["time_ns"]) <= 0:
                return "implausible -smp 3 row: %s %s" % (r["workload"], r["time_ns"])
            continue
        if r["ok"] != "1" or int(r["cpu_ns"]) <= 0 or int(r["cycles"]) < int(r["cpu_ns"]):
            return "implausible row: %s %s %s" % (r["workload"], r["policy"], r["cpu_ns"])
    for r in rows:  # only the window sweep (read-ahead off) leaves the defaults
        if r["machine"] == "icount" and r["ra"] != "0" and (r["fa"], r["ra"]) != ("16", "32"):
            return "%s ran with fault-around %s, read-ahead %s" % (r["workload"], r["fa"],
                                                                   r["ra"])
    seq = {r["policy"]: r for r in rows if r["machine"] == "icount" and
           r["workload"] == "seqread" and r["phase"] == "touch" and r["file"] == "f4" and
           r["fa"] == "16" and r["ra"] == "32"}
    if set(seq) != {"naive", "cache"}:
        return "no cold seqread of f4 under both policies"
    n, c = seq["naive"], seq["cache"]
    if int(n["faults"]) != 1024 or int(n["disk_read_reqs"]) < 4096:
        return "naive seqread of 1024 pages: %s faults, %s disk reads" % (
            n["faults"], n["disk_read_reqs"])
    if not 0 < int(c["faults"]) < int(n["faults"]) or int(c["pc_misses"]) <= 0:
        return "cache seqread: %s faults, %s misses" % (c["faults"], c["pc_misses"])
    if not any(r["machine"] == "smp3" for r in rows):
        return "no -smp 3 rows"
    return None


def image_files():
    """The files fs.img holds, as the Makefile passes them to mkfs."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    progs = sorted(os.path.join(root, "user", f)
                   for f in os.listdir(os.path.join(root, "user"))
                   if f.startswith("_"))
    return root, [os.path.join(root, "README.md")] + progs


def build_fragmented(image, blocks, log):
    """Make image: mkfs -s blocks, then fragment.py (whose output fsck.py
    accepts; the check after the run would catch it otherwise). Returns
    None or a failure reason."""
    root, files = image_files()
    scripts = os.path.join(root, "scripts")
    steps = [("mkfs", [os.path.join(scripts, "mkfs"), "-s", str(blocks), image] + files),
             ("fragment.py", [sys.executable, os.path.join(scripts, "fragment.py"), image])]
    for label, argv in steps:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        log.write("\n==== runtest: %s %s ====\n%s" % (label, image, r.stdout))
        log.flush()
        if r.returncode != 0:
            return "%s failed on the fresh image: %s" % (label, r.stdout.strip())
    return None


def run_image_case(name, blocks, command, expects, timeout, qemu_argv, boot_timeout, log):
    """One case of IMAGE_CASES. Returns (ok, reason, console output)."""
    fd, image = tempfile.mkstemp(prefix="pcv6-%s-" % name, suffix=".img")
    os.close(fd)
    con = None
    try:
        why = build_fragmented(image, blocks, log)
        if why:
            return False, why + " (image kept: %s)" % image, ""
        argv, _ = crash_argv(qemu_argv, image)
        log.write("\n==== runtest: %s: starting QEMU on %s ====\n" % (name, image))
        log.flush()
        con = Console(argv, log)
        why = boot(con, boot_timeout)
        if why:
            return False, "boot: " + why, con.snapshot()
        ok, why, out, _ = run_case(con, command, expects, timeout)
        con.crash()  # at the prompt (or dead): nothing in flight
        if not ok:
            return False, why + " (image kept: %s)" % image, out
        status, report = run_fsck(image)
        log.write("\n==== runtest: %s: fsck ====\n%s" % (name, report))
        log.flush()
        if status != 0:
            return False, "fsck found problems (image kept: %s)" % image, report
        os.unlink(image)
        return True, "", ""
    except (OSError, ValueError) as e:
        return False, str(e), con.snapshot() if con else ""
    finally:
        if con is not None:
            con.stop()


def run_host_case(argv, timeout, log):
    """Runs a host test program. Returns (ok, its last output line or why not)."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    log.write("\n==== runtest: host case: %s ====\n" % " ".join(argv))
    try:
        p = subprocess.run(argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, "cannot run %s: %s" % (argv[0], e)
    out = p.stdout.decode(errors="replace")
    log.write(out)
    last = out.strip().splitlines()[-1] if out.strip() else "(no output)"
    if p.returncode != 0:
        return False, "exit status %d: %s\n%s" % (p.returncode, last, tail(out))
    return True, last


def parse_args(argv):
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

    names = [c[0] for c in HOST_CASES + CASES + IMAGE_CASES + CRASH_CASES] + [BENCH_SMOKE[0]]
    for n in args.only:
        if n not in names and n != "boot":
            ap.error("unknown case %r (have: %s)" % (n, ", ".join(names)))
    overrides = {}
    for item in args.timeout:
        n, sep, secs = item.partition("=")
        if not sep or n not in names:
            ap.error("bad --timeout %r (want NAME=SECONDS, NAME one of %s)"
                     % (item, ", ".join(names)))
        overrides[n] = float(secs)
    args.overrides = overrides
    return args


def main(argv):
    args = parse_args(argv)
    qemu_argv = shlex.split(args.qemu)
    cases = [c for c in CASES if not args.only or c[0] in args.only]
    passed = failed = 0
    log = open(args.log, "w", encoding="utf-8", errors="replace")
    con = None

    def fail(name, reason, out=None):
        nonlocal failed
        failed += 1
        print("FAIL %s: %s" % (name, reason), flush=True)
        if out:
            print(tail(out), flush=True)

    def start_machine(label):
        """Boot a fresh QEMU; returns (console, failure reason or None)."""
        log.write("\n==== runtest: starting QEMU (%s) ====\n" % label)
        log.flush()
        try:
            c = Console(qemu_argv, log)
        except OSError as e:
            return None, "cannot start QEMU: %s" % e
        return c, boot(c, args.timeout_boot)

    try:
        for name, host_argv, timeout in HOST_CASES:
            if args.only and name not in args.only:
                continue
            t0 = time.monotonic()
            ok, why = run_host_case(host_argv, args.overrides.get(name, timeout), log)
            if ok:
                passed += 1
                print("PASS %s (%.1fs; %s)" % (name, time.monotonic() - t0, why), flush=True)
            else:
                fail(name, why)

        t0 = time.monotonic()
        con, why = start_machine("boot")
        if why:
            fail("boot", why, con.snapshot() if con else None)
            for name, _, _, _ in cases:
                fail(name, "not run: the machine did not boot")
            cases = []
        else:
            passed += 1
            print("PASS boot (%.1fs)" % (time.monotonic() - t0), flush=True)

        for name, command, expects, timeout in cases:
            timeout = args.overrides.get(name, timeout)
            if con is None or not con.alive():
                if con is not None:
                    con.stop()
                con, why = start_machine("before " + name)
                if why:
                    fail(name, "fresh QEMU did not boot: " + why,
                         con.snapshot() if con else None)
                    if con is not None:
                        con.stop()
                    con = None
                    continue
            log.write("\n==== runtest: case %s: %s ====\n" % (name, command))
            log.flush()
            t0 = time.monotonic()
            ok, why, out, usable = run_case(con, command, expects, timeout)
            if ok:
                passed += 1
                print("PASS %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
            else:
                fail(name, why, out)
            if not usable:
                con.stop()
                con = None

        if con is not None:
            con.stop()
            con = None
        images = [c for c in IMAGE_CASES if not args.only or c[0] in args.only]
        for name, blocks, command, expects, timeout in images:
            timeout = args.overrides.get(name, timeout)
            t0 = time.monotonic()
            ok, why, out = run_image_case(name, blocks, command, expects, timeout,
                                          qemu_argv, args.timeout_boot, log)
            if ok:
                passed += 1
                print("PASS %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
            else:
                fail(name, why, out)

        crashes = [c for c in CRASH_CASES if not args.only or c[0] in args.only]
        for name, round_no, timeout in crashes:
            timeout = args.overrides.get(name, timeout)
            t0 = time.monotonic()
            ok, why, out, remark = run_crash_case(
                name, round_no, timeout, qemu_argv, args.timeout_boot, log)
            remark = "; " + remark if remark else ""
            if ok:
                passed += 1
                print("PASS %s (%.1fs%s)" % (name, time.monotonic() - t0, remark),
                      flush=True)
            else:
                fail(name, why + remark, out)
        name, timeout = BENCH_SMOKE
        if args.bench_qemu and (not args.only or name in args.only):
            t0 = time.monotonic()
            ok, why = bench_smoke(args.bench_qemu, args.overrides.get(name, timeout), log)
            if ok:
                passed += 1
                print("PASS %s (%.1fs; %s)" % (name, time.monotonic() - t0, why), flush=True)
            else:
                fail(name, why)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        failed += 1
    finally:
        if con is not None:
            con.stop()
        log.close()

    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
