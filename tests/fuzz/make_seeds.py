#!/usr/bin/env python3
"""Writes the checked-in seed corpora of the fuzz targets added for issue 9 (deterministic: running
it again rewrites the same bytes). Run from anywhere:  python3 tests/fuzz/make_seeds.py

Each target's comment describes its input format; the seeds here are small valid inputs of every
kind that format has, so mutation starts from inputs that reach deep into the code. Seeds from
../shared (suricata-verify captures, ET Open rules) are not checked in: tests/fuzz/shared_seeds.py
makes them at test time.
"""
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write(rel, name, data):
    d = os.path.join(ROOT, rel)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


# ---------------------------------------------------------------------------------------------
# Packets (for pcap seeds).
C4, S4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
C6 = bytes.fromhex("20010db8000000000000000000000001")
S6 = bytes.fromhex("20010db8000000000000000000000002")
ETH = bytes.fromhex("00112233445566778899aabb")


def ip4(src, dst, proto, l4, ident=1, frag=0x4000, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, frag, ttl, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4


def tcp4(src, dst, sp, dp, seq, ack, flags, payload=b""):
    t = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(t)) + t)
    return t[:16] + struct.pack("!H", c) + t[18:]


def udp4(src, dst, sp, dp, payload):
    u = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 17, len(u)) + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def eth(ip, ethertype=0x0800):
    return ETH + struct.pack("!H", ethertype) + ip


def pcap(frames, link=1):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, link)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1795448010 + i // 100, (i % 100) * 10000, len(f), len(f)) + f
    return out


def tcp_session(sport, dport, client_data, server_data):
    """Handshake, one request and one response, FIN both ways (Ethernet frames)."""
    f = []
    cs, ss = 1000, 5000
    f.append(eth(ip4(C4, S4, 6, tcp4(C4, S4, sport, dport, cs, 0, 0x02))))
    f.append(eth(ip4(S4, C4, 6, tcp4(S4, C4, dport, sport, ss, cs + 1, 0x12))))
    cs += 1
    ss += 1
    f.append(eth(ip4(C4, S4, 6, tcp4(C4, S4, sport, dport, cs, ss, 0x10))))
    for i in range(0, len(client_data), 1200):
        chunk = client_data[i:i + 1200]
        f.append(eth(ip4(C4, S4, 6, tcp4(C4, S4, sport, dport, cs, ss, 0x18, chunk))))
        cs += len(chunk)
    for i in range(0, len(server_data), 1200):
        chunk = server_data[i:i + 1200]
        f.append(eth(ip4(S4, C4, 6, tcp4(S4, C4, dport, sport, ss, cs, 0x18, chunk))))
        ss += len(chunk)
    f.append(eth(ip4(C4, S4, 6, tcp4(C4, S4, sport, dport, cs, ss, 0x11))))
    f.append(eth(ip4(S4, C4, 6, tcp4(S4, C4, dport, sport, ss, cs + 1, 0x11))))
    f.append(eth(ip4(C4, S4, 6, tcp4(C4, S4, sport, dport, cs + 1, ss + 1, 0x10))))
    return f


HTTP_REQ = (b"GET /admin/../etc/passwd?id=1 HTTP/1.1\r\nHost: portal\r\nUser-Agent: sqlmap/1.7\r\n"
            b"Accept: */*\r\n\r\n")
HTTP_RESP = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nroot:x:0:0:\n"
DNS_QUERY = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04evil\x07example\x00\x00\x01\x00\x01"
DNS_ANSWER = (b"\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\x04evil\x07example\x00\x00\x01\x00\x01"
              b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x01")


def read_seed(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


def pcap_seeds():
    client_hello = read_seed("sensor/app/fuzz_seeds/tls/client_hello")
    server_flight = read_seed("sensor/app/fuzz_seeds/tls/server_flight")
    write("sensor/fuzz_seeds/pcap", "http_session.pcap", pcap(tcp_session(40000, 80, HTTP_REQ, HTTP_RESP)))
    write("sensor/fuzz_seeds/pcap", "tls_session.pcap", pcap(tcp_session(40001, 443, client_hello, server_flight)))
    write("sensor/fuzz_seeds/pcap", "ssh_banner.pcap",
          pcap(tcp_session(40002, 22, b"SSH-2.0-libssh_0.9.6\r\n", b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")))
    dns = [eth(ip4(C4, S4, 17, udp4(C4, S4, 40003, 53, DNS_QUERY))),
           eth(ip4(S4, C4, 17, udp4(S4, C4, 53, 40003, DNS_ANSWER)))]
    write("sensor/fuzz_seeds/pcap", "dns.pcap", pcap(dns))
    # A UDP datagram in three IPv4 fragments (the middle one overlapping), an ICMP echo, TTL 1.
    d = udp4(C4, S4, 40004, 53, DNS_QUERY + b"A" * 40)
    frags = [eth(ip4(C4, S4, 17, d[:24], ident=77, frag=0x2000)),
             eth(ip4(C4, S4, 17, d[16:48], ident=77, frag=0x2000 | 2)),
             eth(ip4(C4, S4, 17, d[48:], ident=77, frag=6)),
             eth(ip4(C4, S4, 1, b"\x08\x00\xf7\xff\x00\x01\x00\x00", ident=78, ttl=1))]
    write("sensor/fuzz_seeds/pcap", "fragments.pcap", pcap(frags))
    # The same HTTP request over IPv6 in a raw (LINKTYPE_RAW) capture.
    l4 = struct.pack("!HHIIBBHHH", 40005, 80, 1, 0, 5 << 4, 0x18, 65535, 0, 0) + HTTP_REQ
    ip6 = struct.pack("!IHBB16s16s", 0x60000000, len(l4), 6, 64, C6, S6) + l4
    write("sensor/fuzz_seeds/pcap", "ipv6_raw.pcap", pcap([ip6], link=101))


# ---------------------------------------------------------------------------------------------
# sensor_stream_fuzz: operations on flows (see sensor/stream_fuzz.cc).
def seg(flow, port_idx, to_client, flags, delta, payload):
    kind = (1 if to_client else 0) | (flow << 3) | (port_idx << 5)
    return bytes([kind, flags]) + struct.pack("!h", delta) + bytes([len(payload)]) + payload


def hs(flow, port_idx):
    return bytes([2 | (flow << 3) | (port_idx << 5)])


def frag(v6, flow, ident, off_units, more, is_tcp, to_client, payload):
    kind = (4 if v6 else 3) | (flow << 3)
    bits = (1 if more else 0) | (2 if is_tcp else 0) | (4 if to_client else 0)
    return bytes([kind, ident, off_units, bits, len(payload)]) + payload


def udp_op(flow, port_idx, payload):
    return bytes([5 | (flow << 3) | (port_idx << 5), len(payload)]) + payload


def stream_seeds():
    out = "sensor/fuzz_seeds/stream"
    http = hs(0, 0) + seg(0, 0, False, 0x18, 0, HTTP_REQ[:60]) + seg(0, 0, False, 0x18, 0, HTTP_REQ[60:]) + \
        seg(0, 0, True, 0x18, 0, HTTP_RESP) + seg(0, 0, False, 0x11, 0, b"") + seg(0, 0, True, 0x11, 0, b"")
    write(out, "http_in_order", http)
    # Out of order: the second half first (ahead of the expected sequence), then an overlapping
    # retransmission with different bytes, then the first half.
    ooo = hs(1, 0) + seg(1, 0, False, 0x18, 30, HTTP_REQ[30:90]) + seg(1, 0, False, 0x18, 20, b"X" * 40) + \
        seg(1, 0, False, 0x18, 0, HTTP_REQ[:90]) + seg(1, 0, True, 0x18, 0, HTTP_RESP)
    write(out, "http_out_of_order", ooo)
    client_hello = read_seed("sensor/app/fuzz_seeds/tls/client_hello")
    tls = hs(2, 1) + seg(2, 1, False, 0x18, 0, client_hello[:200]) + seg(2, 1, False, 0x18, 0, client_hello[200:255])
    write(out, "tls_split", tls)
    write(out, "ssh_midstream", seg(3, 3, False, 0x18, 0, b"SSH-2.0-libssh_0.9.6\r\n") +
          seg(3, 3, True, 0x18, 0, b"SSH-2.0-OpenSSH_9.2\r\n") + seg(3, 3, False, 0x04, 0, b""))
    d = struct.pack("!HHHH", 40000, 53, 8 + len(DNS_QUERY), 0) + DNS_QUERY
    write(out, "ipv4_fragments", frag(False, 0, 9, 0, True, False, False, d[:16]) +
          frag(False, 0, 9, 1, True, False, False, b"Z" * 16) + frag(False, 0, 9, 2, False, False, False, d[16:]))
    write(out, "ipv6_fragments", frag(True, 0, 3, 0, True, False, False, d[:24]) +
          frag(True, 0, 3, 3, False, False, False, d[24:]))
    write(out, "dns_udp_and_timeout", udp_op(0, 2, DNS_QUERY) + bytes([6, 0]) + udp_op(0, 2, DNS_QUERY) +
          hs(0, 0) + bytes([6, 200]) + seg(0, 0, False, 0x18, 0, b"GET / HTTP/1.0\r\n\r\n"))
    write(out, "flowbits_login", hs(1, 7) + seg(1, 7, False, 0x18, 0, b"LOGIN bob\r\n") +
          seg(1, 7, False, 0x18, 0, b"PASS secret\r\n") + seg(1, 7, False, 0x18, -2000, b"\xff\xfe"))


# ---------------------------------------------------------------------------------------------
def config_seeds():
    sensor_yaml = """\
vars:
  address-groups:
    HOME_NET: "[10.0.0.0/8,192.168.0.0/16]"
    EXTERNAL_NET: "!$HOME_NET"
  port-groups:
    HTTP_PORTS: "[80,8080]"
default-rule-path: /etc/canh/rules
rule-files: [a.rules, b.rules]
stream:
  midstream: yes
  reassembly: {depth: 1mb, toserver-chunk-size: 2560, memcap: 32mb}
flow: {memcap: 16mb, hash-size: 4096}
flow-timeouts:
  tcp: {new: 30, established: 300, closed: 10}
  udp: {new: 10, established: 60}
defrag: {memcap: 8mb, trackers: 1024, timeout: 30}
decoder:
  vxlan: {enabled: yes, ports: "[4789, 8472]"}
  teredo: {enabled: no}
  max-layers: 8
packet-alert-max: 20
app-layer:
  protocols:
    http:
      enabled: yes
      libhtp: {default-config: {request-body-limit: 100kb, response-body-limit: 1mb}}
      memcap: 64mb
    tls: {enabled: detection-only}
    dns: {tcp: {enabled: yes}, udp: {enabled: yes}}
pcap-file: {checksum-checks: auto}
pcap:
  - interface: eth1
    buffer-size: 16mb
    bpf-filter: "not port 22"
outputs:
  - eve-log:
      types:
        - alert: {payload: yes, packet: no}
        - flow
"""
    write("sensor/fuzz_seeds/config", "canh.yaml", sensor_yaml)
    write("sensor/fuzz_seeds/config", "with_sets", "stream:\n  midstream: no\n\0stream.midstream=yes\n"
          "flow.hash-size=1024\ndefrag.timeout=5\napp-layer.protocols.http.memcap=1mb\n")
    server_yaml = """\
server:
  data: /var/lib/canh
  listen: "[::1]:8443"
  tls: {cert: /etc/canh/tls/server.crt, key: /etc/canh/tls/server.key}
  threads: 4
  log-level: info
metrics:
  allow: [127.0.0.0/8, "::1/128", 10.1.2.3]
rule-bundles:
  trusted-keys: /etc/canh/trusted-keys
"""
    write("cli/fuzz_seeds/server_config", "server.yaml", server_yaml)
    write("cli/fuzz_seeds/server_config", "minimal.yaml", "server:\n  listen: :0\nmetrics:\n  allow: []\n")


def http_seeds():
    write("common/fuzz_seeds/http", "cookie", "canh_session\ntheme=dark; canh_session=0123abcd; other=1")
    write("common/fuzz_seeds/http", "utf8", "ho\u0300a\n\u0111\u1ea5t n\u01b0\u1edbc=\"vi\u1ec7t\"\\\n;x")
    write("common/fuzz_seeds/http", "bad_utf8", b"a\xc3\x28\xed\xa0\x80\xf4\x90\x80\x80\x00\x1f\x7f\n=\r\n")
    write("console/fuzz_seeds/query", "filters",
          "from=2026-11-23T10:00:00Z&to=1795448010000&sid=2001&sid=2002&severity=1&state=new&"
          "src=10.0.0.0%2F8&dst=2001:db8::%2F32&ip=192.168.1.10&assignee=-&q=ET%20POLICY&limit=500&cursor=abc")
    write("console/fuzz_seeds/query", "json",
          '{"sid":[2001],"state":"acknowledged","severity":[1,2],"src":"10.0.0.0/8","from":"2026-11-23T10:00:00+07:00"}')


# ---------------------------------------------------------------------------------------------
# console_api_fuzz (see console/api_fuzz.cc): who, route (u16; 0xFFFF: method and path from the
# input), strings with a length byte, content type, body.
def s(text):
    b = text.encode() if isinstance(text, str) else text
    assert len(b) < 0xF0
    return bytes([len(b)]) + b


ADMIN, ANALYST, AUDITOR, READER, ADMIN_TOKEN, READER_TOKEN, SENSOR, ANON = 1, 2, 3, 4, 5, 6, 7, 0
JSON, OCTET, NDJSON = 0, 1, 2


def api(who, method, path, query, ctype, body, sensor_headers=None):
    out = bytes([who]) + b"\xff\xff" + s(method) + s(path) + s(query)
    if sensor_headers:
        out += bytes([ctype | 0x80]) + s(sensor_headers[0]) + s(sensor_headers[1])
    else:
        out += bytes([ctype])
    return out + (body.encode() if isinstance(body, str) else body)


EVE = ('{"timestamp":"2026-11-23T15:33:30.123456+0000","flow_id":1,"event_type":"alert","src_ip":"10.0.0.1",'
       '"src_port":1234,"dest_ip":"192.168.1.10","dest_port":80,"proto":"TCP","alert":{"action":"allowed",'
       '"gid":1,"signature_id":2001,"rev":1,"signature":"x","category":"y","severity":2}}')


def api_seeds():
    out = "console/fuzz_seeds/api"
    write(out, "login", api(ANON, "POST", "/api/v1/login", "", JSON, '{"name":"fuzz-admin","password":"fuzzing password 1"}'))
    write(out, "alerts_list", api(READER, "GET", "/api/v1/alerts", "sid=2001&limit=5&src=10.0.0.0/8", JSON, ""))
    write(out, "alerts_stats", api(ADMIN_TOKEN, "GET", "/api/v1/alerts/stats", "top=5&bucket=60", JSON, ""))
    write(out, "triage", api(ANALYST, "POST", "/api/v1/alerts/@ALERT@/triage", "", JSON,
                             '{"state":"acknowledged","assignee":"fuzz-analyst","note":"looking"}'))
    write(out, "comment", api(ANALYST, "POST", "/api/v1/alerts/@ALERT@/comments", "", JSON, '{"text":"<b>seen</b>"}'))
    write(out, "bulk", api(ANALYST, "POST", "/api/v1/alerts/bulk", "", JSON,
                           '{"filter":{"sid":[2001]},"state":"closed","reason":"benign","note":"n"}'))
    write(out, "rules_upload", api(ADMIN, "POST", "/api/v1/rulesets", "", JSON,
                                   '{"files":[{"name":"b.rules","content":"alert http any any -> any any '
                                   '(msg:\\"u\\"; http.uri; content:\\"/x\\"; sid:3001;)\\n"}],"note":"n"}'))
    write(out, "rules_validate", api(ADMIN, "POST", "/api/v1/rulesets/validate", "", JSON,
                                     '{"files":[{"name":"c.rules","content":"alert tcp any any -> any any (sid:1;"}]}'))
    write(out, "rule_enable", api(ADMIN, "POST", "/api/v1/rules/2001/enabled", "", JSON, '{"enabled":false}'))
    write(out, "suppression", api(ADMIN, "POST", "/api/v1/suppressions", "", JSON,
                                  '{"sid":2001,"track":"by_src","ip":"10.0.0.1","reason":"noisy scanner"}'))
    write(out, "user_add", api(ADMIN, "POST", "/api/v1/users", "", JSON,
                               '{"name":"new-user","role":"analyst","password":"a long password"}'))
    write(out, "token", api(ADMIN, "POST", "/api/v1/tokens", "", JSON, '{"label":"export","role":"read-only"}'))
    write(out, "sensor_add", api(ADMIN, "POST", "/api/v1/sensors", "", JSON, '{"name":"edge-1","description":"d"}'))
    write(out, "audit_verify", api(AUDITOR, "GET", "/api/v1/audit/verify", "", JSON, ""))
    write(out, "audit_list", api(AUDITOR, "GET", "/api/v1/audit", "limit=10", JSON, ""))
    write(out, "metrics", api(ANON, "GET", "/metrics", "", JSON, ""))
    write(out, "heartbeat", api(SENSOR, "POST", "/api/v1/sensor/heartbeat", "", JSON,
                                '{"packets":10,"bytes":1000,"drops":0,"alerts":2,"flows":3,"uptime_seconds":5,'
                                '"ruleset_version":"1","software_version":"0.1.0","spool_batches":0,'
                                '"spool_bytes":0,"spool_dropped_alerts":0}'))
    write(out, "ingest", api(SENSOR, "POST", "/api/v1/sensor/alerts", "", NDJSON, EVE + "\n" + EVE + "\n",
                             ("00000000000000ab", "7")))
    write(out, "ruleset_fetch", api(SENSOR, "GET", "/api/v1/sensor/ruleset", "have=0", JSON, ""))
    write(out, "enrol", api(ANON, "POST", "/api/v1/sensors/enrol", "", JSON, '{"token":"canh_et_x","hostname":"h"}'))
    write(out, "bundle_octets", api(ADMIN, "POST", "/api/v1/rulesets/bundle", "name=one.bundle", OCTET,
                                    read_seed("rules/fuzz_seeds/bundle/one.bundle")))
    write(out, "asset", api(ANON, "GET", "/assets/app.js", "", JSON, ""))
    write(out, "alert_detail", api(READER_TOKEN, "GET", "/api/v1/alerts/@ALERT@", "", JSON, ""))
    write(out, "alert_groups", api(READER, "GET", "/api/v1/alerts/groups", "by=sid&state=new", JSON, ""))
    write(out, "compliance_system", api(ADMIN, "POST", "/api/v1/compliance/systems", "", JSON,
                                        '{"name":"C\u1ed5ng th\u00f4ng tin","owner":"S\u1edf TT&TT",'
                                        '"operating_unit":"Trung t\u00e2m","ranges":["10.0.0.0/24"]}'))
    write(out, "compliance_dossier", api(ANALYST, "POST", "/api/v1/compliance/systems/1/dossiers", "", JSON,
                                         '{"framework":"nd331_2026"}'))
    write(out, "compliance_evidence", api(ANALYST, "POST", "/api/v1/compliance/systems/1/controls/1/files",
                                          "name=scan.txt", OCTET, b"evidence bytes\x00\xff"))
    write(out, "compliance_dossier_file", api(ANALYST, "POST", "/api/v1/compliance/systems/1/dossiers/1/parts/1/files",
                                              "name=%E1%BA%A3nh.pdf", OCTET, b"%PDF-1.4\n"))
    write(out, "compliance_link", api(ANALYST, "POST", "/api/v1/compliance/systems/1/controls/1/links", "", JSON,
                                      '{"kind":"url","ref":"https://example.org/x","note":"n"}'))
    write(out, "compliance_report", api(AUDITOR, "GET", "/api/v1/compliance/systems/1/report.csv", "", JSON, ""))
    write(out, "compliance_overview", api(AUDITOR, "GET", "/api/v1/compliance/overview", "", JSON, ""))

    # console_wire_fuzz: raw bytes on a connection; placeholders become live credentials.
    w = "console/fuzz_seeds/wire"
    write(w, "get_health", "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
    write(w, "pipelined", "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nCookie: canh_session=@SESSION@\r\n\r\n"
          "HEAD /api/v1/alerts?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer @TOKEN@\r\n\r\n")
    write(w, "post_triage", "POST /api/v1/alerts/@ALERT@/triage HTTP/1.1\r\nHost: x\r\nCookie: a=b; canh_session=@SESSION@\r\n"
          "X-CSRF-Token: @CSRF@\r\nContent-Type: application/json\r\nContent-Length: 22\r\n\r\n{\"state\":\"escalated\"}")
    write(w, "chunked_ingest", "POST /api/v1/sensor/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer @SENSOR@\r\n"
          "Content-Type: application/x-ndjson\r\nX-Canh-Stream: 00000000000000cd\r\nX-Canh-Batch: 3\r\n"
          "Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\n\r\n0\r\n\r\n" % (len(EVE) + 1, EVE))
    write(w, "bad_lines", "GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\nGET http://x/ HTTP/1.0\r\n\r\n"
          "BREW / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")


def collector_seeds():
    out = "collector/fuzz_seeds/api"
    write(out, "batch", bytes([1, 0, 0xFF, 0xFF, 1]) + (EVE + "\n" + EVE + "\r\n").encode())
    write(out, "batch_named", bytes([1, 0]) + s("00000000000000f2") + s("42") + bytes([1]) + (EVE + "\n").encode())
    write(out, "batch_bad_record", bytes([1, 0, 0xFF, 0xFF, 1]) + (EVE + "\n{\"event_type\":\"alert\"}\n").encode())
    write(out, "heartbeat", bytes([2, 0, 0]) + b'{"packets":1,"bytes":2,"drops":0,"alerts":0,"flows":1,'
          b'"uptime_seconds":3,"ruleset_version":"v","software_version":"0.1.0","spool_batches":1,'
          b'"spool_bytes":10,"spool_dropped_alerts":4}')
    write(out, "enrol", bytes([0, 1, 0]) + b'{"token":"canh_et_0123","hostname":"sensor-1","version":"0.1.0"}')


def spool_seeds():
    out = "sensor/ship/fuzz_seeds/spool"
    line = EVE.encode()
    # mode 0: spool files + operations (append 0, seal 1, ack 2, reject record 3, reopen 4).
    write(out, "recover_and_ship", bytes([0, 2]) + struct.pack("!H", 5) + s(line[:200] + b"\n") +
          struct.pack("!H", 9) + s(b"a\n\nb\n") + s("stream=00000000000000aa\nreserved=12\n") + s(b"x\ny\npartial") +
          bytes([0]) + s(b"new-1") + bytes([1, 2, 4, 0]) + s(b"new-2") + bytes([3, 2, 2]))
    write(out, "fresh", bytes([0x40, 0, 0xFF]) + s(b"") + bytes([0]) + s(b"a" * 100) + bytes([0]) + s(b"b" * 100) +
          bytes([1, 4, 2, 5]) + s(b"x") + s(b"y"))
    write(out, "bad_state", bytes([0, 1]) + struct.pack("!H", 3) + s(b"z\n") + s("stream=zz\nreserved=-1\n") + s(b""))
    write(out, "url", b"\x01https://collector.example:8443/canh/")
    write(out, "url_v6", b"\x01http://[2001:db8::1]:80")


def rules_file_seeds():
    out = "rules/fuzz_seeds/files"
    write(out, "classification", b"\x00# comment\nconfig classification: not-suspicious,Not Suspicious Traffic,3\n"
          b"config classification: trojan-activity,A Network Trojan was detected, 1\n")
    write(out, "pubkey", b"\x01canh-ed25519-pub 51ba89546890e767 WWAeFTLT2L6CibiWNu0KKc0Q6WlPq53XGMW4AYFeHwU=\n")
    write(out, "base64", b"\x02YWxlcnQgdGNwIGFueSBhbnkgLT4gYW55IGFueSAoc2lkOjE7KQ==")
    write(out, "name", b"\x03emerging-scan.rules")


if __name__ == "__main__":
    pcap_seeds()
    stream_seeds()
    config_seeds()
    http_seeds()
    api_seeds()
    collector_seeds()
    spool_seeds()
    rules_file_seeds()
    print("seeds written under", ROOT)
