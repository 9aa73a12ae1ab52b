"""Runs a command and fails unless it exits with the given code: expect_exit.py CODE CMD...

Its stderr is passed through, so FileCheck can read it from a pipe."""
import subprocess
import sys

want = int(sys.argv[1])
proc = subprocess.run(sys.argv[2:], stdout=sys.stdout, stderr=subprocess.STDOUT)
if proc.returncode != want:
    print(f"expect_exit: `{' '.join(sys.argv[2:])}` exited with {proc.returncode}, expected {want}",
          file=sys.stderr)
    sys.exit(1)
