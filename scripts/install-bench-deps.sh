#!/usr/bin/env bash
# Installs what the benchmarks need beyond scripts/install-deps.sh, only if
# missing: websocketd, the baseline bench_ws compares arbord with
# (docs/performance.md). Idempotent: a second run installs nothing.
set -euo pipefail
exec bash "$(dirname "$0")/install-deps.sh" websocketd
