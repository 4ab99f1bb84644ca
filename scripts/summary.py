#!/usr/bin/python3
"""summary.py -- turn results/bench.csv into results/summary.md.

Usage: scripts/summary.py [DIR] [--req-us US] [--kib-us US] [--readme README.md]

Reads DIR/bench.csv (default results/), DIR/run.json if present, and
writes DIR/summary.md: per workload and policy the median with min-max of
every repetition, the ratio cache/naive (cache divided by naive: below 1
means the page cache did better), and each goal of the benchmark with
"met" or "not met", the numbers behind it, and the same measure "today"
(before issue 16: the rows of the variant "today", benchdata.VARIANTS, or
a quoted figure of round 1 where no knob recreates the old design); then
the tables of lat_pagefault's, bw_file_rd's and bw_mmap_rd's shapes, the
goals' workloads now and today, and the sweep of fault-around's ceiling. Every number comes from the
CSV; nothing is typed in by hand, so the summary cannot drift from the data.

The modelled time is recomputed here from each row's guest CPU time and
disk counters with --req-us / --kib-us (defaults: the constants the rows
were measured with), so a different device can be modelled without
re-running anything. The cases, the disk model, row selection and the
statistics are scripts/benchdata.py's, shared with plot.py.

With --readme FILE it also replaces the lines between the markers
"<!-- bench-goals:begin -->" and "<!-- bench-goals:end -->" in FILE with the
goals table, so the README's copy cannot drift from the data either.
"""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from benchdata import (COLD_SEQ, EXEC_MAPPED, FAULT_SLEEPLOCKS, FAULTAROUND_DEFAULT,
                       FORKHEAP_MIB, PAGEFAULT_FILE, POLICIES, RANDREAD, READAHEAD_DEFAULT,
                       START_PROG, STRIDE_FILE, STRIDES, VARIANTS, WORKLOADS, Stat, add_model,
                       exec_mapped_any, knob_known, load, num, select, stat)

Case = tuple[str, dict, list[dict]]  # (label, selection, the rows it selects)


def ms(ns: float | None) -> str:
    return "-" if ns is None else fmt(ns / 1e6)


def fmt(x: float | None) -> str:
    if x is None:
        return "-"
    if x == int(x) and abs(x) < 1e6:
        return f"{int(x)}"  # counts (and medians of counts) stay whole
    a = abs(x)
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    if a == 0:
        return "0"
    return f"{x:.3g}"


def spread(s: Stat, conv: Callable[[float | None], str] = fmt) -> str:
    """'median (min-max)' or just the median when all agree."""
    if s.med is None:
        return "-"
    if s.lo == s.hi:
        return conv(s.med)
    return f"{conv(s.med)} ({conv(s.lo)}–{conv(s.hi)})"


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def rfmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def cases(rows: list[dict]) -> list[Case]:
    """The rows of the main tables: benchdata's workloads that have rows,
    then (bench-quick uses small files) one case for every other
    combination of columns the rows hold."""
    seen = set()
    out = []
    for w in WORKLOADS:
        got = select(rows, **w.sel)
        if got:
            out.append((w.label, w.sel, got))
            for r in got:
                seen.add(id(r))
    for r in select(rows):
        if id(r) in seen:
            continue
        sel = {k: r[k] for k in ("workload", "phase", "param", "file", "state", "fa", "ra")}
        label = (f"{r['workload']} {r['phase']} {r['file']} {r['state']} fa {r['fa']} "
                 f"ra {r['ra']}")
        got = select(rows, **sel)
        out.append((label, sel, got))
        for g in got:
            seen.add(id(g))
    return out


def by_policy(got: list[dict]) -> dict[str, list[dict]]:
    return {p: [r for r in got if r["policy"] == p] for p in POLICIES + ("anon",)}


def time_table(cs: list[Case]) -> list[str]:
    lines = ["| workload | policy | modelled ms | guest CPU ms | guest time ms | n |",
             "|---|---|---|---|---|---|"]
    for label, sel, got in cs:
        bp = by_policy(got)
        present = [p for p in POLICIES + ("anon",) if bp[p]]
        for p in present:
            rs = bp[p]
            lines.append(f"| {label} | {p} | {spread(stat(rs, 'model_ns'), ms)} | "
                         f"{spread(stat(rs, 'cpu_ns'), ms)} | {spread(stat(rs, 'time_ns'), ms)} "
                         f"| {len(rs)} |")
        if bp["naive"] and bp["cache"]:
            rm = ratio(stat(bp["cache"], "model_ns").med, stat(bp["naive"], "model_ns").med)
            rc = ratio(stat(bp["cache"], "cpu_ns").med, stat(bp["naive"], "cpu_ns").med)
            lines.append(f"| {label} | **cache/naive** | **{rfmt(rm)}** | **{rfmt(rc)}** | | |")
    return lines


def counter_table(cs: list[Case]) -> list[str]:
    lines = ["| workload | policy | faults | disk requests (r+w) | KiB moved (r+w) | pages "
             "written back | pages used | COW copies |",
             "|---|---|---|---|---|---|---|---|"]
    for label, sel, got in cs:
        bp = by_policy(got)
        for p in POLICIES + ("anon",):
            rs = bp[p]
            if not rs:
                continue
            pu = stat(rs, "pages_used")
            lines.append(f"| {label} | {p} | {spread(stat(rs, 'faults'))} | "
                         f"{spread(stat(rs, 'disk_reqs'))} | {spread(stat(rs, 'disk_blocks'))} | "
                         f"{spread(stat(rs, 'writeback_pages'))} | "
                         f"{spread(pu) if pu.med is not None else '-'} | "
                         f"{spread(stat(rs, 'cow_copies'))} |")
    return lines


def med(rows: list[dict], metric: str, **sel) -> float | None:
    return stat(select(rows, **sel), metric).med


class Goal:
    def __init__(self, text: str, value: float | None, target: float, better: str,
                 today: float | str | None = None):
        """better: 'ge' when value must be >= target, 'le' when <=. today:
        the same measure before issue 16 -- a number measured in this boot
        under the "today" variant, a text citing an older run's figure, or
        None where neither applies."""
        self.text, self.value, self.target, self.better = text, value, target, better
        self.today = today
        if value is None:
            self.met = None
        else:
            self.met = value >= target if better == "ge" else value <= target

    def row(self) -> str:
        verdict = {True: "met", False: "**not met**", None: "not measured"}[self.met]
        op = "≥" if self.better == "ge" else "≤"
        today = self.today if isinstance(self.today, str) else rfmt(self.today)
        return (f"| {self.text} | {op} {rfmt(self.target)} | {today} | {rfmt(self.value)} | "
                f"{verdict} |")


GOALS_HEAD = ["| goal | target | today | measured | verdict |", "|---|---|---|---|---|"]

# Round 1's figures the issue quotes where no knob recreates the design
# before it (the write-back transactions changed for good).
DIRTY_ALL_WRITES_ROUND1 = 4160


def pages_mapped(rows: list[dict]) -> list[dict]:
    """Adds pages_mapped to each row: the faults plus the pages fault-around
    mapped beside them (every PTE a fault made)."""
    for r in rows:
        f, a = num(r.get("faults")), num(r.get("faultaround_pages"))
        r["pages_mapped"] = None if f is None or a is None else f + a
    return rows


def most(rows: list[dict], metric: str) -> float | None:
    vals = [v for v in (num(r.get(metric)) for r in rows) if v is not None]
    return max(vals) if vals else None


REMAP2 = dict(workload="remap", phase="second", file="s32")
PAGEFAULT = dict(workload="pagefault", phase="file", file=PAGEFAULT_FILE, state="warm")


def no_megapages(rows: list[dict]) -> str:
    """The variant whose rows run without megapages but otherwise at the
    defaults: "nomega" where the kernel has the knob, else "default"."""
    return "nomega" if knob_known(rows, "mega") else "default"


def goals(rows: list[dict]) -> list[Goal]:
    """The benchmark's goals, each from medians of the CSV; "today" from
    the same workloads under the "today" variant where knobs recreate it."""
    g = []
    cold = COLD_SEQ

    def inv(metric: str, sel: dict, variant: str = "default") -> float | None:
        """naive / cache: how many times less the cache needs (the naive
        side is the same design under every variant: its default rows)."""
        n = med(rows, metric, policy="naive", **sel)
        c = med(rows, metric, policy="cache", variant=variant, **sel)
        return ratio(n, c)

    def now_today(metric: str, sel: dict, variant: str = "default") -> tuple:
        return (med(rows, metric, policy="cache", variant=variant, **sel),
                med(rows, metric, policy="cache", variant="today", **sel))

    g.append(Goal("cold seqread 32 MiB: faults, naive/cache", inv("faults", cold), 64, "ge",
                  inv("faults", cold, "today")))
    g.append(Goal("cold seqread 32 MiB: disk requests, naive/cache", inv("disk_reqs", cold), 8,
                  "ge", inv("disk_reqs", cold, "today")))
    g.append(Goal("cold seqread 32 MiB: modelled time, naive/cache", inv("model_ns", cold), 5,
                  "ge", inv("model_ns", cold, "today")))
    g.append(Goal("cold seqread 32 MiB: guest CPU time, naive/cache", inv("cpu_ns", cold), 3,
                  "ge", inv("cpu_ns", cold, "today")))
    second = REMAP2
    reads = [num(r["disk_read_reqs"]) for r in select(rows, policy="cache", **second)]
    g.append(Goal("warm remap (second pass): cache disk reads, most of any repetition",
                  max(reads) if reads else None, 0, "le"))
    g.append(Goal("warm remap (second pass): modelled time, naive/cache",
                  inv("model_ns", second), 20, "ge", inv("model_ns", second, "today")))
    g.append(Goal("warm remap (second pass): guest CPU time, naive/cache",
                  inv("cpu_ns", second), 20, "ge", inv("cpu_ns", second, "today")))
    adaptive, today = now_today("faults", second, no_megapages(rows))
    g.append(Goal("warm remap 32 MiB (second pass): faults, adaptive fault-around, megapages off",
                  adaptive, 128, "le", today))
    mega = (med(rows, "faults", policy="cache", **second)
            if knob_known(select(rows, **second), "mega") else None)
    g.append(Goal("warm remap 32 MiB (second pass): faults with megapages", mega, 16, "le",
                  today))
    rd = dict(workload="readvsmap", file="f16", state="warm", policy="cache")
    read_cpu = med(rows, "cpu_ns", phase="read", **rd)
    g.append(Goal("warm byte-sum of 16 MiB: read() into a buffer / through a mapping "
                  "(guest CPU time: how many times faster mmap is)",
                  ratio(read_cpu, med(rows, "cpu_ns", phase="mmap", **rd)), 2.5, "ge",
                  ratio(read_cpu, med(rows, "cpu_ns", phase="mmap", variant="today", **rd))))
    bw = dict(variant=None, workload="bw", policy="cache")
    g.append(Goal("warm 16 MiB in lmbench's shape (bw_file_rd / bw_mmap_rd, every word summed, "
                  "`read()` into a 64 KiB buffer; the shape of Asterinas' 2.45x): guest CPU "
                  "time, how many times faster mmap is",
                  ratio(med(rows, "cpu_ns", phase="read", **bw),
                        med(rows, "cpu_ns", phase="mmap", **bw)), 2.5, "ge"))
    warm = dict(COLD_SEQ, phase="sum", state="warm", policy="cache")
    memscan = med(rows, "cpu_ns", workload="memscan", file="s32")
    g.append(Goal("warm byte-sum through a cache mapping / memscan (guest CPU time)",
                  ratio(med(rows, "cpu_ns", **warm), memscan), 1.05, "le",
                  ratio(med(rows, "cpu_ns", variant="today", **warm), memscan)))
    g.append(pagefault_goal(rows))
    d1 = dict(workload="dirty", param=1, file="d16", state="cold", policy="cache")
    g.append(Goal("dirty 1 in 1 of 16 MiB: disk write requests",
                  med(rows, "disk_write_reqs", **d1), DIRTY_ALL_WRITES_ROUND1 / 4, "le",
                  f"{DIRTY_ALL_WRITES_ROUND1:,} (round 1)"))
    d = dict(workload="dirty", param=16, file="d16", state="cold", policy="cache")
    wb, dp = med(rows, "writeback_pages", **d), med(rows, "dirty_pages", **d)
    g.append(Goal("dirty 1 in 16: cache pages written / pages dirtied", ratio(wb, dp), 1.05,
                  "le"))
    rr = RANDREAD
    g.append(Goal("randread 32 MiB cold: modelled time, cache/naive",
                  ratio(med(rows, "model_ns", policy="cache", **rr),
                        med(rows, "model_ns", policy="naive", **rr)), 1.05, "le"))
    g.append(Goal("randread 32 MiB cold: guest CPU time, cache/naive",
                  ratio(med(rows, "cpu_ns", policy="cache", **rr),
                        med(rows, "cpu_ns", policy="naive", **rr)), 1.05, "le"))
    g += no_worse_goals(rows)
    sh = dict(workload="sharers", param=8, file="f16", state="cold", policy="cache")
    pu, fp = med(rows, "pages_used", **sh), med(rows, "file_pages", **sh)
    g.append(Goal("8 sharers of 16 MiB: cache pages used / file pages", ratio(pu, fp), 1.05,
                  "le"))
    warm_faults = (select(rows, policy="cache", **PAGEFAULT) +
                   select(rows, policy="cache", **REMAP2))
    g.append(Goal("warm runs on one hart (lat_pagefault, remap's second pass): sleep-lock "
                  f"acquisitions on the fault path (`{FAULT_SLEEPLOCKS}`), most of any run",
                  most(warm_faults, FAULT_SLEEPLOCKS), 0, "le"))
    return g + process_goals(rows)


def pagefault_goal(rows: list[dict]) -> Goal:
    """lat_pagefault's instructions per page, the cache's against today's,
    with the anonymous-memory and naive figures in its text."""
    pages = med(rows, "touched_pages", **PAGEFAULT)
    per_page = {}
    for key, sel in (("now", dict(policy="cache")), ("today", dict(policy="cache",
                                                                   variant="today")),
                     ("naive", dict(policy="naive"))):
        per_page[key] = per(med(rows, "cpu_ns", **sel, **PAGEFAULT), pages)
    anon = select(rows, workload="pagefault", phase="anon", file=PAGEFAULT_FILE)
    per_page["anon"] = per(stat(anon, "cpu_ns").med, pages)
    return Goal(f"lat_pagefault, warm {PAGEFAULT_FILE}: instructions per page, cache/today "
                f"(cache {fmt(per_page['now'])}, today {fmt(per_page['today'])}; anonymous "
                f"memory {fmt(per_page['anon'])}; naive {fmt(per_page['naive'])})",
                ratio(per_page["now"], per_page["today"]), 0.5, "le")


def no_worse_goals(rows: list[dict]) -> list[Goal]:
    """randread and stride against today: the fastest repetition's modelled
    time within 5%, and pages mapped within 1%. The fastest, not the
    median: the guest CPU time of a disk-bound run varies between
    repetitions of one design by far more than the designs differ (a cold
    randread's from 254 to 473 ms in one run), and what varies is added
    by interrupts and waiting, never taken away, so the least of each is
    the closest to the work itself. Pages mapped count mapping events
    (faults + fault-around): the first window of a run that becomes a
    large folio is mapped twice (4 pages, before and after it moves into
    the frame), hence the 1%."""
    g = []
    cases_ = [("randread 32 MiB cold", RANDREAD)]
    cases_ += [(f"stride {k} of {STRIDE_FILE} cold",
                dict(workload="stride", param=k, file=STRIDE_FILE, state="cold"))
               for k in STRIDES]
    for label, sel in cases_:
        now = pages_mapped(select(rows, policy="cache", **sel))
        then = pages_mapped(select(rows, policy="cache", variant="today", **sel))
        g.append(Goal(f"{label}: modelled time, fastest repetition, now/today",
                      ratio(stat(now, "model_ns").lo, stat(then, "model_ns").lo), 1.05, "le"))
        g.append(Goal(f"{label}: pages mapped (faults + fault-around), now/today",
                      ratio(stat(now, "pages_mapped").med, stat(then, "pages_mapped").med),
                      1.01, "le"))
    return g


# ---------------------------------------------------------------- processes

def text_copies_per_shell(rows: list[dict]) -> tuple[float | None, dict]:
    """Copies of sh's text that each added shell brings, under the cache
    policy, from ps's split of the shells' resident pages: a page of the
    text a shell maps from the page cache is a file page (one shell) or a
    shared one (several), a copy of its own is an anonymous page. So the
    text pages an added shell does not copy are the growth of file +
    shared pages per added shell, at most the text's size (a data page
    not yet stored to is a cache page too, and must not pass for text),
    and the copies are 1 - that / sh's text pages: 0 when the text is
    counted once, 1 when every shell holds its own copy (the naive
    policy's exec copies it). The slope is taken from the fewest to the
    most shells measured. (Pages used alone cannot say it: what a shell
    saves under the cache policy is its text and its data not yet stored
    to, more than the text.) Also returns the slopes of pages used and of
    the cache's pages per added shell, and the text size, for the
    explanation."""
    info = {}
    ns = sorted({int(r["param"]) for r in select(rows, workload="shells")})
    if len(ns) < 2:
        return None, info
    lo, hi = ns[0], ns[-1]

    def slope(metric: str, p: str) -> float | None:
        a = med(rows, metric, workload="shells", param=lo, policy=p)
        b = med(rows, metric, workload="shells", param=hi, policy=p)
        return None if a is None or b is None else (b - a) / (hi - lo)

    for p in POLICIES:
        info[p] = slope("pages_used", p)
        f, sh = slope("sh_file_pages", p), slope("sh_shared_pages", p)
        info[f"{p}_cached"] = None if f is None or sh is None else f + sh
    info["text"] = med(rows, "prog_text_pages", workload="shells")
    info["range"] = (lo, hi)
    if info["cache_cached"] is None or not info["text"]:
        return None, info
    return 1 - min(max(info["cache_cached"], 0), info["text"]) / info["text"], info


def scan_rows(rows: list[dict]) -> tuple[list[dict], list[dict], str]:
    """The anonymous mapping's scan and the warm file mapping's (cache
    policy) over the same number of pages, and that file. The file's in 4
    KiB pages (`mega 0`, where the kernel has megapages): anonymous memory
    has none, and the goal is the same cost for the same kind of mapping."""
    anon = select(rows, workload="anonscan")
    if not anon:
        return [], [], ""
    f = anon[0]["file"]
    warm = select(rows, variant=no_megapages(rows), workload="seqread", phase="sum", file=f,
                  state="warm", policy="cache", fa=FAULTAROUND_DEFAULT, ra=READAHEAD_DEFAULT)
    return anon, warm, f


def scan_ratio(rows: list[dict]) -> tuple[float | None, str]:
    """Guest CPU time of the anonymous mapping's scan against the warm file
    mapping's."""
    anon, warm, f = scan_rows(rows)
    return ratio(stat(anon, "cpu_ns").med, stat(warm, "cpu_ns").med), f


def scan_ratio_unfilled(rows: list[dict]) -> float | None:
    """scan_ratio with the cycles each side spent filling whole pages
    (kstats page_fill_cycles: an anonymous page is zeroed at its first
    touch and filled with junk when munmap frees it; a cached file page is
    neither) taken out of both: what the memory system costs per page
    apart from writing the pages themselves. None on a kernel without
    the counter."""
    anon, warm, _ = scan_rows(rows)
    fa, fw = stat(anon, "page_fill_cycles").med, stat(warm, "page_fill_cycles").med
    a, w = stat(anon, "cpu_ns").med, stat(warm, "cpu_ns").med
    if fa is None or fw is None or a is None or w is None:
        return None
    return ratio(a - fa, w - fw)


def scan_fault_ratio(rows: list[dict]) -> float | None:
    """Faults of the anonymous mapping's scan against the warm file
    mapping's."""
    anon, warm, _ = scan_rows(rows)
    return ratio(stat(anon, "faults").med, stat(warm, "faults").med)


def process_goals(rows: list[dict]) -> list[Goal]:
    g = []
    fork = select(rows, workload="forkheap", phase="fork")
    mib = fork[0]["param"] if fork else FORKHEAP_MIB
    would = stat(fork, "fork_shared_pages").med  # the private pages: what a copy would take
    g.append(Goal(f"fork of a {mib} MiB touched heap: pages copied at fork, most of any "
                  f"repetition (a copying fork: {fmt(would)})",
                  max((num(r["cow_copies"]) for r in fork), default=None), 0, "le"))
    value, info = text_copies_per_shell(rows)
    lo, hi = info.get("range", ("?", "?"))
    g.append(Goal(f"shells {lo} to {hi}: copies of sh's text per added shell, cache policy",
                  value, 0.1, "le"))
    warm = select(rows, workload="start", state="warm", policy="cache")
    prog = warm[0]["file"] if warm else START_PROG
    g.append(Goal(f"start {prog} warm: cache disk requests, most of any repetition",
                  max((num(r["disk_reqs"]) for r in warm), default=None), 0, "le"))
    _, f = scan_ratio(rows)
    g.append(Goal(f"anonymous mapping / warm cache file mapping in 4 KiB pages (`mega 0`), scan "
                  f"of {f}: faults",
                  scan_fault_ratio(rows), 1.25, "le"))
    g.append(Goal(f"anonymous mapping / warm cache file mapping in 4 KiB pages (`mega 0`), scan "
                  f"of {f}: guest CPU per page, less the cycles spent writing whole pages "
                  "(`page_fill_cycles`)",
                  scan_ratio_unfilled(rows), 1.1, "le"))
    return g


def exec_cache_note(rows: list[dict], **sel) -> str:
    """What exec did in these runs: a note when it mapped no page of a
    program from the page cache in any of them."""
    rs = select(rows, **sel)
    if rs and not exec_mapped_any(rs):
        return (f" No run mapped a page of a program from the page cache (no `{EXEC_MAPPED}` "
                "counter, or 0): exec copied the program under both policies, so there is "
                "nothing yet to tell the two apart.")
    return ""


def process_explain(rows: list[dict], gl: Goal) -> str:
    if gl.text.startswith("shells"):
        _, info = text_copies_per_shell(rows)
        return (f" Pages per added shell: naive {fmt(info.get('naive'))}, cache "
                f"{fmt(info.get('cache'))}; of them mapped from the page cache (ps: file + "
                f"shared): naive {fmt(info.get('naive_cached'))}, cache "
                f"{fmt(info.get('cache_cached'))}; sh's text is {fmt(info.get('text'))} pages."
                + exec_cache_note(rows, workload="shells", policy="cache"))
    if gl.text.startswith("start"):
        warm = select(rows, workload="start", state="warm", policy="cache")
        note = exec_cache_note(rows, workload="start", policy="cache")
        why = (" A copying exec reads the program through the buffer cache (NBUF blocks, "
               "kernel/param.h), which it does not fit, so every start reads it all again."
               if note else "")
        return (f" The warm start read {fmt(stat(warm, 'disk_read_blocks').med)} KiB in "
                f"{fmt(stat(warm, 'disk_read_reqs').med)} requests for a program of "
                f"{fmt(stat(warm, 'prog_file_pages').med)} pages of file bytes." + note + why)
    if gl.text.startswith("anonymous"):
        anon, warm, f = scan_rows(rows)
        return (f" Faults: anonymous {fmt(stat(anon, 'faults').med)} "
                f"({fmt(stat(anon, 'anon_zero_fills').med)} zero fills, "
                f"{fmt(stat(anon, 'anon_around_pages').med)} of them around a fault), file "
                f"{fmt(stat(warm, 'faults').med)} (fault-around maps cached neighbours). "
                f"Guest CPU: anonymous {fmt(stat(anon, 'cpu_ns').med)} ns, of it "
                f"{fmt(stat(anon, 'page_fill_cycles').med)} writing whole pages; file "
                f"{fmt(stat(warm, 'cpu_ns').med)} ns (the plain ratio: "
                f"{fmt(scan_ratio(rows)[0])}).")
    return ""


def per(x: float | None, n: float | None) -> float | None:
    return None if x is None or not n else x / n


def process_tables(rows: list[dict]) -> list[str]:
    """The workloads of processes and anonymous memory, each in the terms
    its question needs."""
    out = []
    fe = select(rows, workload="forkexec")
    if fe:
        out += ["", "## fork + exec + exit", "",
                f"`bench forkexec N PROG`: N times fork, exec `{fe[0]['file']}`, wait (lmbench's "
                "`lat_proc exec`), warm. The policy knob chooses exec's design: naive = exec "
                "copies the program (the old exec), cache = exec may map it from the page cache. "
                "*Pages copied* = the pages exec filled from the file (the kernel's count where "
                "it keeps one, else every page of the program that holds file bytes, at each "
                "exec) + copy-on-write copies (`cow_copies`: the stack and data pages either "
                "side stores to between fork and exec or wait). *Mapped from the cache*: "
                f"`{EXEC_MAPPED}`, where the kernel counts it.",
                "", "| runs | policy | guest CPU ms | per exec µs | pages copied | per exec | of "
                "which exec's | COW copies | mapped from the cache | n |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for p in POLICIES:
            rs = [r for r in fe if r["policy"] == p]
            if not rs:
                continue
            n = num(rs[0]["execs"])
            cpu = stat(rs, "cpu_ns").med
            pc = stat(rs, "pages_copied").med
            out.append(f"| {fmt(n)} | {p} | {spread(stat(rs, 'cpu_ns'), ms)} | "
                       f"{fmt(per(cpu, n) / 1e3 if cpu else None)} | "
                       f"{spread(stat(rs, 'pages_copied'))} | {fmt(per(pc, n))} | "
                       f"{spread(stat(rs, 'exec_copied_pages'))} | "
                       f"{spread(stat(rs, 'cow_copies'))} | "
                       f"{spread(stat(rs, EXEC_MAPPED))} | {len(rs)} |")
        out.append("")
        out.append("Note: " + (exec_cache_note(rows, workload="forkexec").strip() or
                               "exec mapped pages from the cache under the cache policy."))
    fk = select(rows, workload="forkheap")
    if fk:
        out += ["", "## fork of a touched heap", "",
                "`bench forkheap MIB`: the heap touched, then fork, the child asleep and "
                "storing nothing; then the parent stores to every heap page while the child "
                "still shares it. fork is copy-on-write under both policies (a copying fork "
                "no longer exists), so there is one design: *a copying fork would copy* the "
                "private pages this fork shared instead (`fork_shared_pages`: the process's "
                "resident pages but for its shared anonymous memory, which the benchmark's "
                "counters live in). *Pages allocated*: the fall in free pages over the fork "
                "(page tables, the trapframe).", "",
                "| heap MiB | phase | guest CPU ms | pages copied | a copying fork would copy "
                "| resident pages | pages allocated | n |",
                "|---|---|---|---|---|---|---|---|"]
        for ph in ("fork", "store"):
            rs = [r for r in fk if r["phase"] == ph]
            if not rs:
                continue
            out.append(f"| {rs[0]['param']} | {ph} | {spread(stat(rs, 'cpu_ns'), ms)} | "
                       f"{spread(stat(rs, 'cow_copies'))} | "
                       f"{spread(stat(rs, 'fork_shared_pages')) if ph == 'fork' else ''} | "
                       f"{spread(stat(rs, 'resident_pages')) if ph == 'fork' else ''} | "
                       f"{spread(stat(rs, 'pages_used')) if ph == 'fork' else ''} | {len(rs)} |")
    sh = select(rows, workload="shells")
    if sh:
        out += ["", "## Shells at once", "",
                "`bench shells N`: N shells reading one empty pipe, measured once all sleep "
                "(warm). *Pages used*: the fall in free pages (user pages, page tables, "
                "trapframes). The split is `ps`'s, summed over the N shells (`kernel/procinfo.h` "
                "defines it).", "",
                "| shells | policy | pages used | per shell | resident (file + anon + shared) "
                "| n |", "|---|---|---|---|---|---|"]
        for n in sorted({int(r["param"]) for r in sh}):
            for p in POLICIES:
                rs = [r for r in sh if int(r["param"]) == n and r["policy"] == p]
                if not rs:
                    continue
                pu = stat(rs, "pages_used").med
                out.append(f"| {n} | {p} | {spread(stat(rs, 'pages_used'))} | "
                           f"{fmt(per(pu, n))} | {fmt(stat(rs, 'sh_pages').med)} "
                           f"({fmt(stat(rs, 'sh_file_pages').med)} + "
                           f"{fmt(stat(rs, 'sh_anon_pages').med)} + "
                           f"{fmt(stat(rs, 'sh_shared_pages').med)}) | {len(rs)} |")
        value, info = text_copies_per_shell(rows)
        if value is not None:
            out += ["", f"Pages per added shell ({info['range'][0]} to {info['range'][1]} "
                    f"shells): naive {fmt(info['naive'])}, cache {fmt(info['cache'])}; of them "
                    f"mapped from the page cache (ps: file + shared): naive "
                    f"{fmt(info['naive_cached'])}, cache {fmt(info['cache_cached'])}; sh's "
                    f"text: {fmt(info['text'])} pages, so {fmt(value)} copies of it per added "
                    "shell under the cache policy."]
    st = select(rows, workload="start")
    if st:
        out += ["", "## A program started cold and warm", "",
                f"`bench start {st[0]['file']}`: fork, exec, wait, once; cold after `vmctl "
                "drop` (which empties the page cache, not the buffer cache), warm after one "
                "unmeasured start. The program has "
                f"{fmt(stat(st, 'prog_file_pages').med)} pages of file bytes, more than the "
                "buffer cache holds.", "",
                "| state | policy | disk requests | KiB read | faults (major) | pages copied | "
                "guest CPU ms | modelled ms | n |", "|---|---|---|---|---|---|---|---|---|"]
        for state in ("cold", "warm"):
            for p in POLICIES:
                rs = [r for r in st if r["state"] == state and r["policy"] == p]
                if not rs:
                    continue
                out.append(f"| {state} | {p} | {spread(stat(rs, 'disk_reqs'))} | "
                           f"{spread(stat(rs, 'disk_read_blocks'))} | "
                           f"{spread(stat(rs, 'faults'))} ({fmt(stat(rs, 'faults_major').med)}) "
                           f"| {spread(stat(rs, 'pages_copied'))} | "
                           f"{spread(stat(rs, 'cpu_ns'), ms)} | "
                           f"{spread(stat(rs, 'model_ns'), ms)} | {len(rs)} |")
    anon = select(rows, workload="anonscan")
    if anon:
        f = anon[0]["file"]
        pages = num(anon[0]["file_pages"])
        cases_ = [("anonymous mapping, first touch (anonscan)", anon),
                  ("heap, already filled (memscan)", select(rows, workload="memscan", file=f))]
        for p in POLICIES:
            for state in ("warm", "cold"):
                cases_.append((f"file mapping, {state}, {p}",
                               select(rows, workload="seqread", phase="sum", file=f,
                                      state=state, policy=p, fa=FAULTAROUND_DEFAULT,
                                      ra=READAHEAD_DEFAULT)))
        out += ["", "## Scanning anonymous memory and file mappings", "",
                f"A byte-sum over {fmt(pages)} pages ({f}'s size): map, touch every byte, "
                "unmap (memscan: the byte-sum alone, over heap filled beforehand). Per page: "
                "guest CPU time over the pages.", "",
                "| scan | guest CPU ns per page | faults per page | disk requests | n |",
                "|---|---|---|---|---|"]
        for label, rs in cases_:
            if not rs:
                continue
            out.append(f"| {label} | {fmt(per(stat(rs, 'cpu_ns').med, pages))} | "
                       f"{fmt(per(stat(rs, 'faults').med, pages))} | "
                       f"{spread(stat(rs, 'disk_reqs'))} | {len(rs)} |")
    return out


VARIANT_ORDER = ("today", "locked", "nomega", "default")
VARIANT_LABEL = {"today": "today (before issue 16)", "locked": "lockless 0", "nomega": "mega 0",
                 "default": "now (the kernel's defaults)"}


def knobs_note(rows: list[dict], run: dict | None) -> str:
    """Which optional knobs this kernel has, and what was left out."""
    have = [k for k in ("mega", "lockless") if knob_known(rows, k)]
    lack = [k for k in ("mega", "lockless") if k not in have]
    text = ""
    if have:
        text += "This kernel has " + ", ".join(f"`vmctl {k}`" for k in have) + ". "
    if lack:
        text += ("It has no " + " or ".join(f"`vmctl {k}`" for k in lack) + " (its vmctl does "
                 "not know the name), so today differs from now only where the other knobs "
                 "reach, and the variants that need the missing ones were not measured")
        left = (run or {}).get("left_out") or []
        text += f" ({', '.join(left)})." if left else "."
    return text


def issue16_tables(rows: list[dict], run: dict | None) -> list[str]:
    """Issue 16's workloads -- lat_pagefault's shape, bw_file_rd's and
    bw_mmap_rd's, the famax sweep -- and the goals' workloads now and
    today, each in the terms its goal needs."""
    out = []
    pf = select(rows, variant=None, workload="pagefault")
    if pf:
        f = pf[0]["file"]
        out += ["", "## Cost per fault and per MiB, now and today", "",
                f"*Today* is {VARIANTS['today'].text}. {knobs_note(rows, run)}", "",
                "### lat_pagefault", "",
                f"`bench pagefault {f} [anon]`, lmbench's `lat_pagefault` shape: the file "
                "warm (emptied, then read in order through a mapping), mapped shared, one byte "
                "loaded from every page in a fixed pseudo-random order, unmapped; the clocks "
                "cover the loads alone (lat_pagefault subtracts its mmap and munmap). "
                "*anonymous*: the same loads from fresh private anonymous memory of the "
                "file's size, each page zero-filled at its first touch. Instructions = guest "
                "CPU time under icount.", "",
                "| design | variant | instructions per page | faults | pages per fault | "
                "sleep locks on the fault path | n |", "|---|---|---|---|---|---|---|"]
        cases_ = [("naive", "default", dict(policy="naive", phase="file"))]
        cases_ += [("cache", v, dict(policy="cache", phase="file")) for v in VARIANT_ORDER]
        cases_.append(("anonymous memory", "default", dict(policy="anon", phase="anon")))
        for design, v, sel in cases_:
            rs = select(rows, variant=v, workload="pagefault", file=f, **sel)
            if not rs:
                continue
            pages = stat(rs, "touched_pages").med
            faults = stat(rs, "faults").med
            locks = stat(rs, FAULT_SLEEPLOCKS)
            out.append(f"| {design} | {VARIANT_LABEL[v]} | "
                       f"{fmt(per(stat(rs, 'cpu_ns').med, pages))} | {spread(stat(rs, 'faults'))}"
                       f" | {fmt(per(pages, faults))} | "
                       f"{spread(locks) if locks.med is not None else 'not counted'} | "
                       f"{len(rs)} |")
    bw = select(rows, variant=None, workload="bw")
    if bw:
        mib = num(bw[0]["param"])
        out += ["", "### bw_file_rd and bw_mmap_rd", "",
                f"`bench bw read|mmap {bw[0]['file']}`, lmbench's `bw_file_rd` and "
                "`bw_mmap_rd` in their `open2close` shape, warm: open, every 64-bit word "
                "summed through `read()` into a 64 KiB buffer or through a shared mapping, "
                "close. *MiB/s* is at icount's one instruction per nanosecond.", "",
                "| shape | policy | variant | instructions per MiB | MiB/s | faults | n |",
                "|---|---|---|---|---|---|---|"]
        for how, shape in (("read", "bw_file_rd"), ("mmap", "bw_mmap_rd")):
            for p in POLICIES:
                for v in VARIANT_ORDER:
                    rs = select(rows, variant=v, workload="bw", phase=how, policy=p)
                    if not rs:
                        continue
                    ipm = per(stat(rs, "cpu_ns").med, mib)
                    out.append(f"| {shape} | {p} | {VARIANT_LABEL[v]} | {fmt(ipm)} | "
                               f"{fmt(per(1e9, ipm))} | {spread(stat(rs, 'faults'))} | "
                               f"{len(rs)} |")
    goal_cases = [
        ("seqread 32 MiB, cold", COLD_SEQ),
        ("seqread 32 MiB, warm (byte-sum)", dict(COLD_SEQ, phase="sum", state="warm")),
        ("remap 32 MiB, second pass (warm)", REMAP2),
        ("readvsmap mmap 16 MiB, warm", dict(workload="readvsmap", phase="mmap", file="f16",
                                             state="warm")),
        ("randread 32 MiB, cold", RANDREAD),
    ] + [(f"stride {k} of {STRIDE_FILE}, cold",
          dict(workload="stride", param=k, file=STRIDE_FILE, state="cold")) for k in STRIDES]
    lines = []
    for label, sel in goal_cases:
        for v in VARIANT_ORDER:
            rs = pages_mapped(select(rows, variant=v, policy="cache", **sel))
            if not rs:
                continue
            lines.append(f"| {label} | {VARIANT_LABEL[v]} | {spread(stat(rs, 'faults'))} | "
                         f"{spread(stat(rs, 'pages_mapped'))} | {spread(stat(rs, 'disk_reqs'))} "
                         f"| {spread(stat(rs, 'cpu_ns'), ms)} | "
                         f"{spread(stat(rs, 'model_ns'), ms)} | {len(rs)} |")
    if any("today" in ln for ln in lines):
        out += ["", "### The goals' workloads, now and today (page cache)", "",
                "*Pages mapped*: faults + pages fault-around mapped beside them.", "",
                "| workload | variant | faults | pages mapped | disk requests | guest CPU ms | "
                "modelled ms | n |", "|---|---|---|---|---|---|---|---|"] + lines
    sweep = select(rows, variant="famax", workload="remap", phase="second")
    if sweep:
        f = sweep[0]["file"]
        out += ["", "### Adaptive fault-around's ceiling (warm remap, page cache)", "",
                f"`bench -c warm -m FAMAX remap {f}`: the second pass of a warm remap with "
                "adaptive fault-around's ceiling at FAMAX (megapages off where the kernel has "
                f"them); FAMAX {FAULTAROUND_DEFAULT} = fixed windows, as before issue 16. The "
                "last row: the kernel's defaults, megapages included where it has them.", "",
                "| famax | faults | pages mapped | guest CPU ms | n |", "|---|---|---|---|---|"]
        for m in sorted({int(r["famax"]) for r in sweep}):
            rs = pages_mapped([r for r in sweep if int(r["famax"]) == m])
            out.append(f"| {m} | {spread(stat(rs, 'faults'))} | "
                       f"{spread(stat(rs, 'pages_mapped'))} | {spread(stat(rs, 'cpu_ns'), ms)} | "
                       f"{len(rs)} |")
        rs = pages_mapped(select(rows, policy="cache", workload="remap", phase="second", file=f))
        if rs:
            mega = "megapages on" if knob_known(rs, "mega") else "no megapages in this kernel"
            out.append(f"| defaults ({mega}) | {spread(stat(rs, 'faults'))} | "
                       f"{spread(stat(rs, 'pages_mapped'))} | {spread(stat(rs, 'cpu_ns'), ms)} | "
                       f"{len(rs)} |")
    return out


def issue16_explain(rows: list[dict], gl: Goal) -> str:
    """The counters behind a missed goal of issue 16, from the CSV."""
    t = gl.text
    if t.startswith("warm remap 32 MiB"):
        v = no_megapages(rows) if "megapages off" in t else "default"
        rs = select(rows, policy="cache", variant=v, **REMAP2)
        return (f" The second pass took {fmt(stat(rs, 'faults').med)} faults, fault-around "
                f"mapping {fmt(stat(rs, 'faultaround_pages').med)} pages beside them "
                f"({fmt(num(rs[0]['famax']) if rs else None)}-page ceiling)."
                + ("" if knob_known(rows, "mega") or "megapages off" in t else
                   " This kernel has no megapages (no `vmctl mega`)."))
    if t.startswith("warm byte-sum of 16 MiB"):
        rd = dict(workload="readvsmap", file="f16", state="warm", policy="cache")
        r_, m_ = select(rows, phase="read", **rd), select(rows, phase="mmap", **rd)
        scan = per(med(rows, 'cpu_ns', workload='memscan', file='s32'), 2)
        return (f" read(): {ms(stat(r_, 'cpu_ns').med)} ms; mapping: "
                f"{ms(stat(m_, 'cpu_ns').med)} ms with {fmt(stat(m_, 'faults').med)} faults; "
                f"the byte-sum alone over 16 MiB of heap (half of memscan's 32 MiB): "
                f"{ms(scan)} ms. Both sides run that loop, so for 2.5 read() would have to "
                f"take {ms(None if scan is None else 2.5 * scan)} ms or more, the loop's cost "
                "again and a half on top of it -- more than its copy and system calls add; "
                "lmbench's word-sum loop (the next goal) costs far less per byte, "
                "which is what the anchor's 2.45x measures.")
    if t.startswith("warm byte-sum through"):
        rs = select(rows, **dict(COLD_SEQ, phase="sum", state="warm", policy="cache"))
        return (f" The mapping's scan took {fmt(stat(rs, 'faults').med)} faults; what it costs "
                "beyond memscan is mmap, those faults and munmap.")
    if t.startswith("lat_pagefault"):
        rs = select(rows, policy="cache", **PAGEFAULT)
        then = select(rows, policy="cache", variant="today", **PAGEFAULT)
        locks = stat(rs, FAULT_SLEEPLOCKS).med
        return (f" Faults now {fmt(stat(rs, 'faults').med)}, today "
                f"{fmt(stat(then, 'faults').med)}; sleep locks on the fault path now "
                f"{fmt(locks) if locks is not None else 'not counted (no such counter)'}."
                + ("" if knob_known(rows, "lockless") or knob_known(rows, "mega") else
                   " This kernel has neither `vmctl lockless` nor `vmctl mega`, so today "
                   "differs from now only in fault-around's ceiling, which a random order "
                   "never raises."))
    if t.startswith("dirty 1 in 1"):
        rs = select(rows, workload="dirty", param=1, file="d16", state="cold", policy="cache")
        w, b = stat(rs, "disk_write_reqs").med, stat(rs, "disk_write_blocks").med
        return (f" {fmt(w)} write requests carried {fmt(b)} blocks ({fmt(per(b, w))} per "
                f"request) for {fmt(stat(rs, 'writeback_pages').med)} pages written back.")
    return ""


def explain(rows: list[dict], gs: list[Goal]) -> list[str]:
    """Plain words for each missed goal: by how much, and the counters
    that say where the cost went. Only numbers from the CSV: a diagnosis
    typed in here would go stale as the kernel changes (the fault map,
    the counters table and docs/DESIGN.md are where to look next)."""
    out = []
    cold = COLD_SEQ
    for gl in gs:
        if gl.met is not False:
            continue
        if not gl.value:
            by = ""
        elif gl.better == "ge":
            by = f"short by a factor of {gl.target / gl.value:.2f}"
        elif gl.target:
            by = f"over by a factor of {gl.value / gl.target:.2f}"
        else:
            by = f"over by {rfmt(gl.value)}"
        line = f"- **{gl.text}**: {rfmt(gl.value)}, target {rfmt(gl.target)} ({by})."
        if "seqread" in gl.text:
            c = select(rows, policy="cache", **cold)
            fa = int(cold["fa"])
            line += (f" The page cache's cold seqread took {fmt(stat(c, 'faults_major').med)} "
                     f"major and {fmt(stat(c, 'faults_minor').med)} minor faults for 8192 pages "
                     f"(fixed {fa}-page fault-around windows would allow one per window, "
                     f"{8192 // fa}; adaptive ones grow to {fmt(stat(c, 'famax').med)} pages on a "
                     "run, but map only what is cached), "
                     f"{fmt(stat(c, 'disk_reqs').med)} disk requests, "
                     f"{ms(stat(c, 'cpu_ns').med)} ms guest CPU and "
                     f"{ms(stat(c, 'model_ns').med)} ms modelled.")
        line += process_explain(rows, gl)
        line += issue16_explain(rows, gl)
        if "randread" in gl.text:
            rr = RANDREAD
            line += (" Random order defeats read-ahead (the window falls back to one page), "
                     "so both designs read every page on its own: cache "
                     f"{fmt(med(rows, 'disk_reqs', policy='cache', **rr))} disk requests, "
                     f"naive {fmt(med(rows, 'disk_reqs', policy='naive', **rr))}.")
        out.append(line)
    return out


def oom_notes(rows: list[dict]) -> list[str]:
    """Sharers runs in which the kernel killed some children for want of
    memory (phase "nomem": a child never finished reading, or was killed
    after it had)."""
    out = []
    for machine in ("icount", "smp3"):
        bad = [r for r in rows if r["machine"] == machine and r["workload"] == "sharers" and
               r["phase"] == "nomem"]
        for n in sorted({int(r["param"]) for r in bad}):
            g = [r for r in bad if int(r["param"]) == n]
            allruns = [r for r in rows if r["machine"] == machine and
                       r["workload"] == "sharers" and int(r["param"]) == n and
                       r["policy"] == g[0]["policy"]]
            killed = stat(g, "sharers_killed").med
            out.append(f"- {g[0]['policy']}, {n} sharers of {g[0]['file']} ({machine}): in "
                       f"{len(g)} of {len(allruns)} repetitions the kernel killed "
                       f"{f'{killed:g}' if killed is not None else '?'} sharer(s) for want of "
                       f"memory (median; {stat(g, 'sharers_done').med:g} of {n} had read the "
                       f"whole file by then). {n} private copies of "
                       f"{fmt(num(g[0]['file_pages']))} pages do not fit the "
                       f"{fmt(stat(g, 'free0').med)} free pages of the 128 MiB machine, so its "
                       f"pages used are what fitted, not {n} copies.")
    return out


def window_table(rows: list[dict]) -> list[str]:
    lines = ["| workload | read-ahead | fault-around | faults | disk requests | modelled ms | "
             "guest CPU ms |", "|---|---|---|---|---|---|---|"]
    ws = [r for r in select(rows, policy="cache", file="f4", state="cold")
          if r["workload"] in ("seqread", "randread")]
    keys = sorted({(r["workload"], int(r["ra"]), int(r["fa"])) for r in ws})
    for w, ra, fa in keys:
        rs = [r for r in ws if (r["workload"], int(r["ra"]), int(r["fa"])) == (w, ra, fa)]
        ra_text = "off" if ra <= 1 else f"on ({ra})"
        lines.append(f"| {w} | {ra_text} | {fa} | {spread(stat(rs, 'faults'))} | "
                     f"{spread(stat(rs, 'disk_reqs'))} | {spread(stat(rs, 'model_ns'), ms)} | "
                     f"{spread(stat(rs, 'cpu_ns'), ms)} |")
    return lines if keys else []


def smp_table(rows: list[dict]) -> list[str]:
    rs = [r for r in rows if r["machine"] == "smp3"]
    if not rs:
        return []
    lines = ["| sharers | file | policy | wall ms (noisy) | pages used | all finished | n |",
             "|---|---|---|---|---|---|---|"]
    for n in sorted({int(r["param"]) for r in rs}):
        for p in POLICIES:
            g = [r for r in rs if int(r["param"]) == n and r["policy"] == p]
            if not g:
                continue
            done = sum(1 for r in g if r["phase"] == "all")
            lines.append(f"| {n} | {g[0]['file']} | {p} | {spread(stat(g, 'time_ns'), ms)} | "
                         f"{spread(stat(g, 'pages_used'))} | {done} of {len(g)} | {len(g)} |")
    return lines


def write(outdir: Path, rows: list[dict], run: dict | None, req_us: float,
          kib_us: float) -> list[Goal]:
    gs = goals(rows)
    cs = cases(rows)
    reps = max((int(r["rep"]) for r in rows), default=0) + 1
    out = ["# pcv6 benchmark summary", "",
           "Generated by `scripts/summary.py` from `bench.csv`; every number below is a "
           "median over the repetitions of a case with its min–max in parentheses (one value "
           "when all repetitions agree)."]
    if run:
        quick = ", **bench-quick: small files, one repetition**" if run.get("quick") else ""
        out.append(f"Run: {run.get('date', '?')}, {run.get('reps', reps)} repetitions (the "
                   f"policies alternating which goes first), {run.get('jobs', '?')} icount "
                   f"machine(s) side by side, {run.get('seconds', {}).get('total', '?')} s in "
                   f"all{quick}.")
    out += ["",
            "**Clocks.** Measured inside the guest under `qemu-system-riscv64 -machine virt "
            "-smp 1 -icount shift=0,sleep=off`, where one instruction is one nanosecond of "
            "virtual time:",
            "",
            "- *guest CPU time* = cycle-counter delta minus `idle_cycles` (time the hart "
            "waited in `wfi`): the instructions the guest executed, at a nominal 1 GHz. "
            "It does not include any disk time.",
            f"- *modelled time* = guest CPU time + {req_us:g} µs per disk request + {kib_us:g} "
            "µs per KiB moved (a typical SATA SSD; `--req-us`, `--kib-us`). Requests are "
            "charged one after another, even when the page cache keeps several in flight.",
            "- *guest time* = the guest's `time` CSR: under icount it jumps ahead to the next "
            "timer deadline whenever the machine idles waiting for QEMU's disk, so for "
            "disk-bound runs it measures nothing about either design; shown, never used.",
            "",
            "Ratios are **cache/naive** (below 1: the page cache needs less) except in the "
            "goals, where each line says which way round it is. *Cold* means after `vmctl "
            "drop` (the page cache written back and emptied; the 96-block buffer cache, which "
            "both designs use for indirect blocks, is not emptied); *warm* means after one "
            "unmeasured run of the same workload. The clocks cover mmap, the accesses and "
            "munmap (with its write-back), not open/close or the data checks.",
            "", "## Goals", "",
            f"*Today*: the same measure in this run under the variant `today` -- "
            f"{VARIANTS['today'].text} -- or, where no knob can bring the "
            "old design back, the figure of round 1's results that the issue quotes (marked "
            "so). \"now/today\" goals divide the kernel's defaults by today. The sleep-lock "
            "goal is measured on this benchmark's single hart (a warm run's "
            f"`{FAULT_SLEEPLOCKS}` delta); three processes faulting one warm file on three "
            "harts are a test in `make test`. A goal whose rows this kernel cannot produce "
            "(a counter or knob it lacks) is \"not measured\".", "",
            ] + GOALS_HEAD
    out += [gl.row() for gl in gs]
    missed = explain(rows, gs)
    if missed:
        out += ["", "Missed goals, by how much and why:", ""] + missed
    notes = oom_notes(rows)
    if notes:
        out += ["", "Out of memory:", ""] + notes
    out += ["", "## Time per workload", ""] + time_table(cs)
    out += ["", "## Faults, disk traffic and memory per workload", "",
            "Pages used: the fall in free pages while the mapping(s) are held, page-table "
            "pages and (cold) newly cached pages included.", ""] + counter_table(cs)
    wt = window_table(rows)
    if wt:
        out += ["", "## Fault-around and read-ahead windows (page cache, 4 MiB file, cold)", "",
                "A 4 MiB file keeps the sweep within the time budget; the naive design has "
                "no windows (see its seqread/randread rows above). Fixed windows: each run "
                "sets adaptive fault-around's ceiling to its window (every other workload "
                "runs with the default ceiling, so its sequential runs grow their window).",
                ""] + wt
    out += issue16_tables(rows, run)
    out += process_tables(rows)
    st = smp_table(rows)
    if st:
        out += ["", "## Sharers at -smp 3 (no icount: host wall-clock, noisy)", "",
                "Three harts on a shared 2-core host; these times say that concurrent "
                "mapping works and roughly how it scales, nothing more. The file is 1 MiB "
                "to keep the run short (disk requests without icount cost about 1 ms of "
                "host time each).", ""] + st
    hf = outdir / "hyperfine.md"
    if hf.exists():
        out += ["", "## Host-side cross-check (hyperfine)", "", hf.read_text().strip()]
    out.append("")
    (outdir / "summary.md").write_text("\n".join(out))
    return gs


README_BEGIN = "<!-- bench-goals:begin -->"
README_END = "<!-- bench-goals:end -->"


def update_readme(path: Path, gs: list[Goal], run: dict | None) -> int:
    text = path.read_text()
    a, b = text.find(README_BEGIN), text.find(README_END)
    if a < 0 or b < a:
        print(f"summary: {path} has no {README_BEGIN} ... {README_END} markers",
              file=sys.stderr)
        return 1
    when = f" ({run.get('date', '?')}, {run.get('reps', '?')} repetitions)" if run else ""
    table = ["", f"Generated by `scripts/summary.py` from `results/bench.csv`{when}.", "",
             ] + GOALS_HEAD
    table += [g.row() for g in gs] + [""]
    text = text[:a + len(README_BEGIN)] + "\n".join(table) + text[b:]
    path.write_text(text)
    return 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Summarise results/bench.csv.")
    ap.add_argument("dir", nargs="?", default="results", type=Path)
    ap.add_argument("--req-us", type=float, help="disk cost per request (µs)")
    ap.add_argument("--kib-us", type=float, help="disk cost per KiB (µs)")
    ap.add_argument("--readme", type=Path, help="also put the goals table into this file")
    args = ap.parse_args(argv)
    rows = load(args.dir / "bench.csv")
    if not rows:
        print(f"summary: no rows in {args.dir}/bench.csv", file=sys.stderr)
        return 1
    # One pair of constants for the whole table (a run writes the same in every row).
    req_us = args.req_us if args.req_us is not None else num(rows[0]["req_us"])
    kib_us = args.kib_us if args.kib_us is not None else num(rows[0]["kib_us"])
    add_model(rows, req_us, kib_us)
    run = None
    rp = args.dir / "run.json"
    if rp.exists():
        run = json.loads(rp.read_text())
    gs = write(args.dir, rows, run, req_us, kib_us)
    if args.readme and update_readme(args.readme, gs, run) != 0:
        return 1
    met = sum(1 for g in gs if g.met)
    measured = sum(1 for g in gs if g.met is not None)
    print(f"summary: {args.dir}/summary.md: {met} of {measured} goals met")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
