#!/usr/bin/env python3
"""OpenVINO, the executor's other peer: fp32 from Benchmarks/make_models.py's resnet50.onnx, and int8 from NNCF's
default post-training quantization of it on 16 inputs (saved once as resnet50.nncf.xml beside it), compiled with
the latency hint and one stream, `INFERENCE_NUM_THREADS` threads. Imported by run.py and int8_isa.py; run alone, it
times one configuration in a fresh process, which is how a capped instruction set is measured (oneDNN reads
ONEDNN_MAX_CPU_ISA once, when OpenVINO loads):

    ONEDNN_MAX_CPU_ISA=AVX2 VENV/bin/python Benchmarks/openvino_peer.py BENCH_DIR MODEL BATCH THREADS ITERATIONS

prints the median milliseconds of ITERATIONS runs after 3 warm-up runs.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers import timed  # noqa: E402


def calibration_inputs():
    """The 16 inputs both peers' int8 models are calibrated on (make_models.py gives onnxruntime the same)."""
    import numpy as np
    rng = np.random.default_rng(0)
    return [rng.standard_normal((1, 3, 224, 224), dtype=np.float32) for _ in range(16)]


def int8_model(bench_dir: Path) -> Path:
    """resnet50.nncf.xml in bench_dir, made from resnet50.onnx on first use."""
    out = bench_dir / "resnet50.nncf.xml"
    if not out.exists():
        import nncf
        import openvino as ov
        model = ov.Core().read_model(str(bench_dir / "resnet50.onnx"))
        ov.save_model(nncf.quantize(model, nncf.Dataset(calibration_inputs())), str(out))
    return out


class OpenVINO:
    """Compiled models, made once per (file, batch, threads), timed in rounds between swsl-convert's."""

    def __init__(self, bench_dir: Path) -> None:
        import openvino as ov
        self.ov = ov
        self.core = ov.Core()
        self.bench_dir = bench_dir
        self.version = ov.__version__
        self.compiled = {}

    def median_ms(self, model: str, threads: int, batch: int, iterations: int) -> float:
        import numpy as np
        path = int8_model(self.bench_dir) if model == "int8" else self.bench_dir / model
        key = (str(path), batch, threads)
        if key not in self.compiled:
            network = self.core.read_model(str(path))
            network.reshape([batch, 3, 224, 224])
            self.compiled[key] = self.core.compile_model(network, "CPU", {
                "PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1})
        request = self.compiled[key].create_infer_request()
        x = np.random.default_rng(1).standard_normal((batch, 3, 224, 224), dtype=np.float32)
        return timed(lambda: request.infer({0: x}), iterations)["median_ms"]


if __name__ == "__main__":
    directory, model, batch, threads, iterations = sys.argv[1:6]
    print(f"{OpenVINO(Path(directory)).median_ms(model, int(threads), int(batch), int(iterations)):.3f}")
