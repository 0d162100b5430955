#!/usr/bin/env python3
"""int8 ResNet-50 on the CPU's kernels: swsl-convert (`--int8 integer` and `integer-7bit`) against an earlier
build of itself, onnxruntime and OpenVINO.

    VENV/bin/python Benchmarks/int8_isa.py BENCH_DIR [--baseline OLD_BINARY] [--kernels avx2] [--rounds 3]

BENCH_DIR holds Benchmarks/make_models.py's resnet50.zip.pth, resnet50.onnx and resnet50.int8.onnx; the
OpenVINO int8 model (NNCF's default post-training quantization on the same 16 inputs onnxruntime's calibration
used, saved as resnet50.nncf.xml) is made there on first use. Every configuration is timed in rounds, each round
running every engine in turn (interleaved, so drift hits them alike); a figure is the median of the round
medians (20 runs at batch 1, 6 at batch 8, after 3 warm-up runs). `--kernels` sets SWSL_KERNELS for swsl-convert
and, for AVX2, ONEDNN_MAX_CPU_ISA=AVX2 for OpenVINO (set before it loads). Prints one markdown table.
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
from peers import timed  # noqa: E402
from run import cpu_line  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("bench_dir", type=Path)
parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "swsl-convert"))
parser.add_argument("--baseline", help="an earlier swsl-convert binary, timed beside this one")
parser.add_argument("--kernels", default=None, help="SWSL_KERNELS for swsl-convert (avx2 also caps OpenVINO at AVX2)")
parser.add_argument("--rounds", type=int, default=3)
args = parser.parse_args()
if args.kernels == "avx2":
    os.environ["ONEDNN_MAX_CPU_ISA"] = "AVX2"

import numpy as np  # noqa: E402
import onnxruntime  # noqa: E402

D = args.bench_dir
swm = D / "resnet50.int8.swm"
subprocess.run([args.binary, str(D / "resnet50.zip.pth"), str(swm)], check=True, capture_output=True)
from openvino_peer import OpenVINO  # noqa: E402

peer = OpenVINO(D)


def swsl(binary: str, batch: int, threads: int, iterations: int, *extra: str) -> tuple[float, str]:
    env = {**os.environ, **({"SWSL_KERNELS": args.kernels} if args.kernels else {})}
    out = subprocess.run([binary, "bench", str(swm), "--batch", str(batch), "--threads", str(threads),
                          "--iterations", str(iterations), "--json", *extra], capture_output=True, text=True, check=True,
                         env=env)
    report = json.loads(out.stdout)
    return report["median_ms"], report.get("kernels", "")


sessions, compiled = {}, {}


def ort(batch: int, threads: int, iterations: int) -> float:
    if threads not in sessions:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        sessions[threads] = onnxruntime.InferenceSession(str(D / "resnet50.int8.onnx"), options,
                                                         providers=["CPUExecutionProvider"])
    x = {"input": np.random.default_rng(1).standard_normal((batch, 3, 224, 224), dtype=np.float32)}
    return timed(lambda: sessions[threads].run(None, x), iterations)["median_ms"]


def openvino(batch: int, threads: int, iterations: int) -> float:
    return peer.median_ms("int8", threads, batch, iterations)


print(f"Machine: {cpu_line()}. {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
      f"onnxruntime {onnxruntime.__version__}, OpenVINO {peer.version}, "
      f"SWSL_KERNELS={args.kernels or 'unset'}{', ONEDNN_MAX_CPU_ISA=AVX2' if args.kernels == 'avx2' else ''}.")
print()
columns = ["swsl-convert ms (`--int8 integer`)", "`--int8 integer-7bit` ms"] + (
    ["baseline ms", "integer / baseline", "integer-7bit / baseline"] if args.baseline else []) + [
    "onnxruntime int8 QDQ ms", "OpenVINO int8 (NNCF) ms", "integer / best peer", "integer-7bit / best peer"]
print("| batch | threads | kernels | " + " | ".join(columns) + " |")
print("|---" * (3 + len(columns)) + "|")
for batch in (1, 8):
    for threads in (1, 2):
        iterations = 20 if batch == 1 else 6
        rows = {"ours": [], "seven": [], "base": [], "ort": [], "ov": []}
        kernels = ""
        for _ in range(args.rounds):
            ms, kernels = swsl(args.binary, batch, threads, iterations)
            rows["ours"].append(ms)
            rows["seven"].append(swsl(args.binary, batch, threads, iterations, "--int8", "integer-7bit")[0])
            if args.baseline:
                rows["base"].append(swsl(args.baseline, batch, threads, iterations)[0])
            rows["ort"].append(ort(batch, threads, iterations))
            rows["ov"].append(openvino(batch, threads, iterations))
        m = {k: statistics.median(v) for k, v in rows.items() if v}
        fmt = lambda k: f"{m[k]:.1f} ({', '.join(f'{x:.1f}' for x in rows[k])})"
        best = min(m["ort"], m["ov"])
        cells = [fmt("ours"), fmt("seven")] + (
            [fmt("base"), f"{m['ours'] / m['base']:.2f}×", f"{m['seven'] / m['base']:.2f}×"] if args.baseline else []) + [
            fmt("ort"), fmt("ov"), f"{m['ours'] / best:.2f}×", f"{m['seven'] / best:.2f}×"]
        print(f"| {batch} | {threads} | {kernels} | " + " | ".join(cells) + " |", flush=True)
