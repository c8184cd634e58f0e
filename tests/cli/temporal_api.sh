#!/usr/bin/env bash
# The temporal API over the archive (issue 13): `serve --archive` keeps the
# feed's readings, /ngsi-ld/v1/temporal/entities answers raw, lastN and
# aggregated queries under the live API's sharing rules, bad parameters get
# ProblemDetails, `citytwin history` prints them, an aggregate of the
# rules has a history too, and a restarted server answers a past interval
# exactly as before.
# usage: temporal_api.sh CITYTWIN CITY_FILE ACCESS_FILE
set -u
citytwin=$1 city=$2 access=$3
source "${0%/*}/../skip.sh"
need curl "apt-get install curl"
work=$(mktemp -d)
log="$work/serve.log"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

source "${0%/*}/serve_lib.sh"
start() {
  start_api_serve "$citytwin" "$city" --feed-tick-ms 20 --access "$access" \
    --archive "$work/archive" --archive-segment-s 1 "$@"
}
stop() { stop_serve_cleanly; }

admin=(-H "Authorization: Bearer demo-admin-secret")
entity=urn:ngsi-ld:TrafficCounter:demo:000000
temporal="/ngsi-ld/v1/temporal/entities"
get() { # PATH -> body; status in $work/status
  curl -s -o "$work/body" -w '%{http_code}' "${@:2}" "$api$1" >"$work/status"
  cat "$work/body"
}
status() { cat "$work/status"; }
count_instances() { # JSON body on stdin, attribute -> instances
  grep -o '"observedAt"' | wc -l
}

# The demo's rules: their aggregates are derived streams, archived too.
start --rules "${city%/*}/rules/demo.yaml"
# 40 ticks of the feed are 40 simulated minutes: wait for them (<= 10 s).
for _ in $(seq 1 100); do
  n=$(get "$temporal/$entity?lastN=40&attrs=intensity" "${admin[@]}" \
        | count_instances)
  [ "$n" -ge 40 ] && break
  sleep 0.1
done
[ "$n" -ge 40 ] || fail "fewer than 40 archived readings after 10 s: $n"

body=$(get "$temporal/$entity?lastN=5&attrs=intensity" "${admin[@]}")
[ "$(status)" = 200 ] || fail "lastN answered $(status)"
[ "$(echo "$body" | count_instances)" = 5 ] || fail "lastN=5 gave: $body"

# A fixed past interval: raw instances, and an aggregate that counts them.
times=$(get "$temporal/$entity?lastN=40&attrs=intensity" "${admin[@]}" \
          | grep -o '"observedAt":"[^"]*"' | cut -d'"' -f4)
first=$(echo "$times" | sed -n 1p)
last=$(echo "$times" | sed -n 31p)
range="timerel=between&timeAt=$first&endTimeAt=$last"
raw=$(get "$temporal/$entity?$range&attrs=intensity" "${admin[@]}")
[ "$(echo "$raw" | count_instances)" = 30 ] \
  || fail "30 minutes of a counter read once a minute: $raw"
agg=$(get "$temporal/$entity?$range&attrs=intensity&aggrMethods=totalCount,avg&aggrPeriodDuration=PT10M" "${admin[@]}")
# "totalCount":[[count,"start","end"],...]: the sum of the counts.
total=$(echo "$agg" | sed 's/.*"totalCount":\(\[.*\]\]\).*/\1/' \
          | grep -o '\[[0-9.]*,"' | tr -d '[,"' | awk '{s+=$1} END {print s}')
[ "$total" = 30 ] || fail "totalCount over 10-minute periods sums to $total: $agg"

# Bad input gets ProblemDetails, never a crash.
get "$temporal/$entity?timerel=between&timeAt=$last&endTimeAt=$first" "${admin[@]}" \
  | grep -q '"BadRequestData"' || fail "inverted range not refused"
[ "$(status)" = 400 ] || fail "inverted range: $(status)"
get "$temporal/$entity?aggrMethods=avg&aggrPeriodDuration=P1Y" "${admin[@]}" >/dev/null
[ "$(status)" = 400 ] || fail "absurd period: $(status)"
get "$temporal/$entity?lastN=many" "${admin[@]}" >/dev/null
[ "$(status)" = 400 ] || fail "bad lastN: $(status)"
get "$temporal/urn:ngsi-ld:TrafficCounter:demo:999999" "${admin[@]}" >/dev/null
[ "$(status)" = 404 ] || fail "unknown entity: $(status)"
# The sharing rules of the live API: whoever may not read the entity
# (anonymous callers, another tenant's admin) gets from the temporal API
# what the live API answers them, and never its history.
for who in "" "aarhus-admin-secret"; do
  auth=()
  [ -n "$who" ] && auth=(-H "Authorization: Bearer $who")
  get "/ngsi-ld/v1/entities/$entity" "${auth[@]}" >/dev/null
  live=$(status)
  body=$(get "$temporal/$entity?lastN=1" "${auth[@]}")
  [ "$(status)" = "$live" ] || fail "caller '$who': temporal $(status), live $live"
  case "$live" in 401|403|404) ;; *) fail "caller '$who' may read: $live" ;; esac
  echo "$body" | grep -q observedAt && fail "caller '$who' got history"
done
# By type, bounded.
body=$(get "$temporal?type=TrafficCounter&lastN=1&attrs=intensity&limit=3" "${admin[@]}")
[ "$(status)" = 200 ] || fail "temporal query by type: $(status)"
[ "$(echo "$body" | count_instances)" = 3 ] || fail "3 counters, 1 each: $body"

# Derived streams are archived like readings: the free-parking aggregate
# (a VirtualSensor, every simulated minute) has a history.
vs=urn:ngsi-ld:VirtualSensor:demo:free-parking-all
for _ in $(seq 1 100); do
  n=$(get "$temporal/$vs?lastN=3&attrs=value" "${admin[@]}" | count_instances)
  [ "$n" -ge 3 ] && break
  sleep 0.1
done
[ "$n" -ge 3 ] || fail "aggregate $vs has no archived history: $(cat "$work/body")"

# The command line.
"$citytwin" history "$entity" --from "$first" --to "$last" --every 10m --csv \
  --api "$api" --token demo-admin-secret >"$work/history.csv" \
  || fail "citytwin history failed"
head -1 "$work/history.csv" | grep -q '^start,end,.*intensity.avg' \
  || fail "history header: $(head -1 "$work/history.csv")"
[ "$(wc -l <"$work/history.csv")" -ge 4 ] || fail "history rows: $(cat "$work/history.csv")"

# A restarted server answers the same past interval the same way, and its
# entities start from the newest archived values (no feed this time, so
# nothing moves them on).
stop
start --no-feed
again=$(get "$temporal/$entity?$range&attrs=intensity" "${admin[@]}")
[ "$again" = "$raw" ] || fail "after a restart: $again (before: $raw)"
grep -q "restored [0-9]* newest values" "$log" || fail "nothing restored"
newest=$(get "$temporal/$entity?lastN=1&attrs=intensity" "${admin[@]}")
value=$(echo "$newest" | grep -o '"value":[0-9.]*' | cut -d: -f2)
at=$(echo "$newest" | grep -o '"observedAt":"[^"]*"' | cut -d'"' -f4)
[[ "$at" > "$last" ]] || fail "newest archived $at is not after $last"
for _ in $(seq 1 50); do
  live=$(get "/ngsi-ld/v1/entities/$entity?attrs=intensity" "${admin[@]}")
  echo "$live" | grep -q "\"observedAt\":\"$at\"" && break
  sleep 0.1
done
echo "$live" | grep -q "\"observedAt\":\"$at\"" \
  || fail "live state after restart: $live, archived newest: $newest"
echo "$live" | grep -q "\"value\":$value" \
  || fail "live value after restart: $live, archived newest: $newest"
stop
echo "1 passed, 0 failed"
