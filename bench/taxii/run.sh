#!/usr/bin/env bash
# Side-by-side TAXII 2.1 benchmark: medallion (OASIS reference server) and,
# when HOLISEC_BIN is set, `holisec serve`. Same deterministic envelope for
# both (see drive.py). Prints a Markdown table.
#
#   bench/taxii/run.sh                          # medallion only
#   HOLISEC_BIN=target/release/holisec bench/taxii/run.sh
#
# Environment:
#   PYTHON            Python with requests + medallion (default: .venv/bin/python)
#   OBJECTS           objects POSTed (default 10000)
#   REPEAT            GETs of the limit=1000 page (default 20)
#   MEDALLION_REPEAT  GETs for medallion (default: REPEAT; medallion's memory
#                     backend is quadratic in the collection size, one GET of
#                     a 10,000-object collection takes minutes)
#   HOLISEC_CHUNK     objects per POST for holisec (default 0 = one request)
#   SKIP_MEDALLION=1  run holisec only
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
OBJECTS="${OBJECTS:-10000}"
REPEAT="${REPEAT:-20}"
MEDALLION_REPEAT="${MEDALLION_REPEAT:-$REPEAT}"
HOLISEC_CHUNK="${HOLISEC_CHUNK:-0}"
DRIVE=("$PYTHON" "$HERE/drive.py" --objects "$OBJECTS")
HEADER=--header

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(date -u +%FT%TZ)"
echo

free_port() {
  "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

run_medallion() {
  # The fixture starts medallion on a free port, exports TAXII_* and stops it afterwards.
  "$PYTHON" "$ROOT/tests-py/taxii_interop/medallion_fixture.py" exec --max-page-size 1000 -- \
    bash -c '"$@" --url "$TAXII_DISCOVERY_URL" --user "$TAXII_USER" --password "$TAXII_PASSWORD" \
      --collection "$TAXII_WRITE_COLLECTION"' _ \
    "${DRIVE[@]}" --label "medallion $("$PYTHON" -c 'import medallion; print(medallion.__version__)') (memory backend, Flask dev server)" \
    --repeat "$MEDALLION_REPEAT" $HEADER
  HEADER=
}

# start_holisec: one hospital and an analyst in a fresh database, `holisec
# serve` on a free port; sets HOLISEC_PID, TAXII_DISCOVERY_URL, TAXII_USER,
# TAXII_PASSWORD and TAXII_WRITE_COLLECTION (the one collection an analyst
# may write: `shared`, docs/taxii.md "Server").
start_holisec() {
  HOLISEC_TMP="$(mktemp -d)"
  local db="$HOLISEC_TMP/holisec.db" port org="bench-hospital" email="analyst@bench.example"
  local password="bench-password-$RANDOM$RANDOM"
  port="$(free_port)"
  "$HOLISEC_BIN" admin create-org "$org" --kind healthcare-organisation --db "$db"
  printf '%s\n' "$password" | "$HOLISEC_BIN" admin create-user "$email" --org "$org" \
    --role analyst --password-stdin --db "$db"
  "$HOLISEC_BIN" serve --db "$db" --bind "127.0.0.1:$port" >"$HOLISEC_TMP/serve.log" 2>&1 &
  HOLISEC_PID=$!
  export TAXII_DISCOVERY_URL="http://127.0.0.1:$port/taxii2/"
  export TAXII_USER="$email" TAXII_PASSWORD="$password"
  for _ in $(seq 1 100); do
    curl -fsS -u "$TAXII_USER:$TAXII_PASSWORD" -H 'Accept: application/taxii+json;version=2.1' \
      "$TAXII_DISCOVERY_URL" >/dev/null 2>&1 && break
    kill -0 "$HOLISEC_PID" 2>/dev/null || { cat "$HOLISEC_TMP/serve.log" >&2; return 1; }
    sleep 0.1
  done
  TAXII_WRITE_COLLECTION="$("$PYTHON" - <<'PY'
import os, requests
s = requests.Session(); s.auth = (os.environ["TAXII_USER"], os.environ["TAXII_PASSWORD"])
s.headers["Accept"] = "application/taxii+json;version=2.1"
d = s.get(os.environ["TAXII_DISCOVERY_URL"]).json()
root = requests.compat.urljoin(os.environ["TAXII_DISCOVERY_URL"], d.get("default") or d["api_roots"][0])
root = root if root.endswith("/") else root + "/"
print(next(c["id"] for c in s.get(root + "collections/").json()["collections"] if c.get("can_write")))
PY
)"
  export TAXII_WRITE_COLLECTION
}

stop_holisec() {
  if [ -n "${HOLISEC_PID:-}" ]; then
    kill "$HOLISEC_PID" 2>/dev/null || true
    wait "$HOLISEC_PID" 2>/dev/null || true
  fi
  [ -n "${HOLISEC_TMP:-}" ] && rm -rf "$HOLISEC_TMP"
}

run_holisec() {
  trap stop_holisec EXIT
  start_holisec
  "${DRIVE[@]}" --url "$TAXII_DISCOVERY_URL" --user "$TAXII_USER" --password "$TAXII_PASSWORD" \
    --collection "$TAXII_WRITE_COLLECTION" --label "holisec serve" --repeat "$REPEAT" \
    --chunk "$HOLISEC_CHUNK" $HEADER
  HEADER=
  stop_holisec
  trap - EXIT
}

if [ "${SKIP_MEDALLION:-0}" != 1 ]; then
  run_medallion
fi
if [ -n "${HOLISEC_BIN:-}" ]; then
  run_holisec
fi
