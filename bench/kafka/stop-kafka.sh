#!/usr/bin/env bash
# Usage: bench/kafka/stop-kafka.sh <dir>
# Stops the broker that start-kafka.sh started in <dir> (pid from <dir>/kafka.pid): SIGTERM, then
# SIGKILL after KAFKA_STOP_TIMEOUT seconds (default 30). Succeeds if it is not running.
set -euo pipefail
if [[ $# -ne 1 ]]; then echo "usage: $0 <dir>" >&2; exit 2; fi
pid_file="$1/kafka.pid"
[[ -f "$pid_file" ]] || exit 0
pid="$(cat "$pid_file")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid" 2>/dev/null || true
  deadline=$(( SECONDS + ${KAFKA_STOP_TIMEOUT:-30} ))
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS >= deadline )); then kill -9 "$pid" 2>/dev/null || true; break; fi
    sleep 0.2
  done
fi
rm -f "$pid_file"
