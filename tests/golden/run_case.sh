#!/usr/bin/env bash
# Runs one golden case of tests/golden/cases.txt and compares it with its expected output.
# Usage: tests/golden/run_case.sh EDGEPART_BIN NAME   (from the repository root; ctest does this)
set -euo pipefail
bin=$1 name=$2
here=$(cd "$(dirname "$0")" && pwd)
args=$(sed -n "s/^${name}: //p" "$here/cases.txt")
[ -n "$args" ] || { echo "golden: no case '$name' in $here/cases.txt" >&2; exit 2; }
expected="$here/expected/$name.json"
[ -f "$expected" ] || { echo "golden: $expected is missing: run tests/golden/update.sh" >&2; exit 2; }
out=$(mktemp "${TMPDIR:-/tmp}/golden.$name.XXXXXX.json")
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2086  # the arguments are words of cases.txt
"$bin" $args -o "$out"
case "$name" in
  *-plan*) diff -u "$expected" "$out" ;;
  *) "$bin" check "$out" --baseline "$expected" --rtol 0 --strict ;;
esac
