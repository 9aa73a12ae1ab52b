"""Validates a SARIF log against the official 2.1.0 schema and GitHub code scanning's needs.

Usage: validate_sarif.py SCHEMA LOG. Prints one summary line; exits non-zero with the reasons when
the log is invalid. Beyond the schema it checks what GitHub requires in practice: a driver with
name, version and informationUri, rules with id/name/descriptions/help/defaultConfiguration,
results whose ruleId is a declared rule, and relative artifact URIs with 1-based regions."""
import json
import sys

import jsonschema

try:
    schema = json.load(open(sys.argv[1]))
except OSError as e:
    sys.exit(f"cannot read the SARIF schema {sys.argv[1]}: {e.strerror} "
             "(scripts/setup.sh installs it with npm ci in tests/tools)")
log = json.load(open(sys.argv[2]))
# The schema names its own JSON Schema draft (the SARIF Multitool's copy is 2020-12).
validator = jsonschema.validators.validator_for(schema)
problems = [e.message for e in validator(schema).iter_errors(log)]

run = log["runs"][0]
driver = run["tool"]["driver"]
for key in ("name", "version", "informationUri", "rules"):
    if key not in driver:
        problems.append(f"driver has no {key}")
rule_ids = set()
for rule in driver.get("rules", []):
    rule_ids.add(rule["id"])
    for key in ("id", "name", "shortDescription", "fullDescription", "help", "defaultConfiguration"):
        if key not in rule:
            problems.append(f"rule {rule.get('id')} has no {key}")
related = 0
for result in run["results"]:
    if result["ruleId"] not in rule_ids:
        problems.append(f"result names undeclared rule {result['ruleId']}")
    for loc in result.get("locations", []) + result.get("relatedLocations", []):
        phys = loc["physicalLocation"]
        uri = phys["artifactLocation"]["uri"]
        if uri.startswith("/"):
            problems.append(f"absolute uri without a scheme: {uri}")
        region = phys["region"]
        if region["startLine"] < 1 or region["startColumn"] < 1:
            problems.append(f"region not 1-based: {region}")
    related += len(result.get("relatedLocations", []))

if problems:
    print("\n".join(problems))
    sys.exit(1)
levels = sorted({r["level"] for r in run["results"]})
print(f"valid SARIF: {len(driver['rules'])} rules, {len(run['results'])} results, "
      f"{related} related locations, levels {' '.join(levels) or 'none'}")
