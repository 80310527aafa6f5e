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
         share/edgepart/scenarios/default.json share/bash-completion/completions/edgepart; do
  [ -e "$prefix/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done

# The man page, when the build made one (help2man installed): a roff page naming the commands.
if grep -q '^EDGEPART_HELP2MAN:FILEPATH=/' "$build/CMakeCache.txt"; then
  man1="$prefix/share/man/man1/edgepart.1"
  [ -e "$man1" ] || { echo "not installed: share/man/man1/edgepart.1" >&2; exit 1; }
  grep -q '^\.TH EDGEPART "1"' "$man1" && grep -q 'simulate' "$man1" ||
    { echo "edgepart.1: not a man page listing the commands" >&2; exit 1; }
fi

# The bash completion offers the commands, their options and fixed option values.
complete_words() {  # the words typed so far, the last one being completed
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _edgepart; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$prefix/share/bash-completion/completions/edgepart" "$@"
}
expect_completion() {  # expected, then the words
  local expected=$1; shift
  [ "$(complete_words "$@" | sort | tr '\n' ' ')" = "$expected" ] ||
    { echo "completion of '$*': got '$(complete_words "$@" | tr '\n' ' ')', expected '$expected'" >&2; exit 1; }
}
expect_completion "simulate " edgepart sim
expect_completion "sweep " edgepart -q sw
expect_completion "--python-strategy " edgepart simulate scenarios/default.json --py
expect_completion "csv jsonl " edgepart sweep x --format ""
expect_completion "channels " edgepart list ch

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
