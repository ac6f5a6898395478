#!/usr/bin/env python3
"""Where a Dask sweep's time goes (docs/benchmarks.md, "Sweeps"): the CPU an
idle two-worker LocalCluster burns, and each point of `overhead.toml` timed
inside its worker on 1 and 2 workers (per-point slowdown against idle time).

    target/bench-venv-sweep/bin/python bench/sweep/probe.py            # holisec's worker settings
    target/bench-venv-sweep/bin/python bench/sweep/probe.py --defaults # Dask's own
"""

import argparse
import json
import os
import time

import dask
import psutil
from dask.distributed import Client, LocalCluster

from holisec import sweep

SWEEP = str(os.path.join(os.path.dirname(os.path.abspath(__file__)), "overhead.toml"))


def cluster(workers):
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40)


def idle_cpu(seconds=10.0):
    """Share of one core the cluster's processes use while doing nothing."""
    with cluster(2) as c, Client(c) as client:
        client.run(lambda: __import__("holisec.sweep"))
        procs = [psutil.Process()] + psutil.Process().children(recursive=True)
        cpu = lambda: sum(sum(p.cpu_times()[:2]) for p in procs)  # noqa: E731
        c0, t0 = cpu(), time.time()
        time.sleep(seconds)
        return (cpu() - c0) / (time.time() - t0)


def timed_point(index):
    loaded = sweep._cached(SWEEP, os.stat(SWEEP).st_mtime_ns)
    start = time.time()
    sweep._native.run_point(loaded.model._native, loaded.native, index, loaded.scenario_name, loaded.scenario_text, 1)
    return os.getpid(), time.time() - start


def points(workers):
    with cluster(workers) as c, Client(c) as client:
        client.run(lambda: sweep._cached(SWEEP, os.stat(SWEEP).st_mtime_ns) and None)
        start = time.time()
        runs = client.gather(client.map(timed_point, range(16), pure=False))
        wall = time.time() - start
    per_worker = {}
    for pid, seconds in runs:
        per_worker.setdefault(pid, []).append(seconds)
    return {"workers": workers, "wall": round(wall, 2),
            "busy_per_worker": [round(sum(v), 2) for v in per_worker.values()],
            "mean_point": [round(sum(v) / len(v), 3) for v in per_worker.values()]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--defaults", action="store_true", help="Dask's own worker settings")
    args = parser.parse_args()
    with dask.config.set({} if args.defaults else sweep.DASK_WORKER_CONFIG):
        print(json.dumps({"settings": "dask" if args.defaults else "holisec",
                          "idle_cluster_cores": round(idle_cpu(), 3),
                          "runs": [points(1), points(2)]}))


if __name__ == "__main__":
    main()
