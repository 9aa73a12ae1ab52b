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
  pkg-config clang-format-14
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Node.js and npm: Debian's, unless the machine already has a Node.js with its own npm.
if ! command -v npm >/dev/null 2>&1; then
  for p in nodejs npm; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
fi

if [ ${#missing[@]} -ne 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, each folder pinned by its package-lock.json: installed when node_modules is
# missing or older than the lockfile, never at build or test time.
root="$(cd "$(dirname "$0")/.." && pwd)"
for dir in tests/tools; do
  lock="$root/$dir/package-lock.json"
  stamp="$root/$dir/node_modules/.package-lock.json"
  if [ ! -e "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    echo "setup: npm ci in $dir" >&2
    (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
