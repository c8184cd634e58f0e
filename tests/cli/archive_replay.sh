#!/usr/bin/env bash
# Time travel (issue 13): `citytwin replay --archive` publishes an interval
# of server A's archive through the live ingest path (MQTT, Protobuf
# ReadingBatch) into server B, which listens on another tenant's topics
# and runs no feed, and B then answers temporal queries over the interval
# with A's values at A's times. A replay into the source tenant itself is
# refused before it connects. A real mosquitto on a free loopback port; A
# runs again while the replay reads its archive (read-only).
# usage: archive_replay.sh CITYTWIN CITY_FILE ACCESS_FILE
set -u
citytwin=$1 city=$2 access=$3
source "${0%/*}/../skip.sh"
need mosquitto "apt-get install mosquitto"
need mosquitto_sub "apt-get install mosquitto-clients"
need curl "apt-get install curl"

work=$(mktemp -d)
log="$work/a.log"
pid=""
b_pid=""
broker_pid=""
sub_pid=""
cleanup() {
  for p in "$pid" "$b_pid" "$sub_pid" "$broker_pid"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

source "${0%/*}/serve_lib.sh"
# serve_lib's `fail`, with B's and the broker's side too.
fail() {
  echo "FAIL: $*"
  tail -20 "$log"
  echo "--- B:"
  tail -20 "$work/b.log" 2>/dev/null
  echo "--- replay:"
  cat "$work/replay.log" 2>/dev/null | tail -20
  exit 1
}

source "${0%/*}/mosquitto_lib.sh"
start_mosquitto "$work"

admin=(-H "Authorization: Bearer demo-admin-secret")
monitor=(-H "Authorization: Bearer demo-monitor-secret")
temporal="/ngsi-ld/v1/temporal/entities"
counter=urn:ngsi-ld:TrafficCounter:demo:000000
road=urn:ngsi-ld:RoadSegment:demo:000003
get() { # API PATH -> body
  curl -s "${admin[@]}" "$1$2"
}
count_instances() { grep -o '"observedAt"' | wc -l; }

# 1. Server A: the synthetic feed (10 simulated s per 20 ms tick, so its
# times stay well within the hour ahead of the wall clock that ingest
# accepts) into an archive with 1 s segments; stopped cleanly, so every
# reading is in a segment.
start_a() {
  start_api_serve "$citytwin" "$city" --access "$access" \
    --archive "$work/a" --archive-segment-s 1 --feed-tick-ms 20 \
    --feed-step 10 "$@"
  api_a=$api
}
start_a
for _ in $(seq 1 100); do
  n=$(get "$api_a" "$temporal/$counter?lastN=30&attrs=intensity" | count_instances)
  [ "$n" -ge 30 ] && break
  sleep 0.1
done
[ "$n" -ge 30 ] || fail "A archived fewer than 30 counter readings in 10 s: $n"
stop_serve_cleanly
ls "$work/a/demo/segments/"*.h5 >/dev/null 2>&1 || fail "A wrote no segment"
# A again, without a feed: it answers for the archive, which the replay
# reads meanwhile.
start_a --no-feed

# The interval: the counter's 5th to 25th archived reading, [from, to).
times=$(get "$api_a" "$temporal/$counter?lastN=30&attrs=intensity" \
          | grep -o '"observedAt":"[^"]*"' | cut -d'"' -f4)
from=$(echo "$times" | sed -n 5p)
to=$(echo "$times" | sed -n 25p)
[ -n "$from" ] && [ -n "$to" ] || fail "no interval from A: $times"
range="timerel=between&timeAt=$from&endTimeAt=$to"

# 2. Server B: the same city on tenant demo-replay's topics, no feed.
b_log="$work/b.log"
"$citytwin" serve "$city" --host 127.0.0.1 --port 0 --api-port 0 \
  --access "$access" --no-feed --mqtt "mqtt://127.0.0.1:$mqtt_port" \
  --mqtt-tenant demo-replay --mqtt-qos 1 --archive "$work/b" >"$b_log" 2>&1 &
b_pid=$!
api_b=$(api_address "$b_log" "$b_pid") || fail "B printed no API address"
b_viewer=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$b_log" | grep -o 'http.*')
wait_subscribed citytwin-demo "city/demo-replay/+/+"
b_accepted() {
  curl -s "${monitor[@]}" "$b_viewer/metrics" \
    | awk '/^citytwin_ingest_readings_accepted_total /{print $2}'
}
# Everything published on city/... is seen here, to prove where it went.
mosquitto_sub -h 127.0.0.1 -p "$mqtt_port" -i replay-test-watcher -q 1 \
  -t 'city/#' -F '%t' >"$work/topics.txt" 2>&1 &
sub_pid=$!
wait_subscribed replay-test-watcher "city/#"

replay() { # ARGS... -> exit code; output in $work/replay.log
  "$citytwin" replay --archive "$work/a" --tenant demo --from "$from" \
    --to "$to" --broker "mqtt://127.0.0.1:$mqtt_port" "$@" \
    >"$work/replay.log" 2>&1
}

# 3. Into the live tenant: refused before anything connects.
replay --into demo --speed max
rc=$?
[ "$rc" = 2 ] || fail "replay --into demo exited $rc, not 2"
grep -q "into itself" "$work/replay.log" \
  || fail "replay --into demo did not say why: $(cat "$work/replay.log")"
# Other refusals with exit code 2.
replay --speed max
[ $? = 2 ] && grep -q -- "--into TENANT is required" "$work/replay.log" \
  || fail "replay without --into: $(cat "$work/replay.log")"
"$citytwin" replay --archive "$work/a" --tenant demo --from "$to" --to "$from" \
  --into demo-replay >"$work/replay.log" 2>&1
[ $? = 2 ] && grep -q "is empty" "$work/replay.log" \
  || fail "replay of an inverted interval: $(cat "$work/replay.log")"

# 4. Into demo-replay at full speed, QoS 1: exits once the broker has
# acknowledged every message.
replay --into demo-replay --speed max --qos 1 \
  || fail "replay --into demo-replay failed"
cat "$work/replay.log"
readings=$(grep -o '[0-9]* readings read' "$work/replay.log" | grep -o '^[0-9]*')
[ "${readings:-0}" -gt 0 ] || fail "the replay read no readings"

# B takes every replayed reading (and nothing else: it has no feed).
for _ in $(seq 1 300); do
  [ "$(b_accepted)" = "$readings" ] && break
  sleep 0.1
done
[ "$(b_accepted)" = "$readings" ] \
  || fail "B accepted $(b_accepted) of $readings replayed readings"

# Nothing went to the live tenant's topics; everything to demo-replay's.
for _ in $(seq 1 100); do
  [ -s "$work/topics.txt" ] && break
  sleep 0.1
done
grep -q . "$work/topics.txt" || fail "the watcher saw no message"
if grep -v '^city/demo-replay/archive/replay$' "$work/topics.txt" | grep -q .; then
  fail "messages outside city/demo-replay/: $(sort -u "$work/topics.txt")"
fi

# B answers the interval as A does: the same values at the same times.
for entity in "$counter" "$road"; do
  want=$(get "$api_a" "$temporal/$entity?$range")
  n=$(echo "$want" | count_instances)
  [ "$n" -ge 20 ] || fail "A has only $n instances of $entity in [$from, $to)"
  # Accepted is not yet archived: B's archive takes them a moment later.
  for _ in $(seq 1 50); do
    got=$(get "$api_b" "$temporal/$entity?$range")
    [ "$got" = "$want" ] && break
    sleep 0.1
  done
  [ "$got" = "$want" ] \
    || fail "B's $entity over [$from, $to): $got; A's: $want"
  echo "$entity: $n instances alike"
done
# Before and after the interval B has nothing.
after=$(get "$api_b" "$temporal/$counter?timerel=after&timeAt=$to" | count_instances)
[ "$after" = 0 ] || fail "B has $after instances from $to on"

kill -TERM "$b_pid"
wait "$b_pid" || fail "B exited non-zero"
b_pid=""
stop_serve_cleanly
echo "1 passed, 0 failed"
