"""Prints where the SARIF results of one rule id are located: `ID at FILE:LINE`, then each related
location as `related FILE:LINE: MESSAGE`."""
import json
import sys

log = json.load(open(sys.argv[1]))
for result in log["runs"][0]["results"]:
    if result["ruleId"] != sys.argv[2]:
        continue
    loc = result["locations"][0]["physicalLocation"]
    print(f'{result["ruleId"]} at {loc["artifactLocation"]["uri"]}:{loc["region"]["startLine"]}')
    for rel in result.get("relatedLocations", []):
        p = rel["physicalLocation"]
        print(f'related {p["artifactLocation"]["uri"]}:{p["region"]["startLine"]}: {rel["message"]["text"]}')
