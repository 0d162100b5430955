#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a fixed budget, seeded with the fixtures.
# Usage: Fuzz/run.sh [seconds-per-target]   (default 20; CI uses a short budget, long runs are manual)
# A crashing input is copied to Fixtures/crashes/<target>/ and replayed by the normal tests forever after.
# FUZZ_WORK=DIR keeps the corpora in DIR (so a long off-CI campaign can run in several sittings and
# grow one corpus); FUZZ_TARGETS="FuzzZip FuzzTar" runs only those targets.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
seconds="${1:-20}"
swift build --package-path "$here" -c debug --scratch-path "$root/.build-fuzz" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >/dev/null
bin="$root/.build-fuzz/debug"
if [ -n "${FUZZ_WORK:-}" ]; then
  work="$FUZZ_WORK"; mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

seed() {  # seed <target> <files...>
  mkdir -p "$work/$1"
  shift_target="$1"; shift
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$work/$shift_target/" || true; done
}
fx="$root/Fixtures/models"
seed FuzzZip "$fx"/*.zip.pth "$fx"/resnet18_tiny.deflated.pth "$fx"/resnet18_tiny.zip64.pth "$fx"/oddities.zip.pth \
  "$fx"/resnet18_tiny.torchscript.pt "$fx"/resnet18_tiny.scripted.pt
seed FuzzTar "$fx"/*.tar.pth "$fx"/py2/*.tar_py2.pth
seed FuzzONNX "$fx"/onnx/*.onnx "$fx"/onnx/other/*.onnx
seed FuzzSafetensors "$fx"/*.safetensors
seed FuzzSWM "$root"/Fixtures/swm/*.swm
seed FuzzNPY "$root"/Fixtures/golden/*.npy
mkdir -p "$work/FuzzPickle"
# The object pickles of the legacy fixtures (everything after the first three pickles is fine as a seed too).
for f in "$fx"/*.legacy.pth "$fx"/resnet18_tiny.legacy_p4.pth "$fx"/py2/*.legacy_py2.pth; do (tail -c +26 "$f" | head -c 65536 > "$work/FuzzPickle/$(basename "$f")") || true; done

# Hand-made seeds of the hostile corpus's structures (Fuzz/make_seeds.py).
for folder in "$here"/seeds/*/; do seed "$(basename "$folder")" "$folder"*; done

status=0
for target in ${FUZZ_TARGETS:-FuzzPickle FuzzZip FuzzTar FuzzONNX FuzzSafetensors FuzzSWM FuzzNPY}; do
  crashes="$root/Fixtures/crashes/$target"
  mkdir -p "$work/$target" "$work/artifacts-$target"
  log="$work/$target.log"
  dict=()
  [ -f "$here/dict/$target.dict" ] && dict=(-dict="$here/dict/$target.dict")
  if "$bin/$target" "$work/$target" "${dict[@]}" -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 \
       -timeout=10 -print_final_stats=1 -artifact_prefix="$work/artifacts-$target/" >"$log" 2>&1; then
    runs=$( (grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" || true) | tail -1 | awk '{print $2}')
    corpus=$(find "$work/$target" -type f | wc -l)
    echo "$target: ${runs:-?} executions in ${seconds}s, no crash (corpus $corpus inputs)"
  else
    status=1
    mkdir -p "$crashes"
    cp "$work/artifacts-$target"/* "$crashes/" 2>/dev/null || true
    echo "$target: CRASH — inputs saved under Fixtures/crashes/$target"; tail -n 30 "$log"
  fi
done
exit $status
