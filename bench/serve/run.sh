#!/usr/bin/env bash
# Load test of `privet serve` with wrk (Debian): keep-alive POSTs of one Outpost24 request to
# /v1/decide at 1, 16 and 256 connections. A benchmark, not a test: prints a Markdown table for
# docs/performance.md. Usage: bench/serve/run.sh [BUILD_DIR] [SECONDS] [-- extra serve options]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
seconds="${2:-10}"
shift $(( $# < 2 ? $# : 2 ))
[ "${1:-}" = "--" ] && shift
privet="$build/compiler/tools/privet/privet"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$privet" build "$root/examples/outpost24/outpost24.privet" -o "$work/outpost24.pvc" >/dev/null
"$privet" serve --policy "$work/outpost24.pvc" --listen 127.0.0.1:0 "$@" >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/^privet serve: listening on //p' "$work/out")"
[ -n "$url" ] || { cat "$work/err" >&2; exit 1; }
# The answer must be an allow: a benchmark of error answers would measure the wrong thing.
export PRIVET_REQUEST="$(cat "$root/bench/serve/request.json")"
curl -sf -H 'Content-Type: application/json' "$url/v1/decide" -d "$PRIVET_REQUEST" | grep -q '"decision":"allow"' \
  || { echo "bench/serve: the benchmark request is not allowed" >&2; exit 1; }

echo "| connections | requests/s | p50 | p99 | p99.9 | errors |"
echo "|---:|---:|---:|---:|---:|---:|"
for c in 1 16 256; do
  t=$(( c < 2 ? 1 : 2 ))
  line="$(wrk -t"$t" -c"$c" -d"${seconds}s" -s "$root/bench/serve/decide.lua" "$url" | grep '^RESULT,')"
  IFS=, read -r _ total rps p50 p99 p999 errors <<<"$line"
  printf "| %d | %'d | %d µs | %d µs | %d µs | %d |\n" "$c" "$rps" "$p50" "$p99" "$p999" "$errors"
done
