#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: builds swsl-convert (release), makes full-size checkpoints with PyTorch,
# runs swsl-convert and its peers side by side. Needs the fixture venv (see Fixtures/README.md):
#   VENV=/path/to/venv Benchmarks/run.sh        (default VENV=/work/venv)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build -c release --product swsl-convert
"${VENV:-/work/venv}/bin/python" Benchmarks/run.py
