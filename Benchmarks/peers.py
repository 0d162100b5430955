#!/usr/bin/env python3
"""Latency of the executor's peers on the same machine: onnxruntime (fp32 and static int8 QDQ) and
PyTorch eager. Prints one JSON object per configuration on stdout.

    python Benchmarks/peers.py BENCH_DIR [--pytorch-only]   (run.py times onnxruntime itself, in rounds)
"""
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np


def timed(fn, iterations: int) -> dict:
    for _ in range(3):
        fn()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times)}


def main() -> None:
    bench = Path(sys.argv[1])
    pytorch_only = "--pytorch-only" in sys.argv[2:]
    import onnxruntime as ort

    for model, label in [("resnet50.onnx", "onnxruntime fp32"), ("resnet50.int8.onnx", "onnxruntime int8 QDQ")]:
        for threads in (1, 2) if not pytorch_only else ():
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            session = ort.InferenceSession(str(bench / model), options, providers=["CPUExecutionProvider"])
            for batch in (1, 8):
                x = np.random.default_rng(0).standard_normal((batch, 3, 224, 224), dtype=np.float32)
                result = timed(lambda: session.run(None, {"input": x}), 20 if batch == 1 else 8)
                print(json.dumps({"peer": label, "model": "resnet50", "threads": threads, "batch": batch, **result}), flush=True)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Fixtures"))
    import generate  # noqa: F401  (torchvision import workaround)
    import torch
    import torchvision

    model = torchvision.models.resnet50().eval()
    for threads in (1, 2):
        torch.set_num_threads(threads)
        x = torch.randn(1, 3, 224, 224)
        with torch.inference_mode():
            result = timed(lambda: model(x), 20)
        print(json.dumps({"peer": "PyTorch eager fp32", "model": "resnet50", "threads": threads, "batch": 1, **result}), flush=True)


if __name__ == "__main__":
    main()
