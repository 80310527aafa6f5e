#!/usr/bin/env bash
# The install rules, tested as a user of the library would use them: `cmake --install` of the
# build into a temporary prefix, then a separate project (this folder) built against it twice,
# with find_package(edgepart) and with pkg-config, and each build's report compared with the
# CLI's (the installed `edgepart simulate`) for the same scenario, strategy and seed.
# Usage: run.sh BUILD_DIR (from the repository root).
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/edgepart include/edgepart/pipeline/pipeline.hpp lib/cmake/edgepart/edgepartConfig.cmake lib/pkgconfig/edgepart.pc \
         share/edgepart/scenarios/default.json; do
  [ -e "$prefix/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done

scenario=scenarios/default.json
"$prefix/bin/edgepart" simulate "$scenario" --strategy dpfp --requests 20 --format json > "$work/cli.json"

cmake -S "$here" -B "$work/cmake-build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
"$work/cmake-build/downstream" "$scenario" dpfp 20 > "$work/cmake.json"
cmp "$work/cli.json" "$work/cmake.json" || { echo "find_package build: report differs from the CLI's" >&2; exit 1; }

flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs edgepart)
# shellcheck disable=SC2086  # the flags are words
g++ -O2 "$here/main.cpp" -o "$work/downstream-pc" $flags
"$work/downstream-pc" "$scenario" dpfp 20 > "$work/pc.json"
cmp "$work/cli.json" "$work/pc.json" || { echo "pkg-config build: report differs from the CLI's" >&2; exit 1; }
echo "downstream: find_package and pkg-config builds match edgepart simulate"
