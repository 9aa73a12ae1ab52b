#!/usr/bin/env python3
# Extracts the code samples of docs/*.md and runs them with the built privet, so the docs cannot rot.
"""Runs every Privet and shell sample in docs/*.md against a built `privet`.

Fenced blocks are selected by their info string:

  ```privet               a complete file: `privet check` must exit 0; if it holds `test`
                          blocks, `privet test` must exit 0 too. A named file of the
                          tutorial must also pass the CI gates it recommends: `fmt --check`,
                          `check --deny-warnings`, `test --coverage --min-coverage 100`
  ```privet-fragment      part of a file (names may be undeclared; without a `policy` or
                          `module` header it is checked as part of a policy): `privet check`
                          may report name errors, but no lexical or syntax error (codes E00xx)
  ```privet-error E0303   `privet check` must exit 1 and report every listed code; when every
                          listed code is a warning (W0401), it runs with `--deny-warnings`
  ```sh / ```console      each line starting with `privet ` (or `$ privet `) is run from a
                          scratch directory that mirrors the source tree; it must exit 0, or
                          the code a trailing `# exit N` comment names. Other lines are not run.

  ```python               run with /usr/bin/python3 from the scratch directory after the
                          document's shell samples, importing the `privet` package from the
                          build tree (<build>/python); it must exit 0. Counted as not run when
                          the build has no Python package.

  ```cpp                  preceded by `<!-- doc-sample: compile -->`: compiled against
                          runtime/include and the built runtime library, then run from the
                          scratch directory after the document's shell samples (so it can load
                          an artifact they built); it must exit 0.

A block without an info string is an error, so an untagged sample cannot slip past the runner:
tag output and illustrations ```text or ```json. Any other tagged block, and a block preceded by
`<!-- doc-sample: skip -->`, is ignored. A sample file
can be referred to from later shell samples in the same document: put
`<!-- doc-sample: file NAME -->` before a privet block and it is written to NAME in the scratch
directory before the document's shell samples run.

`privet test` runs only if the driver has a `test` subcommand; otherwise the summary line says
how many test runs were not possible (they are counted, never silently dropped), and the test
blocks are still type-checked by `privet check`.

Exits 1 if any sample fails, and 2 if there is nothing to check (so a broken extraction
cannot pass silently).
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\S*)\s*(.*)$")
DIRECTIVE = re.compile(r"^<!--\s*doc-sample:\s*(\w+)\s*(.*?)\s*-->\s*$")
CODE = re.compile(r"\[([EW]\d{4})\]")
HEADER = re.compile(r"^\s*(policy|module)\s", re.M)


HAVE_TEST = False
NOT_RUN = 0


class Sample:
    def __init__(self, doc, line, lang, args, text, directive):
        self.doc, self.line, self.lang, self.args = doc, line, lang, args
        self.text, self.directive = text, directive

    def where(self):
        return f"{self.doc}:{self.line}"


def extract(path):
    samples = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i, directive = 0, None
    while i < len(lines):
        d = DIRECTIVE.match(lines[i])
        if d:
            directive = (d.group(1), d.group(2))
            i += 1
            continue
        m = FENCE.match(lines[i])
        if not m:
            if lines[i].strip():
                directive = None
            i += 1
            continue
        start, lang, args = i + 1, m.group(1), m.group(2)
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        samples.append(Sample(path, start, lang, args, "\n".join(body) + "\n", directive))
        directive = None
    return samples


def run(cmd, cwd, privet):
    env = dict(os.environ, NO_COLOR="1")
    env["PATH"] = os.path.dirname(privet) + os.pathsep + env.get("PATH", "")
    return subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)


def mirror(srcroot, scratch):
    for name in ("stdlib", "examples", "docs", "tests"):
        target = os.path.join(srcroot, name)
        if os.path.exists(target):
            os.symlink(target, os.path.join(scratch, name))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--privet", required=True)
    ap.add_argument("--srcroot", required=True)
    ap.add_argument("--work", required=True, help="scratch directory (created)")
    ap.add_argument("--cxx", default="c++", help="C++ compiler for the embedding samples")
    ap.add_argument("--cxxflags", default="",
                    help="extra flags, so samples link against a sanitizer/fuzz-instrumented runtime")
    ap.add_argument("docs", nargs="*", help="documents (default: docs/*.md)")
    opts = ap.parse_args()
    opts.srcroot = os.path.abspath(opts.srcroot)

    privet = os.path.abspath(opts.privet)
    if not os.access(privet, os.X_OK):
        print(f"error: `{privet}` is not an executable privet", file=sys.stderr)
        return 2
    docs = opts.docs or sorted(
        os.path.join(opts.srcroot, "docs", f)
        for f in os.listdir(os.path.join(opts.srcroot, "docs")) if f.endswith(".md"))

    os.makedirs(opts.work, exist_ok=True)
    failures, checked = [], 0
    global HAVE_TEST, NOT_RUN
    helptext = run([privet, "--help"], opts.work, privet).stdout
    HAVE_TEST = re.search(r"^\s+test\b", helptext, re.M) is not None
    for doc in docs:
        scratch = tempfile.mkdtemp(prefix=os.path.basename(doc) + ".", dir=opts.work)
        mirror(opts.srcroot, scratch)
        samples = extract(doc)
        shell, programs = [], []
        for n, s in enumerate(samples):
            if s.directive and s.directive[0] == "skip":
                continue
            if not s.lang:
                checked += 1
                failures.append(f"{s.where()}: fenced block without an info string (tag it "
                                f"`privet`, `privet-fragment`, `privet-error CODE`, `text`, ...)")
                continue
            if s.lang.startswith("privet"):
                name = f"sample{n}.privet"
                if s.directive and s.directive[0] == "file":
                    name = s.directive[1]
                path = os.path.join(scratch, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                text = s.text
                if s.lang == "privet-fragment" and not HEADER.search(text):
                    # A fragment is part of a file: give it the header it omits, on its first
                    # line so that reported line numbers still match the document.
                    text = "policy fragment; " + text
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                checked += 1
                failures += check_privet(s, path, scratch, privet)
            elif s.lang in ("sh", "console", "shell", "bash"):
                shell.append(s)
            elif s.lang == "cpp" and s.directive and s.directive[0] == "compile":
                programs.append((n, s))
            elif s.lang == "python":
                programs.append((n, s))
        for s in shell:
            for lineno, line in enumerate(s.text.split("\n")):
                cmdline = line.strip()
                if cmdline.startswith("$ "):
                    cmdline = cmdline[2:]
                if not cmdline.startswith("privet "):
                    continue
                expected = 0
                m = re.search(r"#\s*exit\s+(\d+)", cmdline)
                if m:
                    expected = int(m.group(1))
                cmdline = cmdline.split("#", 1)[0].strip()
                if cmdline.startswith("privet test") and not HAVE_TEST:
                    NOT_RUN += 1
                    continue
                checked += 1
                r = run(["/bin/sh", "-c", cmdline], scratch, privet)
                if r.returncode != expected:
                    failures.append(f"{s.doc}:{s.line + 1 + lineno}: `{cmdline}` exited "
                                    f"{r.returncode}, expected {expected}\n{r.stdout}")
        for n, s in programs:
            if s.lang == "python":
                result = run_python(s, n, scratch, privet)
                if result is None:
                    NOT_RUN += 1
                    continue
                checked += 1
                failures += result
                continue
            checked += 1
            failures += compile_and_run(s, n, scratch, privet, opts.srcroot, opts.cxx,
                                        opts.cxxflags)
    for f in failures:
        print("FAIL " + f)
    print(f"{checked} doc samples, {len(failures)} failed")
    if NOT_RUN:
        print(f"{NOT_RUN} test runs not possible: this privet has no `test` subcommand, or this "
              f"build no Python package")
    if checked == 0:
        return 2
    return 1 if failures else 0


def compile_and_run(s, n, scratch, privet, srcroot, cxx, cxxflags):
    # The driver lives in <build>/compiler/tools/privet/; the runtime in <build>/runtime/.
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(privet))))
    lib = os.path.join(build, "runtime", "libprivet_runtime.a")
    if not os.path.exists(lib):
        return [f"{s.where()}: no runtime library at `{lib}`"]
    src = os.path.join(scratch, f"sample{n}.cpp")
    exe = os.path.join(scratch, f"sample{n}")
    with open(src, "w", encoding="utf-8") as f:
        f.write(s.text)
    cc = run([cxx, *cxxflags.split(), "-std=c++17", "-I", os.path.join(srcroot, "runtime", "include"), src, lib,
              "-o", exe, "-lpthread"], scratch, privet)
    if cc.returncode != 0:
        return [f"{s.where()}: the C++ sample does not compile\n{cc.stdout}"]
    r = run([exe], scratch, privet)
    if r.returncode != 0:
        return [f"{s.where()}: the C++ sample exited {r.returncode}\n{r.stdout}"]
    return []


def run_python(s, n, scratch, privet):
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(privet))))
    package = os.path.join(build, "python")
    if not os.path.exists(os.path.join(package, "privet", "__init__.py")):
        return None
    src = os.path.join(scratch, f"sample{n}.py")
    with open(src, "w", encoding="utf-8") as f:
        f.write(s.text)
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=package, PYTHONDONTWRITEBYTECODE="1")
    env["PATH"] = os.path.dirname(privet) + os.pathsep + env.get("PATH", "")
    r = subprocess.run(["/usr/bin/python3", src], cwd=scratch, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    if r.returncode != 0:
        return [f"{s.where()}: the Python sample exited {r.returncode}\n{r.stdout}"]
    return []


def check_privet(s, path, scratch, privet):
    want = set(s.args.split()) if s.lang == "privet-error" else set()
    # Warnings exit 0; denying them makes "must report W0401" checkable by the exit code too.
    deny = ["--deny-warnings"] if want and all(c.startswith("W") for c in want) else []
    r = run([privet, "check", *deny, path], scratch, privet)
    codes = set(CODE.findall(r.stdout))
    if s.lang == "privet":
        out = []
        if r.returncode != 0:
            out.append(f"{s.where()}: `privet check` exited {r.returncode}\n{r.stdout}")
        elif re.search(r"^\s*test\s+\"", s.text, re.M) and not HAVE_TEST:
            global NOT_RUN
            NOT_RUN += 1
        elif re.search(r"^\s*test\s+\"", s.text, re.M):
            t = run([privet, "test", path], scratch, privet)
            if t.returncode != 0:
                out.append(f"{s.where()}: `privet test` exited {t.returncode}\n{t.stdout}")
        # The tutorial's policy passes the gates the tutorial recommends for CI.
        if not out and "tutorial.md" in s.where() and s.directive and s.directive[0] == "file":
            for gate in (["fmt", "--check", path], ["check", "--deny-warnings", path],
                         ["test", "--coverage", "--min-coverage", "100", path]):
                if gate[0] == "test" and not re.search(r"^\s*test\s+\"", s.text, re.M):
                    continue
                g = run([privet, *gate], scratch, privet)
                if g.returncode != 0:
                    out.append(f"{s.where()}: `privet {' '.join(gate[:-1])}` exited "
                               f"{g.returncode}\n{g.stdout}")
        return out
    if s.lang == "privet-fragment":
        syntax = sorted(c for c in codes if c.startswith("E00"))
        if syntax or r.returncode not in (0, 1):
            return [f"{s.where()}: fragment does not parse ({', '.join(syntax)}; exit "
                    f"{r.returncode})\n{r.stdout}"]
        return []
    if s.lang == "privet-error":
        if not want:
            return [f"{s.where()}: `privet-error` needs the expected codes"]
        if r.returncode != 1 or not want <= codes:
            return [f"{s.where()}: expected exit 1 with {sorted(want)}, got exit "
                    f"{r.returncode} with {sorted(codes)}\n{r.stdout}"]
        return []
    return [f"{s.where()}: unknown sample kind `{s.lang}`"]


if __name__ == "__main__":
    sys.exit(main())
