#!/usr/bin/env bash
# Installs and builds the interop programs (see SCENARIO.md), idempotently: every part is skipped when
# its output is newer than its inputs, so a second run takes about a second.
#
#   java/    mvn package             -> java/target/interop.jar (+ java/target/lib/)
#   java-mirror/ mvn package         -> java-mirror/target/mirror.jar (+ lib/)
#   python/  venv + pip install -r   -> python/.venv (stamp: .venv/.requirements.sha256)
#   go/      go build ./cmd/...      -> go/bin/franz, go/bin/sarama, go/bin/groups (groups.test.ts),
#                                       go/bin/franz-txn (transactions.test.ts), go/bin/failover (failover.test.ts),
#                                       go/bin/control-fetch (control.test.ts), go/bin/sasl-client and go/bin/sasl-sarama (sasl-clients.test.ts),
#                                       go/bin/kadm-apis (admin-clients.test.ts)
#            go test -c (franz-go's pkg/kgo, from the module cache) -> go/bin/kgo.test, and its
#                                       directory in go/bin/kgo.test.dir (kgo-suite.test.ts)
#   node/    npm ci                  -> node/node_modules
#   chromium apt-get install chromium -> /usr/bin/chromium (the inspector's browser test,
#                                       test/e2e/ui-inspector.test.ts; skipped when present)
#
# Usage: test/interop/setup.sh [java|python|go|node|chromium ...]   (default: all)
# Needs: JDK 17+ and Maven, python3 with venv, Go (see go/go.mod), Node 20.19+ and npm.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
parts=("$@")
[[ ${#parts[@]} -gt 0 ]] || parts=(java python go node chromium)

say() { echo "interop setup: $*" >&2; }
die() { echo "interop setup: ERROR: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not on PATH; $2"; }
# newer OUTPUT INPUT...: true when OUTPUT exists and no INPUT (files, or files under dirs) is newer.
newer() {
  local out="$1"; shift
  [[ -e "$out" ]] || return 1
  [[ -z "$(find "$@" -newer "$out" -print -quit 2>/dev/null)" ]]
}

# One setup at a time (the test runner and a developer may both call it).
exec 9>"$here/.setup.lock"
flock 9

# One Maven project: DIR (under test/interop) whose package is target/JAR with target/lib/.
build_maven() {
  local d="$here/$1" jar="$2"
  if newer "$d/target/$jar" "$d/pom.xml" "$d/src" && [[ -d "$d/target/lib" ]]; then return; fi
  need java "install a JDK 17+ (Debian: apt-get install openjdk-17-jdk-headless)"
  need mvn "install Maven (Debian: apt-get install maven)"
  say "java: mvn package ($1)"
  rm -rf "$d/target/lib"
  mvn -q -B -f "$d/pom.xml" package || die "java: mvn package failed in $1"
  [[ -f "$d/target/$jar" ]] || die "java: $1/target/$jar was not built"
}

# kafka-clients, Kafka Streams, Connect (java/); MirrorMaker 2 (java-mirror/, see its pom).
setup_java() {
  build_maven java interop.jar
  build_maven java-mirror mirror.jar
}

setup_python() {
  local d="$here/python" sum
  need python3 "install Python 3.9+ with venv (Debian: apt-get install python3 python3-venv)"
  sum="$(sha256sum "$d/requirements.txt" | cut -d' ' -f1)"
  if [[ -x "$d/.venv/bin/python" && "$(cat "$d/.venv/.requirements.sha256" 2>/dev/null)" == "$sum" ]]; then return; fi
  say "python: venv + pip install -r requirements.txt (confluent-kafka, kafka-python)"
  rm -rf "$d/.venv"
  python3 -m venv "$d/.venv" || die "python: 'python3 -m venv' failed (Debian: apt-get install python3-venv)"
  "$d/.venv/bin/pip" install -q --disable-pip-version-check -r "$d/requirements.txt" || die "python: pip install failed"
  "$d/.venv/bin/python" -c 'import confluent_kafka, kafka, snappy, lz4.frame, zstandard' || die "python: imports failed after install"
  echo "$sum" > "$d/.venv/.requirements.sha256"
}

setup_go() {
  local d="$here/go"
  if newer "$d/bin/franz" "$d/go.mod" "$d/go.sum" "$d/cmd" "$d/scenario" \
    && newer "$d/bin/sarama" "$d/go.mod" "$d/go.sum" "$d/cmd" "$d/scenario" \
    && newer "$d/bin/groups" "$d/go.mod" "$d/go.sum" "$d/cmd" \
    && newer "$d/bin/franz-txn" "$d/go.mod" "$d/go.sum" "$d/cmd" "$d/scenario" \
    && newer "$d/bin/failover" "$d/go.mod" "$d/go.sum" "$d/cmd" \
    && newer "$d/bin/control-fetch" "$d/go.mod" "$d/go.sum" "$d/cmd" \
    && newer "$d/bin/sasl-client" "$d/go.mod" "$d/go.sum" "$d/cmd" "$d/internal" \
    && newer "$d/bin/sasl-sarama" "$d/go.mod" "$d/go.sum" "$d/cmd" "$d/internal" \
    && newer "$d/bin/kadm-apis" "$d/go.mod" "$d/go.sum" "$d/cmd"; then return; fi
  need go "install Go (see test/interop/go/go.mod for the version)"
  say "go: go build ./cmd/... (franz-go, sarama)"
  (cd "$d" && go build -mod=readonly -o bin/ ./cmd/...) || die "go: build failed"
  touch "$d/bin/franz" "$d/bin/sarama" "$d/bin/groups" "$d/bin/franz-txn" "$d/bin/failover" "$d/bin/control-fetch" "$d/bin/sasl-client" "$d/bin/sasl-sarama" "$d/bin/kadm-apis"
}

# franz-go's own kgo integration suite (kgo-suite.test.ts), at the franz-go version go/go.mod pins:
# the module is downloaded into Go's module cache (its _test.go files are not in this repository) and
# compiled there, with franz-go's own go.mod, into one test binary, so each run starts at once.
setup_kgo_suite() {
  local d="$here/go" dir
  if newer "$d/bin/kgo.test" "$d/go.mod" "$d/go.sum" && [[ -d "$(cat "$d/bin/kgo.test.dir" 2>/dev/null)" ]]; then return; fi
  need go "install Go (see test/interop/go/go.mod for the version)"
  dir="$(cd "$d" && go mod download -json github.com/twmb/franz-go | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" \
    || die "go: go mod download github.com/twmb/franz-go failed"
  [[ -d "$dir/pkg/kgo" ]] || die "go: no pkg/kgo in the downloaded franz-go module ('$dir')"
  say "go: go test -c franz-go's pkg/kgo ($dir)"
  mkdir -p "$d/bin"
  (cd "$dir/pkg/kgo" && go test -c -o "$d/bin/kgo.test" .) || die "go: compiling franz-go's kgo tests failed"
  # The binary runs in that directory, as \`go test\` runs it (some tests read the package's sources).
  echo "$dir/pkg/kgo" > "$d/bin/kgo.test.dir"
}

setup_node() {
  local d="$here/node"
  if newer "$d/node_modules/.package-lock.json" "$d/package.json" "$d/package-lock.json"; then return; fi
  need node "install Node.js 20.19+"
  need npm "install npm"
  say "node: npm ci (kafkajs, @platformatic/kafka)"
  (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "node: npm ci failed"
  touch "$d/node_modules/.package-lock.json"
}

# Debian's Chromium for the inspector's browser test, driven by playwright-core through its
# executablePath (playwright's own browser download is not used). CHROMIUM_PATH names another.
setup_chromium() {
  [[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]] && return
  need apt-get "install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH"
  # Root installs directly; anyone else through sudo (non-interactive: fails rather than prompts).
  local sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo -n)
  say "chromium: ${sudo[*]:+${sudo[*]} }apt-get install chromium"
  { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >&2 || die "chromium: apt-get install failed (run it as root, or install chromium and set CHROMIUM_PATH)"
  [[ -x /usr/bin/chromium ]] || die "chromium: /usr/bin/chromium missing after install"
}

for part in "${parts[@]}"; do
  case "$part" in
    go) setup_go; setup_kgo_suite ;;
    java|python|node|chromium) "setup_$part" ;;
    *) die "unknown part '$part' (java, python, go, node, chromium)" ;;
  esac
done
