# Apache Kafka 4.x, single node in KRaft combined mode (broker + controller), jars from Maven Central.

KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$RTAP_ROOT/infra/kafka/pom.xml")
KAFKA_HOME=$RTAP_CACHE/kafka-$KAFKA_VERSION
KAFKA_PORTS=(9092 9093)
KAFKA_LOG=$RTAP_LOGS/kafka.log
KAFKA_HEAP=${KAFKA_HEAP:-1g}
# Topics the pipeline needs: name:partitions. The input's partitions (one partition actor each, so
# at most that many nodes share the work) apply when the topic is created; an existing one keeps its own.
RTAP_EVENTS_PARTITIONS=${RTAP_EVENTS_PARTITIONS:-12}
KAFKA_TOPICS=(events:$RTAP_EVENTS_PARTITIONS events.dlq:3)

kafka_java_ok() {
  command -v java >/dev/null || { fail kafka "Java is not installed (Kafka needs Java 17+; apt-get install openjdk-17-jre-headless)"; return 1; }
  local major
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [ "${major:-0}" -ge 17 ] || { fail kafka "Java $major found; Kafka $KAFKA_VERSION needs Java 17+"; return 1; }
}

kafka_install() {
  kafka_java_ok || return 1
  [ -f "$KAFKA_HOME/libs/.complete" ] && return 0
  command -v mvn >/dev/null || { fail kafka "Maven is not installed (needed to fetch Kafka jars)"; return 1; }
  info "kafka: fetching Kafka $KAFKA_VERSION jars from Maven Central (first run only)"
  local tmp="$KAFKA_HOME/libs.tmp" out
  rm -rf "$tmp"
  if ! out=$(mvn -q -B -f "$RTAP_ROOT/infra/kafka/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1); then
    fail kafka "Maven could not fetch the Kafka jars: $(printf '%s' "$out" | grep -E 'ERROR' | head -n 2 | tr '\n' ' ')"
    return 1
  fi
  rm -rf "$KAFKA_HOME/libs" && mv "$tmp" "$KAFKA_HOME/libs" && touch "$KAFKA_HOME/libs/.complete"
}

kafka_java() { java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$RTAP_ROOT/infra/kafka/log4j2-tools.properties" -cp "$KAFKA_HOME/libs/*" "$@"; }

kafka_health() { port_open 9092 && port_open 9093; }

kafka_topics_create() {
  local spec name parts pids=() rc=0
  [[ $RTAP_EVENTS_PARTITIONS =~ ^[1-9][0-9]*$ ]] || { fail kafka "RTAP_EVENTS_PARTITIONS must be a whole number of at least 1, not '$RTAP_EVENTS_PARTITIONS'"; return 1; }
  for spec in "${KAFKA_TOPICS[@]}"; do
    name=${spec%%:*} parts=${spec##*:}
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --create --if-not-exists \
      --topic "$name" --partitions "$parts" --replication-factor 1 >>"$RTAP_LOGS/kafka-topics.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ $rc -eq 0 ] || { fail kafka "could not create topics; see $RTAP_LOGS/kafka-topics.log"; last_log_lines "$RTAP_LOGS/kafka-topics.log" 4 >&2; return 1; }
}

kafka_start() {
  is_running kafka && kafka_health && return 0
  kafka_install || return 1
  require_free_ports kafka "${KAFKA_PORTS[@]}" || return 1
  local dir="$RTAP_DATA/kafka" conf="$RTAP_RUN/kafka.properties"
  mkdir -p "$dir"
  sed "s:@DATA@:$dir:" "$RTAP_ROOT/infra/kafka/server.properties" >"$conf"
  if [ ! -f "$dir/meta.properties" ]; then
    local id out
    id=$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
    if ! out=$(kafka_java kafka.tools.StorageTool format -t "$id" -c "$conf" 2>&1); then
      fail kafka "storage format failed: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')"; return 1
    fi
  fi
  start_daemon kafka "$KAFKA_LOG" java "-Xmx$KAFKA_HEAP" "-Xms$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$RTAP_ROOT/infra/kafka/log4j2.properties" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$conf"
  wait_until kafka 90 "$KAFKA_LOG" kafka_health || return 1
  kafka_topics_create
}

kafka_stop() { stop_daemon kafka 30; }
kafka_urls() { echo "kafka      127.0.0.1:9092 (bootstrap)   topics: ${KAFKA_TOPICS[*]}"; }
