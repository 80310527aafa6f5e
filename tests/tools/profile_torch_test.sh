#!/usr/bin/env bash
# tools/profile_torch.py end to end on a small model (tests/data/profile/small_cnn.json: one layer
# of most op kinds), one timed run per point: the profile must be one edgepart reads (validate),
# calibrate must fit it, and the device it writes must load in a scenario. No timing assertions.
# Usage (ctest does this from the repository root): tests/tools/profile_torch_test.sh EDGEPART_BIN
# Exit 77 (ctest: skipped) when /usr/bin/python3 has no torch.
set -euo pipefail
bin=$1
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "skipped: /usr/bin/python3 cannot import torch (install Debian's python3-torch; 'make test' does)"
  exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/profile_torch.XXXXXX")
trap 'rm -rf "$dir"' EXIT
model=tests/data/profile/small_cnn.json
/usr/bin/python3 tools/profile_torch.py "$model" -o "$dir/p.json" --runs 1 --warmup 0 --edgepart "$bin" 2>/dev/null
"$bin" validate "$dir/p.json"
grep -q '"runtime": "pytorch ' "$dir/p.json"
"$bin" calibrate "$dir/p.json" --model "small_cnn=$model" --format json -o "$dir/device.json" > "$dir/report.json"
grep -q '"speed_gflops"' "$dir/device.json"
# The device fragment pasted into a scenario.
{
  echo '{"format": "edgepart.scenario", "version": 1, "name": "t", "model": "'"$PWD/$model"'",'
  echo ' "devices": [{"name": "src", "role": "source", "speed_gflops": 1},'
  sed 's/"name": "calibrated"/"name": "fitted"/' "$dir/device.json"
  echo '], "network": {"bandwidth_mbps": 100}}'
} > "$dir/scenario.json"
"$bin" validate "$dir/scenario.json"
echo "ok"
