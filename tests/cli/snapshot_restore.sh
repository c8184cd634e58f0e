#!/usr/bin/env bash
# Moving a city (issue 13): a server keeps the demo tenant's history and
# an entity created through its API, its snapshot is restored into
# another server's archive folder, and the new server answers every
# entity and a temporal query as the first did. A
# damaged snapshot is refused and leaves nothing behind; a restore never
# writes over an existing tenant.
# usage: snapshot_restore.sh CITYTWIN CITY_FILE ACCESS_FILE
set -u
citytwin=$1 city=$2 access=$3
source "${0%/*}/../skip.sh"
need curl "apt-get install curl"
need tar "apt-get install tar"
work=$(mktemp -d)
log="$work/serve.log"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
# No rules: what is compared is the state the archive restores.
printf "version: 1\nrules: []\n" >"$work/no-rules.yaml"

source "${0%/*}/serve_lib.sh"
start() { # ARCHIVE CITY [serve options...]
  start_api_serve "$citytwin" "$2" --access "$access" --archive "$1" \
    --archive-segment-s 1 --rules "$work/no-rules.yaml" "${@:3}"
}
stop() { stop_serve_cleanly; }
auth=(-H "Authorization: Bearer demo-admin-secret")
entity=urn:ngsi-ld:TrafficCounter:demo:000000

# Every entity of the city's own types, page by page, and one history.
dump() { # OUT
  : >"$1"
  for type in RoadSegment Intersection StreetLight WasteContainer \
              TrafficCounter AirQualitySensor NoiseSensor ParkingSensor \
              EnergyMeter Bench; do
    offset=0
    while :; do
      page=$(curl -sf "$api/ngsi-ld/v1/entities?type=$type&limit=1000&offset=$offset" \
               "${auth[@]}") || fail "query of $type failed"
      [ "$page" = "[]" ] && break
      echo "$page" >>"$1"
      offset=$((offset + 1000))
    done
  done
  curl -sf "$api/ngsi-ld/v1/temporal/entities/$entity?lastN=30&attrs=intensity" \
    "${auth[@]}" >>"$1" || fail "temporal query failed"
}

# `dump` once the state has settled: a server restores its newest values
# by sending them to the twin, and the API sees them as the deltas arrive,
# so a dump right after start can catch them half applied. Two equal
# dumps in a row (at most 20 tries) are the state.
dump_settled() { # OUT
  dump "$1"
  for _ in $(seq 1 20); do
    dump "$1.again"
    cmp -s "$1" "$1.again" && return 0
    mv "$1.again" "$1"
    sleep 0.1
  done
  fail "the state of $1 did not settle"
}

# Server A: some history from the feed, then served again without the
# feed so nothing moves while it is read.
start "$work/a" "$city" --feed-tick-ms 20
sleep 2
stop
start "$work/a" "$city" --no-feed
# An entity created through the API moves with the city (space.log).
curl -sf -X POST "$api/ngsi-ld/v1/entities" "${auth[@]}" \
  -H "Content-Type: application/json" \
  --data '{"id":"urn:ngsi-ld:Bench:demo:b1","type":"Bench","seats":{"type":"Property","value":4}}' \
  || fail "creating an API entity failed"
dump_settled "$work/before.json"
grep -q 'urn:ngsi-ld:Bench:demo:b1' "$work/before.json" || fail "no API entity before the move"
grep -q '"observedAt"' "$work/before.json" || fail "no history before the move"
stop

started=$(date +%s%N)
"$citytwin" snapshot --archive "$work/a" --tenant demo --city "$city" \
  -o "$work/demo.snapshot" >"$work/snap.log" 2>&1 || { cat "$work/snap.log"; fail "snapshot failed"; }
"$citytwin" restore "$work/demo.snapshot" --archive "$work/b" \
  >"$work/restore.log" 2>&1 || { cat "$work/restore.log"; fail "restore failed"; }
took_ms=$(( ($(date +%s%N) - started) / 1000000 ))
tar tf "$work/demo.snapshot" | grep -q '^citytwin-snapshot/archive/latest.bin$' \
  || fail "the snapshot is not a tar that lists latest.bin"

# Server B: the restored tenant, its own city file.
start "$work/b" "$work/b/demo/city.city" --no-feed
dump_settled "$work/after.json"
stop
cmp -s "$work/before.json" "$work/after.json" \
  || fail "entities or history differ after the move: $(diff <(tr ',' '\n' <"$work/before.json") <(tr ',' '\n' <"$work/after.json") | head -5)"

# Never over an existing tenant; a damaged snapshot leaves nothing.
"$citytwin" restore "$work/demo.snapshot" --archive "$work/b" 2>"$work/err" \
  && fail "a restore wrote over an existing tenant"
grep -q "exists" "$work/err" || fail "no reason given: $(cat "$work/err")"
head -c 100000 "$work/demo.snapshot" >"$work/cut.snapshot"
"$citytwin" restore "$work/cut.snapshot" --archive "$work/c" 2>"$work/err" \
  && fail "a cut snapshot was restored"
grep -q "not a whole citytwin snapshot" "$work/err" || fail "unclear: $(cat "$work/err")"
# The audit log records the refusal (audit_trail.hpp); nothing else stays.
left=$(ls -A "$work/c" 2>/dev/null | grep -vx 'audit.log')
[ -z "$left" ] || fail "a failed restore left files: $left"
grep -q '"action":"restore".*"result":"failed: ' "$work/c/audit.log" \
  || fail "the failed restore is not in the audit log"
echo "snapshot + restore of $(du -b "$work/demo.snapshot" | cut -f1) bytes in $took_ms ms"
echo "1 passed, 0 failed"
