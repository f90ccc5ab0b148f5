#!/usr/bin/env bash
# Customer messages/s and latency through the REST API (the bot answering each from the FAQ meanwhile) next to raw
# single-row INSERTs into the same PostgreSQL in the same run (with the store-only/INSERT ratio and the load average
# per level), what the write's statement costs PostgreSQL for 1 and for 16 messages, and the bot's FAQ answer latency
# from /q/metrics.
#   bench/messages.sh [--clients 1,16,64] [--seconds 10] [--warmup 30]
# Packages the app (skip with SKIP_BUILD=1), starts it with a fresh embedded PostgreSQL in a temporary directory,
# runs dev.switchboard.bench.MessageBench, and stops the app again. Needs only a JDK 25.
source "$(dirname "$0")/lib.sh"
start_app
run_main dev.switchboard.bench.MessageBench "$@"
