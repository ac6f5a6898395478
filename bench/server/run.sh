#!/usr/bin/env bash
# holisec serve under load, on a database at scale (issue 12's numbers).
#
#   bench/server/run.sh            # 1,000 orgs, 10,000 assessments, 100,000 answers
#   ORGS=10 ASSESSMENTS=100 ANSWERS=1000 DURATION=5s bench/server/run.sh   # a quick look
#
# 1. Builds `holisec` in release and installs `wrk` with apt-get if missing.
# 2. Seeds a new temporary database (`holisec admin seed-bench`, one
#    transaction) and adds one viewer of organisation bench-org-00001.
# 3. Starts `holisec serve --db DB --bind 127.0.0.1:$PORT`, logs in with curl
#    and keeps the session cookie.
# 4. For each read below: `wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency`
#    with bench/server/get.lua (GETs only, the cookie on each, the paths in
#    turn over the organisation's assessments), then one connection alone
#    (-c1, 5 s) for the unloaded latency. Records req/s, p50, p99, non-2xx
#    answers, and the server's VmRSS and VmHWM (/proc/PID/status).
# 5. BENCH_JOB=1: the same loaded reads while a job runs (POST $JOB_PATH
#    with $JOB_BODY, by default a 1e6-year risk job; make it longer than
#    the measurements, e.g. 1e7 years, so it runs throughout), with the
#    job's state and progress before and after.
# SERVE_BIN=path serves with another build (e.g. the one before a change).
# Prints a Markdown table (also in $OUT/results.md; OUT defaults to a temp dir).
set -euo pipefail
cd "$(dirname "$0")/../.."

ORGS=${ORGS:-1000}
ASSESSMENTS=${ASSESSMENTS:-10000}
ANSWERS=${ANSWERS:-100000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-20s}
PORT=${PORT:-18080}
BENCH_JOB=${BENCH_JOB:-0}
JOB_PATH=${JOB_PATH:-/api/v1/jobs}
JOB_BODY=${JOB_BODY:-'{"kind":"risk","iterations":1000000,"seed":42}'}
PASSWORD='bench password 1234'
EMAIL='viewer@bench.example'

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null; then
    echo "bench: installing wrk with apt-get" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -q -p holisec-cli
bin="${CARGO_TARGET_DIR:-target}/release/holisec"
# SERVE_BIN: another build to serve with (a before/after comparison on the
# same seeded database); the seeding and accounts always use this build.
serve_bin=${SERVE_BIN:-$bin}

work=$(mktemp -d)
OUT=${OUT:-$work}
mkdir -p "$OUT"
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
db="$work/bench.db"

"$bin" admin seed-bench --db "$db" --orgs "$ORGS" --assessments "$ASSESSMENTS" --answers "$ANSWERS" >&2
printf '%s' "$PASSWORD" | "$bin" admin create-user "$EMAIL" --org bench-org-00001 \
    --role viewer --password-stdin --db "$db" >/dev/null
# An analyst starts the job of BENCH_JOB=1 (a viewer may not).
printf '%s' "$PASSWORD" | "$bin" admin create-user "analyst@bench.example" --org bench-org-00001 \
    --role analyst --password-stdin --db "$db" >/dev/null
db_mib=$(du -m "$db" | cut -f1)

base="http://127.0.0.1:$PORT"
"$serve_bin" serve --db "$db" --bind "127.0.0.1:$PORT" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 100); do
    curl -sf "$base/healthz" >/dev/null && break
    sleep 0.1
done
curl -sf "$base/healthz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }

# The session cookie (name=value) of a login as $1.
login() {
    local body c
    body=$(printf '{"email":"%s","password":"%s"}' "$1" "$PASSWORD")
    c=$(curl -s -D - -o /dev/null -H 'content-type: application/json' -d "$body" "$base/api/v1/login" |
        tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-holisec=[^;]*\).*/\1/p')
    [ -n "$c" ] || { echo "bench: login as $1 failed" >&2; exit 1; }
    echo "$c"
}
cookie=$(login "$EMAIL")

# The seed gives organisation 1 the assessments 1, ORGS+1, 2*ORGS+1, ...
ids=()
for ((k = 0; k * ORGS < ASSESSMENTS; k++)); do ids+=($((k * ORGS + 1))); done
paths_of() { local IFS=,; local p=(); for i in "${ids[@]}"; do p+=("/api/v1/assessments/$i$1"); done; echo "${p[*]}"; }
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base/api/v1/assessments/${ids[0]}/score")
[ "$status" = 200 ] || { echo "bench: score answered $status" >&2; exit 1; }

rss() { awk -v k="$1" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
idle_rss=$(rss VmRSS)

# Runs wrk on $2 (comma-separated paths) with $3 connections; prints one table row.
measure() {
    local name=$1 paths=$2 conns=$3 dur=$4 file
    file="$OUT/wrk-$(printf '%s' "$1" | tr -c 'a-zA-Z0-9' '_')-c$3.txt"
    BENCH_COOKIE="$cookie" BENCH_PATHS="$paths" wrk -t"$(( conns < THREADS ? conns : THREADS ))" \
        -c"$conns" -d"$dur" --latency -s bench/server/get.lua "$base" >"$file"
    local rps p50 p99 bad
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$file")
    p50=$(awk '$1 == "50%" { print $2 }' "$file")
    p99=$(awk '$1 == "99%" { print $2 }' "$file")
    bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$file")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$conns" "$rps" "$p50" "$p99" \
        "${bad:-0}" "$(rss VmRSS)" "$(rss VmHWM)"
}

reads() {
    measure "GET /api/v1/assessments/{id}" "$(paths_of '')" "$1" "$2"
    measure "GET /api/v1/assessments/{id}/score" "$(paths_of /score)" "$1" "$2"
    measure "GET /api/v1/assessments (list)" "/api/v1/assessments" "$1" "$2"
    measure "GET /api/v1/me" "/api/v1/me" "$1" "$2"
    measure "GET /healthz (no session)" "/healthz" "$1" "$2"
}

{
    echo "holisec serve, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo))"
    echo "database: $ORGS organisations, $ASSESSMENTS assessments, $ANSWERS answers, $db_mib MiB; server RSS idle after start ${idle_rss} MiB"
    echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s bench/server/get.lua (one -c1 -d5s run per read after the loaded ones)"
    echo
    echo "| read | connections | req/s | p50 | p99 | non-2xx | VmRSS MiB | VmHWM MiB |"
    echo "|---|---|---|---|---|---|---|---|"
    reads "$CONNECTIONS" "$DURATION"
    reads 1 5s
    if [ "$BENCH_JOB" = 1 ]; then
        analyst=$(login analyst@bench.example)
        job=$(curl -s -o "$work/job.json" -w '%{http_code}' -H "Cookie: $analyst" -H 'content-type: application/json' \
            -d "$JOB_BODY" "$base$JOB_PATH")
        job_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("id", ""))' "$work/job.json" 2>/dev/null || true)
        # The job's state and progress, to show it ran for the whole measurement.
        job_state() {
            curl -s -H "Cookie: $analyst" "$base$JOB_PATH/$job_id" |
                python3 -c 'import json,sys; j=json.load(sys.stdin); p=j.get("progress") or {}; print(j["state"], p.get("done"), "/", p.get("total"), p.get("unit") or "")'
        }
        case "$job" in
            2??) sleep 1
                 echo; echo "While a job runs (POST $JOB_PATH $JOB_BODY → $job, job $job_id $(job_state)):"; echo
                 echo "| read | connections | req/s | p50 | p99 | non-2xx | VmRSS MiB | VmHWM MiB |"
                 echo "|---|---|---|---|---|---|---|---|"
                 measure "GET /api/v1/assessments/{id} + job" "$(paths_of '')" "$CONNECTIONS" "$DURATION"
                 measure "GET /api/v1/assessments/{id}/score + job" "$(paths_of /score)" "$CONNECTIONS" "$DURATION"
                 echo; echo "The job after the measurements: $(job_state)" ;;
            *) echo; echo "FAILED: POST $JOB_PATH answered $job: $(cat "$work/job.json")"; exit 1 ;;
        esac
    fi
} | tee "$OUT/results.md"
