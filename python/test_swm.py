#!/usr/bin/env python3
"""Tests of python/swm.py against files the Swift writer made (run by .ci/run; needs numpy only).

    SWSL_CONVERT=.build/debug/swsl-convert python3 python/test_swm.py

The binary converts the fixtures; this reader must accept what it writes, unpack packed weights to
exactly the oihw ones, give the BatchNorm folding the spec defines (computed here in numpy from the
safetensors weights), and refuse the files the Swift reader refuses.
"""
from __future__ import annotations

import json
import os
import struct
import shutil
import subprocess
import sys
import tempfile
import unittest
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import swm  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Fixtures"
BINARY = os.environ.get("SWSL_CONVERT", str(ROOT / ".build" / "debug" / "swsl-convert"))
HUB = FIXTURES / "models/hub/resnet50_tiny.fb_swsl_ig1b_ft_in1k/model.safetensors"
SAFETENSORS = {"resnet18_tiny": FIXTURES / "models/resnet18_tiny.safetensors", "resnet50_tiny": HUB}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    data = path.read_bytes()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    kinds = {"F32": "<f4", "I64": "<i8", "F16": "<f2"}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + a:8 + n + b], dtype=kinds[info["dtype"]]).reshape(info["shape"])
    return out


def canonical_pairs(layer: swm.Layer) -> tuple[str, str]:
    """torchvision's conv and BatchNorm names for a canonical path (Formats/resnet-schema.md's mapping)."""
    p = layer.path
    if p == "fc":
        return "fc", ""
    if p == "stem.conv1":
        return "conv1", "bn1"
    stage, block, rest = p.split(".", 2)
    prefix = f"layer{stage[5:]}.{block[5:]}"
    if rest == "downsample.conv":
        return f"{prefix}.downsample.0", f"{prefix}.downsample.1"
    k = rest[4:]
    return f"{prefix}.conv{k}", f"{prefix}.bn{k}"


def fold(sd: dict, conv: str, bn: str, eps: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """The spec's folding, in double precision, rounded once to float32."""
    w = sd[f"{conv}.weight"].astype(np.float64)
    s = sd[f"{bn}.weight"].astype(np.float64) / np.sqrt(sd[f"{bn}.running_var"].astype(np.float64) + eps)
    b = sd[f"{bn}.bias"].astype(np.float64) - sd[f"{bn}.running_mean"].astype(np.float64) * s
    return (w * s.reshape(-1, 1, 1, 1)).astype(np.float32), b.astype(np.float32)


# Every file the tests write lives in one folder, removed when the module's tests end, passed or failed.
TEMPORARY = Path(tempfile.mkdtemp(prefix="swm-py-"))


def tearDownModule():
    shutil.rmtree(TEMPORARY, ignore_errors=True)


def convert(source: Path, *args: str) -> Path:
    out = Path(tempfile.mkdtemp(dir=TEMPORARY)) / "model.swm"
    result = subprocess.run([BINARY, str(source), str(out), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"swsl-convert {source} failed: {result.stderr}")
    return out


def swift_accepts(path: Path) -> bool:
    """The Swift reader's verdict: `inspect --check` (rules 1-13, 15-19) and a plan built (rule 14)."""
    for command in (["inspect", str(path), "--check"], ["bench", str(path), "--iterations", "1", "--size", "32"]):
        result = subprocess.run([BINARY, *command], capture_output=True, text=True)
        if result.returncode not in (0, 2):
            raise AssertionError(f"{command[0]} exited {result.returncode}: {result.stderr}")
        if result.returncode != 0:
            return False
    return True


def python_accepts(path: Path) -> bool:
    try:
        swm.open_swm(str(path), check_crc=True)
        return True
    except swm.SWMError:
        return False


def with_record(**fields):
    """An edit of the metadata text appending a verification record (Formats/SWM.md, rule 18): by default an honest
    failing one (lowest cosine 0.5 against a 0.99 threshold, pass false); `fields` replace or add keys."""
    record = {"tool": "x", "inputs": "x", "inputs_crc32": "0000abcd", "int8": None, "samples": 1, "cosine_min": 0.5,
              "top1_agreement": 1, "thresholds": {"cosine_min": 0.99, "top1_min": 1}, "pass": False}
    text = json.dumps({**record, **fields}, separators=(",", ":"))
    return lambda t: t[:-1] + ',"verification":' + text + "}"


# A few-output record judged by its scaled difference (0.13 over a 0.05 limit), cosine perfect.
SCALED = {"cosine_min": 1, "scaled_max_diff": 0.13,
          "thresholds": {"cosine_min": 0.99, "top1_min": 1, "scaled_diff_max": 0.05}}


def with_metadata(data: bytes, edit) -> bytes:
    """The file with its metadata JSON edited by `edit` (a function of the text): the directory and
    data sections move to the next 64-byte boundaries after it, the header's offsets, sizes and CRCs
    are recomputed. Tensor offsets are relative to the data section, so the directory stays valid."""
    meta_off, meta_len, dir_off, dir_len, data_off, data_len = struct.unpack_from("<6Q", data, 24)
    raw = edit(data[meta_off:meta_off + meta_len].decode()).encode()
    align = lambda n: -(-n // 64) * 64  # noqa: E731
    new_dir = align(meta_off + len(raw))
    new_data = align(new_dir + dir_len)
    d = bytearray(data[:meta_off]) + raw
    d += bytes(new_dir - len(d)) + data[dir_off:dir_off + dir_len]
    d += bytes(new_data - len(d)) + data[data_off:data_off + data_len]
    struct.pack_into("<7Q", d, 24, meta_off, len(raw), new_dir, dir_len, new_data, data_len, len(d))
    struct.pack_into("<I", d, 84, zlib.crc32(raw) & 0xFFFFFFFF)
    struct.pack_into("<I", d, 124, zlib.crc32(bytes(d[:124])) & 0xFFFFFFFF)
    return bytes(d)


class ReaderTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not Path(BINARY).exists():
            raise unittest.SkipTest(f"no swsl-convert binary at {BINARY}")

    def test_committed_files_validate(self):
        for path in sorted((FIXTURES / "swm").glob("*.swm")):
            f = swm.open_swm(str(path), check_crc=True)
            self.assertEqual(f.metadata["format"], "swm")
            self.assertTrue(f.weights())

    def test_packed_weights_unpack_to_the_oihw_ones(self):
        for name in ("resnet18_tiny.zip.pth", "resnext_tiny.zip.pth", "resnet50d_tiny.zip.pth"):
            source = FIXTURES / "models" / name
            for precision in ("int8", "fp32"):
                packed = swm.open_swm(str(convert(source, "--precision", precision)), check_crc=True)
                oihw = swm.open_swm(str(convert(source, "--precision", precision, "--weight-layout", "oihw")))
                self.assertEqual([l.path for l in packed.layers], [l.path for l in oihw.layers])
                for layer in packed.layers:
                    a = packed.tensor(f"{layer.path}.weight")
                    b = oihw.tensor(f"{layer.path}.weight")
                    self.assertEqual(a.shape, b.shape, f"{name} {layer.path}")
                    self.assertTrue(np.array_equal(a, b), f"{name} {precision} {layer.path}")

    def test_folded_weights_are_the_specs_folding(self):
        for arch, source in SAFETENSORS.items():
            sd = read_safetensors(source)
            exact = swm.open_swm(str(convert(source, "--precision", "fp32")), check_crc=True)
            int8 = swm.open_swm(str(convert(source)), check_crc=True)
            for layer in exact.layers:
                conv, bn = canonical_pairs(layer)
                if layer.path == "fc":
                    w, b = sd["fc.weight"].astype(np.float32), sd["fc.bias"].astype(np.float32)
                else:
                    w, b = fold(sd, conv, bn)
                got = exact.tensor(f"{layer.path}.weight")
                self.assertTrue(np.array_equal(got, w), f"{arch} {layer.path}: fp32 weight differs from the folding")
                self.assertTrue(np.array_equal(exact.tensor(f"{layer.path}.bias"), b), f"{arch} {layer.path} bias")
                # int8: symmetric per-channel, q = round(W'/scale), scale = max|W'| / 127.
                scale = int8.tensor(f"{layer.path}.weight_scale")
                rows = w.reshape(w.shape[0], -1)
                want_scale = np.where(np.abs(rows).max(axis=1) > 0, np.abs(rows).max(axis=1) / 127, 1).astype(np.float32)
                np.testing.assert_allclose(scale, want_scale, rtol=1e-6, err_msg=f"{arch} {layer.path} scale")
                q = int8.tensor(f"{layer.path}.weight").reshape(w.shape[0], -1).astype(np.float64)
                error = np.abs(q * scale.reshape(-1, 1) - rows)
                self.assertTrue((error <= scale.reshape(-1, 1) * 0.5 * (1 + 1e-5)).all(), f"{arch} {layer.path} int8")

    def test_refuses_what_the_swift_reader_refuses(self):
        good = convert(FIXTURES / "models/resnet18_tiny.zip.pth").read_bytes()
        folder = Path(tempfile.mkdtemp(dir=TEMPORARY))
        variants = {"unchanged": good}
        rng = np.random.default_rng(16)
        for i, offset in enumerate(sorted(rng.choice(len(good), size=24, replace=False))):
            flipped = bytearray(good)
            flipped[offset] ^= 1 << int(rng.integers(8))
            variants[f"bit flip at {offset}"] = bytes(flipped)
        for cut in (0, 100, 128, len(good) // 2, len(good) - 1):
            variants[f"truncated to {cut}"] = good[:cut]
        variants["appended byte"] = good + b"\x01"
        edits = {
            "unknown key (allowed)": lambda t: t[:-1] + ',"extra":1}',
            "precision int4": lambda t: t.replace('"precision":"int8"', '"precision":"int4"'),
            "symmetric false": lambda t: t.replace('"symmetric":true', '"symmetric":false'),
            "no classes": lambda t: t.replace('"classes":', '"classez":'),
            "repeated key": lambda t: t[:-1] + ',"format":"swm"}',
            "input_size 0": lambda t: t.replace('"input_size":64', '"input_size":0').replace('"input_size":224', '"input_size":0'),
            "negative std": lambda t: t.replace('"std":[0.229', '"std":[-0.229'),
            "verification claims a pass": with_record(**{"pass": True}),
            "verification honest": with_record(),
            "verification with kernels": with_record(kernels="avx2, integer avx2"),
            "verification kernels a number": with_record(kernels=2),
            "verification scaled honest": with_record(**SCALED),
            "verification scaled claims a pass": with_record(**SCALED, **{"pass": True}),
            "more classes than fc": lambda t: t.replace('"num_classes":10', '"num_classes":11'),
            "no class names key": lambda t: t.replace(',"names":null', ''),
            "scale_dtype float16": lambda t: t.replace('"scale_dtype":"float32"', '"scale_dtype":"float16"'),
            "no report": lambda t: t.replace('"report":', '"reporz":'),
            "resize_size off by one": lambda t: t.replace('"resize_size":256', '"resize_size":257'),
            "layout NHWC": lambda t: t.replace('"layout":"NCHW"', '"layout":"NHWC"'),
            "version true": lambda t: t.replace('"version":1', '"version":true', 1),
            "infinite mean": lambda t: t.replace('"mean":[0.485', '"mean":[1e400'),
            "resize_size as a float": lambda t: t.replace('"resize_size":256', '"resize_size":256.0'),
            "float_layers null (allowed)": lambda t: t.replace('"symmetric":true', '"symmetric":true,"float_layers":null'),
            "negative class count": lambda t: t.replace('"count":10', '"count":-10'),
            "float layer that is int8": lambda t: t.replace('"symmetric":true', '"symmetric":true,"float_layers":'
                                                            '[{"layer":"fc","dtype":"float16","reason":"x"}]'),
        }
        for label, edit in edits.items():
            variants[label] = with_metadata(good, edit)
            # An edit whose pattern is not in the metadata would compare the unchanged file twice.
            self.assertNotEqual(variants[label], good, f"{label}: the edit changed nothing")
        # Each case carries its own verdict (Formats/SWM.md), so two readers that both accept a damaged file fail
        # here: every bit flip is caught by a CRC or a structural rule, every cut and appended byte by the sizes,
        # and every edit is a rule broken, except the ones a reader must accept.
        accepted = {"unchanged", "unknown key (allowed)", "verification honest", "verification with kernels",
                    "verification scaled honest", "float_layers null (allowed)"}
        self.assertLessEqual(accepted, set(variants))
        try:
            for label, data in variants.items():
                path = folder / "v.swm"
                path.write_bytes(data)
                want = label in accepted
                swift, python = swift_accepts(path), python_accepts(path)
                verdict = {True: "accepts", False: "refuses"}
                self.assertEqual(swift, want, f"{label}: Swift {verdict[swift]}, should {verdict[want][:-1]}")
                self.assertEqual(python, want, f"{label}: python/swm.py {verdict[python]}, should {verdict[want][:-1]}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
