#!/usr/bin/env bash
# `canh demo` end to end, twice on one data folder, as the README's first command runs it:
#   1st run: prints the console URL and an admin password; the server answers; the alerts of the
#            sample capture are stored (as many as the sensor raised) and visible through the API;
#            the demo sensor, rule-set version 1, the example information system and /metrics exist;
#            Ctrl-C (SIGINT) stops the shipper and the server cleanly.
#   2nd run: reuses the folder: says the account exists (no new password), does not replay the
#            capture again, the alert count is unchanged; SIGTERM stops it cleanly.
set -euo pipefail
canh=$1
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/out* "$work"/data/server.log; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f" >&2; done
  exit 1
}
# Polls (deadline 120 s) until the demo prints its "Press Ctrl-C" line or exits.
wait_ready() {
  for _ in $(seq 1 1200); do
    grep -q 'Press Ctrl-C to stop' "$1" && return 0
    kill -0 "$pid" 2>/dev/null || fail "demo exited before it was ready"
    sleep 0.1
  done
  fail "demo not ready within 120 s"
}
stop_demo() {  # signal, expected log line
  kill "-$1" "$pid"
  wait "$pid" && rc=0 || rc=$?
  pid=
  [ "$rc" = 0 ] || fail "demo exit status $rc after SIG$1"
}

cd "$work"
"$canh" demo --data "$work/data" --listen 127.0.0.1:0 >"$work/out1" 2>&1 &
pid=$!
wait_ready "$work/out1"
url=$(sed -n 's|^  Console    \(http://127.0.0.1:[0-9]*\)/$|\1|p' "$work/out1")
password=$(sed -n 's|^  Sign in    admin / \([A-Za-z0-9-]*\)$|\1|p' "$work/out1")
[ -n "$url" ] || fail "no console URL printed"
[ -n "$password" ] || fail "no admin password printed"
alerts=$(sed -n 's|.* flows: \([0-9]*\) alerts from .*, \([0-9]*\) delivered to the server$|\1 \2|p' "$work/out1")
read -r raised delivered <<<"$alerts"
[ -n "$raised" ] && [ "$raised" -gt 10 ] || fail "replay summary missing or too few alerts: '$alerts'"
[ "$raised" = "$delivered" ] || fail "raised $raised alerts but delivered $delivered"

curl -sf "$url/" | grep -q '/assets/app.js' || fail "the console page is not served"
curl -s -c "$work/cookies" -H 'Content-Type: application/json' \
  -d "{\"name\":\"admin\",\"password\":\"$password\"}" "$url/api/v1/login" >"$work/login.json"
grep -q '"csrf"' "$work/login.json" || fail "cannot sign in with the printed password: $(cat "$work/login.json")"
api() { curl -sf -b "$work/cookies" "$url$1"; }
count_alerts() {
  curl -s -b "$work/cookies" -o "$work/alerts.json" -w '%{http_code}' "$url/api/v1/alerts?limit=500" >"$work/code"
  [ "$(cat "$work/code")" = 200 ] || fail "GET /api/v1/alerts answered $(cat "$work/code"): $(head -c 300 "$work/alerts.json")"
  python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$work/alerts.json"
}
n=$(count_alerts)
[ "$n" = "$raised" ] || fail "the server holds $n alerts, the sensor raised $raised"
grep -q 'CANH-DEMO WEB SQL injection attempt' "$work/alerts.json" || fail "the SQL injection alert is not listed"
api "/api/v1/sensors" | grep -q '"demo-sensor"' || fail "demo sensor not in the fleet"
api "/api/v1/rulesets" | grep -q '"current":1' || fail "demo rule set is not version 1"
code=$(curl -s -b "$work/cookies" -o "$work/overview.json" -w '%{http_code}' "$url/api/v1/compliance/overview")
if [ "$code" = 404 ]; then
  # A build without the compliance API: the system is still in the folder, as the demo reported.
  echo "note: GET /api/v1/compliance/overview is not served by this build; checking the demo's report instead"
  grep -q 'information system ".*(demo)" covering 10.20.1.0/24 and 10.20.5.0/24' "$work/out1" || fail "no information system seeded"
else
  grep -q '(demo)' "$work/overview.json" || fail "the example information system is missing: $(head -c 300 "$work/overview.json")"
fi
metrics=$(curl -sf "$url/metrics")
grep -q "^canh_ingest_alerts_total $raised\$" <<<"$metrics" || fail "metrics do not count the $raised alerts stored"
stop_demo INT
grep -q 'stopped. Data kept in' "$work/out1" || fail "no clean stop reported"
grep -q 'server: stopping signal=SIGTERM' "$work/data/server.log" || fail "the server was not stopped with SIGTERM"

"$canh" demo --data "$work/data" --listen 127.0.0.1:0 >"$work/out2" 2>&1 &
pid=$!
wait_ready "$work/out2"
grep -q 'account "admin" exists' "$work/out2" || fail "second run does not say the account exists"
grep -q 'canh user passwd --data' "$work/out2" || fail "second run does not say how to reset the password"
if grep -q '^  Sign in    admin / ' "$work/out2"; then fail "second run printed a password again"; fi
grep -q 'the sample capture was replayed on' "$work/out2" || fail "second run replayed again"
url=$(sed -n 's|^  Console    \(http://127.0.0.1:[0-9]*\)/$|\1|p' "$work/out2")
curl -s -c "$work/cookies" -H 'Content-Type: application/json' \
  -d "{\"name\":\"admin\",\"password\":\"$password\"}" "$url/api/v1/login" >/dev/null
n2=$(count_alerts)
[ "$n2" = "$raised" ] || fail "second run: $n2 alerts stored, expected the same $raised"
stop_demo TERM
echo "demo_test: ok ($raised alerts, second run reused the folder)"
