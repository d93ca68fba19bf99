#!/usr/bin/env bash
# Installs what is missing, builds arbor and runs the test suite.
#   scripts/test.sh            debug build (the README's test command)
#   scripts/test.sh tsan|asan  the same suite under ThreadSanitizer / ASan+UBSan
#   scripts/test.sh release    optimised build
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-debug}"

bash scripts/install-deps.sh
if [ "$preset" = tsan ]; then
  bash scripts/build-caf-tsan.sh
fi

werror=OFF
[ "${CI:-}" = true ] && werror=ON
cmake --preset "$preset" -DARBOR_WERROR="$werror" > /dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
