"""Type stubs of the native module (crates/holisec-py). Use the ``holisec`` package instead."""

ENGINE_VERSION: str
#: The statistics of a sweep point's summary, in the order ``run_point`` gives them.
SUMMARY_STATISTICS: list[str]

class InputError(ValueError):
    """args = (report, diagnostics as JSON)."""

class Model:
    @property
    def name(self) -> str: ...
    def to_json(self) -> str: ...
    def warnings_json(self) -> str: ...

def load_model(name: str, data: bytes | None = None) -> Model: ...
def risk(model: Model, request: str, threads: int | None = None) -> tuple[str, str]: ...
def builtin_scenarios() -> str: ...
def simulate(
    model: Model,
    scenario: str,
    text: str | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    scale: float | None = None,
    threads: int | None = None,
    fixed_network: bool | None = None,
) -> tuple[str, list[str]]: ...
def score(
    model: Model,
    answers_name: str,
    answers_text: str,
    questionnaire: tuple[str, str] | None = None,
) -> str: ...

class Sweep:
    def to_json(self) -> str: ...
    def design_json(self) -> str: ...
    def point_count(self) -> int: ...

def load_sweep(name: str, text: str) -> Sweep: ...
def run_point(
    model: Model,
    sweep: Sweep,
    index: int,
    scenario: str,
    text: str | None = None,
    threads: int | None = None,
) -> tuple[int, list[list[float]], list[list[float]]]: ...
def analyze(sweep: Sweep, output: str, y: list[float]) -> tuple[str, str]: ...
