#!/usr/bin/env bash
# Durability (issue 13): every reading the MQTT broker acknowledged at QoS 1
# reaches the archive, although the twin is killed with SIGKILL in the
# middle of the stream. A real mosquitto on a free loopback port, a real
# client (mosquitto_pub -q 1 -l, which exits 0 only once every message is
# acknowledged), `citytwin serve --archive` killed and started again, and
# the HDF5 segments counted with h5py alone (adapters/archive/README.md).
set -u
citytwin=$1
city=$2
source "${0%/*}/../skip.sh"
need mosquitto "apt-get install mosquitto"
need mosquitto_pub "apt-get install mosquitto-clients"
need curl "apt-get install curl"
need_h5py

work=$(mktemp -d)
log="$work/serve.log"
pid=""
broker_pid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  cat "$log" "$work"/serve-*.log 2>/dev/null | tail -40
  exit 1
}

source "${0%/*}/mosquitto_lib.sh"
# The twin's session keeps every QoS 1 message while the twin is down.
start_mosquitto "$work"

run=0
start_twin() {
  run=$((run + 1))
  log="$work/serve-$run.log"
  "$citytwin" serve "$city" --host 127.0.0.1 --port 0 --no-feed \
    --mqtt "mqtt://127.0.0.1:$mqtt_port" --archive "$work/archive" \
    --archive-segment-s 1 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    grep -q 'MQTT ingest from' "$log" && return 0
    kill -0 "$pid" 2>/dev/null || fail "serve exited early"
    sleep 0.1
  done
  fail "serve did not start its ingest"
}

# The twin's ingest counter, from /metrics (0 before it answers).
accepted() {
  local p
  p=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$')
  curl -sf "http://127.0.0.1:$p/metrics" 2>/dev/null \
    | awk '/^citytwin_ingest_readings_accepted_total /{print $2}'
}

start_twin
# Wait for the subscription before publishing.
for _ in $(seq 1 100); do
  [ -n "$(accepted)" ] && break
  sleep 0.1
done

# N readings of one counter, a second apart in observed time, paced so the
# stream lasts a few seconds.
n=3000
base=$(( $(date +%s) - 7200 ))
python3 - "$n" "$base" >"$work/lines.txt" <<'EOF'
import sys, time, datetime
n, base = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    t = datetime.datetime.utcfromtimestamp(base + i).strftime("%Y-%m-%dT%H:%M:%SZ")
    print('{"id":"urn:ngsi-ld:TrafficCounter:demo:000000","type":"TrafficCounter",'
          '"intensity":{"type":"Property","value":%d,"observedAt":"%s"}}' % (i % 997, t),
          flush=True)
EOF
mkfifo "$work/lines"
(
  while IFS= read -r line; do
    printf '%s\n' "$line"
    # ~3000 lines in ~3 s
    [ $((RANDOM % 10)) -eq 0 ] && sleep 0.01
  done <"$work/lines.txt"
) >"$work/lines" &
mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -q 1 -t city/demo/counter/0 \
  -i durable-test-publisher -l <"$work/lines" >"$work/pub.log" 2>&1 &
pub_pid=$!

# Kill the twin in the middle of the stream, then start it again while the
# publisher goes on (the broker holds its messages meanwhile).
for _ in $(seq 1 100); do
  a=$(accepted)
  [ "${a:-0}" -ge 500 ] && break
  sleep 0.02
done
[ "${a:-0}" -ge 500 ] || fail "the twin accepted only ${a:-0} readings"
kill -9 "$pid"
wait "$pid" 2>/dev/null
killed_at=$a
start_twin

wait "$pub_pid" || { cat "$work/pub.log"; fail "mosquitto_pub failed"; }
# Everything acknowledged is in the broker's session or the twin's journal;
# wait until the twin has taken what the broker held (bounded: 20 s).
last=-1
for _ in $(seq 1 40); do
  a=$(accepted)
  [ "${a:-0}" = "$last" ] && [ "${a:-0}" -gt 0 ] && break
  last=${a:-0}
  sleep 0.5
done
kill -TERM "$pid"
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "serve did not stop on SIGTERM"
wait "$pid" || fail "serve exited non-zero after SIGTERM"
pid=""

# Count the distinct observed times of the stream in every segment, with
# h5py and the layout in adapters/archive/README.md only.
found=$("$py" - "$work/archive/demo/segments" <<'EOF'
import sys, glob, h5py, numpy as np
times = set()
for path in sorted(glob.glob(sys.argv[1] + "/*.h5")):
    with h5py.File(path, "r") as f:
        ent = [e.decode() if isinstance(e, bytes) else e for e in f["streams/entity"][:]]
        qty = [q.decode() if isinstance(q, bytes) else q for q in f["streams/quantity"][:]]
        for i, (e, q) in enumerate(zip(ent, qty)):
            if e == "urn:ngsi-ld:TrafficCounter:demo:000000" and q == "intensity":
                off, cnt = int(f["streams/offset"][i]), int(f["streams/count"][i])
                t = np.cumsum(f["samples/time"][off:off + cnt])
                times.update(int(x) for x in t)
print(len(times))
EOF
) || fail "the archive could not be read with h5py"
echo "published and acknowledged: $n; twin killed after $killed_at; archived: $found"
[ "$found" = "$n" ] || fail "archived $found of $n acknowledged readings"
echo "1 passed, 0 failed"
