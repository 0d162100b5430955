"""A full-size checkpoint with random weights as safetensors, from a committed name/shape list; numpy only.

    python3 Benchmarks/random_safetensors.py Fixtures/shapes/resnet50.torchvision.json /tmp/r50.safetensors

For before/after timings of swsl-convert without the PyTorch venv (Benchmarks/run.sh needs it).
Weights N(0, 0.05), running variances in [0.5, 1.5], seed 0.
"""
import json, struct, sys, numpy as np
spec = json.load(open(sys.argv[1]))
rng = np.random.default_rng(0)
header = {}; blobs = []; off = 0
for name, shape in spec["tensors"]:
    n = int(np.prod(shape)) if shape else 1
    if name.endswith("running_var"): a = rng.uniform(0.5, 1.5, n)
    elif name.endswith("num_batches_tracked"):
        a = np.zeros(n, dtype=np.int64); header[name] = {"dtype": "I64", "shape": shape, "data_offsets": [off, off + 8*n]}; blobs.append(a.tobytes()); off += 8*n; continue
    else: a = rng.standard_normal(n) * 0.05
    b = a.astype("<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [off, off + len(b)]}
    blobs.append(b); off += len(b)
h = json.dumps(header).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(sys.argv[2], "wb") as f:
    f.write(struct.pack("<Q", len(h))); f.write(h)
    for b in blobs: f.write(b)
