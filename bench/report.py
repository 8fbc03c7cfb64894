#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""report.py: turn the BENCHJSON lines of rtshm-bench into results.

    python3 bench/report.py build/bench

Reads host.jsonl and guest.jsonl (either may be missing), writes
results.json (everything, grouped by run), results.md (the markdown tables,
also printed) and latency.svg + latency.png (gnuplot, when installed).
Standard library only.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys

VARIANTS = {
    "a": "(a) POSIX+populate+mlock",
    "b": "(b) naive POSIX",
    "c": "(c) SysV+SHM_LOCK",
    "d": "(d) rtshm kernel",
    "e": "(e) rtshm POSIX",
}
SIZES = [4096, 1 << 20, 64 << 20, 256 << 20]


def size_name(s):
    return f"{s >> 20} MiB" if s >= 1 << 20 else f"{s >> 10} KiB"


def load(path):
    run = {"meta": None, "rows": [], "bad_lines": 0}
    if not os.path.exists(path):
        return None
    with open(path, errors="replace") as f:
        for line in f:
            if not line.startswith("BENCHJSON "):
                continue
            try:
                r = json.loads(line[len("BENCHJSON "):])
            except json.JSONDecodeError:
                run["bad_lines"] += 1
                continue
            if r.get("type") == "meta":
                run["meta"] = run["meta"] or r
            else:
                run["rows"].append(r)
    return run if run["rows"] or run["meta"] else None


def find(run, type_, variant=None, **kw):
    for r in run["rows"]:
        if r.get("type") != type_ or "error" in r:
            continue
        if variant is not None and r.get("variant") != variant:
            continue
        if all(r.get(k) == v for k, v in kw.items()):
            return r
    return None


CYCLE_COLUMNS = ((1, "distinct"), (2, "distinct"), (2, "shared"), (4, "distinct"), (4, "shared"))


def cycle_rows(run, v, procs, names):
    """Figure 5's rows of variant v for one column, in round order."""
    rs = [r for r in run["rows"] if r.get("type") == "concurrency" and r.get("variant") == v
          and r.get("procs") == procs and r.get("names") == names and "error" not in r]
    return sorted(rs, key=lambda r: r.get("round", 0))


def cycle_rates(run, v, procs, names):
    """Figure 5's calls per second of variant v, one per round, in round order."""
    return [r["ops_per_s"] for r in cycle_rows(run, v, procs, names)]


def cycle_ratios(run, procs, names):
    """(d) / (b) of figure 5 for each round both ran in."""
    d = {r.get("round", 0): r["ops_per_s"] for r in cycle_rows(run, "d", procs, names)}
    b = {r.get("round", 0): r["ops_per_s"] for r in cycle_rows(run, "b", procs, names)}
    return [d[k] / b[k] for k in sorted(d) if k in b and b[k] > 0]


def errors(run):
    return [r for r in run["rows"] if "error" in r]


def us(x):
    if x is None:
        return "–"
    if x >= 10000:
        return f"{x / 1000:.1f} ms"
    if x >= 100:
        return f"{x:.0f} µs"
    return f"{x:.1f} µs"


def ratio(x, y):
    if x is None or y is None or y == 0:
        return None
    return x / y


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}×"


def present(run):
    return [v for v in VARIANTS if any(r.get("variant") == v for r in run["rows"])]


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def section(run, name):
    md = []
    m = run["meta"] or {}
    vs = present(run)
    md.append(f"## {name}: {m.get('kernel', '?')}, {m.get('cpu', '?')}, "
              f"{m.get('ncpu', '?')} CPUs, {m.get('mem_mb', 0):.0f} MiB\n")
    hl = [r for r in run["rows"] if r.get("type") == "hostload"]
    if hl:
        md.append(f"Host load average (1, 5, 15 min) before / after this run: {hl[-1]['before']} / "
                  f"{hl[-1]['after']} (the host has 2 cores, shared with other work)"
                  + (f"; another QEMU ran beside this one for about {hl[-1]['other_qemu_seconds']} s"
                     if hl[-1].get("other_qemu_seconds") else "") + ".\n")

    # Figure 1
    md.append("### 1. Create + map + first touch of every page (median / p99, ratio of medians to (a))\n")
    rows = []
    for s in SIZES:
        fl = find(run, "memset", size=s)
        a = find(run, "create", "a", size=s)
        am = a["create_touch"]["med"] if a else None
        row = [size_name(s), us(fl["memset"]["med"]) if fl else "–",
               us(fl["anon_populate"]["med"]) if fl and fl.get("anon_populate") else "–"]
        for v in vs:
            r = find(run, "create", v, size=s)
            if not r:
                row.append("–")
                continue
            st = r["create_touch"]
            row.append(f"{us(st['med'])} / {us(st['p99'])} ({fmt_ratio(ratio(st['med'], am))}, n={st['n']})")
        rows.append(row)
    md.append(table(["size", "memset floor (med)", "anon MAP_POPULATE (med)"] + [VARIANTS[v] for v in vs], rows) + "\n")
    md.append("memset floor: memset of memory already mapped and resident. anon MAP_POPULATE: "
              "mmap(MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE), the kernel's own cost of fresh zeroed, "
              "mapped pages.\n")
    bd = [r for r in run["rows"] if r.get("type") == "breakdown" and "error" not in r]
    if bd:
        md.append("Profile of (d) from user space, raw ioctl ABI, medians: RTSHM_IOC_CREATE (allocate, zero, "
                  "charge) / mmap (vm_insert_pages) / munmap / close of the last handle (free):\n")
        rows = []
        for r in bd:
            fl = find(run, "memset", size=r["size"])
            mp = r.get("mmap_populate")
            rows.append([size_name(r["size"]), us(r["ioctl_create"]["med"]), us(r["mmap"]["med"]),
                         us(mp["med"]) if mp else "–",
                         us(r["munmap"]["med"]), us(r["close_free"]["med"]),
                         fmt_ratio(ratio(r["ioctl_create"]["med"], fl["memset"]["med"])) if fl else "–",
                         fmt_ratio(ratio(r["ioctl_create"]["med"] + r["mmap"]["med"],
                                         fl["anon_populate"]["med"])) if fl and fl.get("anon_populate") else "–"])
        md.append(table(["size", "ioctl CREATE", "mmap", "mmap with MAP_POPULATE (as librtshm does)", "munmap", "close (free)", "CREATE : memset floor",
                         "CREATE+mmap : anon MAP_POPULATE"], rows) + "\n")
    md.append("The same, create + map only (the call; no touch), median:\n")
    rows = []
    for s in SIZES:
        row = [size_name(s)]
        for v in vs:
            r = find(run, "create", v, size=s)
            row.append(us(r["create_map"]["med"]) if r else "–")
        rows.append(row)
    md.append(table(["size"] + [VARIANTS[v] for v in vs], rows) + "\n")

    # Figure 2
    md.append("### 2. Open + map of an existing object (median / p99, ratio to (a)); close + unmap (median)\n")
    rows = []
    for s in SIZES:
        a = find(run, "open", "a", size=s)
        am = a["open_map"]["med"] if a else None
        row = [size_name(s)]
        for v in vs:
            r = find(run, "open", v, size=s)
            if not r:
                row.append("–")
                continue
            st = r["open_map"]
            row.append(f"{us(st['med'])} / {us(st['p99'])} ({fmt_ratio(ratio(st['med'], am))})")
        rows.append(row)
    md.append(table(["size"] + [VARIANTS[v] for v in vs], rows) + "\n")
    md.append("Open + map + touch of every page, median (ratio to (a)):\n")
    rows = []
    for s in SIZES:
        a = find(run, "open", "a", size=s)
        am = a["open_touch"]["med"] if a else None
        row = [size_name(s)]
        for v in vs:
            r = find(run, "open", v, size=s)
            row.append(f"{us(r['open_touch']['med'])} ({fmt_ratio(ratio(r['open_touch']['med'], am))})"
                       if r else "–")
        rows.append(row)
    md.append(table(["size"] + [VARIANTS[v] for v in vs], rows) + "\n")
    md.append("Close + unmap of a handle that is not the last (median) / of the creator's last handle, "
              "which frees the object (median):\n")
    rows = []
    for s in SIZES:
        row = [size_name(s)]
        for v in vs:
            o = find(run, "open", v, size=s)
            c = find(run, "create", v, size=s)
            row.append(f"{us(o['close']['med']) if o else '–'} / {us(c['destroy']['med']) if c else '–'}")
        rows.append(row)
    md.append(table(["size"] + [VARIANTS[v] for v in vs], rows) + "\n")

    # Figure 3
    md.append("### 3. Page faults during a full touch (minor, median over the runs; major, max), "
              "after create / after open\n")
    rows = []
    for v in vs:
        row = [VARIANTS[v]]
        for s in SIZES:
            c = find(run, "create", v, size=s)
            o = find(run, "open", v, size=s)
            mn = f"{c['minflt_touch_med']:.0f}" if c else "–"
            on = f"{o['minflt_touch_med']:.0f}" if o else "–"
            mj = max([x["majflt_touch_max"] for x in (c, o) if x] or [0])
            row.append(f"{mn} / {on} (major {mj:.0f})")
        rows.append(row)
    md.append(table(["variant"] + [size_name(s) for s in SIZES], rows) + "\n")

    # Figure 4
    md.append("### 4. Open + map latency with N live objects (median / p99), ratio 10,000 : 10\n")
    rows = []
    for v in vs:
        row = [VARIANTS[v]]
        meds = {}
        for n in (10, 1000, 10000):
            r = find(run, "scale", v, live=n)
            if r:
                meds[n] = r["open_map"]["med"]
                row.append(f"{us(r['open_map']['med'])} / {us(r['open_map']['p99'])}")
            else:
                e = [x for x in run["rows"] if x.get("type") == "scale" and x.get("variant") == v
                     and x.get("live") == n and "error" in x]
                row.append("not measured (" + e[0]["error"] + ")" if e else "–")
        row.append(fmt_ratio(ratio(meds.get(10000), meds.get(10))))
        rows.append(row)
    md.append(table(["variant", "10 live", "1,000 live", "10,000 live", "10,000 : 10"], rows) + "\n")

    # Figure 5
    md.append("### 5. Concurrency: create/open/close/close cycles, total calls per second over all processes\n")
    nrounds = max((len(cycle_rates(run, v, p, nm)) for v in vs for p, nm in CYCLE_COLUMNS), default=0)
    if nrounds > 1:
        md.append(f"Median of {nrounds} rounds, the variants taking turns in each (lowest–highest in brackets).\n")
    rows = []
    for v in vs:
        row = [VARIANTS[v]]
        for p, nm in CYCLE_COLUMNS:
            xs = cycle_rates(run, v, p, nm)
            errs = sum(r["errors"] for r in cycle_rows(run, v, p, nm))
            cell = "–" if not xs else f"{statistics.median(xs):,.0f}"
            if len(xs) > 1:
                cell += f" ({min(xs):,.0f}–{max(xs):,.0f})"
            if errs:
                cell += f" ({errs:.0f} errors)"
            row.append(cell)
        rows.append(row)
    md.append(table(["variant", "1 process", "2 procs, distinct names", "2 procs, shared name",
                     "4 procs, distinct names", "4 procs, shared name"], rows) + "\n")
    if "d" in vs and "b" in vs:
        rs = [cycle_ratios(run, p, nm) for p, nm in CYCLE_COLUMNS]
        if any(rs):
            md.append("(d) / (b), round by round: " + "; ".join(
                f"{p} {nm}: " + ", ".join(f"{x:.2f}" for x in r) for (p, nm), r in zip(CYCLE_COLUMNS, rs) if r)
                + "\n")

    # Figure 6
    pr = [r for r in run["rows"] if r.get("type") == "pressure" and "error" not in r]
    if pr:
        p0 = pr[0]
        md.append("### 6. Determinism: SCHED_FIFO reader at 1 kHz over a 64 MiB object\n")
        md.append(f"Each 1 ms period the reader (SCHED_FIFO 80, pinned to the last CPU, mlockall(MCL_CURRENT) "
                  f"before the object exists) reads one 8-byte word from each of {p0['touch_pages']:.0f} "
                  f"consecutive 4 KiB pages, going round the 64 MiB object (all 16,384 pages every "
                  f"{16384 / p0['touch_pages']:.0f} periods). Loop latency: from the period's start to the end of "
                  f"the reads. 'pressure': a hog sweeps MemAvailable + 256 MiB of anonymous memory, zram swap.\n")
        rows = []
        for r in pr:
            env = find(run, "pressure_env", r["variant"], mode=r["mode"]) or {}
            lf = r.get("loop_faulting")
            rows.append([VARIANTS[r["variant"]], r["mode"], f"{r['majflt']:.0f}",
                         f"{r['periods_with_majflt']:.0f}" + (f" (med {us(lf['med'])}, max {us(lf['max'])})" if lf else ""),
                         f"{r['minflt']:.0f}", f"{r.get('samples', r['periods']):.0f}",
                         us(r["loop"]["med"]), us(r["loop"]["p99"]), us(r["loop"]["p999"]),
                         us(r["loop"]["max"]), f"{r['missed']:.0f}",
                         f"{env.get('swap_used_start_mb', 0):.0f}→{env.get('swap_used_end_mb', 0):.0f} MiB, "
                         f"{env.get('pswpin', 0):,.0f} in / {env.get('pswpout', 0):,.0f} out"])
        md.append(table(["variant", "load", "major faults", "periods with a major fault (their loop latency)",
                         "minor faults", "periods run",
                         "loop med", "loop p99", "loop p99.9", "loop max", "missed periods",
                         "swap used, pages swapped during the run"], rows) + "\n")
    errs = errors(run)
    if errs:
        md.append("Errors and skipped measurements:\n")
        for e in errs:
            md.append(f"- {e.get('type')} {VARIANTS.get(e.get('variant'), e.get('variant', ''))}: {e['error']}")
        md.append("")
    return "\n".join(md)


def targets(run):
    """The targets of issue 5, for rtshm (d, and e where measured) in this run."""
    if run is None:
        return ""
    rows = []

    def verdict(ok):
        return "–" if ok is None else ("met" if ok else "**missed**")

    for v in ("d", "e"):
        if not any(r.get("variant") == v for r in run["rows"]):
            continue
        name = VARIANTS[v]
        rs = []
        for s in SIZES:
            r, a = find(run, "create", v, size=s), find(run, "create", "a", size=s)
            if r and a:
                rs.append((s, r["create_touch"]["med"] / a["create_touch"]["med"]))
        ok = all(x <= 1.0 for _, x in rs) if rs else None
        rows.append([name, "create+map (+first touch), every size", "≤ 1.0× (a)",
                     ", ".join(f"{size_name(s)} {x:.2f}×" for s, x in rs) or "not measured", verdict(ok)])
        r, fl = find(run, "create", v, size=64 << 20), find(run, "memset", size=64 << 20)
        x = ratio(r["create_touch"]["med"], fl["memset"]["med"]) if r and fl else None
        rows.append([name, "create+map at 64 MiB", "≤ 1.5× memset floor",
                     fmt_ratio(x) if x else "not measured", verdict(None if x is None else x <= 1.5)])
        rs = []
        for s in SIZES:
            r, a = find(run, "open", v, size=s), find(run, "open", "a", size=s)
            if r and a:
                rs.append((s, r["open_map"]["med"] / a["open_map"]["med"]))
        ok = all(x <= 0.8 for _, x in rs) if rs else None
        rows.append([name, "open+map, every size", "≤ 0.8× (a)",
                     ", ".join(f"{size_name(s)} {x:.2f}×" for s, x in rs) or "not measured", verdict(ok)])
        fs = []
        for s in SIZES:
            for t in ("create", "open"):
                r = find(run, t, v, size=s)
                if r:
                    fs.append(r["minflt_touch_max"] + r["majflt_touch_max"])
        rows.append([name, "page faults during a full touch after create or open", "0",
                     f"max {max(fs):.0f} per touch" if fs else "not measured",
                     verdict(None if not fs else max(fs) == 0)])
        a, b = find(run, "scale", v, live=10000), find(run, "scale", v, live=10)
        x = ratio(a["open_map"]["med"], b["open_map"]["med"]) if a and b else None
        rows.append([name, "open latency, 10,000 vs 10 live objects", "≤ 1.2×",
                     fmt_ratio(x) if x else "not measured", verdict(None if x is None else x <= 1.2)])
        if v == "d":
            rs = [(p, nm, statistics.median(x)) for p, nm in CYCLE_COLUMNS if (x := cycle_ratios(run, p, nm))]
            rows.append([name, "create/open/close cycles, every process count (issue 10)", "≥ 1.0× (b)",
                         ", ".join(f"{p} {nm} {x:.2f}×" for p, nm, x in rs) or "not measured",
                         verdict(all(x >= 1.0 for _, _, x in rs) if rs else None)])
        p = find(run, "pressure", v, mode="pressure")
        rows.append([name, "major faults under memory pressure", "0",
                     f"{p['majflt']:.0f}" if p else "not measured",
                     verdict(None if not p else p["majflt"] == 0)])
    return table(["variant", "measure", "target", "measured", "verdict"], rows) + "\n"


def plot(out, runs):
    gp = shutil.which("gnuplot")
    data = os.path.join(out, "plot")
    os.makedirs(data, exist_ok=True)
    guest = runs.get("guest")
    series6, series1, series2 = [], [], []
    if guest:
        for r in guest["rows"]:
            if r.get("type") == "pressure" and "hist" in r:
                fn = os.path.join(data, f"fig6-{r['variant']}-{r['mode']}.dat")
                total = sum(c for _, c in r["hist"])
                left = total
                with open(fn, "w") as f:  # CCDF: fraction of periods with latency >= x
                    for lo, c in r["hist"]:
                        f.write(f"{lo} {left / total}\n")
                        left -= c
                series6.append((fn, f"{VARIANTS[r['variant']]} {r['mode']}",
                                "dt 1" if r["mode"] == "pressure" else "dt 2"))
    for label, run in runs.items():
        if not run:
            continue
        for kind, key, series in (("create", "samples_create_touch", series1), ("open", "samples_open_map", series2)):
            for v in VARIANTS:
                r = find(run, kind, v, size=1 << 20)
                if not r or key not in r:
                    continue
                xs = sorted(r[key])
                fn = os.path.join(data, f"fig{1 if kind == 'create' else 2}-{label}-{v}.dat")
                with open(fn, "w") as f:
                    for i, x in enumerate(xs):
                        f.write(f"{x} {(i + 1) / len(xs)}\n")
                series.append((fn, f"{label} {VARIANTS[v]}", "dt 1" if label == "guest" else "dt 3"))
    if not gp:
        return "gnuplot is not installed: no plot (data in build/bench/plot/)"

    def plots(series, with_="lines"):
        return ", ".join(f"'{fn}' using 1:2 with {with_} lw 2 {dt} title '{t}'" for fn, t, dt in series)

    made = []
    for term, ext in (("svg size 1500,500 dynamic font 'sans,11'", "svg"), ("pngcairo size 1500,500 font 'sans,9'", "png")):
        script = [f"set terminal {term} noenhanced", f"set output '{os.path.join(out, 'latency.' + ext)}'",
                  "set multiplot layout 1,3", "set grid", "set logscale x", "set key bottom right font ',8'"]
        if series6:
            script += ["set title 'Fig. 6: 1 kHz SCHED_FIFO loop latency (guest, TCG)'",
                       "set xlabel 'loop latency (µs, from the period start to the end of the touch)'",
                       "set ylabel 'fraction of periods ≥ x'", "set logscale y", "set key top right",
                       "plot " + plots(series6, "steps"), "unset logscale y", "set key bottom right"]
        if series1:
            script += ["set title 'Fig. 1: create + map + touch, 1 MiB (CDF)'", "set xlabel 'µs'",
                       "set ylabel 'fraction of runs ≤ x'", "plot " + plots(series1, "steps")]
        if series2:
            script += ["set title 'Fig. 2: open + map, 1 MiB (CDF)'", "set xlabel 'µs'",
                       "set ylabel 'fraction of runs ≤ x'", "plot " + plots(series2, "steps")]
        script.append("unset multiplot")
        with open(os.path.join(data, f"latency-{ext}.gp"), "w") as f:
            f.write("\n".join(script) + "\n")
        p = subprocess.run([gp, os.path.join(data, f"latency-{ext}.gp")], capture_output=True, text=True)
        if p.returncode == 0:
            made.append(os.path.join(out, "latency." + ext))
        else:
            sys.stderr.write(p.stderr)
    return "plot: " + ", ".join(made) if made else "gnuplot failed: no plot"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
    runs = {k: load(os.path.join(out, f"{k}.jsonl")) for k in ("guest", "host")}
    runs = {k: v for k, v in runs.items() if v}
    if not runs:
        sys.exit("report.py: no results (host.jsonl / guest.jsonl) in " + out)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(runs, f, indent=1)
    md = ["# rtshm benchmark results\n",
          "Times are wall-clock (CLOCK_MONOTONIC). Under QEMU/TCG absolute times are distorted by "
          "emulation; compare the ratios.\n"]
    if "guest" in runs:
        md.append("## Targets of issue 5 (guest run)\n")
        md.append(targets(runs["guest"]))
    for k, title in (("guest", "Guest (QEMU TCG)"), ("host", "Host")):
        if k in runs:
            md.append(section(runs[k], title))
    text = "\n".join(md)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(text + "\n")
    print(text)
    print(plot(out, runs))
    print(f"results: {os.path.join(out, 'results.md')}, {os.path.join(out, 'results.json')}")


if __name__ == "__main__":
    main()
