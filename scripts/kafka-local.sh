#!/usr/bin/env bash
# Run a real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) on 127.0.0.1,
# without Docker: the jars come from Maven Central through scripts/kafka/pom.xml.
#
#   bash scripts/kafka-local.sh start    # fetch jars if needed, format once, start, wait until ready
#   bash scripts/kafka-local.sh status   # exit 0 when running and answering on the port
#   bash scripts/kafka-local.sh stop     # SIGTERM, wait, SIGKILL as a last resort
#   bash scripts/kafka-local.sh reset    # stop and delete the data (next start = fresh cluster)
#   bash scripts/kafka-local.sh restart  # stop, then start (data kept)
#   KAFKA_WIPE=1 bash scripts/kafka-local.sh start   # reset, then start
#
# Environment:
#   KAFKA_PORT             client (PLAINTEXT) port, default 9092
#   KAFKA_CONTROLLER_PORT  KRaft controller port, default 9093
#   KAFKA_HOME_DIR         state folder (jars, config, data, log, pid), default <repo>/.kafka;
#                          a relative path is taken relative to the repo root
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to come up, default 90
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL, default 30
#   KAFKA_HEAP_OPTS        JVM heap flags, default "-Xms256m -Xmx512m"
#   KAFKA_WIPE=1           with start: delete the data first
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
POM="$SCRIPT_DIR/kafka/pom.xml"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HOME_DIR="${KAFKA_HOME_DIR:-$REPO_ROOT/.kafka}"
case "$KAFKA_HOME_DIR" in
  /*) ;;
  *) KAFKA_HOME_DIR="$REPO_ROOT/$KAFKA_HOME_DIR" ;;
esac
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"

LIB_DIR="$KAFKA_HOME_DIR/lib"
DATA_DIR="$KAFKA_HOME_DIR/data"
PROPS="$KAFKA_HOME_DIR/server.properties"
LOG4J_CONF="$KAFKA_HOME_DIR/log4j2.properties"
LOG_FILE="$KAFKA_HOME_DIR/kafka.log"
PID_FILE="$KAFKA_HOME_DIR/kafka.pid"
READY_LINE="Kafka Server started"

if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="java"
fi

log() { echo "kafka-local: $*"; }
die() { echo "kafka-local: $*" >&2; exit 1; }

for n in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_START_TIMEOUT" "$KAFKA_STOP_TIMEOUT"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a number: '$n' (check KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_*_TIMEOUT)"
done
[[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"

kafka_version() {
  sed -n 's:.*<kafka\.version>\(.*\)</kafka\.version>.*:\1:p' "$POM" | head -n1
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Pid of our broker if it is alive (and really is a kafka.Kafka JVM), else nothing.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka' || return 1
  fi
  echo "$pid"
}

fetch_jars() {
  local stamp="$LIB_DIR/.pom.sha256" want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found: Maven is needed to fetch the Kafka jars"
  log "fetching Apache Kafka $(kafka_version) jars from Maven Central into $LIB_DIR ..."
  local t0=$SECONDS tmp="$KAFKA_HOME_DIR/lib.tmp.$$"
  rm -rf "$tmp"
  local out
  if ! out="$(mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" 2>&1)"; then
    rm -rf "$tmp"
    printf '%s\n' "$out" >&2
    die "mvn could not fetch the Kafka jars (output above)"
  fi
  echo "$want" >"$tmp/.pom.sha256"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  log "fetched $(find "$LIB_DIR" -maxdepth 1 -name "*.jar" | wc -l) jars in $((SECONDS - t0))s"
}

write_config() {
  cat >"$PROPS" <<EOF
# Written by scripts/kafka-local.sh on every start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
# Internal topics: one replica (single node) and few partitions (fast first group join).
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
# No 3 s wait before the first rebalance of a new consumer group.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
EOF
  cat >"$LOG4J_CONF" <<'EOF'
# Written by scripts/kafka-local.sh: everything to stdout, which the script sends to kafka.log.
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
EOF
}

# Same shape as `kafka.tools.StorageTool random-uuid` (16 random bytes, base64url, no padding;
# never starting with '-'), without paying for a JVM start.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    if [[ ${#id} -eq 22 && "$id" != -* && "$id" != AAAAAAAAAAAAAAAAAAAAA[AQ] ]]; then
      echo "$id"
      return 0
    fi
  done
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  mkdir -p "$DATA_DIR"
  local cluster_id
  cluster_id="$(new_cluster_id)"
  log "formatting storage in $DATA_DIR (cluster id $cluster_id)"
  if ! "$JAVA" -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$LIB_DIR/*" kafka.tools.StorageTool \
      format --standalone -t "$cluster_id" -c "$PROPS" >>"$LOG_FILE" 2>&1; then
    tail -n 30 "$LOG_FILE" >&2 || true
    die "storage format failed"
  fi
  # The controller endpoint is recorded in the bootstrap voter set at format time.
  echo "$KAFKA_CONTROLLER_PORT" >"$DATA_DIR/.controller-port"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    if port_open "$KAFKA_PORT"; then
      log "running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
      return 0
    fi
    log "process $pid is alive but 127.0.0.1:$KAFKA_PORT does not answer (starting or unhealthy)"
    return 1
  fi
  log "not running"
  return 3
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  local t0=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS - t0 >= KAFKA_STOP_TIMEOUT )); then
      log "still alive after ${KAFKA_STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$PID_FILE"
  log "stopped in $((SECONDS - t0))s"
}

cmd_reset() {
  cmd_stop
  log "deleting data in $DATA_DIR"
  rm -rf "$DATA_DIR"
}

cmd_start() {
  local pid
  if [[ "${KAFKA_WIPE:-0}" == "1" ]]; then
    cmd_reset
  fi
  if pid="$(running_pid)"; then
    if port_open "$KAFKA_PORT"; then
      log "already running (pid $pid) on 127.0.0.1:$KAFKA_PORT, nothing to do"
      return 0
    fi
    log "process $pid is alive but not answering yet; waiting for it"
  else
    rm -f "$PID_FILE"
    command -v "$JAVA" >/dev/null || die "java not found (Java 17+ is needed)"
    for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
      if port_open "$p"; then
        die "port 127.0.0.1:$p is already in use by another process (not started by this script); set KAFKA_PORT / KAFKA_CONTROLLER_PORT"
      fi
    done
    mkdir -p "$KAFKA_HOME_DIR"
    fetch_jars
    if [[ -f "$DATA_DIR/.controller-port" && "$(cat "$DATA_DIR/.controller-port")" != "$KAFKA_CONTROLLER_PORT" ]]; then
      # A single voter elects itself, so this works, but the voter set keeps the old endpoint.
      log "note: $DATA_DIR was formatted with controller port $(cat "$DATA_DIR/.controller-port"), now $KAFKA_CONTROLLER_PORT; 'reset' (or KAFKA_WIPE=1) gives a clean cluster if anything looks odd"
    fi
    [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
    : >"$LOG_FILE"
    write_config
    format_storage
    log "starting Apache Kafka $(kafka_version) on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), log $LOG_FILE"
    # shellcheck disable=SC2086  # KAFKA_HEAP_OPTS is a list of flags
    nohup "$JAVA" $KAFKA_HEAP_OPTS \
      -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
      -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$LOG4J_CONF" \
      -cp "$LIB_DIR/*" kafka.Kafka "$PROPS" >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"
  fi

  local t0=$SECONDS
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      echo "----- last lines of $LOG_FILE -----" >&2
      tail -n 40 "$LOG_FILE" >&2 || true
      die "the broker exited during startup"
    fi
    if grep -q "$READY_LINE" "$LOG_FILE" 2>/dev/null && port_open "$KAFKA_PORT"; then
      break
    fi
    if (( SECONDS - t0 >= KAFKA_START_TIMEOUT )); then
      echo "----- last lines of $LOG_FILE -----" >&2
      tail -n 40 "$LOG_FILE" >&2 || true
      log "not ready after ${KAFKA_START_TIMEOUT}s, stopping it" >&2
      cmd_stop >&2 || true
      die "the broker did not come up in ${KAFKA_START_TIMEOUT}s (KAFKA_START_TIMEOUT)"
    fi
    sleep 0.5
  done
  log "ready on 127.0.0.1:$KAFKA_PORT (pid $pid, Kafka $(kafka_version), ${SECONDS}s)"
}

# One start/stop/reset at a time per KAFKA_HOME_DIR (e.g. parallel test workers all calling
# start): the others wait here, then see the running broker. fd 9 is closed for the JVM.
take_lock() {
  mkdir -p "$KAFKA_HOME_DIR"
  exec 9>"$KAFKA_HOME_DIR/.script.lock"
  flock -w $((KAFKA_START_TIMEOUT + KAFKA_STOP_TIMEOUT + 120)) 9 || die "timed out waiting for another kafka-local.sh on $KAFKA_HOME_DIR"
}

case "${1:-}" in
  start|stop|reset|restart) take_lock ;;
esac

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  restart) cmd_stop; cmd_start ;;
  *)
    echo "usage: $0 {start|stop|status|reset|restart}" >&2
    exit 2
    ;;
esac
