#!/usr/bin/env bash
# rtap's own processes: actor nodes and the gateway, as background processes of this checkout.
#   up [NODES]     start the gateway and NODES nodes (default 2) unless already running
#   spawn-node     start one more node (the consumer group rebalances partitions onto it)
#   scale N        run exactly N nodes: start more, or stop the newest (SIGTERM: checkpoint, leave)
#   producer RATE  restart the demo producer at RATE events/s (0: stop it)
#   down           stop every node and the gateway (SIGTERM: each node checkpoints and leaves)
#   status         one line per process
#   logs nodes|gateway|producer   follow those logs
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RTAP=("$RTAP_ROOT/bin/rtap")
# Nodes of one host share one snapshot directory: whichever node gets a partition finds its state.
export RTAP_SNAPSHOT_DIR=${RTAP_SNAPSHOT_DIR:-$RTAP_RUN/snapshots}

node_ids() { for f in "$RTAP_PIDS"/node-*.pid; do [ -e "$f" ] && basename "$f" .pid; done; }

next_node_id() {
  local n=1
  while [ -e "$RTAP_PIDS/node-$n.pid" ] && is_running "node-$n"; do n=$((n + 1)); done
  echo "node-$n"
}

# Prometheus metrics of node-N at http://127.0.0.1:$((RTAP_METRICS_BASE_PORT + N))/metrics (9465, 9466, …).
RTAP_METRICS_BASE_PORT=${RTAP_METRICS_BASE_PORT:-9464}

start_node() {
  local id=$1 log="$RTAP_LOGS/$1.log"
  start_daemon "$id" "$log" "${RTAP[@]}" node --node.id="$id" --metrics.port="$((RTAP_METRICS_BASE_PORT + ${id#node-}))"
  # A node is up once it has joined the group and published its first heartbeat.
  wait_until "$id" 60 "$log" grep -q '"msg":"node ready"' "$log" || return 1
  info "$id: up (log $log)"
}

start_gateway() {
  is_running gateway && return 0
  require_free_ports gateway 3000 || return 1
  local log="$RTAP_LOGS/gateway.log"
  start_daemon gateway "$log" "${RTAP[@]}" gateway
  wait_until gateway 90 "$log" http_ok http://127.0.0.1:3000/api/health 2 || return 1
  info "gateway: up (log $log)"
}

# A steady demo load (like the original system's event simulator), so the dashboard comes alive.
start_producer() {
  local rate=${RTAP_DEMO_RATE:-200}
  [ "$rate" = 0 ] && return 0
  is_running producer && return 0
  start_daemon producer "$RTAP_LOGS/producer.log" "${RTAP[@]}" produce --produce.rate="$rate"
  info "producer: sending $rate events/s to Kafka (RTAP_DEMO_RATE=0 to turn off; log $RTAP_LOGS/producer.log)"
}

# Running nodes, oldest id first (node-2 before node-10).
running_nodes() { for id in $(node_ids); do is_running "$id" && echo "$id"; done | sort -t- -k2 -n; }

# Starts nodes until N run (none when N or more already do).
start_nodes_until() {
  local want=$1 i
  for ((i = $(running_nodes | wc -l); i < want; i++)); do start_node "$(next_node_id)" || return 1; done
}

scale_nodes() {
  local want=$1 have id
  [[ $want =~ ^[0-9]+$ ]] && ((want >= 1)) || { fail scale "NODES must be a whole number of at least 1 (got '$want')"; return 2; }
  have=$(running_nodes | wc -l)
  start_nodes_until "$want" || return 1
  if ((have > want)); then
    # The newest go: each checkpoints its partitions and leaves the group, which hands them to the others.
    for id in $(running_nodes | tail -n "$((have - want))"); do (stop_daemon "$id" 30 && info "$id: stopped") & done
    wait
  fi
  info "nodes running: $(running_nodes | tr '\n' ' ')"
}

restart_producer() {
  local rate=$1
  [[ $rate =~ ^[0-9]+$ ]] || { fail producer "RATE must be a whole number of events/s, 0 to stop (got '$rate')"; return 2; }
  stop_daemon producer 10
  if ((rate == 0)); then info "producer: stopped"; return 0; fi
  RTAP_DEMO_RATE=$rate start_producer
}

follow_logs() {
  local files=()
  case "$1" in
    nodes) for f in "$RTAP_LOGS"/node-*.log; do [ -e "$f" ] && files+=("$f"); done ;;
    gateway | producer) [ -e "$RTAP_LOGS/$1.log" ] && files+=("$RTAP_LOGS/$1.log") ;;
    *) echo "usage: infra/cluster.sh logs nodes|gateway|producer"; return 2 ;;
  esac
  ((${#files[@]} > 0)) || { fail logs "no $1 log in $RTAP_LOGS yet (make cluster-up starts the cluster)"; return 1; }
  if [ -t 1 ]; then exec tail -n 20 -F "${files[@]}"; else exec tail -n 50 "${files[@]}"; fi
}

case "${1:-}" in
  up)
    start_gateway || exit 1
    start_nodes_until "${2:-2}" || exit 1
    start_producer ;;
  spawn-node) start_node "$(next_node_id)" ;;
  scale) scale_nodes "${2:-}" ;;
  producer) restart_producer "${2:-}" ;;
  logs) follow_logs "${2:-}" ;;
  down)
    stop_daemon producer 10
    for id in $(node_ids); do stop_daemon "$id" 30 & done; wait
    stop_daemon gateway 10
    info "nodes and gateway: stopped" ;;
  urls)
    echo "dashboard  http://127.0.0.1:3000        WebSocket ws://127.0.0.1:3000/ws, REST /api/health /api/cluster /api/history /metrics"
    echo "metrics    node-N http://127.0.0.1:<${RTAP_METRICS_BASE_PORT}+N>/metrics (node-1 :$((RTAP_METRICS_BASE_PORT + 1)), node-2 :$((RTAP_METRICS_BASE_PORT + 2)), …)" ;;
  status)
    for id in gateway producer $(node_ids); do
      if is_running "$id"; then printf '%-11s %sup%s    pid %s\n' "$id" "$C_GRN" "$C_OFF" "$(pid_of "$id")"
      else printf '%-11s %sdown%s  not running\n' "$id" "$C_RED" "$C_OFF"; fi
    done ;;
  *) echo "usage: infra/cluster.sh up [nodes] | spawn-node | scale N | producer RATE | down | status | urls | logs nodes|gateway|producer"; exit 2 ;;
esac
