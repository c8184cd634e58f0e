#!/usr/bin/env bash
# Nodes join a cluster through CAF's network layer (issue 15): three
# `citytwin serve --cluster` processes on 127.0.0.1 accept each other, and
# when one is killed the others see it down within seconds and take it
# back when it returns; a
# node with another map is refused by its peers, a node whose peer never
# answers gives up after --cluster-wait, and a cluster file for another
# city or without --node stops serve before anything starts.
set -u
citytwin=$1
data=$2 # the project's data/ folder
source "${0%/*}/../skip.sh"
need python3 "apt-get install python3"
need curl "apt-get install curl"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$work"/*.log; do echo "== $f"; cat "$f"; done
  exit 1
}
source "$(dirname "$0")/mosquitto_lib.sh" # free_port
p1=$(free_port); p2=$(free_port); p3=$(free_port); p4=$(free_port)
cluster_file() { # VERSION CITY
  cat <<YAML
version: $1
city: $2
shards: 6
nodes:
  - {name: north, host: 127.0.0.1, port: $p1, shards: [0, 1]}
  - {name: centre, host: 127.0.0.1, port: $p2, shards: [2, 3]}
  - {name: south, host: 127.0.0.1, port: $p3, shards: [4, 5]}
YAML
}
cluster_file 1 demo >"$work/cluster.yaml"
serve_node() { # NODE FILE LOG [ARGS...]
  "$citytwin" serve "$data/demo.city" --host 127.0.0.1 --port 0 --no-feed \
    --cluster "$2" --node "$1" "${@:4}" >"$3" 2>&1 &
  pids+=($!)
}
for n in north centre south; do
  serve_node "$n" "$work/cluster.yaml" "$work/$n.log" --cluster-wait 30
done
for n in north centre south; do
  joined=""
  for _ in $(seq 1 300); do
    joined=$(grep -o "cluster: node $n on port [0-9]* joined [a-z, ]*" "$work/$n.log")
    [ -n "$joined" ] && break
    sleep 0.1
  done
  [ -n "$joined" ] || fail "$n did not join within 30 s"
  others=$(echo "north centre south" | tr ' ' '\n' | grep -v "^$n$")
  for o in $others; do
    echo "$joined" | grep -q "$o" || fail "$n did not join $o: $joined"
  done
  echo "ok: $joined"
done
for _ in $(seq 1 100); do
  grep -q "serving http://127.0.0.1:" "$work/north.log" && break
  sleep 0.1
done
north=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$work/north.log" | grep -o 'http.*')
[ -n "$north" ] || fail "north does not serve after joining"
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
peers_up() { curl -s "$north/api/status" | json "sum(p['up'] for p in d['cluster']['peers'])"; }
[ "$(peers_up)" = 2 ] || fail "north's /api/status does not show two peers up: $(curl -s "$north/api/status")"

# kill -9 of a node: its peers see it down (heartbeats), degraded, on
# /api/status and /metrics.
south_pid=${pids[2]}
kill -9 "$south_pid"
killed=$(date +%s%N)
for _ in $(seq 1 100); do
  [ "$(peers_up)" = 1 ] && break
  sleep 0.05
done
seen=$(date +%s%N)
[ "$(peers_up)" = 1 ] || fail "north did not see south go down within 5 s"
status=$(curl -s "$north/api/status")
echo "$status" | json "d['cluster']['degraded'] and not [p for p in d['cluster']['peers'] if p['node']=='south'][0]['up']" \
  | grep -q True || fail "north's status does not say south is down: $status"
curl -s "$north/metrics" | grep -q '^citytwin_cluster_peer_up{node="south"} 0$' \
  || fail "north's /metrics does not say south is down"
curl -s "$north/metrics" | grep -q '^citytwin_cluster_degraded 1$' \
  || fail "north's /metrics does not say the cluster is degraded"
echo "ok: south seen down by north $(( (seen - killed) / 1000000 )) ms after kill -9 (heartbeat every 250 ms, down after 1.5 s of silence)"

# South comes back: it joins again and its peers take it back.
serve_node south "$work/cluster.yaml" "$work/south2.log" --cluster-wait 30
for _ in $(seq 1 300); do
  [ "$(peers_up)" = 2 ] && break
  sleep 0.1
done
[ "$(peers_up)" = 2 ] || fail "north did not take south back: $(curl -s "$north/api/status")"
curl -s "$north/api/status" | json "d['cluster']['degraded']" | grep -q False \
  || fail "north still says degraded after south came back"
grep -q "cluster: node south on port [0-9]* joined north, centre" "$work/south2.log" \
  || fail "the restarted south did not join north and centre"
echo "ok: south rejoins and north counts it up again"

# Another map (version 2): the running peers refuse it, and it stops.
cluster_file 2 demo | sed "s/port: $p1/port: $p4/" >"$work/other.yaml"
"$citytwin" serve "$data/demo.city" --host 127.0.0.1 --port 0 --no-feed \
  --cluster "$work/other.yaml" --node north --cluster-wait 5 \
  >"$work/other.log" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "a node with another map exited $rc, not 2"
grep -q "centre at 127.0.0.1:$p2 refuses: .*another cluster map" "$work/other.log" \
  || fail "no refusal for another map"
echo "ok: a node with another map is refused"

# A peer that never answers: a cluster whose other nodes are not running.
cat >"$work/lonely.yaml" <<YAML
version: 1
city: demo
shards: 2
nodes:
  - {name: a, host: 127.0.0.1, port: $p4}
  - {name: b, host: 127.0.0.1, port: $(free_port)}
YAML
"$citytwin" serve "$data/demo.city" --host 127.0.0.1 --port 0 --no-feed \
  --cluster "$work/lonely.yaml" --node a --cluster-wait 1 >"$work/lonely.log" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "a node without peers exited $rc, not 2"
grep -q "b at 127.0.0.1:[0-9]* did not answer within 1000 ms" "$work/lonely.log" \
  || fail "no message for the missing peer"
echo "ok: a peer that never answers stops the join"

# A cluster file for another city, and no --node: stopped before starting.
cluster_file 1 elsewhere >"$work/city.yaml"
"$citytwin" serve "$data/demo.city" --no-feed --cluster "$work/city.yaml" \
  --node north >"$work/city.log" 2>&1
[ $? = 2 ] && grep -q "is for city 'elsewhere', not 'demo'" "$work/city.log" \
  || fail "a cluster file for another city was not refused"
"$citytwin" serve "$data/demo.city" --no-feed --cluster "$work/cluster.yaml" \
  >"$work/nonode.log" 2>&1
[ $? = 2 ] && grep -q -- "--node must name a node" "$work/nonode.log" \
  || fail "serve --cluster without --node was not refused"
echo "ok: a wrong city and a missing --node are refused"
