#!/usr/bin/env bash
# One twin across three nodes (issue 15): three `citytwin serve --cluster`
# processes on 127.0.0.1 divide the demo city's shards, and one process
# serves the whole city alone. A real mosquitto feeds both the same
# readings (QoS 1): the cluster through one node only, whose ingest routes
# each batch to the node of its shard. Afterwards every entity that got a
# reading answers the same through the NGSI-LD API of every node of the
# cluster as on the single node, so does a query with limit and offset,
# the entity and reading counts agree, and a viewer attached to another
# node saw the deltas of entities hosted on all three.
set -u
citytwin=$1
data=$2 # the project's data/ folder
source "${0%/*}/cluster_lib.sh"
# Every node also runs the data broker (the demo's tenants), whose NGSI-LD
# API is what the states are compared through.
node_args=(--access "$data/access/demo.yaml")
start_cluster_and_solo
declare -A api
for n in north centre south solo; do
  api[$n]=$(grep -o 'NGSI-LD API on http://127.0.0.1:[0-9]*' "$work/$n.log" | grep -o 'http.*')
  [ -n "${api[$n]}" ] || fail "$n runs no NGSI-LD API"
done
admin=(-H "Authorization: Bearer demo-admin-secret")
grep -q "every shard is up" "$work/south.log" || fail "south did not find every shard"

counts() { curl -s "${admin[@]}" "$1/api/status" | json "d['entities']"; }
for n in north centre south; do
  [ "$(counts "${url[$n]}")" = "$(counts "${url[solo]}")" ] \
    || fail "$n counts $(counts "${url[$n]}") entities, the single node $(counts "${url[solo]}")"
done
echo "ok: every node counts the whole city: $(counts "${url[solo]}")"

# A viewer on south, watching counters, before the readings flow.
"$citytwin" watch "${url[south]/http/ws}/ws" --json --kinds traffic_counter \
  --token demo-admin-secret \
  --timeout 120 >"$work/watch.out" 2>"$work/watch.log" &
watch_pid=$!
sleep 1

# Readings for 40 counters, 20 air-quality and 20 noise sensors, three per
# entity in time order, so the last one wins; both twins get all of them.
n_counters=40; n_air=20; n_noise=20
python3 - "$n_counters" "$n_air" "$n_noise" >"$work/lines.txt" <<'EOF'
import sys, datetime
nc, na, nn = map(int, sys.argv[1:4])
base = int(datetime.datetime.now(datetime.timezone.utc).timestamp()) - 3600
def t(s):
    return datetime.datetime.fromtimestamp(base + s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
for step in range(3):
    for i in range(nc):
        print('{"id":"urn:ngsi-ld:TrafficCounter:demo:%06d","type":"TrafficCounter",'
              '"intensity":{"type":"Property","value":%d,"observedAt":"%s"}}'
              % (i, 100 + 7 * i + step, t(60 * step + i)))
    for i in range(na):
        print('{"id":"urn:ngsi-ld:AirQualitySensor:demo:%06d","type":"AirQualitySensor",'
              '"pm10":{"type":"Property","value":%d,"observedAt":"%s"}}'
              % (i, 10 + i + step, t(60 * step + i)))
    for i in range(nn):
        print('{"id":"urn:ngsi-ld:NoiseSensor:demo:%06d","type":"NoiseSensor",'
              '"LAeq":{"type":"Property","value":%d,"observedAt":"%s"}}'
              % (i, 40 + i + step, t(60 * step + i)))
EOF
total=$(wc -l <"$work/lines.txt")
# The counters' shards (actors/shard.hpp) fall on all three nodes, so the
# comparison below covers routing to each of them.
python3 - "$n_counters" <<'EOF' || fail "the test's counters do not cover every node"
import sys
n = int(sys.argv[1])
def shard(kind, number):  # shard_of(id, 6) with traffic_counter = 5
    packed = (kind << 32) | number
    return (((packed * 0x9E3779B97F4A7C15) % 2**64) >> 32) % 6
nodes = {shard(5, i) // 2 for i in range(n)}
print("counters on nodes", sorted(nodes))
sys.exit(0 if nodes == {0, 1, 2} else 1)
EOF
mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -q 1 -t city/demo/test/0 \
  -l <"$work/lines.txt" >"$work/pub.log" 2>&1 || fail "mosquitto_pub failed"
for _ in $(seq 1 100); do
  [ "$(accepted "${url[north]}")" = "$total" ] \
    && [ "$(accepted "${url[solo]}")" = "$total" ] && break
  sleep 0.1
done
[ "$(accepted "${url[north]}")" = "$total" ] \
  || fail "north accepted $(accepted "${url[north]}") of $total readings"
[ "$(accepted "${url[solo]}")" = "$total" ] \
  || fail "the single node accepted $(accepted "${url[solo]}") of $total readings"

# Every entity's state, from every node, against the single node's. The
# readings are routed asynchronously: at most 10 s for the last to land.
compare() {
  python3 - "$n_counters" "$n_air" "$n_noise" "${api[solo]}" \
    "${api[north]}" "${api[centre]}" "${api[south]}" <<'EOF'
import json, sys, urllib.request
nc, na, nn = map(int, sys.argv[1:4])
solo, nodes = sys.argv[4], sys.argv[5:]
urns = (["urn:ngsi-ld:TrafficCounter:demo:%06d" % i for i in range(nc)]
        + ["urn:ngsi-ld:AirQualitySensor:demo:%06d" % i for i in range(na)]
        + ["urn:ngsi-ld:NoiseSensor:demo:%06d" % i for i in range(nn)])
def get(base, urn):
    req = urllib.request.Request(
        base + "/ngsi-ld/v1/entities/" + urn,
        headers={"Authorization": "Bearer demo-admin-secret", "NGSILD-Tenant": "demo"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)
diffs = 0
for urn in urns:
    want = get(solo, urn)
    for node in nodes:
        got = get(node, urn)
        if got != want:
            diffs += 1
            if diffs <= 3:
                print("differs on %s: %s\n  single: %s\n  cluster: %s" % (node, urn, want, got))
print("diffs", diffs, "of", len(urns) * len(nodes))
sys.exit(1 if diffs else 0)
EOF
}
ok=""
for _ in $(seq 1 20); do
  compare >"$work/compare.out" && { ok=1; break; }
  sleep 0.5
done
[ -n "$ok" ] || fail "the cluster's states differ from the single node's: $(cat "$work/compare.out")"
echo "ok: $((n_counters + n_air + n_noise)) entities answer the same (NGSI-LD) on all three nodes as on one node"

# A query across all shards with limit and offset, on every node: the same
# page of the same entities with the same values as on the single node.
ngsi_page() { # NODE
  curl -s "${admin[@]}" -H "NGSILD-Tenant: demo" \
    "${api[$1]}/ngsi-ld/v1/entities?type=TrafficCounter&limit=20&offset=10"
}
want=$(ngsi_page solo)
[ "$(echo "$want" | json "len(d)")" = 20 ] || fail "the single node's page is not 20 entities: $want"
for n in north centre south; do
  [ "$(ngsi_page "$n")" = "$want" ] \
    || fail "$n answers the NGSI-LD page otherwise: $(ngsi_page "$n" | head -c 300)"
done
echo "ok: an NGSI-LD query (limit 20, offset 10) answers the same on every node as on one node"

# The cluster's readings counter adds up every shard's router.
readings() { curl -s "${admin[@]}" "$1/api/status" | json "d['readings']"; }
for n in north centre south; do
  [ "$(readings "${url[$n]}")" = "$(readings "${url[solo]}")" ] \
    || fail "$n counts $(readings "${url[$n]}") readings, the single node $(readings "${url[solo]}")"
done
echo "ok: every node counts the readings of all shards: $(readings "${url[solo]}")"

# The viewer on south sees the last value of every counter, wherever its
# shard lives (frames follow the states within a second; at most 10 s).
viewer_saw_all() {
  python3 - "$n_counters" "$work/watch.out" <<'EOF'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
last, live = {}, False
for line in open(path):
    line = line.strip()
    if not line.startswith("{"):
        continue
    try:
        m = json.loads(line)
    except ValueError:
        continue  # the frame being written
    if m.get("type") == "snapshot_end":
        live = True
    for d in m.get("deltas", []) if live else []:
        urn = d.get("id", "")
        if urn.startswith("urn:ngsi-ld:TrafficCounter:demo:"):
            last[int(urn.rsplit(":", 1)[1])] = d["attributes"].get("vehicle_flow")
wrong = [i for i in range(n) if last.get(i) != 100 + 7 * i + 2]
if wrong:
    print("counters without their last value in a delta:", wrong[:10])
    sys.exit(1)
EOF
}
seen=""
for _ in $(seq 1 20); do
  viewer_saw_all >"$work/viewer.out" && { seen=1; break; }
  sleep 0.5
done
kill "$watch_pid" 2>/dev/null
[ -n "$seen" ] || fail "the viewer on south missed deltas: $(cat "$work/viewer.out")"
echo "ok: a viewer on south saw the last value of $n_counters counters, hosted on all three nodes"

# Every node stops on SIGTERM (peers going away at the same time).
stop_nodes north centre south solo
echo "ok: every node stops on SIGTERM"
