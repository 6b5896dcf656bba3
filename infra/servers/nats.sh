# NATS server with JetStream. Built from the Go module proxy; Debian's nats-server is the fallback.

NATS_VERSION=v2.14.5
NATS_PORTS=(4222 8222)
NATS_LOG=$RTAP_LOGS/nats.log

nats_bin() {
  if [ -x "$RTAP_BIN/nats-server" ]; then echo "$RTAP_BIN/nats-server"
  elif command -v nats-server >/dev/null; then command -v nats-server
  else return 1; fi
}

nats_install() {
  nats_bin >/dev/null && return 0
  go_install nats "github.com/nats-io/nats-server/v2@$NATS_VERSION" && return 0
  warn "nats: falling back to Debian's nats-server (older, no 2.10+ features)"
  { apt-get update -qq && apt-get install -y -qq nats-server; } >/dev/null 2>&1 \
    || { fail nats "neither go install nor apt-get install nats-server worked"; return 1; }
}

nats_health() { http_ok "http://127.0.0.1:8222/healthz?js-enabled-only=true"; }

nats_start() {
  is_running nats && nats_health && return 0
  nats_install || return 1
  require_free_ports nats "${NATS_PORTS[@]}" || return 1
  mkdir -p "$RTAP_DATA/nats"
  start_go_daemon nats "$NATS_LOG" "$(nats_bin)" -js -sd "$RTAP_DATA/nats" -a 127.0.0.1 -p 4222 \
    --http_port 8222 -n rtap-nats || return 1
  wait_until nats 20 "$NATS_LOG" nats_health
}

nats_stop() { stop_daemon nats 10; }
nats_urls() { echo "nats       nats://127.0.0.1:4222        monitoring: http://127.0.0.1:8222"; }
