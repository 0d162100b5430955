#!/usr/bin/env bash
# The embeddable runtime, as an application sees it (README, "Embedding"):
# 1. SWMRuntime's closure holds no converter target and no heavy library (scripts/check-runtime-closure.sh);
# 2. the C interface (libswm.so, swm.h) from a C program: PyTorch's golden logits within int8's budget,
#    the logits equal to `swsl-convert run`'s, and hostile .swm files refused with a message naming them;
# 3. the Python ctypes example gives exactly `swsl-convert run`'s logits;
# 4. Examples/Classify, a separate package that depends on SWMRuntime by path, prints `run`'s top-5 and
#    links neither libzip, libprotobuf-c nor libcrypto.
# Uses the debug builds; numpy as scripts/test-python-reader.sh finds it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
scripts/check-runtime-closure.sh
swift build --product swm >/dev/null
swift build --product swsl-convert >/dev/null
cli=.build/debug/swsl-convert
model=Fixtures/swm/resnet18_tiny.int8.swm
input=Fixtures/golden/input_2x3x64x64.npy
photo=Fixtures/images/photo.jpg

echo "== C interface: swm.h from C"
cc -std=c11 -Wall -Wextra -Werror -I Sources/CSWMInterface/include Tests/C/swm_test.c \
   -L .build/debug -lswm -Wl,-rpath,"$root/.build/debug" -lm -o "$work/swm_test"
# Hostile files: truncated, one flipped byte (found by the tensor CRCs the test asks for), empty, not a .swm,
# a missing path, a folder.
size=$(stat -c %s "$model")
head -c $((size / 2)) "$model" > "$work/truncated.swm"
cp "$model" "$work/flipped.swm"
printf '\x55' | dd of="$work/flipped.swm" bs=1 seek=$((size - 100)) conv=notrunc status=none
: > "$work/empty.swm"
printf 'PK\x03\x04 not a model' > "$work/zip.swm"
mkdir "$work/folder.swm"
"$work/swm_test" "$model" "$input" Fixtures/golden/resnet18_tiny_logits.npy "$work/c_logits.raw" "$photo" \
  "$work/truncated.swm" "$work/flipped.swm" "$work/empty.swm" "$work/zip.swm" "$work/missing.swm" "$work/folder.swm"

echo "== Python ctypes example and the C program against swsl-convert run"
python=python3
if ! python3 -c 'import numpy' 2>/dev/null; then
  python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q numpy
  python="$work/venv/bin/python"
fi
"$cli" run "$model" --input "$input" --output "$work/cli.npy" >/dev/null
SWM_LIBRARY=.build/debug/libswm.so "$python" Examples/python/swm_ctypes.py "$model" --input "$input" --output "$work/ctypes.npy"
"$python" - "$work/cli.npy" "$work/ctypes.npy" "$work/c_logits.raw" <<'PY'
import sys
import numpy as np
cli, ctypes_logits = np.load(sys.argv[1]), np.load(sys.argv[2])
c = np.fromfile(sys.argv[3], dtype=np.float32).reshape(cli.shape)
assert cli.shape == ctypes_logits.shape, (cli.shape, ctypes_logits.shape)
assert np.array_equal(cli, ctypes_logits), f"ctypes logits differ from swsl-convert run's by {np.abs(cli - ctypes_logits).max()}"
assert np.array_equal(cli, c), f"the C program's logits differ from swsl-convert run's by {np.abs(cli - c).max()}"
print(f"ctypes and C logits equal swsl-convert run's ({cli.shape[0]} x {cli.shape[1]})")
PY
a=$(SWM_LIBRARY=.build/debug/libswm.so "$python" Examples/python/swm_ctypes.py "$model" --image "$photo")
b=$("$cli" run "$model" --image "$photo")
[ "$a" = "$b" ] || { echo "FAIL: ctypes top-5 '$a' differs from run's '$b'"; exit 1; }
if SWM_LIBRARY=.build/debug/libswm.so "$python" Examples/python/swm_ctypes.py "$work/truncated.swm" --image "$photo" 2>"$work/err"; then
  echo "FAIL: ctypes opened a truncated file"; exit 1
fi
grep -q "truncated.swm" "$work/err" || { echo "FAIL: ctypes' refusal does not name the file: $(cat "$work/err")"; exit 1; }

echo "== Examples/Classify (depends on SWMRuntime by path)"
swift build --package-path Examples/Classify >/dev/null
classify="$(swift build --package-path Examples/Classify --show-bin-path)/classify"
a=$("$classify" "$model" "$photo")
[ "$a" = "$b" ] || { echo "FAIL: classify printed '$a', run prints '$b'"; exit 1; }
if ldd "$classify" | grep -E 'libzip|libprotobuf-c|libcrypto'; then echo "FAIL: classify links a converter library"; exit 1; fi
if "$classify" "$work/truncated.swm" "$photo" 2>"$work/err"; then echo "FAIL: classify ran a truncated file"; exit 1; fi
grep -q "truncated.swm" "$work/err" || { echo "FAIL: classify's refusal does not name the file"; exit 1; }
echo "classify: $a (links no libzip, libprotobuf-c or libcrypto)"
