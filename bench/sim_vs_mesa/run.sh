#!/usr/bin/env bash
# Propagation simulator vs Mesa on the same reduced model (staff phishing plus
# organisation infection over a supplier graph). Prints agent-days per second
# (staff x days x replicates / wall seconds) for each engine and their ratio.
#
#   bench/sim_vs_mesa/run.sh [SMALL_SCALE] [LARGE_SCALE]
#
# SMALL_SCALE (default 0.02: 300 hospitals, 200,000 care staff) is the size both
# engines run; Mesa gets the same hospitals, staff per hospital and suppliers as
# holisec's synthetic ecosystem at that scale. LARGE_SCALE (default 1: 15,000
# hospitals, 10 million staff) is run by holisec only. Results: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

MESA_VERSION=3.3.1
VENV=target/bench-venv-mesa
SMALL=${1:-0.02}
LARGE=${2:-1.0}
DAYS=90
SMALL_REPS=100   # holisec replicates at the small size (Mesa runs 1: it takes 10-60 s)
LARGE_REPS=8
SUPPLIER_STAFF=50 # staff of a synthetic supplier (holisec-sim synth::OTHER_STAFF)
SCENARIO=bench/sim_vs_mesa/reduced.toml

PY=$(command -v python3.11 || command -v python3)
if ! "$VENV/bin/python" -c "import mesa, sys; sys.exit(mesa.__version__ != '$MESA_VERSION')" 2>/dev/null; then
    echo "creating $VENV with mesa==$MESA_VERSION" >&2
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q "mesa==$MESA_VERSION"
fi
cargo build --release -p holisec-cli >&2
HOLISEC=target/release/holisec
OUT=target/bench-sim-vs-mesa
mkdir -p "$OUT"

# holisec run: scale replicates threads -> JSON in $OUT, wall seconds on stdout.
holisec() {
    local scale=$1 reps=$2 threads=$3 out="$OUT/holisec-$1-$2-$3.json"
    local t0 t1
    t0=$(date +%s.%N)
    "$HOLISEC" simulate --scenario "$SCENARIO" --scale "$scale" --days "$DAYS" \
        --replicates "$reps" --threads "$threads" --json > "$out"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "versions: $("$HOLISEC" --version), mesa $MESA_VERSION, $("$VENV/bin/python" --version)"

# 1. holisec at the small size (gives the ecosystem sizes Mesa mirrors).
W_S1=$(holisec "$SMALL" "$SMALL_REPS" 1)
W_S2=$(holisec "$SMALL" "$SMALL_REPS" 2)
read -r HOSP SUPP PROF <<<"$("$PY" -c "
import json, sys
d = json.load(open('$OUT/holisec-$SMALL-$SMALL_REPS-1.json'))
k = dict(d['ecosystem']['kinds'])
print(k['hospital'], k['supplier'], d['ecosystem']['professionals'])")"
STAFF_PER_HOSPITAL=$(( (PROF + HOSP / 2) / HOSP ))

# 2. Mesa at the same size.
echo "mesa: $HOSP hospitals x $STAFF_PER_HOSPITAL staff + $SUPP suppliers x $SUPPLIER_STAFF staff, $DAYS days, 1 replicate" >&2
"$VENV/bin/python" bench/sim_vs_mesa/mesa_model.py --hospitals "$HOSP" --staff "$STAFF_PER_HOSPITAL" \
    --suppliers "$SUPP" --supplier-staff "$SUPPLIER_STAFF" --days "$DAYS" --replicates 1 \
    --seed 1 > "$OUT/mesa.json"

# 3. holisec at the large size.
W_L1=$(holisec "$LARGE" "$LARGE_REPS" 1)
W_L2=$(holisec "$LARGE" "$LARGE_REPS" 2)

"$PY" - "$OUT" "$SMALL" "$SMALL_REPS" "$LARGE" "$LARGE_REPS" "$SUPPLIER_STAFF" \
    "$W_S1" "$W_S2" "$W_L1" "$W_L2" <<'EOF'
import json, sys
out, small, sreps, large, lreps, sup_staff = sys.argv[1:7]
w = dict(zip(["s1", "s2", "l1", "l2"], map(float, sys.argv[7:11])))
sup_staff = int(sup_staff)
mesa = json.load(open(f"{out}/mesa.json"))
mesa_rate = mesa["agent_days_per_second"]
print(f"\nMesa {mesa['mesa_version']}: {mesa['organisations']} organisations, {mesa['staff']:,} staff, "
      f"{mesa['days']} days x {mesa['replicates']} replicate in {mesa['wall_seconds']:.2f} s "
      f"-> {mesa_rate:,.0f} agent-days/s (1 core); infected orgs {mesa['outcomes'][0]['orgs_infected']}")
rows = [("s1", small, sreps, 1), ("s2", small, sreps, 2), ("l1", large, lreps, 1), ("l2", large, lreps, 2)]
for key, scale, reps, threads in rows:
    d = json.load(open(f"{out}/holisec-{scale}-{reps}-{threads}.json"))
    k = dict(d["ecosystem"]["kinds"])
    modelled = d["ecosystem"]["professionals"] + k["supplier"] * sup_staff
    ad_all = d["staff"] * d["days"] * d["replicates"]
    ad_mod = modelled * d["days"] * d["replicates"]
    rate_all, rate_mod = ad_all / w[key], ad_mod / w[key]
    print(f"holisec scale {scale}, {threads} thread(s): {d['organisations']:,} organisations, "
          f"{d['staff']:,} staff ({modelled:,} in the reduced model), {d['days']} days x "
          f"{d['replicates']} replicates in {w[key]:.3f} s (whole process) -> "
          f"{rate_all:,.0f} agent-days/s all staff, {rate_mod:,.0f} reduced-model staff; "
          f"ratio to Mesa {rate_all / mesa_rate:,.0f}x / {rate_mod / mesa_rate:,.0f}x; "
          f"infected orgs mean {d['summary']['orgs_infected']['mean']:.1f}")
EOF
