#!/usr/bin/env bash
# Regenerates every expected output of tests/golden/cases.txt with the given binary (default
# build/edgepart). Review the diff before committing: a change here is a change of results.
# Usage: tests/golden/update.sh [EDGEPART_BIN]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(realpath "${1:-$root/build/edgepart}")
cd "$root"
grep -v '^#' "$here/cases.txt" | grep -v '^\s*$' | while IFS= read -r line; do
  name=${line%%: *}
  args=${line#*: }
  # shellcheck disable=SC2086
  "$bin" $args -o "$here/expected/$name.json"
  echo "golden: $name"
done
