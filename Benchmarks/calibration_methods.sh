#!/usr/bin/env bash
# Compares the calibration methods (convert --calibrate X --method M) with the default (no stored ranges,
# measured per input) on the trained fixtures: 64 training images for calibration, the 540 held-out
# images for the task; and on one full-size model (ResNet-50 random weights, needs Benchmarks/run.sh's
# /tmp/swsl-bench), calibrated on the fixture photos and verified on verify's default inputs.
# Usage: Benchmarks/calibration_methods.sh [swsl-convert binary]   (needs numpy)
source "$(dirname "$0")/fixture_scripts.sh"
methods=("max" "percentile 99.99" "percentile 99.9" "entropy" "mse")
now() { date +%s.%N; }
for model in digits_resnet digits_bottleneck; do
  src="$root/Fixtures/models/$model.trained.pth"
  t0=$(now); "$bin" "$src" "$work/$model.default.swm" >/dev/null; t1=$(now)
  echo "$model default $(echo "$t1 - $t0" | bc)" >> "$work/times"
  "$bin" run "$work/$model.default.swm" --input "$golden/digits_test_x.npy" --output "$work/$model.default.npy" >/dev/null
  for m in "${methods[@]}"; do
    tag="${m// /_}"
    set -- $m
    extra=(--method "$1"); [ $# -gt 1 ] && extra+=(--percentile "$2")
    t0=$(now); "$bin" "$src" "$work/$model.$tag.swm" --calibrate "$golden/digits_calibration_x.npy" "${extra[@]}" >/dev/null; t1=$(now)
    echo "$model $tag $(echo "$t1 - $t0" | bc)" >> "$work/times"
    "$bin" run "$work/$model.$tag.swm" --input "$golden/digits_test_x.npy" --output "$work/$model.$tag.npy" >/dev/null
  done
done
python3 - "$work" "$golden" <<'PY'
import sys
import numpy as np
work, golden = sys.argv[1], sys.argv[2]
labels = np.load(f"{golden}/digits_test_labels.npy")
times = {tuple(l.split()[:2]): float(l.split()[2]) for l in open(f"{work}/times")}
print("| model | ranges | task accuracy | top-1 agreement with PyTorch | lowest cosine | convert s |")
print("|---|---|---|---|---|---|")
for model, g in [("digits_resnet", "digits_torch_logits"), ("digits_bottleneck", "digits_bottleneck_torch_logits")]:
    torch = np.load(f"{golden}/{g}.npy")
    print(f"| {model} | PyTorch fp32 | {100 * (torch.argmax(1) == labels).mean():.2f}% | | | |")
    for tag in ["default", "max", "percentile_99.99", "percentile_99.9", "entropy", "mse"]:
        logits = np.load(f"{work}/{model}.{tag}.npy")
        cos = (logits * torch).sum(1) / np.linalg.norm(logits, axis=1) / np.linalg.norm(torch, axis=1)
        name = "measured per input (default, no --calibrate)" if tag == "default" else "--method " + tag.replace("_", " --percentile ")
        print(f"| {model} | {name} | {100 * (logits.argmax(1) == labels).mean():.2f}% | "
              f"{100 * (logits.argmax(1) == torch.argmax(1)).mean():.2f}% | {cos.min():.5f} | {times[(model, tag)]:.2f} |")
PY
if [ -f /tmp/swsl-bench/resnet50.zip.pth ]; then
  echo
  echo "| full-size ResNet-50 (random weights), calibrated on Fixtures/images | verify cosine min (default inputs) | top-1 agreement | convert s |"
  echo "|---|---|---|---|"
  for m in default "${methods[@]}"; do
    tag="${m// /_}"
    set -- $m
    if [ "$m" = default ]; then extra=(); else extra=(--calibrate "$root/Fixtures/images" --method "$1"); [ $# -gt 1 ] && extra+=(--percentile "$2"); fi
    t0=$(now); "$bin" /tmp/swsl-bench/resnet50.zip.pth "$work/r50.swm" "${extra[@]}" >/dev/null; t1=$(now)
    "$bin" verify "$work/r50.swm" --reference /tmp/swsl-bench/resnet50.zip.pth --json > "$work/v.json" || true
    python3 -c "import json;r=json.load(open('$work/v.json'));c=r['comparison'];print(f\"| $m | {c['cosine_min']:.5f} | {100*c['top1_agreement']:.1f}% | $(echo "$t1 - $t0" | bc | xargs printf %.2f) |\")"
  done
fi
