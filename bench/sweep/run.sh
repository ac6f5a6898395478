#!/usr/bin/env bash
# Sweep benchmarks (docs/benchmarks.md, "Sweeps"). Builds the Python package
# release into target/bench-venv-sweep (with Dask and Mesa), then
#   1. bench.py: direct vs Dask with 1 and 2 workers, memory per worker;
#   2. the same click-rate sweep through `holisec sweep` and Mesa's batch_run.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
venv="$root/target/bench-venv-sweep"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import mesa, dask.distributed, pyarrow' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q maturin==1.16.0 pyarrow==26.0.1 "dask[distributed]==2025.11.0" mesa==3.3.1
fi
PATH="$venv/bin:$PATH" "$venv/bin/pip" install -q --no-build-isolation --no-deps --force-reinstall "$root/python"
cargo build -q --release -p holisec-cli
"$venv/bin/python" bench/sweep/bench.py
out=$(mktemp -d)
"$venv/bin/python" - "$venv/bin/python" "$out/holisec" <<'PY'
import json, os, subprocess, sys, time
start = time.perf_counter()
subprocess.run(["target/release/holisec", "sweep", "bench/sweep/mesa-equivalent.toml", "--out", sys.argv[2], "--workers", "2"],
               check=True, env=dict(os.environ, HOLISEC_PYTHON=sys.argv[1]), stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start

print(json.dumps({"engine": "holisec sweep", "runs": 12, "workers": 2, "wall_seconds": wall}))
PY
"$venv/bin/python" bench/sweep/mesa_batch.py --processes 2
rm -rf "$out"
