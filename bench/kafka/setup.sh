#!/usr/bin/env bash
# Resolves the reference Apache Kafka (see pom.xml) from Maven Central and writes its classpath to
# target/classpath.txt. Idempotent: when the classpath file is newer than pom.xml and every jar in it
# is in the local Maven repository, it does nothing (about 0.1 s).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cp_file="$here/target/classpath.txt"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench/kafka/setup.sh: '$1' not found on PATH: $2" >&2; exit 1; }; }
need java "install a JDK 17+ (Debian: apt-get install openjdk-17-jdk-headless)"
need mvn "install Maven (Debian: apt-get install maven)"

up_to_date() {
  [[ -s "$cp_file" && "$cp_file" -nt "$here/pom.xml" ]] || return 1
  local jar
  IFS=':' read -r -a jars < "$cp_file"
  for jar in "${jars[@]}"; do [[ -f "$jar" ]] || return 1; done
}

if up_to_date; then exit 0; fi
echo "bench/kafka: resolving Apache Kafka from Maven Central..." >&2
mkdir -p "$here/target"
mvn -q -B -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" \
  || { echo "bench/kafka/setup.sh: mvn failed to resolve Kafka (is Maven Central reachable?)" >&2; exit 1; }
up_to_date || { echo "bench/kafka/setup.sh: classpath incomplete after resolution" >&2; exit 1; }
