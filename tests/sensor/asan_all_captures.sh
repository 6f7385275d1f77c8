#!/usr/bin/env bash
# Runs `canh sensor` over every capture in suricata-verify's tests (each with its own test.rules and
# arguments, as run.py would) and fails if any run exits non-zero or prints a sanitizer report.
# Meant for the ASan+UBSan build:  tests/sensor/asan_all_captures.sh build-asan/canh [TESTS_DIR]
# Skips (exit 0 with a message) when the suricata-verify tests are not there.
set -uo pipefail
canh=${1:?usage: asan_all_captures.sh CANH_BINARY [TESTS_DIR]}
tests=${2:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/suricata-verify/tests}
if [ ! -d "$tests" ]; then
  echo "SKIP: no suricata-verify tests at $tests"
  exit 0
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}
export CANH_RULES_CACHE=${CANH_RULES_CACHE:-$(mktemp -d)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
mapfile -t pcaps < <(find "$tests" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort)
for pcap in "${pcaps[@]}"; do
  dir=$(dirname "$pcap")
  rules="$dir/test.rules"
  [ -f "$rules" ] || rules=/dev/null
  args=()
  if [ -f "$dir/test.yaml" ]; then
    # The test's own pass-through arguments (-k none, --set k=v, --runmode ...), as run.py passes them.
    mapfile -t args < <(python3 - "$dir/test.yaml" <<'PY' 2>/dev/null
import shlex, sys
try:
    import yaml
    cfg = yaml.safe_load(open(sys.argv[1])) or {}
except Exception:
    cfg = {}
a = cfg.get("args") or []
if isinstance(a, str): a = [a]
for x in a:
    for w in shlex.split(str(x)): print(w)
PY
)
  fi
  out="$work/out"
  rm -rf "$out"
  mkdir -p "$out"
  "$canh" sensor -r "$pcap" -S "$rules" -l "$out" -q "${args[@]}" >"$work/log" 2>&1
  rc=$?
  if [ $rc -ne 0 ] || grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$work/log"; then
    # A rules file the engine rejects as a whole is not a sensor failure: retry without rules.
    if [ $rc -eq 1 ] && grep -q '^canh sensor: rules:' "$work/log"; then
      "$canh" sensor -r "$pcap" -S /dev/null -l "$out" -q "${args[@]}" >"$work/log" 2>&1
      rc=$?
      if [ $rc -eq 0 ] && ! grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$work/log"; then
        pass=$((pass + 1))
        continue
      fi
    fi
    fail=$((fail + 1))
    echo "FAIL (exit $rc) $pcap"
    grep -E 'ERROR|runtime error|SUMMARY' "$work/log" | head -5
    tail -2 "$work/log"
  else
    pass=$((pass + 1))
  fi
done
echo "captures: $pass passed, $fail failed"
[ $fail -eq 0 ]
