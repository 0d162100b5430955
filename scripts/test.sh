#!/usr/bin/env bash
# Every test: the Swift suite on the kernels this CPU picks, again on the portable kernels, and again on the
# AVX2 kernels where the CPU would pick wider ones (AVX-512 or AVX-VNNI), so int8 is held to the same budgets
# on every instruction set the project supports; then the Python .swm reader's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test
echo "== the whole suite again on the portable kernels (SWSL_KERNELS=portable)"
SWSL_KERNELS=portable swift test --skip-build
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qwE 'avx512f|avx_vnni' /proc/cpuinfo; then
  echo "== the whole suite again on the AVX2 kernels (SWSL_KERNELS=avx2)"
  SWSL_KERNELS=avx2 swift test --skip-build
else
  echo "== SWSL_KERNELS=avx2 run skipped: the suite above already ran on this CPU's kernels ($(grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo AVX2 || echo 'no AVX2'))"
fi
scripts/test-python-reader.sh
