#!/bin/sh
# test.sh -- build and run every test: unit and scenario tests on a normal
# build, unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer,
# and each fuzz target over its committed corpus plus a short fuzzing run.
set -e
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== build"
scripts/build.sh build
echo "== tests (unit + scenario)"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== build with ASan + UBSan"
scripts/build.sh build-asan -DBTCSEED_SANITIZE=ON
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j"$jobs" -L unit

echo "== fuzz targets (clang, libFuzzer)"
CC=clang scripts/build.sh build-fuzz -DBTCSEED_FUZZ=ON
for target in build-fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus=fuzz/corpus/${name#fuzz_}
  echo "-- $name: replay $corpus, then fuzz ${FUZZ_SECONDS:-20}s"
  "$target" -runs=0 "$corpus" 2>&1 | tail -n 1
  scratch=$(mktemp -d)
  "$target" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=4096 "$scratch" "$corpus" 2>&1 | tail -n 1
  rm -rf "$scratch"
done
echo "== all tests passed"
