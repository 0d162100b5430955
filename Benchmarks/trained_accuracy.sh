#!/usr/bin/env bash
# Task accuracy of every int8 arithmetic on the trained fixtures (two small ResNets trained on
# scikit-learn's digits, Fixtures/generate_trained.py): 540 held-out images against PyTorch's logits
# and the labels, on every kernel set this CPU runs (SWSL_KERNELS=portable, avx2, avx-vnni, avx512; a set the CPU
# lacks is skipped and said so on stderr, never run on a fallback). Every set computes the same int32 sums, so
# rows differ only by float rounding.
# Usage: Benchmarks/trained_accuracy.sh [swsl-convert binary]   (default: the release build; needs numpy)
source "$(dirname "$0")/fixture_scripts.sh"
x="$golden/digits_test_x.npy"
kernel_sets=()
for kernels in portable avx2 avx-vnni avx512; do
  ran=$(SWSL_KERNELS=$kernels "$bin" bench "$root/Fixtures/models/digits_resnet.trained.pth" --iterations 1 --size 32 --json \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["kernels"])')
  if [[ $ran == "$kernels, "* ]]; then kernel_sets+=("$kernels"); else echo "skipped: this CPU cannot run the $kernels kernels (it would run $ran)" >&2; fi
done
for model in digits_resnet digits_bottleneck; do
  src="$root/Fixtures/models/$model.trained.pth"
  "$bin" "$src" "$work/$model.fp32.swm" --precision fp32 >/dev/null
  "$bin" "$src" "$work/$model.default.swm" >/dev/null
  "$bin" "$src" "$work/$model.synthetic.swm" --calibrate synthetic >/dev/null
  "$bin" "$src" "$work/$model.calibrated.swm" --calibrate "$golden/digits_calibration_x.npy" >/dev/null
  "$bin" run "$work/$model.fp32.swm" --input "$x" --output "$work/$model.fp32.npy" >/dev/null
  for kernels in "${kernel_sets[@]}"; do
    export SWSL_KERNELS=$kernels
    "$bin" run "$work/$model.default.swm" --input "$x" --output "$work/$model.default.$kernels.npy" >/dev/null
    "$bin" run "$work/$model.default.swm" --input "$x" --int8 dequantized --output "$work/$model.dequantized.$kernels.npy" >/dev/null
    "$bin" run "$work/$model.default.swm" --input "$x" --int8 integer-7bit --output "$work/$model.seven.$kernels.npy" >/dev/null
    "$bin" run "$work/$model.synthetic.swm" --input "$x" --output "$work/$model.synthetic.$kernels.npy" >/dev/null
    "$bin" run "$work/$model.calibrated.swm" --input "$x" --output "$work/$model.calibrated.$kernels.npy" >/dev/null
  done
  unset SWSL_KERNELS
done
python3 - "$work" "$golden" "${kernel_sets[@]}" <<'PY'
import sys
import numpy as np
work, golden, kernel_sets = sys.argv[1], sys.argv[2], sys.argv[3:]
labels = np.load(f"{golden}/digits_test_labels.npy")
goldens = {"digits_resnet": "digits_torch_logits", "digits_bottleneck": "digits_bottleneck_torch_logits"}
print("| model | arithmetic (command) | kernels | task accuracy | top-1 agreement with PyTorch | lowest cosine |")
print("|---|---|---|---|---|---|")
for model, logits_name in goldens.items():
    torch = np.load(f"{golden}/{logits_name}.npy")
    rows = [("PyTorch fp32 (golden)", "", torch), (".swm fp32", "", np.load(f"{work}/{model}.fp32.npy"))]
    for name, f in [("int8 default: integer, ranges measured per input (`convert IN OUT`, `run`)", "default"),
                    ("int8 dequantized (`run --int8 dequantized`)", "dequantized"),
                    ("int8 integer, 7-bit activations (`run --int8 integer-7bit`)", "seven"),
                    ("int8 integer, 64 training images (`convert --calibrate X.npy`)", "calibrated"),
                    ("int8 integer, synthetic ranges (`convert --calibrate synthetic`)", "synthetic")]:
        for kernels in kernel_sets:
            rows.append((name, kernels, np.load(f"{work}/{model}.{f}.{kernels}.npy")))
    for name, kernels, logits in rows:
        cos = (logits * torch).sum(1) / np.linalg.norm(logits, axis=1) / np.linalg.norm(torch, axis=1)
        print(f"| {model} | {name} | {kernels} | {100 * (logits.argmax(1) == labels).mean():.2f}% | "
              f"{100 * (logits.argmax(1) == torch.argmax(1)).mean():.2f}% | {cos.min():.5f} |")
PY
