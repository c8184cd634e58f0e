#!/usr/bin/env bash
# State that survives restarts (issue 13): entities created through the
# NGSI-LD API and subscriptions come back after `kill -9` exactly as the
# server acknowledged them (a deleted entity stays deleted), and a clean
# stop keeps the subscriptions' counters too.
# usage: api_state_restart.sh CITYTWIN CITY_FILE ACCESS_FILE
set -u
citytwin=$1 city=$2 access=$3
source "${0%/*}/../skip.sh"
need curl "apt-get install curl"
need python3
work=$(mktemp -d)
log="$work/serve.log"
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
printf "version: 1\nrules: []\n" >"$work/no-rules.yaml"

source "${0%/*}/serve_lib.sh"
start() {
  start_api_serve "$citytwin" "$city" --access "$access" \
    --archive "$work/archive" --rules "$work/no-rules.yaml" --no-feed
}
auth=(-H "Authorization: Bearer demo-admin-secret")
json=(-H "Content-Type: application/json")
bench=urn:ngsi-ld:Bench:demo:b1
gone=urn:ngsi-ld:Bench:demo:b2
sub=urn:ngsi-ld:Subscription:benches
# A loopback port nobody listens on: every notification fails, which the
# subscription counts.
dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

call() { # METHOD PATH [BODY] -> status code on stdout
  curl -s -o "$work/body" -w '%{http_code}' -X "$1" "$api/ngsi-ld/v1$2" \
    "${auth[@]}" "${json[@]}" ${3:+--data "$3"}
}
expect() { # STATUS METHOD PATH [BODY]
  local got
  got=$(call "${@:2}")
  [ "$got" = "$1" ] || fail "$2 $3: $got, expected $1: $(cat "$work/body")"
}
times_failed() {
  expect 200 GET "/subscriptions/$sub"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["notification"]["timesFailed"])' "$work/body"
}
# Waits (at most 10 s) until the subscription has failed at least N times.
wait_failed() {
  for _ in $(seq 1 100); do
    [ "$(times_failed)" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "the subscription never counted $1 failed notifications"
}

start
grep -q "API state restored: 0 entities, 0 subscriptions" "$log" \
  || fail "a fresh archive restored something"
expect 201 POST /entities \
  "{\"id\":\"$bench\",\"type\":\"Bench\",\"seatCount\":{\"type\":\"Property\",\"value\":4}}"
expect 201 POST /entities "{\"id\":\"$gone\",\"type\":\"Bench\"}"
expect 201 POST /subscriptions \
  "{\"id\":\"$sub\",\"type\":\"Subscription\",\"entities\":[{\"type\":\"Bench\"}],\"notification\":{\"endpoint\":{\"uri\":\"http://127.0.0.1:$dead_port/hook\"}}}"
expect 204 PATCH "/entities/$bench/attrs" '{"seatCount":{"type":"Property","value":5}}'
expect 204 DELETE "/entities/$gone"
wait_failed 1
expect 200 GET "/entities/$bench"
cp "$work/body" "$work/before.json"

# Killed: what was acknowledged comes back, nothing else.
kill -9 "$pid"
wait "$pid" 2>/dev/null
start
grep -q "API state restored: 1 entities, 1 subscriptions (0 left out)" "$log" \
  || fail "restore line missing: $(grep restored "$log")"
expect 200 GET "/entities/$bench"
cmp -s "$work/body" "$work/before.json" \
  || fail "the entity differs after kill -9: $(cat "$work/body") vs $(cat "$work/before.json")"
expect 404 GET "/entities/$gone"
# The subscription still works: a change is notified (and fails again).
expect 204 PATCH "/entities/$bench/attrs" '{"seatCount":{"type":"Property","value":6}}'
wait_failed 1
failed=$(times_failed)

# A clean stop keeps the counters.
stop_serve_cleanly
start
[ "$(times_failed)" -ge "$failed" ] \
  || fail "timesFailed went from $failed to $(times_failed) across a clean restart"
expect 200 GET "/entities/$bench"
grep -q '"value":6' "$work/body" || fail "the last change was lost: $(cat "$work/body")"
stop_serve_cleanly
pid=""
echo "API entities and subscriptions survive kill -9 and restarts"
