#!/bin/sh
# Builds the .deb (cpack), unpacks it into a scratch root with dpkg-deb -x, and runs the
# installed privet from there on an example, as a CI runner would after `dpkg -i`.
# Usage: check-deb.sh <build-dir> <scratch-dir> <example.privet>
set -eu
build=$1 work=$2 example=$3
rm -rf "$work"
mkdir -p "$work"
(cd "$build" && cpack -G DEB -B "$work/out" >/dev/null)
deb=$(ls "$work"/out/privet_*.deb)
dpkg-deb --info "$deb" | grep -q 'Package: privet' || { echo "not a privet package" >&2; exit 1; }
dpkg-deb -x "$deb" "$work/root"
for f in usr/bin/privet usr/include/privet/Runtime.h usr/include/privet/privet.h \
         usr/lib/libprivet.so usr/lib/libprivet_runtime.a usr/lib/cmake/privet/privetConfig.cmake \
         usr/lib/pkgconfig/privet.pc usr/share/privet/stdlib/gdpr.privet; do
  found=$(find "$work/root" -path "*/${f#usr/}" -o -path "$work/root/$f" | head -n1)
  test -n "$found" || { echo "not in the package: $f" >&2; exit 1; }
done
# The unpacked privet checks, tests and compiles an example with the stdlib from the package.
privet="$work/root/usr/bin/privet"
"$privet" --version >/dev/null
"$privet" test "$example" >/dev/null
"$privet" build "$example" -o "$work/example.pvc" >/dev/null
test -s "$work/example.pvc"
echo "the .deb installs privet, the runtime, headers, CMake and pkg-config files and the stdlib"
