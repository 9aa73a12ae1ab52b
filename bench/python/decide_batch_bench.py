#!/usr/bin/python3
"""decide_batch throughput from Python, to compare with bench_batch's BM_BatchDecide (C++).

The same workload as bench/batch/BatchBench.cpp: rows drawn from 4096 distinct tuples of the
policy's leaf values with every boolean attribute set, as integer id columns (already
dictionary-encoded), and as names (encoded by decide_batch, once per distinct name).

    PYTHONPATH=<build>/python bench/python/decide_batch_bench.py <build>/bench/batch/outpost24.pvc
"""
import sys
import time

import numpy as np

import privet


def workload(policy, rows, distinct=4096, seed=42):
    rng = np.random.default_rng(seed)
    cols = {}
    for dim in privet.DIMENSIONS:
        values = policy.values(dim)
        leaves = np.array([values.index(n) for n in policy.leaves(dim)], dtype=np.uint32)
        if len(leaves):
            cols[dim] = leaves[rng.integers(0, len(leaves), distinct)]
    for a in policy.attributes():
        if a["kind"] == "bool":
            cols[a["name"]] = rng.random(distinct) < 0.125
    order = rng.integers(0, distinct, rows)
    return {k: v[order] for k, v in cols.items()}


def best_rate(fn, rows, repeats=5):
    """Rows per second of the best run, by wall time and by this process's CPU time (which
    Google Benchmark's items_per_second is, and which other load on the machine disturbs less)."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        best_wall = min(best_wall, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    return rows / best_wall, rows / best_cpu


def main():
    policy = privet.load(sys.argv[1])
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 20
    ids = workload(policy, rows)
    wall, cpu = best_rate(lambda: policy.decide_batch(ids), rows)
    print(f"decide_batch, id columns:   {cpu / 1e6:.2f} M rows/s CPU, {wall / 1e6:.2f} M rows/s "
          f"wall ({rows} rows)")
    names = {k: (np.array(policy.values(k), dtype=object)[v] if k in privet.DIMENSIONS else v)
             for k, v in ids.items()}
    wall, cpu = best_rate(lambda: policy.decide_batch(names), rows, repeats=2)
    print(f"decide_batch, name columns: {cpu / 1e6:.2f} M rows/s CPU, {wall / 1e6:.2f} M rows/s "
          f"wall ({rows} rows)")


if __name__ == "__main__":
    main()
