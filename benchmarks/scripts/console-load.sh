#!/usr/bin/env bash
# about: alert list API under 100 concurrent connections over loopback (wrk): p99 latency and errors
# Builds a data folder of 50,000 alerts through the server's own API the first time (into
# $BENCH_DATA/console-load), then runs wrk for 20 s with 100 connections against a server on a free
# loopback port (one server thread per core, wrk's keep-alive connections), authenticated with a
# read-only API token. Prints:
#   BENCH console.alerts_api_p99_ms <ms> ms
#   BENCH console.alerts_api_p50_ms <ms> ms
#   BENCH console.alerts_api_rps <n> req/s
#   BENCH console.alerts_api_bytes <n> bytes  (mean response size: a page of 50 summaries)
#   BENCH console.errors <n> count       (non-2xx responses + socket errors; must be 0)
#   BENCH console.bulk_ack_seconds <s> s (one bulk request acknowledging every alert, on a copy of
#                                         the data folder: store batches of 5,000 with history notes)
#   BENCH console.bulk_ack_changed <n> count
set -euo pipefail
: "${CANH_BIN:?run through benchmarks/run}" "${BENCH_DATA:?}" "${CANH_ROOT:?}"
command -v wrk >/dev/null || { echo "console-load: wrk not found (apt-get install wrk)" >&2; exit 1; }
data=$BENCH_DATA/console-load
alerts=${CONSOLE_LOAD_ALERTS:-50000}
duration=${CONSOLE_LOAD_SECONDS:-20}
password='benchmark admin password'
seed=$CANH_ROOT/tests/e2e/console_seed.py
log=$(mktemp)
copy=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" || true; fi
  rm -rf "$log" "$copy"
}
trap cleanup EXIT

start_server() {  # [data folder]
  : >"$log"
  # One HTTP thread per core: more only adds queueing and context switches on a loaded box.
  "$CANH_BIN" server --data "${1:-$data}" --listen 127.0.0.1:0 --threads "$(nproc)" 2>"$log" &
  pid=$!
  port=
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*server: ready url=http:\/\/127.0.0.1:\([0-9]*\)\/.*/\1/p' "$log" | head -1)
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "console-load: server exited" >&2; exit 1; }
    sleep 0.1
  done
  echo "console-load: server not ready" >&2; exit 1
}

if [ ! -f "$data/.seeded-$alerts" ]; then
  rm -rf "$data"
  echo "$password" | "$CANH_BIN" user add --data "$data" --name admin --role admin >/dev/null
  start_server
  python3 "$seed" --url "http://127.0.0.1:$port" --password "$password" --alerts "$alerts" --hours 24 --rules >/dev/null
  kill "$pid"; wait "$pid" || true; pid=
  touch "$data/.seeded-$alerts"
fi

start_server
token=$(python3 "$seed" --url "http://127.0.0.1:$port" --password "$password" --token-only | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# Warm the block cache so the figure is the steady state an analyst sees, not the first read.
CANH_TOKEN=$token wrk -t2 -c10 -d3s -s "$CANH_ROOT/benchmarks/scripts/console-load.lua" "http://127.0.0.1:$port" >/dev/null
out=$(CANH_TOKEN=$token wrk -t2 -c100 -d"${duration}s" --timeout 10s --latency \
        -s "$CANH_ROOT/benchmarks/scripts/console-load.lua" "http://127.0.0.1:$port")
echo "$out" | sed 's/^/  wrk: /' >&2

to_ms() {  # wrk prints 850.00us, 12.34ms or 1.20s
  python3 -c '
import re, sys
v = sys.argv[1]
m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", v)
n, u = float(m.group(1)), m.group(2)
print(round(n / 1000 if u == "us" else n if u == "ms" else n * 1000 if u == "s" else n * 60000, 3))' "$1"
}
p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
reqs=$(echo "$out" | awk '/requests in/ {print $1}')
read_bytes=$(echo "$out" | awk '/requests in/ {print $5}' | tr -d ,)
non2xx=$(echo "$out" | awk '/Non-2xx or 3xx responses:/ {print $NF}')
sock=$(echo "$out" | awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}')
echo "BENCH console.alerts_api_p99_ms $(to_ms "$p99") ms"
echo "BENCH console.alerts_api_p50_ms $(to_ms "$p50") ms"
echo "BENCH console.alerts_api_rps ${rps:-0} req/s"
echo "BENCH console.alerts_api_bytes $(python3 -c '
import re, sys
n, v = int(sys.argv[1]), sys.argv[2]
m = re.fullmatch(r"([0-9.]+)([KMG]?B)", v)
scale = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}[m.group(2)]
print(round(float(m.group(1)) * scale / max(n, 1)))' "${reqs:-0}" "${read_bytes:-0B}") bytes"
echo "BENCH console.errors $(( ${non2xx:-0} + ${sock:-0} )) count"

# Bulk triage on a copy, so the next run's list figures see the same states.
kill "$pid"; wait "$pid" || true; pid=
cp -r "$data/." "$copy/"
start_server "$copy"
bulk=$(python3 "$seed" --url "http://127.0.0.1:$port" --password "$password" --bulk-ack)
echo "  bulk: $bulk" >&2
echo "BENCH console.bulk_ack_seconds $(echo "$bulk" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])') s"
echo "BENCH console.bulk_ack_changed $(echo "$bulk" | python3 -c 'import json,sys; print(json.load(sys.stdin)["changed"])') count"
