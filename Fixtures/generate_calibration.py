#!/usr/bin/env python3
"""Goldens for activation calibration, computed with PyTorch forward pre-hooks.

    /work/venv/bin/python Fixtures/generate_calibration.py

For the four *_tiny.zip.pth checkpoints, runs the committed inputs (``golden/input_2x3x64x64.npy``
and the two preprocessed photos ``golden/images/{photo,shapes}.npy``) through the timm model in
eval mode and records, for every Conv2d and the Linear classifier, the largest value of its input
per image. Written to ``golden/calibration/<model>.json`` under canonical paths
(``stage2.block0.conv1``, ``stage1.block0.downsample.conv``, ``stem.conv1``, ``fc``).
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (imports torchvision/timm with the CPU workaround)

INPUTS = ["input_2x3x64x64.npy", "images/photo.npy", "images/shapes.npy"]


def canonical(name: str) -> str:
    parts = name.split(".")
    if parts[0] == "conv1":  # stem: conv1, or a deep stem's conv1.0 / conv1.3 / conv1.6
        return "stem.conv1" if len(parts) == 1 else f"stem.conv{[0, 3, 6].index(int(parts[1])) + 1}"
    if parts[0] == "fc":
        return "fc"
    stage, block = int(parts[0][len("layer"):]), int(parts[1])
    tail = "downsample.conv" if parts[2] == "downsample" else parts[2]
    return f"stage{stage}.block{block}.{tail}"


def main() -> None:
    out_dir = HERE / "golden" / "calibration"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ["resnet18_tiny", "resnet50_tiny", "resnext_tiny", "resnet50d_tiny"]:
        model = generate.build_model(name)
        model.load_state_dict(torch.load(HERE / "models" / f"{name}.zip.pth"))
        model.eval()
        seen: dict[str, list[float]] = {}

        def hook(path):
            def record(_module, args):
                x = args[0]
                seen.setdefault(path, []).extend(x.reshape(x.shape[0], -1).amax(dim=1).tolist())
            return record

        for module_name, module in model.named_modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                module.register_forward_pre_hook(hook(canonical(module_name)))
        samples = 0
        with torch.no_grad():
            for rel in INPUTS:
                x = torch.from_numpy(np.load(HERE / "golden" / rel))
                model(x)
                samples += x.shape[0]
        golden = {"model": name, "inputs": INPUTS, "samples": samples,
                  "input_max": {path: values for path, values in sorted(seen.items())}}
        (out_dir / f"{name}.json").write_text(json.dumps(golden, indent=1) + "\n")
        print(name, len(seen), "layers,", samples, "samples")


if __name__ == "__main__":
    main()
