#!/usr/bin/env bash
# Re-records test/interop/streams-pipeline.kafka-4.4.json: what Apache Kafka 4.4 gives for the
# Kafka Streams scenario of test/interop/streams-pipeline.test.ts (a repartitioned word count, a
# windowed aggregation and a KStream-KTable join on the streams protocol, exactly_once_v2, two
# instances, one SIGKILLed mid-transaction three times). Starts Apache Kafka 4.4 (bench/kafka, one
# KRaft node) with the streams group configs the test gives minikafka (STREAMS_GROUP_CONFIGS of
# test/interop/streams-input.ts), runs the test against it in record mode (it still asserts that
# Kafka's output is the expected one), and stops Kafka.
#
# Usage: npm run build && bash scripts/record-kafka-streams.sh    (about 2 minutes)
# Needs: a JDK 17+ and Maven (bench/kafka/setup.sh, test/interop/setup.sh java).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[[ -f dist/test/interop/streams-pipeline.test.js ]] || { echo "record-kafka-streams: run 'npm run build' first" >&2; exit 2; }
props="$(node --input-type=module -e "
const { STREAMS_GROUP_CONFIGS } = await import('$root/dist/test/interop/streams-input.js');
console.log(Object.entries(STREAMS_GROUP_CONFIGS).map(([k, v]) => k + '=' + v).join('\n'));")"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
work="$(mktemp -d)"
trap 'bash bench/kafka/stop-kafka.sh "$work/kafka"; rm -rf "$work"' EXIT
echo "record-kafka-streams: starting Apache Kafka 4.4 on 127.0.0.1:$port with:" >&2
echo "$props" >&2
KAFKA_HEAP_OPTS="-Xms512m -Xmx512m" KAFKA_EXTRA_PROPS="$props" bash bench/kafka/start-kafka.sh "$port" "$work/kafka" >/dev/null
INTEROP_BOOTSTRAP="127.0.0.1:$port" STREAMS_PIPELINE_RECORD=1 npx tap dist/test/interop/streams-pipeline.test.js
