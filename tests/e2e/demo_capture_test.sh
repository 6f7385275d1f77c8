#!/usr/bin/env bash
# The demo's bundled data: `canh demo --export` writes the capture and rules, `canh sensor` replays
# one against the other, and every demo rule raises exactly the alerts listed in
# expected-alerts.txt (no more, no fewer, no other sid). The export is byte-for-byte reproducible.
set -euo pipefail
canh=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$canh" demo --export "$work/a" >/dev/null
"$canh" demo --export "$work/b" >/dev/null
cmp -s "$work/a/demo.pcap" "$work/b/demo.pcap" || fail "two exports differ: the generator is not deterministic"
"$canh" rules check "$work/a/demo.rules" >"$work/check.txt" || { cat "$work/check.txt" >&2; fail "demo rules do not all load"; }

mkdir "$work/out"
"$canh" sensor -r "$work/a/demo.pcap" -S "$work/a/demo.rules" -l "$work/out" -q
python3 - "$work/out/eve.json" "$work/a/expected-alerts.txt" <<'PY'
import collections, json, sys
eve, expected_file = sys.argv[1], sys.argv[2]
got = collections.Counter()
apps = collections.Counter()
for line in open(eve):
    r = json.loads(line)
    if r.get("event_type") == "alert":
        got[r["alert"]["signature_id"]] += 1
        apps[r.get("app_proto", "")] += 1
        keys = ["timestamp", "flow_id", "src_ip", "dest_ip", "proto"]
        if r.get("proto") in ("TCP", "UDP"):
            keys += ["src_port", "dest_port"]
        for k in keys:
            assert k in r, f"alert without {k}: {line}"
want = {}
for line in open(expected_file):
    if line.startswith("#") or not line.strip():
        continue
    sid, count, _ = line.split(" ", 2)
    want[int(sid)] = int(count)
bad = [f"sid {s}: expected {want.get(s, 0)}, got {got.get(s, 0)}" for s in sorted(set(want) | set(got)) if want.get(s, 0) != got.get(s, 0)]
if bad:
    print("FAIL: alerts differ from expected-alerts.txt:\n  " + "\n  ".join(bad), file=sys.stderr)
    sys.exit(1)
# The app layer recognised the traffic: alerts carry http, dns and tls.
for proto in ("http", "dns", "tls"):
    if apps[proto] == 0:
        print(f"FAIL: no alert with app_proto {proto}: {dict(apps)}", file=sys.stderr)
        sys.exit(1)
print(f"demo_capture_test: ok ({sum(got.values())} alerts, {len(got)} signatures)")
PY
