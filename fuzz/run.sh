#!/usr/bin/env bash
# Runs each libFuzzer harness for FUZZ_SECONDS (default 60) on its corpus (docs/robustness.md).
# Usage: fuzz/run.sh [BUILD_DIR] [HARNESS...]   (default build-fuzz, every harness)
# Crashes go to BUILD_DIR/fuzz-artifacts/<harness>/; the corpus grows in BUILD_DIR/corpus/<harness>/.
# Exit status: non-zero when a harness found a crash, leak, timeout or sanitizer report.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$root/build-fuzz}")
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(model_json onnx scenario trace_csv plan sweep_spec)
seconds=${FUZZ_SECONDS:-60}
[ -d "$build/corpus" ] || "$root/fuzz/make_corpus.sh" "$build/corpus" >/dev/null
status=0
for h in "${harnesses[@]}"; do
  mkdir -p "$build/fuzz-artifacts/$h" "$build/corpus/$h"
  echo "== fuzz_$h for ${seconds}s"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: more than 2 GiB is exhaustion.
  # The sweep specification may legitimately describe an axis of up to 10^7 values (src/sweep/grid.cpp),
  # which takes ~15 s to build under ASan: that harness gets 60 s.
  timeout=10
  [ "$h" = sweep_spec ] && timeout=60
  # Run from a scratch folder so that relative paths a fuzzed scenario names resolve to nothing.
  (cd "$build/fuzz-artifacts/$h" &&
   "$build/fuzz/fuzz_$h" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 \
     -artifact_prefix="$build/fuzz-artifacts/$h/" -print_final_stats=1 "$build/corpus/$h" \
     2>"$build/fuzz-artifacts/$h/log.txt")
  rc=$?
  grep -E '^#[0-9]+.*(DONE|pulse)' "$build/fuzz-artifacts/$h/log.txt" | tail -1
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$build/fuzz-artifacts/$h/log.txt"
  if [ $rc -ne 0 ]; then
    echo "fuzz_$h FAILED (exit $rc): see $build/fuzz-artifacts/$h/log.txt"
    grep -E 'ERROR|SUMMARY|runtime error|non-input exception' "$build/fuzz-artifacts/$h/log.txt" | head -5
    status=1
  fi
done
exit $status
