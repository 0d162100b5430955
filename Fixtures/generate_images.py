"""Writes the image fixtures and their torchvision goldens (see README.md, "Images").

    /work/venv/bin/python Fixtures/generate_images.py     # ~5 s, from any directory

images/photo.jpg       400x300 RGB JPEG (quality 90, 4:2:0): gradients, a disc, a bar, noise-free
images/shapes.png      200x300 RGBA PNG: gradients and shapes, alpha varying (dropped by convert)
images/modes/*         24x16 files in the other modes the decoder converts (gray, CMYK and
                       progressive JPEG; palette with transparency, Adam7-interlaced palette,
                       16-bit gray, 16-bit RGBA, 2-bit gray, gray + alpha PNG)

golden/images/<name>.npy        float32 [1,3,224,224]: Compose([Resize(256), CenterCrop(224),
                                ToTensor(), Normalize(mean, std)])(Image.open(path).convert("RGB"))
golden/images/synthetic_1530x1000_r64_c56.npy  float32 [1,3,56,56]: Compose([Resize(64),
                                CenterCrop(56), ToTensor(), Normalize(mean, std)]) of synthetic(1530, 1000)
golden/images/modes_<file>_rgb.npy  float32 [H,W,3]: np.asarray(Image.open(path).convert("RGB"))
                                for every file in images/modes (gray16.png: the high byte, see below)
"""
from __future__ import annotations

import struct
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402,F401  (makes torchvision importable next to the CPU torch)

import PIL  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from PIL import Image  # noqa: E402
from torchvision import transforms  # noqa: E402

IMAGES = HERE / "images"
GOLDEN = HERE / "golden" / "images"
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
PREPROCESS = transforms.Compose([
    transforms.Resize(256),  # bilinear, antialiased on PIL images
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize(MEAN, STD),
])


def grid(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    return x / (width - 1), y / (height - 1)


def photo() -> Image.Image:
    """Smooth gradients with hard-edged shapes, so both the filter and its support show."""
    w, h = 400, 300
    x, y = grid(w, h)
    r = 255 * x
    g = 255 * y
    b = 127.5 + 127.5 * np.sin(6 * np.pi * x * y)
    disc = (x - 0.35) ** 2 + ((y - 0.5) * h / w) ** 2 < 0.18 ** 2
    r[disc], g[disc], b[disc] = 250, 240, 30
    bar = (np.abs(x - 0.75) < 0.03) & (y > 0.1) & (y < 0.9)
    r[bar], g[bar], b[bar] = 10, 20, 200
    stripes = (y > 0.85) & ((np.floor(x * w) % 4) < 2)  # 2-pixel stripes: aliasing if not filtered
    r[stripes], g[stripes], b[stripes] = 0, 0, 0
    rgb = np.stack([r, g, b], axis=-1).round().clip(0, 255).astype(np.uint8)
    return Image.fromarray(rgb, "RGB")


def shapes() -> Image.Image:
    """Portrait RGBA, upscaled by Resize(256): alpha must be dropped, not composited."""
    w, h = 200, 300
    x, y = grid(w, h)
    r = 255 * (1 - x)
    g = 128 + 127 * np.cos(4 * np.pi * y)
    b = 255 * x * y
    a = 255 * (0.25 + 0.75 * y)
    square = (np.abs(x - 0.5) < 0.2) & (np.abs(y - 0.3) < 0.12)
    r[square], g[square], b[square], a[square] = 0, 200, 90, 255
    ring = np.abs(np.hypot((x - 0.5) * w, (y - 0.7) * h) - 40) < 4
    r[ring], g[ring], b[ring], a[ring] = 220, 30, 120, 40
    rgba = np.stack([r, g, b, a], axis=-1).round().clip(0, 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def modes() -> dict[str, tuple[Image.Image, dict]]:
    """Small images in every other mode the decoder converts, with PIL's save options."""
    w, h = 24, 16
    x, y = grid(w, h)
    gray8 = (255 * x * y).round().astype(np.uint8)
    rgb = np.stack([255 * x, 255 * y, 255 * (1 - x)], axis=-1).round().astype(np.uint8)
    gray16 = (65535 * x * (1 - y) + 37).round().astype(np.uint16)
    palette = Image.fromarray(rgb, "RGB").quantize(colors=12, method=Image.Quantize.MEDIANCUT, dither=0)
    la = Image.merge("LA", [Image.fromarray(gray8, "L"), Image.fromarray(255 - gray8, "L")])
    cmyk = Image.fromarray(rgb, "RGB").convert("CMYK")
    return {
        "gray.jpg": (Image.fromarray(gray8, "L"), {"quality": 95}),
        "cmyk.jpg": (cmyk, {"quality": 95}),
        "progressive.jpg": (Image.fromarray(rgb, "RGB"), {"quality": 80, "progressive": True}),
        "gray16.png": (Image.frombytes("I;16", (w, h), gray16.astype("<u2").tobytes()), {}),
        "palette_trns.png": (palette, {"transparency": 3}),
        "gray2.png": (Image.fromarray(gray8, "L"), {"bits": 2, "optimize": False}),
        "gray_alpha.png": (la, {}),
    }


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def adam7(pixels: np.ndarray) -> list[np.ndarray]:
    """The seven Adam7 passes of an [H, W, ...] array (empty passes dropped)."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    subs = [pixels[y0::dy, x0::dx] for x0, y0, dx, dy in passes]
    return [p for p in subs if p.shape[0] and p.shape[1]]


def write_raw_png(path: Path, pixels: np.ndarray, color_type: int, interlace: bool = False,
                  extra: bytes = b"") -> None:
    """A PNG Pillow cannot write: 16-bit colour, or Adam7. `pixels` holds big-endian samples."""
    depth = pixels.dtype.itemsize * 8
    h, w = pixels.shape[:2]
    parts = adam7(pixels) if interlace else [pixels]
    raw = b"".join(b"\0" + row.tobytes() for part in parts for row in part)  # filter 0 per row
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0)
    data = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))
    path.write_bytes(data)


def raw_modes(directory: Path) -> None:
    """16-bit RGBA and an interlaced palette image with transparency, written byte by byte."""
    w, h = 24, 16
    x, y = grid(w, h)
    rgba16 = np.stack([65535 * x, 65535 * y, 30000 + 0 * x, 65535 * (1 - x)], axis=-1)
    write_raw_png(directory / "rgba16.png", rgba16.round().astype(">u2"), color_type=6)
    index = ((x * 5).round() + 6 * (y * 2).round()).astype(np.uint8)  # 18 colours
    plte = bytes(np.array([[14 * i, 255 - 13 * i, (40 * i) % 256] for i in range(18)], np.uint8).tobytes())
    trns = bytes([255, 0, 128] + [255] * 15)
    write_raw_png(directory / "palette_trns_interlaced.png", index, color_type=3, interlace=True,
                  extra=png_chunk(b"PLTE", plte) + png_chunk(b"tRNS", trns))


def synthetic(width: int, height: int) -> Image.Image:
    """An RGB pattern the Swift test rebuilds from the same formula: (3x + 5y + 85c + ((x ^ y) & 31)) % 256."""
    y, x = np.mgrid[0:height, 0:width]
    channels = [(3 * x + 5 * y + 85 * c + ((x ^ y) & 31)) % 256 for c in range(3)]
    return Image.fromarray(np.stack(channels, axis=-1).astype(np.uint8), "RGB")


def write_npy(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.ascontiguousarray(array, dtype=np.float32))


def save_rgb_golden(path: Path, name: str) -> None:
    with Image.open(path) as im:
        if im.mode == "I;16":
            # Pillow's I;16 -> RGB clips each value to 255; swsl-convert keeps the high byte
            # (as Pillow itself does for 16-bit RGB), so the golden is that.
            gray = np.asarray(im).astype(np.uint16) >> 8
            rgb = np.repeat(gray[..., None], 3, axis=-1)
        else:
            rgb = np.asarray(im.convert("RGB"))
    write_npy(GOLDEN / f"{name}_rgb.npy", rgb)


def bicubic_goldens() -> None:
    """Resize(..., BICUBIC) goldens: timm's models mostly ask for bicubic (their pretrained_cfg)."""
    bicubic = transforms.InterpolationMode.BICUBIC
    preprocess = transforms.Compose([transforms.Resize(256, interpolation=bicubic), transforms.CenterCrop(224),
                                     transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    with Image.open(IMAGES / "photo.jpg") as im:
        write_npy(GOLDEN / "photo_bicubic.npy", preprocess(im.convert("RGB")).unsqueeze(0).numpy())
    small = transforms.Compose([transforms.Resize(64, interpolation=bicubic), transforms.CenterCrop(56),
                                transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    write_npy(GOLDEN / "synthetic_1530x1000_r64_c56_bicubic.npy", small(synthetic(1530, 1000)).unsqueeze(0).numpy())


def main() -> None:
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", message="Palette images with Transparency")  # palette_trns.png
    print(f"Pillow {PIL.__version__}, torchvision {torchvision.__version__}, torch {torch.__version__}")
    (IMAGES / "modes").mkdir(parents=True, exist_ok=True)
    photo().save(IMAGES / "photo.jpg", quality=90, subsampling="4:2:0")
    shapes().save(IMAGES / "shapes.png", optimize=False, compress_level=9)
    for name, (image, options) in modes().items():
        image.save(IMAGES / "modes" / name, **options)
    raw_modes(IMAGES / "modes")

    for name in ("photo.jpg", "shapes.png"):
        path = IMAGES / name
        assert path.stat().st_size < 40_000, f"{name} is {path.stat().st_size} bytes"
        with Image.open(path) as im:
            tensor = PREPROCESS(im.convert("RGB")).unsqueeze(0)
        assert tensor.shape == (1, 3, 224, 224) and tensor.dtype == torch.float32
        write_npy(GOLDEN / f"{Path(name).stem}.npy", tensor.numpy())
        print(f"{name}: {path.stat().st_size} bytes, {Image.open(path).mode} {Image.open(path).size}")
    # Strong downscaling (about 15x, wide filter support) at other sizes, with a crop offset of
    # exactly 20.5 (Python rounds it to 20): Resize(64), CenterCrop(56) of a 1530x1000 pattern.
    small = transforms.Compose([transforms.Resize(64), transforms.CenterCrop(56), transforms.ToTensor(),
                                transforms.Normalize(MEAN, STD)])
    write_npy(GOLDEN / "synthetic_1530x1000_r64_c56.npy", small(synthetic(1530, 1000)).unsqueeze(0).numpy())
    bicubic_goldens()
    for path in sorted((IMAGES / "modes").iterdir()):
        save_rgb_golden(path, "modes_" + path.name.replace(".", "_"))
        with Image.open(path) as im:
            print(f"modes/{path.name}: {path.stat().st_size} bytes, {im.mode} {im.size} {im.info.get('interlace', '')}")


if __name__ == "__main__":
    main()
