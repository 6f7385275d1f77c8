#!/usr/bin/env bash
# about: alerts/s canh server stores durably from 4 concurrent shipping sensors over loopback
# Prints BENCH collector.alerts_per_s. SENSORS, ALERTS (per sensor) and BATCH override the defaults
# (4, 250000, 2000). The store is rebuilt on every run (ingest into a fresh data folder is measured).
set -euo pipefail
exec python3 "$CANH_ROOT/benchmarks/collector_ingest.py" "$CANH_BIN" "$BUILD_DIR" "$BENCH_DATA/collector-ingest" \
  --sensors "${SENSORS:-4}" --alerts "${ALERTS:-250000}" --batch "${BATCH:-2000}"
