#!/usr/bin/env python3
"""An ImageNet-style folder of JPEGs for the dataset-loop benchmark, made on demand, never committed.

    VENV/bin/python Benchmarks/make_photos.py OUT_DIR [--images 200]

Writes OUT_DIR/<wnid>/img_NNNN.jpg in four WordNet-id class folders (the first four ImageNet synsets),
each about 500x375 like ImageNet's validation photos: crops of scikit-image's sample photographs,
flipped, shifted and rescaled per image, saved by Pillow at quality 90 (4:2:0).
"""
import argparse
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

parser = argparse.ArgumentParser()
parser.add_argument("out", type=Path)
parser.add_argument("--images", type=int, default=200)
args = parser.parse_args()

SOURCES = [data.astronaut(), data.chelsea(), data.coffee(), data.rocket()]
CLASSES = ["n01440764", "n01443537", "n01484850", "n01491361"]
rng = np.random.default_rng(0)
for i in range(args.images):
    source = SOURCES[i % len(SOURCES)]
    h, w = source.shape[:2]
    ch, cw = int(h * rng.uniform(0.6, 1.0)), int(w * rng.uniform(0.6, 1.0))
    y, x = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
    crop = source[y:y + ch, x:x + cw]
    if rng.integers(2):
        crop = crop[:, ::-1]
    size = (500, 375) if rng.integers(4) else (375, 500)
    folder = args.out / CLASSES[i % len(CLASSES)]
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.ascontiguousarray(crop)).resize(size, Image.BILINEAR).save(folder / f"img_{i:04d}.jpg", quality=90)
print(f"{args.images} JPEGs in {len(CLASSES)} class folders under {args.out}")
