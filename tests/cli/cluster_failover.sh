#!/usr/bin/env bash
# Losing a node of a cluster (issue 15): three `citytwin serve --cluster`
# processes on 127.0.0.1 and one single node get the same paced stream of
# readings from a real mosquitto (QoS 1), the cluster through north only.
# In the middle of the stream centre is killed with SIGKILL: its backup
# (south, the next node of the map) brings its shards up from its copies,
# every node's links to them move there and send again what they routed
# lately, so afterwards every entity answers on every surviving node as it
# does on the single node (nothing acknowledged is lost), and the
# degraded period shows on /api/status and /metrics. Then centre comes
# back, takes its shards back from south with their state, and a second
# stream again ends identical on all three nodes.
set -u
citytwin=$1
data=$2 # the project's data/ folder
source "${0%/*}/cluster_lib.sh"
start_cluster_and_solo

# A paced stream: ROUNDS rounds over 60 counters, one reading each per
# round, in time order; the value encodes round and counter.
n_counters=60
stream() { # FIRST_ROUND ROUNDS OUT
  python3 - "$n_counters" "$1" "$2" >"$3" <<'EOF'
import sys, datetime
n, first, rounds = map(int, sys.argv[1:4])
base = int(datetime.datetime.now(datetime.timezone.utc).timestamp()) - 7200
for r in range(first, first + rounds):
    for i in range(n):
        t = datetime.datetime.fromtimestamp(base + 10 * r, datetime.timezone.utc)
        print('{"id":"urn:ngsi-ld:TrafficCounter:demo:%06d","type":"TrafficCounter",'
              '"intensity":{"type":"Property","value":%d,"observedAt":"%s"}}'
              % (i, 10 * r + i % 10, t.strftime("%Y-%m-%dT%H:%M:%SZ")))
EOF
}
publish() { # LINES
  mkfifo "$work/fifo"
  (while IFS= read -r line; do
     printf '%s\n' "$line"
     [ $((RANDOM % 20)) -eq 0 ] && sleep 0.01
   done <"$1") >"$work/fifo" &
  mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -q 1 -t city/demo/test/0 \
    -l <"$work/fifo" >"$work/pub.log" 2>&1 &
  pub_pid=$!
}
wait_accepted() { # TOTAL
  for _ in $(seq 1 200); do
    [ "$(accepted "${url[north]}")" = "$1" ] \
      && [ "$(accepted "${url[solo]}")" = "$1" ] && return 0
    sleep 0.1
  done
  fail "accepted north $(accepted "${url[north]}"), single $(accepted "${url[solo]}") of $1"
}
# Every counter's state on the given nodes against the single node's
# (at most 10 s for the last readings to land).
compare() { # NODES...
  local ok=""
  for _ in $(seq 1 20); do
    python3 - "$n_counters" "${url[solo]}" "$@" >"$work/compare.out" <<'EOF' && { ok=1; break; }
import json, sys, urllib.request
n, solo, nodes = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def get(base, urn):
    try:
        with urllib.request.urlopen(base + "/api/entities/" + urn, timeout=5) as r:
            return json.load(r)
    except Exception as e:
        return str(e)
diffs = 0
for i in range(n):
    urn = "urn:ngsi-ld:TrafficCounter:demo:%06d" % i
    want = get(solo, urn)
    for node in nodes:
        got = get(node, urn)
        if got != want:
            diffs += 1
            if diffs <= 3:
                print("differs on %s: %s\n  single: %s\n  cluster: %s" % (node, urn, want, got))
print("diffs", diffs)
sys.exit(1 if diffs else 0)
EOF
    sleep 0.5
  done
  [ -n "$ok" ] || fail "states differ from the single node's: $(cat "$work/compare.out")"
}

rounds=40
stream 0 "$rounds" "$work/first.txt"
total=$(wc -l <"$work/first.txt")
publish "$work/first.txt"
for _ in $(seq 1 200); do
  a=$(accepted "${url[north]}")
  [ "${a:-0}" -ge $((total / 3)) ] && break
  sleep 0.02
done
[ "${a:-0}" -ge $((total / 3)) ] || fail "north accepted only ${a:-0} readings"
kill -9 "${pid[centre]}"
killed=$(date +%s%N)
echo "ok: centre killed after north accepted $a of $total readings"
# Every counter of centre's shards answers on north again once south runs
# them: the time from the kill.
python3 - "$n_counters" "${url[north]}" <<'EOF' || fail "centre's counters do not answer on north again"
import sys, time, urllib.request
n, north = int(sys.argv[1]), sys.argv[2]
def shard(number):  # shard_of(traffic counter, 6)
    packed = (5 << 32) | number
    return (((packed * 0x9E3779B97F4A7C15) % 2**64) >> 32) % 6
mine = [i for i in range(n) if shard(i) in (2, 3)]
deadline = time.time() + 20
while time.time() < deadline:
    ok = 0
    for i in mine:
        try:
            urllib.request.urlopen(north + "/api/entities/urn:ngsi-ld:TrafficCounter:demo:%06d" % i, timeout=1)
            ok += 1
        except Exception:
            break
    if ok == len(mine):
        sys.exit(0)
    time.sleep(0.05)
sys.exit(1)
EOF
answered=$(date +%s%N)
echo "ok: every counter of centre's shards answers on north $(( (answered - killed) / 1000000 )) ms after kill -9"
status=$(curl -s "${url[south]}/api/status")
echo "$status" | json "sorted(d['cluster']['hostedShards'])" | grep -q "\[2, 3, 4, 5\]" \
  || fail "south does not host centre's shards: $status"
curl -s "${url[north]}/api/status" | json "d['cluster']['degraded']" | grep -q True \
  || fail "north's status does not show the degraded cluster"
curl -s "${url[south]}/metrics" | grep -q '^citytwin_cluster_hosted_shards 4$' \
  || fail "south's /metrics does not count 4 hosted shards"
grep -o "shards 2 3 run here from its copies, every entity answering after [0-9]* ms" \
  "$work/south.log" || fail "south did not report the adoption"
wait "$pub_pid" || fail "mosquitto_pub failed: $(cat "$work/pub.log")"
rm -f "$work/fifo"
wait_accepted "$total"
compare "${url[north]}" "${url[south]}"
echo "ok: after kill -9 of centre mid-stream, north and south answer like the single node ($total readings)"

# Centre comes back and takes its shards back with their state.
serve centre "$work/centre2.log" --cluster "$work/cluster.yaml" --node centre
wait_serving centre "$work/centre2.log"
grep -q "took back shards 2 (from south) 3 (from south)" "$work/centre2.log" \
  || fail "centre did not take its shards back"
for _ in $(seq 1 50); do
  [ "$(curl -s "${url[south]}/api/status" | json "sorted(d['cluster']['hostedShards'])")" = "[4, 5]" ] && break
  sleep 0.1
done
[ "$(curl -s "${url[south]}/api/status" | json "sorted(d['cluster']['hostedShards'])")" = "[4, 5]" ] \
  || fail "south still hosts centre's shards"
compare "${url[north]}" "${url[centre]}" "${url[south]}"
echo "ok: centre took its shards back from south with their state"
stream "$rounds" 10 "$work/second.txt"
publish "$work/second.txt"
wait "$pub_pid" || fail "mosquitto_pub failed: $(cat "$work/pub.log")"
wait_accepted $((total + $(wc -l <"$work/second.txt")))
compare "${url[north]}" "${url[centre]}" "${url[south]}"
echo "ok: after centre's return, all three nodes answer like the single node"

# A partition, played by stopping centre (SIGSTOP: its port accepts but
# nothing answers): north and south, a majority, move its shards to south
# while the stream goes on. When centre runs again (SIGCONT) it hears of
# the move, gives its shards up and routes there: its stale copies are
# never served, and every node answers like the single node.
before=$(accepted "${url[north]}")
stream $((rounds + 10)) 20 "$work/third.txt"
kill -STOP "${pid[centre]}"
publish "$work/third.txt"
for _ in $(seq 1 100); do
  [ "$(curl -s "${url[south]}/api/status" | json "sorted(d['cluster']['hostedShards'])")" = "[2, 3, 4, 5]" ] && break
  sleep 0.1
done
[ "$(curl -s "${url[south]}/api/status" | json "sorted(d['cluster']['hostedShards'])")" = "[2, 3, 4, 5]" ] \
  || { kill -CONT "${pid[centre]}"; fail "south did not take over the shards of the stopped centre"; }
wait "$pub_pid" || fail "mosquitto_pub failed: $(cat "$work/pub.log")"
kill -CONT "${pid[centre]}"
wait_accepted $((before + $(wc -l <"$work/third.txt")))
for _ in $(seq 1 50); do
  [ "$(curl -s "${url[centre]}/api/status" | json "d['cluster']['hostedShards']")" = "[]" ] && break
  sleep 0.1
done
[ "$(curl -s "${url[centre]}/api/status" | json "d['cluster']['hostedShards']")" = "[]" ] \
  || fail "centre still claims shards after the partition: $(curl -s "${url[centre]}/api/status")"
compare "${url[north]}" "${url[centre]}" "${url[south]}"
echo "ok: after a partition of centre, its shards live on south only and every node answers like the single node"

# The nodes stop on SIGTERM, south with the copies it ran meanwhile gone.
stop_nodes north centre south solo
echo "ok: every node stops on SIGTERM"
