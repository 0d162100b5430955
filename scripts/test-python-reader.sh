#!/usr/bin/env bash
# Runs python/test_swm.py (the numpy-only .swm reader against files the Swift writer makes) with the
# debug binary `swift test` built. numpy comes from the system when it has it, else from a throwaway
# virtual environment (removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
python=python3
if ! python3 -c 'import numpy' 2>/dev/null; then
  venv="$(mktemp -d)"
  trap 'rm -rf "$venv"' EXIT
  python3 -m venv "$venv" && "$venv/bin/pip" install -q numpy
  python="$venv/bin/python"
fi
[ -x .build/debug/swsl-convert ] || swift build --product swsl-convert
SWSL_CONVERT=.build/debug/swsl-convert "$python" python/test_swm.py
