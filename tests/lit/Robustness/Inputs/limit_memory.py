"""Runs a command with its address space limited: limit_memory.py MIB CMD..."""
import resource
import subprocess
import sys

mib, cmd = int(sys.argv[1]), sys.argv[2:]


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (mib << 20, mib << 20))


sys.exit(subprocess.run(cmd, preexec_fn=limit).returncode)
