#!/usr/bin/env python3
"""Runs clang-format --dry-run -Werror over every C/C++ source of the tree (not build trees).

Usage: check_format.py <source root> <clang-format>. Prints the files that are not formatted and
exits 1 if there are any.
"""
import os
import subprocess
import sys

DIRS = ["compiler", "runtime", "tests", "bench", "grammar", "examples", "editors"]
SUFFIXES = (".h", ".hpp", ".cpp", ".cc", ".c")


def sources(root):
    for top in DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in ("node_modules", "out")
                                 and not d.startswith("build"))
            for name in sorted(filenames):
                if name.endswith(SUFFIXES):
                    yield os.path.join(dirpath, name)


def main():
    root, clang_format = sys.argv[1], sys.argv[2]
    files = list(sources(root))
    bad = []
    for start in range(0, len(files), 64):
        batch = files[start:start + 64]
        proc = subprocess.run([clang_format, "--dry-run", "-Werror", f"--style=file"] + batch,
                              cwd=root, capture_output=True, text=True)
        if proc.returncode != 0:
            for line in proc.stderr.splitlines():
                if ": error: " in line:
                    path = line.split(":", 1)[0]
                    if path not in bad:
                        bad.append(path)
    for path in bad:
        print(f"not formatted: {os.path.relpath(path, root)} (run clang-format-14 -i on it)")
    print(f"format: {len(files)} files checked, {len(bad)} not formatted")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
