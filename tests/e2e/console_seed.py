#!/usr/bin/env python3
"""Seeds a running canh server over its public API, as an admin and a sensor would: signs in,
creates and enrols a sensor, ships alert batches (NDJSON, numbered), uploads a small rule set and
makes an API token. Used by the browser test and the console-load benchmark.

Prints one JSON object: {"token": API token, "sensor": sensor credential, "alerts": N, "hostile_sid": ...}
Only talks to the URL it is given (a loopback server the caller started)."""
import argparse
import base64
import http.cookiejar
import json
import random
import sys
import time
import urllib.request

HOSTILE_SID = 2666001
RULES = """alert http any any -> any any (msg:"ET SCAN Nmap Scripting Engine User-Agent Detected"; http.user_agent; content:"Nmap Scripting Engine"; classtype:web-application-attack; sid:2009358; rev:7;)
alert dns any any -> any any (msg:"ET DNS Query for .onion proxy domain"; dns.query; content:".onion"; sid:2014939; rev:3;)
alert http any any -> any any (msg:"ET WEB_SERVER Possible SQL Injection UNION SELECT"; http.uri; content:"UNION"; nocase; content:"SELECT"; nocase; distance:0; sid:2006446; rev:13;)
alert tls any any -> any any (msg:"ET POLICY TLS possible TOR SSL traffic"; tls.sni; content:".onion"; sid:2018789; rev:2;)
"""
SIGNATURES = [
    (2009358, "ET SCAN Nmap Scripting Engine User-Agent Detected", 1, "Web Application Attack"),
    (2014939, "ET DNS Query for .onion proxy domain", 2, "Potentially Bad Traffic"),
    (2006446, "ET WEB_SERVER Possible SQL Injection UNION SELECT", 1, "Web Application Attack"),
    (2018789, "ET POLICY TLS possible TOR SSL traffic", 3, "Potential Corporate Privacy Violation"),
]


class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def call(self, method, path, body=None, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if self.csrf and method != "GET":
            req.add_header("X-CSRF-Token", self.csrf)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with self.opener.open(req, timeout=60) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            sys.exit(f"console_seed: {method} {path}: {e.code} {e.read()[:500]!r}")


def eve(ts, sid, msg, sev, cat, src, dst, flow, extra=None):
    t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".%06d+0000" % int((ts % 1) * 1e6)
    rec = {"timestamp": t, "flow_id": flow, "in_iface": "eth0", "event_type": "alert", "src_ip": src,
           "src_port": random.randint(1024, 65535), "dest_ip": dst, "dest_port": 80, "proto": "TCP",
           "alert": {"action": "allowed", "gid": 1, "signature_id": sid, "rev": 1, "signature": msg,
                     "category": cat, "severity": sev}}
    if extra:
        rec.update(extra)
    return json.dumps(rec, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin", default="admin")
    ap.add_argument("--password", required=True)
    ap.add_argument("--alerts", type=int, default=200)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--hours", type=float, default=20.0, help="spread alerts over the last N hours")
    ap.add_argument("--hostile", action="store_true", help="add one alert whose fields carry HTML and script")
    ap.add_argument("--rules", action="store_true", help="upload a small rule set")
    ap.add_argument("--system", metavar="NAME",
                    help="register an information system on 10.0.0.0/24 before the alerts, so theirs name it")
    ap.add_argument("--token-only", action="store_true", help="only make a read-only API token and print it")
    ap.add_argument("--bulk-ack", action="store_true",
                    help="only acknowledge every stored alert in one bulk request and print counts and seconds")
    a = ap.parse_args()
    random.seed(7)

    api = Api(a.url)
    me = api.call("POST", "/api/v1/login", {"name": a.admin, "password": a.password})
    api.csrf = me["csrf"]
    if a.bulk_ack:
        started = time.monotonic()
        r = api.call("POST", "/api/v1/alerts/bulk", {"filter": {"severity": [1, 2, 3, 4]}, "state": "acknowledged"})
        r["seconds"] = round(time.monotonic() - started, 3)
        print(json.dumps(r))
        return
    if a.token_only:
        token = api.call("POST", "/api/v1/tokens", {"label": "benchmark", "role": "read-only", "expires_days": 1})["secret"]
        print(json.dumps({"token": token}))
        return
    if a.rules:
        api.call("POST", "/api/v1/rulesets", {"files": [{"name": "local.rules", "content": RULES}], "note": "seed"})
    system = None
    if a.system:
        system = api.call("POST", "/api/v1/compliance/systems",
                          {"name": a.system, "owner": "UBND tỉnh", "operating_unit": "Sở Thông tin và Truyền thông",
                           "ranges": ["10.0.0.0/24"]})["system"]["id"]
    sensor = api.call("POST", "/api/v1/sensors", {"name": "hq-sensor-%d" % random.randint(0, 1 << 30), "description": "Trụ sở chính"})
    enrolled = api.call("POST", "/api/v1/sensors/enrol", {"token": sensor["enrolment_token"], "hostname": "sensor1.local", "version": "0.1.0"})
    cred = enrolled["credential"]
    token = api.call("POST", "/api/v1/tokens", {"label": "seed", "role": "read-only", "expires_days": 1})["secret"]

    now = time.time()
    lines = []
    for i in range(a.alerts):
        sid, msg, sev, cat = SIGNATURES[i % len(SIGNATURES)] if i % 7 else SIGNATURES[0]
        ts = now - a.hours * 3600 * (i / max(1, a.alerts))
        src = "10.%d.%d.%d" % (i % 3, (i // 3) % 5, 1 + i % 11)
        dst = "203.0.113.%d" % (1 + i % 20)
        lines.append(eve(ts, sid, msg, sev, cat, src, dst, 1000 + i // 2,
                         {"app_proto": "http", "http": {"hostname": "intranet.gov.vn", "url": "/login.php?id=%d" % i,
                                                        "http_user_agent": "Mozilla/5.0"}}))
    if a.hostile:
        hostile = ("GET /<svg onload=window.__xss=1> HTTP/1.1\r\nHost: <img src=x onerror=window.__xss=1>\r\n\r\n").encode()
        lines.append(eve(now - 60, HOSTILE_SID, "ET WEB <script>window.__xss=1</script><img src=x onerror=window.__xss=1>",
                         1, "Web Application Attack", "198.51.100.66", "10.0.0.80", 999999,
                         {"app_proto": "http", "payload": base64.b64encode(hostile).decode(),
                          "payload_printable": hostile.decode(),
                          "http": {"hostname": "<img src=x onerror=window.__xss=1>.example",
                                   "url": "/q?<script>window.__xss=1</script>", "http_user_agent": "</td><b>bold</b>"}}))
    stream = "%016x" % random.getrandbits(63)
    for n, start in enumerate(range(0, len(lines), a.batch), 1):
        body = ("\n".join(lines[start:start + a.batch]) + "\n").encode()
        api.call("POST", "/api/v1/sensor/alerts", raw=body,
                 headers={"Authorization": "Bearer " + cred, "Content-Type": "application/x-ndjson",
                          "X-Canh-Stream": stream, "X-Canh-Batch": str(n)})
    api.call("POST", "/api/v1/sensor/heartbeat",
             {"packets": 123456, "bytes": 98765432, "drops": 12, "alerts": len(lines), "flows": 4000, "uptime_seconds": 3600,
              "ruleset_version": "1" if a.rules else "0", "software_version": "0.1.0", "spool_batches": 0,
              "spool_bytes": 0, "spool_dropped_alerts": 0},
             headers={"Authorization": "Bearer " + cred})
    print(json.dumps({"token": token, "sensor": cred, "alerts": len(lines), "hostile_sid": HOSTILE_SID, "system": system}))


if __name__ == "__main__":
    main()
