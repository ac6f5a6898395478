#!/usr/bin/env bash
# The one set-up + test command of holisec (README, "Tests"; `.ci/run` calls
# exactly this): installs what the tests need when it is missing (Graphviz and
# sqlite3 from Debian, Python tools in ./.venv, npm packages in ./tests-js),
# checks formatting and lints, then runs the whole Cargo test suite.
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
command -v sqlite3 >/dev/null 2>&1 || apt_packages+=(sqlite3)
if [ ${#apt_packages[@]} -gt 0 ]; then
    echo "test.sh: installing ${apt_packages[*]} with apt-get" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

# Python tools (OASIS STIX validator, JSON Schema checker) in a project venv.
venv="$root/.venv"
python_packages=(stix2-validator==3.2.0 jsonschema)
if [ ! -x "$venv/bin/stix2_validator" ] || [ ! -x "$venv/bin/jsonschema" ] ; then
    echo "test.sh: creating $venv with ${python_packages[*]}" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "${python_packages[@]}"
fi

# Node packages for browser and Mermaid checks, when the project has them.
if [ -f "$root/tests-js/package.json" ] && [ ! -d "$root/tests-js/node_modules" ]; then
    echo "test.sh: installing npm packages in tests-js" >&2
    (cd "$root/tests-js" && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi)
fi

export HOLISEC_REQUIRE_TOOLS=1
export HOLISEC_VENV="$venv"
export INSTA_UPDATE=no
export PROPTEST_CASES="${PROPTEST_CASES:-64}"

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace --all-targets
cargo test --workspace --doc
