#!/usr/bin/env bash
# Every test: the Swift suite on the kernels this CPU picks, again on the portable kernels, and again on the
# AVX2 kernels where the CPU would pick wider ones (AVX-512 or AVX-VNNI), so int8 is held to the same budgets
# on every instruction set the project supports; then the Python .swm reader's tests, and the embeddable
# runtime's (its closure, the C interface from C, the ctypes example, Examples/Classify).
set -euo pipefail
cd "$(dirname "$0")/.."
# Built first, with the usual TMPDIR (the compiler keeps generated sources there); the tests then run with a TMPDIR
# of their own, which must be empty of test files afterwards (every test's folders live under one per-process folder
# removed at exit: Tests/SWSLTestSupport/FixtureFiles.swift). SwiftPM's own lock files and TemporaryDirectory.*
# folders, which `swift test --skip-build` leaves even when no test runs, are its, not the tests'.
swift build --build-tests
TEST_TMP=$(mktemp -d)
trap 'rm -rf "$TEST_TMP"' EXIT
export TMPDIR="$TEST_TMP"
check_tmp() {
  local left
  left=$(find "$TEST_TMP" -mindepth 1 -maxdepth 1 ! -name '*.lock' ! -name 'TemporaryDirectory.*' -print)
  if [ -n "$left" ]; then echo "FAIL: the tests left files in TMPDIR:"; echo "$left" | head -20; exit 1; fi
  echo "== TMPDIR holds no test files after the run"
}
swift test --skip-build
check_tmp
echo "== the whole suite again on the portable kernels (SWSL_KERNELS=portable)"
SWSL_KERNELS=portable swift test --skip-build
check_tmp
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qwE 'avx512f|avx_vnni' /proc/cpuinfo; then
  echo "== the whole suite again on the AVX2 kernels (SWSL_KERNELS=avx2)"
  SWSL_KERNELS=avx2 swift test --skip-build
  check_tmp
else
  echo "== SWSL_KERNELS=avx2 run skipped: the suite above already ran on this CPU's kernels ($(grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo AVX2 || echo 'no AVX2'))"
fi
scripts/test-python-reader.sh
scripts/test-embedding.sh
