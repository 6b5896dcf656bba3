# Jaeger v2 (an OpenTelemetry Collector distribution) with in-memory storage: OTLP in on
# 4317/4318, query API on 16686. Built from the module source of a release, because `go install`
# refuses its go.mod (it has a replace directive) and the proxy will not serve v2 tags.

JAEGER_MODULE_VERSION=v1.76.0   # released together with Jaeger v2.13.0; cmd/jaeger is the v2 binary
JAEGER_PORTS=(4317 4318 16686 16685 13133)
JAEGER_LOG=$RTAP_LOGS/jaeger.log

jaeger_install() {
  [ -x "$RTAP_BIN/jaeger" ] && return 0
  command -v go >/dev/null || { fail jaeger "Go is not installed (needed to build Jaeger)"; return 1; }
  info "jaeger: building Jaeger from github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION (first run only, ~4 min)"
  local out dir src="$RTAP_CACHE/src/jaeger"
  if ! out=$(go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" 2>&1); then
    fail jaeger "module download failed: $(printf '%s' "$out" | grep -i error | head -n 2 | tr '\n' ' ')"; return 1
  fi
  dir=$(printf '%s' "$out" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$dir" "$src" && chmod -R u+w "$src"
  if ! out=$(cd "$src" && GOFLAGS=-buildvcs=false go build -trimpath -o "$RTAP_BIN/jaeger.tmp" ./cmd/jaeger 2>&1); then
    fail jaeger "build failed: $(printf '%s' "$out" | grep -v '^go: downloading' | tail -n 3 | tr '\n' ' ')"; return 1
  fi
  mv "$RTAP_BIN/jaeger.tmp" "$RTAP_BIN/jaeger"
}

jaeger_health() { http_ok http://127.0.0.1:13133/status && http_ok http://127.0.0.1:16686/api/services; }

jaeger_start() {
  if is_running jaeger && jaeger_health; then jaeger_yield_cores; return 0; fi
  jaeger_install || return 1
  require_free_ports jaeger "${JAEGER_PORTS[@]}" || return 1
  start_go_daemon jaeger "$JAEGER_LOG" "$RTAP_BIN/jaeger" --config "$RTAP_ROOT/infra/jaeger/config.yaml" || return 1
  wait_until jaeger 30 "$JAEGER_LOG" jaeger_health || return 1
  jaeger_yield_cores
}

# Once up, Jaeger yields the cores, as a collector on a host of its own would take none of the
# pipeline's. Co-located, its wake-ups to take every process's spans twice a second preempted the
# pipeline, and its bursts (a third to a half of a core for a second, about once a minute at 10 000
# events/s) compete with it. Two settings, because Linux shares the cores between sessions first
# (autogroup scheduling, /proc/sys/kernel/sched_autogroup_enabled) and a thread's policy weighs only
# inside its session: SCHED_IDLE for its threads (no wake-up of theirs preempts a pipeline thread),
# and nice 19 for its session (start_daemon gives it one), without which the session kept a full
# share. At 10 000 events/s SCHED_IDLE lowered the p99 in five of six alternated pairs (nineteenth
# pass); the session's nice is inside the noise there (medians 30.6 and 30.7 ms in seven pairs,
# twenty-seventh; docs/performance.md) and makes the first setting mean what it says. A host
# saturated for longer than the exporters' 10 s timeout loses spans instead (counted by the
# processes); normal priority again: `chrt -o -a -p 0 <pid>` and `echo 0 > /proc/<pid>/autogroup`.
jaeger_yield_cores() {
  local pid; pid=$(pid_of jaeger)
  if command -v chrt >/dev/null; then
    chrt --idle -a -p 0 "$pid" >/dev/null 2>&1 || warn "jaeger: could not set SCHED_IDLE: its threads keep normal CPU priority"
  else warn "jaeger: chrt (util-linux) not found: its threads keep normal CPU priority"; fi
  yield_session jaeger "$pid" 19
}

jaeger_stop() { stop_daemon jaeger 10; }
jaeger_urls() { echo "jaeger     http://127.0.0.1:16686        OTLP: grpc 127.0.0.1:4317, http http://127.0.0.1:4318"; }
