#!/usr/bin/env python3
"""Files the way other people's tools write them (issue 16), from the committed tiny models.

    /work/venv/bin/python Fixtures/generate_real_world.py     # ~20 s, after generate.py's venv

The weights are those of the committed ``models/resnet18_tiny.zip.pth`` and
``models/resnet50_tiny.zip.pth`` (read back with torch.load), so every file here computes exactly
what generate.py's goldens (``golden/<arch>_logits.npy`` on ``golden/input_2x3x64x64.npy``) say.
Each file is proved by the tool that reads it for real (torch.load, onnxruntime, timm) and gets a
golden JSON like generate.py's; the Swift tests pick them up with the others.

Python 2 (``models/py2/``): Python 2 pickles write every ``str`` with STRING / BINSTRING /
SHORT_BINSTRING, so keys, storage ids and storage locations are Python 2 strings. ``Py2Pickler``
is CPython's pure-Python pickler with ``str`` written that way (what Python 2's ``pickle`` does for
its ``str``), at protocol 2 (torch's default under Python 2).

* ``resnet18_tiny.legacy_py2.pth``: ``torch.save(..., _use_new_zipfile_serialization=False,
  pickle_module=<Py2Pickler>)``: the legacy stream of torch 0.4-1.5 under Python 2.
* ``resnet18_tiny.tar_py2.pth``: generate.py's hand-written torch <= 0.3 tar, Python 2 strings.

TorchScript: ``models/resnet18_tiny.scripted.pt``: ``torch.jit.save(torch.jit.script(model))``; its
pickle calls ``torch.jit._pickle.build_intlist`` (asserted).

ONNX graphs written with onnx's helper API (``models/onnx/other/``), each run by onnxruntime, whose
output is the golden (``golden/models__onnx__other__<name>_ort_output.npy``):

* ``zoo_resnet50.onnx``: the ops and attributes of the ONNX model zoo's ResNet-50 (the Caffe2
  export): IR 3, opset 9, initializers also listed as graph inputs, Conv without bias then
  BatchNormalization, two-input ``Sum`` joins, MaxPool 3x3/2 pad 1, the head ``AveragePool``
  kernel 7x7 stride 1 (global at its fixed 224x224 input), ``Reshape`` to a constant [1, -1],
  ``Gemm`` (transB 1), ``Softmax``. Weights of resnet50_tiny; input ``golden/input_1x3x224x224.npy``.
* ``pytorch1x_resnet18.onnx``: what torch 1.x exports of torchvision-style code hold: opset 11,
  BatchNorm folded, an ``Identity`` on the stem's output, the head ``GlobalAveragePool`` then the
  dynamic flatten ``Shape -> Gather -> Unsqueeze -> Concat -> Reshape``, ``Dropout``, ``Gemm``.
* ``tf2onnx_resnet18.onnx``: what tf2onnx writes for a Keras model: an NHWC input [2, 64, 64, 3]
  and a ``Transpose`` (perm 0,3,1,2), explicit ``Pad`` before the stem's Conv and its MaxPool (both
  then pad 0), BatchNorm folded, ``ReduceMean`` over axes 2,3 without keepdims, ``MatMul`` then
  ``Add``, ``Softmax``; opset 13.

Hub folder: ``models/hub/resnet50_tiny.fb_swsl_ig1b_ft_in1k/``: timm's ``save_for_hf`` of the tiny
model, carrying the ``pretrained_cfg`` of timm's ``resnet50.fb_swsl_ig1b_ft_in1k`` (tag, license,
mean, std, interpolation) but with input_size 3x64x64, crop_pct 0.95 and 10 classes, and both
``model.safetensors`` and ``pytorch_model.bin``.

transformers folders (``models/hub/hf_resnet_tiny*/``): ``ResNetForImageClassification(ResNetConfig(
embedding_size=8, hidden_sizes=[16, 24, 32, 48], depths=[1, 2, 1, 1], layer_type="bottleneck",
num_labels=10))`` with random BatchNorm statistics, ``save_pretrained`` (``model.safetensors``,
``config.json``) and a ``ConvNextImageProcessor(size={"shortest_edge": 64}, crop_pct=0.9, resample=2,
image_mean=image_std=0.5)`` saved beside it; ``_stride1x1`` is the same with
``downsample_in_bottleneck=True`` (the stride on the first 1x1). Goldens: transformers' logits on the
shared input (``golden/hub__<name>_logits.npy``).

Refusals (``models/refuse/``): ``cifar_resnet20.pth``, the CIFAR ResNet of Yerlan Idelbayev's
``resnet_cifar10`` (3x3 stem at stride 1, no max-pool, option-A shortcuts, ``linear`` head), and
``vgg_tiny.pth``, convolutions without residual blocks (torchvision's VGG names).
"""
from __future__ import annotations

import copy
import io
import json
import pickle
import pickletools
import struct
import sys
import types
import warnings
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate as g  # noqa: E402  (imports torch, torchvision, timm, onnx, onnxruntime)
from generate import GOLDEN, MODELS, nn, np, onnx, torch  # noqa: E402

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

OTHER_ONNX = MODELS / "onnx" / "other"
PY2 = MODELS / "py2"
HUB = MODELS / "hub"
REFUSE = MODELS / "refuse"


# --------------------------------------------------------------------------
# Python 2 pickles
# --------------------------------------------------------------------------

class Py2Pickler(pickle._Pickler):
    """CPython's pure-Python pickler writing ``str`` as Python 2 wrote its ``str``."""

    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2_str(self, obj: str) -> None:
        data = obj.encode("utf-8")
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[str] = save_py2_str


def _py2_dump(obj, f, protocol=2):
    Py2Pickler(f, protocol).dump(obj)


PY2_PICKLE = types.ModuleType("py2_pickle")  # what torch.save's pickle_module needs: Pickler and dump
PY2_PICKLE.Pickler, PY2_PICKLE.dump = Py2Pickler, _py2_dump


def string_opcodes(stream: io.BytesIO, pickles: int) -> set[str]:
    """Names of the string opcodes in the next ``pickles`` pickles of ``stream``."""
    names = set()
    for _ in range(pickles):
        for op, _, _ in pickletools.genops(stream):
            if "STRING" in op.name or "UNICODE" in op.name:
                names.add(op.name)
            if op.name == "STOP":
                break
    return names


def prove_py2(path: Path) -> None:
    """Every string in the file's pickles is a Python 2 string."""
    import tarfile
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as tar:
            found = string_opcodes(io.BytesIO(tar.extractfile("sys_info").read()), 1)
            found |= string_opcodes(io.BytesIO(tar.extractfile("pickle").read()), 1)
    else:  # magic number, protocol version, sys_info, the object, storage keys
        found = string_opcodes(io.BytesIO(path.read_bytes()), 5)
    if not found or not found <= {"SHORT_BINSTRING", "BINSTRING"}:
        raise AssertionError(f"{path}: string opcodes {found}, expected Python 2's only")


# --------------------------------------------------------------------------
# ONNX graphs by hand
# --------------------------------------------------------------------------

class GraphWriter:
    """Emits a timm/torchvision ResNet as ONNX nodes, in the forms other exporters use."""

    def __init__(self, model: nn.Module, *, fold_bn: bool, join: str, prefix: str = "", named: bool = True):
        self.model, self.fold_bn, self.join, self.prefix, self.named = model, fold_bn, join, prefix, named
        self.nodes: list = []
        self.inits: list = []
        self.count = 0

    def value(self, hint: str) -> str:
        self.count += 1
        return f"{self.prefix}{hint}_{self.count}"

    def init(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), self.prefix + name))
        return self.prefix + name

    def node(self, op: str, inputs: list[str], hint: str, **attrs) -> str:
        out = self.value(hint)
        name = f"{op}_{len(self.nodes)}" if self.named else None  # Caffe2's export leaves names empty
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def conv(self, x: str, conv: nn.Conv2d, bn: nn.BatchNorm2d, name: str, relu: bool, pads=None) -> str:
        w = conv.weight.detach().numpy().astype(np.float32)
        p = conv.padding[0] if pads is None else pads
        attrs = dict(kernel_shape=list(conv.kernel_size), strides=list(conv.stride), pads=[p] * 4,
                     dilations=[1, 1], group=conv.groups)
        if self.fold_bn:
            scale = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).detach().numpy()
            shift = (bn.bias - bn.running_mean * bn.weight / torch.sqrt(bn.running_var + bn.eps)).detach().numpy()
            y = self.node("Conv", [x, self.init(name + "_w", w * scale[:, None, None, None]),
                                   self.init(name + "_b", shift.astype(np.float32))], name, **attrs)
        else:
            y = self.node("Conv", [x, self.init(name + "_w", w)], name, **attrs)
            stats = [bn.weight, bn.bias, bn.running_mean, bn.running_var]
            names = [self.init(f"{name}_bn_{k}", t.detach().numpy().astype(np.float32))
                     for k, t in zip(("s", "b", "rm", "riv"), stats)]
            y = self.node("BatchNormalization", [y] + names, name + "_bn", epsilon=float(bn.eps))
        return self.node("Relu", [y], name + "_relu") if relu else y

    def block(self, x: str, block: nn.Module, name: str) -> str:
        bottleneck = hasattr(block, "conv3")
        y = self.conv(x, block.conv1, block.bn1, name + "_branch2a", True)
        y = self.conv(y, block.conv2, block.bn2, name + "_branch2b", bottleneck)
        if bottleneck:
            y = self.conv(y, block.conv3, block.bn3, name + "_branch2c", False)
        shortcut = x
        if block.downsample is not None:
            shortcut = self.conv(x, block.downsample[0], block.downsample[1], name + "_branch1", False)
        joined = self.node(self.join, [y, shortcut], name + "_sum")
        return self.node("Relu", [joined], name + "_relu")

    def body(self, x: str, *, explicit_pads: bool) -> str:
        m = self.model
        if explicit_pads:
            x = self.node("Pad", [x, self.init("stem_pads", np.array([0, 0, 3, 3, 0, 0, 3, 3], np.int64))], "pad")
        x = self.conv(x, m.conv1, m.bn1, "conv1", True, pads=0 if explicit_pads else None)
        if explicit_pads:
            x = self.node("Pad", [x, self.init("pool_pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))], "pad")
        x = self.node("MaxPool", [x], "pool1", kernel_shape=[3, 3], strides=[2, 2],
                      pads=[0 if explicit_pads else 1] * 4)
        for s, stage in enumerate((m.layer1, m.layer2, m.layer3, m.layer4)):
            for b, block in enumerate(stage):
                x = self.block(x, block, f"res{s + 2}_{b}")
        return x

    def fc(self) -> tuple[np.ndarray, np.ndarray]:
        return (self.model.fc.weight.detach().numpy().astype(np.float32),
                self.model.fc.bias.detach().numpy().astype(np.float32))

    def model_proto(self, x_info, y_name: str, y_dims: list, *, opset: int, ir: int, inits_as_inputs: bool,
                    producer: str) -> onnx.ModelProto:
        inputs = [x_info]
        if inits_as_inputs:
            inputs += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in self.inits]
        graph = helper.make_graph(self.nodes, "resnet", inputs,
                                  [helper.make_tensor_value_info(y_name, TensorProto.FLOAT, y_dims)],
                                  initializer=self.inits)
        proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=ir,
                                  producer_name=producer)
        onnx.checker.check_model(proto)
        return proto


def zoo_resnet50(model: nn.Module) -> onnx.ModelProto:
    w = GraphWriter(model, fold_bn=False, join="Sum", prefix="gpu_0/", named=False)
    x = w.body("gpu_0/data_0", explicit_pads=False)
    x = w.node("AveragePool", [x], "pool5", kernel_shape=[7, 7], strides=[1, 1])
    x = w.node("Reshape", [x, w.init("OC2_DUMMY_SHAPE", np.array([1, -1], np.int64))], "pool5_reshape")
    weight, bias = w.fc()
    x = w.node("Gemm", [x, w.init("pred_w", weight), w.init("pred_b", bias)], "pred", transB=1)
    y = w.node("Softmax", [x], "softmax")
    info = helper.make_tensor_value_info("gpu_0/data_0", TensorProto.FLOAT, [1, 3, 224, 224])
    return w.model_proto(info, y, [1, 10], opset=9, ir=3, inits_as_inputs=True, producer="onnx-caffe2")


def pytorch1x_resnet18(model: nn.Module) -> onnx.ModelProto:
    w = GraphWriter(model, fold_bn=True, join="Add")
    m = model
    x = w.conv("input", m.conv1, m.bn1, "conv1", True)
    x = w.node("Identity", [x], "identity")
    x = w.node("MaxPool", [x], "maxpool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    for s, stage in enumerate((m.layer1, m.layer2, m.layer3, m.layer4)):
        for b, block in enumerate(stage):
            x = w.block(x, block, f"layer{s + 1}.{b}")
    pooled = w.node("GlobalAveragePool", [x], "avgpool")
    shape = w.node("Shape", [pooled], "shape")
    zero = w.node("Constant", [], "const", value=numpy_helper.from_array(np.array(0, np.int64)))
    batch = w.node("Gather", [shape, zero], "gather", axis=0)
    batch1 = w.node("Unsqueeze", [batch], "unsqueeze", axes=[0])
    minus1 = w.node("Constant", [], "const", value=numpy_helper.from_array(np.array([-1], np.int64)))
    target = w.node("Concat", [batch1, minus1], "concat", axis=0)
    flat = w.node("Reshape", [pooled, target], "flatten")
    dropped = w.node("Dropout", [flat], "dropout", ratio=0.5)
    weight, bias = w.fc()
    y = w.node("Gemm", [dropped, w.init("fc.weight", weight), w.init("fc.bias", bias)], "fc", transB=1)
    info = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 64, 64])
    return w.model_proto(info, y, ["batch", 10], opset=11, ir=6, inits_as_inputs=False, producer="pytorch")


def tf2onnx_resnet18(model: nn.Module) -> onnx.ModelProto:
    w = GraphWriter(model, fold_bn=True, join="Add")
    x = w.node("Transpose", ["input_1"], "transpose", perm=[0, 3, 1, 2])
    x = w.body(x, explicit_pads=True)
    x = w.node("ReduceMean", [x], "global_average_pooling2d", axes=[2, 3], keepdims=0)
    weight, bias = w.fc()
    x = w.node("MatMul", [x, w.init("dense/kernel", np.ascontiguousarray(weight.T))], "dense")
    x = w.node("Add", [x, w.init("dense/bias", bias)], "dense_bias")
    y = w.node("Softmax", [x], "predictions", axis=-1)
    info = helper.make_tensor_value_info("input_1", TensorProto.FLOAT, ["unk__1", 64, 64, 3])
    return w.model_proto(info, y, ["unk__1", 10], opset=13, ir=7, inits_as_inputs=False, producer="tf2onnx")


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def onnx_other(name: str, proto: onnx.ModelProto, x: np.ndarray, torch_out: np.ndarray, arch: str,
               input_file: str, nhwc: bool = False) -> None:
    path = OTHER_ONNX / name
    onnx.save_model(proto, str(path))
    feed = np.ascontiguousarray(x.transpose(0, 2, 3, 1)) if nhwc else x
    out = g.run_ort(path, feed)
    diff = float(np.abs(out - torch_out).max())
    if diff > 1e-4:
        raise AssertionError(f"{path}: onnxruntime differs from torch by {diff}")
    out_rel = g.rel(path).replace("/", "__") + "_ort_output.npy"
    np.save(GOLDEN / out_rel, out.astype(np.float32))
    golden = g.describe_onnx(path, {
        "architecture": arch, "input": input_file, "ort_output": f"golden/{out_rel}",
        "ort_output_is": "softmax" if proto.graph.node[-1].op_type == "Softmax" else "logits",
        "ort_input_layout": "NHWC" if nhwc else "NCHW",
        "ort_max_abs_diff_vs_torch": float(f"{diff:.3g}"),
    })
    g.write_golden(g.rel(path), golden)
    print(f"  {g.rel(path):50s} {path.stat().st_size:8d} B  ops={golden['nodes']}")


# --------------------------------------------------------------------------
# Refusals: models that are not the schema's ResNets
# --------------------------------------------------------------------------

class CifarBlock(nn.Module):
    """resnet_cifar10's BasicBlock with option A: the shortcut subsamples and zero-pads channels."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()  # option A: no parameters


class CifarResNet(nn.Module):
    def __init__(self, blocks=(3, 3, 3), widths=(4, 8, 16)):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        cin = widths[0]
        for i, (n, cout) in enumerate(zip(blocks, widths)):
            layers = []
            for b in range(n):
                layers.append(CifarBlock(cin, cout, 2 if (b == 0 and i > 0) else 1))
                cin = cout
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.linear = nn.Linear(cin, 10)


def vgg_tiny() -> nn.Module:
    m = nn.Module()
    m.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    m.classifier = nn.Sequential(nn.Linear(8 * 16 * 16, 10))
    return m


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def load_tiny(arch: str) -> tuple[nn.Module, dict]:
    model = g.build_model(arch)  # the topology; the weights are the committed file's
    sd = torch.load(MODELS / f"{arch}.zip.pth", map_location="cpu", weights_only=True)
    model.load_state_dict(sd)
    return model.eval(), sd


def main() -> None:
    torch.set_num_threads(1)
    for d in (OTHER_ONNX, PY2, HUB, REFUSE):
        d.mkdir(parents=True, exist_ok=True)
    r18, sd18 = load_tiny("resnet18_tiny")
    r50, sd50 = load_tiny("resnet50_tiny")
    x = np.load(g.ROOT / g.INPUT_NAME)
    with torch.no_grad():
        for model, arch in ((r18, "resnet18_tiny"), (r50, "resnet50_tiny")):
            want = np.load(GOLDEN / f"{arch}_logits.npy")
            got = model(torch.from_numpy(x)).numpy()
            if np.abs(got - want).max() > 1e-5:
                raise AssertionError(f"{arch}: the committed weights no longer give the committed logits")

    print("python 2 pickles:")
    path = PY2 / "resnet18_tiny.legacy_py2.pth"
    torch.save(sd18, path, _use_new_zipfile_serialization=False, pickle_module=PY2_PICKLE, pickle_protocol=2)
    prove_py2(path)
    g.pth_fixture(path, sd18, "resnet18_tiny", None)
    path = PY2 / "resnet18_tiny.tar_py2.pth"
    g.save_legacy_tar(sd18, path, pickle_module=PY2_PICKLE)
    prove_py2(path)
    g.pth_fixture(path, sd18, "resnet18_tiny", None)

    print("scripted TorchScript:")
    path = MODELS / "resnet18_tiny.scripted.pt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.script(copy.deepcopy(r18)), str(path))
    with zipfile.ZipFile(path) as zf:
        data = zf.read(next(n for n in zf.namelist() if n.endswith("/data.pkl")))
    if b"build_intlist" not in data:
        raise AssertionError(f"{path}: the scripted archive no longer calls build_intlist")
    g.pth_fixture(path, sd18, "resnet18_tiny", "TorchScript module")

    print("onnx graphs of other exporters:")
    torch.manual_seed(224)
    x224 = torch.randn(1, 3, 224, 224)
    np.save(GOLDEN / "input_1x3x224x224.npy", x224.numpy())
    with torch.no_grad():
        zoo_out = softmax(r50(x224).numpy())
        logits18 = r18(torch.from_numpy(x)).numpy()
    onnx_other("zoo_resnet50.onnx", zoo_resnet50(r50), x224.numpy(), zoo_out, "resnet50_tiny",
               "golden/input_1x3x224x224.npy")
    onnx_other("pytorch1x_resnet18.onnx", pytorch1x_resnet18(r18), x, logits18, "resnet18_tiny", g.INPUT_NAME)
    onnx_other("tf2onnx_resnet18.onnx", tf2onnx_resnet18(r18), x, softmax(logits18), "resnet18_tiny",
               g.INPUT_NAME, nhwc=True)

    print("hub folder (timm save_for_hf):")
    from timm.models import get_pretrained_cfg
    from timm.models._hub import save_for_hf
    real = get_pretrained_cfg("resnet50.fb_swsl_ig1b_ft_in1k").to_dict()
    folder = HUB / "resnet50_tiny.fb_swsl_ig1b_ft_in1k"
    tiny = copy.deepcopy(r50)
    tiny.pretrained_cfg = dict(real, num_classes=10, input_size=(3, 64, 64), crop_pct=0.95, pool_size=(2, 2),
                               mean=(0.5, 0.45, 0.4), std=(0.25, 0.24, 0.23))
    tiny.default_cfg = tiny.pretrained_cfg
    save_for_hf(tiny, str(folder), safe_serialization="both")
    config = json.loads((folder / "config.json").read_text())
    cfg = config["pretrained_cfg"]
    if cfg.get("tag") != "fb_swsl_ig1b_ft_in1k" or cfg.get("license") != "cc-by-nc-4.0" or cfg["crop_pct"] != 0.95:
        raise AssertionError(f"{folder}: config.json lost the pretrained_cfg: {cfg}")
    for name in ("model.safetensors", "pytorch_model.bin"):
        loaded = (torch.load(folder / name, map_location="cpu", weights_only=True) if name.endswith(".bin")
                  else __import__("safetensors.torch").torch.load_file(str(folder / name)))
        if set(loaded) != set(sd50) or not all(torch.equal(loaded[k], sd50[k]) for k in sd50):
            raise AssertionError(f"{folder}/{name}: tensors differ from the model's")
    golden = {"folder": g.rel(folder), "architecture": "resnet50_tiny", "config": config,
              "files": sorted(p.name for p in folder.iterdir())}
    (GOLDEN / "hub__resnet50_tiny.fb_swsl_ig1b_ft_in1k.json").write_text(g.dump_json(golden))
    print(f"  {g.rel(folder)}: {golden['files']}")

    print("transformers folders (save_pretrained):")
    from transformers import ConvNextImageProcessor, ResNetConfig, ResNetForImageClassification
    for name, in_bottleneck in (("hf_resnet_tiny", False), ("hf_resnet_tiny_stride1x1", True)):
        torch.manual_seed(31 if in_bottleneck else 30)
        config = ResNetConfig(embedding_size=8, hidden_sizes=[16, 24, 32, 48], depths=[1, 2, 1, 1],
                              layer_type="bottleneck", num_labels=10, downsample_in_bottleneck=in_bottleneck)
        hf = ResNetForImageClassification(config).eval()
        with torch.no_grad():
            for module in hf.modules():
                if isinstance(module, nn.BatchNorm2d):
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.normal_().mul_(0.1)
                    module.running_mean.normal_().mul_(0.1)
                    module.running_var.uniform_(0.5, 1.5)
        folder = HUB / name
        hf.save_pretrained(str(folder))
        ConvNextImageProcessor(size={"shortest_edge": 64}, crop_pct=0.9, resample=2,
                               image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5]).save_pretrained(str(folder))
        with torch.no_grad():
            logits = ResNetForImageClassification.from_pretrained(str(folder)).eval()(torch.from_numpy(x)).logits.numpy()
        np.save(GOLDEN / f"hub__{name}_logits.npy", logits.astype(np.float32))
        golden = {"folder": g.rel(folder), "logits": f"golden/hub__{name}_logits.npy", "input": g.INPUT_NAME,
                  "config": json.loads((folder / "config.json").read_text()),
                  "preprocessor": json.loads((folder / "preprocessor_config.json").read_text()),
                  "files": sorted(p.name for p in folder.iterdir())}
        (GOLDEN / f"hub__{name}.json").write_text(g.dump_json(golden))
        print(f"  {g.rel(folder)}: {golden['files']}")

    print("refusals:")
    torch.manual_seed(20)
    cifar = {"module." + k: v for k, v in CifarResNet().state_dict().items()}  # trained under DataParallel
    torch.save({"epoch": 200, "best_prec1": 91.73, "state_dict": cifar}, REFUSE / "cifar_resnet20.pth")
    torch.save(vgg_tiny().state_dict(), REFUSE / "vgg_tiny.pth")
    for p in sorted(REFUSE.iterdir()):
        print(f"  {g.rel(p):50s} {p.stat().st_size:8d} B")


if __name__ == "__main__":
    main()
