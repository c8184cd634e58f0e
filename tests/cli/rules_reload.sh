#!/usr/bin/env bash
# `citytwin serve --rules FILE`: a bad rule file stops the server with every
# problem; a running server reloads an edited file, keeps its old rules when
# the new file is bad (saying why), reloads on SIGHUP, and audits each.
set -u
citytwin=$1
city=$2
rules=$3
source "${0%/*}/../skip.sh"
need curl "apt-get install curl"
source "$(dirname "$0")/serve_lib.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Startup: every problem, with file:line, and exit code 2.
cat >"$dir/bad.yaml" <<'YAML'
version: 1
rules:
  - id: ghost
    entity: urn:ngsi-ld:StreetLight:demo:999999
    when:
      - attribute: dim_level
        above: 0.5
    then:
      - alert: threshold
  - id: typo
    for_each: road_segment
    wen: []
YAML
out=$("$citytwin" serve "$city" --host 127.0.0.1 --port 0 --no-feed \
      --rules "$dir/bad.yaml" 2>&1)
code=$?
[ "$code" = 2 ] || { echo "FAIL: bad rules gave exit $code"; echo "$out"; exit 1; }
echo "$out" | grep -q "bad.yaml:12:" \
  || { echo "FAIL: the unknown key's line is not reported"; echo "$out"; exit 1; }

# A running server with the demo rules.
cp "$rules" "$dir/rules.yaml"
start_serve "$citytwin" "$city" --rules "$dir/rules.yaml"
base="http://127.0.0.1:$port"
count_rules() {
  curl -sf "$base/api/rules" | grep -o '"instances":' | wc -l
}
audited() {
  curl -sf "$base/api/audit?kind=$1&limit=1000" | grep -o '"seq":' | wc -l
}
wait_for() { # condition, at most 5 s
  for _ in $(seq 1 50); do
    eval "$1" && return 0
    sleep 0.1
  done
  return 1
}
initial=$(count_rules)
[ "$initial" -ge 6 ] || fail "the demo rules did not load ($initial rules)"
[ "$(audited rules_loaded)" = 1 ] || fail "the start is not audited"

# A broken edit: the old rules stay, the log and the audit say why.
# (A new modification time: the file is looked at once a second.)
sleep 1.1
cp "$dir/bad.yaml" "$dir/rules.yaml"
wait_for 'grep -q "rules not reloaded" "$log"' || fail "no refusal in the log"
grep -q "rules.yaml:12:" "$log" || fail "the refusal lacks the problem's line"
[ "$(count_rules)" = "$initial" ] || fail "a bad file replaced the rules"
wait_for '[ "$(audited rules_rejected)" = 1 ]' || fail "the refusal is not audited"

# A good edit: one rule now.
sleep 1.1
cat >"$dir/rules.yaml" <<'YAML'
version: 1
rules:
  - id: busy-roads
    for_each: road_segment
    when:
      - attribute: vehicle_flow
        above: 900
    then:
      - alert: threshold
        text: busy road
YAML
wait_for '[ "$(count_rules)" = 1 ]' || fail "the edited rules were not loaded"
grep -q "rules reloaded" "$log" || fail "the reload is not in the log"
[ "$(audited rules_loaded)" = 2 ] || fail "the reload is not audited"

# SIGHUP reloads at once, whatever the modification time.
kill -HUP "$pid"
wait_for '[ "$(audited rules_loaded)" = 3 ]' || fail "SIGHUP did not reload"
kill -0 "$pid" 2>/dev/null || fail "serve died"
stop_serve
echo "ok: rules load, reload on edit and SIGHUP, and bad files keep the old"
