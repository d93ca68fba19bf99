#!/usr/bin/env bash
# Builds CAF 0.17.6 from Debian's own source package with -fsanitize=thread, so
# that ThreadSanitizer sees CAF's synchronisation (Debian's libcaf is not
# instrumented, and TSan then reports false races in every actor test).
#
# Idempotent: exits at once when the prefix holds a complete build. Only libcaf_core
# and libcaf_io are built (no examples, tests, tools or OpenSSL module).
#   prefix: $ARBOR_CAF_TSAN_PREFIX, default ~/.cache/arbor/caf-0.17.6-tsan
set -euo pipefail

prefix="${ARBOR_CAF_TSAN_PREFIX:-$HOME/.cache/arbor/caf-0.17.6-tsan}"
stamp="$prefix/.arbor-complete"
if [ -f "$stamp" ]; then
  echo "build-caf-tsan: using $prefix"
  exit 0
fi

start=$(date +%s)
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# Debian's source archive, next to the binary one the machine already uses.
src_list=/etc/apt/sources.list.d/arbor-deb-src.sources
if [ ! -f "$src_list" ]; then
  "${sudo_cmd[@]}" tee "$src_list" > /dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  "${sudo_cmd[@]}" apt-get update -qq
fi
command -v dpkg-source > /dev/null || "${sudo_cmd[@]}" apt-get install -y -qq dpkg-dev

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# The upstream tarball of Debian's source package (apt checks its hash against
# the signed index). Debian's own patch tarball is not served by every mirror;
# the orig tarball is all the build needs.
apt-get source --download-only -qq actor-framework=0.17.6-2.1 > apt-source.log 2>&1 || true
orig=actor-framework_0.17.6.orig.tar.gz
[ -f "$orig" ] || { cat apt-source.log >&2; echo "build-caf-tsan: $orig not fetched" >&2; exit 1; }
tar xzf "$orig"
srcdir=$(find . -maxdepth 1 -type d -name "actor-framework-0.17.6*" | head -n 1)
[ -n "$srcdir" ] || { echo "build-caf-tsan: no 0.17.6 source tree in $orig" >&2; exit 1; }

# -include limits: upstream 0.17.6 misses it for GCC 12 (Debian fixes that in its patches).
# -O1 -g1 as in arbor's own sanitizer builds; the build type's flags variable is
# set too, else CMake appends RelWithDebInfo's -O2 -g after these.
flags="-fsanitize=thread -fno-omit-frame-pointer -include limits"
cmake -S "$srcdir" -B build -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_UNITY_BUILD=ON \
  -DCMAKE_CXX_COMPILER_LAUNCHER="$(command -v ccache || true)" \
  -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
  -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCAF_NO_EXAMPLES=ON -DCAF_NO_UNIT_TESTS=ON -DCAF_NO_TOOLS=ON -DCAF_NO_OPENSSL=ON \
  -DCAF_NO_PYTHON=ON -DCAF_NO_OPENCL=ON -DCAF_NO_SUMMARY=ON -DCAF_NO_CURL_EXAMPLES=ON \
  -DCAF_LOG_LEVEL=QUIET > "$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; exit 1; }
cmake --build build -j 2
cmake --install build > /dev/null
touch "$stamp"
echo "build-caf-tsan: built in $(( $(date +%s) - start ))s into $prefix"
