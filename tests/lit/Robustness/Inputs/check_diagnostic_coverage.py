"""Fails when a diagnostic code in DiagnosticKinds.def has no lit test or no docs section.

A lit test covers a code when its text contains `[CODE]` (as a CHECK line on the rendered
diagnostic does). docs/diagnostics.md covers it with a heading `## CODE name`.
Usage: check_diagnostic_coverage.py SRCROOT"""
import os
import re
import sys

root = sys.argv[1]
defs = open(os.path.join(root, "compiler/include/privet/Basic/DiagnosticKinds.def")).read()
kinds = re.findall(r'^DIAG(?:_CHECK)?\(\s*(\w+)\s*,\s*(\w+)\s*,\s*"(\w+)"', defs, re.M)
if not kinds:
    sys.exit("no DIAG entries found: has DiagnosticKinds.def changed shape?")

codes = [c for _, _, c in kinds]
dupes = {c for c in codes if codes.count(c) > 1}
problems = [f"code {c} is used twice" for c in sorted(dupes)]

tested = set()
lit_root = os.path.join(root, "tests/lit")
for dirpath, _, files in os.walk(lit_root):
    for f in files:
        if f == os.path.basename(__file__) or f == "diagnostic-coverage.test":
            continue
        try:
            text = open(os.path.join(dirpath, f), encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        tested.update(re.findall(r"\[([EW]\d{4})\]", text))

docs_path = os.path.join(root, "docs/diagnostics.md")
docs = open(docs_path).read() if os.path.exists(docs_path) else ""
documented = set(re.findall(r"^## ([EW]\d{4})\b", docs, re.M))

for name, _, code in kinds:
    if code not in tested:
        problems.append(f"{code} ({name}) has no lit test mentioning `[{code}]`")
    if code not in documented:
        problems.append(f"{code} ({name}) has no `## {code}` section in docs/diagnostics.md")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{len(kinds)} diagnostics, all tested and documented")
