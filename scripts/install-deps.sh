#!/usr/bin/env bash
# Installs the Debian 12 packages arbor needs (plus any named as arguments), and
# only those that are missing.
# Idempotent: a second run installs nothing. Never installs libboost-dev or
# libboost-all-dev (apt would then remove the Boost 1.81 stack arbor builds on).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libcaf-dev
  libboost1.81-dev libboost-json1.81-dev libboost-filesystem1.81-dev
  libspdlog-dev libfmt-dev catch2 libcli11-dev
  libgoogle-perftools-dev
  python3 python3-websockets
)
packages+=("$@") # extra packages, e.g. scripts/install-bench-deps.sh's

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Guard: the 1.81 stack must still be there (a generic libboost-dev would remove it).
dpkg-query -W -f='${Status}' libboost1.81-dev | grep -q 'install ok installed' || {
  echo "install-deps: libboost1.81-dev was removed; do not install libboost-dev" >&2
  exit 1
}
