#!/usr/bin/env bash
# about: p99 of the alert list (first page, any filter) and of 24-hour dashboard aggregates over 10M stored alerts
# Prints BENCH query.list_p99_ms and query.agg_p99_ms. Generates the store once (bulk load, ~10-20
# minutes on two cores) into $BENCH_DATA/query-latency; ALERTS overrides the 10,000,000.
set -euo pipefail
data="$BENCH_DATA/query-latency"
alerts=${ALERTS:-10000000}
if [ ! -f "$data/bench.txt" ] || [ "$(sed -n 2p "$data/bench.txt")" != "$alerts" ]; then
  rm -rf "$data"
  "$BUILD_DIR/canh_bench_query" generate --data "$data" --alerts "$alerts" --days 30
fi
exec "$BUILD_DIR/canh_bench_query" run --data "$data" --rounds "${ROUNDS:-3}"
