"""Starts and stops `privet serve` for the server tests, and talks HTTP to it.

Every server listens on an ephemeral loopback port (it prints the port on its first line), every
call has a timeout, and every process is stopped by its PID, so a failing test cannot leave a
server behind or wait forever."""
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import time

HOST = "127.0.0.1"


class Server:
    def __init__(self, privet, policy, *extra, env=None):
        self.args = [privet, "serve", "--policy", policy, "--listen", HOST + ":0", *extra]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env)
        line = self._first_line(timeout=30)
        prefix = "privet serve: listening on http://%s:" % HOST
        if not line.startswith(prefix):
            self.kill()
            raise RuntimeError("privet serve did not start: %r\n%s" % (line, self.stderr()))
        self.port = int(line[len(prefix):])

    def _first_line(self, timeout):
        deadline = time.monotonic() + timeout
        data = b""
        fd = self.proc.stdout.fileno()
        while not data.endswith(b"\n") and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(fd, 1)
            if not chunk:
                break
            data += chunk
        return data.decode("utf-8", "replace").strip()

    @property
    def pid(self):
        return self.proc.pid

    def connect(self, timeout=30):
        return http.client.HTTPConnection(HOST, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None):
        """Returns (status, headers dict, body bytes)."""
        own = conn is None
        conn = conn or self.connect()
        try:
            if isinstance(body, str):
                body = body.encode("utf-8")
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            if own:
                conn.close()

    def json(self, method, path, body=None, headers=None, conn=None):
        status, hdrs, data = self.request(method, path, body, headers, conn)
        return status, json.loads(data)

    def metrics(self, headers=None):
        status, _, data = self.request("GET", "/metrics", headers=headers)
        assert status == 200, status
        values = {}
        for line in data.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        return values

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit code. Kills the process if it does not stop."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise RuntimeError("privet serve did not stop within %ss of SIGTERM" % timeout)
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def stderr(self):
        if self.proc.poll() is None:
            return ""
        return self.proc.stderr.read().decode("utf-8", "replace")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            code = self.stop()
            if code != 0 and exc[0] is None:
                raise AssertionError("privet serve exited with %s:\n%s" % (code, self.stderr()))
        finally:
            self.cleanup()

    def cleanup(self):
        """Kills the server if it still runs and closes its pipes."""
        self.kill()
        self.proc.stdout.close()
        self.proc.stderr.close()


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, timeout=120, capture_output=True, **kw)


def query_jsonl(privet, policy, lines):
    """What `privet query --jsonl` answers for these request lines."""
    out = subprocess.run([privet, "query", policy, "--jsonl", "-"], input="".join(
        l + "\n" for l in lines).encode(), capture_output=True, timeout=120, check=True).stdout
    return out.decode().splitlines()


def wait_until(predicate, timeout=30, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()




def slurp(path, mode="r"):
    with open(path, mode) as f:
        return f.read()
