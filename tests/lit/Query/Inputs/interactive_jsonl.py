"""Talks to `privet query --jsonl -` over a pipe one request at a time: each answer must arrive
before the next request is written (no waiting for EOF). Exits 1 when an answer takes 20 s."""
import select
import subprocess
import sys

privet, policy = sys.argv[1], sys.argv[2]
proc = subprocess.Popen([privet, "query", policy, "--jsonl", "-"], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE)
requests = [b'{"id":1,"action":"read","data":"logs","purpose":"security","attributes":{"data_age":5}}',
            b'{"id":2,"nope":1}',
            b'{"id":3,"action":"read","data":"logs","purpose":"security","attributes":{"data_age":5,"optout":true}}']
for request in requests:
    proc.stdin.write(request + b"\n")
    proc.stdin.flush()
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    if not ready:
        print("no answer within 20 s to", request.decode())
        proc.kill()
        sys.exit(1)
    print(proc.stdout.readline().decode().rstrip("\n"))
proc.stdin.close()
sys.exit(proc.wait())
