"""Sweeps: one machine, resume, a killed run, another sweep's folder, a Dask
cluster of two worker processes, the summary of each point, DuckDB on the
results, sensitivity indices."""

from __future__ import annotations

import json
import math
import re
import signal
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import holisec
from holisec import sweep

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny-morris.toml"
REPO = Path(__file__).resolve().parents[2]
STATISTICS = ["mean", "sd", "p5", "p50", "p95", "min", "max"]


def sorted_rows(table):
    return table.sort_by([("point", "ascending"), ("replicate", "ascending")])


def sorted_points(table):
    return table.sort_by([("point", "ascending")])


def nearest_rank(values, q):
    """The q-quantile by nearest rank, as holisec's bands are defined."""
    v = sorted(values)
    return v[min(max(math.ceil(q * len(v)), 1), len(v)) - 1]


def test_one_machine_run_writes_one_partition_per_point_and_resumes(tmp_path):
    out = tmp_path / "out"
    first = sweep.run(TINY, out)
    assert (first.points, first.ran, first.skipped) == (12, 12, 0)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["points"] == 12 and manifest["name"] == "tiny worm screening"
    table = sweep.results(out)
    assert table.num_rows == 12 * 2
    design = sweep.load(TINY).design
    for row in sorted_rows(table).to_pylist()[::2]:
        point = design["points"][row["point"]]
        assert row["seed"] == point["seed"]
        assert row["worm_contacts_per_day"] == point["values"][0]
    summaries = sweep.summaries(out)
    assert summaries.num_rows == 12 and sorted(summaries.column("point").to_pylist()) == list(range(12))
    # Nothing left to do; a lost partition is rerun alone with the same numbers.
    assert sweep.run(TINY, out).ran == 0
    lost = out / "point=5" / "part.parquet"
    before = pq.read_table(lost)
    summary = pq.read_table(out / "point=5" / "summary.parquet")
    lost.unlink()
    again = sweep.run(TINY, out)
    assert (again.ran, again.skipped) == (1, 11)
    assert pq.read_table(lost).equals(before)
    assert pq.read_table(out / "point=5" / "summary.parquet").equals(summary)


def test_a_point_without_its_summary_is_rerun_and_its_leftover_partition_replaced(tmp_path):
    out = tmp_path / "out"
    sweep.run(TINY, out)
    point = out / "point=7"
    part, summary = pq.read_table(point / "part.parquet"), pq.read_table(point / "summary.parquet")
    # A worker killed between the two renames: the partition is there, the
    # summary is not (here the partition is another point's, to see it replaced),
    # and temporaries are left behind.
    (point / "summary.parquet").unlink()
    pq.write_table(pq.read_table(out / "point=3" / "part.parquet"), point / "part.parquet")
    (point / ".summary.parquet.123.abc.tmp").write_bytes(b"half a file")
    (point / ".part.parquet.123.abc.tmp").write_bytes(b"half a file")
    assert 7 not in sweep.results(out).column("point").to_pylist()
    assert sweep.summaries(out).num_rows == 11
    with pytest.raises(sweep.SweepError, match="1 of 12 points"):
        sweep.analyze(out)
    again = sweep.run(TINY, out)
    assert (again.ran, again.skipped) == (1, 11)
    assert pq.read_table(point / "part.parquet").equals(part)
    assert pq.read_table(point / "summary.parquet").equals(summary)
    assert not list(out.glob("point=*/.*.tmp"))
    reference = tmp_path / "reference"
    sweep.run(TINY, reference)
    assert sorted_rows(sweep.results(out)).equals(sorted_rows(sweep.results(reference)))
    assert sorted_points(sweep.summaries(out)).equals(sorted_points(sweep.summaries(reference)))


def test_each_points_summary_is_the_statistics_of_its_replicates(tmp_path):
    spec = TINY.read_text().replace("trajectories = 3", "trajectories = 2").replace("replicates = 2", "replicates = 7")
    sweep_file = tmp_path / "seven.toml"
    sweep_file.write_text(spec)
    out = tmp_path / "out"
    sweep.run(sweep_file, out)
    loaded = sweep.load(sweep_file)
    design, outputs = loaded.design, loaded.spec["outputs"]
    parameters = [f["parameter"] for f in design["factors"]]
    rows = sweep.results(out).to_pylist()
    summaries = sorted_points(sweep.summaries(out))
    assert summaries.num_rows == 8
    assert summaries.column_names[:5] == ["seed", *parameters, "replicates"]
    assert set(summaries.column_names) == {
        "seed",
        *parameters,
        "replicates",
        "point",
        *(f"{o}_{s}" for o in outputs for s in STATISTICS),
    }
    for summary in summaries.to_pylist():
        point = design["points"][summary["point"]]
        assert summary["seed"] == point["seed"] and summary["replicates"] == 7
        assert [summary[p] for p in parameters] == point["values"]
        mine = [r for r in rows if r["point"] == summary["point"]]
        assert len(mine) == 7
        for o in outputs:
            values = [r[o] for r in mine]
            assert summary[f"{o}_mean"] == sum(sorted(values)) / len(values)
            assert summary[f"{o}_min"] == min(values) and summary[f"{o}_max"] == max(values)
            for q in (5, 50, 95):
                assert summary[f"{o}_p{q}"] == nearest_rank(values, q / 100)
            assert summary[f"{o}_sd"] == pytest.approx(statistics.stdev(values), rel=1e-12, abs=1e-12)
    # The mean and the 5-95% band are those `holisec simulate` reports for the
    # same scenario, parameter values and seed.
    first = summaries.to_pylist()[0]
    scenario = (REPO / "scenarios" / "worm-killswitch.toml").read_text()
    for p in parameters:
        scenario, n = re.subn(rf"^{p} = [^#\n]*", f"{p} = {first[p]!r} ", scenario, flags=re.M)
        assert n == 1, p
    scenario_file = tmp_path / "worm-point.toml"
    scenario_file.write_text(scenario)
    report = holisec.simulate(
        scenario=scenario_file, replicates=7, seed=first["seed"], days=20, scale=0.005, threads=1
    ).report
    for o in outputs:
        band = report["summary"][o]
        assert (first[f"{o}_mean"], first[f"{o}_p5"], first[f"{o}_p95"]) == (band["mean"], band["p5"], band["p95"])


def test_a_killed_run_leaves_no_partition_that_looks_finished(tmp_path):
    spec = TINY.read_text().replace("trajectories = 3", "trajectories = 12").replace(
        "scale = 0.005", "scale = 0.03"
    )
    sweep_file = tmp_path / "kill.toml"
    sweep_file.write_text(spec)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "holisec.sweep", "run", str(sweep_file), "--out", str(out), "--workers", "2"],
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 120
    while len(list(out.glob("point=*/summary.parquet"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = list(out.glob("point=*/summary.parquet"))
    assert 3 <= len(finished) < 48, len(finished)
    for summary in finished:
        # Complete, or absent; a finished point's partition is there, complete.
        assert pq.read_table(summary).column("replicates").to_pylist() == [2]
        assert pq.read_table(summary.with_name("part.parquet")).num_rows == 2
    for part in out.glob("point=*/part.parquet"):
        assert pq.read_table(part).num_rows == 2
    resumed = sweep.run(sweep_file, out)
    assert resumed.skipped == len(finished) and resumed.ran == 48 - len(finished)
    assert not list(out.glob("point=*/.*.tmp"))
    reference = tmp_path / "reference"
    sweep.run(sweep_file, reference)
    assert sorted_rows(sweep.results(out)).equals(sorted_rows(sweep.results(reference)))
    assert sorted_points(sweep.summaries(out)).equals(sorted_points(sweep.summaries(reference)))


def test_another_sweeps_folder_is_refused_and_kept(tmp_path):
    out = tmp_path / "out"
    sweep.run(TINY, out)
    manifest = (out / "manifest.json").read_bytes()
    other = tmp_path / "other.toml"
    other.write_text(TINY.read_text().replace("seed = 5", "seed = 6"))
    with pytest.raises(sweep.SweepError, match="another sweep"):
        sweep.run(other, out)
    assert (out / "manifest.json").read_bytes() == manifest
    assert len(list(out.glob("point=*/part.parquet"))) == 12
    assert len(list(out.glob("point=*/summary.parquet"))) == 12
    cluttered = tmp_path / "cluttered"
    cluttered.mkdir()
    (cluttered / "notes.txt").write_text("mine")
    with pytest.raises(sweep.SweepError, match="not empty"):
        sweep.run(TINY, cluttered)
    assert (cluttered / "notes.txt").read_text() == "mine"


def test_bad_sweep_files_name_line_and_column(tmp_path):
    cases = {
        'parameter = "exposed_share"': ('parameter = "exposed_shares"', "unknown parameter `exposed_shares`"),
        "range = [0.03, 0.25]": ("range = [0.25, 0.03]", "empty or inverted"),
        'design = "morris"': ('design = "sobel"', "unknown design `sobel`"),
    }
    for original, (broken, message) in cases.items():
        text = TINY.read_text().replace(original, broken)
        path = tmp_path / "bad.toml"
        path.write_text(text)
        with pytest.raises(holisec.InputError) as caught:
            sweep.load(path)
        d = caught.value.diagnostics[0]
        line = next(i for i, l in enumerate(text.splitlines(), 1) if broken in l)
        assert message in d["message"] and d["line"] == line, d
        assert f"bad.toml:{line}:" in str(caught.value)
    too_many = tmp_path / "big.toml"
    too_many.write_text(TINY.read_text().replace("trajectories = 3", "trajectories = 40000"))
    with pytest.raises(holisec.InputError, match="at most 100000 points"):
        sweep.load(too_many)


def test_a_dask_cluster_writes_the_same_results(tmp_path):
    import dask
    from dask import distributed
    local = tmp_path / "local"
    sweep.run(TINY, local)
    # Started as docs/python.md says: the workers get holisec's settings.
    with dask.config.set(sweep.DASK_WORKER_CONFIG):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
        )
    try:
        with distributed.Client(cluster) as client:
            summary = sweep.run(TINY, tmp_path / "dask", client=client)
            workers = len(client.scheduler_info()["workers"])
            settings = client.run(
                lambda: {key: dask.config.get(key) for key in sweep.DASK_WORKER_CONFIG}
            )
    finally:
        cluster.close()
    assert workers == 2 and summary.ran == 12
    assert list(settings.values()) == [sweep.DASK_WORKER_CONFIG] * 2
    assert sorted_rows(sweep.results(tmp_path / "dask")).equals(sorted_rows(sweep.results(local)))
    assert sorted_points(sweep.summaries(tmp_path / "dask")).equals(sorted_points(sweep.summaries(local)))


def test_dask_worker_settings_are_dask_settings_and_read_back_from_the_environment():
    import dask
    for key in sweep.DASK_WORKER_CONFIG:
        dask.config.get(key)  # KeyError for a setting Dask does not have
    from_environment = dask.config.collect_env(sweep.DASK_WORKER_ENVIRONMENT)
    for key, value in sweep.DASK_WORKER_CONFIG.items():
        assert dask.config.get(key, config=from_environment) == value
    assert sweep.DASK_WORKER_ENVIRONMENT["DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"] == "False"


def test_duckdb_reads_the_partitions(tmp_path):
    import duckdb
    out = tmp_path / "out"
    sweep.run(TINY, out)
    rows = duckdb.sql(
        f"""select point, avg(orgs_disrupted) as mean
            from read_parquet('{out}/point=*/part.parquet', hive_partitioning = true)
            group by point order by point"""
    ).fetchall()
    table = sweep.results(out).to_pandas()
    means = table.groupby("point")["orgs_disrupted"].mean()
    assert [r[0] for r in rows] == list(range(12))
    assert [r[1] for r in rows] == pytest.approx(list(means))
    # The summaries: one row per point, its mean that of its replicates.
    summary = duckdb.sql(
        f"""select point, replicates, orgs_disrupted_mean, orgs_disrupted_p95, worm_contacts_per_day
            from read_parquet('{out}/point=*/summary.parquet', hive_partitioning = true)
            order by point"""
    ).fetchall()
    assert [r[0] for r in summary] == list(range(12))
    assert all(r[1] == 2 for r in summary)
    assert [r[2] for r in summary] == pytest.approx(list(means))
    maxima = table.groupby("point")["orgs_disrupted"].max()
    assert [r[3] for r in summary] == list(maxima)  # p95 of two replicates: the larger
    contacts = table.groupby("point")["worm_contacts_per_day"].first()
    assert [r[4] for r in summary] == list(contacts)


def test_analysis_gives_morris_indices_and_a_tornado_chart(tmp_path):
    out = tmp_path / "out"
    sweep.run(TINY, out)
    result = sweep.analyze(out)
    block = result["outputs"]["orgs_disrupted"]
    assert block["method"] == "morris"
    assert {i["parameter"] for i in block["indices"]} == {
        "worm_contacts_per_day",
        "exposed_share",
        "disconnect_rate",
    }
    mu = [i["mu_star"] for i in block["indices"]]
    assert mu == sorted(mu, reverse=True)
    for i in block["indices"]:
        assert i["mu_star_ci"][0] <= i["mu_star"] <= i["mu_star_ci"][1]
    svg = ET.parse(out / "tornado-orgs_disrupted.svg").getroot()
    assert svg.tag.endswith("svg") and len(svg.findall("{http://www.w3.org/2000/svg}rect")) == 3
    assert json.loads((out / "analysis.json").read_text()) == result
    # The means come from the summaries, and equal the replicates' means.
    table = sweep.results(out).to_pandas()
    loaded = sweep.load(TINY)
    for name in loaded.spec["outputs"]:
        means = table.groupby("point")[name].mean()
        assert list(means.index) == list(range(12))
        indices, _ = holisec._native.analyze(loaded.native, name, list(means))
        assert result["outputs"][name] == json.loads(indices)
    # Unfinished sweeps are not analysed.
    (out / "point=0" / "part.parquet").unlink()
    with pytest.raises(sweep.SweepError, match="1 of 12 points"):
        sweep.analyze(out)
