#!/usr/bin/env bash
# `citytwin watch` against a served demo city on a free loopback port: it
# prints the snapshot and live changes, and reports a refused filter with
# the server's close code and a non-zero exit.
set -u
citytwin=$1
city=$2
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
echo "1 passed, 0 failed"
