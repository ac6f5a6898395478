"""The Python package against the CLI: same inputs and seed, same numbers.

``HOLISEC_BIN`` names the ``holisec`` executable to compare with (the Cargo
test crates/holisec-cli/tests/python.rs sets it); without it the comparisons
use ``holisec`` on PATH and fail when there is none.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

import holisec

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path | None = None) -> str:
    exe = os.environ.get("HOLISEC_BIN") or shutil.which("holisec")
    assert exe, "set HOLISEC_BIN to the holisec executable"
    env = dict(os.environ, HOLISEC_QUIET="1")
    env.pop("HOLISEC_DB", None)
    out = subprocess.run([exe, *args], capture_output=True, text=True, env=env, cwd=cwd)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_risk_equals_the_clis_json_and_ignores_threads():
    py = holisec.risk(iterations=20_000, seed=7, threads=1)
    assert py.report == json.loads(cli("risk", "--iterations", "20000", "--seed", "7", "--json"))
    assert holisec.risk(iterations=20_000, seed=7, threads=2).report == py.report
    # A stakeholder's view with support compared within a budget, as the CLI does it.
    args = dict(stakeholder="healthcare-organisations", compare=True, budget=200_000.0)
    got = holisec.risk(iterations=5_000, seed=3, **args).report
    want = json.loads(
        cli(
            "risk",
            "--iterations",
            "5000",
            "--seed",
            "3",
            "--stakeholder",
            "healthcare-organisations",
            "--compare",
            "--budget",
            "200000",
            "--json",
        )
    )
    assert got == want


def test_loss_exceedance_curves_are_a_table_equal_to_the_clis_csv(tmp_path):
    result = holisec.risk(iterations=10_000, seed=2)
    lec = result.lec()
    assert lec.column_names == ["series", "loss", "exceedance_probability"]
    cli("risk", "--iterations", "10000", "--seed", "2", "--lec-csv", str(tmp_path / "lec.csv"))
    assert (tmp_path / "lec.csv").read_text() == result.lec_csv
    total = lec.to_pandas().query("series == 'total'")
    # Exceedance falls as the loss grows, from the chance of any loss event.
    assert total["exceedance_probability"].is_monotonic_decreasing
    assert total["exceedance_probability"].iloc[0] == pytest.approx(
        result.report["total"]["probability_of_loss_event"], abs=1e-12
    )


def test_simulation_equals_the_clis_json_and_csv(tmp_path):
    sim = holisec.simulate(None, "supplier-compromise", scale=0.01, replicates=3, seed=2)
    want = json.loads(
        cli(
            "simulate",
            "--scenario",
            "supplier-compromise",
            "--scale",
            "0.01",
            "--replicates",
            "3",
            "--seed",
            "2",
            "--csv",
            str(tmp_path),
            "--json",
        )
    )
    assert sim.report == want
    for name, text in zip(
        [
            "series.csv",
            "countries.csv",
            "replicates.csv",
            "organisations.csv",
            "named-organisations.csv",
        ],
        sim.tables_csv,
        strict=True,
    ):
        assert (tmp_path / name).read_text() == text, name
    replicates = sim.replicates().to_pandas()
    assert len(replicates) == 3
    assert list(replicates["hospitals_infected"]) == [
        r["hospitals_infected"] for r in want["per_replicate"]
    ]
    daily = sim.daily().to_pandas()
    assert set(daily["day"]) == set(range(want["days"]))
    organisations = sim.organisations().to_pandas()
    assert len(organisations) == want["organisations"]
    # Same numbers whatever the thread count.
    again = holisec.simulate(
        None, "supplier-compromise", scale=0.01, replicates=3, seed=2, threads=2
    )
    assert again.report == sim.report


def test_a_named_hospitals_outcome_per_replicate():
    path = REPO / "scenarios" / "replays" / "duesseldorf-2020.toml"
    sim = holisec.simulate(None, path, scale=0.05, replicates=3, seed=1)
    named = sim.named().to_pandas()
    assert list(named["organisation"]) == ["hospital-DE-0040"] * 3
    assert list(named["replicate"]) == [0, 1, 2]
    # Intruded on day 0 in every replicate; the counts are the JSON's.
    assert named["infected"].all()
    want = sim.report["named"][0]
    assert want["infected"] == 3
    assert want["encrypted"] == int(named["encrypted"].sum())
    assert want["disrupted"] == int(named["disrupted"].sum())


def test_a_scenario_file_is_read_like_the_cli_reads_it(tmp_path):
    path = REPO / "scenarios" / "worm-killswitch.toml"
    sim = holisec.simulate(None, path, scale=0.005, replicates=2, days=20, seed=5)
    want = json.loads(
        cli(
            "simulate",
            "--scenario",
            str(path),
            "--scale",
            "0.005",
            "--replicates",
            "2",
            "--days",
            "20",
            "--seed",
            "5",
            "--json",
        )
    )
    assert sim.report == want
    names = {s["name"] for s in holisec.scenarios()}
    assert {"europe-phishing-ransomware", "supplier-compromise", "worm-killswitch"} <= names


def test_bad_model_raises_with_line_and_column(tmp_path):
    bad = REPO / "crates" / "holisec-model" / "tests" / "bad-models" / "bad-currency.toml"
    with pytest.raises(holisec.InputError) as caught:
        holisec.load_model(bad)
    error = caught.value
    assert error.diagnostics[0]["line"] == 4
    assert error.diagnostics[0]["column"] == 12
    assert "invalid currency `euro`" in error.diagnostics[0]["message"]
    assert "bad-currency.toml:4:12" in str(error)
    with pytest.raises(holisec.InputError) as caught:
        holisec.loads_model("[ecosystem]\nname = 1\n", name="inline.toml")
    assert caught.value.diagnostics[0]["file"] == "inline.toml"
    assert any(d["line"] == 2 and d["column"] == 8 for d in caught.value.diagnostics), (
        caught.value.diagnostics
    )


def test_bad_scenario_and_options_are_value_errors(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('[scenario]\nname = "x"\ndays = 0\n')
    with pytest.raises(holisec.InputError) as caught:
        holisec.simulate(None, scenario)
    assert caught.value.diagnostics[0]["line"] == 3
    with pytest.raises(ValueError, match="no-such-scenario"):
        holisec.simulate(None, "no-such-scenario")
    with pytest.raises(ValueError, match="iterations 0"):
        holisec.risk(iterations=0)
    with pytest.raises(ValueError, match="threads 0"):
        holisec.risk(iterations=10, threads=0)
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(ValueError, match="not UTF-8"):
        holisec.simulate(None, binary)


def test_a_users_model_file_runs():
    path = REPO / "models" / "europe.toml"
    model = holisec.load_model(path)
    assert model.name == str(path)
    assert model.warnings == []
    data = model.to_dict()
    assert len(data["stakeholders"]) == 11
    assert len(data["countries"]) == 28
    assert holisec.risk(model, iterations=2_000, seed=1).report == json.loads(
        cli("risk", str(path), "--iterations", "2000", "--seed", "1", "--json")
    )


def test_score_equals_the_assessment_commands(tmp_path):
    db = tmp_path / "h.db"
    out = cli("assess", "new", "--org", "St Mary", "--db", str(db))
    assessment = out.split()[2]
    questionnaire = (REPO / "questionnaires" / "hospital.toml").read_text()
    items = [
        line.removeprefix('id = "').rstrip('"')
        for line in questionnaire.splitlines()
        if line.startswith('id = "') and line != 'id = "hospital"'
    ]
    assert len(items) >= 60
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "item,level,evidence\n" + "".join(f"{item},{k % 5},\n" for k, item in enumerate(items))
    )
    cli("assess", "answer", assessment, "--file", str(answers), "--db", str(db))
    want = json.loads(cli("assess", "score", assessment, "--json", "--db", str(db)))
    got = holisec.score(answers)
    assert got == want
    assert 0.0 < got["overall"]["score"] < 4.0


def test_engine_runs_release_the_gil():
    """While a long risk run works in another thread, this thread keeps running
    Python: with the GIL held, it could not run at all until the call returned."""
    done = threading.Event()

    def work():
        holisec.risk(iterations=3_000_000, seed=1, threads=1)
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        done.wait(0.001)
    worker.join()
    assert ticks > 20, ticks


def test_tables_convert_to_pandas():
    sim = holisec.simulate(None, "supplier-compromise", scale=0.005, replicates=2, seed=1)
    frame = sim.countries().to_pandas()
    assert {"day", "country", "series", "mean"} <= set(frame.columns)
    assert set(frame["country"]) <= {c["code"] for c in holisec.builtin_model().to_dict()["countries"]}
