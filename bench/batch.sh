#!/usr/bin/env bash
# Interactive latency beside a large batch on the engine server (dev.switchboard.inference.server.BatchBench):
# TTFT p50/p99 of streamed interactive completions alone, batch throughput alone, then both at once.
#   bench/batch.sh [MODEL (default ../shared/models/stories260K/stories260K.gguf; synthetic:tiny works too)]
#                  [BATCH_LINES 400] [BATCH_MAX_TOKENS 128] [INTERACTIVE_REQUESTS 100] [THREADS (0: all)]
#                  [LINES_IN_FLIGHT 8 (the server's --batch-in-flight)]
# Compiles the tests if needed (offline). On a shared machine the figures are noisy: compare the rows of one run.
# The interactive-beside-batch row shows the scheduler's use of Priority.BATCH (admitted in spare capacity,
# preempted first); without it batch lines wait in the same queue as interactive requests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
[ -f target/test-classes/dev/switchboard/inference/server/BatchBench.class ] || ./mvnw -B -q -o test-compile
# Per-request log lines would drown the figures: warnings and errors only.
"$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.util.logging.config.file=<(echo ".level=WARNING") \
  -cp target/classes:target/test-classes dev.switchboard.inference.server.BatchBench "$@" 2>&1 \
  | grep -v 'WARNING: Using incubator'
