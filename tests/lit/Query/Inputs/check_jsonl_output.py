"""Checks that every line of a JSONL answer stream is valid UTF-8 and one JSON object, whether
lines are split on LF or (as Python's text mode does) on CR as well; prints one line per answer."""
import json
import sys

data = sys.stdin.buffer.read()
text = data.decode("utf-8")  # raises on invalid UTF-8
for line in text.splitlines():  # splits on CR, LF, U+2028, ...: a reader's worst case
    answer = json.loads(line)
    assert isinstance(answer, dict), line
    print(json.dumps({"id": answer.get("id"), "decision": answer["decision"]}))
