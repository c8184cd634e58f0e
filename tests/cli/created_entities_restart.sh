#!/usr/bin/env bash
# State that survives restarts (issue 13): a sensor entity that
# `--unknown-ids create` made for an id no binding knew is back after
# `kill -9` with the same URN and its newest value, before its device
# sends again; the device's next reading goes to that entity, and a new
# device gets a new number. A real mosquitto on a free loopback port.
# usage: created_entities_restart.sh CITYTWIN CITY_FILE ACCESS_FILE
set -u
citytwin=$1 city=$2 access=$3
source "${0%/*}/../skip.sh"
need mosquitto "apt-get install mosquitto"
need mosquitto_pub "apt-get install mosquitto-clients"
need curl "apt-get install curl"
need python3
work=$(mktemp -d)
log="$work/serve.log"
pid=""
broker_pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null; rm -rf "$work"' EXIT
printf "version: 1\nrules: []\n" >"$work/no-rules.yaml"
source "${0%/*}/serve_lib.sh"

source "${0%/*}/mosquitto_lib.sh"
start_mosquitto "$work"

start() {
  log="$work/serve-$1.log"
  start_api_serve "$citytwin" "$city" --access "$access" --no-feed \
    --archive "$work/archive" --rules "$work/no-rules.yaml" \
    --mqtt "mqtt://127.0.0.1:$mqtt_port" --unknown-ids create
}
auth=(-H "Authorization: Bearer demo-admin-secret")
publish() { # DEVICE VALUE SECONDS-AGO
  local t=$(( $(date +%s) - $3 ))
  mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -q 1 -t "city/demo/parking/$1" \
    -m "[{\"bn\":\"$1:\",\"bt\":$t,\"n\":\"free_spaces\",\"v\":$2}]" \
    || fail "mosquitto_pub failed"
}
# Waits (at most 10 s) until entity URN has availableSpotNumber VALUE.
wait_value() { # URN VALUE
  for _ in $(seq 1 100); do
    curl -sf "$api/ngsi-ld/v1/entities/$1" "${auth[@]}" >"$work/body" 2>/dev/null \
      && python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["availableSpotNumber"]["value"] == float(sys.argv[2]) else 1)' \
           "$work/body" "$2" 2>/dev/null \
      && return 0
    sleep 0.1
  done
  fail "$1 never had availableSpotNumber $2: $(cat "$work/body" 2>/dev/null)"
}
created_urn() { # DEVICE -> the URN the log says was created for it
  grep -o "ingest creates urn:ngsi-ld:ParkingSensor:demo:[0-9]* for '$1:'" "$log" \
    | grep -o 'urn:[^ ]*'
}

start 1
publish lot-x 17 60
for _ in $(seq 1 100); do
  urn=$(created_urn lot-x)
  [ -n "$urn" ] && break
  sleep 0.1
done
[ -n "$urn" ] || fail "no entity was created for lot-x"
wait_value "$urn" 17

kill -9 "$pid"
wait "$pid" 2>/dev/null
start 2
grep -q "1 entities the unknown-id policy created are back" "$log" \
  || fail "the created entity was not announced at start"
# Back with its newest value before the device says anything.
wait_value "$urn" 17
publish lot-x 21 30
wait_value "$urn" 21
[ -z "$(created_urn lot-x)" ] || fail "lot-x got a second entity after the restart"
publish lot-y 5 30
for _ in $(seq 1 100); do
  other=$(created_urn lot-y)
  [ -n "$other" ] && break
  sleep 0.1
done
[ -n "$other" ] || fail "no entity was created for lot-y"
[ "$other" != "$urn" ] || fail "lot-y got lot-x's URN $urn"
stop_serve_cleanly
pid=""
echo "created entities keep their URNs and values across kill -9"
