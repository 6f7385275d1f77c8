#!/usr/bin/env bash
# End to end: compliance changes made through a real `canh server` land in the hash-chained audit
# log; `canh audit verify` passes on it (also while the server runs), then one record is changed
# directly in RocksDB and verify fails naming that record. A forger who also recomputes the record's
# own hash is caught at the next record; a deleted record is named as missing.
set -euo pipefail
canh=$1
tamper=$2
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/server.log" ] && sed 's/^/  server: /' "$work/server.log" >&2; exit 1; }

data=$work/data
for u in admin:admin lan:analyst; do
  echo 'compliance test password' | "$canh" user add --data "$data" --name "${u%%:*}" --role "${u##*:}" >/dev/null
done
"$canh" server --data "$data" --listen 127.0.0.1:0 --threads 2 2>"$work/server.log" &
pid=$!
port=
for _ in $(seq 1 200); do   # poll with a deadline (20 s): the server logs its URL when ready
  port=$(sed -n 's/.*server: ready url=http:\/\/127.0.0.1:\([0-9]*\)\/.*/\1/p' "$work/server.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || fail "server exited early"
  sleep 0.1
done
[ -n "$port" ] || fail "server did not become ready"
base=http://127.0.0.1:$port

login() {  # prints "cookie csrf"
  local resp
  resp=$(curl -s -D "$work/h.$1" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$1\",\"password\":\"compliance test password\"}" "$base/api/v1/login")
  printf '%s %s\n' "$(sed -n 's/^[Ss]et-[Cc]ookie: \(canh_session=[^;]*\);.*/\1/p' "$work/h.$1" | tr -d '\r')" \
    "$(printf '%s' "$resp" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')"
}
read -r acookie acsrf < <(login admin)
read -r lcookie lcsrf < <(login lan)
call() {  # who method path body -> prints body, fails on 4xx/5xx
  local c s
  if [ "$1" = admin ]; then c=$acookie; s=$acsrf; else c=$lcookie; s=$lcsrf; fi
  curl -sf -X "$2" -H "Cookie: $c" -H "X-CSRF-Token: $s" -H 'Content-Type: application/json' -d "$4" "$base$3" \
    || fail "$1 $2 $3"
}
sys=$(call admin POST /api/v1/compliance/systems \
  '{"name":"Hệ thống thư điện tử","owner":"Sở TT","operating_unit":"Trung tâm CNTT","ranges":["10.9.0.0/16"]}')
id=$(printf '%s' "$sys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["system"]["id"])')
call admin PUT "/api/v1/compliance/systems/$id/duties" '{"revision":1,"duties":[{"user":"lan","duty":"operator"}]}' >/dev/null
call lan POST "/api/v1/compliance/systems/$id/dossiers" '{}' >/dev/null
call lan PUT "/api/v1/compliance/systems/$id/dossiers/1" '{"revision":1,"proposed_level":2,"justification":"staff e-mail"}' >/dev/null

# Verify while the server still runs: the read-only open does not need the server's lock.
out=$("$canh" audit verify --data "$data") || fail "verify of an intact log (server running): $out"
echo "$out" | grep -q '^audit log intact: [0-9]* records' || fail "unexpected verify output: $out"
kill -TERM "$pid"; wait "$pid" || true; pid=

out=$("$canh" audit verify --data "$data") || fail "verify of an intact log: $out"
records=$(echo "$out" | sed -n 's/^audit log intact: \([0-9]*\) records.*/\1/p')
[ "$records" -ge 5 ] || fail "expected at least 5 records, got: $out"
"$canh" audit export --data "$data" --out "$work/export.ndjson" 2>"$work/export.err" || fail "export"
[ "$(wc -l <"$work/export.ndjson")" = "$records" ] || fail "export has $(wc -l <"$work/export.ndjson") lines, not $records"
grep -q '"action":"compliance.dossier.edit"' "$work/export.ndjson" || fail "the dossier edit is not in the log"
# The export checks out with nothing but sha256sum: each line's bytes before ,"hash" plus } hash to it.
while IFS= read -r line; do
  body="${line%,\"hash\":*}}"
  want=$(printf '%s' "$line" | sed -n 's/.*,"hash":"\([0-9a-f]*\)"}$/\1/p')
  got=$(printf '%s' "$body" | sha256sum | cut -d' ' -f1)
  [ "$want" = "$got" ] || fail "export line does not hash to its hash: $line"
done <"$work/export.ndjson"

cp -a "$data" "$work/pristine"
target=3
"$tamper" "$data" $target edit >/dev/null || fail "tamper tool"
set +e
out=$("$canh" audit verify --data "$data"); rc=$?
set -e
[ "$rc" = 1 ] || fail "verify after editing record $target exited $rc: $out"
echo "$out" | grep -q "^audit log BROKEN at record $target: seq $target: hash mismatch (record edited)" \
  || fail "verify does not name record $target: $out"
echo "$out" | grep -q "records 1 to $((target - 1)) are intact" || fail "intact prefix not reported: $out"
echo "$out" | grep -q "record $target as stored: .*TAMPERED" || fail "the stored record is not shown: $out"

rm -rf "$data"; cp -a "$work/pristine" "$data"
"$tamper" "$data" $target rehash >/dev/null || fail "tamper tool"
set +e
out=$("$canh" audit verify --data "$data"); rc=$?
set -e
[ "$rc" = 1 ] || fail "verify after re-hashing record $target exited $rc: $out"
echo "$out" | grep -q "^audit log BROKEN at record $((target + 1)): .*previous-hash link broken" \
  || fail "a re-hashed record $target is not caught at $((target + 1)): $out"

rm -rf "$data"; cp -a "$work/pristine" "$data"
"$tamper" "$data" 2 delete >/dev/null || fail "tamper tool"
set +e
out=$("$canh" audit verify --data "$data"); rc=$?
set -e
[ "$rc" = 1 ] || fail "verify after deleting record 2 exited $rc: $out"
echo "$out" | grep -q "^audit log BROKEN at record 2: seq 2: missing" || fail "deleted record not named: $out"

set +e
"$canh" audit verify --data "$work/nowhere" >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 2 ] || fail "verify of a missing data folder exited $rc"
echo "compliance_audit_test: ok"
