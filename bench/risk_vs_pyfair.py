"""Side-by-side benchmark of holisec's risk engine and pyfair (driver of risk_vs_pyfair.sh).

Runs the same single scenario (bench/single-scenario.toml, bench/pyfair_single.py)
at each size, each command `--runs` times after one warm-up, under /usr/bin/time -v,
and prints wall time (median), iterations per second (whole process), peak
resident memory (median) and the ratios.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak KiB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        start = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name] + cmd, check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        wall = time.perf_counter() - start
        peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", tf.read()).group(1))
    return wall, peak, out


def measure(cmd, runs):
    timed(cmd)  # warm-up
    samples = [timed(cmd) for _ in range(runs)]
    wall = statistics.median(s[0] for s in samples)
    peak = statistics.median(s[1] for s in samples)
    return wall, peak, samples[-1][2]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--holisec", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="100000,1000000,10000000")
    ap.add_argument("--big", default="100000000", help="holisec-only size for the memory check ('' to skip)")
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    model = os.path.join(HERE, "single-scenario.toml")
    py = sys.executable
    pyfair_version = subprocess.run([py, "-c", "import importlib.metadata as m; print(m.version('pyfair'))"],
                                    stdout=subprocess.PIPE, text=True).stdout.strip()
    holisec_version = subprocess.run([args.holisec, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, Python {platform.python_version()}, "
          f"pyfair {pyfair_version}, {holisec_version}")
    print(f"median of {args.runs} runs after one warm-up; wall = whole process (start-up and imports included)\n")
    rows = []
    hol_cmd = lambda n: [args.holisec, "risk", model, "--iterations", str(n), "--seed", "42", "--json"]
    start_wall, _, _ = measure(hol_cmd(1), args.runs)
    for n in sizes:
        w, p, out = measure([py, os.path.join(HERE, "pyfair_single.py"), str(n)], args.runs)
        r = json.loads(out)
        rows.append(("pyfair", n, w, p, r["ale"], r["p99"], r["import_seconds"] + 0.0, r["model_seconds"]))
        w, p, out = measure(hol_cmd(n), args.runs)
        r = json.loads(out)
        rows.append(("holisec", n, w, p, r["total"]["ale"], r["total"]["percentiles"]["p99"], None, max(w - start_wall, 1e-9)))
    if args.big:
        n = int(float(args.big))
        w, p, out = measure(hol_cmd(n), max(1, min(args.runs, 3)))
        r = json.loads(out)
        rows.append(("holisec", n, w, p, r["total"]["ale"], r["total"]["percentiles"]["p99"], None, max(w - start_wall, 1e-9)))
    print("| tool | iterations | wall (s) | iterations/s | peak RSS (MiB) | in-model (s) | ALE (EUR) | p99 (EUR) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for tool, n, w, p, ale, p99, _, model_s in rows:
        print(f"| {tool} | {n:,} | {w:.3f} | {n / w:,.0f} | {p / 1024:.1f} | {model_s:.3f} | {ale:,.0f} | {p99:,.0f} |")
    print()
    print("| iterations | speed ratio (holisec / pyfair iterations/s) | in-model ratio | memory ratio (pyfair / holisec peak) |")
    print("|---:|---:|---:|---:|")
    by = {(t, n): (w, p, m) for t, n, w, p, _, _, _, m in rows}
    for n in sizes:
        (pw, pp, pm), (hw, hp, hm) = by[("pyfair", n)], by[("holisec", n)]
        print(f"| {n:,} | {pw / hw:.1f}x | {pm / hm:.1f}x | {pp / hp:.1f}x |")
    print(f"\nholisec start-up (1 iteration): {start_wall * 1000:.1f} ms; "
          "in-model = wall minus pyfair's import time (pyfair, as it reports) or minus holisec's 1-iteration wall.")


if __name__ == "__main__":
    main()
