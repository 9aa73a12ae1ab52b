"""Runs a command with a failing standard output and checks its exit code.

run_stdout.py full|closed CODE CMD...: `full` makes stdout /dev/full (every write fails with
ENOSPC), `closed` runs it with file descriptor 1 closed. Its stderr is passed through for
FileCheck; a death by signal (SIGABRT from LLVM's `IO failure`) is a failure."""
import os
import subprocess
import sys

mode, want, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
if mode == "full":
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(cmd, stdout=full, stderr=sys.stderr)
else:
    proc = subprocess.run(cmd, stdout=None, stderr=sys.stderr, preexec_fn=lambda: os.close(1))
if proc.returncode != want:
    print(f"run_stdout: `{' '.join(cmd)}` exited with {proc.returncode}, expected {want}",
          file=sys.stderr)
    sys.exit(1)
