#!/usr/bin/env python3
"""Runs a .swm model through libswm's C interface (swm.h) with ctypes; numpy only for .npy files.

    python3 Examples/python/swm_ctypes.py MODEL.swm --image photo.jpg        # top-5 classes
    python3 Examples/python/swm_ctypes.py MODEL.swm --input x.npy --output logits.npy

The library: --library PATH, else $SWM_LIBRARY, else libswm.so on the loader's path
(`swift build -c release --product swm` builds .build/release/libswm.so).
"""
from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import sys


class SWMError(Exception):
    """A refusal from the library: its message names the file and, for a broken file, the rule."""


class _Options(ctypes.Structure):
    _fields_ = [("threads", ctypes.c_int), ("int8_arithmetic", ctypes.c_int),
                ("check_crc", ctypes.c_int), ("dynamic_activations", ctypes.c_int)]


def load_library(path: str | None = None) -> ctypes.CDLL:
    lib = ctypes.CDLL(path or os.environ.get("SWM_LIBRARY") or "libswm.so")
    lib.swm_api_version.restype = ctypes.c_int
    lib.swm_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(_Options)]
    lib.swm_open.restype = ctypes.c_void_p
    lib.swm_close.argtypes = [ctypes.c_void_p]
    for name in ("swm_classes", "swm_input_channels", "swm_input_size"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]
        getattr(lib, name).restype = ctypes.c_int
    lib.swm_run.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.c_int, ctypes.c_int, ctypes.c_int,
                            ctypes.POINTER(ctypes.c_float), ctypes.c_size_t]
    lib.swm_image_input.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_float), ctypes.c_size_t]
    lib.swm_top_k.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.c_int,
                              ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_float)]
    lib.swm_class_name.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.swm_class_name.restype = ctypes.c_char_p
    lib.swm_metadata_json.argtypes = [ctypes.c_void_p]
    lib.swm_metadata_json.restype = ctypes.c_char_p
    lib.swm_last_error.restype = ctypes.c_char_p
    if lib.swm_api_version() != 1:
        raise SWMError(f"libswm speaks interface {lib.swm_api_version()}, this script interface 1")
    return lib


class Model:
    """An opened .swm: `run` on float32 NCHW input, `image_input` for a photo, `top` for the best classes."""

    def __init__(self, lib: ctypes.CDLL, path: str, threads: int = 0):
        self.lib = lib
        options = _Options(threads=threads)
        self.handle = lib.swm_open(path.encode(), ctypes.byref(options))
        if not self.handle:
            raise SWMError(lib.swm_last_error().decode())
        self.classes = lib.swm_classes(self.handle)
        self.channels = lib.swm_input_channels(self.handle)
        self.size = lib.swm_input_size(self.handle)
        self.metadata = json.loads(lib.swm_metadata_json(self.handle))

    def close(self) -> None:
        if self.handle:
            self.lib.swm_close(self.handle)
            self.handle = None

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    def run(self, values, batch: int, height: int, width: int) -> list[float]:
        """Logits, batch × classes floats, of `values`: batch × channels × height × width floats in C order,
        as a list or as the float32 bytes (`numpy_array.tobytes()`)."""
        count = batch * self.channels * height * width
        if isinstance(values, (bytes, bytearray)) and len(values) % 4:
            raise SWMError(f"{len(values)} bytes of input: not a whole number of float32 values")
        given = len(values) // 4 if isinstance(values, (bytes, bytearray)) else len(values)
        if given != count:
            raise SWMError(f"{given} input values, [{batch}, {self.channels}, {height}, {width}] needs {count}")
        source = (ctypes.c_float * count).from_buffer_copy(values) if isinstance(values, (bytes, bytearray)) \
            else (ctypes.c_float * count)(*values)
        out = (ctypes.c_float * (batch * self.classes))()
        if self.lib.swm_run(self.handle, source, batch, height, width, out, len(out)) != 0:
            raise SWMError(self.lib.swm_last_error().decode())
        return list(out)

    def image_input(self, path: str) -> list[float]:
        """The model input for a JPEG or PNG file, preprocessed as the model's metadata says."""
        out = (ctypes.c_float * (3 * self.size * self.size))()
        if self.lib.swm_image_input(self.handle, path.encode(), out, len(out)) != 0:
            raise SWMError(self.lib.swm_last_error().decode())
        return list(out)

    def top(self, logits: list[float], k: int = 5) -> list[tuple[int, str | None, float]]:
        """The k most probable classes of one row of logits: (index, name or None, probability)."""
        if len(logits) != self.classes:
            raise SWMError(f"{len(logits)} logits, the model has {self.classes} classes")
        row = (ctypes.c_float * self.classes)(*logits)
        indices, probabilities = (ctypes.c_int * k)(), (ctypes.c_float * k)()
        n = self.lib.swm_top_k(self.handle, row, k, indices, probabilities)
        if n < 0:
            raise SWMError(self.lib.swm_last_error().decode())
        names = [self.lib.swm_class_name(self.handle, indices[i]) for i in range(n)]
        return [(indices[i], names[i].decode() if names[i] else None, probabilities[i]) for i in range(n)]


def percent(p: float) -> str:
    """A probability in percent to one decimal, rounded half away from zero as swsl-convert prints it."""
    x = p * 100 * 10
    tenths = math.floor(x)
    if x - tenths >= 0.5:
        tenths += 1
    return f"{tenths / 10:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--image", help="a JPEG or PNG photo to classify")
    parser.add_argument("--input", help="a float32 [N, C, H, W] .npy")
    parser.add_argument("--output", help="write the logits [N, classes] to this .npy")
    parser.add_argument("--library")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if (args.image is None) == (args.input is None):
        parser.error("give exactly one of --image and --input")
    try:
        lib = load_library(args.library)
        with Model(lib, args.model, threads=args.threads) as model:
            if args.image:
                logits = model.run(model.image_input(args.image), 1, model.size, model.size)
                shape = (1, model.classes)
            else:
                import numpy as np
                x = np.ascontiguousarray(np.load(args.input), dtype=np.float32)
                if x.ndim != 4:
                    raise SWMError(f"{args.input}: input must be [N, C, H, W], got shape {list(x.shape)}")
                logits = model.run(x.tobytes(), x.shape[0], x.shape[2], x.shape[3])
                shape = (x.shape[0], model.classes)
            if args.output:
                import numpy as np
                np.save(args.output, np.array(logits, dtype=np.float32).reshape(shape))
            for s in range(shape[0]):
                row = logits[s * model.classes:(s + 1) * model.classes]
                best = ", ".join(f"{name or f'class {i}'} {percent(p)}%" for i, name, p in model.top(row, 5))
                print(f"{args.image or f'sample {s}'}: {best}")
    except SWMError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
