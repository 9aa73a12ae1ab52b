#!/bin/sh
# Installs the build into a scratch prefix, then builds a user's project against it with
# find_package(privet) and a C program with pkg-config, and runs both on the sample artifact.
# Usage: check-install.sh <build-dir> <consumer-source-dir> <scratch-dir> <artifact>
set -eu
build=$1 src=$2 work=$3 artifact=$4
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
for f in include/privet/Runtime.h include/privet/privet.h include/privet/Artifact.h \
         lib/libprivet_runtime.a lib/libprivet.so lib/cmake/privet/privetConfig.cmake \
         lib/pkgconfig/privet.pc share/privet/stdlib/gdpr.privet include/privet/Verify.h \
         lib/libprivet_verify.a lib/cmake/privet/privetVerifyTargets.cmake; do
  test -e "$work/prefix/$f" || { echo "not installed: $f" >&2; exit 1; }
done
# The installed headers must not reach for the compiler, LLVM or ANTLR.
if grep -rlE '#include *[<"](antlr4|llvm/|privet/(Basic|Syntax|AST|Sema|Analysis|Lower)/)' \
     "$work/prefix/include/privet"; then
  echo "an installed header includes compiler, LLVM or ANTLR headers" >&2; exit 1
fi
# The installed privet reads the installed standard library (before the source tree's): a
# declaration added to the installed copy only must resolve.
printf '\npurpose installed_copy_marker "Only in the installed copy";\n' \
  >>"$work/prefix/share/privet/stdlib/gdpr.privet"
printf 'policy p "P";\nimport gdpr;\nr: allow any for gdpr.installed_copy_marker;\n' \
  >"$work/uses-installed.privet"
"$work/prefix/bin/privet" check "$work/uses-installed.privet" >/dev/null || {
  echo "the installed privet does not read the installed standard library" >&2; exit 1; }
cmake -S "$src" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
test "$("$work/consumer/consumer" "$artifact")" = allow
test "$(LD_LIBRARY_PATH="$work/prefix/lib" "$work/consumer/consumer_c" "$artifact")" = allow
# privet::verify: a signed copy of the artifact loads; after one byte changes, it is refused.
"$work/prefix/bin/privet" keygen "$work/key" >/dev/null
cp "$artifact" "$work/signed.pvc"
"$work/prefix/bin/privet" sign "$work/signed.pvc" --key "$work/key.key" >/dev/null
test "$("$work/consumer/consumer_verify" "$work/signed.pvc" "$work/key.pub")" = allow
printf 'x' | dd of="$work/signed.pvc" bs=1 seek=100 conv=notrunc 2>/dev/null
if "$work/consumer/consumer_verify" "$work/signed.pvc" "$work/key.pub" >/dev/null; then
  echo "a tampered signed artifact was loaded" >&2; exit 1
fi
# A C program built with pkg-config against the shared library, and one against the static one.
# The shared one runs without LD_LIBRARY_PATH: privet.pc carries an rpath to its libdir, so the
# command docs/runtime-api.md gives works as written for a prefix outside the loader's path.
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
cc -std=c99 -Werror -o "$work/pc_shared" "$src/main.c" $(pkg-config --cflags --libs privet)
test "$(env -u LD_LIBRARY_PATH "$work/pc_shared" "$artifact")" = allow
cc -std=c99 -Werror -o "$work/pc_static" "$src/main.c" $(pkg-config --cflags --libs privet-static)
test "$("$work/pc_static" "$artifact")" = allow
echo "install, find_package and pkg-config consumers work"
