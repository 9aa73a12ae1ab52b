#!/usr/bin/env bash
# Installs the Debian packages Privet needs to build and test, then the npm packages of the
# VS Code extension and the test tools; a quick no-op when all are present.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang-14 libclang-rt-14-dev
  antlr4 libantlr4-runtime-dev
  llvm-14-dev llvm-14-tools
  libfmt-dev libcli11-dev
  googletest libgtest-dev libbenchmark-dev
  python3 python3-jsonschema
  graphviz chromium python3-html5lib
  zlib1g-dev
  pybind11-dev python3-dev python3-numpy python3-pandas python3-dask python3-distributed
  python3-venv python3-pip
  pkg-config clang-format-14
  nodejs npm
  libsodium-dev libasio-dev wrk
)

# A command that satisfies a package when another package provides it (NodeSource's `nodejs`
# ships npm itself and conflicts with Debian's `npm`).
provided_by_command() {
  case "$1" in
    nodejs) command -v node >/dev/null ;;
    npm) command -v npm >/dev/null ;;
    *) return 1 ;;
  esac
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' &&
    ! provided_by_command "$p"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, each folder exactly as its package-lock.json pins them, from the npm registry:
# the VS Code extension's tooling and the test suite's validators (tests/tools). npm writes
# node_modules/.package-lock.json on every install: older than the lock file means the lock
# changed since. --ignore-scripts: no package needs its install script here, and some would
# download binaries from outside the registry (vsce's signing tool).
root="$(cd "$(dirname "$0")/.." && pwd)"
for dir in editors/vscode tests/tools; do
  if [ ! -f "$root/$dir/node_modules/.package-lock.json" ] ||
    [ "$root/$dir/package-lock.json" -nt "$root/$dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in $dir" >&2
    (cd "$root/$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
  fi
done
