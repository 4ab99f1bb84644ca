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
Every plot shows medians over the repetitions with min-max bars, names its
clock, and keeps one colour per design (naive red, page cache blue).
Re-runnable on an existing CSV: nothing here runs QEMU.
"""

import argparse
import csv
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from summary import DEFAULT_FA, DEFAULT_RA, POLICIES  # noqa: E402  (beside this file)

COLOUR = {"naive": "#c0392b", "cache": "#1f5fa8", "anon": "#7f7f7f"}
LABEL = {"naive": "naive (xv6 lab)", "cache": "page cache", "anon": "anonymous memory"}
MARK = {"major": ("x", "#000000"), "minor": ("+", "#e67e22"),
        "around": (".", "#27ae60"), "ahead": ("s", "#8e44ad")}


def load(d, req_us, kib_us):
    with open(os.path.join(d, "bench.csv"), newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("ok") == "1"]
    for r in rows:
        ru = req_us if req_us is not None else float(r["req_us"])
        ku = kib_us if kib_us is not None else float(r["kib_us"])
        reqs = int(r["disk_read_reqs"]) + int(r["disk_write_reqs"])
        kib = int(r["disk_read_blocks"]) + int(r["disk_write_blocks"])
        r["disk_reqs"] = reqs
        r["model_ns"] = ("" if r["cpu_ns"] == "" else  # -smp 3 rows: no CPU time
                         int(r["cpu_ns"]) + reqs * ru * 1000 + kib * ku * 1000)
        r["_req_us"], r["_kib_us"] = ru, ku
    return rows


def pick(rows, machine="icount", **sel):
    return [r for r in rows if r["machine"] == machine and
            all(str(r.get(k)) == str(v) for k, v in sel.items())]


def mstat(rows, metric, scale=1.0):
    vals = [float(r[metric]) / scale for r in rows if r.get(metric) not in (None, "")]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def clocknote(rows):
    r = rows[0]
    return ("medians of every repetition, bars min–max; modelled = guest CPU + %g µs/request "
            "+ %g µs/KiB" % (r["_req_us"], r["_kib_us"]))


# The workloads of the per-workload plots: (label, selection).
def workloads(rows):
    big = [
        ("seqread\ncold", dict(workload="seqread", phase="touch", file="s32", state="cold",
                               fa=DEFAULT_FA, ra=DEFAULT_RA)),
        ("seqread sum\ncold", dict(workload="seqread", phase="sum", file="s32", state="cold",
                                   fa=DEFAULT_FA, ra=DEFAULT_RA)),
        ("seqread sum\nwarm", dict(workload="seqread", phase="sum", file="s32", state="warm",
                                   fa=DEFAULT_FA, ra=DEFAULT_RA)),
        ("randread\ncold", dict(workload="randread", file="s32", state="cold", fa=DEFAULT_FA,
                                ra=DEFAULT_RA)),
        ("remap\n1st pass", dict(workload="remap", phase="first", file="s32")),
        ("remap\n2nd pass", dict(workload="remap", phase="second", file="s32")),
        ("sharers\n8, cold", dict(workload="sharers", param=8, file="f16")),
        ("dirty\n1 in 16", dict(workload="dirty", param=16, file="d16")),
        ("private\ncold", dict(workload="private", file="f16", state="cold")),
        ("read()\ncold", dict(workload="readvsmap", phase="read", file="f16", state="cold")),
        ("mmap sum\ncold", dict(workload="readvsmap", phase="mmap", file="f16", state="cold")),
        ("memscan", dict(workload="memscan", file="s32")),
    ]
    got = [(l, s) for l, s in big if pick(rows, **s)]
    if got:
        return got, "32 MiB and 16 MiB files"
    small = {}
    for r in pick(rows):
        if (r.get("fa"), r.get("ra")) != (str(DEFAULT_FA), str(DEFAULT_RA)):
            continue  # the window sweep's runs: their own plot
        key = (r["workload"], r["phase"], r["param"], r["file"], r["state"])
        small.setdefault(key, dict(workload=r["workload"], phase=r["phase"], param=r["param"],
                                   file=r["file"], state=r["state"], fa=DEFAULT_FA,
                                   ra=DEFAULT_RA))
    return [("%s %s\n%s %s" % (k[0], k[1], k[3], k[4]), s) for k, s in sorted(small.items())], \
        "bench-quick files"


def bars(ax, rows, cases, metric, scale, ylabel, log=True):
    width = 0.38
    for i, p in enumerate(POLICIES + ("anon",)):
        xs, ys, lo, hi = [], [], [], []
        for j, (_, sel) in enumerate(cases):
            st = mstat(pick(rows, policy=p, **sel), metric, scale)
            if st is None:
                continue
            off = 0 if p == "anon" else (i - 0.5) * width
            xs.append(j + off)
            ys.append(max(st[0], 1e-9))
            lo.append(st[0] - st[1])
            hi.append(st[2] - st[0])
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


def plot_time(rows, d):
    cases, what = workloads(rows)
    fig, axs = plt.subplots(2, 1, figsize=(12, 8))
    bars(axs[0], rows, cases, "model_ns", 1e6, "modelled time, ms (log scale)")
    axs[0].set_title("Time per workload: the page cache against the naive design (%s)" % what)
    bars(axs[1], rows, cases, "cpu_ns", 1e6, "guest CPU time, ms (log scale)")
    axs[1].set_title("Guest CPU time only (instructions executed, 1 ns each under icount)")
    fig.text(0.01, 0.005, clocknote(rows), fontsize=7)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(os.path.join(d, "time.png"), dpi=110)
    plt.close(fig)


def plot_faults(rows, d):
    cases, what = workloads(rows)
    cases = [c for c in cases if c[1]["workload"] != "memscan"]
    fig, axs = plt.subplots(2, 1, figsize=(12, 8))
    bars(axs[0], rows, cases, "faults", 1, "page faults (log scale)")
    axs[0].set_title("Page faults per workload (%s)" % what)
    bars(axs[1], rows, cases, "disk_reqs", 1, "disk requests, read + write (log scale)")
    axs[1].set_title("Disk requests per workload")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "faults.png"), dpi=110)
    plt.close(fig)


def line(ax, rows, xs, sel_of, metric, scale, p, label=None, style="-o"):
    px, py, lo, hi = [], [], [], []
    for x in xs:
        st = mstat(pick(rows, policy=p, **sel_of(x)), metric, scale)
        if st is None:
            continue
        px.append(x)
        py.append(st[0])
        lo.append(st[0] - st[1])
        hi.append(st[2] - st[0])
    if px:
        ax.errorbar(px, py, yerr=[lo, hi], fmt=style, color=COLOUR[p], capsize=3,
                    label=label or LABEL[p])
    return px


def plot_sharers(rows, d):
    ns = sorted({int(r["param"]) for r in pick(rows, workload="sharers")})
    if not ns:
        return
    f = pick(rows, workload="sharers")[0]["file"]
    fig, axs = plt.subplots(1, 2, figsize=(12, 4.8))
    for p in POLICIES:
        line(axs[0], rows, ns, lambda n: dict(workload="sharers", param=n, phase="all"),
             "pages_used", 1, p)
    fp = float(pick(rows, workload="sharers")[0]["file_pages"])
    axs[0].axhline(fp, color="#555555", ls=":", label="the file's pages (%d)" % fp)
    # Runs in which the kernel killed a sharer for want of memory: their
    # pages are what was held when the survivors had read the file.
    for n in sorted({int(r["param"]) for r in pick(rows, workload="sharers", phase="nomem")}):
        bad = pick(rows, workload="sharers", phase="nomem", param=n)
        st = mstat(bad, "pages_used")
        killed = mstat(bad, "sharers_killed")
        p = bad[0]["policy"]
        axs[0].plot([n], [st[0]], "X", color=COLOUR[p], ms=10)
        axs[0].annotate("%s: out of memory,\n%s of %d killed" %
                        (p, "%g" % killed[0] if killed else "some", n),
                        (n, st[0]), textcoords="offset points", xytext=(-10, -30),
                        color=COLOUR[p], fontsize=8, ha="right")
    axs[0].set_xlabel("processes mapping the same file")
    axs[0].set_ylabel("pages used while all hold it (4 KiB pages)")
    axs[0].set_xscale("log", base=2)
    axs[0].set_title("Physical pages used vs number of sharers (%s, cold)" % f)
    axs[0].legend(fontsize=8)
    axs[0].grid(alpha=0.3)
    for p in POLICIES:
        line(axs[1], rows, ns, lambda n: dict(workload="sharers", param=n), "model_ns", 1e6, p,
             LABEL[p] + ", modelled (icount)")
    smp = [r for r in rows if r["machine"] == "smp3"]
    for p in POLICIES:
        xs = sorted({int(r["param"]) for r in smp})
        px, py = [], []
        for n in xs:
            st = mstat([r for r in smp if r["policy"] == p and int(r["param"]) == n],
                       "time_ns", 1e6)
            if st:
                px.append(n)
                py.append(st[0])
        if px:
            axs[1].plot(px, py, "--s", color=COLOUR[p], alpha=0.6, mfc="none",
                        label="%s, host wall at -smp 3, %s (noisy)" % (LABEL[p], smp[0]["file"]))
    axs[1].set_xscale("log", base=2)
    axs[1].set_yscale("log")
    axs[1].set_xlabel("processes mapping the same file")
    axs[1].set_ylabel("time until all have read it, ms (log scale)")
    axs[1].set_title("Time vs number of sharers")
    axs[1].legend(fontsize=7)
    axs[1].grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "sharers.png"), dpi=110)
    plt.close(fig)


def plot_dirty(rows, d):
    ks = sorted({int(r["param"]) for r in pick(rows, workload="dirty")}, reverse=True)
    if not ks:
        return
    f = pick(rows, workload="dirty")[0]["file"]
    fig, axs = plt.subplots(1, 2, figsize=(12, 4.8))
    xs = [1.0 / k for k in ks]
    for p in POLICIES:
        line(axs[0], rows, xs, lambda x: dict(workload="dirty", param=round(1 / x)),
             "writeback_pages", 1, p)
        line(axs[1], rows, xs, lambda x: dict(workload="dirty", param=round(1 / x)),
             "model_ns", 1e6, p)
    dp = [mstat(pick(rows, workload="dirty", param=k), "dirty_pages")[0] for k in ks]
    axs[0].plot(xs, dp, ":", color="#555555", label="pages stored to")
    for ax in axs:
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("fraction of the file's pages stored to (log scale)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axs[0].set_ylabel("pages written back at munmap (log scale)")
    axs[0].set_title("Pages written back vs dirty fraction (%s, every page read)" % f)
    axs[1].set_ylabel("modelled time, ms (log scale)")
    axs[1].set_title("Map, read all, store, munmap: modelled time")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "dirty.png"), dpi=110)
    plt.close(fig)


def plot_window(rows, d):
    ws = [r for r in pick(rows, policy="cache", file="f4", state="cold")
          if r["workload"] in ("seqread", "randread") and r["phase"] == "touch"]
    fas = sorted({int(r["fa"]) for r in ws})
    if len(fas) < 2:
        return
    fig, axs = plt.subplots(1, 2, figsize=(12, 4.8))
    styles = {("seqread", 0): "-o", ("seqread", DEFAULT_RA): "-s", ("randread", 0): "--o",
              ("randread", DEFAULT_RA): "--s"}
    shades = {0: "#7fa7d6", DEFAULT_RA: COLOUR["cache"]}
    for (w, ra), st in styles.items():
        for ax, metric, scale in ((axs[0], "model_ns", 1e6), (axs[1], "faults", 1)):
            px, py = [], []
            for fa in fas:
                s = mstat([r for r in ws if r["workload"] == w and int(r["ra"]) == ra and
                           int(r["fa"]) == fa], metric, scale)
                if s:
                    px.append(fa)
                    py.append(s[0])
            if px:
                ax.plot(px, py, st, color=shades[ra],
                        label="%s, read-ahead %s" % (w, "off" if ra == 0 else "on"))
    for w, ls in (("seqread", "-"), ("randread", "--")):
        for ax, metric, scale in ((axs[0], "model_ns", 1e6), (axs[1], "faults", 1)):
            s = mstat(pick(rows, policy="naive", workload=w, file="f4", state="cold"), metric,
                      scale)
            if s:
                ax.axhline(s[0], color=COLOUR["naive"], ls=ls, lw=1,
                           label="naive %s (no windows)" % w)
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
    fig.savefig(os.path.join(d, "window.png"), dpi=110)
    plt.close(fig)


def plot_size(rows, d):
    files = {}
    for r in pick(rows, workload="seqread", phase="touch", state="cold", fa=DEFAULT_FA,
                  ra=DEFAULT_RA):
        files[r["file"]] = int(r["param"])
    if len(files) < 2:
        return
    sizes = sorted(set(files.values()))
    byname = {v: k for k, v in files.items()}
    fig, ax = plt.subplots(figsize=(7, 5))
    for p in POLICIES:
        sel = lambda mib: dict(workload="seqread", phase="touch", state="cold",  # noqa
                               fa=DEFAULT_FA, ra=DEFAULT_RA, file=byname[mib])
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
    fig.savefig(os.path.join(d, "size.png"), dpi=110)
    plt.close(fig)


def read_trace(path):
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def plot_faultmap(d):
    panels = [(w, p) for w in ("seqread", "randread") for p in POLICIES]
    traces = {k: read_trace(os.path.join(d, "trace-%s-%s.csv" % k)) for k in panels}
    if not any(traces.values()):
        return
    fig, axs = plt.subplots(2, 2, figsize=(12, 9))
    for ax, (w, p) in zip(axs.flat, panels):
        ev = traces[(w, p)] or []
        for kind, (m, c) in MARK.items():
            pts = [(int(e["seq"]), int(e["pgno"])) for e in ev if e["kind"] == kind]
            if pts:
                names = {"major": "fault, read from disk", "minor": "fault, no disk read",
                         "around": "mapped by fault-around", "ahead": "read ahead"}
                ax.scatter([x for x, _ in pts], [y for _, y in pts], s=6, marker=m, color=c,
                           label="%s (%d)" % (names[kind], len(pts)), linewidths=0.8)
        ax.set_title("%s, %s: %d events" % (w, LABEL[p], len(ev)), color=COLOUR[p])
        ax.set_xlabel("order of events in the fault trace")
        ax.set_ylabel("page index in the file")
        ax.legend(fontsize=7, markerscale=2, loc="lower right")
        ax.grid(alpha=0.3)
    f = (traces[panels[0]] or [{}])[0].get("command", "").split()[-1:] or ["?"]
    fig.suptitle("Fault map: which page each fault, fault-around and read-ahead touched, in "
                 "order (file %s, cold; vmctl trace)" % f[0])
    fig.tight_layout()
    fig.savefig(os.path.join(d, "faultmap.png"), dpi=110)
    plt.close(fig)


def main(argv):
    ap = argparse.ArgumentParser(description="Draw the pcv6 benchmark plots.")
    ap.add_argument("dir", nargs="?", default="results")
    ap.add_argument("--req-us", type=float)
    ap.add_argument("--kib-us", type=float)
    args = ap.parse_args(argv)
    rows = load(args.dir, args.req_us, args.kib_us)
    if not rows:
        print("plot: no rows in %s/bench.csv" % args.dir, file=sys.stderr)
        return 1
    plot_time(rows, args.dir)
    plot_faults(rows, args.dir)
    plot_sharers(rows, args.dir)
    plot_dirty(rows, args.dir)
    plot_window(rows, args.dir)
    plot_size(rows, args.dir)
    plot_faultmap(args.dir)
    pngs = sorted(f for f in os.listdir(args.dir) if f.endswith(".png"))
    print("plot: %s in %s" % (", ".join(pngs), args.dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
