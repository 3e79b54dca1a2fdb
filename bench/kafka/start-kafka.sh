#!/usr/bin/env bash
# Usage: bench/kafka/start-kafka.sh <port> <dir>
#
# Starts a single-node Apache Kafka (KRaft, combined broker+controller) listening on
# PLAINTEXT://127.0.0.1:<port>, with its controller on another free loopback port. Everything lives in
# <dir>: server.properties, data/ (wiped and re-formatted on every start: this broker is for tests and
# benchmarks), logs/, kafka.out, kafka.pid and launched-at (the wall-clock time, in seconds with
# microseconds, at which the broker JVM was launched, after the storage format, so that startup can be
# timed from there). Waits until the broker answers on <port>, then prints
# the pid on stdout. Stop it with bench/kafka/stop-kafka.sh <dir>.
#
# Env: KAFKA_HEAP_OPTS (default "-Xms1g -Xmx1g"), KAFKA_START_TIMEOUT seconds (default 90),
#      KAFKA_EXTRA_PROPS: extra lines appended to server.properties,
#      KAFKA_SSL_PORT: also listen on SSL://127.0.0.1:<this port> (the keystore comes in KAFKA_EXTRA_PROPS),
#      KAFKA_SASL_PORT: also listen on SASL_PLAINTEXT://127.0.0.1:<this port> (sasl.enabled.mechanisms and
#        the listener's JAAS users come in KAFKA_EXTRA_PROPS), for a client principal other than the
#        PLAINTEXT listeners' User:ANONYMOUS,
#      KAFKA_ADVERTISED_PORT: advertise PLAINTEXT://127.0.0.1:<this port> to clients instead of <port>,
#        so that every client connection goes through a proxy listening there (scripts/capture-proxy.mjs);
#        the broker then talks to itself over a separate INTERNAL listener.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -ne 2 ]]; then echo "usage: $0 <port> <dir>" >&2; exit 2; fi
port="$1"
mkdir -p "$2"
dir="$(cd "$2" && pwd)"

bash "$here/setup.sh" >&2
cp="$(cat "$here/target/classpath.txt")"

if [[ -f "$dir/kafka.pid" ]] && kill -0 "$(cat "$dir/kafka.pid")" 2>/dev/null; then
  echo "start-kafka.sh: a broker from $dir is already running (pid $(cat "$dir/kafka.pid")); stop it first" >&2
  exit 1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "start-kafka.sh: port $port is already in use" >&2
  exit 1
fi

# A free loopback port for the controller listener (bind to port 0, read what the OS gave).
controller_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# Kafka cluster ids are 16 random bytes in unpadded base64url. One that starts with '-' would be read
# as an option by kafka-storage's argument parser (1 start in 64 failed so), and Kafka's own
# Uuid.randomUuid() draws again in that case too.
cluster_id="$(python3 -c '
import base64, os
while True:
    s = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break
')"

listeners="PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller_port}"
advertised="PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller_port}"
inter_broker=PLAINTEXT
if [[ -n "${KAFKA_SSL_PORT:-}" ]]; then
  listeners="${listeners},SSL://127.0.0.1:${KAFKA_SSL_PORT}"
  advertised="${advertised},SSL://127.0.0.1:${KAFKA_SSL_PORT}"
fi
if [[ -n "${KAFKA_SASL_PORT:-}" ]]; then
  listeners="${listeners},SASL_PLAINTEXT://127.0.0.1:${KAFKA_SASL_PORT}"
  advertised="${advertised},SASL_PLAINTEXT://127.0.0.1:${KAFKA_SASL_PORT}"
fi
if [[ -n "${KAFKA_ADVERTISED_PORT:-}" ]]; then
  internal_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  listeners="${listeners},INTERNAL://127.0.0.1:${internal_port}"
  advertised="PLAINTEXT://127.0.0.1:${KAFKA_ADVERTISED_PORT},CONTROLLER://127.0.0.1:${controller_port},INTERNAL://127.0.0.1:${internal_port}"
  inter_broker=INTERNAL
fi

rm -rf "$dir/data" "$dir/logs"
mkdir -p "$dir/data" "$dir/logs"
cat > "$dir/server.properties" <<PROPS
# Written by bench/kafka/start-kafka.sh: single-node KRaft dev broker.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${controller_port}
listeners=${listeners}
advertised.listeners=${advertised}
inter.broker.listener.name=${inter_broker}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT
log.dirs=${dir}/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
${KAFKA_EXTRA_PROPS:-}
PROPS

jvm_opts=(${KAFKA_HEAP_OPTS:--Xms1g -Xmx1g} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$here/log4j2.properties" "-Dkafka.logs.dir=$dir/logs")

java "${jvm_opts[@]}" -cp "$cp" kafka.tools.StorageTool format --standalone \
  -t "$cluster_id" -c "$dir/server.properties" > "$dir/logs/format.out" 2>&1 \
  || { echo "start-kafka.sh: storage format failed:" >&2; cat "$dir/logs/format.out" >&2; exit 1; }

echo "$EPOCHREALTIME" > "$dir/launched-at"
nohup java "${jvm_opts[@]}" -cp "$cp" kafka.Kafka "$dir/server.properties" > "$dir/kafka.out" 2>&1 < /dev/null &
pid=$!
echo "$pid" > "$dir/kafka.pid"

deadline=$(( SECONDS + ${KAFKA_START_TIMEOUT:-90} ))
until grep -q "Kafka Server started" "$dir/logs/server.log" 2>/dev/null \
    && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-kafka.sh: kafka exited during startup; tail of $dir/kafka.out and logs/server.log:" >&2
    tail -n 30 "$dir/kafka.out" "$dir/logs/server.log" >&2 || true
    rm -f "$dir/kafka.pid"
    exit 1
  fi
  if (( SECONDS >= deadline )); then
    echo "start-kafka.sh: kafka did not answer on 127.0.0.1:$port in time; stopping it" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done
echo "$pid"
