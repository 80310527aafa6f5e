#!/usr/bin/env bash
# Runs each libFuzzer harness for FUZZ_SECONDS (default 60) on its corpus (docs/robustness.md),
# FUZZ_JOBS harnesses at a time (default 1).
# Usage: fuzz/run.sh [BUILD_DIR] [HARNESS...]   (default build-asan, every harness)
# FUZZ_TIMEOUT (seconds) replaces the per-input timeout (10 s; 60 s for sweep_spec).
# Crashes go to BUILD_DIR/fuzz-artifacts/<harness>/; the corpus grows in BUILD_DIR/corpus/<harness>/.
# Exit status: non-zero when a harness found a crash, leak, timeout or sanitizer report.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$root/build-asan}")
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(model_json onnx scenario trace_csv plan sweep_spec protocol channel sweep set)
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
case $jobs in '' | *[!0-9]* | 0) echo "fuzz/run.sh: FUZZ_JOBS must be a positive integer (got '$jobs')" >&2; exit 2 ;; esac
[ -d "$build/corpus" ] || "$root/fuzz/make_corpus.sh" "$build/corpus" >/dev/null

# One harness; its report goes to fuzz-artifacts/<harness>/summary.txt, its exit status is the
# fuzzer's.
run_one() {
  local h=$1 dir="$build/fuzz-artifacts/$1"
  mkdir -p "$dir" "$build/corpus/$h"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: more than 2 GiB is exhaustion.
  # The sweep specification may legitimately describe an axis of up to 10^7 values
  # (src/sweep/grid.cpp), which takes ~15 s to build under ASan: that harness gets 60 s.
  # FUZZ_TIMEOUT overrides both: the timeout is wall-clock time, and a harness run under `nice -n 19`
  # on a busy machine can wait seconds for a CPU between two inputs (a false "hang").
  local timeout=10
  [ "$h" = sweep_spec ] && timeout=60
  timeout=${FUZZ_TIMEOUT:-$timeout}
  # Run from a scratch folder so that relative paths a fuzzed scenario names resolve to nothing.
  (cd "$dir" &&
   "$build/fuzz/fuzz_$h" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 \
     -artifact_prefix="$dir/" -print_final_stats=1 "$build/corpus/$h" 2>"$dir/log.txt")
  local rc=$?
  {
    echo "== fuzz_$h for ${seconds}s"
    grep -E '^#[0-9]+.*(DONE|pulse)' "$dir/log.txt" | tail -1
    grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$dir/log.txt"
    if [ $rc -ne 0 ]; then
      echo "fuzz_$h FAILED (exit $rc): see $dir/log.txt"
      grep -E 'ERROR|SUMMARY|runtime error|non-input exception' "$dir/log.txt" | head -5
    fi
  } >"$dir/summary.txt"
  return $rc
}

status=0
pids=()
names=()
flush() {  # waits for the running batch, prints its summaries in order
  local i
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || status=1
    cat "$build/fuzz-artifacts/${names[$i]}/summary.txt"
  done
  pids=()
  names=()
}
for h in "${harnesses[@]}"; do
  run_one "$h" &
  pids+=($!)
  names+=("$h")
  [ ${#pids[@]} -ge "$jobs" ] && flush
done
flush
exit $status
