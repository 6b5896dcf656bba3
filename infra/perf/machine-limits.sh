#!/usr/bin/env bash
# The machine's physical limits, measured with the servers' own tools against the running local
# servers (infra/infra.sh up): Kafka ProducerPerformance / ConsumerPerformance and `nats bench`.
# Every later figure in docs/performance.md is compared with these.
#
#   infra/perf/machine-limits.sh            # all, 3 repetitions, medians
#   REPEAT=1 infra/perf/machine-limits.sh kafka
#   infra/perf/machine-limits.sh nats
#   infra/perf/machine-limits.sh latency  # Kafka's EndToEndLatency tool only
#
# Keeps the tools' raw output in ~/.cache/rtap/perf/machine-limits-<stamp>.log and what it prints in
# ~/.cache/rtap/perf/machine-limits-summary-<stamp>.txt: with the downloads, because they are facts of
# the machine that every clone's load tests use (their Kafka produce limit, `ratio to Kafka limit`).
# Idempotent: creates the `perf-test` topic (12 partitions) and the `rtapperf` JetStream stream,
# deletes both at the end (also on Ctrl-C). Builds the `nats` CLI into the cache on first run.
# Broker CPU% = delta of utime+stime of the broker pid (/proc/<pid>/stat) over the run's wall time
# (100% = one core; the machine has $(nproc) cores). "host busy%" is the whole machine (/proc/stat).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$RTAP_ROOT/infra/servers/kafka.sh"

NATSCLI_VERSION=${NATSCLI_VERSION:-v0.5.1}
REPEAT=${REPEAT:-3}
BOOTSTRAP=127.0.0.1:9092
NATS_URL=nats://127.0.0.1:4222
TOPIC=perf-test
STREAM=rtapperf
KAFKA_RECORDS_100=${KAFKA_RECORDS_100:-2000000}
KAFKA_RECORDS_300=${KAFKA_RECORDS_300:-1000000}
NATS_MSGS=${NATS_MSGS:-2000000}
NATS_JS_MSGS=${NATS_JS_MSGS:-300000}
OUT_DIR=$RTAP_CACHE/perf
mkdir -p "$OUT_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=$OUT_DIR/machine-limits-$STAMP.log
# What the script prints (per-run lines and the table) is also kept: the load tests read the Kafka
# produce limit from it (`ratio to Kafka limit` in their reports).
SUMMARY=$OUT_DIR/machine-limits-summary-$STAMP.txt
exec > >(tee -a "$SUMMARY")
CLK_TCK=$(getconf CLK_TCK)
what=("${@:-kafka latency nats}"); what=(${what[*]})

# Perf tools get the full JIT (kafka_java limits tools to C1 for fast start-up; not wanted here).
perf_java() { java -Xmx512m -Dlog4j2.configurationFile="$RTAP_ROOT/infra/kafka/log4j2-tools.properties" -cp "$KAFKA_HOME/libs/*" "$@"; }
topics() { perf_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" "$@"; }

nats_cli() {
  if [ ! -x "$RTAP_BIN/nats" ]; then go_install natscli "github.com/nats-io/natscli/nats@$NATSCLI_VERSION" || return 1; fi
  "$RTAP_BIN/nats" -s "$NATS_URL" "$@"
}

# --- CPU accounting ---------------------------------------------------------------------------
proc_ticks() { # utime+stime of a pid (fields 14,15 after the ")" of comm)
  local pid=$1; [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || { echo 0; return; }
  sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}'
}
host_ticks() { awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; print busy, busy+$5+$6}' /proc/stat; }
KPID=$(pid_of kafka); NPID=$(pid_of nats)

# measure LABEL CMD...: run CMD, capture its output in $RUN_OUT, the broker CPU% in $CPU_K/$CPU_N,
# the host busy% in $CPU_HOST and the wall time in $WALL.
measure() {
  local label=$1; shift
  local k0 n0 h0 t0 k1 n1 h1 t1 ms
  k0=$(proc_ticks "$KPID"); n0=$(proc_ticks "$NPID"); read -r hb0 ht0 < <(host_ticks); t0=$(date +%s%N)
  RUN_OUT=$("$@" 2>&1)
  t1=$(date +%s%N); k1=$(proc_ticks "$KPID"); n1=$(proc_ticks "$NPID"); read -r hb1 ht1 < <(host_ticks)
  ms=$(( (t1 - t0) / 1000000 )); WALL=$(awk -v m="$ms" 'BEGIN{printf "%.1f", m/1000}')
  DK=$((k1 - k0)); DN=$((n1 - n0))
  CPU_K=$(cpu_pct "$DK" "$WALL"); CPU_N=$(cpu_pct "$DN" "$WALL")
  CPU_HOST=$(awk -v b=$((hb1 - hb0)) -v t=$((ht1 - ht0)) 'BEGIN{printf "%.0f", t ? 100*b/t : 0}')
  { echo "=== $label  wall=${WALL}s kafkaCPU=${CPU_K}% natsCPU=${CPU_N}% host=${CPU_HOST}%"; echo "$RUN_OUT"; } >>"$RAW"
}

cpu_pct() { awk -v d="$1" -v s="$2" -v hz="$CLK_TCK" 'BEGIN{printf "%.0f", (s > 0 ? 100*d/hz/s : 0)}'; }
# active RECORDS RATE: the tool's own measuring time (excludes JVM/CLI start-up), capped at the wall
# time; the broker CPU% is re-based on it since the brokers idle while a tool starts.
active() {
  ACTIVE=$(awk -v n="$1" -v r="$2" -v w="$WALL" 'BEGIN{a = r > 0 ? n/r : w; if (a > w) a = w; printf "%.2f", a}')
  CPU_K=$(cpu_pct "$DK" "$ACTIVE"); CPU_N=$(cpu_pct "$DN" "$ACTIVE")
}

median() { printf '%s\n' "$@" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END{if(NR==0){print "-"} else if(NR%2){print a[(NR+1)/2]} else {printf "%g\n",(a[NR/2]+a[NR/2+1])/2}}'; }

# Results: one row per measurement, every column the median over REPEAT runs.
declare -A COL; ROWS=()
add() { # add ROW KEY VALUE
  [[ " ${ROWS[*]} " == *" $1 "* ]] || ROWS+=("$1")
  COL["$1|$2"]+="$3 "
}
row_out() {
  local r=$1 k v unit; local -a cells=()
  unit=$(awk '{print $1}' <<<"${COL["$r|unit"]:-}")
  for k in rate mbs p50 p99 cpuk cpun host; do
    # shellcheck disable=SC2086
    v=$(median ${COL["$r|$k"]:-})
    [[ $k == p* && $v != - ]] && v="$v $unit"
    cells+=("$v")
  done
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${r//_/ }" "${cells[@]}"
}

# --- Kafka ------------------------------------------------------------------------------------
topic_fresh() {
  topics --delete --if-exists --topic "$TOPIC" >/dev/null 2>&1
  for _ in $(seq 50); do topics --list 2>/dev/null | grep -qx "$TOPIC" || break; sleep 0.2; done
  topics --create --if-not-exists --topic "$TOPIC" --partitions 12 --replication-factor 1 >/dev/null || return 1
}

kafka_produce() { # kafka_produce SIZE ACKS RECORDS
  measure "produce ${1}B acks=$2" perf_java org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$BOOTSTRAP" \
    --topic "$TOPIC" --num-records "$3" --record-size "$1" --throughput -1 \
    --command-property acks="$2" linger.ms=5 batch.size=262144 compression.type=none
  # "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P50 ms 50th, P95 ms 95th, P99 ms 99th, ..."
  local line; line=$(grep 'records sent' <<<"$RUN_OUT" | tail -n1)
  [ -n "$line" ] || { warn "ProducerPerformance failed: $(tail -n 3 <<<"$RUN_OUT" | tr '\n' ' ')"; return 1; }
  local r="Kafka_produce_${1}B_acks=$2" rate
  rate=$(sed -n 's/.*sent, \([0-9.]*\) records\/sec.*/\1/p' <<<"$line" | awk '{printf "%.0f", $1}')
  active "$3" "$rate"
  add "$r" rate "$rate"; add "$r" unit ms
  add "$r" mbs "$(sed -n 's/.*(\([0-9.]*\) MB\/sec).*/\1/p' <<<"$line")"
  add "$r" p50 "$(sed -n 's/.* \([0-9.]*\) ms 50th.*/\1/p' <<<"$line")"
  add "$r" p99 "$(sed -n 's/.* \([0-9.]*\) ms 99th.*/\1/p' <<<"$line")"
  add "$r" cpuk "$CPU_K"; add "$r" cpun "$CPU_N"; add "$r" host "$CPU_HOST"
  info "  $r: $rate records/s ($(sed -n 's/.*(\([0-9.]*\) MB\/sec).*/\1/p' <<<"$line") MB/s), kafka CPU ${CPU_K}% over ${ACTIVE}s, host ${CPU_HOST}% (wall ${WALL}s)"
}

kafka_consume() { # kafka_consume SIZE RECORDS
  measure "consume ${1}B" perf_java org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOTSTRAP" \
    --topic "$TOPIC" --num-records "$2" --group "perf-consumer-$RANDOM$RANDOM" --timeout 20000 \
    --command-property fetch.max.bytes=52428800 max.partition.fetch.bytes=10485760 fetch.min.bytes=1 \
      auto.offset.reset=earliest
  # header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
  #         fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  local line; line=$(grep -E '^[0-9]{4}-' <<<"$RUN_OUT" | tail -n1)
  [ -n "$line" ] || { warn "ConsumerPerformance failed: $(tail -n 3 <<<"$RUN_OUT" | tr '\n' ' ')"; return 1; }
  local r="Kafka_consume_${1}B" mbs rate
  # fetch.* columns exclude the group join (rebalance) time: the steady-state read rate.
  mbs=$(awk -F', *' '{printf "%.1f", $9}' <<<"$line"); rate=$(awk -F', *' '{printf "%.0f", $10}' <<<"$line")
  active "$2" "$rate"
  add "$r" rate "$rate"; add "$r" mbs "$mbs"; add "$r" cpuk "$CPU_K"; add "$r" cpun "$CPU_N"; add "$r" host "$CPU_HOST"
  info "  $r: $rate records/s ($mbs MB/s, excl. join $(awk -F', *' '{print $7}' <<<"$line") ms), kafka CPU ${CPU_K}% over ${ACTIVE}s, host ${CPU_HOST}% (wall ${WALL}s)"
}

# Kafka's own end-to-end latency tool: one record in flight (send, wait until the consumer has it),
# so this is the broker's round trip on an otherwise idle machine, the floor of any pipeline hop.
kafka_latency() {
  local t=perf-latency r='Kafka_end-to-end_150B_(1_in_flight)' line
  topics --delete --if-exists --topic "$t" >/dev/null 2>&1
  topics --create --if-not-exists --topic "$t" --partitions 1 --replication-factor 1 >/dev/null || return 1
  measure "kafka end-to-end latency" perf_java org.apache.kafka.tools.EndToEndLatency --bootstrap-server "$BOOTSTRAP" \
    --topic "$t" --num-records 5000 --producer-acks all --record-size 150
  topics --delete --if-exists --topic "$t" >/dev/null 2>&1
  line=$(grep -E '^Percentiles:' <<<"$RUN_OUT" | tail -n1)
  [ -n "$line" ] || { warn "EndToEndLatency failed: $(tail -n 3 <<<"$RUN_OUT" | tr '\n' ' ')"; return 1; }
  # The tool prints whole milliseconds; its average has decimals.
  add "$r" unit ms
  add "$r" p50 "$(sed -n 's/.*50th = \([0-9.]*\).*/\1/p' <<<"$line")"
  add "$r" p99 "$(sed -n 's/.*99th = \([0-9.]*\),.*/\1/p' <<<"$line")"
  add "$r" cpuk "$CPU_K"; add "$r" host "$CPU_HOST"
  info "  $r: $(grep -E '^Avg latency' <<<"$RUN_OUT" | tail -n1); $line (whole ms)"
}

run_kafka() {
  info "kafka: ProducerPerformance / ConsumerPerformance on '$TOPIC' (12 partitions), $REPEAT run(s) each"
  local size n i
  for size in 100 300; do
    n=$KAFKA_RECORDS_100; [ "$size" = 300 ] && n=$KAFKA_RECORDS_300
    for i in $(seq "$REPEAT"); do
      topic_fresh || { fail perf "could not create topic $TOPIC"; return 1; }
      kafka_produce "$size" 1 "$n"
      kafka_produce "$size" all "$n"
      kafka_consume "$size" $((2 * n))  # both runs' records
    done
  done
  topics --delete --if-exists --topic "$TOPIC" >/dev/null 2>&1
}

# --- NATS -------------------------------------------------------------------------------------
nats_stats() { # nats_stats ROW PATTERN MSGS: parse "... stats: R msgs/sec ~ M MiB/sec ~ ... P50: x ~ ... P99: y"
  local line rate; line=$(grep "$2" <<<"$RUN_OUT" | tail -n1)
  [ -n "$line" ] || { warn "nats bench ($1) printed no '$2' line: $(tail -n 3 <<<"$RUN_OUT" | tr '\n' ' ')"; return 1; }
  rate=$(sed -n 's/.*stats: \([0-9,]*\) msgs\/sec.*/\1/p' <<<"$line" | tr -d ,)
  active "$3" "$rate"
  add "$1" rate "$rate"; add "$1" unit µs
  add "$1" mbs "$(sed -n 's/.* \([0-9.]*\) MiB\/sec.*/\1/p' <<<"$line")"
  add "$1" p50 "$(sed -n 's/.*P50: \([0-9.,]*\)us.*/\1/p' <<<"$line" | tr -d ,)"
  add "$1" p99 "$(sed -n 's/.*P99: \([0-9.,]*\)us.*/\1/p' <<<"$line" | tr -d ,)"
  add "$1" cpuk "$CPU_K"; add "$1" cpun "$CPU_N"; add "$1" host "$CPU_HOST"
  info "  $1: $(sed -n 's/.*stats: \([0-9,]* msgs\/sec ~ [0-9.]* MiB\/sec\).*/\1/p' <<<"$line"), nats CPU ${CPU_N}% over ${ACTIVE}s, host ${CPU_HOST}% (wall ${WALL}s)"
}

pubsub() { # pub and sub in one run: the subscriber starts first and counts what it receives
  local size=$1 subj=rtap.perf.ps.$RANDOM
  nats_cli bench sub "$subj" --msgs "$NATS_MSGS" --size "$size" --no-progress >"$OUT_DIR/sub-$STAMP.out" 2>&1 &
  local sp=$!; sleep 0.5
  nats_cli bench pub "$subj" --msgs "$NATS_MSGS" --size "$size" --no-progress
  # A slow subscriber may be cut off by the server (slow consumer); never wait forever.
  for _ in $(seq 100); do kill -0 "$sp" 2>/dev/null || break; sleep 0.2; done
  kill "$sp" 2>/dev/null; wait "$sp" 2>/dev/null
  cat "$OUT_DIR/sub-$STAMP.out"
}

run_nats() {
  nats_cli --version >/dev/null || return 1
  info "nats: nats bench $(nats_cli --version 2>&1), $REPEAT run(s) each"
  local size i
  for i in $(seq "$REPEAT"); do
    for size in 100 300; do
      measure "nats pub ${size}B" nats_cli bench pub rtap.perf.pub --msgs "$NATS_MSGS" --size "$size" --no-progress
      nats_stats "NATS_pub_${size}B_(no_subscriber)" "publisher stats" "$NATS_MSGS"
      measure "nats pub+sub ${size}B" pubsub "$size"
      nats_stats "NATS_pub+sub_${size}B:_pub" "publisher stats" "$NATS_MSGS"
      nats_stats "NATS_pub+sub_${size}B:_sub" "subscriber stats" "$NATS_MSGS"
      measure "nats js pub async ${size}B" nats_cli bench js pub async rtap.perf.js --stream "$STREAM" --create --purge \
        --storage file --msgs "$NATS_JS_MSGS" --size "$size" --batch 500 --no-progress
      nats_stats "JetStream_pub_async_${size}B_(file,_R1,_batch_500)" "publisher stats" "$NATS_JS_MSGS"
      measure "nats js pub sync ${size}B" nats_cli bench js pub sync rtap.perf.js --stream "$STREAM" --create --purge \
        --storage file --msgs 20000 --size "$size" --no-progress
      nats_stats "JetStream_pub_sync_${size}B_(file,_R1,_1_in_flight)" "publisher stats" 20000
    done
  done
  nats_cli stream rm -f "$STREAM" >/dev/null 2>&1
}

cleanup() {
  topics --delete --if-exists --topic "$TOPIC" >/dev/null 2>&1
  topics --delete --if-exists --topic perf-latency >/dev/null 2>&1
  [ -x "$RTAP_BIN/nats" ] && "$RTAP_BIN/nats" -s "$NATS_URL" stream rm -f "$STREAM" >/dev/null 2>&1
  rm -f "$OUT_DIR/sub-$STAMP.out"
}
trap 'cleanup; exit 130' INT TERM

is_running kafka || [[ " ${what[*]} " != *" kafka "* && " ${what[*]} " != *" latency "* ]] || { fail perf "kafka is not running (infra/infra.sh up kafka)"; exit 1; }
is_running nats || [[ " ${what[*]} " != *" nats "* ]] || { fail perf "nats is not running (infra/infra.sh up nats)"; exit 1; }

info "machine: $(nproc) vCPU, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -n1), raw output: $RAW"
[[ " ${what[*]} " == *" kafka "* ]] && run_kafka
if [[ " ${what[*]} " == *" latency "* ]]; then
  info "kafka: EndToEndLatency (one 150 B record in flight, acks=all), $REPEAT run(s)"
  for _ in $(seq "$REPEAT"); do kafka_latency; done
fi
[[ " ${what[*]} " == *" nats "* ]] && run_nats
cleanup

echo
echo "Medians of $REPEAT run(s) (each column independently). Latency: Kafka = send→ack per record at full"
echo "throughput (mostly client-side queueing); Kafka end-to-end = produce→consume of one record at a time; NATS pub = time per publish call; JetStream = publish→ack."
echo "Broker CPU% over the tool's measuring time (one core = 100%); host busy% = whole machine ($(nproc) cores) over the wall time."
echo
echo "| run | records/s | MB/s | p50 | p99 | Kafka CPU % | NATS CPU % | host busy % |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do row_out "$r"; done
