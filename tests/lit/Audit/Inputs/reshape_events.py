"""Writes two JSON Lines forms of the same events, for the flat reader's agreement test.

    reshape_events.py IN SEED FLAT GENERAL

Each event of IN (one JSON object per line; other lines are copied as they are) gets its
members in a random order, some of them given first a decoy value that a later repeat of the
key replaces (the last value wins, as in llvm::json), and unmapped members. FLAT holds the lines
as the in-place reader reads them; GENERAL holds the same lines with one more unmapped member
whose string has an escape, which sends each line to llvm::json::parse. Audits of the two must
be the same, byte for byte.
"""
import json
import random
import sys

src, seed, flat_path, general_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rng = random.Random(seed)
with open(src, encoding="utf-8") as f, open(flat_path, "w", encoding="utf-8") as flat, \
        open(general_path, "w", encoding="utf-8") as general:
    for raw in f:
        line = raw.rstrip("\n")
        try:
            event = json.loads(line)
        except ValueError:
            event = None
        if not isinstance(event, dict) or any(not isinstance(v, (str, int, bool, type(None)))
                                              or isinstance(v, float) for v in event.values()):
            flat.write(line + "\n")
            general.write(line + "\n")
            continue
        members = list(event.items())
        rng.shuffle(members)
        parts = []
        for key, value in members:
            if rng.random() < 0.3:
                parts.append((key, rng.choice(["decoy", 0, True, None])))
            if rng.random() < 0.2:
                parts.append(("extra_%d" % rng.randrange(5), "x"))
            parts.append((key, value))
        text = ",".join(json.dumps(k) + ":" + json.dumps(v, ensure_ascii=True) for k, v in parts)
        flat.write("{" + text + "}\n")
        general.write("{" + text + ',"zz_escaped":"\\u0041"}\n')
