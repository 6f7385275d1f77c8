#!/usr/bin/env bash
# Signed rule bundles end to end, on the command line and through the console:
#   keygen -> bundle create -> bundle verify (trusted key: ok; other key: refused);
#   a bundle with an altered manifest (bad signature), a changed rule file (tampered) or an
#   untrusted key is refused by verify, by `canh rules import` and by the console upload, and the
#   rule-set versions do not change; a good bundle becomes the current version, which a sensor's
#   heartbeat is told about and whose files the sensor downloads.
set -euo pipefail
canh=$1
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/server.log" ] && sed 's/^/  server: /' "$work/server.log" >&2; exit 1; }
cd "$work"

"$canh" rules keygen --out unit --comment "security unit, test" >/dev/null
"$canh" rules keygen --out other >/dev/null
[ "$(stat -c %a unit.key)" = 600 ] || fail "secret key mode is $(stat -c %a unit.key), expected 600"
if "$canh" rules keygen --out unit >/dev/null 2>&1; then fail "keygen overwrote an existing key"; fi
mkdir keys && cp unit.pub keys/

"$canh" demo --export demo >/dev/null
printf 'alert tcp any any -> any 4444 (msg:"bundle test v2 rule"; flow:established; content:"x"; sid:9100001; rev:1;)\n' >extra.rules
"$canh" rules bundle create --key unit.key --out v1.bundle --bundle-version 2026.11.23-1 --note "first" demo/demo.rules >/dev/null
"$canh" rules bundle create --key unit.key --out v2.bundle --bundle-version 2026.11.24-1 demo/demo.rules extra.rules >/dev/null
"$canh" rules bundle create --key other.key --out rogue.bundle --bundle-version 9 demo/demo.rules >/dev/null
tar tf v1.bundle | grep -qx 'rules/demo.rules' || fail "a bundle is not a tar archive that tar lists"

"$canh" rules bundle verify --pubkey unit.pub v1.bundle >verify.txt || fail "verify refused a good bundle"
grep -q '^OK: bundle 2026.11.23-1' verify.txt || fail "verify output: $(cat verify.txt)"
expect_refused() {  # what, expected message, command...
  local what=$1 msg=$2
  shift 2
  if "$@" >out.txt 2>&1; then fail "$what was accepted"; fi
  grep -q "$msg" out.txt || fail "$what: expected \"$msg\", got: $(cat out.txt)"
}
expect_refused "rogue bundle" "which is not trusted here" "$canh" rules bundle verify --trusted-keys keys rogue.bundle
python3 - <<'PY'
data = open("v1.bundle", "rb").read()
i = data.index(b"version 2026.11.23-1")
open("badsig.bundle", "wb").write(data[:i + 8] + b"3" + data[i + 9:])
j = data.index(b"sid:9000001")
open("tampered.bundle", "wb").write(data[:j + 10] + b"7" + data[j + 11:])
PY
expect_refused "altered manifest" "bad signature" "$canh" rules bundle verify --trusted-keys keys badsig.bundle
expect_refused "changed rule file" "tampered" "$canh" rules bundle verify --trusted-keys keys tampered.bundle

# Command-line import into a stopped server's data folder.
echo 'bundle admin password' | "$canh" user add --data data --name admin --role admin >/dev/null
for b in rogue badsig tampered; do
  expect_refused "import of $b" "REFUSED" "$canh" rules import --data data --trusted-keys keys $b.bundle
done
"$canh" rules import --data data --trusted-keys keys v1.bundle >import.txt || fail "import refused: $(cat import.txt)"
grep -q '^imported as rule-set version 1:' import.txt || fail "import output: $(cat import.txt)"

# The console: upload as an admin; refused uploads change nothing; the sensors are told.
cat >server.yaml <<YAML
server:
  data: $work/data
rule-bundles:
  trusted-keys: $work/keys
YAML
"$canh" server -c server.yaml --listen 127.0.0.1:0 --threads 2 2>server.log &
pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*server: ready url=http:\/\/127.0.0.1:\([0-9]*\)\/.*/\1/p' server.log | head -1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || fail "server exited early"
  sleep 0.1
done
[ -n "$port" ] || fail "server did not become ready"
base=http://127.0.0.1:$port
csrf=$(curl -s -c cookies -H 'Content-Type: application/json' -d '{"name":"admin","password":"bundle admin password"}' \
  "$base/api/v1/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
current() { curl -sf -b cookies "$base/api/v1/rulesets" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["current"], len(d["versions"]))'; }
upload() {  # file -> http status, body in upload.json
  curl -s -o upload.json -w '%{http_code}' -b cookies -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$1" "$base/api/v1/rulesets/bundle?name=$1"
}
[ "$(current)" = "1 1" ] || fail "after the CLI import: $(current)"
for b in rogue badsig tampered; do
  code=$(upload $b.bundle)
  [ "$code" = 403 ] || fail "console upload of $b gave $code: $(cat upload.json)"
done
[ "$(current)" = "1 1" ] || fail "a refused upload changed the versions: $(current)"
code=$(upload v2.bundle)
[ "$code" = 201 ] || fail "console upload of a good bundle gave $code: $(cat upload.json)"
[ "$(current)" = "2 2" ] || fail "after the upload: $(current)"
curl -sf -b cookies "$base/api/v1/audit?limit=50" | grep -q 'rules.bundle_import' || fail "bundle imports are not audited"

# Distribution: a sensor's heartbeat names version 2; the sensor downloads its files.
post() { curl -s -b cookies -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d "$2" "$base$1"; }
enrol=$(post /api/v1/sensors '{"name":"bundle-sensor"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["enrolment_token"])')
cred=$(curl -s -H 'Content-Type: application/json' -d "{\"token\":\"$enrol\",\"hostname\":\"b\",\"version\":\"t\"}" \
  "$base/api/v1/sensors/enrol" | python3 -c 'import json,sys; print(json.load(sys.stdin)["credential"])')
hb=$(curl -s -H "Authorization: Bearer $cred" -H 'Content-Type: application/json' -d '{"packets":0,"ruleset_version":"1"}' \
  "$base/api/v1/sensor/heartbeat")
python3 -c 'import json,sys; assert json.loads(sys.argv[1])["ruleset"]["version"] == 2, sys.argv[1]' "$hb" || fail "heartbeat: $hb"
sha=$(curl -sf -H "Authorization: Bearer $cred" "$base/api/v1/sensor/ruleset" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print([f["sha256"] for f in d["files"] if f["name"]=="extra.rules"][0])')
curl -sf -H "Authorization: Bearer $cred" "$base/api/v1/sensor/rulefile/$sha" | grep -q 'sid:9100001' ||
  fail "the sensor cannot download the bundle's rule file"
kill -TERM "$pid"
wait "$pid" || fail "server exit status $?"
pid=
echo "bundle_test: ok"
