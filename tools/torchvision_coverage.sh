#!/bin/bash
# Which torchvision exports (tests/data/onnx/torchvision/, tools/make_torchvision_fixtures.py)
# edgepart loads: writes docs/models.md (one row per file: PyTorch's MACs, edgepart's, or the
# error) and tests/data/onnx/torchvision/gaps.json (the files refused today and their error, which
# tests/unit/onnx/torchvision_test.cpp holds edgepart to until they load).
# Usage: tools/torchvision_coverage.sh [EDGEPART]   (default ./build/edgepart)
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-./build/edgepart}
/usr/bin/python3 - "$BIN" <<'PY'
import json, subprocess, sys
binary = sys.argv[1]
d = "tests/data/onnx/torchvision"
expected = json.load(open(f"{d}/expected.json"))
rows, gaps = [], {}
for file, e in sorted(expected.items()):
    if not e["exported"]:
        rows.append(f"| {file} | - | - | torch 1.13 cannot export it: {e['why']} |")
        continue
    m = e["macs"]
    torch_macs = m["conv"] + m["linear"] + m["matmul"]
    r = subprocess.run([binary, "inspect", f"{d}/{file}", "--format", "json"], capture_output=True, text=True)
    if r.returncode == 0:
        ours = sum(l["macs"] for l in json.loads(r.stdout)["layers"])
        verdict = "loads, MACs equal" if ours == torch_macs else f"loads, MACs DIFFER ({ours:,})"
        rows.append(f"| {file} | {e['opset']} | {torch_macs / 1e9:.3f} | {verdict} |")
    else:
        err = r.stderr.strip().splitlines()[-1]
        gaps[file] = err.removeprefix("edgepart: error: ").removeprefix(f"{d}/{file}: ")  # where: message
        short = err.split(": ", 3)[-1][:160].replace("|", "/")
        rows.append(f"| {file} | {e['opset']} | {torch_macs / 1e9:.3f} | refused: {short} |")
json.dump(gaps, open(f"{d}/gaps.json", "w"), indent=1, sort_keys=True)
open(f"{d}/gaps.json", "a").write("\n")
loaded = sum("loads" in r for r in rows)
with open("docs/models.md", "w") as f:
    f.write("# Models: which torchvision exports edgepart loads\n\n")
    f.write("Every classification model of torchvision 0.14, exported by torch 1.13 as a user would\n"
            "(`tools/make_torchvision_fixtures.py`: weights=None, opset 17, weights stripped; a subset\n"
            "also at opset 13 and with `export_params=False`), loaded with `edgepart inspect`. \"MACs\n"
            "equal\" means edgepart's conv + linear MACs equal what PyTorch counted while running the\n"
            "model (conv, linear and matrix products, at the function level). Regenerate with\n"
            "`tools/torchvision_coverage.sh`; `tests/unit/onnx/torchvision_test.cpp` checks the same.\n\n")
    f.write(f"{loaded} of {len(rows)} files load.\n\n")
    f.write("| file | opset | PyTorch GMACs | edgepart |\n|---|---|---|---|\n")
    f.write("\n".join(rows) + "\n")
print(f"{loaded} of {len(rows)} load; gaps.json has {len(gaps)}")
PY
