#!/usr/bin/env bash
# Installs what is missing, builds arbor (release) and runs arbord on its
# embedded defaults. Extra arguments go to arbord (see `arbord --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release > /dev/null
cmake --build --preset release
exec ./build/release/apps/arbord/arbord "$@"
