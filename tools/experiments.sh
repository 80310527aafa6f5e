#!/usr/bin/env bash
# Regenerates the tables of docs/experiments.md (docs/design.md §5 "Published figures"): runs each
# experiment's sweep with the built edgepart, writes the CSV to $OUT (default build/experiments/),
# and replaces the table between the markers <!-- table:NAME --> and <!-- /table --> in
# docs/experiments.md. Every command it runs is printed, and shown in the doc next to its table.
#
# Usage: tools/experiments.sh [EDGEPART_BIN] [NAME...]     (default: build/edgepart, every table)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=${1:-build/edgepart}
shift || true
out=${OUT:-build/experiments}
mkdir -p "$out"
doc=docs/experiments.md
only=("$@")

wanted() { [ ${#only[@]} -eq 0 ] && return 0; local n; for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }

# sweep NAME ARGS...: runs `edgepart sweep ARGS -o $out/NAME.csv`, echoing the command.
sweep() {
  local name=$1; shift
  echo "+ edgepart sweep $*" >&2
  "$bin" sweep "$@" --no-progress -o "$out/$name.csv"
}

# table NAME SPEC: formats $out/NAME.csv as a markdown table and puts it into the doc.
# SPEC is a Python expression list of (header, expression over the row dict r) pairs.
table() {
  python3 - "$out/$1.csv" "$doc" "$1" "$2" <<'PY'
import csv, json, re, sys
path, doc, name, spec = sys.argv[1:]
rows = list(csv.DictReader(open(path)))
def f(x, d=1):
    return "" if x in ("", None) else f"{float(x):.{d}f}"
def ms(x): return f(float(x) * 1e3, 1) if x not in ("", None) else ""
def ndev(x): return str(len(json.loads(x)))
cols = eval(spec)
lines = ["| " + " | ".join(h for h, _ in cols) + " |", "|" + "---|" * len(cols)]
for r in rows:
    lines.append("| " + " | ".join(str(fn(r)) for _, fn in cols) + " |")
text = open(doc).read()
pat = re.compile(r"(<!-- table:%s -->\n).*?(<!-- /table -->)" % re.escape(name), re.S)
if not pat.search(text):
    sys.exit(f"experiments: no marker <!-- table:{name} --> in {doc}")
text = pat.sub(lambda m: m.group(1) + "\n".join(lines) + "\n" + m.group(2), text)
open(doc, "w").write(text)
print(f"experiments: table {name}: {len(rows)} rows", file=sys.stderr)
PY
}

# The usual columns: latency, speedup as a ratio and as the reduction (docs/design.md §5: a paper's
# "x % faster" is ambiguous, so both).
LAT='("strategy", lambda r: r["strategy"]), ("latency ms", lambda r: ms(r["latency_mean_s"])), ("T_local/T", lambda r: f(r["speedup"], 2)), ("1 - T/T_local", lambda r: f(r["reduction_pct"], 1) + " %")'

# Homogeneous devices for the device-count experiments: NAME-PREFIX SPEED N -> a JSON array.
devices() {
  local prefix=$1 speed=$2 n=$3 i list=""
  for ((i = 0; i < n; i++)); do
    local role=server
    [ $i -eq 0 ] && role=source
    list+="${list:+,}{\"name\":\"$prefix$i\",\"role\":\"$role\",\"speed_gflops\":$speed}"
  done
  echo "[$list]"
}

CONST='/network/channel={"kind":"constant"}'

if wanted rfs-bandwidth; then
  # DPFP vs MoDNN vs local, VGG-16 and ResNet-50, 4 heterogeneous edge servers, over the bandwidth.
  sweep rfs-bandwidth scenarios/default.json --set "$CONST" --set /model=../models/vgg16.json,../models/resnet50.json \
    --set /network/bandwidth_mbps=10,50,100,200,500,1000 --strategy local,dpfp,modnn --requests 1
  table rfs-bandwidth '[("model", lambda r: r["/model"].split("/")[-1][:-5]), ("Mbit/s", lambda r: r["/network/bandwidth_mbps"]), '"$LAT"']'
fi

if wanted rfs-devices; then
  # The same over the number of identical devices (20 GFLOP/s each), 100 Mbit/s constant.
  vals=""
  for n in 1 2 3 4 6 8; do vals+="${vals:+,}$(devices es 20 $n)"; done
  sweep rfs-devices scenarios/default.json --set "$CONST" --set /model=../models/vgg16.json,../models/resnet50.json \
    --set "/devices=$vals" --strategy local,dpfp,modnn --requests 1
  table rfs-devices '[("model", lambda r: r["/model"].split("/")[-1][:-5]), ("devices", lambda r: ndev(r["/devices"])), '"$LAT"']'
fi

if wanted rfs-reliability; then
  # Reliability against the deadline under Rayleigh block fading (the default scenario's channel).
  sweep rfs-reliability scenarios/default.json --set /workload/deadline_ms=560,580,600,650,700,1000,1200 \
    --strategy dpfp,fdsp,ftp,neurosurgeon --requests 2000
  table rfs-reliability '[("deadline ms", lambda r: r["/workload/deadline_ms"]), ("strategy", lambda r: r["strategy"]), ("p50 ms", lambda r: ms(r["latency_p50_s"])), ("p99 ms", lambda r: ms(r["latency_p99_s"])), ("P(T <= deadline)", lambda r: f(r["reliability"], 3)), ("95 % CI", lambda r: "[" + f(r["reliability_ci_low"], 3) + ", " + f(r["reliability_ci_high"], 3) + "]")]'
fi

if wanted deepthings-grid; then
  # FTP grid and fused depth on YOLOv2's 16-layer edge stage (DeepThings' 6 Pi 3 + gateway; the
  # scenario's model stops at leaky15, so 12 units fuse all 16 Darknet layers).
  sweep deepthings-grid scenarios/deepthings.json --set '/strategy/options/grid=[2,2],[3,3],[4,4],[5,5]' \
    --set /strategy/options/fused_layers=4,8,12 --requests 1
  table deepthings-grid '[("grid", lambda r: r["/strategy/options/grid"]), ("fused units", lambda r: r["/strategy/options/fused_layers"]), '"$LAT"']'
fi

if wanted deepthings-devices; then
  # FTP (3x3, all 16 Darknet layers) against MoDNN on 1..6 edge devices (pi0, the data source,
  # and pi1..) plus the gateway gw, which serves and gathers FTP's tiles and takes none.
  vals=""
  for n in 1 2 3 4 5 6; do
    list=$(devices pi 1.5 $n)
    vals+="${vals:+,}${list%]},{\"name\":\"gw\",\"role\":\"server\",\"speed_gflops\":1.5}]"
  done
  sweep deepthings-devices scenarios/deepthings.json --set "/devices=$vals" --strategy ftp,modnn,local --requests 1
  table deepthings-devices '[("edge devices", lambda r: str(len(json.loads(r["/devices"])) - 1)), '"$LAT"']'
fi

if wanted deepthings-reuse; then
  # FTP's data reuse on the 16-layer edge stage, 6 edge devices + gateway: none, DeepThings' own
  # accounting (preform_ftp_reuse) and the ideal bound.
  sweep deepthings-reuse scenarios/deepthings.json --set '/strategy/options/grid=[3,3],[4,4],[5,5]' \
    --set '/strategy/options/reuse=false,true,"ideal"' --requests 1
  table deepthings-reuse '[("grid", lambda r: r["/strategy/options/grid"]), ("reuse", lambda r: r["/strategy/options/reuse"]), '"$LAT"', ("MiB/frame", lambda r: f(float(r["bytes_sent"]) / float(r["requests"]) / 2**20, 2))]'
fi

if wanted adcnn; then
  # FDSP under heterogeneity and a device slowed to a quarter of its speed (from t = 0).
  sweep adcnn scenarios/default.json --set "$CONST" \
    --set '/devices/3/speed_profile=[],[{"at_ms":0,"factor":0.25}]' \
    --strategy local,dpfp,modnn,ftp,fdsp --requests 20
  table adcnn '[("es3 speed", lambda r: "x0.25" if "0.25" in r["/devices/3/speed_profile"] else "x1"), '"$LAT"', ("lossless", lambda r: r["lossless"]), ("rel. L2 error", lambda r: f(r["accuracy_rel_l2_error"], 3) or "-")]'
fi

if wanted dads-uplinks; then
  # DADS, Neurosurgeon and CIC over the four uplink rates of the DADS paper; local = edge-only.
  sweep dads-uplinks scenarios/dads.json --set /network/bandwidth_mbps=0.13,1.1,5.85,18.88 \
    --strategy local,neurosurgeon,dads,cic --requests 1
  table dads-uplinks '[("uplink Mbit/s", lambda r: r["/network/bandwidth_mbps"]), '"$LAT"']'
  # Cloud-only: the whole model on the server, the input sent up.
  sweep dads-cloud scenarios/dads.json --set /network/bandwidth_mbps=0.13,1.1,5.85,18.88 \
    --set /strategy/name=local --set '/strategy/options={"device":"server"}' --requests 1
  table dads-cloud '[("uplink Mbit/s", lambda r: r["/network/bandwidth_mbps"]), ("cloud-only latency ms", lambda r: ms(r["latency_mean_s"]))]'
fi

if wanted ccied; then
  # CCIED: latency against the cache hit rate and the pruning of the split layer.
  sweep ccied scenarios/dads.json --set /network/bandwidth_mbps=5.85 --set /strategy/name=ccied \
    --set /workload/cache_hit_rate=0,0.25,0.5,0.75,0.9 --set /strategy/options/prune_ratio=0,0.5,0.9 --requests 2000
  table ccied '[("hit rate", lambda r: r["/workload/cache_hit_rate"]), ("prune ratio", lambda r: r["/strategy/options/prune_ratio"]), ("mean ms", lambda r: ms(r["latency_mean_s"])), ("p50 ms", lambda r: ms(r["latency_p50_s"])), ("p95 ms", lambda r: ms(r["latency_p95_s"])), ("hits", lambda r: r["cache_hits"]), ("bytes/request", lambda r: f(float(r["bytes_sent"]) / float(r["requests"]), 0)), ("T_local/T", lambda r: f(r["speedup"], 2))]'
fi
