#!/usr/bin/env bash
# `citytwin watch` against a served demo city on a free loopback port: it
# prints the snapshot and live changes, and reports a refused filter with
# the server's close code and a non-zero exit. Then the same with
# `serve --access data/access/demo.yaml`: tokens and tenants decide which
# kinds the stream carries, and bad ones are refused with 1008 and counted.
set -u
citytwin=$1
city=$2
source "${0%/*}/../skip.sh"
need curl "apt-get install curl"
source "$(dirname "$0")/serve_lib.sh"
start_serve "$citytwin" "$city"
url="ws://127.0.0.1:$port/ws"

out=$(timeout 20 "$citytwin" watch "$url" --json --count 3 2>&1) \
  || fail "watch --json failed: $out"
grep -q '"type":"hello"' <<<"$out" || fail "no hello in: $out"
grep -q '"type":"layout"' <<<"$out" || fail "no layout in: $out"

out=$(timeout 20 "$citytwin" watch "$url" --kinds street_lamp --count 2 2>&1) \
  || fail "watch --kinds failed: $out"
grep -q 'urn:ngsi-ld:StreetLight:demo:' <<<"$out" || fail "no lamp in: $out"
grep -q 'urn:ngsi-ld:RoadSegment' <<<"$out" && fail "filter let a segment through"

out=$(timeout 20 "$citytwin" watch "$url" --kinds dragon 2>&1) \
  && fail "watch accepted an unknown kind"
grep -q "1008" <<<"$out" || fail "no close code 1008 in: $out"

kill -TERM "$pid"
wait "$pid" || fail "serve exited non-zero after SIGTERM"
rm -f "$log"

# Like start_serve (serve_lib.sh), with extra options for serve.
start_serve_with() {
  log=$(mktemp)
  "$citytwin" serve "$city" --host 127.0.0.1 --port 0 --feed-tick-ms 50 \
    --api-port 0 "$@" >"$log" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$')
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "serve exited early"
    sleep 0.1
  done
  fail "serve printed no address"
}

# Runs watch; its output lands in $out, its exit status is returned.
watch_with() {
  out=$(timeout 20 "$citytwin" watch "$url" "$@" 2>&1)
}

# Expects watch to be refused with 1008 and `reason`.
refused() {
  local reason=$1
  shift
  watch_with "$@" && fail "watch $* was not refused: $out"
  grep -q "closed the stream with 1008: .*$reason" <<<"$out" \
    || fail "watch $* not refused with 1008 '$reason': $out"
}

access=$(dirname "$city")/access/demo.yaml
start_serve_with --access "$access"
url="ws://127.0.0.1:$port/ws"

# Anonymous: open data only (StreetLight, CC-BY-4.0 in demo.yaml).
watch_with --json --count 2 || fail "anonymous watch failed: $out"
grep -q '"principal":"anonymous","readable":\["street_lamp"\]' <<<"$out" \
  || fail "anonymous hello is not lamps only: $out"
grep -q 'urn:ngsi-ld:StreetLight:demo:' <<<"$out" || fail "no lamp in: $out"
grep -q 'urn:ngsi-ld:RoadSegment' <<<"$out" \
  && fail "an anonymous viewer saw a road segment"

# A token of the city's own tenant reads private kinds; the secret comes
# from the environment here, so it never shows in `ps`.
out=$(CITYTWIN_TOKEN=demo-viewer-secret timeout 20 "$citytwin" watch "$url" \
  --kinds road_segment --count 2 2>&1) || fail "demo-viewer watch failed: $out"
grep -q 'urn:ngsi-ld:RoadSegment:demo:' <<<"$out" || fail "no segment in: $out"

# An app token of another tenant reads what demo shares with it.
watch_with --json --count 1 --token parkfinder-secret --tenant demo \
  || fail "parkfinder watch failed: $out"
grep -q '"readable":\["street_lamp","traffic_counter","parking_sensor"\]' \
  <<<"$out" || fail "parkfinder does not read lamps, counters, parking: $out"

refused "token refused: unknown" --token wrong-secret
refused "token refused: expired" --token demo-expired-secret
# aarhus-admin's own tenant has a city in the broker (NGSI-LD API), but
# the viewer streams the served city only.
refused "tenant 'aarhus' is not on this stream" --token aarhus-admin-secret
refused "tenant 'nowhere' is not on this stream" --tenant nowhere
refused "may not read RoadSegment" --kinds road_segment

# Stream counters are for monitoring tokens only (issue 10, finding 6).
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/stream")
[ "$code" = 401 ] || fail "anonymous /api/stream answered $code, not 401"
stats=$(curl -sf -H "Authorization: bearer demo-monitor-secret" \
  "http://127.0.0.1:$port/api/stream") || fail "no /api/stream"
for counter in '"refused_unknown_token":1' '"refused_expired_token":1' \
  '"refused_tenant":2' '"refused_no_access":1'; do
  grep -q "$counter" <<<"$stats" || fail "/api/stream lacks $counter: $stats"
done
kill -TERM "$pid"
wait "$pid" || fail "serve --access exited non-zero after SIGTERM"
rm -f "$log"

# A city that shares nothing: anonymous viewers are refused outright.
private=$(mktemp --suffix=.yaml)
printf 'version: 1\ntenants:\n  - name: demo\n    city: %s\n' \
  "$(realpath "$city")" >"$private"
start_serve_with --access "$private"
url="ws://127.0.0.1:$port/ws"
refused "anonymous viewers may read nothing of 'demo'"
kill -TERM "$pid"
wait "$pid" || fail "serve --access exited non-zero after SIGTERM"
rm -f "$log" "$private"
echo "1 passed, 0 failed"
