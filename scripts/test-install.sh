#!/usr/bin/env bash
# Installs swsl-convert into a temporary prefix (scripts/install.sh) and checks that the installed
# binary needs no Swift library: none is among its dynamic dependencies, and it converts and runs a
# fixture with an environment that names no Swift library path. Prints the binary's size.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$(mktemp -d)"
work="$(mktemp -d)"
trap 'rm -rf "$prefix" "$work"' EXIT
scripts/install.sh "$prefix" >/dev/null
bin="$prefix/bin/swsl-convert"
if ldd "$bin" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|lib_FoundationICU'; then
  echo "FAIL: the installed binary still loads Swift runtime libraries (above)" >&2
  exit 1
fi
# No toolchain on the search path: a bare environment, and the toolchain's library folder hidden.
run() { env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH=/nonexistent "$bin" "$@"; }
version="$(run --version)"
[ -n "$version" ] || { echo "FAIL: --version printed nothing" >&2; exit 1; }
run Fixtures/models/resnet18_tiny.legacy.pth "$work/m.swm" >/dev/null
# (Outputs are captured before grep reads them: grep -q stops early, and pipefail would count the writer's SIGPIPE.)
inspected="$(run inspect "$work/m.swm" --json)"
grep -q "\"converter\": \"$version\"" <<<"$inspected" || { echo "FAIL: provenance.converter is not --version's '$version'" >&2; exit 1; }
ran="$(run run "$work/m.swm" --input Fixtures/golden/input_2x3x64x64.npy --json)"
[ "$(grep -c '"top"' <<<"$ran")" = 2 ] || { echo "FAIL: run --json did not give one object per input" >&2; exit 1; }
completion="$(run --generate-completion-script bash)"
grep -q 'complete .*-F _swsl-convert swsl-convert' <<<"$completion" || { echo "FAIL: no bash completion script" >&2; exit 1; }
echo "installed binary OK without Swift libraries: $(stat -c %s "$bin") bytes, $version"
