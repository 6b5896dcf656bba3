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
  is_running jaeger && jaeger_health && return 0
  jaeger_install || return 1
  require_free_ports jaeger "${JAEGER_PORTS[@]}" || return 1
  start_go_daemon jaeger "$JAEGER_LOG" "$RTAP_BIN/jaeger" --config "$RTAP_ROOT/infra/jaeger/config.yaml" || return 1
  wait_until jaeger 30 "$JAEGER_LOG" jaeger_health
}

jaeger_stop() { stop_daemon jaeger 10; }
jaeger_urls() { echo "jaeger     http://127.0.0.1:16686        OTLP: grpc 127.0.0.1:4317, http http://127.0.0.1:4318"; }
