#!/usr/bin/env bash
# about: canh sensor over a 600 MB mixed capture with the full ET Open rule set, 1 and 2 workers
# Prints Gbit/s and Mpps (packet processing only: the rules are compiled and cached by a warm-up run
# first, and the sensor times its packet loop), alerts, and peak RSS.
set -euo pipefail
: "${CANH_BIN:?run through benchmarks/run}"
size_mb=${SENSOR_BENCH_MB:-600}
pcap="$BENCH_DATA/sensor-mixed-${size_mb}mb.pcap"
if [ ! -s "$pcap" ]; then
  echo "generating $pcap ..." >&2
  "$BUILD_DIR/canh_bench_capture" "$pcap.tmp" "$size_mb" 1
  mv "$pcap.tmp" "$pcap"
fi
rules=()
for f in "$SHARED_DIR"/rulesets/et-open/*.rules; do rules+=(-S "$f"); done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CANH_RULES_CACHE="$BENCH_DATA/hs-cache"
mkdir -p "$CANH_RULES_CACHE"

# Warm-up: compiles ET Open once into the cache (not measured).
head -c 100000 "$pcap" > "$work/warm.pcap"
"$CANH_BIN" sensor -r "$work/warm.pcap" "${rules[@]}" -l "$work" -k none >/dev/null 2>"$work/warm.err" || {
  cat "$work/warm.err" >&2
  exit 1
}

run() {  # workers -> sets gbps mpps alerts rss
  local n=$1
  rm -f "$work/eve.json"
  "$CANH_BIN" sensor -r "$pcap" "${rules[@]}" -l "$work" -k none --workers "$n" 2>"$work/run$n.err" >/dev/null || {
    cat "$work/run$n.err" >&2
    exit 1
  }
  # canh sensor: N packets (X MB) in S s, G Gbit/s; F flows; A alerts; ...; peak RSS R MB
  local line
  line=$(grep -E '^canh sensor: [0-9]+ packets' "$work/run$n.err")
  pkts=$(sed -E 's/^canh sensor: ([0-9]+) packets.*/\1/' <<<"$line")
  secs=$(sed -E 's/.* in ([0-9.]+) s,.*/\1/' <<<"$line")
  gbps=$(sed -E 's/.*, ([0-9.]+) Gbit\/s;.*/\1/' <<<"$line")
  alerts=$(sed -E 's/.*; ([0-9]+) alerts;.*/\1/' <<<"$line")
  rss=$(sed -E 's/.*peak RSS ([0-9]+) MB.*/\1/' <<<"$line")
  mpps=$(awk -v p="$pkts" -v s="$secs" 'BEGIN { printf "%.3f", p / s / 1e6 }')
  # canh sensor: workers used C CPU s: G Gbit/s per worker CPU second, M Mpps
  local cpu_line
  cpu_line=$(grep -E '^canh sensor: workers used' "$work/run$n.err")
  gbps_cpu=$(sed -E 's/.*: ([0-9.]+) Gbit\/s per worker CPU second.*/\1/' <<<"$cpu_line")
  mpps_cpu=$(sed -E 's/.*second, ([0-9.]+) Mpps.*/\1/' <<<"$cpu_line")
}

run 1
echo "BENCH sensor.gbps_1worker $gbps Gbit/s"
echo "BENCH sensor.mpps_1worker $mpps Mpps"
echo "BENCH sensor.alerts $alerts alerts"
# Per CPU second of the worker thread: what one worker does when it has a core to itself (the
# wall-clock figures above also count time the machine gave to other processes).
echo "BENCH sensor.gbps_per_cpu_1worker $gbps_cpu Gbit/s"
echo "BENCH sensor.mpps_per_cpu_1worker $mpps_cpu Mpps"
rss1=$rss
run 2
echo "BENCH sensor.gbps_2workers $gbps Gbit/s"
echo "BENCH sensor.gbps_per_worker_2workers $(awk -v g="$gbps" 'BEGIN { printf "%.3f", g / 2 }') Gbit/s"
echo "BENCH sensor.mpps_2workers $mpps Mpps"
echo "BENCH sensor.alerts_2workers $alerts alerts"
echo "BENCH sensor.gbps_per_cpu_2workers $gbps_cpu Gbit/s"
echo "BENCH sensor.peak_rss_mb $(( rss > rss1 ? rss : rss1 )) MB"
