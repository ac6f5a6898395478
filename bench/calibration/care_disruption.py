#!/usr/bin/env python3
"""Share of encrypted care organisations whose care was disrupted under the
shipped monthly campaign, for values of `critical_segment_share`, against
Neprash et al. (JAMA Health Forum 2022): 166 of 374 (44.4%) ransomware
attacks on US care delivery organisations in 2016-2021 disrupted care.

Runs `holisec simulate` once per seed (one replicate each, so an
organisation's `p_disrupted` is 0 or 1) and counts, among the hospitals and
primary-care organisations with part of their estate encrypted, those
disrupted in the year (by their own encryption or, rarely, by a supplier,
their national system or a precautionary disconnection). Neprash's share is
of all ransomware attacks, including those that only stole data (26%,
`encrypt_rate` 0.74), and counts publicly reported disruption only; among
encrypting attacks it would be about 44.4% / 74% = 60% if every disruption
came from encryption. docs/simulation.md, "A small share may leave care
running", quotes it:

    bench/calibration/care_disruption.py --holisec target/release/holisec \\
        0.1 0.25 0.5 1
"""

import argparse
from pathlib import Path

from encrypted_share import ROOT, organisations


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holisec", default=str(ROOT / "target" / "release" / "holisec"))
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("shares", nargs="+", type=float, help="critical_segment_share values")
    args = parser.parse_args()
    for share in args.shares:
        counts = {}
        for seed in range(1, args.seeds + 1):
            for row in organisations(args.holisec, {"critical_segment_share": share}, seed, args.scale):
                if row["kind"] in ("hospital", "primary-care") and float(row["mean_share_encrypted"]) > 0:
                    encrypted, disrupted = counts.get(row["kind"], (0, 0))
                    counts[row["kind"]] = (encrypted + 1, disrupted + (float(row["p_disrupted"]) > 0))
        parts = [f"{kind}: {d} of {e} ({d / e:.1%})" for kind, (e, d) in sorted(counts.items())]
        e = sum(e for e, _ in counts.values())
        d = sum(d for _, d in counts.values())
        print(f"critical_segment_share {share:g}: {', '.join(parts)}; care organisations {d / e:.1%}")


if __name__ == "__main__":
    main()
