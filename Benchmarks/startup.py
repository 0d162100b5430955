#!/usr/bin/env python3
"""Size and start-up of an application that classifies one image with ResNet-50 int8: Examples/Classify
(SWMRuntime, statically linked Swift runtime) against onnxruntime (Python) and the OpenVINO runtime (Python)
doing the same. Each engine runs as a fresh process that loads its model and computes the first logits;
the figure is the process's wall time, from start to exit, median over interleaved rounds.

    VENV/bin/python Benchmarks/startup.py BENCH_DIR [--rounds 15]

BENCH_DIR holds Benchmarks/make_models.py's resnet50 files and Benchmarks/int8_isa.py's resnet50.nncf.xml
(made here when missing, as int8_isa.py makes it). Builds Examples/Classify in release mode with
--static-swift-stdlib. Prints a markdown table with the CPU line.
"""
import argparse
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
parser.add_argument("--rounds", type=int, default=15)
args = parser.parse_args()
D = args.bench_dir
photo = ROOT / "Fixtures" / "images" / "photo.jpg"

subprocess.run(["swift", "build", "-c", "release", "--product", "swsl-convert"], cwd=ROOT, check=True, capture_output=True)
swm = D / "resnet50.int8.swm"
if not swm.exists():
    subprocess.run([str(ROOT / ".build/release/swsl-convert"), str(D / "resnet50.zip.pth"), str(swm)], check=True, capture_output=True)
example = ROOT / "Examples" / "Classify"
subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--package-path", str(example)], check=True,
               capture_output=True)
classify = Path(subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--package-path", str(example),
                                "--show-bin-path"], check=True, capture_output=True, text=True).stdout.strip()) / "classify"

import numpy as np  # noqa: E402
import onnxruntime  # noqa: E402
import openvino as ov  # noqa: E402

if not (D / "resnet50.nncf.xml").exists():
    import nncf
    rng = np.random.default_rng(0)
    calibration = [rng.standard_normal((1, 3, 224, 224), dtype=np.float32) for _ in range(16)]
    quantized = nncf.quantize(ov.Core().read_model(str(D / "resnet50.onnx")), nncf.Dataset(calibration))
    ov.save_model(quantized, str(D / "resnet50.nncf.xml"))

ORT = f"""
import numpy as np, onnxruntime as ort
s = ort.InferenceSession({str(D / 'resnet50.int8.onnx')!r}, providers=['CPUExecutionProvider'])
x = np.random.default_rng(0).standard_normal((1, 3, 224, 224), dtype=np.float32)
print(int(s.run(None, {{s.get_inputs()[0].name: x}})[0].argmax()))
"""
OV = f"""
import numpy as np, openvino as ov
m = ov.Core().compile_model({str(D / 'resnet50.nncf.xml')!r}, 'CPU', {{'PERFORMANCE_HINT': 'LATENCY'}})
x = np.random.default_rng(0).standard_normal((1, 3, 224, 224), dtype=np.float32)
print(int(m(x)[0].argmax()))
"""
engines = {
    "swsl-convert Examples/Classify (SWMRuntime)": [str(classify), str(swm), str(photo)],
    "onnxruntime (Python), static int8 QDQ": [sys.executable, "-c", ORT],
    "OpenVINO runtime (Python), NNCF int8": [sys.executable, "-c", OV],
}
times = {name: [] for name in engines}
for command in engines.values():  # warm the page cache once
    subprocess.run(command, check=True, capture_output=True)
for _ in range(args.rounds):
    for name, command in engines.items():
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times[name].append((time.perf_counter() - start) * 1000)


def tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


site = Path(onnxruntime.__file__).parent.parent
sizes = {
    "swsl-convert Examples/Classify (SWMRuntime)": ("the classify binary, Swift runtime linked in", classify.stat().st_size),
    "onnxruntime (Python), static int8 QDQ": ("the onnxruntime package (numpy and Python not counted)", tree_size(site / "onnxruntime")),
    "OpenVINO runtime (Python), NNCF int8": ("the openvino package (numpy and Python not counted)", tree_size(site / "openvino")),
}
models = {"swsl-convert Examples/Classify (SWMRuntime)": swm.stat().st_size,
          "onnxruntime (Python), static int8 QDQ": (D / "resnet50.int8.onnx").stat().st_size,
          "OpenVINO runtime (Python), NNCF int8": (D / "resnet50.nncf.xml").stat().st_size + (D / "resnet50.nncf.bin").stat().st_size}
print(f"CPU: {cpu_line()}; {args.rounds} interleaved rounds; `VENV/bin/python Benchmarks/startup.py BENCH_DIR`\n")
print("| engine | process start to first logits, ms (median, min) | runtime size | model file |")
print("|---|---|---|---|")
for name in engines:
    what, size = sizes[name]
    print(f"| {name} | {statistics.median(times[name]):.0f} ({min(times[name]):.0f}) | {size / 1e6:.1f} MB ({what}) | "
          f"{models[name] / 1e6:.1f} MB |")
