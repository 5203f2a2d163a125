#!/bin/sh
# build.sh [DIR [CMAKE OPTIONS...]] -- configure and build (default: build/).
set -e
cd "$(dirname "$0")/.."
dir=${1:-build}
[ $# -gt 0 ] && shift
cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
