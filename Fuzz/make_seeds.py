"""Writes the hand-made fuzz seeds under Fuzz/seeds/<target>/ (committed; rerun after editing).

    python3 Fuzz/make_seeds.py       # standard library only

The structures of the outside hostile corpus (issue 12), so the fuzzers start next to them:
dotted protocol-4 globals, overlapping zip members, deflated members that declare far more than
their tensors view, repeated JSON keys in safetensors headers and .npy header dicts.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = HERE / "seeds"


def binunicode(s: str) -> bytes:
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def stack_global(module: str, name: str) -> bytes:
    return binunicode(module) + binunicode(name) + b"\x93"


def state_dict(extra: bytes = b"", numel: int = 4, view: int = 4, proto: int = 2) -> bytes:
    """{…extra…, 'fc.bias': FloatTensor over storage '0'}; `extra` is a key, a value and SETITEM,
    put first so the reader meets it before any storage."""
    p = bytes([0x80, proto]) + b"}" + extra + binunicode("fc.bias")
    p += b"ctorch._utils\n_rebuild_tensor_v2\n" + b"(" + b"(" + binunicode("storage")
    p += b"ctorch\nFloatStorage\n" + binunicode("0") + binunicode("cpu") + b"\x8a\x08" + struct.pack("<q", numel)
    p += b"tQ" + b"K\x00" + b"\x8a\x08" + struct.pack("<q", view) + b"\x85" + b"K\x01\x85" + b"\x89N" + b"tRs"
    return p + b"."


def zip_archive(members: list[tuple[str, bytes, int, int, int]], body: bytes | None = None,
                offsets: list[int] | None = None) -> bytes:
    """members: (name, data as stored, method, crc, uncompressed size)."""
    out, central = b"", b""
    for i, (name, data, method, crc, size) in enumerate(members):
        n = name.encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size, len(n), 0) + n
        at = len(out) if offsets is None else offsets[i]
        if body is None:
            out += header + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, len(data), size,
                               len(n), 0, 0, 0, 0, 0, at) + n
    if body is not None:
        out = body
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return out + central + end


def overlapping_zip(count: int = 8) -> bytes:
    pickle = state_dict(numel=16, view=16)
    head = [("archive/data.pkl", pickle, 0, zlib.crc32(pickle), len(pickle))]
    body = b""
    for name, data, *_ in head:
        n = name.encode()
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, zlib.crc32(data), len(data), len(data), len(n), 0) + n + data
    tail = b"A" * 64
    entries = []
    for k in reversed(range(count)):
        n = f"archive/data/{k}".encode()
        crc = zlib.crc32(tail)
        entries.append((n.decode(), tail, 0, crc, len(tail)))
        tail = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(tail), len(tail), len(n), 0) + n + tail
    entries.reverse()
    offsets = [0]
    at = len(body)
    for name, *_ in entries:
        offsets.append(at)
        at += 30 + len(name)
    return zip_archive(head + entries, body=body + tail, offsets=offsets)


def declared_zip(inflated: int, view: int = 588) -> bytes:
    pickle = state_dict(numel=inflated // 4, view=view)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    data = b"".join(c.compress(chunk) for _ in range(inflated >> 20)) + c.flush()
    crc = 0
    for _ in range(inflated >> 20):
        crc = zlib.crc32(chunk, crc)
    return zip_archive([("archive/data.pkl", pickle, 0, zlib.crc32(pickle), len(pickle)),
                        ("archive/data/0", data, 8, crc, inflated)])


def safetensors(header: str, data: int) -> bytes:
    h = header.encode()
    return struct.pack("<Q", len(h)) + h + b"\0" * data


def npy(header: str, data: bytes) -> bytes:
    h = header.encode()
    h += b" " * ((64 - (10 + len(h) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data


def main() -> None:
    seeds: dict[str, dict[str, bytes]] = {
        "FuzzPickle": {
            "dotted_timm_os_system.pkl": state_dict(binunicode("hook") + stack_global("timm.models._hub", "os.system") + b"s", proto=4),
            "dotted_torch_serialization.pkl": state_dict(binunicode("hook") + stack_global("torch.nn.modules.module", "torch.serialization.os.system") + b"s", proto=4),
            "nested_class_newobj.pkl": state_dict(binunicode("m") + stack_global("timm.layers.helpers", "Outer.Inner") + b")\x81}b" + b"s", proto=4),
            "module_class_reduce.pkl": state_dict(binunicode("m") + b"ctimm.models.resnet\nResNet\n)R" + b"s"),
        },
        "FuzzZip": {
            "overlapping_members.pth": overlapping_zip(),
            "declared_256mib.pth": declared_zip(256 << 20),
        },
        "FuzzSafetensors": {
            "duplicate_tensor.safetensors": safetensors('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8),
            "duplicate_field.safetensors": safetensors('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"dtype":"I32"}}', 4),
            "duplicate_metadata.safetensors": safetensors('{"__metadata__":{"format":"pt","format":"np"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4),
        },
        "FuzzNPY": {
            "duplicate_key.npy": npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", b"\0" * 4),
        },
    }
    for target, files in seeds.items():
        folder = SEEDS / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
            print(f"{folder.relative_to(HERE.parent)}/{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
