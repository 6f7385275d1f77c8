#!/usr/bin/env bash
# The sensor's metrics while it ships to a server: a live sensor on lo, enrolled with a token from
# the console API, raises an alert for each scrape of its own endpoint (a rule on "GET /metrics"),
# ships them, and its endpoint shows the enrolment, heartbeats and shipped alerts moving, while the
# server's /metrics counts the same alerts stored. Needs CAP_NET_RAW (skipped without, exit 77).
set -euo pipefail
canh=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
spid=
pid=
cleanup() {
  for p in $pid $spid; do if kill -0 "$p" 2>/dev/null; then kill "$p"; wait "$p" 2>/dev/null || true; fi; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in server.log sensor.log; do [ -f "$work/$f" ] && sed "s/^/  $f: /" "$work/$f" >&2; done
  exit 1
}
value() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(int(float(d.get(sys.argv[2], -1))))' "$1" "$2"; }

echo 'ship metrics password' | "$canh" user add --data "$work/data" --name admin --role admin >/dev/null
"$canh" server --data "$work/data" --listen 127.0.0.1:0 --threads 2 2>"$work/server.log" &
spid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*server: ready url=http:\/\/127.0.0.1:\([0-9]*\)\/.*/\1/p' "$work/server.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$spid" 2>/dev/null || fail "server exited early"
  sleep 0.1
done
[ -n "$port" ] || fail "server did not become ready"
base=http://127.0.0.1:$port
csrf=$(curl -s -c "$work/cookies" -H 'Content-Type: application/json' -d '{"name":"admin","password":"ship metrics password"}' \
  "$base/api/v1/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
token=$(curl -s -b "$work/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d '{"name":"lo-sensor"}' \
  "$base/api/v1/sensors" | python3 -c 'import json,sys; print(json.load(sys.stdin)["enrolment_token"])')

printf 'alert tcp any any -> any any (msg:"metrics scrape seen"; flow:to_server; content:"GET /metrics"; sid:9100100; rev:1;)\n' \
  >"$work/scrape.rules"
mkdir "$work/log"
"$canh" sensor -i lo --workers 1 -S "$work/scrape.rules" -l "$work/log" --metrics-listen 127.0.0.1:0 --log-level info \
  --collector "$base" --token "$token" --spool-dir "$work/spool" 2>"$work/sensor.log" &
pid=$!
url=
for _ in $(seq 1 300); do
  url=$(sed -n 's/.*sensor: metrics served url=\(http:[^ ]*\).*/\1/p' "$work/sensor.log" | head -1)
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" || true
    pid=
    if grep -qiE 'permission|not permitted' "$work/sensor.log"; then
      echo "SKIP: live capture on lo is not permitted here (needs CAP_NET_RAW)"
      exit 77
    fi
    fail "sensor exited early"
  fi
  sleep 0.1
done
[ -n "$url" ] || fail "sensor did not serve metrics"

# Scrape until the sensor has shipped alerts (each scrape is one more "GET /metrics" on lo).
shipped=0
for _ in $(seq 1 300); do
  curl -sf "$url" >"$work/s.txt" || fail "scrape failed"
  "$here/metrics_check.py" <"$work/s.txt" >"$work/s.json" || fail "malformed exposition"
  shipped=$(value "$work/s.json" canh_sensor_shipped_alerts_total)
  [ "$shipped" -gt 0 ] && break
  sleep 0.1
done
[ "$shipped" -gt 0 ] || fail "no alerts shipped: $(grep canh_sensor_ "$work/s.txt" | grep -v '^#' | head -20)"
[ "$(value "$work/s.json" canh_sensor_enrolled)" = 1 ] || fail "not enrolled"
[ "$(value "$work/s.json" canh_sensor_heartbeats_total)" -ge 1 ] || fail "no heartbeat counted"
[ "$(value "$work/s.json" 'canh_sensor_alerts_total{worker="0"}')" -ge "$shipped" ] || fail "shipped more than raised"
curl -sf "$base/metrics" >"$work/m.txt"
"$here/metrics_check.py" <"$work/m.txt" >"$work/m.json" || fail "malformed server exposition"
stored=$(value "$work/m.json" canh_ingest_alerts_total)
[ "$stored" -ge "$shipped" ] || fail "server stored $stored alerts, the sensor shipped $shipped"
kill -TERM "$pid"
wait "$pid" || fail "sensor exit status $? after SIGTERM"
pid=
kill -TERM "$spid"
wait "$spid" || fail "server exit status $? after SIGTERM"
spid=
echo "metrics_sensor_ship_test: ok ($shipped alerts shipped, $stored stored)"
