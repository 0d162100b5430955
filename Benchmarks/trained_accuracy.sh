#!/usr/bin/env bash
# Task accuracy of every arithmetic on the trained fixture (a small ResNet trained on scikit-learn's
# digits, Fixtures/generate_trained.py): 540 held-out images against PyTorch's logits and the labels.
# Usage: Benchmarks/trained_accuracy.sh [swsl-convert binary]   (default: the release build; needs numpy)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/.build/release/swsl-convert}"
model="$root/Fixtures/models/digits_resnet.trained.pth"
golden="$root/Fixtures/golden"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" "$model" "$work/fp32.swm" --precision fp32 >/dev/null
"$bin" "$model" "$work/synthetic.swm" >/dev/null
"$bin" "$model" "$work/calibrated.swm" --calibrate "$golden/digits_calibration_x.npy" >/dev/null
"$bin" run "$model" --input "$golden/digits_test_x.npy" --output "$work/reference.npy" >/dev/null
"$bin" run "$work/fp32.swm" --input "$golden/digits_test_x.npy" --output "$work/fp32.npy" >/dev/null
for file in synthetic calibrated; do
  "$bin" run "$work/$file.swm" --input "$golden/digits_test_x.npy" --int8 dequantized --output "$work/$file.dequantized.npy" >/dev/null
  "$bin" run "$work/$file.swm" --input "$golden/digits_test_x.npy" --int8 integer --output "$work/$file.integer.npy" >/dev/null
done
"$bin" run "$work/synthetic.swm" --input "$golden/digits_test_x.npy" --int8 integer --activations dynamic --output "$work/dynamic.npy" >/dev/null
python3 - "$work" "$golden" <<'PY'
import sys
import numpy as np
work, golden = sys.argv[1], sys.argv[2]
labels = np.load(f"{golden}/digits_test_labels.npy")
torch = np.load(f"{golden}/digits_torch_logits.npy")
rows = [("PyTorch (golden)", torch)]
for name, f in [("float reference", "reference"), (".swm fp32", "fp32"),
                ("int8 dequantized, synthetic calibration (default)", "synthetic.dequantized"),
                ("int8 integer, synthetic calibration", "synthetic.integer"),
                ("int8 dequantized, 64 training images", "calibrated.dequantized"),
                ("int8 integer, 64 training images", "calibrated.integer"),
                ("int8 integer, dynamic ranges", "dynamic")]:
    rows.append((name, np.load(f"{work}/{f}.npy")))
print("| arithmetic | task accuracy | top-1 agreement with PyTorch | lowest cosine |")
print("|---|---|---|---|")
for name, logits in rows:
    cos = (logits * torch).sum(1) / np.linalg.norm(logits, axis=1) / np.linalg.norm(torch, axis=1)
    print(f"| {name} | {100 * (logits.argmax(1) == labels).mean():.2f}% | "
          f"{100 * (logits.argmax(1) == torch.argmax(1)).mean():.2f}% | {cos.min():.5f} |")
PY
