"""privet.dask.audit on a real distributed.LocalCluster of two worker processes: the report is
the single-process one. Bounded in time (ctest TIMEOUT, and the cluster's own timeouts); the
cluster is closed at the end whatever happens."""
import json
import os
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


if __name__ == "__main__":
    unittest.main()
