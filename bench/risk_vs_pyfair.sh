#!/usr/bin/env bash
# Risk engine vs pyfair, side by side: the same single Open FAIR scenario
# (bench/single-scenario.toml; bench/pyfair_single.py) at 1e5, 1e6 and 1e7
# iterations in both, and holisec alone at 1e8 for its peak memory. Prints wall
# time, iterations per second and peak memory (/usr/bin/time -v) of each.
#
# Creates a venv with pyfair from PyPI (target/bench-venv, or $BENCH_VENV), installs
# GNU time with apt-get when /usr/bin/time is missing, builds holisec in release.
# Extra arguments go to the driver, e.g. `--runs 5` or `--sizes 1e5,1e6 --big ''`.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

venv="${BENCH_VENV:-${CARGO_TARGET_DIR:-target}/bench-venv}"
if ! "$venv/bin/python" -c "import pyfair" >/dev/null 2>&1; then
    echo "bench: creating $venv with pyfair from PyPI" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "pyfair==0.1a13"
fi
if [ ! -x /usr/bin/time ]; then
    echo "bench: installing GNU time with apt-get" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time >/dev/null
fi
cargo build --release -q -p holisec-cli
target="${CARGO_TARGET_DIR:-target}"
exec "$venv/bin/python" bench/risk_vs_pyfair.py --holisec "$target/release/holisec" "$@"
