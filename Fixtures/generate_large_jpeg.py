"""Writes the over-budget JPEG fixture and its Pillow golden (see README.md, "Images").

    python Fixtures/generate_large_jpeg.py      # needs only Pillow and numpy (requirements.txt)

images/large/large_6144x4096.jpg
                             6144x4096 RGB JPEG (quality 75, 4:2:0), smooth gradients and discs:
                             25.2 megapixels, over swsl-convert's pixel budget of 2^24, so it is
                             decoded at 1/2 scale (3072x2048) with libjpeg's DCT scaling. In a
                             folder of its own: images/ is a calibration folder in the tests.
golden/images/large_6144x4096_half_rgb_every16.npy
                             float32 [128, 192, 3]: np.asarray(im)[::16, ::16] where im is
                             Image.open(path) after im.draft("RGB", (3072, 2048)), the same libjpeg
                             scaled decode, then .convert("RGB").
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
IMAGES = HERE / "images"
GOLDEN = HERE / "golden" / "images"


def picture(width: int, height: int) -> Image.Image:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    x /= width - 1
    y /= height - 1
    r = 255 * x
    g = 255 * y
    b = 255 * (1 - x) * (0.5 + 0.5 * np.sin(6.28 * y))
    for cx, cy, radius, colour in [(0.3, 0.4, 0.15, (240, 30, 30)), (0.7, 0.6, 0.2, (20, 200, 60))]:
        inside = (x - cx) ** 2 + ((y - cy) * height / width) ** 2 < radius**2
        r = np.where(inside, colour[0], r)
        g = np.where(inside, colour[1], g)
        b = np.where(inside, colour[2], b)
    rgb = np.stack([r, g, b], axis=-1).clip(0, 255).astype(np.uint8)
    return Image.fromarray(rgb, "RGB")


def main() -> None:
    path = IMAGES / "large" / "large_6144x4096.jpg"
    picture(6144, 4096).save(path, quality=75, subsampling=2)
    with Image.open(path) as im:
        im.draft("RGB", (3072, 2048))
        assert im.size == (3072, 2048), im.size
        pixels = np.asarray(im.convert("RGB"))
    np.save(GOLDEN / "large_6144x4096_half_rgb_every16.npy", np.ascontiguousarray(pixels[::16, ::16], dtype="<f4"))
    print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
