#!/usr/bin/env python3
"""The peer of `swsl-convert IN OUT`: the same pipeline written with PyTorch.

    python Benchmarks/pytorch_pipeline.py IN.pth OUT.bin

load (torch.load, mmap off, as a user would) → fold every BatchNorm into its convolution →
symmetric per-output-channel int8 → write the int8 weights, scales and biases to one file.
Prints the wall time of the whole run in seconds on stdout.
"""
import sys
import time

import torch


def main() -> None:
    start = time.perf_counter()
    sd = torch.load(sys.argv[1], map_location="cpu", weights_only=True)
    out = []
    for name, w in sd.items():
        if not name.endswith(".weight") or w.dim() not in (2, 4):
            continue
        prefix = name[: -len(".weight")]
        bn = prefix.replace("conv", "bn") if "conv" in prefix else (prefix[:-1] + "1" if prefix.endswith("downsample.0") else None)
        if prefix == "conv1":
            bn = "bn1"
        bias = sd.get(f"{prefix}.bias", torch.zeros(w.shape[0]))
        if bn and f"{bn}.running_var" in sd:
            s = sd[f"{bn}.weight"].double() / torch.sqrt(sd[f"{bn}.running_var"].double() + 1e-5)
            w = (w.double() * s.view(-1, *([1] * (w.dim() - 1)))).float()
            bias = (sd[f"{bn}.bias"].double() + (bias.double() - sd[f"{bn}.running_mean"].double()) * s).float()
        flat = w.reshape(w.shape[0], -1)
        scale = flat.abs().amax(dim=1).clamp_min(1e-12) / 127
        q = torch.clamp(torch.round(flat / scale[:, None]), -127, 127).to(torch.int8)
        out += [q.numpy().tobytes(), scale.numpy().tobytes(), bias.numpy().tobytes()]
    with open(sys.argv[2], "wb") as f:
        for chunk in out:
            f.write(chunk)
    print(f"{time.perf_counter() - start:.4f}")


if __name__ == "__main__":
    main()
