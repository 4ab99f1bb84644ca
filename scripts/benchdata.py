"""benchdata.py -- what the benchmark scripts share (bench.py, summary.py,
plot.py, and runtest.py's bench-quick check).

Interface:
  WINDOW_MAX, FAULTAROUND_DEFAULT, READAHEAD_DEFAULT, FAULTAROUND_MAX
                   the window limit, the default fault-around and
                   read-ahead windows and adaptive fault-around's
                   ceiling, in pages, read from kernel/knobs.h
                   (their one home: the kernel and these scripts cannot
                   disagree)
  FAULTAROUND_SWEEP  every fault-around window the kernel accepts
  POLICIES         the two mapping designs, in the order runs pair them
  SHARERS, DIRTY_EVERY, SIZE_FILES, SHELLS
                   the sweeps of the full run (bench.py runs them,
                   summary.py tables them)
  FORKEXEC_N, FORKEXEC_PROG, START_PROG, FORKHEAP_MIB
                   the workloads of processes: how many fork+exec+exit of
                   which program, the program started cold and warm, the
                   heap forked (MiB)
  ONE_DESIGN       workloads that have one design whatever the policy knob
                   says (anonymous memory, copy-on-write fork): their rows
                   carry policy "anon"
  OPTIONAL_KNOBS   vmctl names of knobs a kernel may lack (megapages, the
                   lock-free hit path): a run probes each at boot and leaves
                   out the variants that need one it does not know; each
                   row has a column per knob with the value in force ("":
                   no such knob)
  Variant, VARIANTS  the settings the runs of a workload are repeated
                   under, beside the kernel's defaults ("default"): above
                   all "today", the design before issue 16 where knobs can
                   recreate it; every row says its variant
  FAMAX_SWEEP      the ceilings of adaptive fault-around the warm remap runs
                   under (megapages off): faults against the window
  PAGEFAULT_FILE, BW_FILE, STRIDES
                   the file of lat_pagefault's shape, of the bw_file_rd and
                   bw_mmap_rd shapes, and stride's distances in pages
  FAULT_SLEEPLOCKS the counter of sleep locks taken on the fault path
  EXEC_MAPPED      the counter of program pages mapped from the page cache,
                   in the rows of a kernel that keeps one (none of its rows
                   has the column otherwise)
  exec_mapped_any(rows)
                   whether any row mapped a page of a program from the cache
  Workload, WORKLOADS, COLD_SEQ, RANDREAD
                   the cases of the full run's tables and plots: a label,
                   the CSV columns that select the case's rows, and its
                   label on the per-workload plots
  read_csv(path)   every row of a bench.csv; load(path) only the rows of
                   runs that passed their data checks (ok = 1)
  model_ns(...)    the disk model: modelled time of one run
  add_model(rows, req_us, kib_us)
                   adds disk_reqs, disk_blocks and model_ns to each row
  select(rows, machine="icount", variant="default", **columns)
                   the rows of that variant (None: any) whose columns have
                   these values
  knob_known(rows, name)  whether the rows' kernel has that optional knob
  Stat, stat(rows, metric, scale)
                   median, min and max of a metric over the repetitions

Nothing here runs QEMU or draws; Python 3 standard library only.
"""

import csv
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOBS_H = ROOT / "kernel" / "knobs.h"

_DEFINE_RE = re.compile(r"^#define\s+(\w+)\s+(\d+)\b", re.MULTILINE)


def header_numbers(path: Path, names: tuple[str, ...]) -> dict[str, int]:
    """The values of the `#define NAME number` lines of a C header for the
    given names; raises ValueError if one is missing."""
    found = {m.group(1): int(m.group(2)) for m in _DEFINE_RE.finditer(path.read_text())}
    missing = [n for n in names if n not in found]
    if missing:
        raise ValueError(f"{path}: no #define for {', '.join(missing)}")
    return {n: found[n] for n in names}


_WINDOWS = header_numbers(KNOBS_H, ("WINDOW_MAX", "FAULTAROUND_DEFAULT", "READAHEAD_DEFAULT",
                                    "FAULTAROUND_MAX"))
WINDOW_MAX: int = _WINDOWS["WINDOW_MAX"]
FAULTAROUND_DEFAULT: int = _WINDOWS["FAULTAROUND_DEFAULT"]
FAULTAROUND_MAX: int = _WINDOWS["FAULTAROUND_MAX"]  # adaptive fault-around's ceiling
READAHEAD_DEFAULT: int = _WINDOWS["READAHEAD_DEFAULT"]
# The fault-around knob takes a power of two from 1 to WINDOW_MAX.
FAULTAROUND_SWEEP: tuple[int, ...] = tuple(1 << i for i in range(WINDOW_MAX.bit_length()))

POLICIES = ("naive", "cache")

# Sweeps of the full run: processes sharing one file, one page in k
# dirtied, and the seqread file sizes (data file name, MiB).
SHARERS = (1, 2, 4, 8)
DIRTY_EVERY = (64, 16, 4, 1)
SIZE_FILES = (("f1", 1), ("f4", 4), ("f16", 16), ("s32", 32), ("f64", 64))
SHELLS = (1, 2, 4, 8)

# Processes. exec follows the policy knob (naive: exec copies the program,
# as it always did; cache: exec may map it from the page cache), so these
# run under both; fork is copy-on-write under both, and anonymous memory
# always takes the cache's path.
FORKEXEC_N = 100
FORKEXEC_PROG = "hello"    # bench/hello.c: a few pages
START_PROG = "bigtext"     # bench/bigtext.c: larger than the buffer cache
FORKHEAP_MIB = 16
ONE_DESIGN = ("memscan", "anonscan", "forkheap", "pagefault/anon")
EXEC_MAPPED = "exec_mapped"
FAULT_SLEEPLOCKS = "fault_sleeplocks"

# Issue 16's workloads: lat_pagefault's shape over a warm 16 MiB file (8
# megapages' worth), bw_file_rd and bw_mmap_rd over a warm 16 MiB file,
# stride over a cold one.
PAGEFAULT_FILE = "f16"
BW_FILE = "f16"
STRIDE_FILE = "f16"
STRIDES = (4, 32)  # inside one base window, and past it

# Knobs a kernel may not have (yet): their vmctl names. The probe turns each
# on (1) and reads back what it held, which is then the default put back.
OPTIONAL_KNOBS = ("mega", "lockless")
KNOB_PROBE_VALUE = 1


@dataclass(frozen=True)
class Variant:
    """Settings a run is repeated under. famax: adaptive fault-around's
    ceiling (None: the default); knobs: optional knobs to set where the
    kernel has them; needs: knobs without which the variant means nothing
    (the run is left out); text: what it is, for the summary."""
    name: str
    famax: int | None
    knobs: dict
    needs: tuple
    text: str


VARIANTS = {
    "today": Variant("today", FAULTAROUND_DEFAULT, {"mega": 0, "lockless": 0}, (),
                     "before issue 16, recreated in the same boot by knobs: fixed "
                     f"fault-around windows (`famax` = the base window, {FAULTAROUND_DEFAULT}), "
                     "megapages off (`mega 0`) and every fault under the inode's sleep lock "
                     "(`lockless 0`), each where this kernel has the knob"),
    "nomega": Variant("nomega", None, {"mega": 0}, ("mega",),
                      "the kernel's defaults but megapages off (`mega 0`)"),
    "locked": Variant("locked", None, {"lockless": 0}, ("lockless",),
                      "the kernel's defaults but every fault under the inode's sleep lock "
                      "(`lockless 0`)"),
}
# The famax sweep's rows: variant "famax", megapages off.
FAMAX_SWEEP: tuple[int, ...] = tuple(FAULTAROUND_DEFAULT << i for i in range(
    (FAULTAROUND_MAX // FAULTAROUND_DEFAULT).bit_length()))


# ---------------------------------------------------------------- the cases

@dataclass(frozen=True)
class Workload:
    """One case of the full run's tables: label (summary.md), sel (the CSV
    columns and values that select its rows) and plot (its label on the
    per-workload plots, or None when it is not drawn there)."""
    label: str
    sel: dict
    plot: str | None = None


# The two 32 MiB cold runs most goals are about, at the default windows
# (every run but the window sweep's uses them; bench.py sets them explicitly).
COLD_SEQ = dict(workload="seqread", phase="touch", file="s32", state="cold",
                fa=FAULTAROUND_DEFAULT, ra=READAHEAD_DEFAULT)
RANDREAD = dict(workload="randread", file="s32", state="cold", fa=FAULTAROUND_DEFAULT,
                ra=READAHEAD_DEFAULT)


def _workloads() -> list[Workload]:
    w = [
        Workload("seqread 32 MiB, cold (load per page)", COLD_SEQ, "seqread\ncold"),
        Workload("seqread 32 MiB, cold (byte-sum)", dict(COLD_SEQ, phase="sum"),
                 "seqread sum\ncold"),
        Workload("seqread 32 MiB, warm (byte-sum)", dict(COLD_SEQ, phase="sum", state="warm"),
                 "seqread sum\nwarm"),
        Workload("randread 32 MiB, cold", RANDREAD, "randread\ncold"),
        Workload("remap 32 MiB, first pass (cold)",
                 dict(workload="remap", phase="first", file="s32"), "remap\n1st pass"),
        Workload("remap 32 MiB, second pass (warm)",
                 dict(workload="remap", phase="second", file="s32"), "remap\n2nd pass"),
    ]
    w += [Workload(f"sharers {n} x 16 MiB, cold",
                   dict(workload="sharers", param=n, file="f16", state="cold"),
                   "sharers\n8, cold" if n == 8 else None) for n in SHARERS]
    w += [Workload(f"dirty 1 in {k} of 16 MiB, cold",
                   dict(workload="dirty", param=k, file="d16", state="cold"),
                   "dirty\n1 in 16" if k == 16 else None) for k in DIRTY_EVERY]
    w += [
        Workload("private 16 MiB, cold", dict(workload="private", file="f16", state="cold"),
                 "private\ncold"),
        Workload("private 16 MiB, warm", dict(workload="private", file="f16", state="warm")),
        Workload("readvsmap read() 16 MiB, cold",
                 dict(workload="readvsmap", phase="read", file="f16", state="cold"),
                 "read()\ncold"),
        Workload("readvsmap mmap 16 MiB, cold",
                 dict(workload="readvsmap", phase="mmap", file="f16", state="cold"),
                 "mmap sum\ncold"),
        Workload("readvsmap read() 16 MiB, warm",
                 dict(workload="readvsmap", phase="read", file="f16", state="warm")),
        Workload("readvsmap mmap 16 MiB, warm",
                 dict(workload="readvsmap", phase="mmap", file="f16", state="warm")),
    ]
    w += [Workload(f"size sweep: seqread {mib} MiB, cold", dict(COLD_SEQ, file=f))
          for f, mib in SIZE_FILES]
    w.append(Workload("memscan 32 MiB (anonymous memory)",
                      dict(workload="memscan", file="s32"), "memscan"))
    w.append(Workload("anonscan 32 MiB (anonymous mapping, first touch)",
                      dict(workload="anonscan", file="s32"), "anonscan"))
    w.append(Workload(f"fork+exec+exit of {FORKEXEC_PROG} x{FORKEXEC_N}, warm",
                      dict(workload="forkexec", param=FORKEXEC_N, file=FORKEXEC_PROG,
                           state="warm"), f"fork+exec\nx{FORKEXEC_N}"))
    w += [Workload(f"start {START_PROG}, {st}",
                   dict(workload="start", file=START_PROG, state=st), f"start\n{st}")
          for st in ("cold", "warm")]
    w += [Workload(f"fork of a {FORKHEAP_MIB} MiB touched heap: {what}",
                   dict(workload="forkheap", phase=ph, param=FORKHEAP_MIB))
          for ph, what in (("fork", "the fork"), ("store", "then a store to every heap page"))]
    w += [Workload(f"shells {n}, warm", dict(workload="shells", param=n, state="warm"))
          for n in SHELLS]
    mib = {f: m for f, m in SIZE_FILES}
    w.append(Workload(f"lat_pagefault {mib[PAGEFAULT_FILE]} MiB, warm (the loads alone)",
                      dict(workload="pagefault", phase="file", file=PAGEFAULT_FILE,
                           state="warm")))
    w.append(Workload(f"lat_pagefault {mib[PAGEFAULT_FILE]} MiB, anonymous memory",
                      dict(workload="pagefault", phase="anon", file=PAGEFAULT_FILE)))
    w += [Workload(f"{name} {mib[BW_FILE]} MiB, warm (open to close)",
                   dict(workload="bw", phase=how, file=BW_FILE, state="warm"))
          for how, name in (("read", "bw_file_rd"), ("mmap", "bw_mmap_rd"))]
    w += [Workload(f"stride {k} of {mib[STRIDE_FILE]} MiB, cold",
                   dict(workload="stride", param=k, file=STRIDE_FILE, state="cold"))
          for k in STRIDES]
    return w


WORKLOADS: list[Workload] = _workloads()


# ---------------------------------------------------------------- rows

def read_csv(path: Path) -> list[dict]:
    """Every row of a bench.csv, as text."""
    with Path(path).open(newline="") as f:
        return list(csv.DictReader(f))


def load(path: Path) -> list[dict]:
    """The rows of runs whose data checks passed."""
    return [r for r in read_csv(path) if r.get("ok") == "1"]


def exec_mapped_any(rows: list[dict]) -> bool:
    """Whether exec (or a fault in a program it mapped) took a page of a
    program from the page cache in any of these rows: never, where the
    kernel's exec copies every program (and has no EXEC_MAPPED counter)."""
    return any((num(r.get(EXEC_MAPPED)) or 0) > 0 for r in rows)


def num(v) -> float | None:
    """v as a number, or None when it is empty or not a number."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def model_ns(cpu_ns, reqs, kib, req_us, kib_us):
    """The disk model: guest CPU time plus req_us microseconds per disk
    request and kib_us per KiB moved, each request charged after the one
    before (no overlap)."""
    return cpu_ns + reqs * req_us * 1000 + kib * kib_us * 1000


def add_model(rows: list[dict], req_us: float | None, kib_us: float | None) -> None:
    """Adds to each row disk_reqs and disk_blocks (reads plus writes; 1 KiB
    blocks), model_ns (None for a row without CPU time: the -smp 3 rows,
    measured without icount) and the constants it used, _req_us and
    _kib_us: req_us and kib_us, or when None the row's own."""
    for r in rows:
        ru = req_us if req_us is not None else float(r["req_us"])
        ku = kib_us if kib_us is not None else float(r["kib_us"])
        reqs = int(r["disk_read_reqs"]) + int(r["disk_write_reqs"])
        kib = int(r["disk_read_blocks"]) + int(r["disk_write_blocks"])
        cpu = num(r["cpu_ns"])
        r["disk_reqs"], r["disk_blocks"] = reqs, kib
        r["model_ns"] = None if cpu is None else model_ns(cpu, reqs, kib, ru, ku)
        r["_req_us"], r["_kib_us"] = ru, ku


def select(rows: list[dict], machine: str = "icount", variant: str | None = "default",
           **want) -> list[dict]:
    """The rows of this machine and variant (None: any; a row of a CSV
    without the column is "default") whose columns hold the wanted values
    (compared as text, so param=8 matches "8")."""
    return [r for r in rows if r["machine"] == machine and
            (variant is None or (r.get("variant") or "default") == variant) and
            all(str(r.get(k)) == str(v) for k, v in want.items())]


def knob_known(rows: list[dict], name: str) -> bool:
    """Whether the kernel these rows were measured on has the optional
    knob `name` (its column holds a value)."""
    return any(r.get(name) not in (None, "") for r in rows)


@dataclass
class Stat:
    """Median, min and max of one metric over the repetitions of a case;
    all None when no row has a value."""
    values: list[float]
    med: float | None
    lo: float | None
    hi: float | None

    @property
    def n(self) -> int:
        return len(self.values)


def stat(rows: list[dict], metric: str, scale: float = 1.0) -> Stat:
    """The metric (divided by scale) over the rows that have it."""
    vals = [v / scale for v in (num(r.get(metric)) for r in rows) if v is not None]
    if not vals:
        return Stat(vals, None, None, None)
    return Stat(vals, statistics.median(vals), min(vals), max(vals))
