# InfluxDB 1.8.10 built from source (pure Go). Its /api/v2 write and query endpoints serve
# @influxdata/influxdb-client; on 1.8 the bucket is "database/retention-policy".

INFLUX_VERSION=v1.8.10
INFLUX_PORTS=(8086 8088)
INFLUX_LOG=$RTAP_LOGS/influxdb.log
INFLUX_DATABASE=${INFLUX_DATABASE:-rtap}

influxdb_install() {
  [ -x "$RTAP_BIN/influxd" ] && return 0
  go_install influxdb "github.com/influxdata/influxdb/cmd/influxd@$INFLUX_VERSION" && return 0
  # Its 2020-era dependencies may not build with the newest Go: fetch an older toolchain instead.
  warn "influxdb: retrying with GOTOOLCHAIN=go1.21.13"
  GOTOOLCHAIN=go1.21.13 go_install influxdb "github.com/influxdata/influxdb/cmd/influxd@$INFLUX_VERSION"
}

influxdb_health() { http_ok http://127.0.0.1:8086/health; }

influxdb_start() {
  if ! { is_running influxdb && influxdb_health; }; then
    influxdb_install || return 1
    require_free_ports influxdb "${INFLUX_PORTS[@]}" || return 1
    local conf="$RTAP_RUN/influxdb.conf"
    mkdir -p "$RTAP_DATA/influxdb"
    sed "s:@DATA@:$RTAP_DATA/influxdb:g" "$RTAP_ROOT/infra/influxdb/influxdb.conf" >"$conf"
    start_go_daemon influxdb "$INFLUX_LOG" "$RTAP_BIN/influxd" -config "$conf" || return 1
    wait_until influxdb 30 "$INFLUX_LOG" influxdb_health || return 1
  fi
  curl -fsS --max-time 5 -o /dev/null -XPOST http://127.0.0.1:8086/query \
    --data-urlencode "q=CREATE DATABASE \"$INFLUX_DATABASE\"" \
    || { fail influxdb "could not create database $INFLUX_DATABASE"; return 1; }
}

influxdb_stop() { stop_daemon influxdb 15; }
influxdb_urls() { echo "influxdb   http://127.0.0.1:8086         bucket: $INFLUX_DATABASE/autogen (v2 API, no auth)"; }
