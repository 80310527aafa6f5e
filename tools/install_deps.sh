#!/usr/bin/env bash
# Installs the Debian packages edgepart needs, only those missing. Uses sudo when not root.
# Called by `make run`, `make test` and `make bench`; safe to run again.
set -euo pipefail
packages=(cmake g++ make pkg-config
  libcli11-dev nlohmann-json3-dev libeigen3-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev
  libboost-graph-dev libonnx-dev libprotobuf-dev protobuf-compiler
  pybind11-dev python3-dev python3-pytest   # the Python module (python/) and its tests
  help2man)   # the man page (edgepart.1, from --help)
packages+=("$@")   # extra packages a target needs (e.g. chromium for the HTML report test)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "edgepart: installing missing packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  run() { "$@"; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run() { sudo "$@"; }
else
  echo "edgepart: cannot install ${missing[*]}: not root and sudo is not available without a password." >&2
  echo "edgepart: install them yourself: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
run apt-get install -y -qq --no-install-recommends "${missing[@]}"
