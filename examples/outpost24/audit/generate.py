#!/usr/bin/python3
"""A deterministic processing log for the Outpost24 example (docs/audit.md).

Four systems write events the way real logs do, in their own codes (the mapping file
outpost24.map.json turns them into policy names): the website, the CRM, the support desk and the
marketing platform. Most events are what the notice allows; some are planted violations (mail
to people who opted out, support tickets processed without the customer's consent or shared
with an outside helpdesk, upselling under the contract) and gaps (an unknown purpose code, an
unmapped table, a wrong type, a missing consent status, a malformed line). The same seed and count always give the same log.

    generate.py [--events N] [--seed S] [--format jsonl|csv] [--start 2026-01-01] > log
"""
import argparse
import csv
import json
import random
import sys
from datetime import datetime, timedelta, timezone

FIELDS = ["event_id", "ts", "system", "op", "tables", "subject", "purpose", "basis", "recipient",
          "context", "consent", "opted_out", "support_consent", "collected_at"]

# (weight, system, fields): the everyday events, all allowed by the notice.
NORMAL = [
    (40, "website", dict(op="collect", tables="web.access_log.ip", subject="visitor",
                         purpose="ops", basis="li", context="auto")),
    (25, "marketing", dict(op="use", tables="mkt.subscribers.email", subject="lead",
                           purpose="newsletter", consent="Y", opted_out=False)),
    (15, "crm", dict(op="use", tables="crm.contacts.email", subject="customer",
                     purpose="patch_notice", opted_out=True)),
    (10, "support", dict(op="use", tables="support.tickets", subject="customer",
                         purpose="ticket", context="ticket", support_consent=True)),
]
# (rate per 1000 events, kind, system, fields): planted violations and gaps.
PLANTED = [
    (6, "violation", "marketing", dict(op="use", tables="mkt.subscribers.email", subject="lead",
                                       purpose="newsletter", consent="Y", opted_out=True)),
    (4, "violation", "support", dict(op="use", tables="support.tickets", subject="customer",
                                     purpose="ticket", context="ticket", support_consent=False)),
    (2, "violation", "support", dict(op="share", tables="support.tickets", subject="customer",
                                     purpose="ticket", recipient="helpdesk_vendor",
                                     context="ticket", support_consent=True)),
    (3, "violation", "crm", dict(op="use", tables="crm.contacts.email", subject="customer",
                                 purpose="upsell", opted_out=False)),
    (3, "gap", "crm", dict(op="use", tables="crm.contacts.email", subject="customer",
                           purpose="custmer_support")),
    (2, "gap", "crm", dict(op="use", tables="crm.legacy_dump", subject="customer",
                           purpose="patch_notice")),
    (2, "gap", "marketing", dict(op="use", tables="mkt.subscribers.email", subject="lead",
                                 purpose="newsletter", consent="Y", opted_out="yes")),
    (2, "gap", "marketing", dict(op="use", tables="mkt.subscribers.email", subject="lead",
                                 purpose="newsletter", opted_out=False)),
    (1, "malformed", "website", {}),
]


def events(n, seed, start):
    rng = random.Random(seed)
    weights = [w for w, _, _ in NORMAL]
    t = start
    for i in range(n):
        t += timedelta(milliseconds=rng.randrange(1, 400))
        roll = rng.randrange(1000)
        planted = None
        acc = 0
        for p in PLANTED:
            acc += p[0]
            if roll < acc:
                planted = p
                break
        if planted:
            _, kind, system, fields = planted
        else:
            _, system, fields = rng.choices(NORMAL, weights)[0]
            kind = "normal"
        ev = {"event_id": f"{system[:3]}-{i:09d}", "ts": t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
              + "Z", "system": system}
        ev.update(fields)
        if "consent" in ev or system == "crm":
            ev["collected_at"] = (t - timedelta(days=rng.randrange(0, 900))).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
        yield kind, ev


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    ap.add_argument("--start", default="2026-01-01")
    args = ap.parse_args()
    start = datetime.fromisoformat(args.start).replace(tzinfo=timezone.utc)
    out = sys.stdout
    if args.format == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(FIELDS)
        for kind, ev in events(args.events, args.seed, start):
            if kind == "malformed":
                out.write('"' + ev["event_id"] + ',' + ev["ts"] + "\n")
                continue
            w.writerow(["" if ev.get(f) is None else str(ev[f]).lower()
                        if isinstance(ev.get(f), bool) else ev[f] for f in FIELDS])
        return
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    for kind, ev in events(args.events, args.seed, start):
        if kind == "malformed":
            out.write('{"event_id":"%s","ts":"%s","system":"website",\n' % (ev["event_id"],
                                                                         ev["ts"]))
            continue
        out.write(dumps(ev) + "\n")


if __name__ == "__main__":
    main()
