#!/usr/bin/env bash
# amplify-ssr on axum, two tokio worker threads (the perf-anchor harness's server contract).
set -euo pipefail
exec "${AMPLIFY_BENCH_SERVER:?set by scripts/bench-vs-node}" --host "$HOST" --port "$PORT" \
  --jwks-from "$BENCH_FIXTURES_DIR/fixtures.json" --threads 2
