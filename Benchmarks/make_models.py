#!/usr/bin/env python3
"""Full-size benchmark checkpoints with random weights (timing only), made on demand, never committed.

    python Benchmarks/make_models.py OUT_DIR [MODEL ...]     (default: every model below)

Writes torchvision-named checkpoints (zip and legacy formats), BatchNorm statistics randomised, and
for ResNet-50 an fp32 ONNX export plus onnxruntime's static int8 QDQ model (per-channel weights,
16 calibration inputs), the peers of the executor benchmark.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Fixtures"))
import generate  # noqa: E402  (makes torchvision importable with the CPU-only torch wheel)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402

MODELS = {
    "resnet18": ("legacy",),
    "resnet50": ("zip", "legacy"),
    "resnext50_32x4d": ("zip",),
    "resnext101_32x8d": ("zip",),
    "resnext101_32x16d": ("legacy",),  # ≈ 776 MB: the large-file (bounded memory) case, in the SWSL release format
}


def randomise(model: torch.nn.Module) -> None:
    g = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data = torch.rand(m.num_features, generator=g) * 0.5 + 0.75
            m.bias.data = torch.randn(m.num_features, generator=g) * 0.1
            m.running_mean = torch.randn(m.num_features, generator=g) * 0.1
            m.running_var = torch.rand(m.num_features, generator=g) * 0.5 + 0.75
    model.eval()


def export_onnx(model: torch.nn.Module, out: Path) -> None:
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    fp32 = out / "resnet50.onnx"
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), str(fp32), dynamo=False, opset_version=17,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})

    class Reader(CalibrationDataReader):
        def __init__(self):
            rng = np.random.default_rng(0)
            self.items = iter([{"input": rng.standard_normal((1, 3, 224, 224), dtype=np.float32)} for _ in range(16)])

        def get_next(self):
            return next(self.items, None)

    quantize_static(str(fp32), str(out / "resnet50.int8.onnx"), Reader(), quant_format=QuantFormat.QDQ,
                    per_channel=True, weight_type=QuantType.QInt8, activation_type=QuantType.QUInt8)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/swsl-bench")
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    wanted = set(sys.argv[2:]) or set(MODELS)
    for name, formats in MODELS.items():
        if name not in wanted:
            continue
        # torch.hub's resnext101_32x16d_wsl/swsl is a torchvision ResNet that torchvision itself does not name.
        model = (torchvision.models.resnet.ResNet(torchvision.models.resnet.Bottleneck, [3, 4, 23, 3], groups=32,
                                                  width_per_group=16)
                 if name == "resnext101_32x16d" else getattr(torchvision.models, name)())
        randomise(model)
        for fmt in formats:
            path = out / f"{name}.{fmt}.pth"
            if not path.exists():
                torch.save(model.state_dict(), path, _use_new_zipfile_serialization=(fmt == "zip"))
        if name == "resnet50" and not (out / "resnet50.int8.onnx").exists():
            export_onnx(model, out)
        print(name, "done", flush=True)


if __name__ == "__main__":
    main()
