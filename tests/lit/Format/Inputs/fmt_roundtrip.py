"""fmt_roundtrip.py PRIVET TMPDIR DIR...: formats every .privet file under the DIRs and checks
that the result is stable (`fmt --check` accepts it) and checks like the original."""
import os
import shutil
import subprocess
import sys

privet, tmp, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)
failures, count = [], 0
for d in dirs:
    for dirpath, _, files in os.walk(d):
        for f in sorted(files):
            if not f.endswith(".privet"):
                continue
            src = os.path.join(dirpath, f)
            out = subprocess.run([privet, "fmt", src], capture_output=True, text=True)
            if out.returncode != 0:
                failures.append(f"{src}: fmt failed: {out.stderr.strip()}")
                continue
            count += 1
            copy = os.path.join(tmp, "%d_%s" % (count, f))
            with open(copy, "w") as fh:
                fh.write(out.stdout)
            if subprocess.run([privet, "fmt", "--check", copy]).returncode != 0:
                failures.append(f"{src}: formatting is not stable")
            # Imports resolve from the original directory.
            a = subprocess.run([privet, "check", "--format", "json", src], capture_output=True)
            b = subprocess.run([privet, "check", "--format", "json", "-I", dirpath, copy],
                               capture_output=True)
            if a.returncode != b.returncode:
                failures.append(f"{src}: check exits {a.returncode}, formatted {b.returncode}")
if failures:
    sys.exit("\n".join(failures))
if count == 0:
    sys.exit("no files found")
print(f"{count} files round-trip")
