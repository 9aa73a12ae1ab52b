#!/usr/bin/python3
"""A scripted LSP client: starts `privet lsp`, drives a session and asserts every response.

Usage: lsp_client_test.py <path to privet>. The session has a hard timeout; the server is killed
by its PID at the end whatever happens.
"""
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading

TIMEOUT = 60  # seconds for the whole session (the sanitizer build is slow)

POLICY = """policy shop "Shop";
import gdpr;

controller "Shop Ltd" {
  contact "privacy@shop.example";
  dpo "Jane Doe" contact "dpo@shop.example";
}

action use "Use";
category contact "Contact data" {
  email "Email address";
  phone "Phone number";
}
@doc("Sending offers to customers")
purpose marketing "Marketing";
purpose analytics "Analytics";

newsletter: allow use email for marketing under gdpr.consent with gdpr.record_consent;

test "newsletter" {
  expect allow use email
    for marketing
    under gdpr.consent
    with gdpr.record_consent
    by newsletter;
}
"""

# Recipient-set expressions (`recipients where F`): their names work like any other.
SHARE = """policy share "Share";

action share "Share";
category data "Data";
region world "World" {
  eea "European Economic Area";
}
recipient roles "Roles" {
  processor "Processor";
}
recipient host "Host" role processor under contract located in eea;

no_contract: deny share to recipients where role processor and not under contract;
outside: deny share data to recipients where not located in eea and role processor;
"""


def apply_edits(text, edits):
    """The text after LSP TextEdits (non-overlapping, positions in ASCII text)."""
    lines = text.split("\n")

    def offset(p):
        return sum(len(l) + 1 for l in lines[:p["line"]]) + p["character"]
    spans = sorted(((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"])
                    for e in edits), reverse=True)
    for b, e, new in spans:
        text = text[:b] + new + text[e:]
    return text


class Client:
    def __init__(self, privet):
        self.proc = subprocess.Popen([privet, "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            assert length is not None, "server sent a message without Content-Length"
            self.messages.put(json.loads(out.read(length)))

    def send_raw(self, body):
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def send_raw_bytes(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send_raw(json.dumps({"jsonrpc": "2.0", "method": method,
                                  "params": params}).encode())

    def request(self, method, params):
        self.next_id += 1
        self.send_raw(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                                  "params": params}).encode())
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)

    def wait(self, pred):
        while True:
            m = self.messages.get(timeout=TIMEOUT)
            assert m is not None, "server closed its output"
            if pred(m):
                return m
            self.seen.append(m)

    seen = []

    def diagnostics(self, uri):
        for i, m in enumerate(self.seen):
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                del self.seen[i]
                return m["params"]["diagnostics"]
        m = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                      and m["params"]["uri"] == uri)
        return m["params"]["diagnostics"]


def pos(text, needle, delta=0, nth=0):
    """The LSP position of the nth occurrence of needle (plus delta characters); ASCII text."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += delta
    line = text.count("\n", 0, at)
    return {"line": line, "character": at - (text.rfind("\n", 0, at) + 1)}


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)


def raw_request(c, method, params):
    """Sends a request without waiting; returns its id and its encoded message."""
    c.next_id += 1
    body = json.dumps({"jsonrpc": "2.0", "id": c.next_id, "method": method,
                       "params": params}).encode()
    return c.next_id, b"Content-Length: %d\r\n\r\n" % len(body) + body


def session(c, uri, path):
    # Before `initialize`, requests are refused with ServerNotInitialized and notifications
    # dropped (LSP 3.17).
    r = c.request("textDocument/hover", {"textDocument": {"uri": uri},
                                         "position": {"line": 0, "character": 0}})
    check(r.get("error", {}).get("code") == -32002, "a request before initialize is refused")
    r = c.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    caps = r["result"]["capabilities"]
    check(caps["textDocumentSync"]["change"] == 1 and caps["hoverProvider"]
          and caps["completionProvider"] and caps["documentFormattingProvider"]
          and caps["semanticTokensProvider"]["full"] and caps["codeLensProvider"],
          "initialize announces full sync, hover, completion and formatting")
    c.notify("initialized", {})
    r = c.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    check(r.get("error", {}).get("code") == -32600, "a second initialize is refused")

    doc = {"uri": uri}
    c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "privet",
                                                       "version": 1, "text": POLICY}})
    check(c.diagnostics(uri) == [], "didOpen: a correct policy has no diagnostics")

    broken = POLICY.replace("for marketing under", "for marketting under", 1)
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                        "contentChanges": [{"text": broken}]})
    diags = c.diagnostics(uri)
    check(len(diags) >= 1, "didChange: the typo is reported")
    d = diags[0]
    check(d["code"].startswith("E") and d["severity"] == 1, "the diagnostic is a coded error")
    check(d["range"]["start"] == pos(broken, "marketting"), "the diagnostic points at the typo")
    check("#" + d["code"].lower() + "-" in d["codeDescription"]["href"],
          "codeDescription links to the code's anchor in docs/diagnostics.md")
    check("marketing" in d["message"], "the message carries the did-you-mean")

    r = c.request("textDocument/codeAction", {"textDocument": doc, "range": d["range"],
                                              "context": {"diagnostics": [d]}})
    actions = r["result"]
    check(len(actions) == 1 and actions[0]["kind"] == "quickfix", "codeAction offers a quick fix")
    edits = actions[0]["edit"]["changes"][uri]
    check(edits == [{"range": d["range"], "newText": "marketing"}],
          "the quick fix replaces the typo by the suggestion")

    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                        "contentChanges": [{"text": POLICY}]})
    check(c.diagnostics(uri) == [], "didChange: fixing the typo clears the diagnostics")

    # A syntax error in one declaration and an unknown name in another: both are reported, and
    # the names the broken declaration declares are not reported as unknown where they are used.
    two = POLICY.replace('purpose marketing "Marketing";', 'purpose marketing "Marketing" "x";')
    two = two.replace("allow use email for", "allow use emial for")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 30},
                                        "contentChanges": [{"text": two}]})
    diags = c.diagnostics(uri)
    codes = sorted((d["range"]["start"]["line"], d["code"]) for d in diags)
    check(len(diags) == 2 and diags[0]["range"]["start"]["line"] == pos(two, '"x"')["line"]
          and diags[0]["code"].startswith("E00"),
          "didChange: the syntax error is reported in its declaration")
    check(diags[1]["range"]["start"] == pos(two, "emial") and diags[1]["code"] == "E0101"
          and "email" in diags[1]["message"],
          "and the unknown name in another declaration too (%s)" % codes)
    check(not any("`marketing`" in d["message"] for d in diags),
          "a name declared by the broken declaration is not reported as unknown")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 31},
                                        "contentChanges": [{"text": POLICY}]})
    check(c.diagnostics(uri) == [], "didChange: fixing both clears the diagnostics")

    r = c.request("textDocument/hover", {"textDocument": doc,
                                         "position": pos(POLICY, "marketing under", 2)})
    value = r["result"]["contents"]["value"]
    check("**purpose** `marketing` — Marketing" in value and "Sending offers" in value,
          "hover on a purpose shows its kind, title and @doc")
    r = c.request("textDocument/hover", {"textDocument": doc, "position": pos(POLICY, "contact", 1)})
    check("Covers 2 leaves" in r["result"]["contents"]["value"],
          "hover on a category says how many leaves it covers")
    r = c.request("textDocument/hover", {"textDocument": doc, "position": pos(POLICY, "allow use", 1)})
    value = r["result"]["contents"]["value"]
    check("**allow** rule `newsletter`" in value and "purpose `marketing`" in value
          and "1 test" in value, "hover on a rule shows effect, scope and the tests naming it")

    r = c.request("textDocument/definition", {"textDocument": doc,
                                              "position": pos(POLICY, "marketing under", 1)})
    check(r["result"]["uri"] == uri and r["result"]["range"]["start"] == pos(POLICY, "marketing"),
          "definition of a local purpose")
    r = c.request("textDocument/definition", {"textDocument": doc,
                                              "position": pos(POLICY, "consent with", 1)})
    check(r["result"]["uri"].endswith("/stdlib/gdpr.privet"),
          "definition of gdpr.consent goes into the stdlib")

    r = c.request("textDocument/references", {"textDocument": doc,
                                              "position": pos(POLICY, "marketing", 1),
                                              "context": {"includeDeclaration": True}})
    refs = sorted((x["range"]["start"]["line"], x["range"]["start"]["character"])
                  for x in r["result"] if x["uri"] == uri)
    want = sorted((p["line"], p["character"]) for p in
                  [pos(POLICY, "marketing", 0, n) for n in range(3)])
    check(refs == want, "references: the declaration and both uses")

    def labels(position):
        r = c.request("textDocument/completion", {"textDocument": doc, "position": position})
        return {i["label"]: i.get("detail") for i in r["result"]["items"]}

    got = labels(pos(POLICY, "marketing under", 4))
    check("marketing" in got and "analytics" not in got and "email" not in got,
          "completion after `for mark`: purposes with that prefix only")
    check(got["marketing"] == "Marketing", "completion items carry the title as detail")
    got = labels(pos(POLICY, "consent with"))
    check("gdpr.consent" not in got and "consent" in got and "legitimate_interests" in got,
          "completion after `gdpr.`: the module's members, unqualified")
    got = labels(pos(POLICY, "gdpr.record_consent", 0))
    check("gdpr.record_consent" in got and "gdpr.consent" not in got,
          "completion after `with`: obligations only")
    got = labels(pos(POLICY, "gdpr.consent", 0))
    check("gdpr.consent" in got and "gdpr.record_consent" not in got and "marketing" not in got,
          "completion after `under`: bases only")

    r = c.request("textDocument/documentSymbol", {"textDocument": doc})
    names = {(s["name"], s["detail"]) for s in r["result"]}
    check({("marketing", "purpose"), ("email", "category"), ("newsletter", "allow"),
           ("newsletter", "test"), ("Shop Ltd", "controller"),
           ("Jane Doe", "data protection officer")} <= names
          and not any(n.startswith("gdpr.") for n, _ in names),
          "documentSymbol: the file's own declarations, rules, tests and controller block")

    # A request cancelled before it is answered gets RequestCancelled, and the next is answered
    # as usual: the request and its $/cancelRequest arrive together, so the server, reading
    # ahead, sees the cancellation first.
    rid, msg = raw_request(c, "textDocument/documentSymbol", {"textDocument": doc})
    cancel = json.dumps({"jsonrpc": "2.0", "method": "$/cancelRequest",
                         "params": {"id": rid}}).encode()
    c.send_raw_bytes(msg + b"Content-Length: %d\r\n\r\n" % len(cancel) + cancel)
    r = c.wait(lambda m: m.get("id") == rid and "method" not in m)
    check(r.get("error", {}).get("code") == -32800, "a cancelled request is answered as cancelled")

    r = c.request("workspace/symbol", {"query": "analyt"})
    check([x["name"] for x in r["result"]] == ["analytics"], "workspace/symbol finds by substring")

    r = c.request("textDocument/prepareRename", {"textDocument": doc,
                                                 "position": pos(POLICY, "marketing under", 1)})
    check(r["result"]["placeholder"] == "marketing"
          and r["result"]["range"]["start"] == pos(POLICY, "marketing under"),
          "prepareRename gives the name's range")
    r = c.request("textDocument/prepareRename", {"textDocument": doc,
                                                 "position": pos(POLICY, "consent with", 1)})
    check("error" in r, "prepareRename refuses a stdlib name")
    r = c.request("textDocument/rename", {"textDocument": doc, "newName": "promotion",
                                          "position": pos(POLICY, "marketing under", 1)})
    edits = r["result"]["changes"][uri]
    check(sorted((e["range"]["start"]["line"], e["range"]["start"]["character"]) for e in edits)
          == want and all(e["newText"] == "promotion" for e in edits),
          "rename edits the declaration and every use")
    r = c.request("textDocument/rename", {"textDocument": doc, "newName": "not a name",
                                          "position": pos(POLICY, "marketing under", 1)})
    check(r["error"]["code"] == -32602, "rename to something that is not a name is refused")

    r = c.request("textDocument/semanticTokens/full", {"textDocument": doc})
    data = r["result"]["data"]
    legend = caps["semanticTokensProvider"]["legend"]["tokenTypes"]
    toks, line, col = {}, 0, 0
    lines = POLICY.split("\n")
    for i in range(0, len(data), 5):
        dl, dc, length, typ = data[i:i + 4]
        line += dl
        col = col + dc if dl == 0 else dc
        toks.setdefault(lines[line][col:col + length], set()).add(legend[typ])
    check(toks["policy"] == {"keyword"} and toks["\"Shop\""] == {"string"}
          and "namespace" in toks["gdpr"] and toks["marketing"] == {"enumMember"}
          and toks["@doc"] == {"decorator"} and toks["newsletter"] == {"function"},
          "semantic tokens classify keywords, strings, qualifiers, names, annotations, labels")

    r = c.request("textDocument/codeLens", {"textDocument": doc})
    lenses = {(l["range"]["start"]["line"], l["command"]["title"]): l for l in r["result"]}
    test_line = pos(POLICY, "test \"newsletter\"")["line"]
    rule_line = pos(POLICY, "newsletter:")["line"]
    check((test_line, "Run tests") in lenses and (test_line, "passed (1 expectations)") in lenses,
          "code lenses on a test: run, and its last result")
    check((rule_line, "covered by 1 test") in lenses, "code lens on a rule: covered by 1 test")
    run = lenses[(test_line, "Run tests")]["command"]
    r = c.request("workspace/executeCommand", {"command": run["command"],
                                               "arguments": run["arguments"]})
    check(r["result"] == {"passed": 1, "failed": 0}, "executeCommand runs the test runner")
    failing = POLICY.replace("expect allow use email", "expect allow use phone")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 5},
                                        "contentChanges": [{"text": failing}]})
    c.diagnostics(uri)
    r = c.request("workspace/executeCommand", {"command": run["command"],
                                               "arguments": run["arguments"]})
    check(r["result"] == {"passed": 0, "failed": 1}, "executeCommand reports a failing test")
    r = c.request("textDocument/codeLens", {"textDocument": doc})
    check(any(l["command"]["title"].startswith("failed 1 of 1") for l in r["result"]),
          "the test's code lens shows the failure")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 6},
                                        "contentChanges": [{"text": POLICY}]})
    c.diagnostics(uri)

    messy = POLICY.replace("purpose analytics \"Analytics\";", "purpose   analytics    \"Analytics\" ;")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4},
                                        "contentChanges": [{"text": messy}]})
    c.diagnostics(uri)
    r = c.request("textDocument/formatting", {"textDocument": doc,
                                              "options": {"tabSize": 2, "insertSpaces": True}})
    check(len(r["result"]) == 1 and r["result"][0]["newText"] == POLICY,
          "formatting returns the canonical layout")

    # Range formatting edits only the declarations the range touches.
    check(caps.get("documentRangeFormattingProvider") is True,
          "initialize announces range formatting")
    two_messy = messy.replace('action use "Use";', 'action   use  "Use";')
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 40},
                                        "contentChanges": [{"text": two_messy}]})
    c.diagnostics(uri)
    start = pos(two_messy, "analytics", 0)
    r = c.request("textDocument/rangeFormatting",
                  {"textDocument": doc, "range": {"start": start, "end": start},
                   "options": {"tabSize": 2, "insertSpaces": True}})
    edited = apply_edits(two_messy, r["result"])
    check(edited == POLICY.replace('action use "Use";', 'action   use  "Use";'),
          "rangeFormatting lays out the declaration under the cursor and nothing else")
    whole = {"start": {"line": 0, "character": 0}, "end": pos(two_messy, "newsletter:")}
    r = c.request("textDocument/rangeFormatting",
                  {"textDocument": doc, "range": whole,
                   "options": {"tabSize": 2, "insertSpaces": True}})
    check(apply_edits(two_messy, r["result"]) == POLICY and len(r["result"]) == 2,
          "rangeFormatting over several declarations edits each of them")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 41},
                                        "contentChanges": [{"text": POLICY}]})
    c.diagnostics(uri)
    r = c.request("textDocument/rangeFormatting",
                  {"textDocument": doc, "range": whole,
                   "options": {"tabSize": 2, "insertSpaces": True}})
    check(r["result"] == [], "rangeFormatting of a formatted range changes nothing")

    recipient_sets(c, os.path.join(os.path.dirname(path), "share.privet"))

    # Robustness: a malformed message, an unknown method and an unknown document are errors.
    c.send_raw(b"{not json")
    m = c.wait(lambda m: "error" in m and m.get("id") is None)
    check(m["error"]["code"] == -32700, "a malformed message gets a parse error")
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///nowhere.privet"},
                                         "position": {"line": 0, "character": 0}})
    check(r["error"]["code"] == -32602, "a request for an unknown document gets an error")
    c.send_raw(b'[1, 2]')
    m = c.wait(lambda m: "error" in m and m.get("id") is None)
    check(m["error"]["code"] == -32600, "a message that is not a request gets InvalidRequest")
    r = c.request("privet/bogus", {})
    check(r["error"]["code"] == -32601, "an unknown method gets MethodNotFound")
    r = c.request("textDocument/hover", {"textDocument": doc})
    check(r["error"]["code"] == -32602, "a request without a position gets InvalidParams")
    r = c.request("textDocument/hover", {"textDocument": doc,
                                         "position": pos(POLICY, "marketing under", 2)})
    check("result" in r, "the server still answers after the errors")

    r = c.request("shutdown", None)
    check(r["result"] is None, "shutdown")
    c.notify("exit", None)
    check(c.proc.wait(timeout=TIMEOUT) == 0, "exit after shutdown ends the server with status 0")


def recipient_sets(c, path):
    """Hover, definition, references, rename and completion on names in `recipients where`."""
    uri = "file://" + path
    doc = {"uri": uri}
    c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "privet",
                                                       "version": 1, "text": SHARE}})
    check(not [d for d in c.diagnostics(uri) if d["severity"] == 1],
          "recipient sets: the policy checks")
    role_use = pos(SHARE, "processor and", 1)
    r = c.request("textDocument/hover", {"textDocument": doc, "position": role_use})
    check("**recipient** `processor` — Processor" in r["result"]["contents"]["value"],
          "hover on `role processor` in a recipient set")
    r = c.request("textDocument/definition", {"textDocument": doc, "position": role_use})
    check(r["result"]["range"]["start"] == pos(SHARE, 'processor "Processor"'),
          "definition of the role in a recipient set")
    r = c.request("textDocument/definition",
                  {"textDocument": doc, "position": pos(SHARE, "eea and", 1)})
    check(r["result"]["range"]["start"] == pos(SHARE, "eea \"European"),
          "definition of the region after `located in` in a recipient set")
    r = c.request("textDocument/references", {"textDocument": doc, "position": role_use,
                                              "context": {"includeDeclaration": True}})
    want = sorted((p["line"], p["character"]) for p in
                  [pos(SHARE, "processor", 0, n) for n in range(4)])
    got = sorted((x["range"]["start"]["line"], x["range"]["start"]["character"])
                 for x in r["result"] if x["uri"] == uri)
    check(got == want, "references of a role: the declaration, the recipient's role and both sets")
    r = c.request("textDocument/rename", {"textDocument": doc, "newName": "vendor",
                                          "position": pos(SHARE, "processor;", 1)})
    renamed = apply_edits(SHARE, r["result"]["changes"][uri])
    check(renamed == SHARE.replace("processor", "vendor"), "rename from a use in a recipient set")

    def labels(position):
        r = c.request("textDocument/completion", {"textDocument": doc, "position": position})
        return {i["label"] for i in r["result"]["items"]}
    got = labels(pos(SHARE, "role processor and"))
    check({"role", "located", "under", "not"} <= got and "processor" not in got,
          "completion after `where`: the facts")
    got = labels(pos(SHARE, "processor and"))
    check({"processor", "host", "roles"} <= got and "eea" not in got and "share" not in got,
          "completion after `role`: recipients")
    got = labels(pos(SHARE, "eea and"))
    check({"eea", "world"} <= got and "processor" not in got,
          "completion after `located in`: regions")
    got = labels(pos(SHARE, "contract;"))
    check(got == {"contract"}, "completion after a fact's `under`: `contract`")
    got = labels(pos(SHARE, "recipients where"))
    check("recipients" in got and "host" in got and "share" not in got,
          "completion after `to`: recipients and `recipients where`")
    c.notify("textDocument/didClose", {"textDocument": doc})
    c.diagnostics(uri)


def main():
    privet = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "shop.privet")
        with open(path, "w") as f:
            f.write(POLICY)  # also on disk, though the server reads the open buffer
        uri = "file://" + path
        c = Client(privet)
        timer = threading.Timer(TIMEOUT, lambda: os.kill(c.proc.pid, signal.SIGKILL))
        timer.start()
        try:
            session(c, uri, path)
        finally:
            timer.cancel()
            if c.proc.poll() is None:
                os.kill(c.proc.pid, signal.SIGKILL)
                c.proc.wait()
                print("server killed at the end", file=sys.stderr)
            err = c.proc.stderr.read().decode(errors="replace")
            if err:
                print("server stderr:\n" + err, file=sys.stderr)


if __name__ == "__main__":
    main()
