#!/usr/bin/env bash
# promtool (Prometheus's own checker) for rtap's alert rules: builds it once into the download cache
# (~/.cache/rtap/bin, like the servers), then runs it with the given arguments, e.g.
#   infra/prometheus/promtool.sh test rules infra/prometheus/alerts.test.yml
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$RTAP_ROOT/infra/servers/prometheus.sh"   # PROMETHEUS_MODULE_VERSION: the server's own

if [ ! -x "$RTAP_BIN/promtool" ]; then
  go_install promtool "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION" >&2 || exit 1
fi
exec "$RTAP_BIN/promtool" "$@"
