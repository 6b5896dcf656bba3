# Shared helpers for the infra scripts: paths, one-line failures, ports, daemons, health waits.
# Sourced, never run. Every server binds 127.0.0.1 only.

RTAP_ROOT=${RTAP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# Downloads and builds live outside the checkout so every clone (and CI) reuses them.
RTAP_CACHE=${RTAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rtap}
# Logs, data and pid files of this checkout's servers (git-ignored).
RTAP_RUN=${RTAP_RUN:-$RTAP_ROOT/.run}
RTAP_BIN=$RTAP_CACHE/bin
RTAP_LOGS=$RTAP_RUN/logs
RTAP_DATA=$RTAP_RUN/data
RTAP_PIDS=$RTAP_RUN/pids
mkdir -p "$RTAP_BIN" "$RTAP_LOGS" "$RTAP_DATA" "$RTAP_PIDS"

if [ -t 1 ]; then C_RED=$'\e[31m'; C_GRN=$'\e[32m'; C_YEL=$'\e[33m'; C_DIM=$'\e[2m'; C_OFF=$'\e[0m'
else C_RED=; C_GRN=; C_YEL=; C_DIM=; C_OFF=; fi

info() { printf '%s\n' "$*"; }
warn() { printf '%swarning:%s %s\n' "$C_YEL" "$C_OFF" "$*" >&2; }
# fail NAME MESSAGE: the one line an operator reads when a server cannot start.
fail() { printf '%s%s: %s%s\n' "$C_RED" "$1" "$2" "$C_OFF" >&2; return 1; }

# Who listens on a TCP port (empty when free).
port_owner() {
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*"\),pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n1
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# require_free_ports NAME PORT...: fail naming the port and its owner.
require_free_ports() {
  local name=$1 p owner; shift
  for p in "$@"; do
    if port_open "$p"; then
      owner=$(port_owner "$p")
      fail "$name" "port $p is already taken by ${owner:-another process}; stop it or change the port"
      return 1
    fi
  done
}

pid_of() { local f="$RTAP_PIDS/$1.pid"; [ -f "$f" ] && cat "$f"; }
is_running() { local pid; pid=$(pid_of "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# start_daemon NAME LOGFILE CMD...: run detached in its own session, remember its pid.
start_daemon() {
  local name=$1 log=$2; shift 2
  : >"$log"
  setsid nohup "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$RTAP_PIDS/$name.pid"
}

# The Go servers (NATS, InfluxDB, Jaeger, Prometheus) share the machine's cores with Kafka and the
# pipeline: with one processor each (GOMAXPROCS) Go's scheduler keeps a server's work on one running
# thread instead of waking (and spinning) a second one on the other core, where a node would run: the
# servers used and waited for less of a core. At 10 000 events/s on two cores the p99 fell from 111
# to 81 ms (medians of six alternated pairs of runs; docs/performance.md, sixteenth pass).
# RTAP_GO_MAXPROCS=0 leaves Go's default (every core).
RTAP_GO_MAXPROCS=${RTAP_GO_MAXPROCS:-1}
# start_go_daemon NAME LOGFILE CMD...: start_daemon with the Go servers' processor limit.
start_go_daemon() {
  [[ $RTAP_GO_MAXPROCS =~ ^[0-9]+$ ]] || { fail "$1" "RTAP_GO_MAXPROCS must be a whole number (0: every core), not '$RTAP_GO_MAXPROCS'"; return 1; }
  if [ "$RTAP_GO_MAXPROCS" = 0 ]; then start_daemon "$@"
  else GOMAXPROCS=$RTAP_GO_MAXPROCS start_daemon "$@"; fi
}

# yield_session NAME PID NICE: gives PID's session NICE. Linux's autogroup scheduling (on by default,
# /proc/sys/kernel/sched_autogroup_enabled) shares the cores between sessions first, then between
# the threads of each, so a thread's own nice or policy weighs only inside its session. Nothing to
# do without autogroup scheduling; a session of the root group (an empty file) takes no nice.
yield_session() {
  local name=$1 pid=$2 nice=$3 group
  group=$(cat "/proc/$pid/autogroup" 2>/dev/null) || return 0
  [ -n "$group" ] || return 0
  echo "$nice" 2>/dev/null >"/proc/$pid/autogroup" || warn "$name: could not lower its session's CPU priority (/proc/$pid/autogroup)"
}

# stop_daemon NAME [GRACE_SECONDS]: TERM, then KILL after the grace period; waits for the exit.
stop_daemon() {
  local name=$1 grace=${2:-20} pid i
  pid=$(pid_of "$name") || return 0
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      warn "$name did not stop within ${grace}s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
      for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  rm -f "$RTAP_PIDS/$name.pid"
}

last_log_lines() { tail -n "${2:-5}" "$1" 2>/dev/null | sed 's/^/    /'; }

# wait_until NAME TIMEOUT_SECONDS LOGFILE CHECK...: poll CHECK until it passes; fail with the
# log's last lines if the process died or the timeout passed.
wait_until() {
  local name=$1 timeout=$2 log=$3 deadline; shift 3
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! is_running "$name"; then
      fail "$name" "exited during start-up; last log lines ($log):"
      last_log_lines "$log" 8 >&2
      return 1
    fi
    sleep 0.2
  done
  fail "$name" "not healthy after ${timeout}s; last log lines ($log):"
  last_log_lines "$log" 8 >&2
  return 1
}

http_ok() { curl -fsS --max-time "${2:-2}" -o /dev/null "$1"; }

# go_install NAME PKG@VERSION: build a Go tool into the cache (module and build caches are Go's own,
# so a second run is a no-op). Shows the toolchain's own error on failure.
go_install() {
  local name=$1 target=$2 out
  command -v go >/dev/null || { fail "$name" "Go is not installed (needed to build $target)"; return 1; }
  info "$name: building $target (first run only)"
  if ! out=$(GOBIN="$RTAP_BIN" GOFLAGS=-buildvcs=false go install "$target" 2>&1); then
    fail "$name" "go install $target failed: $(printf '%s' "$out" | grep -v '^go: downloading' | tail -n 3 | tr '\n' ' ')"
    return 1
  fi
}
