#!/usr/bin/env python3
"""Sweep benchmarks (docs/benchmarks.md, "Sweeps"): per-point overhead of the
Dask run over calling the engine directly, throughput from 1 to 2 Dask
workers, peak memory per worker. Prints one JSON object."""

import json
import os
import resource
import tempfile
import time
from pathlib import Path

import dask
from dask.distributed import Client, LocalCluster

import holisec
from holisec import sweep

HERE = Path(__file__).resolve().parent
SWEEP = HERE / "overhead.toml"
# Workers as docs/python.md starts them (holisec.sweep.DASK_WORKER_CONFIG);
# HOLISEC_BENCH_DASK_DEFAULTS=1 keeps Dask's own settings, for comparison.
WORKER_CONFIG = {} if os.environ.get("HOLISEC_BENCH_DASK_DEFAULTS") else sweep.DASK_WORKER_CONFIG


def direct(loaded):
    """The same points through holisec.simulate, one after the other, one thread."""
    design = loaded.design
    spec = loaded.spec
    start = time.perf_counter()
    for point in design["points"]:
        holisec._native.run_point(loaded.model._native, loaded.native, point["index"], loaded.scenario_name, loaded.scenario_text, 1)
    return time.perf_counter() - start, len(design["points"]), spec


def _direct_in_worker(path):
    """The direct loop, run inside a Dask worker process (no scheduling, no Parquet)."""
    return direct(sweep.load(path))[0]


def in_worker():
    with dask.config.set(WORKER_CONFIG):
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40)
    try:
        with Client(cluster) as client:
            client.run(lambda: __import__("holisec.sweep"))
            return client.submit(_direct_in_worker, str(SWEEP), pure=False).result()
    finally:
        cluster.close()


def dask_run(workers):
    with dask.config.set(WORKER_CONFIG):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40)
    try:
        with Client(cluster) as client, tempfile.TemporaryDirectory() as out:
            client.run(lambda: __import__("holisec.sweep"))  # warm imports on every worker
            start = time.perf_counter()
            sweep.run(SWEEP, Path(out) / "r", client=client)
            wall = time.perf_counter() - start
            rss = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    finally:
        cluster.close()
    return wall, max(rss.values()) / 1024


def main():
    loaded = sweep.load(SWEEP)
    d, n, _ = direct(loaded)
    inside = in_worker()
    one, rss1 = dask_run(1)
    two, rss2 = dask_run(2)
    print(json.dumps({
        "points": n,
        "direct_seconds": d, "direct_per_point": d / n,
        "direct_in_dask_worker_seconds": inside,
        "dask_1_worker_seconds": one, "overhead_per_point": (one - d) / n, "overhead_ratio": one / d - 1,
        "dask_2_workers_seconds": two, "scaling_1_to_2": one / two,
        "worker_peak_rss_mb": max(rss1, rss2),
    }, indent=1))


if __name__ == "__main__":
    main()
