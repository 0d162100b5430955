#!/usr/bin/env python3
"""The golden for verify's dataset loop (Tests/CLITests/DatasetVerifyTests.swift): PyTorch's top-1 and top-5
classes of resnet18_tiny on the images of the test's ImageFolder layout, preprocessed by torchvision.

    /work/venv/bin/python Fixtures/generate_dataset_golden.py     (after generate.py and generate_images.py)

The layout (class folder / file ← fixture image) is LAYOUT below; the test builds the same in a temporary
folder. Writes golden/dataset_resnet18_tiny.json: per image its label (the class folders sorted, as
ImageFolder numbers them), PyTorch's top-1 and top-5, and the counts.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

import torch  # noqa: E402
from PIL import Image  # noqa: E402
from generate_images import PREPROCESS  # noqa: E402  (Resize(256), CenterCrop(224), ToTensor, Normalize)

LAYOUT = [  # (relative path in the test's folder, fixture image)
    ("cat/a.jpg", "images/photo.jpg"),
    ("cat/b.png", "images/shapes.png"),
    ("dog/c.jpg", "images/modes/cmyk.jpg"),
    ("dog/d.jpg", "images/modes/gray.jpg"),
    ("dog/e.jpg", "images/modes/progressive.jpg"),
    ("fish/f.png", "images/modes/palette_trns.png"),
]


def main() -> None:
    torch.set_num_threads(1)
    model = generate.build_model("resnet18_tiny")
    model.load_state_dict(torch.load(generate.ROOT / "models" / "resnet18_tiny.zip.pth", weights_only=True))
    model.eval()
    preprocess = PREPROCESS
    classes = sorted({path.split("/")[0] for path, _ in LAYOUT})
    images = []
    for path, source in LAYOUT:
        with Image.open(generate.ROOT / source) as im:
            x = preprocess(im.convert("RGB")).unsqueeze(0)
        with torch.no_grad():
            logits = model(x)[0]
        top5 = torch.topk(logits, 5).indices.tolist()
        images.append({"path": path, "label": classes.index(path.split("/")[0]), "top1": top5[0], "top5": top5})
    golden = {"layout": [{"path": p, "source": s} for p, s in LAYOUT], "classes": classes, "images": images,
              "top1_correct": sum(i["top1"] == i["label"] for i in images),
              "top5_correct": sum(i["label"] in i["top5"] for i in images)}
    (generate.GOLDEN / "dataset_resnet18_tiny.json").write_text(json.dumps(golden, indent=1) + "\n")
    print(json.dumps({k: golden[k] for k in ("classes", "top1_correct", "top5_correct")}))


if __name__ == "__main__":
    main()
