#!/usr/bin/env bash
# Runs one fuzz target over seeds made from ../shared (tests/fuzz/shared_seeds.py), or skips (77)
# when that folder was absent:  shared_run.sh TARGET SEED_DIR RUNS
set -euo pipefail
target=$1 seeds=$2 runs=$3
if [[ -e $seeds/../ABSENT || ! -d $seeds ]]; then
  echo "skipped: no seeds from ../shared ($(cat "$seeds/../ABSENT" 2>/dev/null || echo "$seeds missing"))"
  exit 77
fi
# -runs= is understood by libFuzzer and by the g++ driver (common/fuzz_driver.cc) alike.
exec "$target" -runs="$runs" -max_len=65536 "$seeds"
