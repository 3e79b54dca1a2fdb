#!/usr/bin/env bash
# Refreshes fixtures/captures/: runs every interop client (test/interop/clients.json) through
# scripts/capture-proxy.mjs against the reference Apache Kafka (bench/kafka), with few records so that
# the files stay small but every codec each client supports is produced at least once.
#
# Usage: scripts/refresh-captures.sh [client ...]      (default: every client in clients.json)
# Env:   CAPTURE_RECORDS (default 50: 10 records per codec, enough that every batch compresses smaller
#        than it is raw; franz-go sends a batch uncompressed when compressing does not shrink it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
records="${CAPTURE_RECORDS:-50}"

mapfile -t all < <(node -e 'for (const c of require("./test/interop/clients.json").clients) console.log(c.name)')
clients=("$@")
[[ ${#clients[@]} -gt 0 ]] || clients=("${all[@]}")

# Only the interop setup parts the chosen clients need (the whole setup also fetches Chromium).
declare -A part_of=([java]=java [confluent-kafka-python]=python [kafka-python]=python [franz-go]=go [sarama]=go [kafkajs]=node [platformatic-kafka]=node)
mapfile -t parts < <(for c in "${clients[@]}"; do echo "${part_of[$c]:-}"; done | sort -u | grep .)
bash test/interop/setup.sh "${parts[@]}"
bash bench/kafka/setup.sh

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kafka_port="$(free_port)"
proxy_port="$(free_port)"
work="$(mktemp -d)"
proxy_pid=""
cleanup() {
  [[ -n "$proxy_pid" ]] && kill "$proxy_pid" 2>/dev/null || true
  bash bench/kafka/stop-kafka.sh "$work/kafka" || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "refresh-captures: starting Kafka on $kafka_port (advertised through the proxy on $proxy_port)" >&2
KAFKA_ADVERTISED_PORT="$proxy_port" KAFKA_HEAP_OPTS="-Xms512m -Xmx512m" bash bench/kafka/start-kafka.sh "$kafka_port" "$work/kafka" >/dev/null

failed=0
for client in "${clients[@]}"; do
  mapfile -t cmd < <(node -e 'const c = require("./test/interop/clients.json").clients.find(c => c.name === process.argv[1]); if (!c) process.exit(1); for (const a of c.command) console.log(a)' "$client") \
    || { echo "refresh-captures: unknown client $client" >&2; exit 2; }
  out="fixtures/captures/$client"
  rm -rf "$out"
  mkdir -p "$out"
  node scripts/capture-proxy.mjs --listen "$proxy_port" --upstream "127.0.0.1:$kafka_port" --out "$out" > "$work/proxy.out" &
  proxy_pid=$!
  until grep -q '^listening' "$work/proxy.out" 2>/dev/null; do sleep 0.1; done
  topic="capture-$client-$(date +%s)"
  echo "refresh-captures: $client" >&2
  if ! "${cmd[@]}" --bootstrap "127.0.0.1:$proxy_port" --topic "$topic" --records "$records" > "$out/scenario.jsonl" 2> "$work/client.err"; then
    echo "refresh-captures: $client FAILED; its output:" >&2
    cat "$out/scenario.jsonl" "$work/client.err" >&2
    failed=1
  fi
  kill "$proxy_pid"
  wait "$proxy_pid" || true
  proxy_pid=""
  echo "refresh-captures: $client: $(ls "$out" | grep -c -- '-v[0-9]*\.bin$') requests, $(ls "$out" | grep -c -- '-response\.bin$') responses" >&2
done
exit "$failed"
