"""Sweeps: one machine, resume, a killed run, another sweep's folder, a Dask
cluster of two worker processes, DuckDB on the results, sensitivity indices."""

from __future__ import annotations

import json
import signal
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


def sorted_rows(table):
    return table.sort_by([("point", "ascending"), ("replicate", "ascending")])


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
    # Nothing left to do; a lost partition is rerun alone with the same numbers.
    assert sweep.run(TINY, out).ran == 0
    lost = out / "point=5" / "part.parquet"
    before = pq.read_table(lost)
    lost.unlink()
    again = sweep.run(TINY, out)
    assert (again.ran, again.skipped) == (1, 11)
    assert pq.read_table(lost).equals(before)


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
    while len(list(out.glob("point=*/part.parquet"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = list(out.glob("point=*/part.parquet"))
    assert 3 <= len(written) < 48, len(written)
    for part in written:
        assert pq.read_table(part).num_rows == 2  # complete, or absent
    resumed = sweep.run(sweep_file, out)
    assert resumed.skipped == len(written) and resumed.ran == 48 - len(written)
    assert not list(out.glob("point=*/.*.tmp"))
    reference = tmp_path / "reference"
    sweep.run(sweep_file, reference)
    assert sorted_rows(sweep.results(out)).equals(sorted_rows(sweep.results(reference)))


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
    from dask import distributed
    local = tmp_path / "local"
    sweep.run(TINY, local)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
    )
    try:
        with distributed.Client(cluster) as client:
            summary = sweep.run(TINY, tmp_path / "dask", client=client)
            workers = len(client.scheduler_info()["workers"])
    finally:
        cluster.close()
    assert workers == 2 and summary.ran == 12
    assert sorted_rows(sweep.results(tmp_path / "dask")).equals(sorted_rows(sweep.results(local)))


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
    # Unfinished sweeps are not analysed.
    (out / "point=0" / "part.parquet").unlink()
    with pytest.raises(sweep.SweepError, match="1 of 12 points"):
        sweep.analyze(out)
