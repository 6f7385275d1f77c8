"""Helpers for the alert-pipeline end-to-end tests and the collector-ingest benchmark: run `canh server`
on a loopback port, sign in as an admin, create sensors, page through stored alerts, write captures.

Everything waits by polling with a deadline; nothing sleeps a fixed time hoping a thing is done.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import time
import urllib.parse

PASSWORD = "e2e admin password"


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(what, check, timeout=60.0, interval=0.02):
    """Calls check() until it returns a true value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        v = check()
        if v:
            return v
        if time.monotonic() > deadline:
            raise Failure("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


class Server:
    """`canh server` on 127.0.0.1:port over `data`; start() again after stop()/kill() reuses both."""

    def __init__(self, canh, data, port, log_path, threads=4, extra=()):
        self.canh, self.data, self.port, self.log_path = canh, data, port, log_path
        self.threads, self.extra = threads, list(extra)
        self.proc = None

    def add_admin(self):
        r = subprocess.run([self.canh, "user", "add", "--data", self.data, "--name", "admin", "--role", "admin"],
                           input=PASSWORD + "\n", text=True, capture_output=True)
        if r.returncode != 0:
            raise Failure("canh user add: " + r.stderr)

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([self.canh, "server", "--data", self.data, "--listen", "127.0.0.1:%d" % self.port,
                                      "--threads", str(self.threads)] + self.extra,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()

        def ready():
            if self.proc.poll() is not None:
                raise Failure("canh server exited with %s:\n%s" % (self.proc.returncode, self.log_tail()))
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/api/v1/health")
                ok = c.getresponse().status == 200
                c.close()
                return ok
            except OSError:
                return False
        poll("canh server to answer on port %d" % self.port, ready, timeout=60)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)
        self.proc = None

    def kill(self):
        """SIGKILL: no shutdown code runs, as in a crash or a power cut of the process."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.proc = None

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def log_tail(self, n=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


class Api:
    """A signed-in admin, as the console page is: session cookie plus CSRF token."""

    def __init__(self, port):
        self.port = port
        self.cookie = ""
        self.csrf = ""

    def request(self, method, path, body=None, ok=(200, 201)):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
            if self.csrf:
                headers["X-CSRF-Token"] = self.csrf
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        set_cookie = r.getheader("Set-Cookie") or ""
        c.close()
        if r.status not in ok:
            raise Failure("%s %s: HTTP %d %s" % (method, path, r.status, text[:300]))
        return r.status, (json.loads(text) if text else None), set_cookie

    def login(self, name="admin", password=PASSWORD):
        _, body, set_cookie = self.request("POST", "/api/v1/login", {"name": name, "password": password})
        self.cookie = set_cookie.split(";", 1)[0]
        self.csrf = body["csrf"]
        return self

    def create_sensor(self, name):
        _, body, _ = self.request("POST", "/api/v1/sensors", {"name": name, "description": "e2e"})
        return body["enrolment_token"]

    def alerts(self, **filters):
        """Every stored alert matching the filters, following next_cursor to the end, each with its
        EVE record (eve=1: the list gives summaries otherwise)."""
        out, cursor = [], None
        while True:
            q = dict(filters, limit=500, eve=1)
            if cursor:
                q["cursor"] = cursor
            _, body, _ = self.request("GET", "/api/v1/alerts?" + urllib.parse.urlencode(q))
            out.extend(body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                return out

    def any_alert(self):
        _, body, _ = self.request("GET", "/api/v1/alerts?limit=1")
        return bool(body["items"])


def eve_alerts(path):
    """The alert records of an eve.json, as parsed objects."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                rec = json.loads(line)
                if rec.get("event_type") == "alert":
                    out.append(rec)
    return out


def compare_stored_with_eve(stored, eve):
    """The stored alerts must be the sensor's eve.json alerts: same total, same count per signature,
    and the same records (compared as JSON values, so key order does not matter)."""
    if len(stored) != len(eve):
        raise Failure("stored %d alerts, the sensor's eve.json has %d" % (len(stored), len(eve)))

    def per_sid(recs):
        c = {}
        for r in recs:
            c[r["alert"]["signature_id"]] = c.get(r["alert"]["signature_id"], 0) + 1
        return c
    stored_eve = [s["eve"] for s in stored]
    a, b = per_sid(stored_eve), per_sid(eve)
    if a != b:
        raise Failure("per-signature counts differ: stored %s, eve.json %s" % (a, b))
    canon = lambda r: json.dumps(r, sort_keys=True)
    sa = sorted(canon(r) for r in stored_eve)
    sb = sorted(canon(r) for r in eve)
    if sa != sb:
        missing = set(sb) - set(sa)
        extra = set(sa) - set(sb)
        raise Failure("records differ: %d missing, %d unexpected; e.g. %s" %
                      (len(missing), len(extra), (list(missing) or list(extra))[0][:300]))
    if len(set(s["id"] for s in stored)) != len(stored):
        raise Failure("an alert id appears twice")
    return a


def write_udp_capture(path, packets, t0=1795448010):
    """A pcap of UDP packets whose payloads carry markers MARK0..MARK4 (packet i has MARK(i % 5)),
    from 10.0.x.y to 192.168.1.z, 1000 packets a second from t0."""
    def csum(data):
        if len(data) % 2:
            data += b"\0"
        s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        return (~s) & 0xffff
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(packets):
            kind = i % 5
            payload = b"CANH-E2E-%d-MARK%d-" % (i, kind) + b"x" * (i % 40)
            src = bytes([10, 0, (i // 250) % 250, 1 + i % 250])
            dst = bytes([192, 168, 1, 1 + (i * 7) % 200])
            udp_len = 8 + len(payload)
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, i & 0xffff, 0, 64, 17, 0, src, dst)
            ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
            udp = struct.pack("!HHHH", 1024 + i % 60000, 5000 + kind, udp_len, 0) + payload
            c = csum(src + dst + struct.pack("!BBH", 0, 17, udp_len) + udp) or 0xffff
            udp = udp[:6] + struct.pack("!H", c) + udp[8:]
            pkt = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + ip + udp
            f.write(struct.pack("<IIII", t0 + i // 1000, (i % 1000) * 1000, len(pkt), len(pkt)) + pkt)


UDP_RULES = """\
alert udp any any -> any any (msg:"CANH E2E mark zero"; content:"MARK0"; sid:9000001; rev:1;)
alert udp any any -> any any (msg:"CANH E2E mark one"; content:"MARK1"; classtype:trojan-activity; sid:9000002; rev:1;)
alert udp any any -> any any (msg:"CANH E2E mark two"; content:"MARK2"; sid:9000003; rev:2;)
alert udp any any -> any 5003 (msg:"CANH E2E mark three to port 5003"; content:"MARK3"; sid:9000004; rev:1;)
"""


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path
