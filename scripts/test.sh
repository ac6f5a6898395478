#!/usr/bin/env bash
# The one set-up + test command of holisec (README, "Tests"; `.ci/run` calls
# exactly this): installs what the tests need when it is missing (Graphviz,
# chromium and poppler-utils from Debian, Python tools in ./.venv, npm packages
# in ./tests-js), checks formatting and lints, then runs the whole Cargo test
# suite.
#
# Every test binary runs even when another one fails (`--no-fail-fast`); the
# last line is one summary of the totals, and the exit status is non-zero when
# anything failed.
#
# Tests that need an external tool fail (instead of skipping) because this
# script sets HOLISEC_REQUIRE_TOOLS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages.
apt_packages=()
command -v dot >/dev/null 2>&1 || apt_packages+=(graphviz)
# The browser test (crates/holisec-server/tests/browser.rs) drives Debian's chromium.
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
# The report test turns the PDF into pages and words (pdftoppm, pdftotext).
{ command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; } || apt_packages+=(poppler-utils)
if [ ${#apt_packages[@]} -gt 0 ]; then
    echo "test.sh: installing ${apt_packages[*]} with apt-get" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

# Python tools (OASIS STIX validator, JSON Schema checker, schemathesis for the
# server's OpenAPI document; maturin, pyarrow, pandas and pytest for the Python
# package, Dask and DuckDB for its sweeps) in a project venv.
venv="$root/.venv"
python_packages=(stix2-validator==3.2.0 jsonschema schemathesis==4.32.5 taxii2-client==2.3.0 stix2==3.0.2
    maturin==1.16.0 pyarrow==26.0.1 pandas==3.1.1 pytest==9.2.0 "dask[distributed]==2025.11.0" duckdb==2.0.1)
if [ ! -x "$venv/bin/stix2_validator" ] || [ ! -x "$venv/bin/jsonschema" ] || [ ! -x "$venv/bin/schemathesis" ] \
    || [ ! -x "$venv/bin/maturin" ] || [ ! -x "$venv/bin/pytest" ] \
    || ! "$venv/bin/python" -c 'import taxii2client, stix2, pyarrow, pandas, dask.distributed, duckdb' 2>/dev/null; then
    echo "test.sh: creating $venv with ${python_packages[*]}" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "${python_packages[@]}"
fi
# The Python package, rebuilt from this checkout every time (crates/holisec-cli/tests/python.rs
# runs its pytest suite against the CLI; maturin cannot build inside `cargo test`). The dev
# profile shares target/debug with the Cargo tests; a user's `pip install ./python` builds release.
echo "test.sh: installing the holisec Python package (python/) into $venv" >&2
PATH="$venv/bin:$PATH" MATURIN_PEP517_ARGS="--profile dev" \
    "$venv/bin/pip" install -q --disable-pip-version-check --no-build-isolation --no-deps --force-reinstall "$root/python"

# Node packages for browser and Mermaid checks, when the project has them.
# (again when the lockfile is newer than the install, e.g. playwright-core added).
if [ -f "$root/tests-js/package.json" ] && { [ ! -d "$root/tests-js/node_modules" ] ||
    [ "$root/tests-js/package-lock.json" -nt "$root/tests-js/node_modules/.package-lock.json" ]; }; then
    echo "test.sh: installing npm packages in tests-js" >&2
    (cd "$root/tests-js" && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi)
fi

export HOLISEC_REQUIRE_TOOLS=1
export HOLISEC_VENV="$venv"
export PROPTEST_CASES="${PROPTEST_CASES:-64}"

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

# The tests: all of them, whatever fails, with the output kept for the totals.
log=$(mktemp "${TMPDIR:-/tmp}/holisec-test.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --all-targets --no-fail-fast 2>&1 | tee "$log" || status=$?
cargo test --workspace --doc --no-fail-fast 2>&1 | tee -a "$log" || status=$?

# One line of totals from cargo's "test result: ok. 4 passed; 0 failed; 1 ignored; ..."
# lines (one per test binary, doc tests counting one per crate).
awk -v status="$status" '
    /^test result: / {
        binaries++
        for (i = 2; i <= NF; i++) {
            if ($i == "passed;") passed += $(i - 1)
            if ($i == "failed;") failed += $(i - 1)
            if ($i == "ignored;") ignored += $(i - 1)
        }
    }
    END {
        line = sprintf("holisec tests: %d passed, %d failed, %d ignored in %d test binaries", passed, failed, ignored, binaries)
        if (status != 0 && failed == 0) line = line " (cargo test failed outside the tests: see above)"
        print line
    }' "$log"
exit "$status"
