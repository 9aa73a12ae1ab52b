# Fails if a `privet check --format json` report holds a front-end error (codes E00xx-E03xx).
import json
import sys

report = json.load(open(sys.argv[1]))
bad = [d for d in report["diagnostics"] if d["code"][:3] in ("E00", "E01", "E02", "E03")]
for d in bad:
    loc = d["location"]
    print(f'{loc["file"]}:{loc["line"]}:{loc["column"]}: {d["message"]} [{d["code"]}]')
sys.exit(1 if bad else 0)
