#!/usr/bin/env bash
# amplify-ssr on axum, one tokio worker thread (the perf-anchor harness's server contract).
set -euo pipefail
exec "${AMPLIFY_BENCH_SERVER:?set by scripts/bench-vs-node}" --host "$HOST" --port "$PORT" \
  --jwks-from "$BENCH_FIXTURES_DIR/fixtures.json" --threads 1
