#!/usr/bin/env python3
"""Checks that the source tree keeps the pipeline's include graph, stage by stage.

Each compiler library (compiler/lib/<Stage> and compiler/include/privet/<Stage>) may include the
headers of the stages listed for it below and nothing later; only Syntax sees ANTLR; the runtime
(runtime/) includes nothing of the compiler, LLVM, fmt or ANTLR; tests and tools may use any stage.
Usage: check_layout.py <source root>. Exits 1 listing every violation with file:line.
"""
import os
import re
import sys

# Stage -> the stages whose headers it may include (besides its own). "runtime-domain" is the
# runtime's privet/Domain.h (the shared names and units); "runtime" is every runtime header.
ALLOWED = {
    "Basic": {"runtime-domain"},
    "AST": {"Basic", "runtime-domain"},
    "Syntax": {"Basic", "AST", "runtime-domain"},
    "Sema": {"Basic", "AST", "runtime-domain"},
    "Frontend": {"Basic", "AST", "Syntax", "Sema", "runtime-domain"},
    "Space": {"Basic", "AST", "Sema", "runtime-domain"},
    "Analysis": {"Basic", "AST", "Sema", "Space", "runtime-domain"},
    "Lower": {"Basic", "AST", "Sema", "Space", "runtime", "runtime-domain"},
}
# Libraries that sit on top of the pipeline (the tools' own libraries) may use every stage.
TOP = {"Tooling", "Report", "Lsp", "Audit", "Serve"}
RUNTIME_HEADERS = None  # filled from runtime/include/privet

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')
SOURCE_SUFFIXES = (".h", ".hpp", ".cpp", ".cc", ".c", ".def", ".inc")


def classify(header):
    """The stage a quoted include belongs to, or None for standard/third-party headers."""
    if header.startswith("antlr4") or header.startswith("Privet") and header.endswith(
            ("Lexer.h", "Parser.h", "BaseVisitor.h", "Visitor.h", "Listener.h")):
        return "antlr"
    if header.startswith("llvm/") or header.startswith("llvm-c/"):
        return "llvm"
    if header.startswith("fmt/"):
        return "fmt"
    if header.startswith("CLI/"):
        return "cli11"
    parts = header.split("/")
    if parts[0] == "privet":
        if len(parts) == 2:
            if parts[1] == "Domain.h":
                return "runtime-domain"
            return "runtime" if parts[1] in RUNTIME_HEADERS else "unknown-privet"
        return parts[1]
    return None


def stage_of(rel):
    parts = rel.split(os.sep)
    if parts[:2] == ["compiler", "lib"] and len(parts) > 3:
        return parts[2]
    if parts[:3] == ["compiler", "include", "privet"] and len(parts) > 4:
        return parts[3]
    if parts[0] == "runtime" and len(parts) > 1 and parts[1] in ("lib", "include"):
        return "runtime"
    # The runtime's optional components (runtime/verify, runtime/serve) keep the runtime's rule;
    # their own third-party libraries (libsodium, Asio) are not the compiler's.
    if parts[0] == "runtime" and len(parts) > 2 and parts[2] in ("lib", "include"):
        return "runtime"
    return None


def violations(root):
    global RUNTIME_HEADERS
    RUNTIME_HEADERS = set(os.listdir(os.path.join(root, "runtime", "include", "privet")))
    for component in sorted(os.listdir(os.path.join(root, "runtime"))):
        headers = os.path.join(root, "runtime", component, "include", "privet")
        if os.path.isdir(headers):
            RUNTIME_HEADERS |= set(os.listdir(headers))
    found = []
    known = set(ALLOWED) | TOP
    for top in ("compiler", "runtime"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                stage = stage_of(rel)
                if stage is None:
                    continue
                if stage != "runtime" and stage not in known:
                    found.append(f"{rel}:1: stage `{stage}` is not in the layout table of "
                                 f"tests/layout/check_layout.py: add it with its allowed stages")
                    continue
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        problem = check(stage, classify(m.group(1)))
                        if problem:
                            found.append(f"{rel}:{lineno}: {stage} includes `{m.group(1)}`: "
                                         f"{problem}")
    return found


def check(stage, target):
    if target is None:
        return None
    if stage == "runtime":
        if target in ("runtime", "runtime-domain"):
            return None
        return "the runtime depends on the C++ standard library only"
    if target == "antlr":
        return None if stage == "Syntax" else "only Syntax sees ANTLR"
    if target in ("llvm", "fmt"):
        return None
    if target == "cli11":
        return "CLI11 belongs to the driver (compiler/tools)"
    if target == "unknown-privet":
        return "no such runtime header"
    if stage in TOP or target == stage:
        return None
    if target in ALLOWED[stage]:
        return None
    if target in TOP:
        return f"`{target}` sits on top of the pipeline; a stage may not include it"
    return f"a stage includes only the stages before it ({', '.join(sorted(ALLOWED[stage]))})"


def main():
    if len(sys.argv) != 2:
        print("usage: check_layout.py <source root>", file=sys.stderr)
        return 2
    found = violations(sys.argv[1])
    for v in found:
        print(v)
    print(f"layout: {len(found)} violation(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
