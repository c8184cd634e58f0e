#!/usr/bin/env bash
# Nodes join a cluster through CAF's network layer (issue 15): three
# `citytwin serve --cluster` processes on 127.0.0.1 accept each other; a
# node with another map is refused by its peers, a node whose peer never
# answers gives up after --cluster-wait, and a cluster file for another
# city or without --node stops serve before anything starts.
set -u
citytwin=$1
data=$2 # the project's data/ folder
source "${0%/*}/../skip.sh"
need python3 "apt-get install python3"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$work"/*.log; do echo "== $f"; cat "$f"; done
  exit 1
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
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
grep -q "serving http://127.0.0.1:" "$work/north.log" || sleep 2
grep -q "serving http://127.0.0.1:" "$work/north.log" \
  || fail "north does not serve after joining"

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
