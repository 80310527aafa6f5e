#!/bin/bash
# Real vs simulated (docs/runtime.md "Validation"): for each model, bandwidth and strategy, runs
# scenarios/host-profiled.json for real (edgepart run --spawn --netns --pin: root, 2 devices on 2
# cores) and simulated, N requests each, and prints one table row of medians.
# Usage: sudo tools/validate_runtime.sh   (N=5 OUT=/tmp/edgepart-validate by default)
set -u
cd "$(dirname "$0")/.."
N=${N:-5}
OUT=${OUT:-/tmp/edgepart-validate}
mkdir -p "$OUT"
echo "| model | Mbit/s | strategy | real p50 ms | simulated p50 ms | error |"
echo "|---|---|---|---|---|---|"
for model in vgg16 resnet18; do
  for mbps in 100 20; do
    for s in local dpfp modnn ftp neurosurgeon; do
      args=(--strategy "$s" --requests "$N" --set "/network/bandwidth_mbps=$mbps" --set "/model=../models/$model.json" --format json)
      ./build/edgepart run scenarios/host-profiled.json --spawn --netns --pin "${args[@]}" -o "$OUT/real-$model-$mbps-$s.json" \
        2>"$OUT/err-$model-$mbps-$s.txt"
      rc=$?
      ./build/edgepart simulate scenarios/host-profiled.json "${args[@]}" -o "$OUT/sim-$model-$mbps-$s.json" 2>/dev/null
      /usr/bin/python3 - "$OUT" "$model" "$mbps" "$s" "$rc" <<'PY'
import json, sys
out, m, b, s, rc = sys.argv[1:]
real = json.load(open(f"{out}/real-{m}-{b}-{s}.json"))["strategies"][0]["latency_s"]["p50"]
sim = json.load(open(f"{out}/sim-{m}-{b}-{s}.json"))["strategies"][0]["latency_s"]["p50"]
note = "" if rc == "0" else f" (exit {rc})"
print(f"| {m} | {b} | {s} | {real * 1e3:.0f} | {sim * 1e3:.0f} | {100 * (sim - real) / real:+.1f} %{note} |")
PY
    done
  done
done
