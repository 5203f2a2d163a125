#!/bin/sh
# test.sh -- build and run every test: unit and scenario tests on a normal
# build, unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer,
# and each fuzz target over its committed corpus plus a short fuzzing run.
# Ends with one line "N passed, M failed" over all of them; exits non-zero if
# anything failed.
set -e
cd "$(dirname "$0")/.."
jobs=$(nproc)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0
failed=0

# ctest's own summary says how many of its tests passed and failed.
count_ctest() {
  total=$(sed -n 's/.* tests passed, \([0-9]*\) tests failed out of \([0-9]*\)/\2/p' "$log")
  bad=$(sed -n 's/.* tests passed, \([0-9]*\) tests failed out of \([0-9]*\)/\1/p' "$log")
  passed=$((passed + ${total:-0} - ${bad:-0}))
  failed=$((failed + ${bad:-1}))
}

echo "== build"
scripts/build.sh build
echo "== tests (unit + scenario)"
ctest --test-dir build --output-on-failure -j"$jobs" >"$log" 2>&1 || true
cat "$log"
count_ctest

echo "== build with ASan + UBSan"
scripts/build.sh build-asan -DBTCSEED_SANITIZE=ON
echo "== unit tests, and the crawler's scenario tests, under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j"$jobs" \
  -R 'unit/|scenario/test_(crawl|run)_' >"$log" 2>&1 || true
cat "$log"
count_ctest

echo "== fuzz targets (clang, libFuzzer)"
CC=clang scripts/build.sh build-fuzz -DBTCSEED_FUZZ=ON
for target in build-fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus=fuzz/corpus/${name#fuzz_}
  scratch=$(mktemp -d)
  if "$target" -runs=0 "$corpus" >"$log" 2>&1 &&
     "$target" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=4096 "$scratch" "$corpus" \
       >>"$log" 2>&1; then
    echo "-- $name: corpus replayed, fuzzed ${FUZZ_SECONDS:-20}s: $(tail -n 1 "$log")"
    passed=$((passed + 1))
  else
    tail -n 40 "$log"
    echo "-- $name: FAILED"
    failed=$((failed + 1))
  fi
  rm -rf "$scratch"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
