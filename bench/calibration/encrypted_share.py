#!/usr/bin/env python3
"""Share of hospitals' segments encrypted under the shipped monthly campaign,
against Sophos 2024 (mean 58% of computers encrypted, 7% of victims over 90%).

Runs `holisec simulate` once per seed (one replicate each, so an
organisation's `mean_share_encrypted` is the share of its one intrusion) with
the given reach parameters, and prints the mean share over hospital victims
and the share of victims with 10 segments or more that are over 90%
encrypted. docs/simulation.md, "Share of the IT estate encrypted", quotes it:

    bench/calibration/encrypted_share.py --holisec target/release/holisec \\
        8,0.8,2 12,1,2
"""

import argparse
import csv
import math
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "europe-phishing-ransomware.toml"
STAFF_PER_SEGMENT = 150  # the default of `staff_per_segment`; segments are clamped to 2..64


def organisations(holisec, parameters, seed, scale):
    """The rows of `organisations.csv` of one replicate of the shipped monthly
    campaign with `parameters` (a dict) added to its `[parameters]`."""
    lines = "".join(f"{key} = {value}\n" for key, value in parameters.items())
    text = SCENARIO.read_text().replace("[parameters]\n", "[parameters]\n" + lines, 1)
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "scenario.toml"
        scenario.write_text(text)
        subprocess.run(
            [holisec, "simulate", "--scenario", str(scenario), "--replicates", "1",
             "--scale", str(scale), "--seed", str(seed), "--csv", str(Path(tmp) / "out")],
            check=True, capture_output=True,
        )
        with open(Path(tmp) / "out" / "organisations.csv", newline="") as f:
            yield from csv.DictReader(f)


def victims(holisec, reach_days, reachable, concentration, seed, scale):
    parameters = {
        "segment_reach_days": reach_days,
        "segment_reachable": reachable,
        "segment_reachable_concentration": concentration,
    }
    for row in organisations(holisec, parameters, seed, scale):
        share = float(row["mean_share_encrypted"])
        if row["kind"] == "hospital" and share > 0:
            segments = min(64, max(2, math.ceil(int(row["staff"]) / STAFF_PER_SEGMENT)))
            yield share, segments


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holisec", default=str(ROOT / "target" / "release" / "holisec"))
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("settings", nargs="+", help="REACH_DAYS,REACHABLE,CONCENTRATION")
    args = parser.parse_args()
    for setting in args.settings:
        reach_days, reachable, concentration = (float(x) for x in setting.split(","))
        rows = [v for seed in range(1, args.seeds + 1)
                for v in victims(args.holisec, reach_days, reachable, concentration, seed, args.scale)]
        large = [share for share, segments in rows if segments >= 10]
        mean = sum(share for share, _ in rows) / len(rows)
        over = sum(share > 0.9 for share in large) / len(large)
        print(f"segment_reach_days {reach_days:g}, segment_reachable {reachable:g}, "
              f"concentration {concentration:g}: {len(rows)} hospital victims, mean share "
              f"{mean:.1%}; {len(large)} with >= 10 segments, {over:.1%} of them over 90%")


if __name__ == "__main__":
    main()
