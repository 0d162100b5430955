#!/usr/bin/env bash
# Runs the whole test suite with AddressSanitizer (Swift and C targets, and the swsl-convert binary the
# CLI tests start), in its own build folder. Off CI: the instrumented build takes a few minutes.
# Leak detection is off: the Swift runtime keeps metadata allocations for the life of the process.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build --build-tests --scratch-path .build-asan -Xswiftc -sanitize=address -Xcc -fsanitize=address
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" swift test --skip-build --scratch-path .build-asan "$@"
