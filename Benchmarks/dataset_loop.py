#!/usr/bin/env python3
"""verify's dataset loop against the sum of its parts and against a PyTorch validate.py-style loop.

    VENV/bin/python Benchmarks/dataset_loop.py BENCH_DIR PHOTOS [--rounds 3]

BENCH_DIR holds Benchmarks/make_models.py's resnet50.zip.pth; PHOTOS is an ImageFolder of JPEGs (ImageNet-sized,
about 500×375, WordNet-id class folders). Each round times, as whole processes and in turn:
- `swsl-convert verify int8.swm --reference resnet50.zip.pth --image PHOTOS` (the loop);
- its parts, each alone: decode + preprocess (`run --image PHOTOS` on resnet18_tiny, whose compute is
  negligible), the int8 model and the float reference (`bench --batch 16`, per image);
- PyTorch: torchvision's ImageFolder and transforms, a DataLoader (batch 16, one worker) and torchvision's
  resnet50 with the same weights in eval mode, the loop timm's validate.py runs (top-1 counted).
Prints one markdown table: images per second (median of the rounds).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Benchmarks"))
from run import cpu_line  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("bench_dir", type=Path)
parser.add_argument("photos", type=Path)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
BIN = str(ROOT / ".build" / "release" / "swsl-convert")
source = args.bench_dir / "resnet50.zip.pth"
swm = args.bench_dir / "resnet50.int8.swm"
subprocess.run([BIN, str(source), str(swm)], check=True, capture_output=True)
images = sum(1 for p in args.photos.rglob("*.jpg"))


def wall(cmd: list[str]) -> float:
    """Seconds of one whole process; verify's exit 1 (random weights: int8 flips near ties) is a verdict, not an error."""
    start = time.perf_counter()
    status = subprocess.run(cmd, capture_output=True).returncode
    if status not in (0, 1):
        raise SystemExit(f"{cmd} exited {status}")
    return time.perf_counter() - start


def bench_ms_per_image(model: Path) -> float:
    out = subprocess.run([BIN, "bench", str(model), "--batch", "16", "--threads", str(args.threads), "--iterations", "3",
                          "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["median_ms"] / 16


def pytorch_loop() -> float:
    code = f"""
import sys, time, torch
sys.path.insert(0, {str(ROOT / 'Fixtures')!r})
import generate
import torchvision
from torchvision import transforms
torch.set_num_threads({args.threads})
start = time.perf_counter()
model = torchvision.models.resnet50()
model.load_state_dict(torch.load({str(source)!r}, weights_only=True))
model.eval()
t = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
loader = torch.utils.data.DataLoader(torchvision.datasets.ImageFolder({str(args.photos)!r}, t), batch_size=16, num_workers=1)
correct = 0
with torch.no_grad():
    for x, y in loader:
        correct += (model(x).argmax(1) == y).sum().item()
print(time.perf_counter() - start)
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


rows = {"loop": [], "decode": [], "int8": [], "float": [], "pytorch": []}
tiny = ROOT / "Fixtures" / "models" / "resnet18_tiny.zip.pth"
for _ in range(args.rounds):
    rows["loop"].append(wall([BIN, "verify", str(swm), "--reference", str(source), "--image", str(args.photos),
                              "--threads", str(args.threads)]))
    rows["decode"].append(wall([BIN, "run", str(tiny), "--image", str(args.photos), "--threads", str(args.threads)]))
    rows["int8"].append(bench_ms_per_image(swm) * images / 1000)
    rows["float"].append(bench_ms_per_image(source) * images / 1000)
    rows["pytorch"].append(pytorch_loop())
m = {k: statistics.median(v) for k, v in rows.items()}
parts = m["decode"] + m["int8"] + m["float"]
print(f"Machine: {cpu_line()}. {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. {images} JPEGs about 500×375, "
      f"ResNet-50 (random weights), {args.threads} threads, {args.rounds} rounds (median).")
print()
print("| what | seconds | images/s |")
print("|---|---|---|")
for label, key in [("`verify --image` (the loop: decode, preprocess, int8 and float reference)", "loop"),
                   ("decode + preprocess alone (`run --image` on resnet18_tiny)", "decode"),
                   ("int8 model alone (`bench --batch 16`)", "int8"), ("float reference alone (`bench --batch 16`)", "float")]:
    print(f"| {label} | {m[key]:.2f} | {images / m[key]:.1f} |")
print(f"| sum of the parts | {parts:.2f} | {images / parts:.1f} |")
print(f"| PyTorch loop (ImageFolder, DataLoader 1 worker, fp32 resnet50 only) | {m['pytorch']:.2f} | {images / m['pytorch']:.1f} |")
