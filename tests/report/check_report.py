#!/usr/bin/env python3
"""Checks `privet report` output the way its readers use it: the HTML in headless Chromium.

Run by tests/lit/Report/browser.test. Writes the report of a policy in every format into a
fresh directory, then checks:
  * the JSON validates against docs/report.schema.json;
  * the HTML parses with html5lib in strict mode (no parse error at all);
  * the HTML references nothing over the network (no http(s) URL in an attribute or in CSS,
    no <script>, no <link>), statically and in the DOM Chromium built;
  * every internal #anchor link resolves to an id;
  * the inline SVG map has exactly the nodes of the JSON data map;
  * Chromium's NetLog shows no network request made by the page, and its log no console
    message and no network error while loading it;
  * screenshots at desktop (1280x900) and phone (390x844) width are not blank;
  * each CSV opens with Python's csv module and the record has the template's columns.
Chromium is optional: when it is absent the browser checks are skipped with a message, the
others still run.
"""
import argparse
import csv
import html.parser
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import zlib

import html5lib
import jsonschema

FAILURES = []


def fail(message):
    FAILURES.append(message)
    print("FAIL: " + message, file=sys.stderr)


def run_privet(privet, policy, out, fmt, template="generic"):
    cmd = [privet, "report", policy, "--format", fmt, "--template", template, "-o", out]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise SystemExit("privet report failed (%d): %s" % (proc.returncode, proc.stderr))
    return proc.stdout.split()


class LinkCollector(html.parser.HTMLParser):
    """Ids, internal links, external references, and the SVG node titles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []
        self.external = []
        self.forbidden = []
        self.node_titles = []
        self._in_node = 0
        self._stack = []
        self._title = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.forbidden.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "xlink:href", "src", "action", "data", "poster", "srcset"):
            value = attrs.get(name)
            if value is None:
                continue
            if value.startswith("#"):
                self.links.append(value[1:])
            elif re.match(r"\s*(https?:)?//", value, re.I) or ":" in value.split("/")[0]:
                self.external.append(value)
        style = attrs.get("style", "")
        if "url(" in style:
            self.external.append(style)
        if tag == "g":
            is_node = "node" in (attrs.get("class") or "").split()
            self._stack.append(is_node)
            if is_node:
                self._in_node += 1
        if tag == "title" and self._in_node:
            self._title = ""

    def handle_endtag(self, tag):
        if tag == "g" and self._stack:
            if self._stack.pop():
                self._in_node -= 1
        if tag == "title" and self._title is not None:
            self.node_titles.append(self._title)
            self._title = None

    def handle_data(self, data):
        if self._title is not None:
            self._title += data


def check_html_document(text, expected_nodes, where):
    collector = LinkCollector()
    collector.feed(text)
    if collector.forbidden:
        fail("%s: forbidden elements %s" % (where, sorted(set(collector.forbidden))))
    if collector.external:
        fail("%s: external references %s" % (where, collector.external[:5]))
    if re.search(r"url\(", text.split("</style>")[0]):
        fail("%s: CSS loads a url()" % where)
    dangling = sorted(set(l for l in collector.links if l not in collector.ids))
    if dangling:
        fail("%s: internal links to missing ids: %s" % (where, dangling[:10]))
    if not collector.links:
        fail("%s: no internal link at all" % where)
    titles = set(collector.node_titles)
    if titles != expected_nodes:
        fail("%s: SVG nodes differ from the JSON data map: missing %s, extra %s" %
             (where, sorted(expected_nodes - titles)[:10], sorted(titles - expected_nodes)[:10]))
    return collector


def png_statistics(path):
    """(width, height, distinct colours (sampled), fraction of non-white pixels)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError("unsupported PNG layout %s" % (header,))
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours, non_white, total = set(), 0, 0
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        prev = line
        if y % 4:
            continue
        for x in range(0, width, 4):
            px = bytes(line[x * bpp:x * bpp + 3])
            colours.add(px)
            total += 1
            if px != b"\xff\xff\xff":
                non_white += 1
    return width, height, len(colours), non_white / max(total, 1)


def run_chromium(chromium, args, timeout):
    """Runs Chromium in its own process group; kills that group (by its PID) on timeout."""
    profile = tempfile.mkdtemp(prefix="privet-chromium-")
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
           "--host-resolver-rules=MAP * ~NOTFOUND"] + args
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        shutil.rmtree(profile, ignore_errors=True)
        raise SystemExit("chromium did not finish within %d s: killed" % timeout)
    shutil.rmtree(profile, ignore_errors=True)
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def console_problems(stderr):
    problems = []
    for line in stderr.splitlines():
        if re.search(r"CONSOLE[(:]|Uncaught|net::ERR_(?!ABORTED)", line):
            problems.append(line.strip())
    return problems


def page_network_requests(netlog_path):
    """URLs the page asked the network for, from Chromium's NetLog.

    Chromium's own background requests (updates, time) run with a null network isolation key;
    the page's carry its file:// origin, which tells them apart."""
    with open(netlog_path) as f:
        log = json.load(f)
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    requests = []
    for event in log["events"]:
        params = event.get("params") or {}
        if names.get(event["type"]) != "URL_REQUEST_START_JOB" or "url" not in params:
            continue
        if "file://" not in params.get("network_isolation_key", ""):
            continue
        if not re.match(r"(file|data|about):", params["url"]):
            requests.append(params["url"])
    return requests


def browser_checks(chromium, html_path, expected_nodes, workdir, timeout):
    url = "file://" + os.path.abspath(html_path)
    netlog = os.path.join(workdir, "netlog.json")
    rc, dom, err = run_chromium(chromium, ["--log-net-log=" + netlog, "--dump-dom", url], timeout)
    if not os.path.exists(netlog):
        fail("chromium wrote no NetLog")
    else:
        for request in page_network_requests(netlog):
            fail("the page made a network request: " + request)
    if rc != 0:
        fail("chromium --dump-dom exited with %d: %s" % (rc, err[-500:]))
    for problem in console_problems(err):
        fail("chromium console/network: " + problem)
    if "</html>" not in dom:
        fail("chromium returned no DOM")
    else:
        check_html_document(dom, expected_nodes, "DOM")
        if re.search(r"""(?:src|href)\s*=\s*["']?\s*https?:""", dom, re.I):
            fail("DOM references an http(s) URL")
    for name, size in (("desktop", "1280,900"), ("phone", "390,844")):
        shot = os.path.join(workdir, "screenshot-%s.png" % name)
        rc, _, err = run_chromium(
            chromium, ["--screenshot=" + shot, "--window-size=" + size,
                       "--hide-scrollbars", url], timeout)
        for problem in console_problems(err):
            fail("chromium console/network (%s): %s" % (name, problem))
        if rc != 0 or not os.path.exists(shot):
            fail("no %s screenshot (exit %d): %s" % (name, rc, err[-500:]))
            continue
        width, height, colours, ink = png_statistics(shot)
        expected = tuple(int(v) for v in size.split(","))
        print("%s screenshot: %dx%d, %d colours sampled, %.1f%% non-white" %
              (name, width, height, colours, 100 * ink))
        if (width, height) != expected:
            fail("%s screenshot is %dx%d, expected %dx%d" % ((name, width, height) + expected))
        if colours < 8 or ink < 0.02:
            fail("%s screenshot looks blank (%d colours, %.2f%% ink)" % (name, colours, 100 * ink))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--privet", required=True)
    parser.add_argument("--policy", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--timeout", type=int, default=90)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    stem = os.path.join(args.workdir, "report")

    with open(args.schema) as f:
        schema = json.load(f)
    reports = {}
    for template in ("generic", "ico", "cnil"):
        run_privet(args.privet, args.policy, "%s-%s.json" % (stem, template), "json", template)
        with open("%s-%s.json" % (stem, template)) as f:
            reports[template] = json.load(f)
        try:
            jsonschema.validate(reports[template], schema)
        except jsonschema.ValidationError as e:
            fail("JSON (%s) does not validate: %s at %s" % (template, e.message, list(e.path)))
    report = reports["generic"]
    expected_nodes = set(n["id"] for n in report["data_map"]["nodes"])
    if not expected_nodes:
        fail("the data map is empty")

    # CSV: every part opens with the csv module; the record has the template's columns.
    for template in ("generic", "ico", "cnil"):
        written = run_privet(args.privet, args.policy, "%s-%s.csv" % (stem, template), "csv",
                             template)
        for path in written:
            if not path.endswith(".csv"):
                continue
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f, strict=True))
            if not rows or any(len(r) != len(rows[0]) for r in rows):
                fail("%s: ragged or empty CSV" % path)
        with open("%s-%s.csv" % (stem, template), newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f, strict=True))
        columns = [c["header"] for c in reports[template]["template"]["columns"]]
        if rows[0] != columns:
            fail("%s CSV header %s is not the template's columns %s" % (template, rows[0], columns))
        if len(rows) - 1 != len(reports[template]["activities"]):
            fail("%s CSV has %d rows for %d activities" %
                 (template, len(rows) - 1, len(reports[template]["activities"])))

    html_path = stem + ".html"
    written = run_privet(args.privet, args.policy, html_path, "html")
    for suffix in (".datamap.svg", ".datamap.dot"):
        if stem + suffix not in written or not os.path.exists(stem + suffix):
            fail("the map was not written next to the report as %s" % (stem + suffix))
    with open(html_path, encoding="utf-8") as f:
        text = f.read()
    try:
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    except html5lib.html5parser.ParseError as e:
        fail("html5lib strict parse: %s" % e)
    check_html_document(text, expected_nodes, "HTML")
    for activity in report["activities"]:
        if 'id="%s"' % activity["anchor"] not in text:
            fail("activity %s has no entry in the HTML" % activity["key"])

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if args.no_browser:
        print("browser checks not requested")
    elif not chromium:
        print("SKIPPED browser checks: chromium is not installed "
              "(Debian package `chromium`, see scripts/setup.sh)")
    else:
        browser_checks(chromium, html_path, expected_nodes, args.workdir, args.timeout)

    if FAILURES:
        print("%d check(s) failed" % len(FAILURES), file=sys.stderr)
        return 1
    print("report checks passed: %d activities, %d map nodes" %
          (len(report["activities"]), len(expected_nodes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
