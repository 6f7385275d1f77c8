#!/usr/bin/env bash
# about: detection engine alone, ET Open, synthetic web/TLS/DNS/SMB mix: Gbit/s of payload per CPU-second, us per packet
# Measures rules::Engine::inspect() only (no capture, decode, flow or reassembly: see sensor-throughput
# for the whole pipeline), timed with the thread's CPU clock so a shared machine does not skew it.
set -euo pipefail
: "${BUILD_DIR:?run through benchmarks/run}"
rules_dir="$SHARED_DIR/rulesets/et-open"
if [ ! -d "$rules_dir" ]; then
  echo "rules-inspect: $rules_dir not found (the shared rule sets sit beside the repository)" >&2
  exit 1
fi
exec "$BUILD_DIR/canh_bench_rules_inspect" "$rules_dir"/*.rules
