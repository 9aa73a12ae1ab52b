#!/usr/bin/env bash
# Installs the Debian packages Privet needs to build and test; a quick no-op when all are present.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang-14 libclang-rt-14-dev
  antlr4 libantlr4-runtime-dev
  llvm-14-dev llvm-14-tools
  libfmt-dev libcli11-dev
  googletest libgtest-dev libbenchmark-dev
  python3 python3-jsonschema
  graphviz chromium python3-html5lib
  pkg-config
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
