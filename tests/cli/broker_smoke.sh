#!/usr/bin/env bash
# `citytwin serve --access`: one process hosts both demo tenants' cities,
# each visible only in its own tenant, and stops cleanly on SIGTERM.
# usage: broker_smoke.sh CITYTWIN CITY_FILE ACCESS_FILE
set -u
citytwin=$1 city=$2 access=$3
source "${0%/*}/../skip.sh"
need curl "apt-get install curl"
log=$(mktemp)
fail() {
  echo "FAIL: $*"
  cat "$log"
  kill "$pid" 2>/dev/null
  exit 1
}
"$citytwin" serve "$city" --host 127.0.0.1 --port 0 --no-feed \
  --access "$access" --api-port 0 >"$log" 2>&1 &
pid=$!
api=""
for _ in $(seq 1 100); do
  api=$(grep -o 'NGSI-LD API on http://127.0.0.1:[0-9]*' "$log" | grep -o 'http.*')
  [ -n "$api" ] && break
  kill -0 "$pid" 2>/dev/null || fail "serve exited early"
  sleep 0.1
done
[ -n "$api" ] || fail "serve printed no API address"
grep -q "tenant 'aarhus' live with 1668 entities" "$log" \
  || fail "the second tenant's city did not start"

count() { # TOKEN TENANT TYPE -> NGSILD-Results-Count
  curl -s -D - -o /dev/null \
    "$api/ngsi-ld/v1/entities?type=$3&count=true&limit=1" \
    -H "Authorization: Bearer $1" -H "NGSILD-Tenant: $2" |
    tr -d '\r' | sed -n 's/^NGSILD-Results-Count: //Ip'
}
[ "$(count demo-admin-secret demo StreetLight)" = 5000 ] \
  || fail "demo should see its 5000 lamps"
[ "$(count aarhus-admin-secret aarhus StreetLight)" = 1000 ] \
  || fail "aarhus should see its 1000 lamps"
[ "$(count demo-admin-secret aarhus StreetLight)" = "" ] \
  || fail "demo must not query aarhus's private lamps"
status=$(curl -s -o /dev/null -w '%{http_code}' \
  "$api/ngsi-ld/v1/entities/urn:ngsi-ld:StreetLight:aarhus:000001" \
  -H "Authorization: Bearer demo-admin-secret" -H "NGSILD-Tenant: aarhus")
# 404, as for a missing id: the caller may not know it exists (issue 10,
# finding 7).
[ "$status" = 404 ] || fail "cross-tenant read answered $status, not 404"
# aarhus runs its own rules (data/rules/aarhus.yaml) on its own twin: a
# lamp commanded to full raises an Alert entity of aarhus, not of demo.
grep -q "tenant 'aarhus' runs 1398 rule instances" "$log" \
  || fail "the second tenant's rules did not start"
status=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH \
  "$api/ngsi-ld/v1/entities/urn:ngsi-ld:StreetLight:aarhus:000007/attrs/dimLevelCommand" \
  -H "Authorization: Bearer aarhus-admin-secret" -H "NGSILD-Tenant: aarhus" \
  -H "Content-Type: application/json" \
  -d '{"type":"Property","value":1.0}')
[ "$status" = 204 ] || fail "aarhus lamp command answered $status, not 204"
for _ in $(seq 50); do
  [ "$(count aarhus-admin-secret aarhus Alert)" = 1 ] && break
  sleep 0.1
done
[ "$(count aarhus-admin-secret aarhus Alert)" = 1 ] \
  || fail "aarhus's rule raised no Alert entity"
curl -s "$api/ngsi-ld/v1/entities?type=Alert" \
  -H "Authorization: Bearer aarhus-admin-secret" -H "NGSILD-Tenant: aarhus" |
  grep -q 'StreetLight:aarhus:000007' || fail "the alert is not the lamp's"
[ "$(count demo-admin-secret demo Alert)" = 0 ] \
  || fail "demo sees an alert it did not raise"
# The broker's counters are on the viewer server's /metrics.
port=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$')
# /metrics takes a monitor (or the city's admin) token; anonymous callers
# get 401 and open-data counts from /api/status only (issue 10).
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")
[ "$code" = 401 ] || fail "anonymous /metrics answered $code, not 401"
curl -s "http://127.0.0.1:$port/api/status" | grep -q 'readings' \
  && fail "anonymous /api/status shows ingest counters"
scrape() {
  curl -s -H "Authorization: Bearer demo-monitor-secret" \
    "http://127.0.0.1:$port/metrics"
}
scrape | grep -q 'citytwin_broker_refused_total{reason="cross_tenant_read"} 1' \
  || fail "/metrics has no count of the refused query"
scrape | grep -q 'citytwin_broker_refused_total{reason="hidden_entity"} 1' \
  || fail "/metrics has no count of the hidden entity"
scrape | grep -q 'citytwin_viewer_refusals_total{reason="unauthorized"} 1' \
  || fail "/metrics has no count of the anonymous scrape"
scrape | grep -q 'secret' && fail "/metrics shows a secret"
kill -TERM "$pid"
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "serve did not stop within 10 s"
wait "$pid"
rc=$?
[ "$rc" = 0 ] || fail "serve exited with $rc"
echo "PASS: two tenants' cities in one server, isolated"
