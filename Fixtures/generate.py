#!/usr/bin/env python3
"""Regenerate every test fixture of swsl-convert.

Run from anywhere with the project's fixture venv:

    /work/venv/bin/python Fixtures/generate.py

Everything is written below the directory holding this script (``Fixtures/``);
the Swift tests read the files and the JSON/NPY goldens and never run Python.

Models (``models/``), all built from ``timm.models.resnet.ResNet`` so that the
tensor names are the torchvision/timm names (conv1, bn1, layer1.0.conv1,
layer2.0.downsample.0, fc, ...), with 10 classes and tiny widths:

* ``resnet18_tiny``  BasicBlock, layers (2, 2, 2, 2), channels (4, 5, 6, 8),
  7x7 stem of 4 channels (so, as in the real resnet18, layer1 has no
  downsample).
* ``resnet50_tiny``  Bottleneck (expansion 4), the real topology
  (3, 4, 6, 3), channels (4, 6, 8, 12), 7x7 stem of 4 channels.
* ``resnext_tiny``   Bottleneck, cardinality 4 (grouped 3x3 convs),
  base_width 32 (bottleneck width = 2 x planes, the same ratio as
  resnext50_32x4d), layers (2, 2, 2, 2), channels (4, 6, 8, 12).
* ``resnet50d_tiny`` Bottleneck, layers (2, 2, 2, 2), channels (4, 6, 8, 12),
  timm "deep" stem (conv1.0/1/3/4/6: three 3x3 convs of 2, 2, 4 channels)
  and avg_down=True (downsample.0 = AvgPool2d or Identity,
  downsample.1 = 1x1 conv, downsample.2 = BN).

timm always builds the plain 7x7 stem with 64 channels, which would dwarf
such tiny models; for the plain-stem models the stem and the four stages are
rebuilt with timm's own ``make_blocks`` for the narrow stem (see
``build_model``). Every BatchNorm gets random weight/bias, its running
statistics come from a few train-mode forward passes, fc.bias is random, and
the model is then put in eval mode.

PyTorch checkpoints (``models/*.pth``):

* ``resnet18_tiny.zip.pth``, ``resnet50_tiny.zip.pth``, ``resnext_tiny.zip.pth``,
  ``resnet50d_tiny.zip.pth``: ``torch.save(state_dict)``, zip format.
* ``resnet18_tiny.legacy.pth``, ``resnet50_tiny.legacy.pth``: the legacy
  pickle stream (``_use_new_zipfile_serialization=False``), as the 2019 SWSL
  releases.
* ``resnet18_tiny.tar.pth``: the torch <= 0.3 tar container (members
  sys_info, pickle, tensors, storages), written by hand by
  ``save_legacy_tar`` after torch's own reader (``_legacy_load`` in
  torch/serialization.py) and proved by loading it back with torch.load.
* ``resnet18_tiny.ckpt_module_prefix.pth``: an ImageNet-example style training
  checkpoint {"state_dict" (DataParallel "module." names), "epoch",
  "optimizer" (a real SGD state after one step), "best_acc1"
  (numpy.float64), "arch", "args" (argparse.Namespace)}.
* ``resnet18_tiny.ckpt_model_ema.pth``: {"model", "model_ema", "epoch"}; the
  EMA copy holds slightly different values.
* ``resnet18_tiny.whole_module.pth`` / ``.whole_module.legacy.pth``:
  ``torch.save(model)``, the whole pickled nn.Module (zip / legacy).
* ``resnet18_tiny.torchscript.pt``: ``torch.jit.save(torch.jit.trace(model))``,
  a TorchScript archive (modules pickled as ``__torch__`` classes, plus code/).
* ``resnet18_tiny.legacy_p4.pth``: the legacy stream written with
  ``pickle_protocol=4`` (a FRAME opcode before the magic number).
* ``oddities.zip.pth`` / ``oddities.legacy.pth``: a flat dict exercising every
  dtype (float32, float16, bfloat16, float64, int64, int32, uint8, int8,
  bool), non-contiguous views (a transpose, a stepped slice), two views
  of one storage at different offsets, a 0-dim tensor, an empty (0, 3) tensor
  and an nn.Parameter.
* Zip container variants, made by rewriting ``resnet18_tiny.zip.pth`` with
  Python's zipfile (same records, same order; not 64-byte aligned any more):
  ``resnet18_tiny.deflated.pth`` (every member ZIP_DEFLATED),
  ``resnet18_tiny.zip64.pth`` (every member written with force_zip64=True:
  zip64 extra fields and 0xFFFFFFFF sizes in the local headers; Python keeps
  the central directory classic since nothing is large),
  ``resnet18_tiny.prefix.pth`` (archive folder renamed to ``my_weights/``),
  ``resnet18_tiny.bigendian.pth`` (``byteorder`` record says "big" and every
  storage is byte-swapped per element).

``models/resnet18_tiny.safetensors``: safetensors.torch.save_file with
metadata {"format": "pt"}.

ONNX (``models/onnx/``), all from the resnet18_tiny weights, input "input",
output "logits":

* ``resnet18_tiny.onnx``: TorchScript exporter (dynamo=False), opset 13,
  do_constant_folding=True, dynamic batch "batch": BN folded into Conv,
  initializers named like ``onnx::Conv_123``.
* ``resnet18_tiny.bn.onnx``: the same exporter with do_constant_folding=False,
  which keeps the BatchNormalization nodes (eval semantics) and the PyTorch
  names; static batch 2.
* ``resnet18_tiny.dynamo.onnx``: torch.export based exporter (dynamo=True,
  its default opset), dynamic batch. Its onnxscript optimiser also folds BN
  into the convs but keeps the conv names: ``conv1.weight`` there holds the
  folded weight, not PyTorch's, and ``conv1.weight_bias`` is the new bias.
* ``resnet18_tiny.opset17.onnx``: TorchScript exporter, opset 17, static
  batch 2.
* ``external/resnet18_tiny.onnx`` + ``external/resnet18_tiny.onnx.data``: the
  first file re-saved with every initializer in one external data file.
* ``resnet18_tiny.typed.onnx``: the first file with the initializers moved
  from raw_data to the typed repeated fields (float_data / int64_data).

Goldens (``golden/``):

* ``<path of the file relative to Fixtures, "/" -> "__">.json`` for every
  checkpoint: what the reference library reads from it (schema in
  README.md and in ``describe_*`` below).
* ``input_2x3x64x64.npy``: the fixed float32 input.
* ``<model>_logits.npy``: PyTorch eval-mode logits for that input.
* ``<same flattened path>_ort_logits.npy``: onnxruntime logits for each ONNX
  file (e.g. ``models__onnx__resnet18_tiny.bn.onnx_ort_logits.npy``).
"""

from __future__ import annotations

import argparse
import collections
import copy
import importlib.util
import io
import json
import pickle
import struct
import sys
import tarfile
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parent
MODELS = ROOT / "models"
ONNX_DIR = MODELS / "onnx"
GOLDEN = ROOT / "golden"

INPUT_SHAPE = (2, 3, 64, 64)
INPUT_NAME = "golden/input_2x3x64x64.npy"
NUM_CLASSES = 10
RUNNING_STAT_SUFFIXES = ("running_mean", "running_var", "num_batches_tracked")


# --------------------------------------------------------------------------
# torchvision / timm import
# --------------------------------------------------------------------------

# The torchvision wheel on PyPI is a CUDA build; its _C.so links
# libtorch_cuda.so and cannot load next to the CPU-only torch wheel. Its
# Python side then fails at import time, because _meta_registrations.py
# registers fake kernels for torchvision::nms and friends, which only exist
# once _C.so is loaded. timm imports torchvision, so we need it importable.
# When _C.so cannot load we declare those operator schemas (copied from
# torchvision 0.28's csrc/ops) without any kernel: the fake-kernel
# registrations then succeed, torchvision.extension._has_ops() stays False and
# calling one of those detection ops would raise. Nothing here uses them.
_TORCHVISION_OP_SCHEMAS = (
    "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "roi_align(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width, int sampling_ratio, bool aligned) -> Tensor",
    "_roi_align_backward(Tensor grad, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width, SymInt batch_size, SymInt channels, SymInt height, SymInt width, "
    "int sampling_ratio, bool aligned) -> Tensor",
    "qroi_align(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width, int sampling_ratio, bool aligned) -> Tensor",
    "ps_roi_align(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width, int sampling_ratio) -> (Tensor, Tensor)",
    "_ps_roi_align_backward(Tensor grad, Tensor rois, Tensor channel_mapping, float spatial_scale, "
    "SymInt pooled_height, SymInt pooled_width, int sampling_ratio, SymInt batch_size, "
    "SymInt channels, SymInt height, SymInt width) -> Tensor",
    "roi_pool(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width) -> (Tensor, Tensor)",
    "_roi_pool_backward(Tensor grad, Tensor rois, Tensor argmax, float spatial_scale, "
    "SymInt pooled_height, SymInt pooled_width, SymInt batch_size, SymInt channels, "
    "SymInt height, SymInt width) -> Tensor",
    "ps_roi_pool(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, "
    "SymInt pooled_width) -> (Tensor, Tensor)",
    "_ps_roi_pool_backward(Tensor grad, Tensor rois, Tensor channel_mapping, float spatial_scale, "
    "SymInt pooled_height, SymInt pooled_width, SymInt batch_size, SymInt channels, "
    "SymInt height, SymInt width) -> Tensor",
    "deform_conv2d(Tensor input, Tensor weight, Tensor offset, Tensor mask, Tensor bias, "
    "SymInt stride_h, SymInt stride_w, SymInt pad_h, SymInt pad_w, SymInt dilation_h, "
    "SymInt dilation_w, SymInt groups, SymInt offset_groups, bool use_mask) -> Tensor",
    "_deform_conv2d_backward(Tensor grad, Tensor input, Tensor weight, Tensor offset, "
    "Tensor mask, Tensor bias, SymInt stride_h, SymInt stride_w, SymInt pad_h, SymInt pad_w, "
    "SymInt dilation_h, SymInt dilation_w, SymInt groups, SymInt offset_groups, "
    "bool use_mask) -> (Tensor, Tensor, Tensor, Tensor, Tensor)",
)
_torchvision_stub_lib = None  # keeps the stub Library alive


def _torchvision_registered(schema: str) -> bool:
    """Whether the dispatcher already has this torchvision operator (its C extension registered it)."""
    return bool(torch._C._jit_get_schemas_for_operator("torchvision::" + schema.split("(", 1)[0]))


def import_torchvision():
    """Import torchvision; declare (without kernels) only the operator schemas nothing registered.

    Whatever C extension this torchvision ships (`_C.so`, or `_C_stable.so` since 0.29), it is loaded
    first; what counts is then what the dispatcher actually holds, never a file name: declaring an
    operator torchvision registers itself aborts the process ("registered multiple times")."""
    global _torchvision_stub_lib
    spec = importlib.util.find_spec("torchvision")
    if spec is None or spec.origin is None:
        raise SystemExit("torchvision is not installed in this venv")
    errors = []
    for ext in sorted(Path(spec.origin).parent.glob("_C*.so")):
        try:
            torch.ops.load_library(str(ext))
        except OSError as err:
            errors.append(f"{ext.name}: {err}")
    missing = [schema for schema in _TORCHVISION_OP_SCHEMAS if not _torchvision_registered(schema)]
    if missing:
        print(f"note: torchvision's C extension did not register {len(missing)} operators "
              f"({'; '.join(errors) or 'no load error'}); declaring their schemas without kernels", file=sys.stderr)
        _torchvision_stub_lib = torch.library.Library("torchvision", "DEF")
        for schema in missing:
            _torchvision_stub_lib.define(schema)
    import torchvision
    return torchvision


torchvision = import_torchvision()
import timm  # noqa: E402  (needs torchvision importable first)
from timm.models.resnet import BasicBlock, Bottleneck, ResNet, make_blocks  # noqa: E402

import onnx  # noqa: E402
import onnxruntime  # noqa: E402
import safetensors  # noqa: E402
from onnx import numpy_helper  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import save_file as save_safetensors  # noqa: E402


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

ARCHS = {
    "resnet18_tiny": dict(seed=18, block=BasicBlock, layers=(2, 2, 2, 2),
                          channels=(4, 5, 6, 8), stem_width=4),
    "resnet50_tiny": dict(seed=50, block=Bottleneck, layers=(3, 4, 6, 3),
                          channels=(4, 6, 8, 12), stem_width=4),
    "resnext_tiny": dict(seed=101, block=Bottleneck, layers=(2, 2, 2, 2),
                         channels=(4, 6, 8, 12), stem_width=4,
                         cardinality=4, base_width=32),
    "resnet50d_tiny": dict(seed=5050, block=Bottleneck, layers=(2, 2, 2, 2),
                           channels=(4, 6, 8, 12), stem_width=2,
                           stem_type="deep", avg_down=True),
}


def build_model(name: str) -> nn.Module:
    """Build, randomise and calibrate one tiny ResNet; returned in eval mode."""
    cfg = dict(ARCHS[name])
    seed = cfg.pop("seed")
    torch.manual_seed(seed)
    block, layers, channels = cfg["block"], cfg["layers"], cfg["channels"]
    stem_width = cfg["stem_width"]
    model = ResNet(num_classes=NUM_CLASSES, **cfg)
    if cfg.get("stem_type", "") == "":
        # timm hard-codes a 64-channel 7x7 stem; narrow it and rebuild the
        # stages for it with timm's make_blocks (same arguments ResNet uses).
        model.conv1 = nn.Conv2d(3, stem_width, kernel_size=7, stride=2, padding=3, bias=False)
        model.bn1 = nn.BatchNorm2d(stem_width)
        stages, stage_info = make_blocks(
            (block,) * len(channels), channels, layers, stem_width,
            cardinality=cfg.get("cardinality", 1), base_width=cfg.get("base_width", 64),
            act_layer=nn.ReLU, norm_layer=nn.BatchNorm2d, aa_layer=None)
        for stage_name, stage in stages:
            setattr(model, stage_name, stage)  # replaces in place, order kept
        model.feature_info = [dict(num_chs=stem_width, reduction=2, module="act1")] + stage_info
        model.init_weights()
    randomise_and_calibrate(model)
    return model


def randomise_and_calibrate(model: nn.Module) -> None:
    """Random BN affine parameters, realistic running stats, random fc.bias, eval()."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_().mul_(0.1)
        model.fc.bias.normal_().mul_(0.1)
        model.train()
        for _ in range(3):
            model(torch.randn(4, 3, *INPUT_SHAPE[2:]))
    model.eval()


# --------------------------------------------------------------------------
# Helpers: tensors, JSON
# --------------------------------------------------------------------------

DTYPE_NAMES = {
    torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.float64: "float64", torch.int64: "int64", torch.int32: "int32",
    torch.uint8: "uint8", torch.int8: "int8", torch.bool: "bool",
}
ONNX_DTYPE_NAMES = {
    onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.FLOAT16: "float16",
    onnx.TensorProto.BFLOAT16: "bfloat16", onnx.TensorProto.DOUBLE: "float64",
    onnx.TensorProto.INT64: "int64", onnx.TensorProto.INT32: "int32",
    onnx.TensorProto.UINT8: "uint8", onnx.TensorProto.INT8: "int8",
    onnx.TensorProto.BOOL: "bool",
}


def tensor_bytes(t: torch.Tensor) -> bytes:
    """Little-endian bytes of t made contiguous (bool: one byte per element)."""
    t = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    arr = t.numpy()
    return arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()


def tensor_entry(name: str, t: torch.Tensor) -> dict:
    return {"name": name, "dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
            "crc32": zlib.crc32(tensor_bytes(t)) & 0xFFFFFFFF}


def array_entry(name: str, arr: np.ndarray, dtype_name: str) -> dict:
    arr = np.ascontiguousarray(arr)
    data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    return {"name": name, "dtype": dtype_name, "shape": list(arr.shape),
            "crc32": zlib.crc32(data) & 0xFFFFFFFF}


def weights_summary(entries: list[dict]) -> dict:
    counted = [e for e in entries if not e["name"].endswith(RUNNING_STAT_SUFFIXES)]
    floating = sorted({e["dtype"] for e in entries
                       if e["dtype"] in ("float32", "float16", "bfloat16", "float64")})
    return {
        "tensor_count": len(entries),
        "parameter_count": int(sum(int(np.prod(e["shape"], dtype=np.int64)) for e in counted)),
        # null when the mapping mixes floating dtypes (oddities)
        "dtype": floating[0] if len(floating) == 1 else None,
    }


def golden_path(rel: str, suffix: str = ".json") -> Path:
    return GOLDEN / (rel.replace("/", "__") + suffix)


def dump_json(obj: dict) -> str:
    """Indented JSON; short dicts, lists of scalars and each tensor entry on one line."""

    def render(value, indent: str) -> str:
        inner = indent + "  "
        flat = json.dumps(value, separators=(", ", ": "))
        if isinstance(value, dict) and value and len(indent) + len(flat) > 130:
            items = [f"{inner}{json.dumps(k)}: {render(v, inner)}" for k, v in value.items()]
            return "{\n" + ",\n".join(items) + "\n" + indent + "}"
        if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
            items = [inner + json.dumps(v, separators=(", ", ": ")) for v in value]
            return "[\n" + ",\n".join(items) + "\n" + indent + "]"
        return flat

    return render(obj, "") + "\n"


def write_golden(rel: str, golden: dict) -> None:
    path = golden_path(rel)
    path.write_text(dump_json(golden))


def assert_same_tensors(expected: dict, actual: dict, what: str) -> None:
    if list(expected.keys()) != list(actual.keys()):
        raise AssertionError(f"{what}: names differ")
    for k, v in expected.items():
        w = actual[k]
        if v.dtype != w.dtype or v.shape != w.shape or not torch.equal(v, w):
            raise AssertionError(f"{what}: tensor {k} differs")


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --------------------------------------------------------------------------
# Hand-written torch <= 0.3 tar container
# --------------------------------------------------------------------------

def save_legacy_tar(state_dict: dict, path: Path, pickle_module=pickle) -> None:
    """Write ``state_dict`` in the tar container of torch <= 0.3.

    Layout, as read by ``legacy_load`` inside torch.serialization._legacy_load:

    * ``sys_info``: pickle of {"protocol_version": 1001, "little_endian",
      "type_sizes": {"short", "int", "long"}} (written, not read back).
    * ``pickle``: the object itself; each tensor is replaced by the persistent
      id ``str(tensor_key)`` (the loader does ``int(saved_id)``).
    * ``tensors``: pickle(count), then per tensor pickle((key, storage_key,
      tensor type)) followed by int32 ndim, 4 pad bytes, ndim int64 sizes,
      ndim int64 strides, int64 storage offset (all little-endian).
    * ``storages``: pickle(count), then per storage pickle((key, location,
      storage type)) followed by int64 element count and the raw
      little-endian elements; finally pickle(list of storage views), empty.

    Tensor and storage keys are small distinct integers (torch 0.3 used
    object addresses). Members are pickled with protocol 2; every tar header
    has mtime 0, mode 0o600, uid/gid 0 and no owner names so the file is
    reproducible. ``pickle_module`` (``Pickler`` and ``dump``) writes every
    pickle; generate_real_world.py passes one that writes Python 2's strings.
    """
    storage_class = {dtype: getattr(torch, name)
                     for dtype, name in torch.storage._dtype_to_storage_type_map().items()}
    tensor_class = {torch.float32: torch.FloatTensor, torch.float64: torch.DoubleTensor,
                    torch.float16: torch.HalfTensor, torch.int64: torch.LongTensor,
                    torch.int32: torch.IntTensor, torch.uint8: torch.ByteTensor,
                    torch.int8: torch.CharTensor}

    storages: dict[int, tuple[int, torch.Tensor]] = {}  # data_ptr -> (key, any tensor on it)
    tensors: list[tuple[int, int, torch.Tensor]] = []  # (key, storage key, tensor)
    tensor_keys: dict[int, int] = {}  # id(tensor) -> key
    next_key = 1
    for t in state_dict.values():
        ptr = t.untyped_storage().data_ptr()
        if ptr not in storages:
            storages[ptr] = (next_key, t)
            next_key += 1
    for t in state_dict.values():
        tensors.append((next_key, storages[t.untyped_storage().data_ptr()][0], t))
        tensor_keys[id(t)] = next_key
        next_key += 1

    sys_info = {
        "protocol_version": torch.serialization.PROTOCOL_VERSION,
        "little_endian": sys.byteorder == "little",
        "type_sizes": {"short": torch.serialization.SHORT_SIZE,
                       "int": torch.serialization.INT_SIZE,
                       "long": torch.serialization.LONG_SIZE},
    }

    class TensorPickler(pickle_module.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, torch.Tensor):
                return str(tensor_keys[id(obj)])
            return None

    buf = io.BytesIO()
    TensorPickler(buf, protocol=2).dump(collections.OrderedDict(state_dict.items()))
    pickle_member = buf.getvalue()

    buf = io.BytesIO()
    pickle_module.dump(len(tensors), buf, protocol=2)
    for key, storage_key, t in tensors:
        pickle_module.dump((key, storage_key, tensor_class[t.dtype]), buf, protocol=2)
        buf.write(struct.pack("<i", t.dim()) + b"\0\0\0\0")
        buf.write(struct.pack(f"<{t.dim()}q", *t.shape))
        buf.write(struct.pack(f"<{t.dim()}q", *t.stride()))
        buf.write(struct.pack("<q", t.storage_offset()))
    tensors_member = buf.getvalue()

    buf = io.BytesIO()
    pickle_module.dump(len(storages), buf, protocol=2)
    for key, t in storages.values():
        untyped = t.untyped_storage()
        elem = t.element_size()
        pickle_module.dump((key, "cpu", storage_class[t.dtype]), buf, protocol=2)
        raw = torch.empty(0, dtype=t.dtype).set_(untyped, 0, (untyped.nbytes() // elem,), (1,))
        buf.write(struct.pack("<q", untyped.nbytes() // elem))
        buf.write(tensor_bytes(raw))
    pickle_module.dump([], buf, protocol=2)
    storages_member = buf.getvalue()

    buf = io.BytesIO()
    pickle_module.dump(sys_info, buf, protocol=2)
    sys_info_bytes = buf.getvalue()

    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in (("sys_info", sys_info_bytes),
                           ("pickle", pickle_member),
                           ("tensors", tensors_member),
                           ("storages", storages_member)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o600
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))


# --------------------------------------------------------------------------
# Zip container rewrites
# --------------------------------------------------------------------------

class _StorageScanner(pickle.Unpickler):
    """Reads a zip checkpoint's data.pkl only to learn each storage's dtype."""

    def __init__(self, f):
        super().__init__(f)
        self.dtypes: dict[str, torch.dtype] = {}
        self._storage_dtypes = {name: dtype for dtype, name
                                in torch.storage._dtype_to_storage_type_map().items()}

    def find_class(self, module, name):
        if module == "torch" and name in self._storage_dtypes:
            return name
        if module == "torch._utils":
            return lambda *args, **kwargs: None
        return super().find_class(module, name)

    def persistent_load(self, pid):
        kind, storage_type, key, _location, _numel = pid
        assert kind == "storage"
        self.dtypes[str(key)] = self._storage_dtypes[storage_type]
        return None


def zip_storage_dtypes(path: Path) -> tuple[str, dict[str, torch.dtype]]:
    with zipfile.ZipFile(path) as zf:
        pkl = next(n for n in zf.namelist() if n.endswith("/data.pkl"))
        scanner = _StorageScanner(io.BytesIO(zf.read(pkl)))
        scanner.load()
        return pkl[: -len("data.pkl")], scanner.dtypes


def rewrite_zip(src: Path, dst: Path, *, compression=zipfile.ZIP_STORED,
                force_zip64=False, new_prefix=None, big_endian=False) -> None:
    """Copy a torch zip checkpoint record by record with Python's zipfile."""
    prefix, dtypes = zip_storage_dtypes(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            name = info.filename
            inner = name[len(prefix):]
            if big_endian:
                if inner == "byteorder":
                    data = b"big"
                elif inner.startswith("data/"):
                    size = torch.empty(0, dtype=dtypes[inner[len("data/"):]]).element_size()
                    if size > 1:
                        data = np.frombuffer(data, dtype=f"<u{size}").byteswap().tobytes()
            if new_prefix is not None:
                name = new_prefix + inner
            out = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            out.compress_type = compression
            out.external_attr = 0o644 << 16
            with zout.open(out, "w", force_zip64=force_zip64) as w:
                w.write(data)


# --------------------------------------------------------------------------
# Golden descriptions
# --------------------------------------------------------------------------

def find_weights(obj) -> tuple[str | None, dict]:
    """Locate the weights mapping the way a converter would."""
    if isinstance(obj, torch.jit.ScriptModule):
        return "TorchScript module", obj.state_dict()
    if isinstance(obj, nn.Module):
        return "nn.Module", obj.state_dict()
    if isinstance(obj, dict):
        if all(isinstance(v, torch.Tensor) for v in obj.values()):
            return None, obj
        for key in ("state_dict", "model"):
            if isinstance(obj.get(key), dict):
                return key, obj[key]
    raise ValueError(f"no weights found in {type(obj)}")


def common_prefix(names) -> str | None:
    names = list(names)
    return "module." if names and all(n.startswith("module.") for n in names) else None


def describe_legacy_stream(path: Path) -> dict:
    """magic, protocol_version, sys_info and storage count of a legacy file."""
    class Skip(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "torch._utils":  # tensor rebuild functions: no storages here
                return lambda *args, **kwargs: None
            return super().find_class(module, name)

        def persistent_load(self, pid):
            # ("module", class, source file, source) for pickled nn.Module
            # classes; ("storage", ...) for storages, not needed here
            return pid[1] if pid[0] == "module" else None

    with open(path, "rb") as f:
        magic = pickle.load(f)
        protocol = pickle.load(f)
        sys_info = pickle.load(f)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Skip(f).load()
        keys = pickle.load(f)
    return {"magic_number": hex(magic), "protocol_version": protocol,
            "sys_info": sys_info, "storage_count": len(keys)}


def zip_layout(path: Path, zf: zipfile.ZipFile) -> dict:
    """Container details a hand-written zip reader has to cope with."""
    data = path.read_bytes()
    zip64_local = False
    for info in zf.infolist():
        off = info.header_offset
        name_len, extra_len = struct.unpack("<HH", data[off + 26: off + 30])
        extra = data[off + 30 + name_len: off + 30 + name_len + extra_len]
        pos = 0
        while pos + 4 <= len(extra):
            header_id, size = struct.unpack("<HH", extra[pos: pos + 4])
            zip64_local |= header_id == 0x0001
            pos += 4 + size
    eocd = data.rfind(b"PK\x05\x06")
    return {
        "zip64_local_headers": zip64_local,
        "zip64_end_of_central_directory": eocd >= 20 and data[eocd - 20: eocd - 16] == b"PK\x06\x07",
        "data_descriptors": any(i.flag_bits & 0x08 for i in zf.infolist()),
    }


def describe_pth(path: Path, extra: dict | None = None) -> dict:
    obj = torch.load(path, map_location="cpu", weights_only=False)
    wrapper, weights = find_weights(obj)
    entries = [tensor_entry(k, v) for k, v in weights.items()]
    golden = {"file": rel(path)}
    if zipfile.is_zipfile(path):
        golden["format"] = "pytorch-zip"
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            prefix = names[0].split("/", 1)[0] + "/"
            record = lambda n: zf.read(prefix + n).decode()  # noqa: E731
            facts = {
                "archive_prefix": prefix[:-1],
                "zip_version": record("version").strip(),
                "byteorder": record("byteorder") if prefix + "byteorder" in names else None,
                "format_version": record(".format_version") if prefix + ".format_version" in names else None,
                "storage_alignment": (int(record(".storage_alignment"))
                                      if prefix + ".storage_alignment" in names else None),
                "storage_count": sum(1 for n in names if n.startswith(prefix + "data/")),
                "records": [n[len(prefix):] for n in names],
                "compression": sorted({("deflated" if i.compress_type == zipfile.ZIP_DEFLATED else "stored")
                                       for i in zf.infolist()}),
            }
            facts.update(zip_layout(path, zf))
    elif tarfile.is_tarfile(path):
        golden["format"] = "pytorch-tar"
        with tarfile.open(path) as tar:
            facts = {"members": tar.getnames(),
                     "sys_info": pickle.loads(tar.extractfile("sys_info").read())}
        facts["protocol_version"] = facts["sys_info"]["protocol_version"]
    else:
        golden["format"] = "pytorch-legacy"
        facts = describe_legacy_stream(path)
    golden["wrapper"] = wrapper
    golden["prefix"] = common_prefix(weights.keys())
    if isinstance(obj, dict) and wrapper is not None:
        golden["wrapper_keys"] = list(obj.keys())
    if wrapper == "nn.Module":
        golden["module_class"] = f"{type(obj).__module__}.{type(obj).__qualname__}"
    if wrapper == "TorchScript module":
        golden["module_class"] = obj._c._type().qualified_name()
    golden["tensors"] = entries
    golden.update(weights_summary(entries))
    golden.update({k: v for k, v in facts.items() if v is not None})  # absent records are absent facts
    golden["torch_weights_only_loadable"] = weights_only_loadable(path)
    golden.update(extra or {})
    return golden


def weights_only_loadable(path: Path) -> bool:
    """Whether torch.load's default safe unpickler (weights_only=True) accepts the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.load(path, map_location="cpu", weights_only=True)
        return True
    except Exception:
        return False


def describe_safetensors(path: Path, extra: dict | None = None) -> dict:
    with open(path, "rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len))  # Python dicts keep file order
    order = [k for k in header if k != "__metadata__"]
    entries = []
    with safe_open(str(path), framework="pt") as sf:
        metadata = sf.metadata()
        for name in order:
            entries.append(tensor_entry(name, sf.get_tensor(name)))
    golden = {"file": rel(path), "format": "safetensors", "wrapper": None,
              "prefix": common_prefix(order), "tensors": entries}
    golden.update(weights_summary(entries))
    golden.update({"metadata": metadata, "header_size": header_len})
    golden.update(extra or {})
    return golden


def value_info(v) -> dict:
    dims = [d.dim_param if d.HasField("dim_param") else d.dim_value
            for d in v.type.tensor_type.shape.dim]
    return {"name": v.name, "dtype": ONNX_DTYPE_NAMES[v.type.tensor_type.elem_type], "dims": dims}


def describe_onnx(path: Path, extra: dict | None = None) -> dict:
    model = onnx.load(str(path))  # loads external data too
    raw = onnx.load(str(path), load_external_data=False)
    entries = [array_entry(init.name, numpy_helper.to_array(init), ONNX_DTYPE_NAMES[init.data_type])
               for init in model.graph.initializer]
    storage = set()
    for init in raw.graph.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL:
            storage.add("external")
        elif init.HasField("raw_data"):
            storage.add("raw_data")
        else:
            storage.add("typed")
    golden = {"file": rel(path), "format": "onnx", "wrapper": None, "prefix": None,
              "tensors": entries}
    golden.update(weights_summary(entries))
    opsets = {imp.domain: imp.version for imp in model.opset_import}
    golden.update({
        "opset": opsets.get("", opsets.get("ai.onnx")),
        "opset_imports": opsets,
        "producer_name": model.producer_name,
        "producer_version": model.producer_version,
        "ir_version": model.ir_version,
        "inputs": [value_info(v) for v in model.graph.input],
        "outputs": [value_info(v) for v in model.graph.output],
        "nodes": dict(sorted(collections.Counter(n.op_type for n in model.graph.node).items())),
        "node_count": len(model.graph.node),
        "initializer_storage": sorted(storage),
    })
    golden.update(extra or {})
    return golden


# --------------------------------------------------------------------------
# Fixture writers
# --------------------------------------------------------------------------

def save_zip(obj, path: Path) -> None:
    torch.save(obj, path)


def save_legacy(obj, path: Path) -> None:
    torch.save(obj, path, _use_new_zipfile_serialization=False)


def logits_extra(arch: str) -> dict:
    return {"architecture": arch, "input": INPUT_NAME, "logits": f"golden/{arch}_logits.npy"}


def pth_fixture(path: Path, expected: dict, arch: str | None,
                wrapper: str | None, extra: dict | None = None) -> None:
    """Prove a written .pth against ``expected`` and write its golden."""
    golden = describe_pth(path, (logits_extra(arch) if arch else {}) | (extra or {}))
    loaded = torch.load(path, map_location="cpu", weights_only=False)
    if golden["wrapper"] != wrapper:
        raise AssertionError(f"{path}: wrapper {golden['wrapper']} != {wrapper}")
    assert_same_tensors(expected, find_weights(loaded)[1], rel(path))
    write_golden(rel(path), golden)
    print(f"  {rel(path):50s} {path.stat().st_size:8d} B  {golden['format']}")


def oddities() -> dict:
    """Every dtype, views, shared storage, 0-dim, empty, nn.Parameter."""
    torch.manual_seed(7)
    base = torch.arange(12, dtype=torch.float32) * 0.5
    return collections.OrderedDict([
        ("float32", torch.randn(2, 3)),
        ("float16", torch.randn(3, 2).half()),
        ("bfloat16", torch.randn(5).bfloat16()),
        ("float64", torch.randn(2, 2, dtype=torch.float64)),
        ("int64", torch.tensor([-(2 ** 40), -1, 0, 7, 2 ** 62], dtype=torch.int64)),
        ("int32", torch.tensor([[-(2 ** 31), 0], [1, 2 ** 31 - 1]], dtype=torch.int32)),
        ("uint8", torch.tensor([0, 1, 128, 255], dtype=torch.uint8)),
        ("int8", torch.tensor([-128, -1, 0, 127], dtype=torch.int8)),
        ("bool", torch.tensor([True, False, False, True, True])),
        ("transposed", torch.randn(3, 4).t()),                 # stride (1, 4)
        ("strided_slice", torch.randn(4, 6)[1:, ::2]),         # offset 6, stride (6, 2)
        ("shared_a", base[2:6]),                               # offset 2 in base
        ("shared_b", base.view(3, 4)[1:]),                     # offset 4 in base
        ("scalar", torch.tensor(3.25)),
        ("empty", torch.empty(0, 3)),
        ("parameter", nn.Parameter(torch.randn(2, 2))),
    ])


def views_facts(d: dict) -> dict:
    """Stride / offset / storage sharing of the oddities as saved."""
    ptrs = {}
    out = {}
    for name, t in d.items():
        ptr = t.untyped_storage().data_ptr()
        out[name] = {"stride": list(t.stride()), "storage_offset": t.storage_offset(),
                     "storage_elements": t.untyped_storage().nbytes() // t.element_size(),
                     "contiguous": t.is_contiguous(),
                     "shares_storage_with": ptrs.get(ptr)}
        ptrs.setdefault(ptr, name)
    return out


def export_torchscript_onnx(model, x, path: Path, *, opset: int, fold: bool, dynamic: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (x,), str(path), dynamo=False, opset_version=opset,
            do_constant_folding=fold, training=torch.onnx.TrainingMode.EVAL,
            input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}} if dynamic else None)


def export_dynamo_onnx(model, x, path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            model, (x,), dynamo=True, input_names=["input"], output_names=["logits"],
            dynamic_shapes=({0: torch.export.Dim("batch")},), verbose=False)
    program.save(str(path))


def typed_copy(src: Path, dst: Path) -> None:
    """Move every initializer from raw_data into float_data / int64_data."""
    model = onnx.load(str(src))
    for init in model.graph.initializer:
        arr = numpy_helper.to_array(init)
        init.ClearField("raw_data")
        if init.data_type == onnx.TensorProto.FLOAT:
            init.float_data.extend(arr.reshape(-1).tolist())
        elif init.data_type == onnx.TensorProto.INT64:
            init.int64_data.extend(arr.reshape(-1).tolist())
        else:
            raise ValueError(f"unexpected initializer type {init.data_type}")
    onnx.save_model(model, str(dst))


def run_ort(path: Path, x: np.ndarray) -> np.ndarray:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def onnx_fixture(path: Path, x: np.ndarray, torch_logits: np.ndarray,
                 sd: dict, expect_bn: bool | None, extra: dict | None = None) -> None:
    onnx.checker.check_model(str(path))
    ort_logits = run_ort(path, x)
    diff = float(np.abs(ort_logits - torch_logits).max())
    if diff > 1e-4:
        raise AssertionError(f"{path}: onnxruntime differs from torch by {diff}")
    logits_rel = rel(path).replace("/", "__") + "_ort_logits.npy"
    np.save(GOLDEN / logits_rel, ort_logits.astype(np.float32))
    golden = describe_onnx(path, logits_extra("resnet18_tiny") | {
        "ort_logits": f"golden/{logits_rel}",
        "ort_max_abs_diff_vs_torch": float(f"{diff:.3g}"),
    } | (extra or {}))
    has_bn = "BatchNormalization" in golden["nodes"]
    if expect_bn is not None and has_bn != expect_bn:
        raise AssertionError(f"{path}: BatchNormalization present={has_bn}, expected {expect_bn}")
    # initializers that keep a PyTorch name must hold exactly that tensor
    # (not true for the dynamo export, whose optimiser folds BN into convs
    # yet keeps the conv's name)
    if golden.get("initializers_match_state_dict"):
        model = onnx.load(str(path))
        for init in model.graph.initializer:
            if init.name in sd:
                if not np.array_equal(numpy_helper.to_array(init), sd[init.name].numpy()):
                    raise AssertionError(f"{path}: initializer {init.name} differs from state dict")
    write_golden(rel(path), golden)
    print(f"  {rel(path):50s} {path.stat().st_size:8d} B  ops={golden['nodes']}")


def compare_torchvision_names() -> None:
    """Print whether torchvision and timm name (and shape) resnet weights alike."""
    pairs = [
        ("resnet18", torchvision.models.resnet18(num_classes=10),
         ResNet(block=BasicBlock, layers=(2, 2, 2, 2), num_classes=10)),
        ("resnet50", torchvision.models.resnet50(num_classes=10),
         ResNet(block=Bottleneck, layers=(3, 4, 6, 3), num_classes=10)),
        ("resnext50_32x4d", torchvision.models.resnext50_32x4d(num_classes=10),
         ResNet(block=Bottleneck, layers=(3, 4, 6, 3), cardinality=32, base_width=4, num_classes=10)),
    ]
    for name, tv, tm in pairs:
        a = {k: tuple(v.shape) for k, v in tv.state_dict().items()}
        b = {k: tuple(v.shape) for k, v in tm.state_dict().items()}
        same = list(a) == list(b) and a == b
        print(f"  torchvision {name} vs timm ResNet: {len(a)} vs {len(b)} tensors, "
              f"names+order+shapes identical: {same}")
        if not same:
            print("    only torchvision:", sorted(set(a) - set(b))[:10])
            print("    only timm:", sorted(set(b) - set(a))[:10])


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    for d in (MODELS, ONNX_DIR, ONNX_DIR / "external", GOLDEN):
        d.mkdir(parents=True, exist_ok=True)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, timm {timm.__version__}, "
          f"onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}, "
          f"safetensors {safetensors.__version__}, numpy {np.__version__}")

    print("name check:")
    torch.manual_seed(0)
    compare_torchvision_names()

    torch.manual_seed(1234)
    x = torch.randn(*INPUT_SHAPE)
    np.save(ROOT / INPUT_NAME, x.numpy())

    models = {name: build_model(name) for name in ARCHS}
    sds = {name: m.state_dict() for name, m in models.items()}
    logits = {}
    with torch.no_grad():
        for name, m in models.items():
            logits[name] = m(x).numpy()
            np.save(GOLDEN / f"{name}_logits.npy", logits[name])

    print("pytorch checkpoints:")
    # plain state dicts
    for name in ARCHS:
        path = MODELS / f"{name}.zip.pth"
        save_zip(sds[name], path)
        pth_fixture(path, sds[name], name, None)
    for name in ("resnet18_tiny", "resnet50_tiny"):
        path = MODELS / f"{name}.legacy.pth"
        save_legacy(sds[name], path)
        pth_fixture(path, sds[name], name, None)

    r18, sd18 = models["resnet18_tiny"], sds["resnet18_tiny"]

    path = MODELS / "resnet18_tiny.tar.pth"
    save_legacy_tar(sd18, path)
    pth_fixture(path, sd18, "resnet18_tiny", None)

    # training checkpoint: DataParallel names, optimizer state, numpy scalar, Namespace
    trainee = copy.deepcopy(r18).train()
    optimizer = torch.optim.SGD(trainee.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    torch.manual_seed(11)
    loss = nn.functional.cross_entropy(trainee(torch.randn(4, *INPUT_SHAPE[1:])),
                                       torch.randint(0, NUM_CLASSES, (4,)))
    loss.backward()
    optimizer.step()
    prefixed = collections.OrderedDict(("module." + k, v) for k, v in sd18.items())
    checkpoint = {
        "state_dict": prefixed,
        "epoch": 7,
        "optimizer": optimizer.state_dict(),
        "best_acc1": np.float64(71.25),
        "arch": "resnet18",
        "args": argparse.Namespace(lr=0.1, arch="resnet18"),
    }
    path = MODELS / "resnet18_tiny.ckpt_module_prefix.pth"
    save_zip(checkpoint, path)
    pth_fixture(path, prefixed, "resnet18_tiny", "state_dict")

    # EMA checkpoint (timm train.py style keys)
    torch.manual_seed(12)
    ema = collections.OrderedDict(
        (k, v + 0.01 * torch.randn_like(v) if v.is_floating_point() else v.clone())
        for k, v in sd18.items())
    path = MODELS / "resnet18_tiny.ckpt_model_ema.pth"
    save_zip({"model": sd18, "model_ema": ema, "epoch": 3}, path)
    pth_fixture(path, sd18, "resnet18_tiny", "model")

    # whole pickled nn.Module
    path = MODELS / "resnet18_tiny.whole_module.pth"
    save_zip(r18, path)
    pth_fixture(path, sd18, "resnet18_tiny", "nn.Module")
    path = MODELS / "resnet18_tiny.whole_module.legacy.pth"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        save_legacy(r18, path)
    pth_fixture(path, sd18, "resnet18_tiny", "nn.Module")

    # TorchScript archive (torch.jit.save of the traced model): the same zip container, its modules
    # pickled as __torch__ classes; swsl-convert reads their tensors and never looks at code/.
    path = MODELS / "resnet18_tiny.torchscript.pt"
    torch.jit.save(torch.jit.trace(copy.deepcopy(r18).eval(), x), str(path))
    pth_fixture(path, sd18, "resnet18_tiny", "TorchScript module")

    # legacy stream written with pickle protocol 4 (FRAME opcodes before the magic number)
    path = MODELS / "resnet18_tiny.legacy_p4.pth"
    torch.save(sd18, path, _use_new_zipfile_serialization=False, pickle_protocol=4)
    pth_fixture(path, sd18, "resnet18_tiny", None)

    # odd tensors
    odd = oddities()
    odd_plain = {k: v.detach() for k, v in odd.items()}
    for path, saver in ((MODELS / "oddities.zip.pth", save_zip),
                        (MODELS / "oddities.legacy.pth", save_legacy)):
        saver(odd, path)
        loaded = torch.load(path, map_location="cpu", weights_only=False)
        if not isinstance(loaded["parameter"], nn.Parameter):
            raise AssertionError("nn.Parameter did not survive")
        if loaded["shared_a"].untyped_storage().data_ptr() != loaded["shared_b"].untyped_storage().data_ptr():
            raise AssertionError("shared storage did not survive")
        pth_fixture(path, odd_plain, None, None, {"views": views_facts(loaded)})

    # zip container variants
    src = MODELS / "resnet18_tiny.zip.pth"
    variants = [
        ("resnet18_tiny.deflated.pth", dict(compression=zipfile.ZIP_DEFLATED)),
        ("resnet18_tiny.zip64.pth", dict(force_zip64=True)),
        ("resnet18_tiny.prefix.pth", dict(new_prefix="my_weights/")),
        ("resnet18_tiny.bigendian.pth", dict(big_endian=True)),
    ]
    for filename, options in variants:
        path = MODELS / filename
        rewrite_zip(src, path, **options)
        pth_fixture(path, sd18, "resnet18_tiny", None)

    # safetensors
    path = MODELS / "resnet18_tiny.safetensors"
    save_safetensors(dict(sd18), str(path), metadata={"format": "pt"})
    golden = describe_safetensors(path, logits_extra("resnet18_tiny"))
    with safe_open(str(path), framework="pt") as sf:
        assert_same_tensors(dict(sorted(sd18.items())), {k: sf.get_tensor(k) for k in sorted(sf.keys())},
                            rel(path))
    write_golden(rel(path), golden)
    print(f"  {rel(path):50s} {path.stat().st_size:8d} B  safetensors")

    print("onnx:")
    xn = x.numpy()
    l18 = logits["resnet18_tiny"]
    path = ONNX_DIR / "resnet18_tiny.onnx"
    export_torchscript_onnx(r18, x, path, opset=13, fold=True, dynamic=True)
    onnx_fixture(path, xn, l18, sd18, expect_bn=False, extra={"exporter": "torchscript"})

    path = ONNX_DIR / "resnet18_tiny.bn.onnx"
    export_torchscript_onnx(r18, x, path, opset=13, fold=False, dynamic=False)
    onnx_fixture(path, xn, l18, sd18, expect_bn=True,
                 extra={"exporter": "torchscript", "initializers_match_state_dict": True})

    path = ONNX_DIR / "resnet18_tiny.opset17.onnx"
    export_torchscript_onnx(r18, x, path, opset=17, fold=True, dynamic=False)
    onnx_fixture(path, xn, l18, sd18, expect_bn=False, extra={"exporter": "torchscript"})

    path = ONNX_DIR / "resnet18_tiny.dynamo.onnx"
    try:
        export_dynamo_onnx(r18, x, path)
        onnx_fixture(path, xn, l18, sd18, expect_bn=None, extra={"exporter": "dynamo"})
    except Exception as err:  # report, keep the rest
        print(f"  dynamo export failed: {err!r}")

    path = ONNX_DIR / "external" / "resnet18_tiny.onnx"
    data_name = "resnet18_tiny.onnx.data"
    (path.parent / data_name).unlink(missing_ok=True)  # onnx appends to an existing file
    onnx.save_model(onnx.load(str(ONNX_DIR / "resnet18_tiny.onnx")), str(path),
                    save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data_name, size_threshold=0)
    onnx_fixture(path, xn, l18, sd18, expect_bn=False,
                 extra={"exporter": "torchscript", "external_data_file": data_name,
                        "external_data_size": (path.parent / data_name).stat().st_size})

    path = ONNX_DIR / "resnet18_tiny.typed.onnx"
    typed_copy(ONNX_DIR / "resnet18_tiny.onnx", path)
    onnx_fixture(path, xn, l18, sd18, expect_bn=False, extra={"exporter": "torchscript"})

    total = sum(p.stat().st_size for p in ROOT.rglob("*") if p.is_file())
    print(f"total size of Fixtures/: {total} bytes")


if __name__ == "__main__":
    main()
