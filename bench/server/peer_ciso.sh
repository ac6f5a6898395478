#!/usr/bin/env bash
# The peer side by side: CISO Assistant community (Django + DRF, knox tokens,
# SQLite), an authenticated API read of a compliance assessment under the same
# wrk command as bench/server/run.sh.
#
#   CISO_BACKEND=/path/to/ciso-assistant-community/backend bench/server/peer_ciso.sh
#
# CISO_BACKEND is the `backend/` folder of a checkout of tag v3.10.4, the last
# release whose code runs on Python 3.11 (Debian 12's; from v3.10.5 the code
# uses Python 3.12 syntax and from v3.14 the project requires Python 3.14).
# The script:
# 1. makes a venv ($PEER_VENV, default target/peer-venv) and installs the
#    backend's dependencies from PyPI, pinned to its poetry.lock;
# 2. makes a new SQLite database (migrate, storelibraries, a superuser) and
#    seeds ORGS domains, CAS compliance assessments of one 17-node framework
#    (SecNumCloud 3.2 annex 2) and their requirement assessments
#    (bench/server/ciso_seed.py, bulk inserts);
# 3. serves it with gunicorn, 3 sync workers (the project's own default,
#    GUNICORN_WORKERS=3 in its startup.sh), DEBUG off;
# 4. logs in (POST /api/iam/login/) for a knox token and runs
#    `wrk -t2 -c$CONNECTIONS -d$DURATION --latency` on
#    GET /api/compliance-assessments/{id}/ (the first domain's assessments in
#    turn), then -c1 -d5s; records req/s, p50, p99, non-2xx, and the RSS of
#    the gunicorn master and workers together.
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${CISO_BACKEND:?set CISO_BACKEND to the backend/ folder of CISO Assistant v3.10.4}"
ORGS=${ORGS:-1000}
CAS=${CAS:-10000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-20s}
PORT=${PORT:-18090}
venv=${PEER_VENV:-${CARGO_TARGET_DIR:-target}/peer-venv}
bench=$(pwd)/bench/server
EMAIL=admin@bench.example
PASSWORD='bench password 1234'

if [ ! -x "$venv/bin/gunicorn" ]; then
    python3 -m venv "$venv"
    python3 - "$CISO_BACKEND" "$venv" <<'PY'
import re, sys, tomllib
backend, venv = sys.argv[1], sys.argv[2]
deps = tomllib.load(open(f"{backend}/pyproject.toml", "rb"))["tool"]["poetry"]["dependencies"]
reqs = []
for name, spec in deps.items():
    if name == "python":
        continue
    extras = ""
    if isinstance(spec, dict):
        extras = "[" + ",".join(spec.get("extras", [])) + "]" if spec.get("extras") else ""
        spec = spec["version"]
    m = re.match(r"\^(\d+)\.(\d+)", spec)
    major, minor = int(m.group(1)), int(m.group(2))
    upper = f"{major + 1}" if major > 0 else f"0.{minor + 1}"
    reqs.append(f"{name}{extras}>={spec[1:]},<{upper}")
open(f"{venv}/reqs.txt", "w").write("\n".join(reqs) + "\n")
lock = tomllib.load(open(f"{backend}/poetry.lock", "rb"))["package"]
open(f"{venv}/constraints.txt", "w").write("\n".join(f"{p['name']}=={p['version']}" for p in lock) + "\n")
PY
    "$venv/bin/pip" install -q --disable-pip-version-check -c "$venv/constraints.txt" -r "$venv/reqs.txt"
fi

work=$(mktemp -d)
OUT=${OUT:-$work}
mkdir -p "$OUT"
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
export SQLITE_FILE="$work/ciso.sqlite3" DJANGO_DEBUG=False DJANGO_SECRET_KEY="bench-$RANDOM-$RANDOM"
export DJANGO_SUPERUSER_EMAIL="$EMAIL" DJANGO_SUPERUSER_PASSWORD="$PASSWORD"
cd "$CISO_BACKEND"
py="$venv/bin/python"
"$py" manage.py migrate -v0 >"$work/setup.log" 2>&1
"$py" manage.py storelibraries >>"$work/setup.log" 2>&1
"$py" manage.py createsuperuser --noinput >>"$work/setup.log" 2>&1
ORGS=$ORGS CAS=$CAS "$py" manage.py shell <"$bench/ciso_seed.py" >"$work/seed.log" 2>&1
grep '^seeded' "$work/seed.log" >&2
ids=$(sed -n 's/^CAS_OF_FIRST=//p' "$work/seed.log")
db_mib=$(du -m "$SQLITE_FILE" | cut -f1)

"$venv/bin/gunicorn" --workers 3 --bind "127.0.0.1:$PORT" ciso_assistant.wsgi >"$work/serve.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$PORT"
for _ in $(seq 300); do
    curl -s -o /dev/null "$base/api/build/" && break
    sleep 0.2
done
token=$(curl -s -H 'content-type: application/json' \
    -d "{\"username\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$base/api/iam/login/" |
    "$py" -c 'import json, sys; print(json.load(sys.stdin)["token"])')
auth="Token $token"
first=${ids%%,*}
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $auth" "$base/api/compliance-assessments/$first/")
[ "$status" = 200 ] || { echo "peer: read answered $status" >&2; tail "$work/serve.log" >&2; exit 1; }

# RSS of gunicorn's master and workers together, MiB.
rss() {
    local total=0 p
    for p in $pid $(pgrep -P "$pid"); do
        total=$((total + $(awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$p/status")))
    done
    awk -v t="$total" 'BEGIN { printf "%.1f", t / 1024 }'
}
paths=$(echo "$ids" | tr ',' '\n' | sed 's|.*|/api/compliance-assessments/&/|' | paste -sd,)
measure() {
    local conns=$1 dur=$2 file="$OUT/peer-c$1.txt"
    BENCH_AUTHORIZATION="$auth" BENCH_PATHS="$paths" wrk -t"$(( conns < THREADS ? conns : THREADS ))" \
        -c"$conns" -d"$dur" --timeout 30s --latency -s "$bench/get.lua" "$base" >"$file"
    printf '| GET /api/compliance-assessments/{id}/ | %s | %s | %s | %s | %s | %s | %s |\n' "$conns" \
        "$(awk '/^Requests\/sec:/ { print $2 }' "$file")" "$(awk '$1 == "50%" { print $2 }' "$file")" \
        "$(awk '$1 == "99%" { print $2 }' "$file")" \
        "$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$file" | grep . || echo 0)" "$(rss VmRSS)" "$(rss VmHWM)"
}
{
    echo "CISO Assistant v3.10.4, gunicorn 3 workers, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
    echo "database: $ORGS domains, $CAS compliance assessments, $db_mib MiB; RSS idle $(rss VmRSS) MiB"
    echo
    echo "| read | connections | req/s | p50 | p99 | non-2xx | RSS MiB (all processes) | peak MiB |"
    echo "|---|---|---|---|---|---|---|---|"
    measure "$CONNECTIONS" "$DURATION"
    measure 1 5s
} | tee "$OUT/peer-results.md"
