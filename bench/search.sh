#!/usr/bin/env bash
# Full-text search latency (p50/p99 through GET /api/v1/search) on 100,000 seeded conversations of 3-7 messages each,
# for typical queries with and without status, label, date and cursor filters.
#   bench/search.sh [--conversations 100000] [--runs 200]
# Packages the app (skip with SKIP_BUILD=1), starts it with a fresh embedded PostgreSQL in a temporary directory,
# seeds it with COPY and runs dev.switchboard.bench.SearchBench, and stops the app again. Needs only a JDK 25.
source "$(dirname "$0")/lib.sh"
start_app
run_main dev.switchboard.bench.SearchBench "$@"
