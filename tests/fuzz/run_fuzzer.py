"""Runs a libFuzzer target for a bounded time on a seed corpus gathered at run time.

Usage: run_fuzzer.py FUZZER SRCROOT WORKDIR SECONDS
The corpus is every .privet file under tests/lit, examples and stdlib (copied, so the fuzzer's
additions never touch the source tree)."""
import os
import shutil
import subprocess
import sys

fuzzer, srcroot, workdir, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
corpus = os.path.join(workdir, "corpus")
shutil.rmtree(workdir, ignore_errors=True)
os.makedirs(corpus)
count = 0
for sub in ("tests/lit", "examples", "stdlib"):
    for dirpath, _, files in os.walk(os.path.join(srcroot, sub)):
        for f in files:
            if f.endswith(".privet"):
                count += 1
                shutil.copy(os.path.join(dirpath, f), os.path.join(corpus, "seed%04d.privet" % count))
print(f"seed corpus: {count} files")
cmd = [fuzzer, corpus, f"-max_total_time={seconds}", "-max_len=65536", "-timeout=10",
       "-rss_limit_mb=2048", f"-artifact_prefix={workdir}/", "-print_final_stats=1"]
print(" ".join(cmd), flush=True)
# The fuzzer resolves `import "x"` relative to the working directory: keep that inside workdir.
sys.exit(subprocess.run(cmd, cwd=workdir).returncode)
