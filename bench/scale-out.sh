#!/usr/bin/env bash
# Latency of the event flow across replicas over Kafka: a real KRaft broker and PostgreSQL, two platform instances
# (profile kafka), post -> first delta / stored answer on a client of each instance; then one instance in-process.
#   bench/scale-out.sh [--messages 30]
# Packages the app (skip with SKIP_BUILD=1) and runs dev.switchboard.scaleout.ScaleOutBench; needs only a JDK 25.
source "$(dirname "$0")/lib.sh"
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
./mvnw -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
"$JAVA" -cp "target/test-classes:target/classes:$(cat "$CP_FILE")" \
  dev.switchboard.scaleout.ScaleOutBench "$@"
