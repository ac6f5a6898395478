"""Parameter sweeps of the propagation simulator, on one machine or a Dask cluster.

A sweep file (TOML; ``docs/python.md``) names a scenario, the parameters to vary,
a design and a seed. The Rust library (``holisec-sweep`` through
``holisec-api``) checks the file, draws the design and gives every point its
seed, so any point can be rerun alone with identical results. This module only
runs points and stores them:

* ``DIR/manifest.json``: the sweep, its design and a fingerprint of its inputs;
* ``DIR/point=12/part.parquet``: one partition per point (hive layout),
  one row per replicate with the point's seed, parameter values and outputs;
* ``DIR/point=12/summary.parquet``: one row with the point's seed, parameter
  values, ``replicates`` and, per output, ``OUTPUT_mean``, ``OUTPUT_sd``,
  ``OUTPUT_p5``, ``OUTPUT_p50``, ``OUTPUT_p95``, ``OUTPUT_min`` and
  ``OUTPUT_max`` over the replicates, computed by the Rust library as
  ``holisec simulate`` computes its summary (same mean and 5-95% band).

Each file is written to a temporary name and renamed when complete, the
summary after the replicates, so a point is finished when its summary exists
(with its ``part.parquet``): a worker killed mid-point leaves nothing that looks
finished, and a rerun skips the finished points and reruns the others (resume).
A folder holding another sweep's results is refused, never overwritten.

Run it with ``python -m holisec.sweep run SWEEP.toml --out DIR`` (all cores),
``--scheduler ADDRESS`` for a Dask cluster, and ``python -m holisec.sweep
analyze DIR`` for sensitivity indices.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import hashlib
import json
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import ENGINE_VERSION, _checked, _native, _text, builtin_model, load_model

MANIFEST = "manifest.json"
PART = "part.parquet"
SUMMARY = "summary.parquet"

#: Dask settings for workers that run the engine, one point per core. Dask's
#: defaults wake every worker process every 20 ms (event-loop tick), sample
#: its stacks every 10 ms (statistical profiler) and poll its memory every
#: 100 ms; an idle two-worker cluster then burns about a fifth of a core,
#: which a busy worker gives up from its point: 1 -> 2 workers scaled 1.5x on
#: two cores with the defaults and 1.8x with these (``docs/benchmarks.md``,
#: "Sweeps"). Memory is still polled, once a second. Apply them in the
#: process that starts the workers, before it does
#: (``dask.config.set(DASK_WORKER_CONFIG)``, then ``LocalCluster`` or
#: ``SLURMCluster``), or as the environment of ``dask worker``
#: (:data:`DASK_WORKER_ENVIRONMENT`).
DASK_WORKER_CONFIG: dict[str, Any] = {
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}

#: :data:`DASK_WORKER_CONFIG` as environment variables (Dask reads
#: ``DASK_`` variables, ``__`` for a dot, ``_`` for a dash).
DASK_WORKER_ENVIRONMENT: dict[str, str] = {
    "DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value)
    for key, value in DASK_WORKER_CONFIG.items()
}


class SweepError(ValueError):
    """The output folder or the results cannot be used for this sweep."""


@dataclass(frozen=True)
class LoadedSweep:
    """A checked sweep with its model and scenario, ready to run points."""

    path: Path
    native: Any
    model: Any
    scenario_name: str
    scenario_text: str | None
    fingerprint: str

    # Read once per loaded sweep, not once per point run.
    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        return json.loads(self.native.to_json())

    @functools.cached_property
    def design(self) -> dict[str, Any]:
        return json.loads(self.native.design_json())


def load(path: str | os.PathLike[str]) -> LoadedSweep:
    """Reads a sweep file, its model and its scenario; raises ``InputError``."""
    path = Path(path).resolve()
    text = _text(path)
    native = _checked(_native.load_sweep, str(path), text)
    spec = json.loads(native.to_json())
    inputs = hashlib.sha256()
    inputs.update(ENGINE_VERSION.encode())
    inputs.update(text.encode())
    if spec["model"]:
        model_path = path.parent / spec["model"]
        model = load_model(model_path)
        inputs.update(model_path.read_bytes())
    else:
        model = builtin_model()
    scenario_path = path.parent / spec["scenario"]
    if scenario_path.is_file():
        scenario_text: str | None = _text(scenario_path)
        scenario_name = str(scenario_path)
        inputs.update(scenario_text.encode())
    else:
        scenario_text, scenario_name = None, spec["scenario"]
        inputs.update(scenario_name.encode())
    return LoadedSweep(path, native, model, scenario_name, scenario_text, inputs.hexdigest())


@functools.lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int) -> LoadedSweep:
    return load(path)


def _partition(out: Path, index: int) -> Path:
    return out / f"point={index}" / PART


def _finished(folder: Path) -> bool:
    """A point's folder holds its summary, written last, and its replicates."""
    return (folder / SUMMARY).is_file() and (folder / PART).is_file()


def _finished_points(out: Path) -> list[int]:
    """The indices of the finished points in ``out``, in order."""
    points = []
    for folder in out.glob("point=*"):
        index = folder.name.removeprefix("point=")
        if index.isdigit() and _finished(folder):
            points.append(int(index))
    return sorted(points)


def _write(table: pa.Table, target: Path) -> None:
    """Writes ``table`` to a temporary name next to ``target``, then renames it."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    pq.write_table(table, temporary)
    os.replace(temporary, target)


def run_point(sweep: LoadedSweep, index: int, out: str | os.PathLike[str], threads: int = 1) -> Path:
    """Runs point ``index`` and writes its partition, then its summary, each
    atomically; returns the partition's path."""
    out = Path(out)
    seed, rows, summary = _checked(
        _native.run_point,
        sweep.model._native,
        sweep.native,
        index,
        sweep.scenario_name,
        sweep.scenario_text,
        threads,
    )
    design = sweep.design
    point = design["points"][index]
    spec = sweep.spec
    columns: dict[str, pa.Array] = {
        "replicate": pa.array(range(len(rows)), pa.int64()),
        "seed": pa.array([seed] * len(rows), pa.uint64()),
    }
    totals: dict[str, pa.Array] = {"seed": pa.array([seed], pa.uint64())}
    for factor, value in zip(design["factors"], point["values"]):
        columns[factor["parameter"]] = pa.array([value] * len(rows), pa.float64())
        totals[factor["parameter"]] = pa.array([value], pa.float64())
    totals["replicates"] = pa.array([len(rows)], pa.int64())
    for j, name in enumerate(spec["outputs"]):
        columns[name] = pa.array([r[j] for r in rows], pa.float64())
        for statistic, value in zip(_native.SUMMARY_STATISTICS, summary[j]):
            totals[f"{name}_{statistic}"] = pa.array([value], pa.float64())
    target = _partition(out, index)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The summary last: its presence marks a finished point.
    _write(pa.table(columns), target)
    _write(pa.table(totals), target.with_name(SUMMARY))
    return target


def _dask_task(sweep_path: str, out: str, index: int) -> int:
    sweep = _cached(sweep_path, os.stat(sweep_path).st_mtime_ns)
    run_point(sweep, index, out)
    return index


def _prepare(sweep: LoadedSweep, out: Path) -> list[int]:
    """Checks or writes the manifest; returns the points still to run."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / MANIFEST
    if manifest.exists():
        existing = json.loads(manifest.read_text())
        if existing.get("fingerprint") != sweep.fingerprint:
            raise SweepError(
                f"{out}: holds the results of another sweep ({existing.get('name')!r}, "
                f"from {existing.get('sweep_file')}); choose an empty folder (nothing was changed)"
            )
    else:
        others = [p.name for p in out.iterdir() if not p.name.startswith(".")]
        if others:
            raise SweepError(
                f"{out}: is not empty and has no {MANIFEST} ({', '.join(sorted(others)[:3])}...); "
                "choose an empty folder (nothing was changed)"
            )
        spec = sweep.spec
        body = {
            "name": spec["name"],
            "sweep_file": str(sweep.path),
            "fingerprint": sweep.fingerprint,
            "engine": ENGINE_VERSION,
            "sweep": spec,
            "points": sweep.native.point_count(),
            "layout": (
                f"point=N/{PART}, one row per replicate; point=N/{SUMMARY}, one row: seed, parameter values, "
                "replicates and OUTPUT_mean, _sd, _p5, _p50, _p95, _min, _max per output, written last "
                "(a point is finished when both exist)"
            ),
        }
        temporary = out / f".{MANIFEST}.tmp"
        temporary.write_text(json.dumps(body, indent=2) + "\n")
        os.replace(temporary, manifest)
    # Leftovers of killed workers are never results.
    for name in (PART, SUMMARY):
        for stale in out.glob(f"point=*/.{name}.*.tmp"):
            stale.unlink(missing_ok=True)
    # A point without its summary was cut short: it runs again, replacing its partition.
    finished = set(_finished_points(out))
    return [i for i in range(sweep.native.point_count()) if i not in finished]


@dataclass(frozen=True)
class RunSummary:
    points: int
    ran: int
    skipped: int
    out: Path


def run(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    workers: int | None = None,
    client: Any = None,
    progress: bool = False,
) -> RunSummary:
    """Runs every point not yet written: on this machine (``workers`` threads,
    one core each; the GIL is released) or on a Dask ``client``'s workers,
    which load the sweep themselves and write to the shared ``out`` folder."""
    sweep = load(path)
    out = Path(out).resolve()
    todo = _prepare(sweep, out)
    total = sweep.native.point_count()
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress and sys.stderr.isatty():
            print(f"\rholisec sweep: {total - len(todo) + done}/{total} points", end="", file=sys.stderr)

    if client is not None:
        futures = client.map(_dask_task, [str(sweep.path)] * len(todo), [str(out)] * len(todo), todo, pure=False)
        for future in futures:
            future.result()
            tick()
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            for future in [pool.submit(run_point, sweep, i, out) for i in todo]:
                future.result()
                tick()
    if progress and sys.stderr.isatty():
        print(file=sys.stderr)
    return RunSummary(total, len(todo), total - len(todo), out)


def _read(out: Path, name: str) -> pa.Table:
    """File ``name`` of every finished point as one table, with its ``point`` column."""
    import pyarrow.dataset as ds

    files = [str(out / f"point={i}" / name) for i in _finished_points(out)]
    dataset = ds.dataset(
        files, format="parquet", partitioning=ds.partitioning(flavor="hive"), partition_base_dir=str(out)
    )
    return dataset.to_table()


def results(out: str | os.PathLike[str]) -> pa.Table:
    """The replicates of every finished point as one table, with its ``point`` column."""
    return _read(Path(out), PART)


def summaries(out: str | os.PathLike[str]) -> pa.Table:
    """The summary of every finished point as one table (one row per point),
    with its ``point`` column."""
    return _read(Path(out), SUMMARY)


def analyze(out: str | os.PathLike[str], outputs: list[str] | None = None) -> dict[str, Any]:
    """Sensitivity indices of each output (Morris or Sobol, after the design),
    from its mean over replicates per point (``OUTPUT_mean`` of the summaries);
    writes ``analysis.json`` and one ``tornado-OUTPUT.svg`` per output into ``out``."""
    out = Path(out)
    manifest = json.loads((out / MANIFEST).read_text())
    sweep = load(manifest["sweep_file"])
    if sweep.fingerprint != manifest["fingerprint"]:
        raise SweepError(f"{manifest['sweep_file']} changed since {out} was written")
    total = sweep.native.point_count()
    missing = total - len([p for p in _finished_points(out) if p < total])
    if missing:
        raise SweepError(f"{missing} of {total} points are not written yet: run the sweep again to finish it")
    table = summaries(out)
    points = table.column("point").to_pylist()
    analysis: dict[str, Any] = {"sweep": manifest["name"], "points": total, "outputs": {}}
    for name in outputs or sweep.spec["outputs"]:
        column = f"{name}_mean"
        if column not in table.column_names:
            raise SweepError(f"`{name}` is not an output of this sweep ({', '.join(sweep.spec['outputs'])})")
        means = [0.0] * total
        for p, v in zip(points, table.column(column).to_pylist()):
            if p < total:
                means[p] = v
        indices, svg = _checked(_native.analyze, sweep.native, name, means)
        analysis["outputs"][name] = json.loads(indices)
        (out / f"tornado-{name}.svg").write_text(svg)
    (out / "analysis.json").write_text(json.dumps(analysis, indent=2) + "\n")
    return analysis


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m holisec.sweep", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run every point not yet written")
    r.add_argument("sweep", help="sweep file (TOML)")
    r.add_argument("--out", required=True, help="output folder (created; resumed when it holds this sweep)")
    r.add_argument("--workers", type=int, help="points run at once on this machine (default: all cores)")
    r.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://10.0.0.5:8786")
    a = sub.add_parser("analyze", help="sensitivity indices of a finished sweep")
    a.add_argument("out", help="output folder of `run`")
    a.add_argument("--output", action="append", help="an outcome to analyse (default: the sweep's)")
    a.add_argument("--json", action="store_true", help="print the indices as JSON")
    args = parser.parse_args(argv)
    from . import InputError

    try:
        if args.command == "run":
            client = None
            if args.scheduler:
                from dask.distributed import Client

                client = Client(args.scheduler)
            s = run(args.sweep, args.out, workers=args.workers, client=client, progress=True)
            print(f"{s.ran} points run, {s.skipped} already written, {s.points} in all: {s.out}", file=sys.stderr)
            print(f"wrote {s.out}/{MANIFEST} and {s.points} partitions with their summaries", file=sys.stderr)
        else:
            result = analyze(args.out, args.output)
            if args.json:
                print(json.dumps(result, indent=2))
            else:
                for name, block in result["outputs"].items():
                    print(f"\n{name} ({block['method']}):")
                    for i in block["indices"]:
                        if block["method"] == "morris":
                            lo, hi = i["mu_star_ci"]
                            print(f"  {i['parameter']:<32} mu* {i['mu_star']:>12.4g}  [{lo:.4g}, {hi:.4g}]  sigma {i['sigma']:.4g}")
                        else:
                            print(f"  {i['parameter']:<32} S1 {i['first']:>7.3f}  ST {i['total']:>7.3f}")
                    print(f"wrote {Path(args.out) / f'tornado-{name}.svg'}", file=sys.stderr)
                print(f"wrote {Path(args.out) / 'analysis.json'}", file=sys.stderr)
    except (InputError, SweepError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main())
