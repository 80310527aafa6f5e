#!/usr/bin/env bash
# Seed corpora for the libFuzzer harnesses (docs/robustness.md): copies of the repository's own
# inputs (models/, scenarios/, tests/data/, golden plans) plus a few hand-written seeds for the
# formats that have no files in the tree (trace CSV, sweep specifications, scenario overrides).
# Usage: fuzz/make_corpus.sh [OUT_DIR]   (default build-fuzz/corpus); one sub-folder per harness.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build-fuzz/corpus}
mkdir -p "$out"/{model_json,onnx,scenario,trace_csv,plan,sweep_spec,protocol,channel,sweep,set}

cp "$root"/models/*.json "$out/model_json/"
cp "$root"/tests/data/bad/*.json "$out/model_json/" 2>/dev/null || true
cp "$root"/models/*.onnx "$out/onnx/"
find "$root/tests/data/onnx" -name '*.onnx' -exec cp {} "$out/onnx/" \;
cp "$root"/scenarios/*.json "$out/scenario/"
cp "$root"/tests/golden/expected/*plan*.json "$out/plan/"
find "$root/tests/data" -name '*.csv' -exec cp {} "$out/trace_csv/" \; 2>/dev/null || true
# The inputs that once crashed a harness (tests/data/fuzz/README.md) start their corpus again.
cp "$root"/tests/data/fuzz/model_*.json "$out/model_json/"
cp "$root"/tests/data/fuzz/onnx_*.onnx "$out/onnx/"
cp "$root"/tests/data/fuzz/protocol_*.bin "$out/protocol/" 2>/dev/null || true

# Scenario with overrides: lines before "---" are `--set` strings (fuzz/fuzz_scenario.cpp).
{
  printf '/network/bandwidth_mbps=50\n/devices/1/speed_gflops=7\n/workload/requests=10\n---\n'
  cat "$root/scenarios/default.json"
} > "$out/scenario/default_with_overrides.txt"
{
  printf '/network/channel={"kind":"gilbert_elliott","good_factor":0.8,"bad_factor":0.05}\n/strategy/name=modnn\n---\n'
  cat "$root/scenarios/default.json"
} > "$out/scenario/default_ge_channel.txt"

# Trace CSVs (format: src/scenario/scenario_json.cpp, load_trace).
printf 'time_s,rate_mbps\n0,100\n0.5,20\n1.25,80\n' > "$out/trace_csv/header.csv"
printf '# a comment\n0, 54.5\n\n1e-3,1e2 # inline\n2,0.5\r\n' > "$out/trace_csv/comments.csv"

# Sweep specifications: one --set axis per line, "shard K/N" lines (fuzz/fuzz_sweep_spec.cpp).
printf '/network/bandwidth_mbps=10:100:10\n/devices/1/speed_gflops=5,10,20\nshard 2/3\n' > "$out/sweep_spec/range_list.txt"
printf '/strategy/name=dpfp,modnn,"a,b",[1,2],{"x":1}\n/seed=0:1e3:0.5\nshard 1/1\n' > "$out/sweep_spec/mixed.txt"
printf '/workload/requests=-5:5:1\n/x=1.5:2.5:0.25\n' > "$out/sweep_spec/negative.txt"

# Channels (fuzz/fuzz_channel.cpp): a network object, then optionally "---" and a trace CSV that
# any channel "file" is redirected to.
printf '{"kind":"switched","bandwidth_mbps":50,"channel":{"kind":"rayleigh","snr_db":15,"coherence_ms":5}}' > "$out/channel/rayleigh.json"
printf '{"kind":"shared","sharing":"fair","bandwidth_mbps":20,"latency_ms":2,"channel":{"kind":"gilbert_elliott","good_factor":1,"bad_factor":0.1,"p_good_to_bad":0.2,"p_bad_to_good":0.4,"step_ms":3}}' > "$out/channel/gilbert_elliott.json"
printf '{"kind":"switched","bandwidth_mbps":50,"channel":{"kind":"trace","file":"t.csv","loop":true}}\n---\ntime_s,rate_mbps\n0,100\n0.002,5\n0.01,0\n0.013,60\n' > "$out/channel/trace_loop.txt"
printf '{"kind":"switched","bandwidth_mbps":50,"channel":{"kind":"constant"},"links":[{"from":"src","to":"s1","bandwidth_mbps":8,"symmetric":true,"channel":{"kind":"trace","file":"t.csv","loop":false}},{"from":"s1","to":"s2","channel":{"kind":"rayleigh","snr_db":0,"coherence_ms":0.5}}]}\n---\n0,10\n0.001,0.5\n' > "$out/channel/links_mixed.txt"

# Sweeps (fuzz/fuzz_sweep.cpp): an options line, then one axis per line.
printf 'j=2 format=csv seeds=2 strategy=modnn,local\n/network/bandwidth_mbps=10:50:20\n/devices/1/speed_gflops=5,40\n' > "$out/sweep/two_axes.txt"
printf 'j=3 fail=700 strategy=all\n/network/latency_ms=0,1,5\n' > "$out/sweep/fail_midway.txt"
printf 'j=1 stop=2 format=jsonl shard=2/3\n/workload/deadline_ms=10:90:10\n' > "$out/sweep/stop_shard.txt"
printf 'j=2 sink=file\n/network/channel={"kind":"gilbert_elliott","good_factor":1,"bad_factor":0.2},{"kind":"constant"}\n' > "$out/sweep/file_sink.txt"
printf 'j=2 sink=full\n/seed=1:4:1\n' > "$out/sweep/dev_full.txt"

# --set overrides on the fixture scenario (fuzz/fuzz_set.cpp): one per line.
printf '/network/bandwidth_mbps=20\n/devices/1/speed_gflops=7\n/strategy/name=dpfp\n' > "$out/set/bandwidth_dpfp.txt"
printf '/network/kind=shared\n/network/sharing=fair\n/workload/arrival=poisson\n/workload/rate_rps=50\n' > "$out/set/poisson_fair.txt"
printf '/devices/-={"name":"s3","role":"server","speed_gflops":5}\n/strategy={"name":"local"}\n/seed=99\n' > "$out/set/append_device.txt"
printf '/network/channel={"kind":"gilbert_elliott","good_factor":0.9,"bad_factor":0.01,"step_ms":1}\n/workload/concurrency=2\n' > "$out/set/ge_concurrency.txt"

for d in "$out"/*/; do printf '%-12s %4d seeds\n' "$(basename "$d")" "$(ls "$d" | wc -l)"; done

# Runtime frames (fuzz/fuzz_protocol.cpp): a cancel, a ping and a notice, byte for byte.
printf 'EPRT\x02\x00\x0d\x00\x08\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00' > "$out/protocol/cancel.bin"
printf 'EPRT\x02\x00\x05\x00\x08\x00\x00\x00\x00\x00\x00\x00\x40\x42\x0f\x00\x00\x00\x00\x00' > "$out/protocol/ping.bin"
printf 'EPRT\x02\x00\x09\x00\x10\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00' > "$out/protocol/notice.bin"
