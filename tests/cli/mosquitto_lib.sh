# Sourced by the tests that need an MQTT broker. `start_mosquitto DIR`
# starts Debian's mosquitto on a free loopback port, its configuration and
# log in DIR, and waits (at most 5 s) until it accepts connections; sets
# `mqtt_port` and `broker_pid` (the caller stops it). Sessions keep every
# QoS 1 message (a twin restarting, a replay at full speed), and the log
# shows subscriptions: `wait_subscribed CLIENT FILTER` waits (at most
# 10 s) until one is there. Needs `fail` (serve_lib.sh or the test's own).

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_mosquitto() {
  mosquitto_dir=$1
  mqtt_port=$(free_port)
  cat >"$mosquitto_dir/mosquitto.conf" <<CONF
listener $mqtt_port 127.0.0.1
allow_anonymous true
max_queued_messages 0
persistence false
log_dest stderr
log_type subscribe
log_type information
CONF
  mosquitto -c "$mosquitto_dir/mosquitto.conf" \
    >"$mosquitto_dir/mosquitto.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port") 2>/dev/null && return 0
    kill -0 "$broker_pid" 2>/dev/null || fail "mosquitto exited"
    sleep 0.1
  done
  fail "mosquitto did not listen on $mqtt_port"
}

wait_subscribed() { # CLIENT_ID FILTER
  for _ in $(seq 1 100); do
    grep -qF ": $1 1 $2" "$mosquitto_dir/mosquitto.log" && return 0
    kill -0 "$broker_pid" 2>/dev/null || fail "mosquitto exited"
    sleep 0.1
  done
  fail "$1 did not subscribe to $2"
}
