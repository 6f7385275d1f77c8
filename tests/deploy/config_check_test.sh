#!/usr/bin/env bash
# canh config check: the shipped configuration files are valid as installed (paths pointed at a
# temporary folder), and broken ones are reported as FILE:LINE: KEY: message with the right line.
set -euo pipefail
canh=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/out.txt" ] && sed 's/^/  /' "$work/out.txt" >&2; exit 1; }
line_of() { grep -n -m1 -- "$1" "$2" | cut -d: -f1; }

mkdir -p "$work/rules" "$work/keys" "$work/data"
echo 'alert tcp any any -> any any (msg:"x"; content:"x"; sid:1;)' >"$work/rules/local.rules"
sed "s|/etc/canh/rules|$work/rules|" "$src/deploy/canh.yaml" >"$work/canh.yaml"
sed -e "s|/etc/canh/trusted-keys|$work/keys|" -e "s|/var/lib/canh|$work/data|" "$src/deploy/server.yaml.example" >"$work/server.yaml"

# The shipped files: valid, and every key of the sensor's file is one the sensor reads (--strict).
"$canh" config check --strict "$work/canh.yaml" >"$work/out.txt" || fail "deploy/canh.yaml is not valid"
grep -q 'sensor configuration is valid (0 errors, 0 warnings)' "$work/out.txt" || fail "unexpected output"
"$canh" config check "$work/server.yaml" >"$work/out.txt" || fail "deploy/server.yaml.example is not valid"
grep -q 'server configuration is valid' "$work/out.txt" || fail "server file not recognised as such"

expect() {  # file, expected substring (with the line), [--strict]
  local file=$1 want=$2
  shift 2
  if "$canh" config check "$@" "$file" >"$work/out.txt" 2>&1; then fail "$(basename "$file") passed, expected: $want"; fi
  grep -qF -- "$want" "$work/out.txt" || fail "expected \"$want\""
}

# Sensor: a bad value names its key and line.
sed 's/    depth: 1mb /    depth: lots/' "$work/canh.yaml" >"$work/bad1.yaml"
n=$(line_of 'depth: lots' "$work/bad1.yaml")
expect "$work/bad1.yaml" "bad1.yaml:$n: error: stream.reassembly.depth: expected a size"
# A typo in a key: a warning with its line (an error with --strict).
sed 's/  midstream: true/  midstrem: true/' "$work/canh.yaml" >"$work/bad2.yaml"
n=$(line_of 'midstrem' "$work/bad2.yaml")
"$canh" config check "$work/bad2.yaml" >"$work/out.txt" || fail "a warning alone made the check fail"
grep -qF "bad2.yaml:$n: warning: stream.midstrem: not used by canh sensor" "$work/out.txt" || fail "typo not reported with its line"
expect "$work/bad2.yaml" "bad2.yaml:$n: warning: stream.midstrem" --strict
# Several problems in one file: each with its own line (looking one up must not disturb the next).
sed -e 's/  midstream: true/  midstrem: true/' -e 's/    depth: 1mb /    depth: lots/' -e 's/  - local.rules/  - missing.rules/' \
  "$work/canh.yaml" >"$work/bad6.yaml"
"$canh" config check "$work/bad6.yaml" >"$work/out.txt" 2>&1 && fail "bad6.yaml passed"
for want in "bad6.yaml:$(line_of 'midstrem' "$work/bad6.yaml"): warning: stream.midstrem" \
            "bad6.yaml:$(line_of 'depth: lots' "$work/bad6.yaml"): error: stream.reassembly.depth" \
            "bad6.yaml:$(line_of '^rule-files:' "$work/bad6.yaml"): error: rule-files:"; do
  grep -qF -- "$want" "$work/out.txt" || fail "expected \"$want\""
done
# A rule file that is not there.
sed 's/  - local.rules/  - missing.rules/' "$work/canh.yaml" >"$work/bad3.yaml"
n=$(line_of '^rule-files:' "$work/bad3.yaml")
expect "$work/bad3.yaml" "bad3.yaml:$n: error: rule-files: $work/rules/missing.rules: no such file"
# An app-layer value the app layer refuses.
sed 's/request-body-limit: 100kb/request-body-limit: plenty/' "$work/canh.yaml" >"$work/bad4.yaml"
expect "$work/bad4.yaml" "request-body-limit"
# YAML syntax.
printf 'stream:\n  midstream: [yes\n' >"$work/bad5.yaml"
expect "$work/bad5.yaml" "bad5.yaml:"

# Server: unknown keys, bad values and missing files, each with its line.
sed 's/^  threads: 4 /  threads: many/' "$work/server.yaml" >"$work/sbad1.yaml"
n=$(line_of 'threads: many' "$work/sbad1.yaml")
expect "$work/sbad1.yaml" "sbad1.yaml:$n: error: server.threads: expected a number from 1 to 64"
sed 's/^  listen: /  lisen: /' "$work/server.yaml" >"$work/sbad2.yaml"
n=$(line_of 'lisen:' "$work/sbad2.yaml")
expect "$work/sbad2.yaml" "sbad2.yaml:$n: error: server.lisen: unknown key"
sed 's|allow: \[127.0.0.0/8, "::1/128"\]|allow: [127.0.0.0/33]|' "$work/server.yaml" >"$work/sbad3.yaml"
n=$(line_of '127.0.0.0/33' "$work/sbad3.yaml")
expect "$work/sbad3.yaml" "sbad3.yaml:$n: error: metrics.allow"
sed "s|$work/keys|$work/nokeys|" "$work/server.yaml" >"$work/sbad4.yaml"
n=$(line_of 'trusted-keys:' "$work/sbad4.yaml")
expect "$work/sbad4.yaml" "sbad4.yaml:$n: error: rule-bundles.trusted-keys:"
echo "config_check_test: ok"
