"""Checks that `privet fmt -i` preserves what it must: fmt_in_place.py PRIVET DIR."""
import os
import stat
import subprocess
import sys

privet, work = sys.argv[1], sys.argv[2]
UNFORMATTED = "policy   p;\ncategory    a;\n"
failures = []


def write(name, mode):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(UNFORMATTED)
    os.chmod(path, mode)
    return path


def fmt(path):
    return subprocess.run([privet, "fmt", "-i", path], capture_output=True, text=True)


for mode in (0o600, 0o640, 0o755, 0o444 if os.geteuid() == 0 else 0o644):
    path = write(f"mode{mode:o}.privet", mode)
    proc = fmt(path)
    got = stat.S_IMODE(os.stat(path).st_mode)
    with open(path) as f:
        text = f.read()
    if proc.returncode != 0 or got != mode or text == UNFORMATTED:
        failures.append(f"mode {mode:o}: exit {proc.returncode}, mode {got:o}, "
                        f"formatted={text != UNFORMATTED} {proc.stderr}")

target = write("target.privet", 0o600)
link = os.path.join(work, "link.privet")
os.symlink("target.privet", link)
proc = fmt(link)
with open(target) as f:
    text = f.read()
if proc.returncode != 0 or not os.path.islink(link) or text == UNFORMATTED:
    failures.append(f"symlink: exit {proc.returncode}, link kept={os.path.islink(link)}, "
                    f"target formatted={text != UNFORMATTED} {proc.stderr}")
if stat.S_IMODE(os.stat(target).st_mode) != 0o600:
    failures.append("symlink: the target lost its mode")

if os.geteuid() != 0:
    path = write("readonly.privet", 0o444)
    proc = fmt(path)
    with open(path) as f:
        text = f.read()
    if proc.returncode != 2 or text != UNFORMATTED or "cannot write" not in proc.stderr:
        failures.append(f"read-only: exit {proc.returncode}, changed={text != UNFORMATTED}")

for failure in failures:
    print("fmt_in_place:", failure, file=sys.stderr)
sys.exit(1 if failures else 0)
