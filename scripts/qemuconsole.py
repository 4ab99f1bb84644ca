"""qemuconsole.py -- drive a pcv6 machine's shell through QEMU's console.

Used by runtest.py (the test cases) and bench.py (the benchmark runs).

Interface:
  Console(argv, log)   start QEMU (argv) with its console on our pipes;
                       everything it prints goes to log as well
  boot(con, timeout)   wait for the first shell prompt
  run_command(con, command, expects, timeout) -> Outcome
                       type one command line at the prompt, wait for the
                       next prompt, check the output against regexes
  body_of(out, command)  a command's output without the echo of its line
  tail(text)           the last console lines, for a failure report
  QemuDied             raised when QEMU's output ends while we wait on it

How it works. A reader thread appends everything QEMU prints to one text
buffer (with "\r" removed) and wakes whoever waits on the condition
variable that guards it. Callers never sleep to synchronise: they wait
until a check over the text printed since a mark (Console.mark) answers,
or a deadline passes. The kernel echoes what we type, so the first line
after a mark is usually the command itself; body_of drops it so that a
command's own text can never satisfy an expectation. A command is over
when its output ends with the prompt "$ " (the shell then blocks reading,
so nothing follows it).

Why our own module and not pexpect (Debian's python3-pexpect). pexpect
matches a pattern against a buffer it consumes as matches succeed; our
checks are predicates over everything printed since a mark -- "panic"
anywhere, the prompt only after the echoed command line, the kernel's
crash-point line read back after QEMU has exited -- and the crash tests
read one machine's whole output after it is gone. That is a shared text
buffer and a condition variable, which is all this module is; pexpect's
pipe mode (PopenSpawn) is itself pipes plus a reader thread, and its pty
mode would put a terminal line discipline between us and QEMU. So the
test target needs no extra package for it.
"""

import codecs
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TypeVar

PROMPT = "$ "
PANIC_RE = re.compile(r"panic")
NOTABLE_RE = re.compile(r"FAILED|panic")
TAIL_LINES = 40

T = TypeVar("T")


class QemuDied(Exception):
    pass


class Console:
    """One running QEMU and everything it has printed so far."""

    def __init__(self, argv: list[str], log: IO[str]):
        self.log = log
        self.cond = threading.Condition()
        self.text = ""      # all output, "\r" removed; guarded by cond
        self.eof = False    # QEMU closed its output; guarded by cond
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()

    def _read_loop(self) -> None:
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

    def wait(self, check: Callable[[str], T | None], deadline: float) -> T | None:
        """Call check(text) each time output arrives until it returns
        something other than None, and return that. Returns None at the
        deadline (a time.monotonic() value); raises QemuDied if QEMU's
        output ended first."""
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

    def settle(self, quiet: float = 0.5, limit: float = 3.0) -> None:
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

    def snapshot(self, start: int = 0) -> str:
        with self.cond:
            return self.text[start:]

    def mark(self) -> int:
        with self.cond:
            return len(self.text)

    def send(self, line: str) -> None:
        try:
            self.proc.stdin.write(line.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise QemuDied()

    def crash(self) -> None:
        """Kill QEMU at once (SIGKILL): whatever the guest had not yet
        written to the disk image is lost, as in a power failure."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def alive(self) -> bool:
        return self.proc.poll() is None and not self.eof

    def stop(self) -> None:
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

    def status(self) -> str:
        """What to report when QEMU has gone: its exit status if it has one."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        return "QEMU exited" + ("" if code is None else f" (status {code})")


def tail(text: str, n: int = TAIL_LINES) -> str:
    """The last n console lines, preceded by any earlier lines that report
    a failure (a long run can scroll those out of the tail)."""
    lines = text.rstrip("\n").split("\n")
    early = [l for l in lines[:-n] if NOTABLE_RE.search(l)]
    shown = []
    if early:
        shown = ["    | " + l for l in early] + ["    | ..."]
    return "\n".join(shown + ["    | " + line for line in lines[-n:]])


def boot(con: Console, timeout: float) -> str | None:
    """Wait for the first shell prompt. Returns None or a failure reason."""
    deadline = time.monotonic() + timeout
    try:
        got = con.wait(lambda t: "panic" if PANIC_RE.search(t)
                       else ("prompt" if PROMPT in t else None), deadline)
    except QemuDied:
        return con.status()
    if got is None:
        return f"no shell prompt within {int(timeout)}s"
    if got == "panic":
        con.settle()
        return "kernel panic during boot"
    return None


def body_of(out: str, command: str) -> str | None:
    """Split a case's raw output into the command's output proper: drop the
    echoed command line when the first line is that echo. Returns None until
    the first line is complete."""
    nl = out.find("\n")
    if nl < 0:
        return None
    if command.strip() and command.strip() in out[:nl]:
        return out[nl + 1:]
    return out


@dataclass
class Outcome:
    """What one command line did. out: everything printed from the moment
    it was sent (its echo included); usable: the machine is back at its
    prompt and can take the next command."""
    ok: bool
    why: str
    out: str
    usable: bool


def send_and_watch(con: Console, command: str, deadline: float,
                   hit: re.Pattern[str] | None = None,
                   bad: re.Pattern[str] = PANIC_RE) -> str | None:
    """Send one command line at the prompt and watch its output until the
    first of: bad matches it ("bad"), hit matches it ("hit"), the command
    is back at the prompt ("exited"). None if the deadline came first.
    QemuDied (the machine stopped) is the caller's to catch."""
    start = con.mark()

    def check(text: str) -> str | None:
        out = text[start:]
        if bad.search(out):
            return "bad"
        if hit is not None and hit.search(out):
            return "hit"
        body = body_of(out, command)
        if body is not None and body.endswith(PROMPT):
            return "exited"
        return None

    con.send(command + "\n")
    return con.wait(check, deadline)


def run_command(con: Console, command: str, expects: list[str], timeout: float) -> Outcome:
    """Run one command line on a booted machine at its prompt. It succeeds
    if the next prompt comes within timeout seconds, nothing panicked and
    every regex of expects (re.MULTILINE) is found in its output."""
    start = con.mark()
    patterns = [re.compile(e, re.MULTILINE) for e in expects]
    try:
        got = send_and_watch(con, command, time.monotonic() + timeout)
    except QemuDied:
        return Outcome(False, con.status(), con.snapshot(start), False)

    if got == "bad":
        con.settle()
        out = con.snapshot(start)
        line = next((l for l in out.split("\n") if PANIC_RE.search(l)), "")
        return Outcome(False, "kernel panic: " + line.strip(), out, False)

    out = con.snapshot(start)
    body = body_of(out, command) or ""
    missing = ", ".join(repr(p.pattern) for p in patterns if not p.search(body))
    if got is None:
        why = f"timeout after {int(timeout)}s"
        if missing:
            why += f" (still missing {missing})"
        return Outcome(False, why, out, False)
    if missing:
        return Outcome(False, "missing " + missing, out, True)
    return Outcome(True, "", out, True)
