"""The privet package against the compiled Outpost24 example, imported from the build tree.

Run by ctest with /usr/bin/python3 (PYTHONPATH=<build>/python, PRIVET_TEST_PVC=the artifact).
"""
import os
import threading
import unittest

import numpy as np
import pandas as pd

import privet

PVC = os.environ["PRIVET_TEST_PVC"]

# Explicit consent (§6 "freely given and explicit consent") and a context: data from third-party
# marketing sources is usable only when the source demonstrated its consents (§4).
NEWSLETTER = dict(action="taxonomy.use", data=["email_address"], subject="marketing_contacts",
                  purpose="newsletters_and_offers", basis="gdpr.explicit_consent",
                  context="marketing_online")


class SingleRequests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.policy = privet.load(PVC)

    def test_metadata(self):
        self.assertEqual(self.policy.name, "outpost24")
        self.assertIn("email_address", self.policy.values("data"))
        self.assertIn("email_address", self.policy.leaves("data"))
        self.assertNotIn("personal_information", self.policy.leaves("data"))
        self.assertIn("purpose", privet.DIMENSIONS)
        self.assertEqual(privet.DIMENSIONS[-1], "actor")

    def test_allow_with_obligation_and_sources(self):
        d = self.policy.decide(**NEWSLETTER, attributes={"gdpr.consent_status": "given"})
        self.assertTrue(d.permitted)
        self.assertEqual(d.effect, "allow")
        self.assertTrue(d.rules)
        rule = d.rules[0]
        self.assertTrue(rule.file.endswith("outpost24.privet"))
        self.assertGreater(rule.line, 0)
        self.assertTrue(rule.sources, "the deciding rule cites the notice")

    def test_opt_out_denies(self):
        d = self.policy.decide(**NEWSLETTER, attributes={"gdpr.consent_status": "given",
                                                         "gdpr.marketing_opt_out": True})
        self.assertFalse(d.permitted)
        self.assertEqual(d.effect, "deny")

    def test_errors_are_exceptions_with_the_runtime_message(self):
        with self.assertRaisesRegex(privet.Error, "unknown purpose `newsletters`"):
            self.policy.decide(action="taxonomy.use", purpose="newsletters")
        with self.assertRaisesRegex(privet.Error, "did you mean `taxonomy.use`"):
            self.policy.decide(action="use")
        with self.assertRaisesRegex(privet.Error, "is bool, not str"):
            self.policy.decide(**NEWSLETTER, attributes={"gdpr.marketing_opt_out": "yes"})
        with self.assertRaisesRegex(privet.Error, "unknown request field `purposes`"):
            self.policy.decide(purposes="x")
        with self.assertRaisesRegex(privet.Error, "cannot open `/nonexistent.pvc`"):
            privet.load("/nonexistent.pvc")

    def test_explain_cites_the_notice(self):
        text = self.policy.explain(**NEWSLETTER, attributes={"gdpr.consent_status": "given"})
        self.assertIn("allow", text)
        self.assertIn("outpost24.privet:", text)

    def test_permitted_values(self):
        purposes = self.policy.permitted_values(
            "purpose", action="taxonomy.use", data=["email_address"],
            subject="marketing_contacts", basis="gdpr.explicit_consent", context="marketing_online",
            attributes={"gdpr.consent_status": "given"})
        self.assertIn("newsletters_and_offers", purposes)
        for p in purposes:
            req = dict(NEWSLETTER, purpose=p)
            self.assertTrue(self.policy.decide(**req, attributes={
                "gdpr.consent_status": "given"}).permitted)


class Batches(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.policy = privet.load(PVC)

    def random_frame(self, rows, seed=5):
        rng = np.random.default_rng(seed)
        frame = {}
        for dim in ["action", "data", "subject", "purpose", "basis", "context"]:
            names = self.policy.values(dim)
            frame[dim] = rng.choice(np.array(names, dtype=object), rows)
        frame["gdpr.marketing_opt_out"] = rng.random(rows) < 0.3
        frame["gdpr.consent_status"] = pd.Series(
            rng.choice(np.array(["given", "withdrawn", None], dtype=object), rows))
        frame = pd.DataFrame(frame)
        # Random leaves are rarely allowed: mix in the newsletter, with and without opt-out.
        allowed = pd.DataFrame({k: [v[0] if isinstance(v, list) else v] * (rows // 10)
                                for k, v in NEWSLETTER.items()})
        allowed["context"] = "marketing_online"
        allowed["gdpr.marketing_opt_out"] = rng.random(rows // 10) < 0.5
        allowed["gdpr.consent_status"] = "given"
        return pd.concat([frame, allowed], ignore_index=True).sample(frac=1, random_state=seed)

    def test_batch_matches_single_decisions(self):
        df = self.random_frame(3000)
        # Many equal rows, as in a log.
        df = pd.concat([df, df.iloc[:500], df.iloc[:500]], ignore_index=True)
        result = self.policy.decide_batch(df)
        self.assertEqual(len(result), len(df))
        effects = result.effect_names()
        seen = set()
        for i, row in enumerate(df.itertuples(index=False)):
            req = {k: getattr(row, k) for k in ["action", "subject", "purpose", "basis",
                                                 "context"]}
            req["data"] = [row.data]
            attrs = {"gdpr.marketing_opt_out": bool(row[df.columns.get_loc(
                "gdpr.marketing_opt_out")])}
            status = row[df.columns.get_loc("gdpr.consent_status")]
            if status is not None:
                attrs["gdpr.consent_status"] = status
            try:
                want = self.policy.decide(**req, attributes=attrs)
            except privet.Error as e:
                self.assertEqual(effects[i], "error", msg=f"row {i}")
                self.assertEqual(result.decisions[result.decision[i]].error, str(e))
                seen.add("error")
                continue
            got = result.decisions[result.decision[i]]
            self.assertEqual(got.effect, want.effect, msg=f"row {i}")
            self.assertEqual([r.id for r in got.rules], [r.id for r in want.rules])
            self.assertEqual(got.obligations, want.obligations)
            seen.add(want.effect)
        self.assertIn("allow", seen)
        self.assertIn("deny", seen)

    def _row_answers(self, result):
        """Per row: effect, deciding rule ids, obligations and error, from a BatchResult."""
        return [(d.effect, [r.id for r in d.rules], d.obligations, d.error)
                for d in (result.decisions[i] for i in result.decision)]

    def test_batch_decider_kept_between_calls_and_threads(self):
        # decide_batch keeps its decider (memo, decision table) between calls: later calls,
        # other columns and calls from several threads at once must answer as a fresh policy.
        frames = [self.random_frame(1500, seed=s) for s in (3, 4)]
        ids = {"action": np.array([0, 1, 2, 0] * 300, dtype=np.uint32),
               "purpose": np.array([1, 1, 0, 3] * 300, dtype=np.uint32)}
        inputs = frames + [frames[0][["action", "data", "purpose"]], ids, frames[1]]
        want = [self._row_answers(privet.load(PVC).decide_batch(x)) for x in inputs]
        for x, w in zip(inputs, want):
            self.assertEqual(self._row_answers(self.policy.decide_batch(x)), w)
        shared = privet.load(PVC)
        got = [None] * (len(inputs) * 4)

        def work(k):
            got[k] = self._row_answers(shared.decide_batch(inputs[k % len(inputs)]))

        threads = [threading.Thread(target=work, args=(k,)) for k in range(len(got))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for k, g in enumerate(got):
            self.assertEqual(g, want[k % len(inputs)], msg=f"call {k}")

    def test_ids_categoricals_and_lists(self):
        names = self.policy.values("purpose")
        target = names.index("newsletters_and_offers")
        cols = {
            "action": np.full(4, self.policy.values("action").index("taxonomy.use")),
            "data": pd.Series([["email_address"], ["email_address", "name"], None,
                               ("email_address",)]),
            "subject": pd.Categorical(["marketing_contacts"] * 4),
            "purpose": np.array([target, target, -1, target], dtype=np.int64),
            "basis": ["gdpr.explicit_consent"] * 4,
            "context": ["marketing_online"] * 4,
            "gdpr.consent_status": ["given", "given", "given", np.nan],
        }
        result = self.policy.decide_batch(cols)
        self.assertEqual(result.effect_names()[0], "allow")
        single = self.policy.decide(**NEWSLETTER, attributes={"gdpr.consent_status": "given"})
        self.assertEqual(result.rule_ids()[0], single.rules[0].id)
        self.assertEqual(result.obligations()[0], tuple(single.obligations))
        both = self.policy.decide(action="taxonomy.use", data=["email_address", "name"],
                                  subject="marketing_contacts", purpose="newsletters_and_offers",
                                  basis="gdpr.explicit_consent", context="marketing_online",
                                  attributes={"gdpr.consent_status": "given"})
        self.assertEqual(result.effect_names()[1], both.effect)
        frame = result.to_frame()
        self.assertEqual(list(frame.columns), ["effect", "rule", "obligations"])

    def test_batch_errors(self):
        with self.assertRaisesRegex(privet.Error, "unknown purpose `newsletter` in column"):
            self.policy.decide_batch({"purpose": ["newsletter"]})
        with self.assertRaisesRegex(privet.Error, "unknown column `colour`"):
            self.policy.decide_batch({"colour": [1]})
        with self.assertRaisesRegex(privet.Error, "has 2 rows, not 1"):
            self.policy.decide_batch({"action": [0], "purpose": [0, 1]})
        # An id out of range is that row's error, with the runtime's message.
        n = len(self.policy.values("purpose"))
        r = self.policy.decide_batch({"purpose": np.array([n + 3])})
        self.assertEqual(r.effect_names()[0], "error")
        self.assertIn("out of range", r.decisions[r.decision[0]].error)

    def test_concurrent_batches(self):
        # Threads deciding big batches at once (the GIL is released) agree with one alone.
        df = self.random_frame(20000, seed=9)
        want = self.policy.decide_batch(df).effect
        out = [None] * 4

        def work(i):
            out[i] = self.policy.decide_batch(df).effect
        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for o in out:
            np.testing.assert_array_equal(o, want)


if __name__ == "__main__":
    unittest.main()
