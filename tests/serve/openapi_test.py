"""Checks docs/serve-openapi.json against the server: the same routes, and every documented
operation answers (a running server) with a status the description lists.

Usage: openapi_test.py PRIVET SOURCE_ROOT WORK_DIR"""
import json
import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import serverlib  # noqa: E402

PRIVET, ROOT, WORK = sys.argv[1:4]
SPEC_PATH = os.path.join(ROOT, "docs", "serve-openapi.json")
SERVER_SOURCE = os.path.join(ROOT, "runtime", "serve", "lib", "Server.cpp")
METHODS = {"get", "post", "put", "delete", "patch", "head", "options"}


def documented():
    spec = json.loads(serverlib.slurp(SPEC_PATH))
    return spec, {(method.upper(), path) for path, ops in spec["paths"].items()
                  for method in ops if method in METHODS}


def implemented():
    source = serverlib.slurp(SERVER_SOURCE)
    return {(m.upper(), p) for m, p in re.findall(r'Http\.(Get|Post|Put|Delete)\("([^"]+)"', source)}


class OpenApi(unittest.TestCase):
    def test_spec_shape(self):
        spec, ops = documented()
        self.assertEqual(spec["openapi"], "3.1.0")
        self.assertTrue(ops)
        # Every $ref resolves.
        text = json.dumps(spec)
        for ref in re.findall(r'"\$ref": "#/([^"]+)"', text):
            node = spec
            for part in ref.split("/"):
                self.assertIn(part, node, ref)
                node = node[part]

    def test_routes_match_the_implementation(self):
        _, ops = documented()
        routes = implemented()
        self.assertTrue(routes, "the route pattern still finds the server's routes")
        self.assertEqual(ops, routes)

    def test_documented_statuses(self):
        spec, ops = documented()
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        policy = os.path.join(WORK, "shop.pvc")
        serverlib.run([PRIVET, "build", os.path.join(os.path.dirname(__file__), "Inputs",
                                                     "shop.privet"), "-o", policy])
        with serverlib.Server(PRIVET, policy) as server:
            bodies = {"/v1/decide": '{"action":"use"}', "/v1/explain": '{"action":"use"}',
                      "/v1/decide/batch": '{"action":"use"}\n',
                      "/v1/permitted-values": '{"action":"use"}'}
            for method, path in sorted(ops):
                target = path + ("?dimension=purpose" if path == "/v1/permitted-values" else "")
                for body in [bodies.get(path), "not json"] if method == "POST" else [None]:
                    status, headers, _ = server.request(method, target, body)
                    listed = spec["paths"][path][method.lower()]["responses"]
                    self.assertIn(str(status), listed, (method, path, body))
            # And a route it does not document is not served.
            self.assertEqual(server.request("GET", "/v1/undocumented")[0], 404)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[4:])
