#!/usr/bin/env bash
# Holds many conversation event streams (SSE) open against one instance while posting messages into them; prints
# streams held, messages/s, p50/p99 post -> event latency, errors, heap per stream and the machine's load.
#   bench/streams.sh [--streams 1000] [--seconds 30] [--posters 16] [--rate 100 (messages/s; 0: as fast as possible)]
# Packages the app (skip with SKIP_BUILD=1), starts it with a fresh embedded PostgreSQL in a temporary directory,
# runs dev.switchboard.bench.StreamBench, and stops the app again. Needs only a JDK 25.
source "$(dirname "$0")/lib.sh"
# No model: the bench's conversations are handed to a person on their first message, so each measured message is
# one stored message and one event on its stream.
start_app -Xmx1g

"$JAVA" -cp target/test-classes dev.switchboard.bench.StreamBench --url "http://localhost:$PORT" \
  --admin-token "$TOKEN" --pid "$APP" "$@"
