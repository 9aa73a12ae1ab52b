#!/bin/sh
# Builds the .deb (cpack), unpacks it into a scratch root with dpkg-deb -x, and runs the
# installed privet from there on an example, as a CI runner would after `dpkg -i`.
# Then runs the repository's composite GitHub Action (.ci/github-action) with that .deb, the way a
# runner would (tests/ci/run_composite_action.py), on a clean policy and on one with a warning.
# Usage: check-deb.sh <build-dir> <scratch-dir> <example.privet> <python> <source-dir>
set -eu
build=$1 work=$2 example=$3 python=$4 src=$5
rm -rf "$work"
mkdir -p "$work"
(cd "$build" && cpack -G DEB -B "$work/out" >/dev/null)
deb=$(ls "$work"/out/privet_*.deb)
dpkg-deb --info "$deb" | grep -q 'Package: privet' || { echo "not a privet package" >&2; exit 1; }
dpkg-deb -x "$deb" "$work/root"
for f in usr/bin/privet usr/include/privet/Runtime.h usr/include/privet/privet.h \
         usr/lib/libprivet.so usr/lib/libprivet_runtime.a usr/lib/cmake/privet/privetConfig.cmake \
         usr/lib/pkgconfig/privet.pc usr/share/privet/stdlib/gdpr.privet \
         usr/share/doc/privet/diagnostics.md usr/include/privet/Verify.h; do
  found=$(find "$work/root" -path "*/${f#usr/}" -o -path "$work/root/$f" | head -n1)
  test -n "$found" || { echo "not in the package: $f" >&2; exit 1; }
done
# The unpacked privet checks, tests and compiles an example with the stdlib from the package.
privet="$work/root/usr/bin/privet"
"$privet" --version >/dev/null
"$privet" test "$example" >/dev/null
"$privet" build "$example" -o "$work/example.pvc" >/dev/null
test -s "$work/example.pvc"

# The GitHub Action gate: a clean, tested, formatted policy passes and leaves a SARIF log; a dead
# rule fails the job (warnings are errors in the gate), and the SARIF log is written anyway.
mkdir -p "$work/ci"
cat >"$work/ci/shop.privet" <<'POLICY'
policy shop "Shop";
action use;
action sell;
category email;
purpose newsletter;
send: allow use email for newsletter;
test "newsletter" {
  expect allow use email for newsletter;
  expect deny sell email for newsletter;
}
POLICY
printf 'policy shop "Shop";\naction use;\naction sell;\ncategory email;\npurpose newsletter;\ndeny use;\nsend: allow use email for newsletter;\n' >"$work/ci/dead.privet"
run_action() {
  env -u PRIVET_STDLIB_PATH "$python" "$src/tests/ci/run_composite_action.py" "$src/.ci/github-action" \
    "$work/ci" deb="$deb" "$@"
}
run_action policies=shop.privet >"$work/ci/clean.log" 2>&1 || {
  cat "$work/ci/clean.log" >&2; echo "the action failed on a clean policy" >&2; exit 1; }
grep -q '"version": "2.1.0"' "$work/ci/privet.sarif" || { echo "no SARIF log written" >&2; exit 1; }
if run_action policies=dead.privet sarif-file=dead.sarif >"$work/ci/dead.log" 2>&1; then
  cat "$work/ci/dead.log" >&2; echo "the action passed a policy with a dead rule" >&2; exit 1
fi
grep -q 'failed: Check the policies' "$work/ci/dead.log"
grep -q '"ruleId": "W' "$work/ci/dead.sarif" || { echo "the dead rule is not in SARIF" >&2; exit 1; }
# Every rule links to its section of diagnostics.md in the calling repository (a local action),
# and the tool's informationUri is a public URL, never a build-tree path.
grep -q '"helpUri": "https://github.com/example/policies/blob/0123456789abcdef0123456789abcdef01234567/docs/diagnostics.md#w0401-' \
  "$work/ci/dead.sarif" || { echo "no helpUri to the docs in SARIF" >&2; exit 1; }
grep -q '"informationUri": "https://github.com/example/policies/blob/[0-9a-f]*/docs/cli.md"' \
  "$work/ci/dead.sarif" || { echo "informationUri is not the docs URL" >&2; exit 1; }

echo "the .deb installs privet, the runtime, headers, CMake and pkg-config files and the stdlib; the GitHub Action gates on it"
