#!/usr/bin/env bash
# Converts every fixture checkpoint with the binary built from REV and with the working tree's,
# and compares the .swm files byte for byte (refactors promise the same bytes); then runs the
# float reference of each checkpoint and each default .swm on the golden input with both binaries
# and compares the logits byte for byte.
# Usage: scripts/compare-swm-bytes.sh [REV]   (default: origin/main's merge base, else HEAD~1)
# Builds REV in a temporary worktree (debug build, a few minutes); prints one line per file.
# SWSL_OLD_BINARY=PATH uses an swsl-convert already built from REV instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rev="${1:-HEAD~1}"
work="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
if [ -n "${SWSL_OLD_BINARY:-}" ]; then
  old="$SWSL_OLD_BINARY"
else
  git -C "$root" worktree add --detach "$work/base" "$rev" >/dev/null
  (cd "$work/base" && swift build --product swsl-convert >/dev/null)
  old="$work/base/.build/debug/swsl-convert"
fi
(cd "$root" && swift build --product swsl-convert >/dev/null)
new="$root/.build/debug/swsl-convert"
mkdir -p "$work/old" "$work/new"
status=0
for model in "$root"/Fixtures/models/*.pth "$root"/Fixtures/models/*.pt "$root"/Fixtures/models/*.safetensors \
             "$root"/Fixtures/models/onnx/*.onnx "$root"/Fixtures/models/onnx/external/*.onnx; do
  name="$(basename "$model")"
  for options in "" "--precision fp16" "--weight-layout oihw"; do
    tag="$name${options// /_}"
    a=0; b=0
    "$old" "$model" "$work/old/$tag.swm" $options >/dev/null 2>&1 || a=$?
    "$new" "$model" "$work/new/$tag.swm" $options >/dev/null 2>&1 || b=$?
    if [ "$a" != "$b" ]; then echo "DIFFERENT exit status $a vs $b: $tag"; status=1
    elif [ "$a" != 0 ]; then echo "both refuse: $tag"
    elif cmp -s "$work/old/$tag.swm" "$work/new/$tag.swm"; then echo "same bytes: $tag"
    else echo "DIFFERENT bytes: $tag"; status=1; fi
  done
  input="$root/Fixtures/golden/input_2x3x64x64.npy"
  for subject in "$model" "$work/new/$name.swm"; do
    [ -f "$subject" ] || continue
    tag="$(basename "$subject").logits"
    a=0; b=0
    "$old" run "$subject" --input "$input" --output "$work/old/$tag.npy" >/dev/null 2>&1 || a=$?
    "$new" run "$subject" --input "$input" --output "$work/new/$tag.npy" >/dev/null 2>&1 || b=$?
    if [ "$a" != "$b" ]; then echo "DIFFERENT exit status $a vs $b: $tag"; status=1
    elif [ "$a" != 0 ]; then echo "both refuse: $tag"
    elif cmp -s "$work/old/$tag.npy" "$work/new/$tag.npy"; then echo "same logits: $tag"
    else echo "DIFFERENT logits: $tag"; status=1; fi
  done
done
exit $status
