"""Writes the bad inputs of bad-input.test into the directory given: every kind of bad line,
a truncated gzip stream and a line longer than a read block."""
import gzip
import os
import sys

out = sys.argv[1]
good = b'{"event_id": "ok", "ts": "2026-01-01T10:00:00Z", "system": "newsletter", "tables": ["crm.contacts"]}\n'
lines = [
    good,
    b'{"event_id": "m1", "tables": ["crm.contacts"]\n',                  # malformed JSON
    b'{"event_id": "u1", "tables": ["\xff\xfe"]}\n',                     # invalid UTF-8 at byte 32
    b'{"event_id": "h1", "tables": ["' + b"x" * 5000 + b'"]}\n',        # longer than 1000 bytes
    b'[1, 2, 3]\n',                                                     # not an object
    b'{"event_id": "t1", "purpose": 7, "tables": ["crm.contacts"]}\n',  # wrong type
    b'{"event_id": "t2", "ts": "yesterday", "tables": ["crm.contacts"]}\n',
    b'{"event_id": "n1", "tables": [" "]}\n',                           # no category
    b'{"event_id": "n2", "purpose": "support"}\n',                      # no data field
    b'\n',                                                              # blank: not an event
]
with open(os.path.join(out, "bad.jsonl"), "wb") as f:
    f.write(b"".join(lines))

data = gzip.compress(good * 2000)
with open(os.path.join(out, "truncated.jsonl.gz"), "wb") as f:
    f.write(data[: len(data) // 2])

with open(os.path.join(out, "huge.jsonl"), "wb") as f:
    f.write(b"x" * 3000000 + b"\n" + good)
