#!/usr/bin/env bash
# `citytwin serve` on the demo city, bound to loopback on a free port: the
# API answers, the synthetic feed moves the twin, SIGTERM stops it cleanly.
set -u
citytwin=$1
city=$2
source "${0%/*}/../skip.sh"
need curl "apt-get install curl"
source "$(dirname "$0")/serve_lib.sh"
start_serve "$citytwin" "$city"

base="http://127.0.0.1:$port"
readings=0
for _ in $(seq 1 50); do # the feed ticks every 50 ms; wait at most 5 s
  readings=$(curl -sf "$base/api/status" | grep -o '"readings_applied":[0-9]*' \
             | cut -d: -f2)
  [ "${readings:-0}" -gt 0 ] && break
  sleep 0.1
done
[ "${readings:-0}" -gt 0 ] || fail "no readings applied"
curl -sf "$base/metrics" | grep -q "^citytwin_readings_applied_total [1-9]" \
  || fail "/metrics lacks the twin counters"
curl -sf "$base/metrics" | grep -q '^citytwin_viewer_refusals_total{reason="viewers"} 0' \
  || fail "/metrics lacks the viewer's refusal counters"
# HTTP/1.0, without a Host header (issue 10, finding 9).
curl -sf -0 -H 'Host:' "$base/api/status" | grep -q '"entities"' \
  || fail "HTTP/1.0 without Host is not answered"
curl -sf "$base/api/entities/urn:ngsi-ld:RoadSegment:demo:000000" \
  | grep -q '"vehicle_flow"' || fail "segment state missing"
code=$(curl -s -o /dev/null -w '%{http_code}' \
  "$base/api/entities/urn:ngsi-ld:StreetLight:demo:999999")
[ "$code" = 404 ] || fail "unknown entity gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/entities/../../etc")
[ "$code" = 400 ] || [ "$code" = 404 ] || fail "traversal gave $code"
stop_serve
wait "$pid" || fail "serve exited non-zero after SIGTERM"
rm -f "$log"
echo "1 passed, 0 failed"
