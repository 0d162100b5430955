#!/usr/bin/env python3
"""Latency of PyTorch eager, the executor's third peer, on the same machine (run.py times onnxruntime
itself, in rounds alternating with swsl-convert). Prints one JSON object per configuration on stdout.

    python Benchmarks/peers.py
"""
import json
import statistics
import sys
import time
from pathlib import Path



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
