"""holisec from Python: the same model and engines as the ``holisec`` command.

Every function calls the Rust library the CLI and the server call
(``holisec-api``, through the native module ``holisec._native``), with the same
requests, so the numbers equal the CLI's ``--json`` for the same inputs and
seed. Engine runs release the GIL; results do not depend on ``threads``.

Tables are ``pyarrow`` tables (``.to_pandas()``, ``polars.from_arrow(...)``).
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.csv as pacsv

# The native module allocates with mimalloc (crates/holisec-py/src/lib.rs).
# Freed memory is kept 10 s before it goes back to the system (mimalloc's
# default is 1 s): a sweep's next point or replicate reuses it instead of
# faulting tens of MB in afresh, 7-8% faster per point (docs/benchmarks.md,
# "Sweeps"), and an idle notebook still returns it. Read when the module
# loads; a value the user set wins.
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "10000")

from . import _native  # noqa: E402

__all__ = [
    "ENGINE_VERSION",
    "InputError",
    "Model",
    "RiskResult",
    "Simulation",
    "builtin_model",
    "load_model",
    "loads_model",
    "risk",
    "scenarios",
    "score",
    "simulate",
]

ENGINE_VERSION: str = _native.ENGINE_VERSION

#: Largest input file read (a model, scenario, questionnaire or answer file).
MAX_INPUT_BYTES = 16 * 1024 * 1024


class InputError(ValueError):
    """An input file has errors.

    ``str(error)`` is the CLI's report (file:line:column, a snippet, what was
    expected); ``diagnostics`` is the list of dicts the CLI prints with
    ``--json``: ``file``, ``line``, ``column``, ``severity``, ``message``,
    ``expected``, ``help``.
    """

    def __init__(self, report: str, diagnostics: list[dict[str, Any]]):
        super().__init__(report)
        self.report = report
        self.diagnostics = diagnostics


def _checked(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except _native.InputError as e:
        report, diagnostics = e.args
        raise InputError(report, json.loads(diagnostics) if diagnostics else []) from None


def _read(path: str | os.PathLike[str]) -> bytes:
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise ValueError(f"{p}: the file is {size} bytes, more than {MAX_INPUT_BYTES}")
    return p.read_bytes()


def _text(path: str | os.PathLike[str]) -> str:
    data = _read(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: byte {e.start}: the file is not UTF-8 text") from None


def _table(csv_text: str) -> pa.Table:
    return pacsv.read_csv(io.BytesIO(csv_text.encode("utf-8")))


class Model:
    """A validated model (the built-in European one, or a file's)."""

    def __init__(self, native: Any):
        self._native = native

    @property
    def name(self) -> str:
        """The name diagnostics use: the path, or ``<built-in europe.toml>``."""
        return self._native.name

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """Warnings of the file (a model with errors does not load)."""
        return json.loads(self._native.warnings_json())

    def to_dict(self) -> dict[str, Any]:
        """Stakeholders, factors, relations, threats, support and countries."""
        return json.loads(self._native.to_json())

    def __repr__(self) -> str:
        return f"holisec.Model({self.name!r})"


def builtin_model() -> Model:
    """The built-in European model (``holisec init`` writes its file)."""
    return Model(_native.load_model("<built-in europe.toml>"))


def load_model(path: str | os.PathLike[str]) -> Model:
    """Loads and validates a model file; raises :class:`InputError`."""
    return Model(_checked(_native.load_model, str(path), _read(path)))


def loads_model(text: str, name: str = "<string>") -> Model:
    """Loads and validates a model from its TOML text."""
    return Model(_checked(_native.load_model, name, text.encode("utf-8")))


def _model(model: Model | None) -> Model:
    return builtin_model() if model is None else model


@dataclass(frozen=True)
class RiskResult:
    """What ``holisec risk --json`` prints, and its loss exceedance curves."""

    report: dict[str, Any]
    lec_csv: str = field(repr=False)

    def lec(self) -> pa.Table:
        """Loss exceedance curves: ``series``, ``loss``, ``exceedance_probability``
        (the CLI's ``--lec-csv``)."""
        return _table(self.lec_csv)


def risk(
    model: Model | None = None,
    *,
    iterations: int | None = None,
    seed: int | None = None,
    scenarios: Iterable[str] = (),
    stakeholder: str | None = None,
    with_support: Iterable[str] = (),
    compare: bool = False,
    budget: float | None = None,
    exact_pert: bool = False,
    threads: int | None = None,
) -> RiskResult:
    """Runs the risk engine (``holisec risk``); arguments are the CLI's flags.

    ``with_support`` is ``--with``. ``None`` leaves the CLI's default.
    """
    request: dict[str, Any] = {
        "scenarios": list(scenarios),
        "with": list(with_support),
        "compare": compare,
        "exact_pert": exact_pert,
    }
    for key, value in (
        ("iterations", iterations),
        ("seed", seed),
        ("stakeholder", stakeholder),
        ("budget", budget),
    ):
        if value is not None:
            request[key] = value
    text, lec_csv = _checked(_native.risk, _model(model)._native, json.dumps(request), threads)
    return RiskResult(json.loads(text), lec_csv)


@dataclass(frozen=True)
class Simulation:
    """What ``holisec simulate --json`` prints, and its ``--csv`` tables."""

    report: dict[str, Any]
    tables_csv: tuple[str, str, str, str, str] = field(repr=False)

    def daily(self) -> pa.Table:
        """Daily series: ``day``, ``series``, ``mean``, ``p5``, ``p95`` over replicates."""
        return _table(self.tables_csv[0])

    def countries(self) -> pa.Table:
        """Daily series per country: ``day``, ``country``, ``series``, ``mean``."""
        return _table(self.tables_csv[1])

    def replicates(self) -> pa.Table:
        """One row of outcomes per replicate."""
        return _table(self.tables_csv[2])

    def organisations(self) -> pa.Table:
        """One row per organisation: kind, country, staff, links, chance of
        infection and of disruption, mean days disrupted."""
        return _table(self.tables_csv[3])

    def named(self) -> pa.Table:
        """The organisations the scenario's campaigns name, one row per
        organisation and replicate: its staff and segments in that
        replicate's network, whether it was infected, encrypted (and the
        largest share of its segments), disrupted (and for how many days)
        and switched off. Empty when no campaign names one."""
        return _table(self.tables_csv[4])


def scenarios() -> list[dict[str, Any]]:
    """The built-in scenarios (``holisec simulate --list-scenarios --json``)."""
    return json.loads(_native.builtin_scenarios())


def simulate(
    model: Model | None = None,
    scenario: str | os.PathLike[str] = "europe-phishing-ransomware",
    *,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    scale: float | None = None,
    threads: int | None = None,
    fixed_network: bool | None = None,
) -> Simulation:
    """Runs the propagation simulator (``holisec simulate``).

    ``scenario`` is a file when such a file exists, else a built-in name, as on
    the command line. ``None`` leaves the scenario's own setting.
    ``fixed_network=True`` runs every replicate on one synthetic network
    (``--fixed-network``); by default each replicate draws its own.
    """
    path = Path(scenario)
    if isinstance(scenario, os.PathLike) or path.exists():
        text: str | None = _text(path)
        name = str(path)
    else:
        text, name = None, str(scenario)
    report, tables = _checked(
        _native.simulate,
        _model(model)._native,
        name,
        text,
        replicates,
        seed,
        days,
        scale,
        threads,
        fixed_network,
    )
    return Simulation(json.loads(report), tuple(tables))


def score(
    answers: str | os.PathLike[str],
    model: Model | None = None,
    questionnaire: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Scores an answer file (TOML, or CSV when its name ends in ``.csv``):
    weighted maturity 0-4 per domain and overall, as ``holisec assess score``."""
    q = None
    if questionnaire is not None:
        q = (str(questionnaire), _text(questionnaire))
    text = _text(answers)
    return json.loads(_checked(_native.score, _model(model)._native, str(answers), text, q))
