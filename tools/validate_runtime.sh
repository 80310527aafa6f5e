#!/bin/bash
# Real vs simulated (docs/runtime.md "Validation"): for each model, bandwidth and strategy, runs
# scenarios/host-profiled.json for real (edgepart run --spawn --netns --pin: root, 2 devices on 2
# cores) and simulated, N requests each, and prints one table row of medians.
# Columns: the median latency real and simulated and their error; "busy real / sim": the devices'
# total busy time (compute spans) measured over simulated, which separates a compute-speed
# difference (profile vs this run: machine noise, two workers contending for caches and memory)
# from the rest (transfers, runtime overhead between tasks).
# With FRESH_PROFILES=1 each model is profiled (`edgepart profile --clock cpu`) right before its
# rows and again right after, the rows use the first profile, and a line reports how far the
# machine's speed drifted between the two (the two totals' difference): on a shared VM that
# drift bounds how close any prediction can come.
# Usage: sudo tools/validate_runtime.sh [MODELS] [BANDWIDTHS] [STRATEGIES]
#   (defaults: "vgg16 resnet18" "100 20" "local dpfp modnn ftp neurosurgeon"; N=5,
#    OUT=/tmp/edgepart-validate, FRESH_PROFILES=0)
set -u
cd "$(dirname "$0")/.."
MODELS=${1:-"vgg16 resnet18"}
BANDWIDTHS=${2:-"100 20"}
STRATEGIES=${3:-"local dpfp modnn ftp neurosurgeon"}
N=${N:-5}
OUT=${OUT:-/tmp/edgepart-validate}
FRESH=${FRESH_PROFILES:-0}
mkdir -p "$OUT"
profile_total_ms() {  # the whole-model total of a profile table (edgepart profile's "total" row)
  ./build/edgepart profile "models/$1.json" --clock cpu -o "$2" 2>/dev/null | awk '$1 == "total" {print $2}'
}
echo "| model | Mbit/s | strategy | real p50 ms | simulated p50 ms | error | busy real / sim |"
echo "|---|---|---|---|---|---|---|"
for model in $MODELS; do
  profile_args=()
  if [ "$FRESH" = 1 ]; then
    before=$(profile_total_ms "$model" "$OUT/profile-$model.json")
    profile_args=(--set "/devices/0/profiles=[\"$OUT/profile-$model.json\"]" --set "/devices/1/profiles=[\"$OUT/profile-$model.json\"]")
  fi
  for mbps in $BANDWIDTHS; do
    for s in $STRATEGIES; do
      args=(--strategy "$s" --requests "$N" --set "/network/bandwidth_mbps=$mbps" --set "/model=../models/$model.json"
            "${profile_args[@]}" --format json)
      ./build/edgepart run scenarios/host-profiled.json --spawn --netns --pin "${args[@]}" -o "$OUT/real-$model-$mbps-$s.json" \
        2>"$OUT/err-$model-$mbps-$s.txt"
      rc=$?
      ./build/edgepart simulate scenarios/host-profiled.json "${args[@]}" -o "$OUT/sim-$model-$mbps-$s.json" 2>/dev/null
      /usr/bin/python3 - "$OUT" "$model" "$mbps" "$s" "$rc" <<'PY'
import json, sys
out, m, b, s, rc = sys.argv[1:]
real = json.load(open(f"{out}/real-{m}-{b}-{s}.json"))["strategies"][0]
sim = json.load(open(f"{out}/sim-{m}-{b}-{s}.json"))["strategies"][0]
r, p = real["latency_s"]["p50"], sim["latency_s"]["p50"]
busy = sum(d["busy_s"] for d in real["devices"]) / max(1e-12, sum(d["busy_s"] for d in sim["devices"]))
note = "" if rc == "0" else f" (exit {rc})"
print(f"| {m} | {b} | {s} | {r * 1e3:.0f} | {p * 1e3:.0f} | {100 * (p - r) / r:+.1f} %{note} | {busy:.2f} |", flush=True)
PY
    done
  done
  if [ "$FRESH" = 1 ]; then
    after=$(profile_total_ms "$model" "$OUT/profile-$model-after.json")
    echo "<!-- $model: profile total $before ms before its rows, $after ms after -->"
  fi
done
