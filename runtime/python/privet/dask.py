"""Distributed `privet audit` on a Dask cluster: privet.dask.audit(...).

Each input file is a partition. The artifact is sent to every worker once (scattered with
broadcast) and loaded once per worker process: the workers keep loaded policies in a
module-level cache keyed by the artifact's SHA-256, so a worker that audits a hundred partitions
loads the policy once. A worker audits its partitions in process with privet._audit (the code
`privet audit` runs: the same readers, mapping and batch decider), which returns the partition's
summary; summaries are merged pairwise on the workers (the merge is associative and keeps the
first samples in input order), and the client renders the report. The report is the one
`privet audit` writes for the same inputs in one process. See docs/audit.md for running it on a
multi-machine cluster.

    python3 -m privet.dask --scheduler tcp://host:8786 policy.pvc --map audit.json logs/
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from typing import Dict, List, Optional, Sequence

from . import _audit

# Per process (so, on a cluster, per worker): artifact SHA-256 -> the loaded policy, and how many
# times each artifact was loaded and how many partitions were audited with it.
_POLICIES: Dict[str, "_audit.Policy"] = {}
_LOADS: Dict[str, int] = {}
_PARTITIONS: Dict[str, int] = {}
_LOCK = threading.Lock()


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


def _policy(key: str, artifact: bytes) -> "_audit.Policy":
    """The policy of this artifact, loaded on this worker's first partition of it only."""
    with _LOCK:
        policy = _POLICIES.get(key)
        if policy is None:
            policy = _audit.load_bytes(artifact)
            _POLICIES[key] = policy
            _LOADS[key] = _LOADS.get(key, 0) + 1
        _PARTITIONS[key] = _PARTITIONS.get(key, 0) + 1
        return policy


def worker_stats() -> Dict[str, Dict[str, int]]:
    """Per artifact hash, the loads and partitions of this process (`client.run(worker_stats)`
    asks every worker)."""
    with _LOCK:
        return {key: {"loads": _LOADS.get(key, 0), "partitions": _PARTITIONS.get(key, 0)}
                for key in set(_LOADS) | set(_PARTITIONS)}


def _audit_partition(key: str, artifact: bytes, mapping_path: str, mapping_text: str, path: str,
                     samples: int, now: int, since: Optional[int]) -> str:
    return _audit.audit(_policy(key, artifact), mapping_path, mapping_text, [path],
                        samples=samples, now=now, since=since)


def _merge(summaries: Sequence[str], samples: int) -> str:
    return _audit.merge(list(summaries), samples=samples)


def _time(text: Optional[str], option: str) -> Optional[int]:
    if text is None:
        return None
    t = _audit.parse_time(str(text))
    if t is None:
        raise ValueError(f"{option} `{text}` is not a time (ISO 8601 or epoch seconds)")
    return t


def _artifact(policy: str, privet_exe: Optional[str]) -> bytes:
    """The .pvc's bytes; a .privet is compiled first with `privet build` on the client."""
    if not policy.endswith(".privet"):
        with open(policy, "rb") as f:
            return f.read()
    with tempfile.TemporaryDirectory(prefix="privet-dask-") as tmp:
        out = os.path.join(tmp, "policy.pvc")
        proc = subprocess.run([_privet_exe(privet_exe), "build", policy, "-o", out],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"cannot compile `{policy}`: {proc.stderr.strip()}")
        with open(out, "rb") as f:
            return f.read()


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
    returns the report (`fmt`: "json", the summary; "text"; or "html", rendered by the `privet`
    executable on the client). Uses `client`, or connects to `scheduler` ("tcp://host:8786").
    The policy and the mapping are read here and sent to the workers; the inputs must be
    readable from every worker under the same name (a shared file system), and the workers need
    the privet package (not the executable)."""
    from distributed import Client

    now_s = _time(now, "--now")
    since_s = _time(since, "--since")
    now_s = int(time.time()) if now_s is None else now_s
    artifact = _artifact(policy, privet_exe)
    key = hashlib.sha256(artifact).hexdigest()
    # Checked here once, so that a bad artifact or mapping is one error, not one per partition.
    mapping = os.path.abspath(mapping)
    with open(mapping) as f:
        mapping_text = f.read()
    _audit.audit(_audit.load_bytes(artifact), mapping, mapping_text, [], samples=samples,
                 now=now_s, since=since_s)
    files = _expand(inputs)
    if not files:
        raise FileNotFoundError("no input files")
    own = client is None
    if own:
        client = Client(scheduler) if scheduler else Client(processes=True)
    try:
        shared = client.scatter(artifact, broadcast=True, hash=False)
        futures = [client.submit(_audit_partition, key, shared, mapping, mapping_text,
                                 os.path.abspath(f), samples, now_s, since_s, pure=False)
                   for f in files]
        # A tree of merges on the workers; the merge is associative, so its shape is free.
        while len(futures) > 1:
            futures = [client.submit(_merge, futures[i:i + fan_in], samples, pure=False)
                       if len(futures[i:i + fan_in]) > 1 else futures[i]
                       for i in range(0, len(futures), fan_in)]
        summary = futures[0].result()
    finally:
        if own:
            client.close()
    return render(summary, fmt, samples=samples, privet_exe=privet_exe)


def render(summary: str, fmt: str, *, samples: int = 10, privet_exe: Optional[str] = None) -> str:
    """A summary as `privet audit --format fmt` prints it: "json" (as it is), "text", or
    "html" (rendered by the `privet` executable, whose page renderer the package does not
    carry)."""
    if fmt == "json":
        return summary
    if fmt == "text":
        return _audit.render_text(summary)
    if fmt != "html":
        raise ValueError(f"unknown format `{fmt}` (expected text, json or html)")
    with tempfile.TemporaryDirectory(prefix="privet-merge-") as tmp:
        path = os.path.join(tmp, "summary.json")
        with open(path, "w") as f:
            f.write(summary)
        return _run([_privet_exe(privet_exe), "audit", "--format", "html", "--samples",
                     str(samples), "--merge", path])


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
        summary = audit(args.policy, args.map, args.inputs, scheduler=args.scheduler,
                        privet_exe=args.privet, samples=args.samples, now=args.now,
                        since=args.since)
        out = render(summary, args.format, samples=args.samples, privet_exe=args.privet)
    except (RuntimeError, OSError, ValueError) as e:
        print(f"privet audit: error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(out)
    return 1 if json.loads(summary)["total"]["violation"] else 0

if __name__ == "__main__":
    # Run as `python3 -m privet.dask`: use the importable module, whose functions the workers
    # import by name (those of __main__ would be pickled by value, with the cache and its lock).
    from privet.dask import main as _main

    sys.exit(_main())
