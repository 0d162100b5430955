#!/usr/bin/env python3
"""Goldens for BatchNorm folding and int8 weight quantization, computed with PyTorch.

    /work/venv/bin/python Fixtures/generate_folding.py

For every convolution (and fc) of the four *_tiny.zip.pth checkpoints, writes to
``golden/folding/<model>.json`` what the conversion must produce:

* fold: s = gamma / sqrt(running_var + eps) in float64 (eps = float32(1e-5), the value PyTorch's
  CPU batch_norm uses), W' = float32(W * s), b' = float32(beta - running_mean * s);
* int8, per output channel: scale = float32(max|W'| / 127), q = round_half_even(W' / scale)
  clamped to [-127, 127]; an all-zero channel gets scale 1;
* crc32 of each result's little-endian bytes, and the weight SQNR in dB (float64).

Names are PyTorch's (``layer2.0.downsample.0``, ``fc``); the test maps them to canonical paths.
"""
import json, math, zlib
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
EPS = float(torch.tensor(1e-5, dtype=torch.float32).double())


def crc(t: torch.Tensor) -> int:
    return zlib.crc32(t.contiguous().numpy().tobytes()) & 0xFFFFFFFF


def quantize(w: torch.Tensor) -> dict:
    flat = w.reshape(w.shape[0], -1)
    peak = flat.abs().amax(dim=1)
    scale = torch.where(peak > 0, peak / 127, torch.ones_like(peak))
    q = torch.clamp(torch.round(flat / scale[:, None]), -127, 127)
    err = flat.double() - q.double() * scale.double()[:, None]
    noise = float((err ** 2).sum())
    sqnr = math.inf if noise == 0 else 10 * math.log10(float((flat.double() ** 2).sum()) / noise)
    return {"int8_crc32": crc(q.to(torch.int8)), "scale_crc32": crc(scale), "sqnr_db": sqnr}


def conv_modules(sd: dict) -> list[tuple[str, str | None]]:
    """(conv weight prefix, bn prefix) pairs in state-dict order; timm deep stems and avg-down included."""
    pairs = []
    for name, t in sd.items():
        if not name.endswith(".weight") or t.dim() != 4:
            continue
        conv = name[: -len(".weight")]
        head, _, last = conv.rpartition(".")
        candidates = [f"{head}.bn{last[4:]}" if last.startswith("conv") else None,  # layerX.Y.convK -> bnK
                      "bn1" if conv == "conv1" or head == "conv1" else None,  # stem (deep stem: last conv)
                      f"{head}.{int(last) + 1}" if last.isdigit() else None]         # seq index + 1
        found = [c for c in candidates if c and f"{c}.running_var" in sd]
        bn = found[-1] if head == "conv1" and found else next(iter(found), None)
        pairs.append((conv, bn))
    return pairs


def main() -> None:
    out_dir = HERE / "golden" / "folding"
    out_dir.mkdir(parents=True, exist_ok=True)
    for model in ["resnet18_tiny", "resnet50_tiny", "resnext_tiny", "resnet50d_tiny"]:
        sd = torch.load(HERE / "models" / f"{model}.zip.pth")
        layers = []
        for conv, bn in conv_modules(sd):
            w = sd[f"{conv}.weight"]
            if bn is None:
                raise SystemExit(f"{model}: no BatchNorm found for {conv}")
            g, b, m, v = (sd[f"{bn}.{k}"].double() for k in ("weight", "bias", "running_mean", "running_var"))
            s = g / torch.sqrt(v + EPS)
            wf = (w.double() * s[:, None, None, None]).float()
            bf = (b - m * s).float()
            layers.append({"conv": conv, "bn": bn, "weight_crc32": crc(wf), "bias_crc32": crc(bf), **quantize(wf)})
        fc_w, fc_b = sd["fc.weight"], sd["fc.bias"]
        layers.append({"conv": "fc", "bn": None, "weight_crc32": crc(fc_w), "bias_crc32": crc(fc_b), **quantize(fc_w)})
        (out_dir / f"{model}.json").write_text(json.dumps({"model": model, "eps": EPS, "layers": layers}, indent=1) + "\n")
        print(model, len(layers), "layers")


if __name__ == "__main__":
    main()
