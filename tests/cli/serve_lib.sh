# Sourced by the serve tests: starts `citytwin serve` on a free loopback
# port with a fast synthetic feed and waits (at most 10 s) for its address;
# arguments after the city go to serve.
# Sets `pid`, `port`, `log`; `fail MESSAGE` prints the log and stops serve.

fail() {
  echo "FAIL: $*"
  cat "$log"
  kill "$pid" 2>/dev/null
  exit 1
}

start_serve() {
  local citytwin=$1 city=$2
  log=$(mktemp)
  "$citytwin" serve "$city" --host 127.0.0.1 --port 0 --feed-tick-ms 50 \
    "${@:3}" >"$log" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$')
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "serve exited early"
    sleep 0.1
  done
  fail "serve printed no address"
}

# Stops serve with SIGTERM and fails if it is still running after 10 s.
stop_serve() {
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  fail "serve did not stop on SIGTERM"
}

# Starts `citytwin serve CITY --api-port 0 ARGS...` (the NGSI-LD API on a
# free port) writing to "$log", and waits (at most 10 s) for the API's
# address. Sets `pid` and `api` (http://127.0.0.1:PORT).
start_api_serve() {
  local citytwin=$1 city=$2
  "$citytwin" serve "$city" --host 127.0.0.1 --port 0 --api-port 0 \
    "${@:3}" >"$log" 2>&1 &
  pid=$!
  api=$(api_address "$log" "$pid") || fail "serve printed no API address"
}

# Prints the NGSI-LD API address serve PID writes to LOG, waiting at most
# 10 s; fails (status 1, nothing printed) if serve exits or says nothing.
# For tests that run a second server beside the one `start_api_serve` keeps.
api_address() { # LOG PID
  local found
  for _ in $(seq 1 100); do
    found=$(grep -o 'NGSI-LD API on http://127.0.0.1:[0-9]*' "$1" | grep -o 'http.*')
    [ -n "$found" ] && { echo "$found"; return 0; }
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# `stop_serve`, and fails unless serve exited with status 0.
stop_serve_cleanly() {
  stop_serve
  wait "$pid" || fail "serve exited non-zero"
  pid=""
}
