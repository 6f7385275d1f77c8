#!/usr/bin/env bash
# The server's GET /metrics: served to loopback by default; with metrics.allow: [] only to an API
# token; the exposition is well-formed; the ingest, HTTP, sensor and RocksDB figures move when a
# sensor delivers a batch of alerts.
set -euo pipefail
canh=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/server.log" ] && sed 's/^/  server: /' "$work/server.log" >&2; exit 1; }
start_server() {  # extra args
  "$canh" server --data "$work/data" --listen 127.0.0.1:0 --threads 2 "$@" 2>"$work/server.log" &
  pid=$!
  port=
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*server: ready url=http:\/\/127.0.0.1:\([0-9]*\)\/.*/\1/p' "$work/server.log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || fail "server exited early"
    sleep 0.1
  done
  [ -n "$port" ] || fail "server did not become ready"
  base=http://127.0.0.1:$port
}
stop_server() { kill -TERM "$pid"; wait "$pid" || fail "server exit status $? after SIGTERM"; pid=; }
value() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(int(d.get(sys.argv[2], -1)))' "$1" "$2"; }

echo 'metrics admin password' | "$canh" user add --data "$work/data" --name admin --role admin >/dev/null

# 1. Default: loopback may scrape; the text is well-formed.
start_server
code=$(curl -s -o "$work/m0.txt" -w '%{http_code}' "$base/metrics")
[ "$code" = 200 ] || fail "loopback scrape gave $code"
"$here/metrics_check.py" <"$work/m0.txt" >"$work/m0.json" || fail "malformed exposition"
curl -sI "$base/metrics" | grep -qi '^content-type: text/plain; version=0.0.4' || fail "wrong content type"
stop_server

# 2. metrics.allow: [] -> anonymous scrapes refused, an API token accepted.
cat >"$work/server.yaml" <<YAML
server:
  data: $work/data
metrics:
  allow: []
YAML
"$canh" config check "$work/server.yaml" >/dev/null || fail "config check rejects the test configuration"
start_server -c "$work/server.yaml"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")
[ "$code" = 403 ] || fail "anonymous scrape with allow: [] gave $code"
login=$(curl -s -c "$work/cookies" -H 'Content-Type: application/json' \
  -d '{"name":"admin","password":"metrics admin password"}' "$base/api/v1/login")
csrf=$(printf '%s' "$login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
post() { curl -s -b "$work/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d "$2" "$base$1"; }
token=$(post /api/v1/tokens '{"label":"prometheus","role":"read-only"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
[ -n "$token" ] || fail "no API token"
scrape() { curl -sf -H "Authorization: Bearer $token" "$base/metrics" >"$work/$1.txt" || fail "token scrape failed"
           "$here/metrics_check.py" <"$work/$1.txt" >"$work/$1.json" || fail "malformed exposition ($1)"; }
scrape m1
[ "$(value "$work/m1.json" canh_ingest_alerts_total)" = 0 ] || fail "alerts before any ingest"

# 3. A sensor delivers one batch of 3 alerts: the figures move.
enrol=$(post /api/v1/sensors '{"name":"metrics-sensor"}' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("enrolment_token") or d.get("token"))')
cred=$(curl -s -H 'Content-Type: application/json' -d "{\"token\":\"$enrol\",\"hostname\":\"m\",\"version\":\"t\"}" \
  "$base/api/v1/sensors/enrol" | python3 -c 'import json,sys; print(json.load(sys.stdin)["credential"])')
now=$(date -u +%Y-%m-%dT%H:%M:%S.000000+0000)
: >"$work/batch.ndjson"
for i in 1 2 3; do
  printf '{"timestamp":"%s","flow_id":%d,"event_type":"alert","src_ip":"198.51.100.%d","src_port":4000%d,"dest_ip":"10.20.1.10","dest_port":80,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":900000%d,"rev":1,"signature":"metrics test %d","category":"Web Application Attack","severity":1}}\n' \
    "$now" "$i" "$i" "$i" "$i" "$i" >>"$work/batch.ndjson"
done
code=$(curl -s -o "$work/ack.json" -w '%{http_code}' -H "Authorization: Bearer $cred" -H 'Content-Type: application/x-ndjson' \
  -H 'X-Canh-Stream: 00000000000000aa' -H 'X-Canh-Batch: 1' --data-binary @"$work/batch.ndjson" "$base/api/v1/sensor/alerts")
[ "$code" = 200 ] || fail "batch refused ($code): $(cat "$work/ack.json")"
scrape m2
check() {  # sample, expected (exact)
  local got
  got=$(value "$work/m2.json" "$1")
  [ "$got" = "$2" ] || fail "$1 = $got, expected $2"
}
check canh_ingest_alerts_total 3
check canh_ingest_batches_total 1
check 'canh_http_requests_total{route="POST /api/v1/sensor/alerts",code="200"}' 1
check 'canh_http_request_duration_seconds_count{route="POST /api/v1/sensor/alerts"}' 1
check 'canh_sensors{state="active"}' 1
keys=$(value "$work/m2.json" 'canh_rocksdb_estimate_num_keys{family="alerts"}')
[ "$keys" -ge 3 ] || fail "RocksDB estimates $keys keys in alerts after storing 3"
scrapes=$(value "$work/m2.json" 'canh_http_requests_total{route="GET /metrics",code="200"}')
[ "$scrapes" -ge 1 ] || fail "the scrapes themselves are not counted"
stop_server
echo "metrics_server_test: ok"
