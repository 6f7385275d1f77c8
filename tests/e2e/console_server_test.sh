#!/usr/bin/env bash
# End to end: `canh user add` makes the first admin, `canh server` serves the console on a free
# loopback port, a sign-in over HTTP works as a browser's would, SIGTERM stops the server cleanly.
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

echo 'first admin password' | "$canh" user add --data "$work/data" --name admin --role admin >/dev/null
"$canh" server --data "$work/data" --listen 127.0.0.1:0 --threads 2 2>"$work/server.log" &
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

curl -sf "$base/" | grep -q '/assets/app.js' || fail "GET / does not serve the page"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/alerts")
[ "$code" = 401 ] || [ "$code" = 404 ] || fail "unauthenticated API call gave $code"
resp=$(curl -s -D "$work/headers" -H 'Content-Type: application/json' \
  -d '{"name":"admin","password":"first admin password"}' "$base/api/v1/login")
grep -qi '^set-cookie: canh_session=.*HttpOnly; SameSite=Strict' "$work/headers" || fail "no hardened session cookie"
csrf=$(printf '%s' "$resp" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(canh_session=[^;]*\);.*/\1/p' "$work/headers" | tr -d '\r')
me=$(curl -sf -H "Cookie: $cookie" "$base/api/v1/me")
printf '%s' "$me" | grep -q '"role":"admin"' || fail "me: $me"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -H 'Content-Type: application/json' \
  -d '{"name":"x1","role":"analyst","password":"0123456789ab"}' "$base/api/v1/users")
[ "$code" = 403 ] || fail "POST without CSRF token gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"name":"x1","role":"analyst","password":"0123456789ab"}' "$base/api/v1/users")
[ "$code" = 201 ] || fail "POST with CSRF token gave $code"
verify=$(curl -sf -H "Cookie: $cookie" "$base/api/v1/audit/verify")
printf '%s' "$verify" | grep -q '"ok":true' || fail "audit chain: $verify"

kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
pid=
[ "$rc" = 0 ] || fail "server exit status $rc after SIGTERM"
grep -q 'server: stopping signal=SIGTERM' "$work/server.log" || fail "no clean stop logged"
"$canh" user list --data "$work/data" | grep -q '^x1 ' || fail "user added over the API is not in the data folder"
echo "console_server_test: ok"
