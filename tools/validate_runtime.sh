#!/bin/bash
# Real vs simulated (docs/runtime.md "Validation"): for each model, bandwidth and strategy, runs
# scenarios/host-profiled.json for real (edgepart run --spawn --netns --pin: root, 2 devices on 2
# cores) and simulated, N requests each, and prints one table row of medians.
# Columns: the median latency real and simulated and their error; "busy real / sim": the devices'
# total busy time (compute spans) measured over simulated, which separates a compute-speed
# difference (profile vs this run: machine noise, two workers contending for caches and memory)
# from the rest (transfers, runtime overhead between tasks).
# Usage: sudo tools/validate_runtime.sh [MODELS] [BANDWIDTHS] [STRATEGIES]
#   (defaults: "vgg16 resnet18" "100 20" "local dpfp modnn ftp neurosurgeon"; N=5, OUT=/tmp/edgepart-validate)
set -u
cd "$(dirname "$0")/.."
MODELS=${1:-"vgg16 resnet18"}
BANDWIDTHS=${2:-"100 20"}
STRATEGIES=${3:-"local dpfp modnn ftp neurosurgeon"}
N=${N:-5}
OUT=${OUT:-/tmp/edgepart-validate}
mkdir -p "$OUT"
echo "| model | Mbit/s | strategy | real p50 ms | simulated p50 ms | error | busy real / sim |"
echo "|---|---|---|---|---|---|---|"
for model in $MODELS; do
  for mbps in $BANDWIDTHS; do
    for s in $STRATEGIES; do
      args=(--strategy "$s" --requests "$N" --set "/network/bandwidth_mbps=$mbps" --set "/model=../models/$model.json" --format json)
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
done
