#!/usr/bin/env python3
"""A second reader of `.swm` files, written from Formats/SWM.md and Formats/resnet-schema.md alone.

It shares no code with the Swift reader: it exists so that the spec is proved by two readers, and so
that a conversion can be checked in numpy. Needs Python 3.9+ and numpy.

    python3 python/swm.py model.swm [--check]      # prints the metadata and the tensor directory as JSON

    import swm
    f = swm.open_swm("model.swm", check_crc=True)   # validates rules 1-19 (rule 14 too)
    f.metadata                                       # the JSON metadata
    f.tensor("stage1.block0.conv1.weight")          # as stored (packed weights unpacked to [out, in/g, k, k])
    f.tensor("stage1.block0.conv1.weight", dequantize=True)   # int8 x scale, float32
    f.weights()                                      # every layer: {"weight", "bias"} in float32

A file the spec does not allow raises SWMError, whose message names the rule ("SWM rule N").
"""
from __future__ import annotations

import json
import math
import struct
import sys
import zlib
from dataclasses import dataclass

import numpy as np

MAGIC = b"\x89SWM\r\n\x1a\n"
HEADER_SIZE = 128
BYTE_ORDER_MARK = 0x01020304
ALIGN = 64
DTYPES = {1: np.dtype("<f4"), 2: np.dtype("<f2"), 3: np.dtype("i1"), 4: np.dtype("<i4")}
DTYPE_NAMES = {1: "f32", 2: "f16", 3: "i8", 4: "i32"}
LAYOUTS = {0: "plain", 1: "oihw", 2: "packed-v1"}
PANEL_ROWS = 6
MAX_JSON_DEPTH = 16


class SWMError(Exception):
    """A file the spec refuses; `rule` is the spec's rule number (None where the spec names none)."""

    def __init__(self, rule: int | None, message: str):
        self.rule = rule
        super().__init__(f"{message} (SWM rule {rule})" if rule is not None else message)


@dataclass
class Entry:
    index: int
    name: str
    dtype: int
    layout: int
    shape: tuple
    offset: int
    length: int
    crc32: int
    scale_index: int

    @property
    def count(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


def _crc(data) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def _depth(value, depth=1) -> int:
    if isinstance(value, dict):
        return max([depth] + [_depth(v, depth + 1) for v in value.values()])
    if isinstance(value, list):
        return max([depth] + [_depth(v, depth + 1) for v in value])
    return depth


def _no_repeated_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise SWMError(9, f"metadata repeats the key {sorted(k for k in keys if keys.count(k) > 1)[0]!r}")
    return dict(pairs)


def _strict_json(text: str):
    def refuse(constant):
        raise SWMError(9, f"metadata holds {constant}, which strict JSON does not have")
    return json.loads(text, object_pairs_hook=_no_repeated_keys, parse_constant=refuse)


# ----------------------------------------------------------------------------------------------
# The network an architecture describes (Formats/resnet-schema.md, "The network the parameters describe")
# ----------------------------------------------------------------------------------------------

@dataclass
class Layer:
    path: str
    out: int
    inp: int
    kernel: int
    groups: int

    @property
    def reduction(self) -> int:  # K = in/groups x k x k
        return self.inp // self.groups * self.kernel * self.kernel


def layers(arch: dict) -> list[Layer]:
    """Every convolution and the classifier, in the spec's order, with their shapes."""
    result = []
    stem = arch["stem_width"]
    channels = arch["input_channels"]
    if arch["stem_type"] not in ("single", "deep", "tiered") or arch["block"] not in ("basic", "bottleneck"):
        raise ValueError("unknown stem_type or block")
    if arch["stem_type"] == "single":
        result.append(Layer("stem.conv1", stem, channels, 7, 1))
        c = stem
    else:
        first = stem if arch["stem_type"] == "deep" else 3 * (stem // 4)   # tiered: 3 floor(w/4), w, 2w
        result += [Layer("stem.conv1", first, channels, 3, 1), Layer("stem.conv2", stem, first, 3, 1),
                   Layer("stem.conv3", 2 * stem, stem, 3, 1)]
        c = 2 * stem
    for s, (blocks, out) in enumerate(zip(arch["layers"], arch["widths"]), start=1):
        for b in range(blocks):
            inp = c if b == 0 else out
            stride = 2 if (b == 0 and s > 1) else 1
            path = f"stage{s}.block{b}"
            if arch["block"] == "basic":
                result += [Layer(f"{path}.conv1", out, inp, 3, 1), Layer(f"{path}.conv2", out, out, 3, 1)]
            else:
                width = (out // 4) * arch["width_per_group"] // 64 * arch["groups"]
                result += [Layer(f"{path}.conv1", width, inp, 1, 1),
                           Layer(f"{path}.conv2", width, width, 3, arch["groups"]),
                           Layer(f"{path}.conv3", out, width, 1, 1)]
            if stride != 1 or inp != out:
                result.append(Layer(f"{path}.downsample.conv", out, inp, 1, 1))
        c = arch["widths"][s - 1]
    result.append(Layer("fc", arch["num_classes"], arch["widths"][-1], 1, 1))
    return result


def packed_count(layer: Layer) -> int:
    mg = layer.out // layer.groups
    panels = -(-mg // PANEL_ROWS)
    return layer.groups * panels * PANEL_ROWS * layer.reduction


def unpack(flat: np.ndarray, layer: Layer) -> np.ndarray:
    """packed-v1 to [out, in/groups, k, k]: element ((g*P + p)*K + k)*6 + r holds W[g*Mg + p*6 + r][k]."""
    mg = layer.out // layer.groups
    panels = -(-mg // PANEL_ROWS)
    k = layer.reduction
    blocks = flat.reshape(layer.groups, panels, k, PANEL_ROWS)        # [g, p, k, r]
    rows = blocks.transpose(0, 1, 3, 2).reshape(layer.groups, panels * PANEL_ROWS, k)[:, :mg, :]
    weight = rows.reshape(layer.out, k)
    if layer.path == "fc":
        return weight
    return weight.reshape(layer.out, layer.inp // layer.groups, layer.kernel, layer.kernel)


# ----------------------------------------------------------------------------------------------
# The file
# ----------------------------------------------------------------------------------------------

class SWMFile:
    def __init__(self, data: bytes, check_crc: bool = False):
        self.data = data
        self._header()
        self._metadata()
        self._directory()
        self._data(check_crc)
        self._architecture()

    # Rules 1-8 -----------------------------------------------------------------------------------
    def _header(self):
        d = self.data
        if len(d) < HEADER_SIZE:
            raise SWMError(1, f"{len(d)} bytes, shorter than the 128-byte header")
        if d[:8] != MAGIC:
            raise SWMError(2, "not a .swm file (magic)")
        version, header_size, bom, _flags = struct.unpack_from("<4I", d, 8)
        if version != 1:
            raise SWMError(3, f"format version {version}, this reader knows 1")
        if header_size != HEADER_SIZE or bom != BYTE_ORDER_MARK:
            raise SWMError(4, f"header size {header_size} or byte-order mark {bom:#x} is wrong")
        (header_crc,) = struct.unpack_from("<I", d, 124)
        if _crc(d[:124]) != header_crc:
            raise SWMError(5, "header CRC does not match")
        (self.meta_off, self.meta_len, self.dir_off, self.dir_len, self.data_off, self.data_len,
         file_size) = struct.unpack_from("<7Q", d, 24)
        self.tensor_count, self.meta_crc, self.dir_crc = struct.unpack_from("<3I", d, 80)
        if file_size != len(d):
            raise SWMError(6, f"header says {file_size} bytes, the file has {len(d)}")
        sections = [("metadata", self.meta_off, self.meta_len), ("directory", self.dir_off, self.dir_len),
                    ("data", self.data_off, self.data_len)]
        end = HEADER_SIZE
        for name, off, length in sections:
            if off % ALIGN or off < end or off + length > len(d):
                raise SWMError(7, f"the {name} section [{off}, {off + length}) is misplaced")
            end = off + length
        if _crc(d[self.meta_off:self.meta_off + self.meta_len]) != self.meta_crc:
            raise SWMError(8, "metadata CRC does not match")
        if _crc(d[self.dir_off:self.dir_off + self.dir_len]) != self.dir_crc:
            raise SWMError(8, "directory CRC does not match")

    # Rules 9, 18, 19 (the parts of 9 that name keys and types) -----------------------------------
    def _metadata(self):
        raw = self.data[self.meta_off:self.meta_off + self.meta_len]
        try:
            meta = _strict_json(raw.decode("utf-8"))
        except SWMError:
            raise
        except (UnicodeDecodeError, ValueError) as e:
            raise SWMError(9, f"metadata is not JSON: {e}") from None
        except RecursionError:
            raise SWMError(9, "metadata nests deeper than 16") from None
        if not isinstance(meta, dict):
            raise SWMError(9, "metadata is not a JSON object")
        if _depth(meta) > MAX_JSON_DEPTH:
            raise SWMError(9, "metadata nests deeper than 16")

        def need(obj, key, types, where):
            if not isinstance(obj, dict) or key not in obj or not isinstance(obj[key], types) \
                    or (isinstance(obj[key], bool) and bool not in (types if isinstance(types, tuple) else (types,))):
                raise SWMError(9, f"metadata {where}{key} is missing or of the wrong type")
            return obj[key]

        number = (int, float)
        if meta.get("format") != "swm" or type(meta.get("version")) is not int or meta["version"] != 1:
            raise SWMError(9, "metadata format/version is not swm/1")
        arch = need(meta, "architecture", dict, "")
        for key, types in (("block", str), ("layers", list), ("widths", list), ("stem_width", int),
                           ("stem_type", str), ("groups", int), ("width_per_group", int), ("avg_down", bool),
                           ("num_classes", int), ("input_channels", int), ("stride_on_3x3", bool)):
            need(arch, key, types, "architecture.")
        pre = need(meta, "preprocessing", dict, "")
        size = need(pre, "input_size", int, "preprocessing.")
        ratio = need(pre, "crop_ratio", number, "preprocessing.")
        if not 1 <= size <= 4096 or not 0.1 < ratio <= 1:
            raise SWMError(9, "metadata preprocessing.input_size or crop_ratio is out of range")
        for key in ("mean", "std"):
            values = need(pre, key, list, "preprocessing.")
            if len(values) != 3 or not all(isinstance(v, number) and not isinstance(v, bool) and math.isfinite(v)
                                           for v in values):
                raise SWMError(9, f"metadata preprocessing.{key} is not three finite numbers")
        if any(v <= 0 for v in pre["std"]):
            raise SWMError(9, "metadata preprocessing.std is not positive")
        if "interpolation" in pre and not isinstance(pre["interpolation"], str):
            raise SWMError(9, "metadata preprocessing.interpolation is not a string")
        if "resize_size" in pre and (type(pre["resize_size"]) is not int or pre["resize_size"] != int(size / ratio)):
            raise SWMError(9, "metadata preprocessing.resize_size is not floor(input_size / crop_ratio)")
        if pre.get("channel_order", "RGB") != "RGB" or pre.get("layout", "NCHW") != "NCHW":
            raise SWMError(9, "metadata preprocessing.channel_order or layout is not RGB / NCHW")
        classes = need(meta, "classes", dict, "")
        count = need(classes, "count", int, "classes.")
        if not 0 <= count <= 2**31 - 1:
            raise SWMError(9, "metadata classes.count is not in 0...2^31-1")
        if "names" not in classes:
            raise SWMError(9, "metadata classes.names is missing")
        names = classes["names"]
        if names is not None and (not isinstance(names, list) or len(names) != count
                                  or not all(isinstance(n, str) for n in names)):
            raise SWMError(9, "metadata classes.names is not count strings")
        prov = need(meta, "provenance", dict, "")
        for key in ("source_file", "source_sha256", "source_format", "convention", "converter"):
            need(prov, key, str, "provenance.")
        if need(prov, "source_size", int, "provenance.") < 0:
            raise SWMError(9, "metadata provenance.source_size is negative")
        for key in ("wrapper", "prefix"):
            if key not in prov or not (prov[key] is None or isinstance(prov[key], str)):
                raise SWMError(9, f"metadata provenance.{key} is missing, or not a string or null")
        for key in ("release", "model_tag", "license", "graph_input_layout", "graph_output"):
            if key in prov and not isinstance(prov[key], str):
                raise SWMError(9, f"metadata provenance.{key} is not a string")
        q = need(meta, "quantization", dict, "")
        precision = need(q, "precision", str, "quantization.")
        if precision not in ("int8", "fp16", "fp32"):
            raise SWMError(9, f"metadata quantization.precision {precision!r}")
        if q.get("weights") not in (None, "per-channel", "per-tensor") or "weights" not in q:
            raise SWMError(9, "metadata quantization.weights is missing or unknown")
        if q.get("symmetric") is not True:
            raise SWMError(9, "metadata quantization.symmetric is not true")
        if q.get("scale_dtype") != "float32" or q.get("bias_dtype") != "float32":
            raise SWMError(9, "metadata quantization.scale_dtype and bias_dtype are not float32")
        if "report" not in meta or not (meta["report"] is None or isinstance(meta["report"], dict)):
            raise SWMError(9, "metadata report is missing, or not an object or null")
        if isinstance(meta["report"], dict):
            r = meta["report"]
            if not (isinstance(r.get("worst_sqnr_tensor"), str) and all(
                    isinstance(r.get(k), number) and not isinstance(r.get(k), bool) for k in ("worst_sqnr_db", "mean_sqnr_db"))):
                raise SWMError(9, "metadata report lacks worst_sqnr_db, worst_sqnr_tensor or mean_sqnr_db")
        if "activations" not in q or not (q["activations"] is None or isinstance(q["activations"], dict)):
            raise SWMError(9, "metadata quantization.activations is missing, or not an object or null")
        record = q["activations"]
        if record is not None:
            size = record.get("input_size")
            if not (all(isinstance(record.get(k), str) for k in ("method", "source", "scale"))
                    and type(record.get("samples")) is int and 1 <= record["samples"] <= 2**31 - 1
                    and isinstance(size, list) and len(size) == 2
                    and all(type(v) is int and 1 <= v <= 2**20 for v in size)):
                raise SWMError(9, "metadata quantization.activations is not {method, samples >= 1, source, "
                                  "input_size: [h, w], scale}")
        self.float_layers = {}
        if q.get("float_layers") is not None:                                # rule 19, its metadata half
            layers_ = q["float_layers"]
            if not isinstance(layers_, list) or (layers_ and precision != "int8"):
                raise SWMError(19, "quantization.float_layers is a list, non-empty only in int8 files")
            for item in layers_:
                if not (isinstance(item, dict) and all(isinstance(item.get(k), str) for k in ("layer", "dtype", "reason"))
                        and item["dtype"] in ("float16", "float32")):
                    raise SWMError(19, "a quantization.float_layers entry is not {layer, dtype, reason}")
                self.float_layers[item["layer"]] = item["dtype"]
        v = meta.get("verification")
        if v is not None:                                                    # rule 18
            try:
                t = v["thresholds"]
                fields = [v["tool"], v["inputs"], v["inputs_crc32"], v["samples"], v["cosine_min"],
                          v["top1_agreement"], t["cosine_min"], t["top1_min"], v["pass"], v["int8"]]
            except (KeyError, TypeError):
                raise SWMError(18, "the verification record lacks a key") from None
            crc = v["inputs_crc32"]
            ok = (isinstance(v["tool"], str) and isinstance(v["inputs"], str) and isinstance(crc, str) and len(crc) == 8
                  and all(c in "0123456789abcdefABCDEF" for c in crc) and isinstance(v["samples"], int)
                  and not isinstance(v["samples"], bool) and v["samples"] >= 1 and isinstance(v["pass"], bool)
                  and (v["int8"] is None or isinstance(v["int8"], str))
                  and isinstance(v.get("kernels", ""), str)
                  and all(isinstance(x, number) and not isinstance(x, bool) for x in fields[4:8]))
            if not ok or not (-1 <= v["cosine_min"] <= 1 and -1 <= t["cosine_min"] <= 1
                              and 0 <= v["top1_agreement"] <= 1 and 0 <= t["top1_min"] <= 1):
                raise SWMError(18, "a verification value has the wrong type or range")
            scaled = "scaled_max_diff" in v or "scaled_diff_max" in t
            if scaled:
                d, lim = v.get("scaled_max_diff"), t.get("scaled_diff_max")
                if not all(isinstance(x, number) and not isinstance(x, bool) and math.isfinite(x) and x >= 0
                           for x in (d, lim)):
                    raise SWMError(18, "scaled_max_diff or its limit is not a finite number >= 0")
                judged = d <= lim
            else:
                judged = v["cosine_min"] >= t["cosine_min"]
            if v["pass"] != (judged and v["top1_agreement"] >= t["top1_min"]):
                raise SWMError(18, "the verification record's pass does not follow from its numbers")
        self.metadata = meta

    # Rules 10-13 ---------------------------------------------------------------------------------
    def _directory(self):
        d = self.data[self.dir_off:self.dir_off + self.dir_len]
        pos, entries, names = 0, [], set()

        def take(fmt, index):
            nonlocal pos
            size = struct.calcsize(fmt)
            if pos + size > len(d):
                raise SWMError(10, f"directory entry {index} is incomplete")
            values = struct.unpack_from(fmt, d, pos)
            pos += size
            return values

        for i in range(self.tensor_count):
            (n,) = take("<H", i)
            if not 1 <= n <= 1024 or pos + n > len(d):
                raise SWMError(10, f"directory entry {i} has a bad name length")
            try:
                name = d[pos:pos + n].decode("utf-8")
            except UnicodeDecodeError:
                raise SWMError(10, f"directory entry {i}'s name is not UTF-8") from None
            pos += n
            if name in names:
                raise SWMError(10, f"directory entry {i} repeats the name {name!r}")
            names.add(name)
            dtype, layout, rank = take("<3B", i)
            if dtype not in DTYPES or layout not in LAYOUTS or rank > 8:
                raise SWMError(10, f"tensor {name!r} has an unknown dtype, layout or rank")
            shape = take(f"<{rank}Q", i) if rank else ()
            offset, length, crc, scale = take("<QQIi", i)
            entries.append(Entry(i, name, dtype, layout, tuple(shape), offset, length, crc, scale))
        if pos != len(d):
            raise SWMError(10, "the directory has bytes after its last entry")
        for e in entries:
            count = e.count
            if count * DTYPES[e.dtype].itemsize != e.length or count >= 1 << 62:
                raise SWMError(11, f"tensor {e.name!r}: {e.shape} {DTYPE_NAMES[e.dtype]} is not {e.length} bytes")
            if e.offset % ALIGN or e.offset + e.length > self.data_len:
                raise SWMError(12, f"tensor {e.name!r} lies outside the data section or is misaligned")
        spans = sorted((e.offset, e.offset + e.length, e.name) for e in entries)
        for (a0, a1, an), (b0, _b1, bn) in zip(spans, spans[1:]):
            if b0 < a1:
                raise SWMError(12, f"tensors {an!r} and {bn!r} overlap")
        for e in entries:
            if e.scale_index == -1:
                continue
            if not 0 <= e.scale_index < len(entries):
                raise SWMError(13, f"tensor {e.name!r} points at scale {e.scale_index}, not in the directory")
            s = entries[e.scale_index]
            first = e.shape[0] if e.shape else 1
            if s.dtype != 1 or len(s.shape) != 1 or s.shape[0] < 1 or (
                    e.layout != 2 and s.shape[0] not in (first, 1)):
                raise SWMError(13, f"tensor {e.name!r}'s scale {s.name!r} is not an f32 vector of its rows or 1")
        self.entries = entries
        self.by_name = {e.name: e for e in entries}

    # Rules 15-17 ---------------------------------------------------------------------------------
    def _data(self, check_crc: bool):
        d = self.data
        end = self.data_off + self.data_len
        if len(d) not in (end, -(-end // ALIGN) * ALIGN) or any(d[end:]):
            raise SWMError(16, "bytes follow the data section")
        gaps = [(HEADER_SIZE + 0, self.meta_off), (self.meta_off + self.meta_len, self.dir_off),
                (self.dir_off + self.dir_len, self.data_off)]
        cursor = 0
        for off, length in sorted((e.offset, e.length) for e in self.entries):
            gaps.append((self.data_off + cursor, self.data_off + off))
            cursor = off + length
        gaps.append((self.data_off + cursor, end))
        for a, b in gaps:
            if any(d[a:b]):
                raise SWMError(17, f"the gap [{a}, {b}) is not zero bytes")
        if check_crc:
            for e in self.entries:
                start = self.data_off + e.offset
                if _crc(d[start:start + e.length]) != e.crc32:
                    raise SWMError(15, f"tensor {e.name!r}: CRC does not match")

    # Rules 14 and 19 (tensors against the architecture) ------------------------------------------
    def _architecture(self):
        arch = self.metadata["architecture"]
        try:
            # Two tensors per convolution and the classifier: more than the directory holds is refused from the
            # numbers, before a layout of up to 2^18 blocks is built.
            stem = 1 if arch["stem_type"] == "single" else 3
            implied = 2 * (stem + sum(arch["layers"]) * (2 if arch["block"] == "basic" else 3) + 1)
        except (KeyError, TypeError):
            raise SWMError(14, "the architecture does not describe a network") from None
        if implied > len(self.entries):
            raise SWMError(14, f"missing tensors: the architecture implies at least {implied}, the file has {len(self.entries)}")
        try:
            self.layers = layers(arch)
        except (KeyError, TypeError, ZeroDivisionError, ValueError):
            raise SWMError(14, "the architecture does not describe a network") from None
        for layer in self.layers:
            w = self.by_name.get(f"{layer.path}.weight")
            b = self.by_name.get(f"{layer.path}.bias")
            if w is None or b is None:
                raise SWMError(14, f"missing tensor {layer.path}.{'weight' if w is None else 'bias'}")
            if w.layout == 2:
                if w.count != packed_count(layer):
                    raise SWMError(14, f"{w.name}: {w.count} packed elements, the architecture needs {packed_count(layer)}")
            else:
                want = (layer.out, layer.inp) if layer.path == "fc" else \
                    (layer.out, layer.inp // layer.groups, layer.kernel, layer.kernel)
                if w.shape != want:
                    raise SWMError(14, f"{w.name}: shape {w.shape}, the architecture needs {want}")
            if b.shape != (layer.out,) or b.dtype != 1:
                raise SWMError(14, f"{b.name}: not f32 [{layer.out}]")
            scale = self.by_name.get(f"{layer.path}.weight_scale")
            if w.dtype == 3:
                if scale is None or w.scale_index != scale.index or scale.shape not in ((layer.out,), (1,)):
                    raise SWMError(14, f"{w.name}: int8 without a weight_scale of [{layer.out}] or [1]")
            x = self.by_name.get(f"{layer.path}.input_scale")
            if x is not None:
                value = self._array(x)
                if x.dtype != 1 or x.shape != (1,) or not (np.isfinite(value[0]) and value[0] > 0):
                    raise SWMError(14, f"{x.name}: not a positive finite f32 [1]")
            listed = self.float_layers.get(layer.path)
            if listed and DTYPE_NAMES[w.dtype] != {"float16": "f16", "float32": "f32"}[listed]:
                raise SWMError(19, f"{w.name} is {DTYPE_NAMES[w.dtype]}, quantization.float_layers says {listed}")

    # Tensors -------------------------------------------------------------------------------------
    def _array(self, e: Entry) -> np.ndarray:
        start = self.data_off + e.offset
        return np.frombuffer(self.data, dtype=DTYPES[e.dtype], count=e.count, offset=start)

    def tensor(self, name: str, dequantize: bool = False) -> np.ndarray:
        """A tensor by name, as stored, with packed weights unpacked to [out, in/groups, k, k] (fc:
        [classes, features]); `dequantize` multiplies int8 by its scale and returns float32."""
        e = self.by_name[name]
        values = self._array(e)
        layer = next((l for l in self.layers if f"{l.path}.weight" == name), None)
        if e.layout == 2:
            values = unpack(values, layer)
        else:
            values = values.reshape(e.shape)
        if dequantize:
            values = values.astype(np.float32)
            if e.scale_index != -1:
                scale = self._array(self.entries[e.scale_index]).astype(np.float32)
                values = values * scale.reshape((-1,) + (1,) * (values.ndim - 1))
        return values

    def weights(self) -> dict[str, dict[str, np.ndarray]]:
        """Every layer's folded weight (float32, dequantized) and bias."""
        return {l.path: {"weight": self.tensor(f"{l.path}.weight", dequantize=True),
                         "bias": self.tensor(f"{l.path}.bias")} for l in self.layers}


def open_swm(path: str, check_crc: bool = False) -> SWMFile:
    with open(path, "rb") as f:
        return SWMFile(f.read(), check_crc=check_crc)


def main(argv: list[str]) -> int:
    paths = [a for a in argv if not a.startswith("--")]
    if len(paths) != 1:
        print("usage: swm.py FILE.swm [--check]", file=sys.stderr)
        return 2
    try:
        f = open_swm(paths[0], check_crc="--check" in argv)
    except (SWMError, OSError) as e:
        print(f"swm.py: {paths[0]}: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"metadata": f.metadata, "tensors": [
        {"name": e.name, "dtype": DTYPE_NAMES[e.dtype], "layout": LAYOUTS[e.layout], "shape": list(e.shape)}
        for e in f.entries]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
