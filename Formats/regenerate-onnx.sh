#!/bin/sh
# Regenerates the protobuf-c code for Formats/onnx-subset.proto into the CONNX target.
# Needs protoc-c (Debian/Ubuntu: protobuf-c-compiler). Run from anywhere; review the result as a diff.
set -eu

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/Sources/CONNX"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

protoc-c --proto_path="$root/Formats" --c_out="$work" "$root/Formats/onnx-subset.proto"

# The .c file includes "onnx-subset.pb-c.h" without a folder; SwiftPM puts include/ on the
# target's header search path, and the umbrella-folder default module map exports the header.
mkdir -p "$out/include"
cp "$work/onnx-subset.pb-c.h" "$out/include/onnx-subset.pb-c.h"
cp "$work/onnx-subset.pb-c.c" "$out/onnx-subset.pb-c.c"

echo "regenerated $out/onnx-subset.pb-c.c and $out/include/onnx-subset.pb-c.h with $(protoc-c --version | head -n 1)"
