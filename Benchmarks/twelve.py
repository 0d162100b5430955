#!/usr/bin/env python3
"""All twelve SSL/SWSL models, full size, against PyTorch: convert, run, verify (a check, not a test).

    python Benchmarks/twelve.py OUT_DIR [NAME ...]      (swsl-convert from .build/release; ~12 min, 3 GB)

The six torch.hub names are built with torchvision's ResNet (the hub repo's own definition), the six
timm names with timm.create_model; weights random, BatchNorm statistics and affine randomised so that
folding is not trivial. Each is saved in a different format or wrapping (legacy stream, zip, safetensors,
ONNX with and without BatchNormalization, ONNX with external data, {'state_dict': {'module.…'}},
{'model_ema': …}) and PyTorch's logits on two N(0, 1) inputs are kept. Then, per model:
`swsl-convert run SRC` (the float reference) and `run OUT.swm` (int8: dequantized, and integer with the
stored activation scales and with `--activations dynamic`) are
compared with PyTorch's logits, `swsl-convert SRC OUT.swm` is timed (peak RSS from /usr/bin/time), and
`swsl-convert verify OUT.swm --reference SRC` gives the pass/fail a user sees. Prints a Markdown table.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Fixtures"))
import generate  # noqa: E402,F401  (makes torchvision importable with the CPU-only torch wheel)

import numpy as np  # noqa: E402
import timm  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from torchvision.models.resnet import Bottleneck, ResNet  # noqa: E402

TOOL = ROOT / ".build" / "release" / "swsl-convert"
JOBS = [  # name, builder, how it is saved
    ("resnet18_swsl", "hub", "legacy"),
    ("resnet50_ssl", "hub", "zip"),
    ("resnext50_32x4d_swsl", "hub", "onnx"),
    ("resnext101_32x4d_ssl", "hub", "wrapped_legacy"),
    ("resnext101_32x8d_swsl", "hub", "safetensors"),
    ("resnext101_32x16d_ssl", "hub", "legacy"),
    ("ssl_resnet18", "timm", "onnx_bn"),
    ("swsl_resnet50", "timm", "onnx_external"),
    ("ssl_resnext50_32x4d", "timm", "zip"),
    ("swsl_resnext101_32x4d", "timm", "legacy"),
    ("ssl_resnext101_32x8d", "timm", "zip_ema"),
    ("swsl_resnext101_32x16d", "timm", "zip"),
]


def hub_model(name):
    if name.startswith("resnet18"):
        return torchvision.models.resnet18()
    if name.startswith("resnet50"):
        return torchvision.models.resnet50()
    if name.startswith("resnext50"):
        return torchvision.models.resnext50_32x4d()
    width = {"32x4d": 4, "32x8d": 8, "32x16d": 16}[name.split("_")[1]]
    return ResNet(Bottleneck, [3, 4, 23, 3], groups=32, width_per_group=width)


def save(model, sd, fmt, base, x):
    if fmt in ("legacy", "zip"):
        path = base.with_suffix(".pth")
        torch.save(sd, path, _use_new_zipfile_serialization=fmt == "zip")
    elif fmt == "wrapped_legacy":
        path = base.with_suffix(".pth")
        torch.save({"epoch": 3, "state_dict": {"module." + k: v for k, v in sd.items()}}, path,
                   _use_new_zipfile_serialization=False)
    elif fmt == "zip_ema":
        path = base.with_suffix(".pth")
        torch.save({"model_ema": sd, "epoch": 1}, path)
    elif fmt == "safetensors":
        path = base.with_suffix(".safetensors")
        save_file({k: v.contiguous() for k, v in sd.items() if not k.endswith("num_batches_tracked")}, str(path))
    else:
        path = base.with_suffix(".onnx")
        kw = dict(opset_version=17, input_names=["input"], output_names=["logits"], dynamo=False)
        if fmt == "onnx_bn":
            kw.update(do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)
        torch.onnx.export(model, x[:1], str(path), **kw)
        if fmt == "onnx_external":
            import onnx
            proto = onnx.load(str(path))
            path.unlink()
            onnx.save_model(proto, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                            location=base.name + ".data", size_threshold=1024)
    return path


def compare(reference, candidate):
    a, b = reference.astype(np.float64), candidate.astype(np.float64)
    rel = max(np.abs(r - c).max() / np.abs(r).max() for r, c in zip(a, b))
    cos = min(r @ c / np.linalg.norm(r) / np.linalg.norm(c) for r, c in zip(a, b))
    return rel, cos, float((a.argmax(1) == b.argmax(1)).mean())


def tool(*args):
    return subprocess.run([str(TOOL), *map(str, args)], capture_output=True, text=True)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    only = sys.argv[2:]
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(7))
    np.save(out / "x.npy", x.numpy())
    print("| model | built by | saved as | float vs PyTorch (max rel) | int8 vs PyTorch: cosine, max rel | "
          "int8 integer: cosine (calibrated, dynamic) | convert s | peak RSS MB / file MB | verify |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, kind, fmt in JOBS:
        if only and name not in only:
            continue
        torch.manual_seed(1)
        model = hub_model(name) if kind == "hub" else timm.create_model(name, pretrained=False)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.weight.uniform_(0.5, 1.5), m.bias.normal_(0, 0.1)
                    m.running_mean.normal_(0, 0.1), m.running_var.uniform_(0.5, 1.5)
        model.eval()
        with torch.no_grad():
            expected = model(x).numpy()
        src = save(model, model.state_dict(), fmt, out / name, x)
        size = sum(p.stat().st_size for p in out.glob(name + ".*") if p.suffix in (".pth", ".onnx", ".safetensors", ".data"))
        swm = out / f"{name}.swm"
        row = [name, "torch.hub (torchvision)" if kind == "hub" else "timm", fmt.replace("_", " ")]
        if tool("run", src, "--input", out / "x.npy", "--output", out / "f.npy").returncode:
            print("| " + " | ".join(row) + " | reference run failed | | | | | |")
            continue
        row.append(f"{compare(expected, np.load(out / 'f.npy'))[0]:.1e}")
        timed = subprocess.run(["/usr/bin/time", "-f", "%e %M", str(TOOL), str(src), str(swm)],
                               capture_output=True, text=True)
        seconds, kb = timed.stderr.strip().splitlines()[-1].split()
        tool("run", swm, "--input", out / "x.npy", "--output", out / "q.npy")
        tool("run", swm, "--int8", "integer", "--input", out / "x.npy", "--output", out / "qi.npy")
        tool("run", swm, "--int8", "integer", "--activations", "dynamic", "--input", out / "x.npy", "--output", out / "qd.npy")
        rel, cos, _ = compare(expected, np.load(out / "q.npy"))
        row.append(f"{cos:.5f}, {rel:.3f}")
        row.append(f"{compare(expected, np.load(out / 'qi.npy'))[1]:.5f}, {compare(expected, np.load(out / 'qd.npy'))[1]:.5f}")
        row += [seconds, f"{int(kb) / 1024:.0f} / {size / 1e6:.0f}"]
        verify = tool("verify", swm, "--reference", src, "--json")
        result = json.loads(verify.stdout) if verify.stdout.strip().startswith("{") else {}
        ties = result.get("top1_near_ties", 0)
        row.append(("PASS" if verify.returncode == 0 else "FAIL") + (f" ({ties} near tie{'s' if ties > 1 else ''})" if ties else ""))
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
