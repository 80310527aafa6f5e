#!/bin/bash
# Leave-one-out check of the analytical model's calibration (docs/timing.md "Calibration"):
# for each model with a profile, fit `edgepart calibrate` on the other profiles and print the
# held-out model's whole-model and median per-layer error as one Markdown table row.
# Usage: tools/calibrate_loo.sh [PREFIX] [extra calibrate options]   (PREFIX default: host)
#   e.g. tools/calibrate_loo.sh host --whole-layers-only;  tools/calibrate_loo.sh torch
set -eu
cd "$(dirname "$0")/.."
prefix=${1:-host}
shift || true
echo "| held out | measured ms | predicted ms | whole-model error | median per-layer abs error | unseen classes (layers, median abs error) |"
echo "|---|---:|---:|---:|---:|---|"
for f in profiles/"$prefix"-*.json; do
  m=$(basename "$f" .json)
  m=${m#"$prefix"-}
  ./build/edgepart calibrate profiles/"$prefix"-*.json --holdout "$m" --format json "$@" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in d["models"]:
    if r["role"] != "holdout":
        continue
    unseen = ", ".join(r["unseen_classes"]) if r["unseen_classes"] else ""
    u = f'"'"'{unseen} ({r["unseen_layers"]}, {100 * r["median_unseen_abs_rel_error"]:.0f} %)'"'"' if unseen else "-"
    print(f"| {r['"'"'model'"'"']} | {1e3 * r['"'"'measured_s'"'"']:.1f} | {1e3 * r['"'"'predicted_s'"'"']:.1f} | "
          f"{100 * r['"'"'whole_rel_error'"'"']:+.1f} % | {100 * r['"'"'median_layer_abs_rel_error'"'"']:.1f} % | {u} |")
'
done
