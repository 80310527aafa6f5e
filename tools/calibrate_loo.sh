#!/bin/bash
# Leave-one-out check of the analytical model's calibration (docs/timing.md "Calibration"):
# for each model with a profile, fit `edgepart calibrate` on the other profiles and print the
# held-out model's whole-model and median per-layer error as one Markdown table row.
# Usage: tools/calibrate_loo.sh [DIR/PREFIX] [extra calibrate options]
#   (default profiles/calibration/host: six profiles measured in one window, profiles/README.md)
#   e.g. tools/calibrate_loo.sh;  tools/calibrate_loo.sh profiles/calibration/host --all-points;
#        tools/calibrate_loo.sh profiles/torch
set -eu
cd "$(dirname "$0")/.."
prefix=${1:-profiles/calibration/host}
shift || true
row='
import json, sys
d = json.load(sys.stdin)
for r in d["models"]:
    if r["role"] != "holdout":
        continue
    u = "-"
    if r["unseen_classes"]:
        u = "%s (%d layers, median %.0f %%); the other layers %+.1f %%" % (
            ", ".join(r["unseen_classes"]), r["unseen_layers"], 100 * r["median_unseen_abs_rel_error"],
            100 * r["seen_rel_error"])
    print("| %s | %.1f | %.1f | %+.1f %% | %.1f %% | %.1f %% | %s |" % (
        r["model"], 1e3 * r["measured_s"], 1e3 * r["predicted_s"], 100 * r["whole_rel_error"],
        100 * r["median_layer_abs_rel_error"], 100 * r["median_point_abs_rel_error"], u))
'
echo "| held out | measured ms | predicted ms | whole-model error | median per-layer abs error | median per-point abs error | unseen classes |"
echo "|---|---:|---:|---:|---:|---:|---|"
for f in "$prefix"-*.json; do
  m=$(basename "$f" .json)
  m=${m#"$(basename "$prefix")"-}
  ./build/edgepart calibrate "$prefix"-*.json --holdout "$m" --format json "$@" | /usr/bin/python3 -c "$row"
done
