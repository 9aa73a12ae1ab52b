"""API tests of `privet serve`: every endpoint and error, answers compared with `privet query --jsonl`.

Usage: api_test.py PRIVET SOURCE_ROOT WORK_DIR"""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import serverlib  # noqa: E402

PRIVET, ROOT, WORK = sys.argv[1:4]
INPUTS = os.path.join(os.path.dirname(__file__), "Inputs")
TOKEN = "s3cret-admin-token"


def setUpModule():
    global POLICY, PUB, KEY_ID, REQUESTS, SERVER, LOG
    os.makedirs(WORK, exist_ok=True)
    for name in os.listdir(WORK):
        os.unlink(os.path.join(WORK, name))
    POLICY = os.path.join(WORK, "outpost24.pvc")
    serverlib.run([PRIVET, "build", os.path.join(ROOT, "examples", "outpost24", "outpost24.privet"),
                   "-o", POLICY])
    serverlib.run([PRIVET, "keygen", os.path.join(WORK, "signer")])
    serverlib.run([PRIVET, "sign", POLICY, "--key", os.path.join(WORK, "signer.key")])
    PUB = os.path.join(WORK, "signer.pub")
    KEY_ID = re.search(r"^key-id: (\w+)$", serverlib.slurp(PUB), re.M).group(1)
    with open(os.path.join(WORK, "token"), "w") as f:
        f.write(TOKEN + "\n")
    with open(os.path.join(INPUTS, "outpost24.jsonl")) as f:
        REQUESTS = [line.rstrip("\n") for line in f]
    LOG = os.path.join(WORK, "decisions.jsonl")
    SERVER = serverlib.Server(PRIVET, POLICY, "--public-key", PUB, "--decision-log", LOG,
                              "--log-clear", "cookies_disabled", "--admin-token-file",
                              os.path.join(WORK, "token"), "--max-body-bytes", "65536",
                              "--max-batch", "100")


def tearDownModule():
    SERVER.__exit__(None, None, None)


ADMIN = {"Authorization": "Bearer " + TOKEN}


class Endpoints(unittest.TestCase):
    def test_decide_matches_query_jsonl(self):
        expected = serverlib.query_jsonl(PRIVET, POLICY, REQUESTS)
        self.assertEqual(len(expected), len(REQUESTS))
        effects = set()
        conn = SERVER.connect()
        for request, want in zip(REQUESTS, expected):
            status, headers, body = SERVER.request("POST", "/v1/decide", request, conn=conn)
            self.assertEqual(body.decode(), want + "\n", request)
            decision = json.loads(want)["decision"]
            effects.add(decision)
            self.assertEqual(status, 400 if decision == "error" else 200, request)
            self.assertEqual(headers["content-type"], "application/json")
            self.assertIn("x-request-id", headers)
        conn.close()
        self.assertEqual(effects, {"allow", "deny", "error"}, "the inputs cover every effect")

    def test_batch_is_query_jsonl(self):
        body = "\n".join(REQUESTS) + "\n"
        status, headers, data = SERVER.request("POST", "/v1/decide/batch", body)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/x-ndjson")
        expected = serverlib.query_jsonl(PRIVET, POLICY, REQUESTS)
        self.assertEqual(data.decode(), "".join(l + "\n" for l in expected))
        # A last line without a newline is a request too, as in a JSONL file.
        status, _, data = SERVER.request("POST", "/v1/decide/batch", REQUESTS[0])
        self.assertEqual(data.decode(), expected[0] + "\n")
        status, _, data = SERVER.request("POST", "/v1/decide/batch", "")
        self.assertEqual((status, data), (200, b""))

    def test_batch_limit(self):
        status, body = SERVER.json("POST", "/v1/decide/batch", "{}\n" * 101)
        self.assertEqual(status, 413)
        self.assertIn("the limit is 100", body["error"])

    def test_explain(self):
        request = json.loads(REQUESTS[0])
        status, body = SERVER.json("POST", "/v1/explain", json.dumps(request))
        self.assertEqual(status, 200)
        flags = []
        for key, value in request.items():
            if key == "id":
                continue
            for v in value if isinstance(value, list) else [value]:
                flags += ["--" + key, v]
        text = serverlib.run([PRIVET, "query", POLICY, "--explain", *flags]).stdout.decode()
        self.assertEqual(body["explanation"], text)
        # "why_not" is the one `privet query --format json --explain` prints (null unless denied).
        explained = json.loads(serverlib.run(
            [PRIVET, "query", POLICY, "--explain", "--format", "json", *flags]).stdout.decode())
        self.assertIn("why_not", body)
        self.assertEqual(body["why_not"], explained["why_not"])
        decided = json.loads(serverlib.query_jsonl(PRIVET, POLICY, [REQUESTS[0]])[0])
        del body["explanation"], body["why_not"]
        self.assertEqual(body, decided)

    def test_permitted_values(self):
        request = json.loads(REQUESTS[0])
        del request["purpose"], request["id"]
        status, body = SERVER.json("POST", "/v1/permitted-values?dimension=purpose",
                                   json.dumps(request))
        self.assertEqual(status, 200)
        self.assertEqual(body["dimension"], "purpose")
        self.assertTrue(body["values"], "some purpose permits using an IP address")
        # Each listed value is allowed, checked the other way round.
        lines = [json.dumps(dict(request, purpose=p)) for p in body["values"]]
        for answer in serverlib.query_jsonl(PRIVET, POLICY, lines):
            self.assertEqual(json.loads(answer)["decision"], "allow")
        status, body = SERVER.json("POST", "/v1/permitted-values", json.dumps(request))
        self.assertEqual(status, 400)
        self.assertIn("needs `?dimension=NAME`", body["error"])
        status, body = SERVER.json("POST", "/v1/permitted-values?dimension=colour", "{}")
        self.assertEqual((status, body["error"]), (400, "unknown dimension `colour`"))

    def test_policy(self):
        status, body = SERVER.json("GET", "/v1/policy", headers=ADMIN)
        self.assertEqual(status, 200)
        self.assertEqual(body["name"], "outpost24")
        self.assertEqual(body["version"], "2020-08-27")
        self.assertEqual(body["signer"], KEY_ID)
        self.assertTrue(body["verified"])
        self.assertRegex(body["content_hash"], r"^blake2b-256:[0-9a-f]{64}$")
        # One id names the policy everywhere: in each decision, /v1/policy, /readyz and the
        # metrics' label.
        self.assertRegex(body["hash"], r"^[0-9a-f]{16}$")
        _, decision = SERVER.json("POST", "/v1/decide", json.dumps({"action": "use"}))
        self.assertEqual(decision["policy"]["hash"], body["hash"])
        _, ready = SERVER.json("GET", "/readyz")
        self.assertEqual(ready["policy"], body["hash"])
        _, _, metrics = SERVER.request("GET", "/metrics", headers=ADMIN)
        self.assertIn('policy="%s"' % body["hash"], metrics.decode())
        self.assertRegex(body["loaded_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertEqual(body["bytes"], os.path.getsize(POLICY))

    def test_admin_token(self):
        for path in ["/v1/policy", "/metrics"]:
            for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}]:
                status, hdrs, body = SERVER.request("GET", path, headers=headers)
                self.assertEqual(status, 401, (path, headers))
                self.assertEqual(hdrs["www-authenticate"], "Bearer")
        status, _, _ = SERVER.request("POST", "/v1/reload")
        self.assertEqual(status, 401)
        status, body = SERVER.json("POST", "/v1/reload", headers=ADMIN)
        self.assertEqual((status, body["reloaded"]), (200, True))

    def test_health(self):
        self.assertEqual(SERVER.json("GET", "/healthz"), (200, {"status": "ok"}))
        status, body = SERVER.json("GET", "/readyz")
        self.assertEqual(status, 200)
        self.assertTrue(body["ready"])
        self.assertFalse(body["draining"])
        self.assertTrue(body["last_reload"]["ok"])

    def test_errors(self):
        cases = [
            ("POST", "/v1/decide", b"this is not json", 400, "invalid request at column 1"),
            ("POST", "/v1/decide", '{"action": "caf\xe9"}'.encode("latin-1"), 400,
             "the request body is not valid UTF-8 (at byte 16)"),
            ("POST", "/v1/decide", b"\xed\xa0\x80", 400, "not valid UTF-8"),  # a surrogate
            ("POST", "/v1/decide", b'{"id":' + b"[" * 30000 + b"]" * 30000 + b"}", 400,
             "nests deeper than 32 levels"),
            ("POST", "/v1/decide", b"{" + b" " * 70000 + b"}", 413,
             "larger than 65536 bytes"),
            ("GET", "/v1/nothing", None, 404, "no route GET /v1/nothing"),
            ("GET", "/v1/decide", None, 404, "no route GET /v1/decide"),
        ]
        for method, path, body, status, message in cases:
            got, headers, data = SERVER.request(method, path, body, headers=ADMIN)
            self.assertEqual(got, status, (path, body[:40] if body else None))
            answer = json.loads(data)
            self.assertEqual(answer["decision"], "error")
            self.assertIn(message, answer["error"])
        # The runtime's own message for a request it cannot read, unchanged.
        want = serverlib.query_jsonl(PRIVET, POLICY, ['{"colour": "red"}'])[0]
        _, _, data = SERVER.request("POST", "/v1/decide", '{"colour": "red"}')
        self.assertEqual(data.decode(), want + "\n")

    def test_zz_metrics_and_log(self):
        # Named to run last in this class: it checks what the other tests did.
        before = SERVER.metrics(ADMIN)
        rid = "test-request-42"
        SERVER.request("POST", "/v1/decide", REQUESTS[0], headers={"X-Request-Id": rid})
        after = SERVER.metrics(ADMIN)
        key = [k for k in after if k.startswith('privet_decisions_total{effect="allow"')]
        self.assertEqual(len(key), 1, key)
        self.assertEqual(after[key[0]], before.get(key[0], 0) + 1)
        self.assertEqual(after["privet_decision_duration_seconds_count"],
                         before["privet_decision_duration_seconds_count"] + 1)
        self.assertGreaterEqual(after['privet_errors_total{kind="invalid_utf8"}'], 2)
        self.assertGreaterEqual(after['privet_errors_total{kind="too_deep"}'], 1)
        self.assertGreaterEqual(after['privet_errors_total{kind="body_too_large"}'], 1)
        self.assertGreaterEqual(after['privet_errors_total{kind="unauthorized"}'], 1)
        self.assertGreaterEqual(after['privet_errors_total{kind="not_found"}'], 2)
        self.assertEqual(after["privet_reload_failures_total"], 0)
        self.assertEqual(after["privet_policy_last_reload_ok"], 1)
        buckets = [v for k, v in after.items() if k.startswith("privet_decision_duration_seconds_bucket")]
        self.assertEqual(buckets, sorted(buckets), "cumulative buckets")
        self.assertTrue(serverlib.wait_until(lambda: rid in serverlib.slurp(LOG)))
        lines = serverlib.slurp(LOG).splitlines()
        entries = [json.loads(l) for l in lines]
        mine = [e for e in entries if e["request_id"] == rid]
        self.assertEqual(len(mine), 1)
        entry = mine[0]
        self.assertEqual(entry["endpoint"], "decide")
        self.assertEqual(entry["decision"], "allow")
        self.assertRegex(entry["time"], r"Z$")
        self.assertIsInstance(entry["latency_us"], float)
        # Attribute values are masked unless allow-listed with --log-clear.
        attrs = [e["request"]["attributes"] for e in entries
                 if e["request"] and "attributes" in e["request"]]
        self.assertTrue(attrs)
        for a in attrs:
            for name, value in a.items():
                if name == "cookies_disabled":
                    self.assertIsInstance(value, bool)
                else:
                    self.assertEqual(value, "***", name)
        self.assertTrue(any("cookies_disabled" in a for a in attrs))
        self.assertTrue(any(set(a) - {"cookies_disabled"} for a in attrs))
        self.assertTrue(any(e["request"] is None for e in entries), "unreadable requests")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[4:])
