#!/usr/bin/python3
"""summary.py -- turn results/bench.csv into results/summary.md.

Usage: scripts/summary.py [DIR] [--req-us US] [--kib-us US] [--readme README.md]

Reads DIR/bench.csv (default results/), DIR/run.json if present, and
writes DIR/summary.md: per workload and policy the median with min-max of
every repetition, the ratio cache/naive (cache divided by naive: below 1
means the page cache did better), and each goal of the benchmark with
"met" or "not met" and the numbers behind it. Every number comes from the
CSV; nothing is typed in by hand, so the summary cannot drift from the data.

The modelled time is recomputed here from each row's guest CPU time and
disk counters with --req-us / --kib-us (defaults: the constants the rows
were measured with), so a different device can be modelled without
re-running anything.

With --readme FILE it also replaces the lines between the markers
"<!-- bench-goals:begin -->" and "<!-- bench-goals:end -->" in FILE with the
goals table, so the README's copy cannot drift from the data either.
"""

import argparse
import csv
import json
import os
import statistics
import sys

POLICIES = ("naive", "cache")
# The kernel's default windows, which every run but the window sweep's uses
# (scripts/bench.py sets them explicitly).
DEFAULT_FA, DEFAULT_RA = 16, 32
# The two 32 MiB cold runs most goals are about.
COLD_SEQ = dict(workload="seqread", phase="touch", file="s32", state="cold", fa=DEFAULT_FA,
                ra=DEFAULT_RA)
RANDREAD = dict(workload="randread", file="s32", state="cold", fa=DEFAULT_FA, ra=DEFAULT_RA)


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if r.get("ok") == "1"]


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def model(rows, req_us, kib_us):
    for r in rows:
        reqs = num(r["disk_read_reqs"]) + num(r["disk_write_reqs"])
        kib = num(r["disk_read_blocks"]) + num(r["disk_write_blocks"])
        cpu = num(r["cpu_ns"])  # empty for the -smp 3 rows (no icount)
        r["model_ns"] = None if cpu is None else cpu + reqs * req_us * 1000 + kib * kib_us * 1000
        r["disk_reqs"] = reqs
        r["disk_blocks"] = kib


class Stat:
    """Median, min and max of one metric over the repetitions of a case."""

    def __init__(self, values):
        self.values = [v for v in values if v is not None]
        self.n = len(self.values)
        self.med = statistics.median(self.values) if self.values else None
        self.lo = min(self.values) if self.values else None
        self.hi = max(self.values) if self.values else None


def select(rows, machine="icount", **want):
    out = []
    for r in rows:
        if r["machine"] != machine:
            continue
        if all(str(r.get(k)) == str(v) for k, v in want.items()):
            out.append(r)
    return out


def stat(rows, metric):
    return Stat([num(r.get(metric)) for r in rows])


def ms(ns):
    return "-" if ns is None else fmt(ns / 1e6)


def fmt(x):
    if x is None:
        return "-"
    if x == int(x) and abs(x) < 1e6:
        return "%d" % x  # counts (and medians of counts) stay whole
    a = abs(x)
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    if a >= 1:
        return "%.2f" % x
    if a == 0:
        return "0"
    return "%.3g" % x


def spread(s, conv=fmt):
    """'median (min-max)' or just the median when all agree."""
    if s.med is None:
        return "-"
    if s.lo == s.hi:
        return conv(s.med)
    return "%s (%s–%s)" % (conv(s.med), conv(s.lo), conv(s.hi))


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def rfmt(x):
    return "-" if x is None else ("%.3g" % x)


# The rows of the main tables: (label, selection, the rows it selects).
def cases(rows):
    cs = [
        ("seqread 32 MiB, cold (load per page)", COLD_SEQ),
        ("seqread 32 MiB, cold (byte-sum)", dict(workload="seqread", phase="sum", file="s32",
                                                 state="cold", fa=DEFAULT_FA, ra=DEFAULT_RA)),
        ("seqread 32 MiB, warm (byte-sum)", dict(workload="seqread", phase="sum", file="s32",
                                                 state="warm", fa=DEFAULT_FA, ra=DEFAULT_RA)),
        ("randread 32 MiB, cold", RANDREAD),
        ("remap 32 MiB, first pass (cold)", dict(workload="remap", phase="first", file="s32")),
        ("remap 32 MiB, second pass (warm)", dict(workload="remap", phase="second",
                                                  file="s32")),
    ]
    for n in (1, 2, 4, 8):
        cs.append(("sharers %d x 16 MiB, cold" % n, dict(workload="sharers", param=n,
                                                          file="f16", state="cold")))
    for k in (64, 16, 4, 1):
        cs.append(("dirty 1 in %d of 16 MiB, cold" % k, dict(workload="dirty", param=k,
                                                              file="d16", state="cold")))
    cs += [
        ("private 16 MiB, cold", dict(workload="private", file="f16", state="cold")),
        ("private 16 MiB, warm", dict(workload="private", file="f16", state="warm")),
        ("readvsmap read() 16 MiB, cold", dict(workload="readvsmap", phase="read", file="f16",
                                               state="cold")),
        ("readvsmap mmap 16 MiB, cold", dict(workload="readvsmap", phase="mmap", file="f16",
                                             state="cold")),
        ("readvsmap read() 16 MiB, warm", dict(workload="readvsmap", phase="read", file="f16",
                                               state="warm")),
        ("readvsmap mmap 16 MiB, warm", dict(workload="readvsmap", phase="mmap", file="f16",
                                             state="warm")),
    ]
    for f, mib in (("f1", 1), ("f4", 4), ("f16", 16), ("s32", 32), ("f64", 64)):
        cs.append(("size sweep: seqread %d MiB, cold" % mib,
                   dict(COLD_SEQ, file=f)))
    cs.append(("memscan 32 MiB (anonymous memory)", dict(workload="memscan", file="s32")))
    # bench-quick uses small files: keep whatever exists, add its own cases.
    seen = set()
    out = []
    for label, sel in cs:
        got = select(rows, **sel)
        if got:
            out.append((label, sel, got))
            for r in got:
                seen.add(id(r))
    for r in select(rows):
        if id(r) in seen:
            continue
        sel = {k: r[k] for k in ("workload", "phase", "param", "file", "state", "fa", "ra")}
        label = "%s %s %s %s fa %s ra %s" % (r["workload"], r["phase"], r["file"], r["state"],
                                             r["fa"], r["ra"])
        got = select(rows, **sel)
        out.append((label, sel, got))
        for g in got:
            seen.add(id(g))
    return out


def by_policy(got):
    return {p: [r for r in got if r["policy"] == p] for p in POLICIES + ("anon",)}


def time_table(cs):
    lines = ["| workload | policy | modelled ms | guest CPU ms | guest time ms | n |",
             "|---|---|---|---|---|---|"]
    for label, sel, got in cs:
        bp = by_policy(got)
        present = [p for p in POLICIES + ("anon",) if bp[p]]
        for p in present:
            rs = bp[p]
            lines.append("| %s | %s | %s | %s | %s | %d |" % (
                label, p, spread(stat(rs, "model_ns"), ms), spread(stat(rs, "cpu_ns"), ms),
                spread(stat(rs, "time_ns"), ms), len(rs)))
        if bp["naive"] and bp["cache"]:
            rm = ratio(stat(bp["cache"], "model_ns").med, stat(bp["naive"], "model_ns").med)
            rc = ratio(stat(bp["cache"], "cpu_ns").med, stat(bp["naive"], "cpu_ns").med)
            lines.append("| %s | **cache/naive** | **%s** | **%s** | | |" % (label, rfmt(rm),
                                                                         rfmt(rc)))
    return lines


def counter_table(cs):
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
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label, p, spread(stat(rs, "faults")), spread(stat(rs, "disk_reqs")),
                spread(stat(rs, "disk_blocks")), spread(stat(rs, "writeback_pages")),
                spread(pu) if pu.med is not None else "-", spread(stat(rs, "cow_copies"))))
    return lines


def med(rows, metric, **sel):
    return stat(select(rows, **sel), metric).med


class Goal:
    def __init__(self, text, value, target, better):
        """better: 'ge' when value must be >= target, 'le' when <=."""
        self.text, self.value, self.target, self.better = text, value, target, better
        if value is None:
            self.met = None
        else:
            self.met = value >= target if better == "ge" else value <= target

    def row(self):
        verdict = {True: "met", False: "**not met**", None: "not measured"}[self.met]
        op = "≥" if self.better == "ge" else "≤"
        return "| %s | %s %s | %s | %s |" % (self.text, op, rfmt(self.target),
                                            rfmt(self.value), verdict)


def goals(rows):
    """The benchmark's goals, each from medians of the CSV."""
    g = []
    cold = COLD_SEQ

    def inv(metric, sel):  # naive / cache: how many times less the cache needs
        n = med(rows, metric, policy="naive", **sel)
        c = med(rows, metric, policy="cache", **sel)
        return ratio(n, c)

    g.append(Goal("cold seqread 32 MiB: faults, naive/cache", inv("faults", cold), 16, "ge"))
    g.append(Goal("cold seqread 32 MiB: disk requests, naive/cache", inv("disk_reqs", cold), 8,
                  "ge"))
    g.append(Goal("cold seqread 32 MiB: modelled time, naive/cache", inv("model_ns", cold), 5,
                  "ge"))
    g.append(Goal("cold seqread 32 MiB: guest CPU time, naive/cache", inv("cpu_ns", cold), 3,
                  "ge"))
    second = dict(workload="remap", phase="second", file="s32")
    reads = [num(r["disk_read_reqs"]) for r in select(rows, policy="cache", **second)]
    g.append(Goal("warm remap (second pass): cache disk reads, most of any repetition",
                  max(reads) if reads else None, 0, "le"))
    g.append(Goal("warm remap (second pass): modelled time, naive/cache",
                  inv("model_ns", second), 20, "ge"))
    g.append(Goal("warm remap (second pass): guest CPU time, naive/cache",
                  inv("cpu_ns", second), 20, "ge"))
    sh = dict(workload="sharers", param=8, file="f16", state="cold", policy="cache")
    pu, fp = med(rows, "pages_used", **sh), med(rows, "file_pages", **sh)
    g.append(Goal("8 sharers of 16 MiB: cache pages used / file pages", ratio(pu, fp), 1.05,
                  "le"))
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
    warm = dict(COLD_SEQ, phase="sum", state="warm", policy="cache")
    g.append(Goal("warm byte-sum through a cache mapping / memscan (guest CPU time)",
                  ratio(med(rows, "cpu_ns", **warm),
                        med(rows, "cpu_ns", workload="memscan", file="s32")), 1.3, "le"))
    return g


def explain(rows, gs):
    """Plain words for each missed goal: by how much, and the counters
    that say where the cost went. Only numbers from the CSV: a diagnosis
    typed in here would go stale as the kernel changes (the fault map,
    the counters table and docs/DESIGN.md are where to look next)."""
    out = []
    cold = COLD_SEQ
    for gl in gs:
        if gl.met is not False:
            continue
        by = ("short by a factor of %.2f" % (gl.target / gl.value) if gl.better == "ge"
              else "over by a factor of %.2f" % (gl.value / gl.target)) if gl.value else ""
        line = "- **%s**: %s, target %s (%s)." % (gl.text, rfmt(gl.value), rfmt(gl.target), by)
        if "seqread" in gl.text:
            c = select(rows, policy="cache", **cold)
            line += (" The page cache's cold seqread took %s major and %s minor faults for "
                     "8192 pages (a %d-page fault-around window allows one per window, %d), "
                     "%s disk requests, %s ms guest CPU and %s ms modelled." % (
                         fmt(stat(c, "faults_major").med), fmt(stat(c, "faults_minor").med),
                         int(cold["fa"]), 8192 // int(cold["fa"]),
                         fmt(stat(c, "disk_reqs").med), ms(stat(c, "cpu_ns").med),
                         ms(stat(c, "model_ns").med)))
        if "randread" in gl.text:
            rr = RANDREAD
            line += (" Random order defeats read-ahead (the window falls back to one page), "
                     "so both designs read every page on its own: cache %s disk requests, "
                     "naive %s." % (fmt(med(rows, "disk_reqs", policy="cache", **rr)),
                                    fmt(med(rows, "disk_reqs", policy="naive", **rr))))
        out.append(line)
    return out


def oom_notes(rows):
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
            out.append("- %s, %d sharers of %s (%s): in %d of %d repetitions the kernel killed "
                       "%s sharer(s) for want of memory (median; %g of %d had read the whole "
                       "file by then). %d private copies of %s pages do not fit the %s free "
                       "pages of the 128 MiB machine, so its pages used are what fitted, not "
                       "%d copies." % (
                           g[0]["policy"], n, g[0]["file"], machine, len(g), len(allruns),
                           "%g" % killed if killed is not None else "?",
                           stat(g, "sharers_done").med, n, n,
                           fmt(num(g[0]["file_pages"])), fmt(stat(g, "free0").med), n))
    return out


def window_table(rows):
    lines = ["| workload | read-ahead | fault-around | faults | disk requests | modelled ms | "
             "guest CPU ms |", "|---|---|---|---|---|---|---|"]
    ws = [r for r in select(rows, policy="cache", file="f4", state="cold")
          if r["workload"] in ("seqread", "randread")]
    keys = sorted({(r["workload"], int(r["ra"]), int(r["fa"])) for r in ws})
    for w, ra, fa in keys:
        rs = [r for r in ws if (r["workload"], int(r["ra"]), int(r["fa"])) == (w, ra, fa)]
        lines.append("| %s | %s | %d | %s | %s | %s | %s |" % (
            w, "off" if ra <= 1 else "on (%d)" % ra, fa, spread(stat(rs, "faults")),
            spread(stat(rs, "disk_reqs")), spread(stat(rs, "model_ns"), ms),
            spread(stat(rs, "cpu_ns"), ms)))
    return lines if keys else []


def smp_table(rows):
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
            lines.append("| %d | %s | %s | %s | %s | %d of %d | %d |" % (
                n, g[0]["file"], p, spread(stat(g, "time_ns"), ms), spread(stat(g, "pages_used")),
                done, len(g), len(g)))
    return lines


def write(outdir, rows, run, req_us, kib_us):
    gs = goals(rows)
    cs = cases(rows)
    reps = max((int(r["rep"]) for r in rows), default=0) + 1
    out = ["# pcv6 benchmark summary", "",
           "Generated by `scripts/summary.py` from `bench.csv`; every number below is a "
           "median over the repetitions of a case with its min–max in parentheses (one value "
           "when all repetitions agree)."]
    if run:
        out.append("Run: %s, %s repetitions (the policies alternating which goes first), "
                   "%s icount machine(s) side by side, %s s in all%s." % (
                       run.get("date", "?"), run.get("reps", reps), run.get("jobs", "?"),
                       run.get("seconds", {}).get("total", "?"),
                       ", **bench-quick: small files, one repetition**" if run.get("quick")
                       else ""))
    out += ["",
            "**Clocks.** Measured inside the guest under `qemu-system-riscv64 -machine virt "
            "-smp 1 -icount shift=0,sleep=off`, where one instruction is one nanosecond of "
            "virtual time:",
            "",
            "- *guest CPU time* = cycle-counter delta minus `idle_cycles` (time the hart "
            "waited in `wfi`): the instructions the guest executed, at a nominal 1 GHz. "
            "It does not include any disk time.",
            "- *modelled time* = guest CPU time + %g µs per disk request + %g µs per KiB "
            "moved (a typical SATA SSD; `--req-us`, `--kib-us`). Requests are charged one "
            "after another, even when the page cache keeps several in flight." % (req_us, kib_us),
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
            "| goal | target | measured | verdict |", "|---|---|---|---|"]
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
                "no windows (see its seqread/randread rows above).", ""] + wt
    st = smp_table(rows)
    if st:
        out += ["", "## Sharers at -smp 3 (no icount: host wall-clock, noisy)", "",
                "Three harts on a shared 2-core host; these times say that concurrent "
                "mapping works and roughly how it scales, nothing more. The file is 1 MiB "
                "to keep the run short (disk requests without icount cost about 1 ms of "
                "host time each).", ""] + st
    hf = os.path.join(outdir, "hyperfine.md")
    if os.path.exists(hf):
        out += ["", "## Host-side cross-check (hyperfine)", "", open(hf).read().strip()]
    out.append("")
    with open(os.path.join(outdir, "summary.md"), "w") as f:
        f.write("\n".join(out))
    return gs


README_BEGIN = "<!-- bench-goals:begin -->"
README_END = "<!-- bench-goals:end -->"


def update_readme(path, gs, run):
    with open(path) as f:
        text = f.read()
    a, b = text.find(README_BEGIN), text.find(README_END)
    if a < 0 or b < a:
        print("summary: %s has no %s ... %s markers" % (path, README_BEGIN, README_END),
              file=sys.stderr)
        return 1
    when = " (%s, %s repetitions)" % (run.get("date", "?"), run.get("reps", "?")) if run else ""
    table = ["", "Generated by `scripts/summary.py` from `results/bench.csv`%s." % when, "",
             "| goal | target | measured | verdict |", "|---|---|---|---|"]
    table += [g.row() for g in gs] + [""]
    text = text[:a + len(README_BEGIN)] + "\n".join(table) + text[b:]
    with open(path, "w") as f:
        f.write(text)
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description="Summarise results/bench.csv.")
    ap.add_argument("dir", nargs="?", default="results")
    ap.add_argument("--req-us", type=float, help="disk cost per request (µs)")
    ap.add_argument("--kib-us", type=float, help="disk cost per KiB (µs)")
    ap.add_argument("--readme", help="also put the goals table into this file")
    args = ap.parse_args(argv)
    rows = load(os.path.join(args.dir, "bench.csv"))
    if not rows:
        print("summary: no rows in %s/bench.csv" % args.dir, file=sys.stderr)
        return 1
    req_us = args.req_us if args.req_us is not None else num(rows[0]["req_us"])
    kib_us = args.kib_us if args.kib_us is not None else num(rows[0]["kib_us"])
    model(rows, req_us, kib_us)
    run = None
    rp = os.path.join(args.dir, "run.json")
    if os.path.exists(rp):
        with open(rp) as f:
            run = json.load(f)
    gs = write(args.dir, rows, run, req_us, kib_us)
    if args.readme and update_readme(args.readme, gs, run) != 0:
        return 1
    met = sum(1 for g in gs if g.met)
    print("summary: %s/summary.md: %d of %d goals met" % (args.dir, met,
                                                          sum(1 for g in gs if g.met is not None)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
