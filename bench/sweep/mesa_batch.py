#!/usr/bin/env python3
"""The click-rate sweep of mesa-equivalent.toml with Mesa's own batch_run, on
the reduced model of bench/sim_vs_mesa/mesa_model.py (60 hospitals of 667
staff, 6 suppliers of 50: the sizes of holisec's scale 0.004), 4 click rates
x 3 replicates x 90 days, on `--processes` processes. Prints one JSON line."""

import argparse
import json
import sys
import time
from pathlib import Path

import mesa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sim_vs_mesa"))
from mesa_model import ReducedModel  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--processes", type=int, default=2)
    a = ap.parse_args()
    rates = [0.05 + i * (0.3 - 0.05) / 3 for i in range(4)]
    start = time.perf_counter()
    results = mesa.batch_run(
        ReducedModel,
        parameters={"hospitals": 60, "staff": 667, "suppliers": 6, "supplier_staff": 50, "click_rate": rates},
        iterations=3,
        max_steps=90,
        number_processes=a.processes,
        data_collection_period=-1,
        display_progress=False,
    )
    wall = time.perf_counter() - start
    staff = 60 * 667 + 6 * 50
    print(json.dumps({
        "engine": "mesa.batch_run", "mesa_version": mesa.__version__, "runs": len(results),
        "processes": a.processes, "wall_seconds": wall,
        "agent_days_per_second": staff * 90 * len(results) / wall,
    }))


if __name__ == "__main__":
    main()
