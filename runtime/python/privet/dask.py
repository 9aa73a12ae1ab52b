"""Distributed `privet audit` on a Dask cluster: privet.dask.audit(...).

Each input file is a partition. A worker audits it with `privet audit --format json`, which
writes the partition's summary; summaries are merged pairwise on the workers with
`privet audit --merge` (the merge is associative and keeps the first samples in input order), and
the last merge renders the report. The report is the one `privet audit` writes for the same
inputs in one process. See docs/audit.md for running it on a multi-machine cluster.

    python3 -m privet.dask --scheduler tcp://host:8786 policy.pvc --map audit.json logs/
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import List, Optional, Sequence


def _privet_exe(exe: Optional[str]) -> str:
    found = exe or os.environ.get("PRIVET_EXE") or shutil.which("privet")
    if not found:
        raise RuntimeError("cannot find the `privet` executable: pass privet_exe= or set PRIVET_EXE")
    return found


def _run(cmd: List[str]) -> str:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # 1 means violations were found: the summary is still complete.
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:2])} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def _audit_partition(exe: str, policy: str, mapping: str, path: str, options: List[str]) -> str:
    return _run([exe, "audit", policy, "--map", mapping, "--format", "json", *options, path])


def _merge(exe: str, summaries: Sequence[str], options: List[str], fmt: str = "json") -> str:
    with tempfile.TemporaryDirectory(prefix="privet-merge-") as tmp:
        paths = []
        for i, s in enumerate(summaries):
            p = os.path.join(tmp, f"{i}.json")
            with open(p, "w") as f:
                f.write(s)
            paths.append(p)
        cmd = [exe, "audit", "--format", fmt, *options]
        for p in paths:
            cmd += ["--merge", p]
        return _run(cmd)


def _expand(inputs: Sequence[str]) -> List[str]:
    files: List[str] = []
    for path in inputs:
        if os.path.isdir(path):
            found = []
            for root, _, names in os.walk(path):
                found += [os.path.join(root, n) for n in names]
            files += sorted(found)
        elif os.path.exists(path):
            files.append(path)
        else:
            raise FileNotFoundError(f"cannot read `{path}`")
    return files


def audit(policy: str, mapping: str, inputs: Sequence[str], *, client=None,
          scheduler: Optional[str] = None, privet_exe: Optional[str] = None, samples: int = 10,
          now: Optional[str] = None, since: Optional[str] = None, fmt: str = "json",
          fan_in: int = 8) -> str:
    """Audits `inputs` (files or directories; each file is a partition) on a Dask cluster and
    returns the report (`fmt`: "json", the summary, or "text"). Uses `client`, or connects to
    `scheduler` ("tcp://host:8786"). Paths must be readable from every worker under the same
    name (a shared file system), and `privet` must be installed on the workers."""
    from distributed import Client

    exe = _privet_exe(privet_exe)
    options = ["--samples", str(samples), "--now", now or str(int(time.time()))]
    if since:
        options += ["--since", since]
    files = _expand(inputs)
    own = client is None
    if own:
        client = Client(scheduler) if scheduler else Client(processes=True)
    try:
        policy, mapping = os.path.abspath(policy), os.path.abspath(mapping)
        futures = [client.submit(_audit_partition, exe, policy, mapping, os.path.abspath(f),
                                 options, pure=False) for f in files]
        if not futures:
            raise FileNotFoundError("no input files")
        # A tree of merges on the workers; the merge is associative, so its shape is free.
        while len(futures) > 1:
            futures = [client.submit(_merge, exe, futures[i:i + fan_in], options[:2], pure=False)
                       if len(futures[i:i + fan_in]) > 1 else futures[i]
                       for i in range(0, len(futures), fan_in)]
        summary = futures[0].result()
    finally:
        if own:
            client.close()
    return summary if fmt == "json" else _merge(exe, [summary], options[:2], fmt)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m privet.dask", description=__doc__.split("\n")[0])
    ap.add_argument("--scheduler", required=True, help="tcp://host:port of the Dask scheduler")
    ap.add_argument("policy")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--map", required=True)
    ap.add_argument("--format", default="text", choices=["text", "json", "html"])
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--now")
    ap.add_argument("--since")
    ap.add_argument("--privet")
    args = ap.parse_args(argv)
    try:
        out = audit(args.policy, args.map, args.inputs, scheduler=args.scheduler,
                    privet_exe=args.privet, samples=args.samples, now=args.now, since=args.since,
                    fmt=args.format)
    except (RuntimeError, OSError) as e:
        print(f"privet audit: error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(out)
    summary = json.loads(out) if args.format == "json" else None
    violations = (summary["total"]["violation"] if summary else
                  0 if " 0 violations," in out.splitlines()[0] else 1)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
