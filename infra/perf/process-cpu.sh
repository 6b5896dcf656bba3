#!/usr/bin/env bash
# CPU of every process this checkout started (servers, nodes, gateway, demo producer), in % of one
# core, averaged over an interval: what a cluster costs while it runs, e.g. idle
# (`RTAP_DEMO_RATE=0 make cluster-up`, then this).
#
#   infra/perf/process-cpu.sh [seconds=30]
#
# Reads utime+stime of each pid in .run/pids (/proc/<pid>/stat, threads included) before and after.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
seconds=${1:-30}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [seconds]" >&2; exit 2; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
hz=$(getconf CLK_TCK)
declare -A before
for f in "$RTAP_PIDS"/*.pid; do
  [ -e "$f" ] || { echo "no processes in $RTAP_PIDS (make cluster-up starts them)" >&2; exit 1; }
  pid=$(cat "$f"); t=$(ticks "$pid") && [ -n "$t" ] && before[$f]=$t
done
sleep "$seconds"
for f in "${!before[@]}"; do
  t=$(ticks "$(cat "$f")") || continue
  [ -n "$t" ] || continue
  pct=$(( (t - before[$f]) * 100 / (seconds * hz) ))
  printf '%-10s %3d %%\n' "$(basename "$f" .pid)" "$pct"
done | sort
