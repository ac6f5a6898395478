"""The single scenario of bench/single-scenario.toml in pyfair.

Usage: python pyfair_single.py ITERATIONS
Prints one JSON line: iterations, ALE, vulnerability, seconds spent in the model.
"""
import json
import sys
import time

t0 = time.perf_counter()
from pyfair import FairModel  # noqa: E402

t1 = time.perf_counter()
n = int(sys.argv[1])
model = FairModel(name="ransomware", n_simulations=n, random_seed=42)
model.input_data("Threat Event Frequency", low=0.5, mode=2, high=10)
model.input_data("Threat Capability", low=0.2, mode=0.5, high=0.9)
model.input_data("Control Strength", low=0.4, mode=0.6, high=0.8)
model.input_data("Loss Magnitude", low=10_000, mode=100_000, high=5_000_000)
model.calculate_all()
results = model.export_results()
risk = results["Risk"]
summary = {
    "iterations": n,
    "ale": float(risk.mean()),
    "p95": float(risk.quantile(0.95)),
    "p99": float(risk.quantile(0.99)),
    "vulnerability": float(results["Vulnerability"].mean()),
    "import_seconds": t1 - t0,
    "model_seconds": time.perf_counter() - t1,
}
print(json.dumps(summary))
