# Sourced by the tests of a twin across three nodes (issue 15), after
# `citytwin` and `data` are set: needs python3, curl and Debian's
# mosquitto (else the test is skipped), starts mosquitto on a free
# loopback port and writes a three-node cluster file for the demo city
# (north 0-1, centre 2-3, south 4-5) into $work/cluster.yaml. Everything
# started goes on exit (SIGKILL); `fail` prints every log.
#
#   serve NAME LOG ARGS...   starts `citytwin serve` (demo city, no feed);
#                            ${pid[NAME]}; $mqtt is the broker's URL
#   wait_serving NAME LOG    waits for its address: ${url[NAME]}
#   start_cluster_and_solo   north (the only one with an ingest), centre,
#                            south and a single node with the same ingest,
#                            every one serving and subscribed; more
#                            options for all four in the array node_args
#   wait_ingests N           until N ingest clients subscribed
#   accepted URL             the ingest's readings accepted (/metrics)
#   stop_nodes NAME...       SIGTERM; each must exit 0 within 10 s
#   json EXPR                prints EXPR of the JSON document on stdin (d)
source "${0%/*}/../skip.sh"
need python3 "apt-get install python3"
need curl "apt-get install curl"
need mosquitto "apt-get install mosquitto"
need mosquitto_pub "apt-get install mosquitto-clients"
work=$(mktemp -d)
pids=()
broker_pid=""
declare -A url pid
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$work"/*.log; do echo "== $f"; grep -v '^[0-9]*: ' "$f" | tail -30; done
  exit 1
}
source "${0%/*}/mosquitto_lib.sh" # free_port, start_mosquitto
start_mosquitto "$work"
mqtt="mqtt://127.0.0.1:$mqtt_port"
cat >"$work/cluster.yaml" <<YAML
version: 1
city: demo
shards: 6
nodes:
  - {name: north, host: 127.0.0.1, port: $(free_port), shards: [0, 1]}
  - {name: centre, host: 127.0.0.1, port: $(free_port), shards: [2, 3]}
  - {name: south, host: 127.0.0.1, port: $(free_port), shards: [4, 5]}
YAML

serve() { # NAME LOG ARGS...
  "$citytwin" serve "$data/demo.city" --host 127.0.0.1 --port 0 --no-feed \
    --api-port 0 "${@:3}" >"$2" 2>&1 &
  pids+=($!)
  pid[$1]=$!
}

wait_serving() { # NAME LOG
  url[$1]=""
  for _ in $(seq 1 300); do
    url[$1]=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$2" | grep -o 'http.*')
    [ -n "${url[$1]}" ] && return 0
    sleep 0.1
  done
  fail "$1 does not serve"
}

# QoS 1 messages are not kept for a client that has not subscribed yet.
wait_ingests() { # N
  for _ in $(seq 1 100); do
    [ "$(grep -c ' 1 city/+/+/+' "$work/mosquitto.log")" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "the ingests did not subscribe"
}

accepted() { # URL
  # The demo's monitor token, for nodes run with --access.
  curl -s -H "Authorization: Bearer demo-monitor-secret" "$1/metrics" |
    awk '/^citytwin_ingest_readings_accepted_total /{print $2}'
}

stop_nodes() { # NAME...
  local n rc
  for n in "$@"; do kill -TERM "${pid[$n]}" 2>/dev/null; done
  for n in "$@"; do
    for _ in $(seq 1 100); do kill -0 "${pid[$n]}" 2>/dev/null || break; sleep 0.1; done
    kill -0 "${pid[$n]}" 2>/dev/null && fail "$n did not stop within 10 s of SIGTERM"
    wait "${pid[$n]}" 2>/dev/null
    rc=$?
    [ "$rc" = 0 ] || fail "$n exited with $rc after SIGTERM"
  done
}

json() { # EXPRESSION over the document `d` read from stdin
  python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

node_args=() # more options for every node of start_cluster_and_solo
start_cluster_and_solo() {
  serve north "$work/north.log" --cluster "$work/cluster.yaml" --node north --mqtt "$mqtt" "${node_args[@]}"
  serve centre "$work/centre.log" --cluster "$work/cluster.yaml" --node centre "${node_args[@]}"
  serve south "$work/south.log" --cluster "$work/cluster.yaml" --node south "${node_args[@]}"
  serve solo "$work/solo.log" --shards 6 --mqtt "$mqtt" "${node_args[@]}"
  local n
  for n in north centre south solo; do wait_serving "$n" "$work/$n.log"; done
  wait_ingests 2
}
