#!/usr/bin/python3
"""Audit throughput: `privet audit` in one process, and privet.dask.audit on a LocalCluster of
1 and 2 worker processes (one thread each), on the same generated Outpost24 log. Not a test:
numbers for docs/performance.md. Only loopback; the cluster is closed at the end.

    PYTHONPATH=<build>/python bench/python/dask_audit_bench.py <build>/bin/privet \\
        [--events 2000000] [--partitions 8] [--format csv] [--workers 1,2] [--logs DIR]

The log is generated once per partition (generate.py, one seed each) into a temporary
directory; each configuration reports wall time, events/s, and checks that its summary equals
the single-process one.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import privet.dask

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AUDIT = os.path.join(SRC, "examples", "outpost24", "audit")
NOW = "2026-06-01T00:00:00Z"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("privet")
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--format", choices=["jsonl", "csv"], default="csv")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--logs", help="a directory for the generated log, reused when not empty")
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory(prefix="privet-dask-bench-") as tmp:
        pvc = os.path.join(tmp, "outpost24.pvc")
        subprocess.run([args.privet, "build", os.path.join(SRC, "examples", "outpost24",
                                                           "outpost24.privet"), "-o", pvc],
                       check=True)
        mapping = os.path.join(AUDIT, "outpost24.map.json")
        logs = args.logs or os.path.join(tmp, "logs")
        os.makedirs(logs, exist_ok=True)
        per = args.events // args.partitions
        for p in range(args.partitions if not os.listdir(logs) else 0):
            with open(os.path.join(logs, f"part-{p:03}.{args.format}"), "w") as out:
                subprocess.run([sys.executable, os.path.join(AUDIT, "generate.py"), "--events",
                                str(per), "--seed", str(p + 1), "--format", args.format],
                               stdout=out, check=True)
        events = sum(1 for f in os.listdir(logs) for _ in open(os.path.join(logs, f)))
        events -= len(os.listdir(logs)) if args.format == "csv" else 0  # the header lines
        size = sum(os.path.getsize(os.path.join(logs, f)) for f in os.listdir(logs))
        print(f"{events} events in {args.partitions} {args.format} files, {size / 1e6:.0f} MB")

        t, c = time.perf_counter(), os.times()
        proc = subprocess.run([args.privet, "audit", pvc, "--map", mapping, "--format", "json",
                               "--now", NOW, logs], stdout=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t
        cpu = os.times().children_user - c.children_user + os.times().children_system - c.children_system
        want = json.loads(proc.stdout)
        print(f"privet audit, one process:  {wall:7.2f} s  {events / wall / 1e6:.2f} M events/s  "
              f"(CPU {cpu:.2f} s)")

        for n in [int(w) for w in args.workers.split(",")]:
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                # Warm up the workers (imports), so that the time is the audit's.
                client.run(lambda: __import__("privet.dask"))
                cpu = client.run(time.process_time)
                t = time.perf_counter()
                got = privet.dask.audit(pvc, mapping, [logs], client=client, now=NOW)
                wall = time.perf_counter() - t
                cpu = sum(c - cpu[w] for w, c in client.run(time.process_time).items())
                stats = client.run(privet.dask.worker_stats)
            same = json.loads(got) == want
            loads = sum(s["loads"] for w in stats.values() for s in w.values())
            print(f"privet.dask, {n} worker(s):   {wall:7.2f} s  {events / wall / 1e6:.2f} M "
                  f"events/s  (workers' CPU {cpu:.2f} s; loads: {loads}, report identical: {same})")


if __name__ == "__main__":
    main()
