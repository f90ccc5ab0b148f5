#!/usr/bin/env bash
# Holds many conversation event streams (SSE) open against one instance while posting messages into them; prints
# streams held, messages/s, p50/p99 post -> event latency, errors, heap per stream and the machine's load.
#   bench/streams.sh [--streams 1000] [--seconds 30] [--posters 16] [--rate 100 (messages/s; 0: as fast as possible)]
# Packages the app (skip with SKIP_BUILD=1), starts it with a fresh embedded PostgreSQL in a temporary directory,
# runs dev.switchboard.bench.StreamBench, and stops the app again. Needs only a JDK 25.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"25'; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="$JAVA_HOME/bin/java"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q package -DskipTests
fi
./mvnw -B -q -o test-compile

DATA=$(mktemp -d /tmp/switchboard-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=bench-$RANDOM$RANDOM
# No model: the bench's conversations are handed to a person on their first message, so each measured message is
# one stored message and one event on its stream.
"$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx1g \
  -Dquarkus.http.port="$PORT" -Dswitchboard.data-dir="$DATA" -Dswitchboard.admin-token="$TOKEN" \
  -Dswitchboard.demo.enabled=false -Dquarkus.log.level=WARN \
  -jar target/quarkus-app/quarkus-run.jar >"$DATA/app.log" 2>&1 &
APP=$!
trap 'rc=$?; kill $APP 2>/dev/null; wait $APP 2>/dev/null || true; rm -rf "$DATA"; exit $rc' EXIT

for _ in $(seq 1 240); do
  curl -sf "http://localhost:$PORT/q/health/ready" >/dev/null && break
  kill -0 $APP 2>/dev/null || { cat "$DATA/app.log"; exit 1; }
  sleep 0.5
done

"$JAVA" -cp target/test-classes dev.switchboard.bench.StreamBench --url "http://localhost:$PORT" \
  --admin-token "$TOKEN" --pid "$APP" "$@"
