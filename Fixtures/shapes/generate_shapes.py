#!/usr/bin/env python3
"""Write the (name, shape) lists of full-size ResNet state dicts, for the schema tests.

Every model is built on the meta device: nothing is allocated or downloaded. Each file
Fixtures/shapes/<model>.<convention>.json holds the state dict's names and shapes in order and
the architecture the schema mapper must infer ("expected", written from the builder's arguments
here, not from the Swift code). swsl_ssl.json lists the twelve SWSL/SSL models of the paper under
their torch.hub and timm names, each with the fixture that has its state dict; the script checks
that the timm model's names and shapes are exactly that fixture's.

Run with the Fixtures venv (see Fixtures/README.md; transformers 5.24.0 added for the
Hugging Face lists):  /work/venv/bin/python Fixtures/shapes/generate_shapes.py
"""
import json
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
# generate.py imports torchvision with its workaround for the CUDA-only wheel; importing it writes nothing.
import generate  # noqa: E402,F401
import timm  # noqa: E402
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet  # noqa: E402
from transformers import ResNetConfig, ResNetForImageClassification  # noqa: E402

DEPTHS = {18: ("basic", [2, 2, 2, 2]), 34: ("basic", [3, 4, 6, 3]), 50: ("bottleneck", [3, 4, 6, 3]),
          101: ("bottleneck", [3, 4, 23, 3]), 152: ("bottleneck", [3, 8, 36, 3])}


def expected(convention, name, depth=None, block=None, layers=None, groups=1, width_per_group=64,
             deep=False, avg_down=None, num_classes=1000):
    """The architecture fields, from the arguments the model was built with."""
    if depth is not None:
        block, layers = DEPTHS[depth]
    expansion = 4 if block == "bottleneck" else 1
    return {"convention": convention, "name": name, "block": block, "layers": layers,
            "widths": [w * expansion for w in (64, 128, 256, 512)], "stem_width": 32 if deep else 64,
            "stem_type": "deep" if deep else "single", "groups": groups, "width_per_group": width_per_group,
            "avg_down": deep if avg_down is None else avg_down, "num_classes": num_classes}


def torchvision_resnet(depth, groups=1, width_per_group=64, num_classes=1000):
    """torchvision's ResNet, as torchvision.models and the SWSL/SSL torch.hub entry points build it."""
    block = BasicBlock if DEPTHS[depth][0] == "basic" else Bottleneck
    return ResNet(block, DEPTHS[depth][1], groups=groups, width_per_group=width_per_group, num_classes=num_classes)


def huggingface_resnet(depth):
    """transformers' ResNetForImageClassification with the microsoft/resnet-<depth> configuration."""
    block, layers = DEPTHS[depth]
    expansion = 4 if block == "bottleneck" else 1
    config = ResNetConfig(layer_type=block, depths=layers, embedding_size=64, num_labels=1000,
                          hidden_sizes=[w * expansion for w in (64, 128, 256, 512)])
    return ResNetForImageClassification(config)


# (file stem, convention, builder, expected)
MODELS = [
    *[(f"resnet{d}", "torchvision", lambda d=d: torchvision_resnet(d), expected("torchvision", f"resnet{d}", d))
      for d in DEPTHS],
    *[(f"resnext{d}_{g}x{w}d", "torchvision", lambda d=d, g=g, w=w: torchvision_resnet(d, g, w),
       expected("torchvision", f"resnext{d}_{g}x{w}d", d, groups=g, width_per_group=w))
      for d, g, w in [(50, 32, 4), (101, 32, 4), (101, 32, 8), (101, 32, 16), (101, 64, 4)]],
    *[(f"wide_resnet{d}_2", "torchvision", lambda d=d: torchvision_resnet(d, width_per_group=128),
       expected("torchvision", f"wide_resnet{d}_2", d, width_per_group=128)) for d in (50, 101)],
    ("resnet34_10classes", "torchvision", lambda: torchvision_resnet(34, num_classes=10),
     expected("torchvision", "resnet34", 34, num_classes=10)),
    ("resnet_1111_100classes", "torchvision", lambda: ResNet(BasicBlock, [1, 1, 1, 1], num_classes=100),
     expected("torchvision", None, block="basic", layers=[1, 1, 1, 1], num_classes=100)),
    *[(f"resnet{d}d", "timm", lambda d=d: timm.create_model(f"resnet{d}d", pretrained=False),
       expected("timm", f"resnet{d}d", d, deep=True)) for d in (18, 50, 101, 152)],
    ("resnet50c", "timm", lambda: timm.create_model("resnet50c", pretrained=False),
     expected("timm", "resnet50c", 50, deep=True, avg_down=False)),
    ("resnext50_32x4d_10classes", "timm", lambda: timm.create_model("resnext50_32x4d", pretrained=False, num_classes=10),
     expected("torchvision", "resnext50_32x4d", 50, groups=32, width_per_group=4, num_classes=10)),
    *[(f"resnet{d}", "huggingface", lambda d=d: huggingface_resnet(d), expected("huggingface", f"resnet{d}", d))
      for d in (18, 50, 152)],
]

# The paper's twelve models: torch.hub name (facebookresearch/semi-supervised-ImageNet1K-models),
# timm 1.0.31 name, and the fixture with their (shared) architecture.
SWSL_SSL = [
    (f"{arch}_{kind}", f"{arch}.{tag}", f"{arch}.torchvision.json")
    for kind, tag in (("swsl", "fb_swsl_ig1b_ft_in1k"), ("ssl", "fb_ssl_yfcc100m_ft_in1k"))
    for arch in ("resnet18", "resnet50", "resnext50_32x4d", "resnext101_32x4d", "resnext101_32x8d", "resnext101_32x16d")
]


def shapes(model):
    return [[name, list(t.shape)] for name, t in model.state_dict().items()]


def write(path, header, tensors):
    """JSON with one line per tensor."""
    head = json.dumps(header)[:-1]
    lines = ",\n".join(json.dumps(entry) for entry in tensors)
    path.write_text(f'{head}, "tensors": [\n{lines}\n]}}\n')


def main():
    written = {}
    for stem, convention, build, arch in MODELS:
        with torch.device("meta"):
            model = build()
        tensors = shapes(model)
        classifier = model.classifier[1] if convention == "huggingface" else model.fc
        assert classifier.out_features == arch["num_classes"], stem
        if convention != "huggingface":
            assert model.layer1[0].conv2.groups == arch["groups"], stem
            assert [len(getattr(model, f"layer{i}")) for i in range(1, 5)] == arch["layers"], stem
        file = f"{stem}.{convention}.json"
        write(HERE / file, {"model": stem, "convention": convention, "expected": arch}, tensors)
        written[file] = tensors
        print(f"{file}: {len(tensors)} tensors")
    for hub, timm_name, file in SWSL_SSL:
        with torch.device("meta"):
            model = timm.create_model(timm_name, pretrained=False)
        assert shapes(model) == written[file], f"{timm_name} differs from {file}"
    (HERE / "swsl_ssl.json").write_text(json.dumps(
        {"models": [{"hub": h, "timm": t, "fixture": f} for h, t, f in SWSL_SSL]}, indent=1) + "\n")
    print(f"swsl_ssl.json: {len(SWSL_SSL)} models, each identical to its fixture under timm")


if __name__ == "__main__":
    main()
