#!/usr/bin/env bash
# Bad startup input through the real command: every problem reported with
# its line, a non-zero exit code, and nothing served.
set -u
citytwin=$1
city=$2
fail() { echo "FAIL: $*"; exit 1; }

out=$("$citytwin" inspect "$city" 2>&1); rc=$?
[ "$rc" -ne 0 ] || fail "inspect exited 0 on a bad city"
for expected in \
  "4 problem(s)" \
  "bad.city:7: road_segment 0: intersection 7 does not exist" \
  "bad.city:8: road_segment 1: length must be positive, got -12" \
  "bad.city:9: unknown entity kind 'spaceship'" \
  "bad.city:10: street_lamp: unknown field 'colour'"; do
  grep -qF "$expected" <<<"$out" || fail "missing '$expected' in: $out"
done
# In file order, whatever pass found them.
lines=$(grep -o 'bad.city:[0-9]*' <<<"$out" | cut -d: -f2 | tr '\n' ' ')
[ "$lines" = "7 8 9 10 " ] || fail "problems not in file order: $lines"

"$citytwin" serve "$city" --port 0 >/dev/null 2>&1 && fail "serve accepted a bad city"
"$citytwin" serve /nonexistent.city >/dev/null 2>&1 && fail "serve accepted a missing file"
"$citytwin" inspect "$city" --entity "urn:ngsi-ld:Nope:x:1" >/dev/null 2>&1 \
  && fail "inspect accepted a bad URN"
"$citytwin" generate-city --segments 3 -o /dev/null >/dev/null 2>&1 \
  && fail "generate-city accepted 3 segments"
"$citytwin" bogus >/dev/null 2>&1 && fail "an unknown subcommand exited 0"
echo "1 passed, 0 failed"
