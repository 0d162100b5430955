# Sourced by the trained-fixture scripts (trained_accuracy.sh, calibration_methods.sh): strict mode,
# the repository root, the binary (first argument, else the release build), the goldens, and a
# scratch folder removed on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)"
bin="${1:-$root/.build/release/swsl-convert}"
golden="$root/Fixtures/golden"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
