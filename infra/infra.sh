#!/usr/bin/env bash
# rtap's servers as local processes: install | up | down | status | health | logs | urls [server...]
# Servers: kafka nats influxdb jaeger prometheus (default: all). Exit status is non-zero when any server fails.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for f in "$RTAP_ROOT"/infra/servers/*.sh; do source "$f"; done

ALL_SERVERS=(kafka nats influxdb jaeger prometheus)
cmd=${1:-help}; shift || true
servers=("$@"); [ ${#servers[@]} -gt 0 ] || servers=("${ALL_SERVERS[@]}")
for s in "${servers[@]}"; do
  case " ${ALL_SERVERS[*]} " in *" $s "*) ;; *) fail infra "unknown server '$s' (known: ${ALL_SERVERS[*]})"; exit 2 ;; esac
done

# Run "<server>_<action>" for every server in parallel; print each one's output in order.
each_parallel() {
  local action=$1 s rc=0 tmp; tmp=$(mktemp -d)
  for s in "${servers[@]}"; do ( "${s}_$action" >"$tmp/$s.out" 2>&1; echo $? >"$tmp/$s.rc" ) & done
  wait
  for s in "${servers[@]}"; do
    cat "$tmp/$s.out"
    [ "$(cat "$tmp/$s.rc")" = 0 ] || rc=1
  done
  rm -rf "$tmp"
  return $rc
}

# One line per server: up, or down and why.
describe() {
  local s=$1 pid
  pid=$(pid_of "$s" || true)
  if is_running "$s"; then
    if "${s}_health"; then printf '%-11s %sup%s    pid %s\n' "$s" "$C_GRN" "$C_OFF" "$pid"; return 0; fi
    printf '%-11s %sdown%s  pid %s is running but its health check fails (see %s)\n' "$s" "$C_RED" "$C_OFF" "$pid" "$RTAP_LOGS/$s.log"
    return 1
  fi
  local ports_var="${s^^}_PORTS[@]" p owner
  [ "$s" = influxdb ] && ports_var="INFLUX_PORTS[@]"
  for p in "${!ports_var}"; do
    if port_open "$p"; then owner=$(port_owner "$p")
      printf '%-11s %sdown%s  not started by rtap; port %s is held by %s\n' "$s" "$C_RED" "$C_OFF" "$p" "${owner:-another process}"
      return 1
    fi
  done
  printf '%-11s %sdown%s  not running (make infra-up)\n' "$s" "$C_RED" "$C_OFF"
  return 1
}

case "$cmd" in
  install) each_parallel install ;;
  up)
    # Install one at a time (builds compete for 2 cores and Go's caches), then start in parallel.
    for s in "${servers[@]}"; do "${s}_install" || exit 1; done
    each_parallel start || exit 1
    for s in "${servers[@]}"; do "${s}_urls"; done ;;
  down)
    rc=0; for s in "${servers[@]}"; do "${s}_stop" || rc=1; done
    for s in "${servers[@]}"; do info "$s: stopped"; done; exit $rc ;;
  status|health)
    rc=0; for s in "${servers[@]}"; do describe "$s" || rc=1; done; exit $rc ;;
  logs)
    files=(); for s in "${servers[@]}"; do files+=("$RTAP_LOGS/$s.log"); done
    if [ -t 1 ]; then exec tail -n 20 -F "${files[@]}"; else exec tail -n 50 "${files[@]}"; fi ;;
  urls) for s in "${servers[@]}"; do "${s}_urls"; done ;;
  *) echo "usage: infra/infra.sh install|up|down|status|health|logs|urls [kafka|nats|influxdb|jaeger|prometheus]..."; exit 2 ;;
esac
