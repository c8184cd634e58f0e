#!/usr/bin/env bash
# The emergency-services channel, end to end with the demo's tokens: a
# planner runs a what-if scenario on the live twin, an operator issues its
# recommended actions, an emergency token receives them through its own
# NGSI-LD subscription (MQTT, on a mosquitto of our own), acknowledges one
# and reports how it went; the audit log has every step.
set -u
citytwin=$1
data=$2 # the project's data/ folder
source "${0%/*}/../skip.sh"
need curl "apt-get install curl"
need mosquitto "apt-get install mosquitto"
need mosquitto_sub "apt-get install mosquitto-clients"
need python3 "apt-get install python3"
source "$(dirname "$0")/serve_lib.sh"
source "$(dirname "$0")/mosquitto_lib.sh"
work=$(mktemp -d)
log="$work/serve.log"
sub_pid=""
cleanup() {
  [ -n "$sub_pid" ] && kill "$sub_pid" 2>/dev/null
  [ -n "${broker_pid:-}" ] && kill "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
start_mosquitto "$work"

"$citytwin" serve "$data/demo.city" --host 127.0.0.1 --port 0 --api-port 0 \
  --no-feed --access "$data/access/demo.yaml" --rules "$data/rules/demo.yaml" \
  --scenario-runs "$work/runs" >"$log" 2>&1 &
pid=$!
api=$(api_address "$log" "$pid") || fail "serve printed no API address"
port=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$')
[ -n "$port" ] || fail "serve printed no viewer address"
base="http://127.0.0.1:$port"
auth() { echo "Authorization: Bearer demo-$1-secret"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# The emergency services subscribe to alerts, on their own MQTT topic.
topic=emergency/demo/alerts
mosquitto_sub -h 127.0.0.1 -p "$mqtt_port" -i emergency-desk -q 1 -t "$topic" \
  -v >"$work/received" 2>&1 &
sub_pid=$!
wait_subscribed emergency-desk "$topic"
code=$(curl -s -o "$work/sub.json" -w '%{http_code}' -X POST \
  "$api/ngsi-ld/v1/subscriptions" -H "$(auth emergency)" \
  -H 'Content-Type: application/json' -d "{\"type\": \"Subscription\",
   \"entities\": [{\"type\": \"Alert\"}],
   \"notification\": {\"endpoint\": {\"uri\": \"mqtt://127.0.0.1:$mqtt_port/$topic\"}}}")
[ "$code" = 201 ] || fail "the emergency token could not subscribe ($code): $(cat "$work/sub.json")"

# A planner runs a concert egress on the live twin.
cat >"$work/concert.yaml" <<'YAML'
version: 1
name: egress
city: demo
start: "2026-12-05T22:30"
horizon: 1h
events:
  - name: concert
    venue: {intersection: 305}
    attendees: 8000
    departure: {from: "22:35", to: "22:50"}
    car_share: 0.5
    occupancy: 2
    parking:
      - {name: P_North, intersection: 329, spaces: 2500, exit_capacity_veh_h: 3000}
YAML
code=$(curl -s -o "$work/run.json" -w '%{http_code}' -X POST "$base/api/scenarios" \
  -H "$(auth planner)" --data-binary @"$work/concert.yaml")
[ "$code" = 202 ] || fail "the scenario was not accepted ($code): $(cat "$work/run.json")"
id=$(json 'd["id"]' <"$work/run.json")
status=""
for _ in $(seq 1 600); do # at most 60 s
  status=$(curl -sf "$base/api/scenarios/$id" -H "$(auth planner)" | json 'd["status"]')
  [ "$status" = done ] || [ "$status" = failed ] && break
  sleep 0.1
done
[ "$status" = done ] || fail "run $id ended as '$status'"
curl -sf "$base/api/scenarios/$id" -H "$(auth planner)" >"$work/report.json"
[ "$(json 'd["fork"]["entities"] > 0' <"$work/report.json")" = True ] \
  || fail "the run did not fork the twin"
[ "$(json 'd["actions"] > 0' <"$work/report.json")" = True ] \
  || fail "the run recommended nothing"

# Planners may not send instructions to the police; operators may.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
  "$base/api/scenarios/$id/issue" -H "$(auth planner)")
[ "$code" = 403 ] || fail "a planner issued actions ($code)"
issued=$(curl -sf -X POST "$base/api/scenarios/$id/issue" -H "$(auth operator)" \
  | json 'd["issued"]') || fail "the operator could not issue"
[ "$issued" -gt 0 ] || fail "nothing issued"

# The subscription delivers the actions, with their audiences.
for _ in $(seq 1 100); do
  grep -q "whatif:run-$id:" "$work/received" && break
  sleep 0.1
done
grep -q "whatif:run-$id:" "$work/received" \
  || fail "no recommended action reached the emergency subscription"
grep -q '"audience"' "$work/received" || fail "notifications lack the audience"

# The emergency desk acknowledges an action for the police, reports it done.
alert=$(curl -sf "$base/api/alerts" -H "$(auth emergency)" | json \
  "[a['id'] for a in d['alerts'] if a['rule'].startswith('whatif:run-$id:') and 'police' in a['audience']][0]") \
  || fail "no action for the police in /api/alerts"
curl -sf -X POST "$base/api/alerts/$alert/ack" -H "$(auth emergency)" >/dev/null \
  || fail "the emergency token could not acknowledge"
code=$(curl -s -o "$work/bad.json" -w '%{http_code}' -X POST \
  "$base/api/alerts/$alert/outcome" -H "$(auth emergency)" -d '{"outcome": "maybe"}')
[ "$code" = 400 ] || fail "a bad outcome gave $code"
outcome=$(curl -sf -X POST "$base/api/alerts/$alert/outcome" -H "$(auth emergency)" \
  -d '{"outcome": "done", "note": "access road kept free by two units"}' \
  | json 'd["status"] + "|" + d["outcome"]') || fail "the outcome was refused"
[ "$outcome" = "closed|done: access road kept free by two units" ] \
  || fail "outcome came back as '$outcome'"
for _ in $(seq 1 100); do
  grep -q '"outcome"' "$work/received" && break
  sleep 0.1
done
grep -q '"outcome"' "$work/received" || fail "the outcome was not notified"

# The audit log (admin) has the issue, the acknowledgement and the outcome.
curl -sf "$base/api/audit?limit=1000" -H "$(auth admin)" >"$work/audit.json"
for what in "advice_issued operator:demo-operator" \
            "alert_acknowledged emergency:demo-emergency" \
            "outcome_reported emergency:demo-emergency"; do
  set -- $what
  [ "$(json "any(e['what'] == '$1' and e['who'] == '$2' for e in d['entries'])" \
       <"$work/audit.json")" = True ] || fail "the audit log lacks $1 by $2"
done
stop_serve_cleanly
echo "1 passed, 0 failed"
