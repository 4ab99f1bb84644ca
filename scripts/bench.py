#!/usr/bin/python3
"""bench.py -- run pcv6's benchmarks under QEMU and write results/bench.csv.

Usage (the Makefile's `bench` and `bench-quick` targets do this):
    scripts/bench.py --qemu "qemu-system-riscv64 -machine virt ... -drive file=bench.img..."
                     [--quick] [--reps N] [--jobs N] [--out DIR]
                     [--req-us US] [--kib-us US] [--no-smp] [--no-hyperfine]
    scripts/bench.py --qemu "..." --oneshot "bench -p naive -c cold seqread s32"

What runs. The guest program bench/bench.c runs one workload per command
line and prints one "@B key=value ..." line per measurement; this script
types the command lines at the guest shell (through pipes, synchronised on
the prompt, never on a timer: scripts/qemuconsole.py), collects the
lines and writes them as CSV rows. Three kinds of machine:

  icount   -smp 1 -icount shift=0,sleep=off: the measured runs. Every
           workload under both policies, the order of the two policies
           alternating from one repetition to the next, each pair of runs
           in one boot; the policy knob also chooses exec's design (naive:
           exec copies the program). Workloads with one design whatever the
           knob (benchdata.ONE_DESIGN: anonymous memory, fork of a touched
           heap) run once per repetition, their rows marked policy "anon". With --jobs 2 two such machines run side by side,
           each taking the next pair from one queue; under icount a
           guest's clocks count its own instructions, so a neighbour on
           the host cannot change them (it changes only how long we wait).
  smp3     -smp 3 without icount: sharers again, to show concurrency is
           right; its times are host wall-clock and marked noisy.
  oneshot  one boot, one command, then QEMU is stopped: what hyperfine
           times as a host-side cross-check (results/hyperfine.md, .json).

Variants. Beside the kernel's defaults (variant "default"), some
workloads run again under benchdata.VARIANTS: above all "today", the
design before issue 16 recreated in the same boot (fixed fault-around
windows: famax = the base window; `vmctl mega 0`, `vmctl lockless 0`),
and the warm remap under a sweep of famax (variant "famax"). Knobs a
kernel may lack (benchdata.OPTIONAL_KNOBS) are probed at each boot with
vmctl: a unit that needs one the kernel lacks is left out (run.json lists
it), one that merely sets it runs without. Every row carries its variant
and the value of each optional knob in force ("" where there is none).

Clocks (all in every row): time_ns (the guest's time CSR; under icount
virtual time, which jumps ahead while the machine idles waiting for the
disk), cycles and instret (the same virtual clock under icount),
idle_cycles (cycles spent waiting in wfi), cpu_ns = cycles - idle_cycles
(the instructions the guest really executed, at icount's 1 instruction =
1 ns), and model_ns = cpu_ns + REQ_US per disk request + KIB_US per KiB
moved (1 KiB blocks), the cost of a stated device (benchdata.model_ns,
the disk model summary.py and plot.py use too). The constants are in every
row. The window sweep covers every fault-around window the kernel accepts,
and every other run uses the kernel's default windows; both come from
kernel/knobs.h through scripts/benchdata.py.

Failure: a run that prints "bench: FAILED" (wrong data) or no result
line, a timeout, a panic or QEMU dying stops everything with status 1; no
CSV is written, so a wrong answer can never be plotted.
"""

import argparse
import csv
import json
import os
import queue
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from benchdata import (BW_FILE, DIRTY_EVERY, FAMAX_SWEEP, FAULTAROUND_DEFAULT, FAULTAROUND_MAX,
                       FAULTAROUND_SWEEP, FORKEXEC_N, FORKEXEC_PROG, FORKHEAP_MIB,
                       KNOB_PROBE_VALUE, ONE_DESIGN, OPTIONAL_KNOBS, PAGEFAULT_FILE, POLICIES,
                       READAHEAD_DEFAULT, SHARERS, SHELLS, START_PROG, STRIDE_FILE, STRIDES,
                       VARIANTS, model_ns)
from qemuconsole import Console, QemuDied, boot, run_command, tail

ICOUNT = ["-smp", "1", "-icount", "shift=0,sleep=off"]
SMP3 = ["-smp", "3"]
BOOT_TIMEOUT = 300
RUN_TIMEOUT = 900

# The first columns of bench.csv; the rest are the keys the runs print (the
# kstats counter deltas by their vmctl names, then each workload's extras),
# in the order they first appear.
COLUMNS = ["machine", "variant", "workload", "phase", "param", "file", "policy", "state", "fa",
           "ra", "famax"] + list(OPTIONAL_KNOBS) + ["rep", "ok", "time_ns", "cycles", "instret", "idle_cycles", "cpu_ns", "model_ns",
           "req_us", "kib_us", "free0"]


@dataclass
class Unit:
    """Commands that run back to back in one boot (a pair of policies, or
    one cache-only run). weight: a rough cost in seconds, for the estimate
    of what is left. variant: what its rows are (benchdata.VARIANTS, or
    "default", or "famax" for the ceiling sweep); knobs: optional knobs
    (OPTIONAL_KNOBS) set by vmctl before the commands, where the machine
    has them, and put back after; needs: knobs without which the unit is
    left out."""
    label: str
    cmds: list[str]
    weight: float
    variant: str = "default"
    knobs: dict = field(default_factory=dict)
    needs: tuple = ()


# Every run sets its windows explicitly (the kernel's defaults unless the
# window sweep says otherwise): the knobs are global, so a run that left
# them alone would inherit whatever the window sweep set last in that boot.
# famax is adaptive fault-around's ceiling: the default lets sequential
# runs grow their window; the sweep sets it to fa, for fixed windows.
def bench_cmd(policy: str | None, state: str | None, workload: str, *args,
              fa: int = FAULTAROUND_DEFAULT, ra: int = READAHEAD_DEFAULT,
              famax: int = FAULTAROUND_MAX, rep: int = 0) -> str:
    parts = ["bench"]
    if policy:
        parts += ["-p", policy]
    if state:
        parts += ["-c", state]
    parts += ["-f", str(fa), "-m", str(famax), "-a", str(ra)]
    parts += ["-r", str(rep), "-n", "RUN", workload] + [str(a) for a in args]
    return " ".join(parts)


def paired(label: str, rep: int, weight: float, workload: str, *args, state: str = "cold",
           naive: bool = True, variant: str = "default", **kw) -> Unit:
    """Both policies (or cache alone when naive is False), the first one
    alternating with the repetition; under a variant of VARIANTS, its
    ceiling and knobs."""
    order = POLICIES if rep % 2 == 0 else POLICIES[::-1]
    if not naive:
        order = ("cache",)
    knobs, needs = {}, ()
    if variant in VARIANTS:
        v = VARIANTS[variant]
        knobs, needs = v.knobs, v.needs
        if v.famax is not None:
            kw["famax"] = v.famax
        label = f"{label} {variant}"
    cmds = [bench_cmd(p, state, workload, *args, rep=rep, **kw) for p in order]
    return Unit(f"{label} (rep {rep + 1})", cmds, weight * len(cmds), variant, knobs, needs)


def issue16_units(r: int, quick: bool) -> list[Unit]:
    """Issue 16's workloads and its "today" (the design before it, where
    knobs recreate it), repetition r: lat_pagefault's shape, bw_file_rd's
    and bw_mmap_rd's, stride, the famax sweep of the warm remap, and the
    goals' workloads again under the variants."""
    pf, bw, big, mid = ("f4", "f1", "f4", "f4") if quick else (PAGEFAULT_FILE, BW_FILE, "s32",
                                                               STRIDE_FILE)
    units = [paired(f"pagefault {pf}", r, 6, "pagefault", pf, state="warm")]
    units += [paired(f"pagefault {pf}", r, 2, "pagefault", pf, state="warm", naive=False,
                     variant=v) for v in VARIANTS]
    units.append(one_design(f"pagefault {pf} anon", r, 1, "pagefault", pf, "anon"))
    units += [paired(f"bw {how} {bw}", r, 3, "bw", how, bw, state="warm") for how in
              ("read", "mmap")]
    units.append(paired(f"bw mmap {bw}", r, 2, "bw", "mmap", bw, state="warm", naive=False,
                        variant="today"))
    units += [paired(f"stride {k} {mid}", r, 3, "stride", k, mid, naive=False, variant=v)
              for k in STRIDES for v in ("default", "today")]
    units += [paired(f"remap {big}", r, 4, "remap", big, naive=False, variant=v)
              for v in ("today", "nomega")]
    units += [Unit(f"remap {big} warm famax {m} (rep {r + 1})",
                   [bench_cmd("cache", "warm", "remap", big, famax=m, rep=r)], 2, "famax",
                   {"mega": 0}) for m in (FAMAX_SWEEP[::len(FAMAX_SWEEP) - 1] if quick
                                          else FAMAX_SWEEP)]
    if quick:
        return units
    units += [paired("seqread s32", r, 4, "seqread", "s32", naive=False, variant="today"),
              paired("randread s32", r, 4, "randread", "s32", naive=False, variant="today"),
              paired("readvsmap mmap f16 warm", r, 2, "readvsmap", "mmap", "f16", state="warm",
                     naive=False, variant="today")]
    units += [paired("seqread sum s32 warm", r, 3, "seqread", "s32", "sum", state="warm",
                     naive=False, variant=v) for v in ("today", "nomega")]
    return units


def one_design(label: str, rep: int, weight: float, workload: str, *args) -> Unit:
    """A workload with one design whatever the policy (ONE_DESIGN): one run,
    the knob left as it is."""
    return Unit(f"{label} (rep {rep + 1})", [bench_cmd(None, None, workload, *args, rep=rep)],
                weight)


def process_units(r: int, forkexec_n: int, shells: tuple[int, ...], heap_mib: int,
                  scan_file: str) -> list[Unit]:
    """The workloads of processes and anonymous memory, repetition r:
    fork+exec+exit (old exec under the naive policy, new under the cache
    policy), shells, a program started cold and warm, fork of a touched
    heap, and the scan of a fresh anonymous mapping."""
    units = [paired(f"forkexec {forkexec_n} {FORKEXEC_PROG}", r, 4, "forkexec", forkexec_n,
                    FORKEXEC_PROG, state="warm")]
    units += [paired(f"shells {n}", r, 1 + n / 2, "shells", n, state="warm") for n in shells]
    units += [paired(f"start {START_PROG} {st}", r, 1, "start", START_PROG, state=st)
              for st in ("cold", "warm")]
    units.append(one_design(f"forkheap {heap_mib}", r, 2, "forkheap", heap_mib))
    units.append(one_design(f"anonscan {scan_file}", r, 2, "anonscan", scan_file))
    return units


def plan(quick: bool, reps: int) -> list[Unit]:
    """Every unit of the icount machines, repetition by repetition.
    Weights: rough host seconds of a pair on a quiet 2-core host."""
    units = []
    if quick:
        for r in range(reps):
            units += [
                paired("seqread f4", r, 3, "seqread", "f4"),
                paired("seqread sum f4 warm", r, 3, "seqread", "f4", "sum", state="warm"),
                paired("randread f4", r, 3, "randread", "f4"),
                paired("remap f1", r, 2, "remap", "f1"),
                paired("sharers 2 f1", r, 2, "sharers", 2, "f1"),
                paired("dirty 16 d1", r, 2, "dirty", 16, "d1"),
                paired("private f1", r, 2, "private", "f1"),
                paired("readvsmap mmap f1", r, 1, "readvsmap", "mmap", "f1"),
                paired("readvsmap read f1", r, 1, "readvsmap", "read", "f1"),
                paired("seqread f1", r, 1, "seqread", "f1"),
            ]
            units += [paired(f"window {w} fa {fa} ra 0 f4", r, 1.5, w, "f4", fa=fa, ra=0,
                             famax=fa, naive=False)
                      for w in ("seqread", "randread") for fa in (1, FAULTAROUND_DEFAULT)]
            units += [
                Unit(f"memscan f4 (rep {r + 1})", [bench_cmd(None, None, "memscan", "f4",
                                                             rep=r)], 1),
            ]
            units += process_units(r, 20, SHELLS[:2], 4, "f4")
            units += issue16_units(r, quick)
        return units
    for r in range(reps):
        units += [
            paired("seqread s32", r, 16, "seqread", "s32"),
            paired("seqread sum s32", r, 16, "seqread", "s32", "sum"),
            paired("seqread sum s32 warm", r, 30, "seqread", "s32", "sum", state="warm"),
            paired("randread s32", r, 18, "randread", "s32"),
            paired("remap s32", r, 30, "remap", "s32"),
        ]
        units += [paired(f"sharers {n} f16", r, 8 * n, "sharers", n, "f16") for n in SHARERS]
        units += [paired(f"dirty 1/{k} d16", r, 20, "dirty", k, "d16") for k in DIRTY_EVERY]
        units += [
            paired("private f16", r, 8, "private", "f16"),
            paired("private f16 warm", r, 3, "private", "f16", state="warm", naive=False),
            paired("readvsmap read f16", r, 3, "readvsmap", "read", "f16"),
            paired("readvsmap mmap f16", r, 8, "readvsmap", "mmap", "f16"),
            paired("readvsmap read f16 warm", r, 2, "readvsmap", "read", "f16", state="warm",
                   naive=False),
            paired("readvsmap mmap f16 warm", r, 2, "readvsmap", "mmap", "f16", state="warm",
                   naive=False),
        ]
        units += [paired(f"seqread {f}", r, w, "seqread", f)
                  for f, w in (("f1", 1), ("f4", 3), ("f16", 8), ("f64", 32))]
        units.append(paired("randread f4", r, 3, "randread", "f4"))
        for ra in (0, READAHEAD_DEFAULT):
            for fa in FAULTAROUND_SWEEP:
                for w in ("seqread", "randread"):
                    units.append(paired(f"window {w} fa {fa} ra {ra} f4", r, 1.5, w,
                                        "f4", fa=fa, ra=ra, famax=fa, naive=False))
        units.append(Unit(f"memscan s32 (rep {r + 1})",
                          [bench_cmd(None, None, "memscan", "s32", rep=r)], 1))
        units += process_units(r, FORKEXEC_N, SHELLS, FORKHEAP_MIB, "s32")
        units += issue16_units(r, quick)
    return units


def trace_units(quick: bool) -> list[Unit]:
    """Fault maps: one traced run of seqread and randread per policy."""
    f = "f1" if quick else "f4"
    units = []
    for w in ("seqread", "randread"):
        for p in POLICIES:
            cmds = ["vmctl trace on", bench_cmd(p, "cold", w, f), "vmctl trace dump"]
            units.append(Unit(f"trace {w} {p} {f}", cmds, 3))
    return units


def smp_units(quick: bool, reps: int) -> list[Unit]:
    # 1 MiB: without icount a disk request costs about 1 ms of host time,
    # and these runs are for correctness and rough scaling only.
    f = "f1"
    counts = SHARERS[:2] if quick else SHARERS
    units = []
    for r in range(reps):
        units += [paired(f"smp3 sharers {n} {f}", r, 6 * n, "sharers", n, f)
                  for n in counts]
    return units


# ---------------------------------------------------------------- machines

class Failure(Exception):
    pass


class Machine:
    """One booted QEMU at its shell prompt."""

    def __init__(self, qemu_argv: list[str], extra: list[str], name: str, log: IO[str],
                 probe: bool = True):
        self.name = name
        self.con = Console(qemu_argv + extra, log)
        why = boot(self.con, BOOT_TIMEOUT)
        if why:
            self.con.stop()
            raise Failure(f"{name} machine: {why}")
        self.knobs = self.probe_knobs() if probe else {}

    def probe_knobs(self) -> dict[str, int]:
        """The optional knobs this kernel's vmctl knows, each with the value
        it held at boot (its default). The probe sets KNOB_PROBE_VALUE and
        reads the old value from vmctl's "NAME V (was OLD)", then puts the
        old one back. A name vmctl does not know prints its usage."""
        known = {}
        for name in OPTIONAL_KNOBS:
            o = run_command(self.con, f"vmctl {name} {KNOB_PROBE_VALUE}", [], RUN_TIMEOUT)
            if not o.ok:
                raise Failure(f"vmctl {name}: {o.why}\n{tail(o.out)}")
            m = re.search(rf"^{name} {KNOB_PROBE_VALUE} \(was (-?\d+)\)", o.out, re.MULTILINE)
            if not m:
                continue  # usage, or refused: this kernel has no such knob
            known[name] = int(m.group(1))
            if known[name] != KNOB_PROBE_VALUE:
                self.run(f"vmctl {name} {known[name]}")
        return known

    def run(self, command: str, timeout: float = RUN_TIMEOUT) -> str:
        o = run_command(self.con, command, [], timeout)
        if "bench: FAILED" in o.out or "usage:" in o.out:
            raise Failure(f"{command}: {o.out.strip().splitlines()[-2:]}")
        if not o.ok:
            raise Failure(f"{command}: {o.why}\n{tail(o.out)}")
        return o.out

    def stop(self) -> None:
        self.con.stop()


def parse_lines(out: str, machine: str) -> list[dict]:
    rows = []
    for line in out.splitlines():
        if not line.startswith("@B "):
            continue
        row = {"machine": machine}
        for item in line[3:].split():
            k, _, v = item.partition("=")
            row[k] = v
        rows.append(row)
    return rows


def parse_trace(out: str) -> list[tuple[int, str, int, int]]:
    events = []
    for line in out.splitlines():
        m = re.match(r"^(\d+) (minor|major|around|ahead) (\d+) (\d+)$", line)
        if m:
            events.append((int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))))
    return events


class Progress:
    def __init__(self, units: list[Unit], jobs: int, what: str):
        self.total_units = len(units)
        self.total_weight = sum(u.weight for u in units) or 1
        self.done_units = 0
        self.done_weight = 0.0
        self.jobs = jobs
        self.what = what
        self.t0 = time.monotonic()
        self.lock = threading.Lock()

    def step(self, unit: Unit, machine: str) -> None:
        with self.lock:
            self.done_units += 1
            self.done_weight += unit.weight
            el = time.monotonic() - self.t0
            left = el * (self.total_weight - self.done_weight) / max(self.done_weight, 1e-9)
            print(f"[{self.what} {self.done_units}/{self.total_units}] {unit.label:<34} "
                  f"{machine}  elapsed {clock(el)}, about {clock(left)} left", flush=True)


def clock(secs: float) -> str:
    secs = int(secs + 0.5)
    return f"{secs // 60}:{secs % 60:02d}"


def run_units(units: list[Unit], qemu_argv: list[str], extra: list[str], machine_name: str,
              jobs: int, log: IO[str], what: str) -> tuple[list[dict], dict, dict, list, dict]:
    """Runs the units on `jobs` machines pulling from one queue. Returns
    (rows, traces, host seconds per unit label, the labels of units left
    out for want of a knob, each optional knob's default or None where
    the kernel lacks it); raises Failure on the first failed run."""
    todo = queue.Queue()
    for u in units:
        todo.put(u)
    rows, traces, errors = [], {}, []
    skipped: set[str] = set()  # units left out: the kernel lacks a knob they need
    knobs_seen: dict = {}      # optional knob -> its default, or None: unknown
    seconds = {}  # unit label without its repetition -> host seconds, summed
    lock = threading.Lock()
    progress = Progress(units, jobs, what)
    run_no = [0]

    def worker(idx: int) -> None:
        name = f"{machine_name}#{idx + 1}" if jobs > 1 else machine_name
        try:
            m = Machine(qemu_argv, extra, name, log)
        except Failure as e:
            errors.append(str(e))
            return
        try:
            while not errors:
                try:
                    u = todo.get_nowait()
                except queue.Empty:
                    return
                t_unit = time.monotonic()
                if any(k not in m.knobs for k in u.needs):
                    with lock:
                        skipped.add(re.sub(r" \(rep \d+\)$", "", u.label))
                    progress.step(u, name)
                    continue
                setting = {k: v for k, v in u.knobs.items() if k in m.knobs}
                for k, v in setting.items():
                    m.run(f"vmctl {k} {v}")
                in_force = {k: setting.get(k, m.knobs.get(k, "")) for k in OPTIONAL_KNOBS}
                with lock:
                    knobs_seen.update({k: m.knobs.get(k) for k in OPTIONAL_KNOBS})
                for cmd in u.cmds:
                    with lock:
                        run_no[0] += 1
                        n = run_no[0]
                    out = m.run(cmd.replace("-n RUN", f"-n {n}"))
                    got = parse_lines(out, machine_name)
                    for row in got:
                        row["variant"] = u.variant
                        row.update(in_force)
                    if cmd.startswith("bench") and not got:
                        # e.g. a run that failed while its output went to a pipe
                        raise Failure(f"{cmd}: printed no result\n{tail(out)}")
                    if cmd.startswith("vmctl trace dump"):
                        with lock:
                            traces[u.label] = (u.cmds[1].replace(" -n RUN", ""),
                                               parse_trace(out))
                    with lock:
                        rows.extend(got)
                for k in setting:
                    m.run(f"vmctl {k} {m.knobs[k]}")
                progress.step(u, name)
                key = re.sub(r" \(rep \d+\)$", "", u.label)
                with lock:
                    seconds[key] = seconds.get(key, 0.0) + time.monotonic() - t_unit
        except (Failure, QemuDied) as e:
            errors.append(str(e) or "QEMU died")
        finally:
            m.stop()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise Failure(errors[0])
    return rows, traces, seconds, sorted(skipped), knobs_seen


# ---------------------------------------------------------------- output

def derive(rows: list[dict], req_us: float, kib_us: float) -> None:
    for r in rows:
        r["req_us"], r["kib_us"] = req_us, kib_us
        if r["machine"] != "icount":
            # Without icount the cycle counter follows the host and the idle
            # time is summed over three harts: no CPU time can be derived.
            r["cpu_ns"] = r["model_ns"] = ""
            continue
        cycles, idle = int(r["cycles"]), int(r["idle_cycles"])
        reqs = int(r["disk_read_reqs"]) + int(r["disk_write_reqs"])
        kib = int(r["disk_read_blocks"]) + int(r["disk_write_blocks"])  # 1 KiB blocks
        r["cpu_ns"] = cycles - idle
        r["model_ns"] = int(model_ns(cycles - idle, reqs, kib, req_us, kib_us))
        if r["workload"] in ONE_DESIGN or f"{r['workload']}/{r['phase']}" in ONE_DESIGN:
            r["policy"] = "anon"  # one design whatever the policy knob says


def write_csv(path: Path, rows: list[dict]) -> None:
    cols = dict.fromkeys(COLUMNS)
    for r in rows:
        cols.update(dict.fromkeys(k for k in r if k not in cols))
    seen = list(cols)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=seen, restval="")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    tmp.replace(path)


def workload_events(events: list[tuple[int, str, int, int]]) -> list[tuple[int, str, int, int]]:
    """The events of the file the workload read: the inode with the most
    events. The trace is system-wide, and exec maps programs from the page
    cache, so bench and vmctl fault their own text in while it records."""
    counts = Counter(inum for _, _, inum, _ in events)
    if not counts:
        return events
    data = counts.most_common(1)[0][0]
    return [e for e in events if e[2] == data]


def write_traces(outdir: Path, traces: dict) -> None:
    for label, (cmd, events) in traces.items():
        events = workload_events(events)
        parts = label.split()  # "trace seqread cache f4"
        with (outdir / f"trace-{parts[1]}-{parts[2]}.csv").open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["seq", "kind", "inum", "pgno", "command"])
            for seq, kind, inum, pgno in events:
                w.writerow([seq, kind, inum, pgno, cmd])


def hyperfine(args: argparse.Namespace, outdir: Path) -> None:
    """Whole QEMU runs of a cold seqread under each policy, timed on the host."""
    exe = shutil.which("hyperfine")
    if not exe:
        raise Failure("hyperfine is not installed (scripts/install-deps.sh hyperfine)")
    me = Path(__file__).resolve()
    f = "f4" if args.quick else "s32"
    cmds = []
    for p in POLICIES:
        inner = f"bench -p {p} -c cold seqread {f}"
        cmds += ["-n", f"{p}: boot, {inner}, stop",
                 f"{sys.executable} {shlex.quote(str(me))} --qemu {shlex.quote(args.qemu)} "
                 f"--oneshot {shlex.quote(inner)}"]
    runs = "2" if args.quick else "3"
    argv = [exe, "--warmup", "1", "--runs", runs, "--style", "basic",
            "--export-json", str(outdir / "hyperfine.json"),
            "--export-markdown", str(outdir / "hyperfine.md")] + cmds
    print(f"hyperfine: {int(runs)} runs of each policy (and 1 warm-up)", flush=True)
    if subprocess.call(argv) != 0:
        raise Failure("hyperfine failed")
    with (outdir / "hyperfine.md").open("a") as fmd:
        fmd.write(f"\nHost wall-clock time of whole QEMU runs (boot, one cold `seqread` of "
                  f"`{f}` as the only command, QEMU stopped), {runs} runs each after 1 warm-up, "
                  "`-smp 1 -icount shift=0,sleep=off` as in the measured runs. A cross-check "
                  "only: it includes the boot, and the host is shared.\n")


def oneshot(args: argparse.Namespace) -> int:
    log = open(os.devnull, "w")
    m = Machine(shlex.split(args.qemu), ICOUNT, "oneshot", log, probe=False)
    try:
        out = m.run(args.oneshot)
        if not parse_lines(out, "oneshot"):
            raise Failure(f"{args.oneshot} printed no result")
    finally:
        m.stop()
    return 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Run pcv6's benchmarks under QEMU.")
    ap.add_argument("--qemu", required=True,
                    help="QEMU command line without -smp or -icount (bench.img as the disk)")
    ap.add_argument("--quick", action="store_true", help="the small development version")
    ap.add_argument("--reps", type=int, help="repetitions (default 3, quick 1)")
    ap.add_argument("--smp-reps", type=int, help="repetitions at -smp 3 (default 3, quick 1)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="icount machines side by side (default: 2, or 1 on one core)")
    ap.add_argument("--out", default="results", type=Path,
                    help="output directory (default results)")
    ap.add_argument("--req-us", type=float, default=80.0,
                    help="modelled disk cost per request, microseconds (default 80)")
    ap.add_argument("--kib-us", type=float, default=4.0,
                    help="modelled disk cost per KiB moved, microseconds (default 4)")
    ap.add_argument("--no-smp", action="store_true", help="skip the -smp 3 sharers runs")
    ap.add_argument("--no-hyperfine", action="store_true", help="skip the hyperfine runs")
    ap.add_argument("--log", default="bench.log", help="console log (default bench.log)")
    ap.add_argument("--oneshot", metavar="COMMAND",
                    help="boot, run one command, stop (what hyperfine times)")
    args = ap.parse_args(argv)
    if args.reps is None:
        args.reps = 1 if args.quick else 3
    if args.smp_reps is None:
        args.smp_reps = 1 if args.quick else 3
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.oneshot:
        try:
            return oneshot(args)
        except (Failure, QemuDied) as e:
            print(f"bench: {e}", file=sys.stderr)
            return 1
    args.out.mkdir(parents=True, exist_ok=True)
    qemu = shlex.split(args.qemu)
    log = Path(args.log).open("w", encoding="utf-8", errors="replace")
    t0 = time.monotonic()
    timing = {}
    try:
        units = plan(args.quick, args.reps) + trace_units(args.quick)
        runs = sum(len([c for c in u.cmds if c.startswith("bench")]) for u in units)
        print(f"bench: {runs} runs on {args.jobs} icount machine(s), {args.reps} repetitions; "
              f"console in {args.log}", flush=True)
        rows, traces, unit_secs, skipped, knobs = run_units(units, qemu, ICOUNT, "icount",
                                                            args.jobs, log, "icount")
        if skipped:
            lack = [k for k, v in knobs.items() if v is None]
            print(f"bench: this kernel has no {' or '.join(lack)} knob; left out: "
                  f"{', '.join(skipped)}", flush=True)
        timing["icount"] = time.monotonic() - t0
        if not args.no_smp:
            t1 = time.monotonic()
            smp_rows, _, smp_secs, _, _ = run_units(smp_units(args.quick, args.smp_reps), qemu,
                                                    SMP3, "smp3", 1, log, "smp3")
            rows += smp_rows
            unit_secs.update(smp_secs)
            timing["smp3"] = time.monotonic() - t1
        derive(rows, args.req_us, args.kib_us)
        write_csv(args.out / "bench.csv", rows)
        write_traces(args.out, traces)
        if not args.no_hyperfine:
            t1 = time.monotonic()
            hyperfine(args, args.out)
            timing["hyperfine"] = time.monotonic() - t1
    except (Failure, QemuDied) as e:
        print(f"bench: FAILED: {e or 'QEMU died'}", flush=True)
        return 1
    finally:
        log.close()
    timing["total"] = time.monotonic() - t0
    with (args.out / "run.json").open("w") as f:
        json.dump({"quick": args.quick, "reps": args.reps, "smp_reps": args.smp_reps,
                   "jobs": args.jobs, "req_us": args.req_us, "kib_us": args.kib_us,
                   "qemu": args.qemu, "seconds": {k: round(v, 1) for k, v in timing.items()},
                   "host_cpus": os.cpu_count(),
                   "optional_knobs": knobs, "left_out": skipped,
                   "unit_seconds": {k: round(v, 1) for k, v in
                                    sorted(unit_secs.items(), key=lambda kv: -kv[1])},
                   "date": time.strftime("%Y-%m-%d %H:%M %Z")}, f, indent=1)
        f.write("\n")
    print(f"bench: {len(rows)} rows in {args.out / 'bench.csv'} ({clock(timing['total'])})",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
