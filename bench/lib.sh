# Shared by the bench scripts (sourced, not run): a JDK 25, the packaged app and the test classes, and
# start_app, which runs the packaged app on a fresh embedded PostgreSQL in a temporary directory until the script
# exits. Sets JAVA, DATA, PORT, TOKEN and APP.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"25'; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="$JAVA_HOME/bin/java"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q package -DskipTests
fi
./mvnw -B -q -o test-compile

# start_app [JVM options...]: the app with no demo data, an admin token of its own, and logs in $DATA/app.log.
start_app() {
  DATA=$(mktemp -d /tmp/switchboard-bench.XXXXXX)
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  TOKEN=bench-$RANDOM$RANDOM
  "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "$@" \
    -Dquarkus.http.port="$PORT" -Dswitchboard.data-dir="$DATA" -Dswitchboard.admin-token="$TOKEN" \
    -Dswitchboard.demo.enabled=false -Dquarkus.log.level=WARN \
    -jar target/quarkus-app/quarkus-run.jar >"$DATA/app.log" 2>&1 &
  APP=$!
  trap 'rc=$?; kill $APP 2>/dev/null; wait $APP 2>/dev/null || true; rm -rf "$DATA"; exit $rc' EXIT
  for _ in $(seq 1 240); do
    curl -sf "http://localhost:$PORT/q/health/ready" >/dev/null && return 0
    kill -0 $APP 2>/dev/null || { cat "$DATA/app.log"; exit 1; }
    sleep 0.5
  done
  echo "the app did not become ready; its log: $DATA/app.log" >&2
  exit 1
}

# run_main CLASS [options...]: a bench main from the test classes (with the app's classes and libraries, for the
# statements it times) against the app start_app started, with the URL, admin token and the app's embedded
# PostgreSQL (JDBC URL and the password it generated) as options.
run_main() {
  local main=$1
  shift
  local pg_port cp
  pg_port=$(sed -n 4p "$DATA/postgres/postmaster.pid")
  cp="target/test-classes:target/classes:target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*"
  "$JAVA" -cp "$cp" "$main" --url "http://localhost:$PORT" --admin-token "$TOKEN" \
    --jdbc "jdbc:postgresql://localhost:$pg_port/postgres" --db-password "$(cat "$DATA/postgres.password")" "$@"
}
