"""privet.dask.audit on a real distributed.LocalCluster of two worker processes: the report is
the single-process one, and each worker loads the artifact once, however many partitions it
audits. Bounded in time (ctest TIMEOUT, and the cluster's own timeouts); the
cluster is closed at the end whatever happens."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import privet.dask

EXE = os.environ["PRIVET_EXE"]
SRC = os.environ["PRIVET_SOURCE_DIR"]
INPUTS = os.path.join(SRC, "tests", "lit", "Audit", "Inputs")
POLICY = os.path.join(INPUTS, "shop.privet")
MAPPING = os.path.join(INPUTS, "shop.map.json")
NOW = "2026-01-15T00:00:00Z"


class DaskAudit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from distributed import LocalCluster, Client
        cls.tmp = tempfile.TemporaryDirectory(prefix="privet-dask-test-")
        # The sample events, spread over several files (the partitions), with gaps in each.
        with open(os.path.join(INPUTS, "events.jsonl")) as f:
            lines = f.read().splitlines()
        cls.files = []
        for part in range(5):
            path = os.path.join(cls.tmp.name, f"part-{part}.jsonl")
            with open(path, "w") as out:
                for rep in range(3):
                    out.write("\n".join(lines) + "\n")
            cls.files.append(path)
        cls.cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None, timeout=60)
        cls.client = Client(cls.cluster, timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.cluster.close()
        cls.tmp.cleanup()

    def single(self, fmt):
        proc = subprocess.run([EXE, "audit", POLICY, "--map", MAPPING, "--format", fmt,
                               "--samples", "4", "--now", NOW, *self.files],
                              stdout=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(proc.returncode, 1)  # the sample has violations
        return proc.stdout

    def test_two_workers_do_the_work(self):
        self.assertEqual(len(self.client.scheduler_info()["workers"]), 2)

    def test_report_is_the_single_process_one(self):
        got = privet.dask.audit(POLICY, MAPPING, [self.tmp.name], client=self.client,
                                privet_exe=EXE, samples=4, now=NOW, fan_in=2)
        want = self.single("json")
        self.assertEqual(json.loads(got), json.loads(want))
        summary = json.loads(got)
        self.assertEqual(summary["total"]["compliant"] + summary["total"]["violation"]
                         + summary["total"]["gap"], 5 * 3 * 9)
        # Samples stay capped, totals stay exact.
        for entry in summary["violations"] + summary["gaps"]:
            self.assertLessEqual(len(entry["samples"]), 4)
        text = privet.dask.audit(POLICY, MAPPING, self.files, client=self.client,
                                 privet_exe=EXE, samples=4, now=NOW, fmt="text")
        self.assertEqual(text, self.single("text"))

    def test_privet_audit_scheduler(self):
        # `privet audit --scheduler` runs `python3 -m privet.dask`, whose tasks must be the
        # importable module's functions (not __main__'s, which would be pickled by value).
        proc = subprocess.run([EXE, "audit", "--scheduler", self.cluster.scheduler_address,
                               POLICY, "--map", MAPPING, "--samples", "4", "--now", NOW,
                               *self.files], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=180, env={**os.environ})
        self.assertEqual(proc.returncode, 1, proc.stderr[-2000:])
        self.assertEqual(proc.stdout, self.single("text"))

    def test_artifact_loaded_once_per_worker(self):
        # A policy of its own (a different artifact hash), so the other tests' loads do not count.
        # Its own directory too: the other tests audit the whole of self.tmp.
        own = tempfile.TemporaryDirectory(prefix="privet-dask-once-")
        self.addCleanup(own.cleanup)
        pvc = os.path.join(own.name, "once.pvc")
        subprocess.run([EXE, "build", POLICY, "-o", pvc], check=True, timeout=120)
        with open(pvc, "rb") as f:
            key = hashlib.sha256(f.read()).hexdigest()
        many = os.path.join(own.name, "many")
        os.makedirs(many)
        for part in range(12):
            shutil.copy(self.files[part % len(self.files)], os.path.join(many, f"p{part:02}.jsonl"))
        for _ in range(2):  # a second audit of the same artifact loads nothing more
            got = privet.dask.audit(pvc, MAPPING, [many], client=self.client, samples=4,
                                    now=NOW, fan_in=3)
            self.assertEqual(json.loads(got)["total"]["compliant"] +
                             json.loads(got)["total"]["violation"] +
                             json.loads(got)["total"]["gap"], 12 * 3 * 9)
        stats = self.client.run(privet.dask.worker_stats)
        self.assertEqual(len(stats), 2)
        per_worker = [s.get(key, {"loads": 0, "partitions": 0}) for s in stats.values()]
        # Every partition (12 per audit, two audits) was audited by a worker...
        self.assertEqual(sum(w["partitions"] for w in per_worker), 24)
        # ... and each worker loaded the artifact at most once, once if it audited anything.
        for w in per_worker:
            self.assertEqual(w["loads"], 1 if w["partitions"] else 0, stats)
        # The client process audits nothing: the work was on the workers.
        self.assertNotIn(key, privet.dask.worker_stats())

    def test_bad_mapping_is_one_error_before_any_partition(self):
        own = tempfile.TemporaryDirectory(prefix="privet-dask-bad-")
        self.addCleanup(own.cleanup)
        bad = os.path.join(own.name, "bad.json")
        with open(bad, "w") as f:
            f.write('{"fields": {"purpose": "purpose"}, "values": {"purpose": {"m": "markting"}}}')
        with self.assertRaises(ValueError) as ctx:
            privet.dask.audit(POLICY, bad, self.files, client=self.client, privet_exe=EXE, now=NOW)
        self.assertIn("markting", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
