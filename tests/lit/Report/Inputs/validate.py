"""Validates `privet report` outputs for the lit tests.

  validate.py json REPORT.json SCHEMA.json       the JSON validates against the schema
  validate.py csv RECORD.csv REPORT.json         every CSV next to RECORD opens with the csv
                                                 module, the record has the template's columns
                                                 and one row per activity
  validate.py html REPORT.html                   html5lib parses it strictly, with no error
"""
import csv
import glob
import json
import sys

kind, path = sys.argv[1], sys.argv[2]
if kind == "json":
    import jsonschema
    with open(path) as f, open(sys.argv[3]) as s:
        jsonschema.validate(json.load(f), json.load(s))
elif kind == "csv":
    with open(sys.argv[3]) as f:
        report = json.load(f)
    stem = path[:-len(".csv")]
    for part in [path] + sorted(glob.glob(stem + ".*.csv")):
        with open(part, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f, strict=True))
        if not rows or any(len(r) != len(rows[0]) for r in rows):
            sys.exit("%s: empty or ragged" % part)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    want = [c["header"] for c in report["template"]["columns"]]
    if rows[0] != want:
        sys.exit("header %r is not the template's columns %r" % (rows[0], want))
    if len(rows) - 1 != len(report["activities"]):
        sys.exit("%d rows for %d activities" % (len(rows) - 1, len(report["activities"])))
elif kind == "html":
    import html5lib
    with open(path, encoding="utf-8") as f:
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(f.read())
else:
    sys.exit("unknown kind " + kind)
print("valid " + kind)
