#!/usr/bin/python3
"""plot.py -- draw the benchmark plots from results/bench.csv and the traces.

Usage: scripts/plot.py [DIR] [--req-us US] [--kib-us US]

Writes into DIR (default results/):
  time.png       modelled and guest CPU time per workload
  faults.png     faults and disk requests per workload
  sharers.png    pages used and time against the number of sharers
  dirty.png      pages written back against the fraction of pages dirtied
  window.png     time and faults against the fault-around window
  size.png       time against file size
  faultmap.png   page index against order of access, from the fault trace
  process.png    fork + exec + exit: time and pages copied; fork of a
                 touched heap: pages copied against a copying fork's
  shells.png     pages used by N shells, and ps's split of their pages
  start.png      a program started cold and warm: disk requests, faults
  scan.png       cost per page of scanning anonymous memory and files
  adaptive.png   faults of a warm remap against adaptive fault-around's
                 ceiling, and with megapages
  pagefault.png  instructions per page of lat_pagefault's shape: naive,
                 the cache today and now (and its variants), anonymous memory
  bandwidth.png  instructions per MiB of bw_file_rd and bw_mmap_rd, and
                 the warm byte-sum through read() and a mapping
Every plot shows medians over the repetitions with min-max bars, names its
clock, and keeps one colour per design (naive red, page cache blue).
Re-runnable on an existing CSV: nothing here runs QEMU.
"""

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from benchdata import (FAULTAROUND_DEFAULT, POLICIES, READAHEAD_DEFAULT,  # noqa: E402
                       WORKLOADS, Stat, add_model, exec_mapped_any, knob_known, load, select,
                       stat)

COLOUR = {"naive": "#c0392b", "cache": "#1f5fa8", "anon": "#7f7f7f"}
# The page cache before issue 16 ("today": benchdata.VARIANTS), a paler blue.
TODAY = "#8fb3dd"
LABEL = {"naive": "naive (xv6 lab)", "cache": "page cache", "anon": "anonymous memory"}
MARK = {"major": ("x", "#000000"), "minor": ("+", "#e67e22"),
        "around": (".", "#27ae60"), "ahead": ("s", "#8e44ad")}

Cases = list[tuple[str, dict]]  # (label on the plot, selection)


def err(st: Stat) -> tuple[float, float]:
    """The error bar of a median: how far min and max lie from it."""
    return st.med - st.lo, st.hi - st.med


def clocknote(rows: list[dict]) -> str:
    r = rows[0]
    return ("medians of every repetition, bars min–max; modelled = guest CPU + "
            f"{r['_req_us']:g} µs/request + {r['_kib_us']:g} µs/KiB")


def workloads(rows: list[dict]) -> tuple[Cases, str]:
    """The workloads of the per-workload plots: benchdata's that have a
    plot label, or (bench-quick) every case at the default windows."""
    got = [(w.plot, w.sel) for w in WORKLOADS if w.plot and select(rows, **w.sel)]
    if got:
        return got, "32 MiB and 16 MiB files"
    small = {}
    for r in select(rows):
        if (r.get("fa"), r.get("ra")) != (str(FAULTAROUND_DEFAULT), str(READAHEAD_DEFAULT)):
            continue  # the window sweep's runs: their own plot
        key = (r["workload"], r["phase"], r["param"], r["file"], r["state"])
        small.setdefault(key, dict(workload=r["workload"], phase=r["phase"], param=r["param"],
                                   file=r["file"], state=r["state"], fa=FAULTAROUND_DEFAULT,
                                   ra=READAHEAD_DEFAULT))
    return [(f"{k[0]} {k[1]}\n{k[3]} {k[4]}", s) for k, s in sorted(small.items())], \
        "bench-quick files"


def bars(ax, rows: list[dict], cases: Cases, metric: str, scale: float, ylabel: str,
         log: bool = True) -> None:
    width = 0.38
    for i, p in enumerate(POLICIES + ("anon",)):
        xs, ys, lo, hi = [], [], [], []
        for j, (_, sel) in enumerate(cases):
            st = stat(select(rows, policy=p, **sel), metric, scale)
            if st.med is None:
                continue
            off = 0 if p == "anon" else (i - 0.5) * width
            xs.append(j + off)
            ys.append(max(st.med, 1e-9))
            below, above = err(st)
            lo.append(below)
            hi.append(above)
        if xs:
            ax.bar(xs, ys, width, color=COLOUR[p], label=LABEL[p],
                   yerr=[lo, hi], capsize=2, ecolor="#333333")
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels([c[0] for c in cases], fontsize=7)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)


def plot_time(rows: list[dict], d: Path) -> None:
    cases, what = workloads(rows)
    fig, axs = plt.subplots(2, 1, figsize=(12, 8))
    bars(axs[0], rows, cases, "model_ns", 1e6, "modelled time, ms (log scale)")
    axs[0].set_title(f"Time per workload: the page cache against the naive design ({what})")
    bars(axs[1], rows, cases, "cpu_ns", 1e6, "guest CPU time, ms (log scale)")
    axs[1].set_title("Guest CPU time only (instructions executed, 1 ns each under icount)")
    fig.text(0.01, 0.005, clocknote(rows), fontsize=7)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(d / "time.png", dpi=110)
    plt.close(fig)


def plot_faults(rows: list[dict], d: Path) -> None:
    cases, what = workloads(rows)
    cases = [c for c in cases if c[1]["workload"] != "memscan"]
    fig, axs = plt.subplots(2, 1, figsize=(12, 8))
    bars(axs[0], rows, cases, "faults", 1, "page faults (log scale)")
    axs[0].set_title(f"Page faults per workload ({what})")
    bars(axs[1], rows, cases, "disk_reqs", 1, "disk requests, read + write (log scale)")
    axs[1].set_title("Disk requests per workload")
    fig.tight_layout()
    fig.savefig(d / "faults.png", dpi=110)
    plt.close(fig)


def line(ax, rows: list[dict], xs: list, sel_of: Callable[[object], dict], metric: str,
         scale: float, p: str, label: str | None = None, style: str = "-o") -> list:
    px, py, lo, hi = [], [], [], []
    for x in xs:
        st = stat(select(rows, policy=p, **sel_of(x)), metric, scale)
        if st.med is None:
            continue
        px.append(x)
        py.append(st.med)
        below, above = err(st)
        lo.append(below)
        hi.append(above)
    if px:
        ax.errorbar(px, py, yerr=[lo, hi], fmt=style, color=COLOUR[p], capsize=3,
                    label=label or LABEL[p])
    return px


def plot_sharers(rows: list[dict], d: Path) -> None:
    ns = sorted({int(r["param"]) for r in select(rows, workload="sharers")})
    if not ns:
        return
    f = select(rows, workload="sharers")[0]["file"]
    fig, axs = plt.subplots(1, 2, figsize=(12, 4.8))
    for p in POLICIES:
        line(axs[0], rows, ns, lambda n: dict(workload="sharers", param=n, phase="all"),
             "pages_used", 1, p)
    fp = float(select(rows, workload="sharers")[0]["file_pages"])
    axs[0].axhline(fp, color="#555555", ls=":", label=f"the file's pages ({int(fp)})")
    # Runs in which the kernel killed a sharer for want of memory: their
    # pages are what was held when the survivors had read the file.
    for n in sorted({int(r["param"]) for r in select(rows, workload="sharers", phase="nomem")}):
        bad = select(rows, workload="sharers", phase="nomem", param=n)
        st = stat(bad, "pages_used")
        killed = stat(bad, "sharers_killed")
        p = bad[0]["policy"]
        axs[0].plot([n], [st.med], "X", color=COLOUR[p], ms=10)
        how_many = f"{killed.med:g}" if killed.med is not None else "some"
        axs[0].annotate(f"{p}: out of memory,\n{how_many} of {n} killed",
                        (n, st.med), textcoords="offset points", xytext=(-10, -30),
                        color=COLOUR[p], fontsize=8, ha="right")
    axs[0].set_xlabel("processes mapping the same file")
    axs[0].set_ylabel("pages used while all hold it (4 KiB pages)")
    axs[0].set_xscale("log", base=2)
    axs[0].set_title(f"Physical pages used vs number of sharers ({f}, cold)")
    axs[0].legend(fontsize=8)
    axs[0].grid(alpha=0.3)
    for p in POLICIES:
        line(axs[1], rows, ns, lambda n: dict(workload="sharers", param=n), "model_ns", 1e6, p,
             LABEL[p] + ", modelled (icount)")
    smp = select(rows, machine="smp3")
    for p in POLICIES:
        xs = sorted({int(r["param"]) for r in smp})
        px, py = [], []
        for n in xs:
            st = stat([r for r in smp if r["policy"] == p and int(r["param"]) == n],
                      "time_ns", 1e6)
            if st.med is not None:
                px.append(n)
                py.append(st.med)
        if px:
            axs[1].plot(px, py, "--s", color=COLOUR[p], alpha=0.6, mfc="none",
                        label=f"{LABEL[p]}, host wall at -smp 3, {smp[0]['file']} (noisy)")
    axs[1].set_xscale("log", base=2)
    axs[1].set_yscale("log")
    axs[1].set_xlabel("processes mapping the same file")
    axs[1].set_ylabel("time until all have read it, ms (log scale)")
    axs[1].set_title("Time vs number of sharers")
    axs[1].legend(fontsize=7)
    axs[1].grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(d / "sharers.png", dpi=110)
    plt.close(fig)


def plot_dirty(rows: list[dict], d: Path) -> None:
    ks = sorted({int(r["param"]) for r in select(rows, workload="dirty")}, reverse=True)
    if not ks:
        return
    f = select(rows, workload="dirty")[0]["file"]
    fig, axs = plt.subplots(1, 2, figsize=(12, 4.8))
    xs = [1.0 / k for k in ks]
    for p in POLICIES:
        line(axs[0], rows, xs, lambda x: dict(workload="dirty", param=round(1 / x)),
             "writeback_pages", 1, p)
        line(axs[1], rows, xs, lambda x: dict(workload="dirty", param=round(1 / x)),
             "model_ns", 1e6, p)
    dp = [stat(select(rows, workload="dirty", param=k), "dirty_pages").med for k in ks]
    axs[0].plot(xs, dp, ":", color="#555555", label="pages stored to")
    for ax in axs:
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("fraction of the file's pages stored to (log scale)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axs[0].set_ylabel("pages written back at munmap (log scale)")
    axs[0].set_title(f"Pages written back vs dirty fraction ({f}, every page read)")
    axs[1].set_ylabel("modelled time, ms (log scale)")
    axs[1].set_title("Map, read all, store, munmap: modelled time")
    fig.tight_layout()
    fig.savefig(d / "dirty.png", dpi=110)
    plt.close(fig)


def plot_window(rows: list[dict], d: Path) -> None:
    ws = [r for r in select(rows, policy="cache", file="f4", state="cold")
          if r["workload"] in ("seqread", "randread") and r["phase"] == "touch"]
    fas = sorted({int(r["fa"]) for r in ws})
    if len(fas) < 2:
        return
    fig, axs = plt.subplots(1, 2, figsize=(12, 4.8))
    ra_on = READAHEAD_DEFAULT
    styles = {("seqread", 0): "-o", ("seqread", ra_on): "-s", ("randread", 0): "--o",
              ("randread", ra_on): "--s"}
    shades = {0: "#7fa7d6", ra_on: COLOUR["cache"]}
    for (w, ra), style in styles.items():
        for ax, metric, scale in ((axs[0], "model_ns", 1e6), (axs[1], "faults", 1)):
            px, py = [], []
            for fa in fas:
                s = stat([r for r in ws if r["workload"] == w and int(r["ra"]) == ra and
                          int(r["fa"]) == fa], metric, scale)
                if s.med is not None:
                    px.append(fa)
                    py.append(s.med)
            if px:
                ax.plot(px, py, style, color=shades[ra],
                        label=f"{w}, read-ahead {'off' if ra == 0 else 'on'}")
    for w, ls in (("seqread", "-"), ("randread", "--")):
        for ax, metric, scale in ((axs[0], "model_ns", 1e6), (axs[1], "faults", 1)):
            s = stat(select(rows, policy="naive", workload=w, file="f4", state="cold"), metric,
                     scale)
            if s.med is not None:
                ax.axhline(s.med, color=COLOUR["naive"], ls=ls, lw=1,
                           label=f"naive {w} (no windows)")
    for ax in axs:
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("fault-around window, pages (log scale)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axs[0].set_ylabel("modelled time, ms (log scale)")
    axs[0].set_title("Time vs fault-around window (4 MiB file, cold)")
    axs[1].set_ylabel("page faults (log scale)")
    axs[1].set_title("Faults vs fault-around window (4 MiB file, cold)")
    fig.tight_layout()
    fig.savefig(d / "window.png", dpi=110)
    plt.close(fig)


def plot_size(rows: list[dict], d: Path) -> None:
    cold = dict(workload="seqread", phase="touch", state="cold", fa=FAULTAROUND_DEFAULT,
                ra=READAHEAD_DEFAULT)
    files = {}
    for r in select(rows, **cold):
        files[r["file"]] = int(r["param"])
    if len(files) < 2:
        return
    sizes = sorted(set(files.values()))
    byname = {v: k for k, v in files.items()}
    fig, ax = plt.subplots(figsize=(7, 5))
    for p in POLICIES:
        sel = lambda mib: dict(cold, file=byname[mib])  # noqa: E731
        line(ax, rows, sizes, sel, "model_ns", 1e6, p, LABEL[p] + ", modelled")
        line(ax, rows, sizes, sel, "cpu_ns", 1e6, p, LABEL[p] + ", guest CPU", style=":^")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("file size, MiB (log scale)")
    ax.set_ylabel("time, ms (log scale)")
    ax.set_title("seqread (cold) time vs file size")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(d / "size.png", dpi=110)
    plt.close(fig)


def read_trace(path: Path) -> list[dict] | None:
    if not path.exists():
        return None
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def plot_faultmap(d: Path) -> None:
    panels = [(w, p) for w in ("seqread", "randread") for p in POLICIES]
    traces = {(w, p): read_trace(d / f"trace-{w}-{p}.csv") for w, p in panels}
    if not any(traces.values()):
        return
    names = {"major": "fault, read from disk", "minor": "fault, no disk read",
             "around": "mapped by fault-around", "ahead": "read ahead"}
    fig, axs = plt.subplots(2, 2, figsize=(12, 9))
    for ax, (w, p) in zip(axs.flat, panels):
        ev = traces[(w, p)] or []
        for kind, (m, c) in MARK.items():
            pts = [(int(e["seq"]), int(e["pgno"])) for e in ev if e["kind"] == kind]
            if pts:
                ax.scatter([x for x, _ in pts], [y for _, y in pts], s=6, marker=m, color=c,
                           label=f"{names[kind]} ({len(pts)})", linewidths=0.8)
        ax.set_title(f"{w}, {LABEL[p]}: {len(ev)} events", color=COLOUR[p])
        ax.set_xlabel("order of events in the fault trace")
        ax.set_ylabel("page index in the file")
        ax.legend(fontsize=7, markerscale=2, loc="lower right")
        ax.grid(alpha=0.3)
    f = (traces[panels[0]] or [{}])[0].get("command", "").split()[-1:] or ["?"]
    fig.suptitle("Fault map: which page each fault, fault-around and read-ahead touched, in "
                 f"order (file {f[0]}, cold; vmctl trace)")
    fig.tight_layout()
    fig.savefig(d / "faultmap.png", dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------- processes

# The policy knob as exec reads it (the workloads of processes).
EXEC_LABEL = {"naive": "naive policy:\nexec copies the program",
              "cache": "cache policy:\nexec may map it from the cache"}


def exec_note(rows: list[dict]) -> str:
    """Says so when no run mapped a page of a program from the cache."""
    rs = [r for r in rows if r["workload"] in ("forkexec", "shells", "start")]
    if rs and not exec_mapped_any(rs):
        return "no run mapped a page of a program from the cache: exec copied it under both policies"
    return "naive: exec copies the program; cache: exec maps it from the page cache"


def label_bars(ax, bars_, fmt_: str = "{:.0f}") -> None:
    for b in bars_:
        ax.annotate(fmt_.format(b.get_height()), (b.get_x() + b.get_width() / 2,
                                                  b.get_height()),
                    ha="center", va="bottom", fontsize=7)


def policy_bars(ax, rows: list[dict], metric: str, scale: float = 1.0,
                fmt_: str = "{:.0f}") -> None:
    """One bar per policy: the median of metric, min-max bars."""
    for i, p in enumerate(POLICIES):
        st = stat([r for r in rows if r["policy"] == p], metric, scale)
        if st.med is None:
            continue
        b = ax.bar([i], [st.med], 0.6, color=COLOUR[p], yerr=[[st.med - st.lo],
                                                              [st.hi - st.med]], capsize=3)
        label_bars(ax, b, fmt_)
    ax.set_xticks(range(len(POLICIES)))
    ax.set_xticklabels([EXEC_LABEL[p] for p in POLICIES], fontsize=8)
    ax.grid(axis="y", alpha=0.3)


def headroom(ax, factor: float = 1.3) -> None:
    """Room above the bars for their labels and the legend; 0 at the bottom."""
    top = ax.get_ylim()[1]
    ax.set_ylim(0, max(top, 1) * factor)


def plot_process(rows: list[dict], d: Path) -> None:
    fe = select(rows, workload="forkexec")
    fk = select(rows, workload="forkheap")
    if not fe and not fk:
        return
    fig, axs = plt.subplots(1, 3, figsize=(14, 4.8))
    if fe:
        n, prog = fe[0]["param"], fe[0]["file"]
        policy_bars(axs[0], fe, "cpu_ns", 1e6, "{:.1f}")
        axs[0].set_ylabel("guest CPU time, ms")
        axs[0].set_title(f"fork + exec + exit of {prog}, x{n} (warm)")
        for i, p in enumerate(POLICIES):
            rs = [r for r in fe if r["policy"] == p]
            ex, cow = stat(rs, "exec_copied_pages").med, stat(rs, "cow_copies").med
            if ex is None:
                continue
            axs[1].bar([i], [ex], 0.6, color=COLOUR[p], label="copied by exec" if i == 0 else None)
            axs[1].bar([i], [cow], 0.6, bottom=[ex], color=COLOUR[p], alpha=0.45, hatch="//",
                       label="copied by stores (copy-on-write)" if i == 0 else None)
            axs[1].annotate(f"{ex + cow:.0f}", (i, ex + cow), ha="center", va="bottom",
                            fontsize=7)
        axs[1].set_xticks(range(len(POLICIES)))
        axs[1].set_xticklabels([EXEC_LABEL[p] for p in POLICIES], fontsize=8)
        axs[1].set_ylabel("pages copied (4 KiB)")
        axs[1].set_title(f"Pages copied by {n} fork + exec + exit")
        headroom(axs[1])
        axs[1].legend(fontsize=7)
        axs[1].grid(axis="y", alpha=0.3)
    if fk:
        f0 = [r for r in fk if r["phase"] == "fork"]
        s0 = [r for r in fk if r["phase"] == "store"]
        names = ["a copying fork\nwould copy", "copied\nat fork", "allocated\nat fork",
                 "copied by the\nstores after"]
        vals = [stat(f0, "fork_shared_pages").med, stat(f0, "cow_copies").med,
                stat(f0, "pages_used").med, stat(s0, "cow_copies").med]
        colours = ["#bbbbbb", COLOUR["anon"], COLOUR["anon"], COLOUR["anon"]]
        xs = [i for i, v in enumerate(vals) if v is not None]
        b = axs[2].bar(xs, [vals[i] for i in xs], 0.6, color=[colours[i] for i in xs])
        label_bars(axs[2], b)
        axs[2].set_xticks(range(len(names)))
        axs[2].set_xticklabels(names, fontsize=7)
        axs[2].set_ylabel("pages (4 KiB)")
        t = stat(f0, "cpu_ns", 1e6).med
        axs[2].set_title(f"fork of a {fk[0]['param']} MiB touched heap (copy-on-write; "
                         f"fork {t:.2f} ms)" if t is not None else "fork of a touched heap",
                         fontsize=9)
        axs[2].grid(axis="y", alpha=0.3)
    fig.text(0.01, 0.005, f"guest CPU time under icount; medians, bars min–max. {exec_note(rows)}",
             fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(d / "process.png", dpi=110)
    plt.close(fig)


def plot_shells(rows: list[dict], d: Path) -> None:
    sh = select(rows, workload="shells")
    if not sh:
        return
    ns = sorted({int(r["param"]) for r in sh})
    text = stat(sh, "prog_text_pages").med or 0
    fig, axs = plt.subplots(1, 2, figsize=(12, 4.8))
    for p in POLICIES:
        line(axs[0], rows, ns, lambda n: dict(workload="shells", param=n), "pages_used", 1, p,
             EXEC_LABEL[p].replace("\n", " "))
    nv = [stat(select(rows, workload="shells", param=n, policy="naive"), "pages_used").med
          for n in ns]
    if all(v is not None for v in nv):
        axs[0].plot(ns, [v - n * text for v, n in zip(nv, ns)], ":", color="#555555",
                    label=f"naive less one copy of sh's text ({text:.0f} pages) per shell")
    axs[0].set_xscale("log", base=2)
    axs[0].set_xlabel("shells running at once")
    axs[0].set_ylabel("pages used (4 KiB), page tables included")
    axs[0].set_title("Physical pages used by N shells (warm)")
    axs[0].legend(fontsize=7)
    axs[0].grid(alpha=0.3)
    top = ns[-1]
    kinds = [("sh_file_pages", "file", 1.0), ("sh_anon_pages", "anon", 0.6),
             ("sh_shared_pages", "shared", 0.3)]
    for i, p in enumerate(POLICIES):
        rs = select(rows, workload="shells", param=top, policy=p)
        bottom = 0.0
        for metric, name, alpha in kinds:
            v = stat(rs, metric).med
            if v is None:
                continue
            axs[1].bar([i], [v / top], 0.6, bottom=[bottom], color=COLOUR[p], alpha=alpha,
                       edgecolor="#333333", label=f"{name}" if p == POLICIES[0] else None)
            if v:
                axs[1].annotate(f"{name} {v / top:.1f}", (i, bottom + v / top / 2),
                                ha="center", va="center", fontsize=7)
            bottom += v / top
    axs[1].set_xticks(range(len(POLICIES)))
    axs[1].set_xticklabels([EXEC_LABEL[p] for p in POLICIES], fontsize=8)
    axs[1].set_ylabel("resident pages per shell (ps: file + anon + shared)")
    axs[1].set_title(f"What ps shows for each of {top} shells")
    axs[1].grid(axis="y", alpha=0.3)
    fig.text(0.01, 0.005, f"medians, bars min–max. {exec_note(rows)}", fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(d / "shells.png", dpi=110)
    plt.close(fig)


def plot_start(rows: list[dict], d: Path) -> None:
    st = select(rows, workload="start")
    if not st:
        return
    prog = st[0]["file"]
    fig, axs = plt.subplots(1, 3, figsize=(14, 4.6))
    panels = [("disk_reqs", 1, "disk requests"), ("faults", 1, "page faults"),
              ("cpu_ns", 1e6, "guest CPU time, ms")]
    width = 0.38
    for ax, (metric, scale, ylabel) in zip(axs, panels):
        for i, p in enumerate(POLICIES):
            xs, ys = [], []
            for j, state in enumerate(("cold", "warm")):
                s_ = stat([r for r in st if r["policy"] == p and r["state"] == state], metric,
                          scale)
                if s_.med is not None:
                    xs.append(j + (i - 0.5) * width)
                    ys.append(s_.med)
            if xs:
                b = ax.bar(xs, ys, width, color=COLOUR[p], label=EXEC_LABEL[p].replace("\n", " "))
                label_bars(ax, b, "{:.1f}" if scale != 1 else "{:.0f}")
        headroom(ax)
        ax.set_xticks([0, 1])
        ax.set_xticklabels(["cold (vmctl drop)", "warm"])
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7)
    axs[0].set_title(f"start {prog}: disk requests (warm goal: 0)")
    axs[1].set_title(f"start {prog}: faults")
    axs[2].set_title(f"start {prog}: guest CPU time")
    fig.text(0.01, 0.005, f"medians over the repetitions. {exec_note(rows)}", fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(d / "start.png", dpi=110)
    plt.close(fig)


def plot_scan(rows: list[dict], d: Path) -> None:
    anon = select(rows, workload="anonscan")
    if not anon:
        return
    f = anon[0]["file"]
    pages = float(anon[0]["file_pages"])
    fa, ra = FAULTAROUND_DEFAULT, READAHEAD_DEFAULT
    cases = [("anonymous mapping,\nfirst touch", anon, "anon"),
             ("heap, filled\nbeforehand (memscan)", select(rows, workload="memscan", file=f),
              "anon")]
    for state in ("warm", "cold"):
        for p in POLICIES:
            cases.append((f"file mapping,\n{state}, {p}",
                          select(rows, workload="seqread", phase="sum", file=f, state=state,
                                 policy=p, fa=fa, ra=ra), p))
    cases = [c for c in cases if c[1]]
    fig, ax = plt.subplots(figsize=(10, 4.8))
    for i, (label, rs, colour) in enumerate(cases):
        st = stat(rs, "cpu_ns", pages)
        b = ax.bar([i], [st.med], 0.6, color=COLOUR[colour],
                   yerr=[[st.med - st.lo], [st.hi - st.med]], capsize=3)
        label_bars(ax, b)
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels([c[0] for c in cases], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("guest CPU ns per page (log scale)")
    ax.set_title(f"Byte-sum over {pages:.0f} pages ({f}): map, touch, unmap — cost per page")
    ax.grid(axis="y", alpha=0.3)
    fig.text(0.01, 0.005, "guest CPU time under icount (no disk time); medians, bars min–max",
             fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(d / "scan.png", dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------- issue 16

def med_bar(ax, x: float, rs: list[dict], metric: str, scale: float, colour: str,
            fmt_: str = "{:.0f}", **kw) -> None:
    """One bar: the median of metric over rs, min-max bars, its value on top."""
    st = stat(rs, metric, scale)
    if st.med is None:
        return
    b = ax.bar([x], [st.med], 0.6, color=colour, yerr=[[st.med - st.lo], [st.hi - st.med]],
               capsize=3, **kw)
    label_bars(ax, b, fmt_)


def plot_adaptive(rows: list[dict], d: Path) -> None:
    sweep = select(rows, variant="famax", workload="remap", phase="second")
    if not sweep:
        return
    f = sweep[0]["file"]
    ms_ = sorted({int(r["famax"]) for r in sweep})
    defaults = select(rows, policy="cache", workload="remap", phase="second", file=f)
    mega = knob_known(defaults, "mega")
    fig, axs = plt.subplots(1, 2, figsize=(12, 4.8))
    for ax, metric, scale, ylabel in ((axs[0], "faults", 1, "page faults (log scale)"),
                                      (axs[1], "cpu_ns", 1e6, "guest CPU time, ms")):
        ys = [stat([r for r in sweep if int(r["famax"]) == m], metric, scale) for m in ms_]
        ax.errorbar(ms_, [y.med for y in ys], yerr=[[y.med - y.lo for y in ys],
                                                    [y.hi - y.med for y in ys]],
                    fmt="-o", color=COLOUR["cache"], capsize=3,
                    label="adaptive fault-around, megapages off")
        ax.plot([ms_[0]], [ys[0].med], "s", color=TODAY, ms=10, zorder=3,
                label=f"fixed windows of {ms_[0]} (before issue 16)")
        st = stat(defaults, metric, scale)
        if st.med is not None:
            ax.axhline(st.med, color=COLOUR["cache"], ls=":" if mega else "--", lw=1.5,
                       label="the kernel's defaults, megapages on" if mega else
                       "the kernel's defaults (no megapages in this kernel)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("adaptive fault-around's ceiling famax, pages (log scale)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axs[0].set_yscale("log")
    if f == "s32":
        axs[0].axhline(128, color="#555555", ls="-.", lw=1, label="goal: 128 (adaptive)")
        axs[0].axhline(16, color="#555555", ls=(0, (1, 3)), lw=1, label="goal: 16 (megapages)")
        axs[0].legend(fontsize=7)
    axs[0].set_title(f"Faults of a warm remap of {f} vs window ceiling and megapages")
    axs[1].set_title(f"Warm remap of {f}: guest CPU time (map, touch, unmap)")
    fig.text(0.01, 0.005, "second pass of `bench -c warm remap`; page cache; medians, bars "
             "min–max; guest CPU time under icount", fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(d / "adaptive.png", dpi=110)
    plt.close(fig)


PF_CASES = [("naive", "default", dict(policy="naive", phase="file"), COLOUR["naive"]),
            ("cache, today\n(before issue 16)", "today", dict(policy="cache", phase="file"),
             TODAY),
            ("cache,\nlockless 0", "locked", dict(policy="cache", phase="file"), TODAY),
            ("cache,\nmega 0", "nomega", dict(policy="cache", phase="file"), TODAY),
            ("cache, now", "default", dict(policy="cache", phase="file"), COLOUR["cache"]),
            ("anonymous\nmemory", "default", dict(policy="anon", phase="anon"), COLOUR["anon"])]


def plot_pagefault(rows: list[dict], d: Path) -> None:
    pf = select(rows, variant=None, workload="pagefault")
    if not pf:
        return
    f = pf[0]["file"]
    cases = [(label, select(rows, variant=v, workload="pagefault", file=f, **sel), c)
             for label, v, sel, c in PF_CASES]
    cases = [c for c in cases if c[1]]
    pages = float(pf[0]["touched_pages"])
    fig, axs = plt.subplots(1, 2, figsize=(13, 4.8))
    for i, (label, rs, colour) in enumerate(cases):
        med_bar(axs[0], i, rs, "cpu_ns", pages, colour)
        med_bar(axs[1], i, rs, "faults", 1, colour)
    for ax in axs:
        ax.set_xticks(range(len(cases)))
        ax.set_xticklabels([c[0] for c in cases], fontsize=8)
        ax.set_yscale("log")
        ax.grid(axis="y", alpha=0.3)
    axs[0].set_ylabel("guest instructions per page (log scale)")
    axs[0].set_title(f"lat_pagefault shape, warm {f}: instructions per page touched")
    axs[1].set_ylabel("page faults (log scale)")
    axs[1].set_title(f"Faults for its {pages:.0f} pages")
    fig.text(0.01, 0.005, "one byte per page in a fixed pseudo-random order; the loads alone "
             "(mmap and munmap outside the clock); guest CPU under icount; medians, bars "
             "min–max; variants missing from this kernel are not drawn", fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(d / "pagefault.png", dpi=110)
    plt.close(fig)


def plot_bandwidth(rows: list[dict], d: Path) -> None:
    bw = select(rows, variant=None, workload="bw")
    if not bw:
        return
    mib = float(bw[0]["param"])
    f = bw[0]["file"]
    cases = []
    for how, shape in (("read", "bw_file_rd\n(read)"), ("mmap", "bw_mmap_rd\n(mmap)")):
        for p in POLICIES:
            for v in ("today", "default"):
                rs = select(rows, variant=v, workload="bw", phase=how, policy=p)
                if rs:
                    colour = COLOUR[p] if v == "default" else TODAY
                    cases.append((f"{shape},\n{p}{', today' if v == 'today' else ''}", rs,
                                  colour))
    rv = []
    for how in ("read", "mmap"):
        for v in ("today", "default"):
            rs = select(rows, variant=v, workload="readvsmap", phase=how, state="warm",
                        policy="cache")
            if rs:
                rv.append((f"byte-sum,\n{how}{', today' if v == 'today' else ''}", rs,
                           COLOUR["cache"] if v == "default" else TODAY))
    fig, axs = plt.subplots(1, 2 if rv else 1, figsize=(13 if rv else 8, 4.8), squeeze=False)
    ax = axs[0][0]
    for i, (label, rs, colour) in enumerate(cases):
        med_bar(ax, i, rs, "cpu_ns", mib * 1e3, colour)
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels([c[0] for c in cases], fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("thousands of guest instructions per MiB (log scale)")
    ax.set_title(f"bw_file_rd vs bw_mmap_rd, warm {f} (open to close): lower is faster")
    ax.grid(axis="y", alpha=0.3)
    if rv:
        ax = axs[0][1]
        rmib = float(rv[0][1][0]["file_pages"]) * 4096 / (1 << 20) if rv[0][1][0].get(
            "file_pages") else 16.0
        for i, (label, rs, colour) in enumerate(rv):
            med_bar(ax, i, rs, "cpu_ns", rmib * 1e3, colour)
        ax.set_xticks(range(len(rv)))
        ax.set_xticklabels([c[0] for c in rv], fontsize=8)
        ax.set_ylabel("thousands of guest instructions per MiB")
        ax.set_title("readvsmap, warm 16 MiB: read() into a buffer vs a mapping (goal: "
                     "mmap 2.5x faster)", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        headroom(ax, 1.15)
    fig.text(0.01, 0.005, "page cache blue, before issue 16 (today) pale, naive red; guest "
             "CPU time under icount (1 instruction = 1 ns); medians, bars min–max", fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(d / "bandwidth.png", dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Draw the pcv6 benchmark plots.")
    ap.add_argument("dir", nargs="?", default="results", type=Path)
    ap.add_argument("--req-us", type=float)
    ap.add_argument("--kib-us", type=float)
    args = ap.parse_args(argv)
    rows = load(args.dir / "bench.csv")
    if not rows:
        print(f"plot: no rows in {args.dir}/bench.csv", file=sys.stderr)
        return 1
    add_model(rows, args.req_us, args.kib_us)  # each row's own constants unless given
    plot_time(rows, args.dir)
    plot_faults(rows, args.dir)
    plot_sharers(rows, args.dir)
    plot_dirty(rows, args.dir)
    plot_window(rows, args.dir)
    plot_size(rows, args.dir)
    plot_faultmap(args.dir)
    plot_process(rows, args.dir)
    plot_shells(rows, args.dir)
    plot_start(rows, args.dir)
    plot_scan(rows, args.dir)
    plot_adaptive(rows, args.dir)
    plot_pagefault(rows, args.dir)
    plot_bandwidth(rows, args.dir)
    pngs = sorted(f.name for f in args.dir.glob("*.png"))
    print(f"plot: {', '.join(pngs)} in {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
