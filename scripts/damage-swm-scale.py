#!/usr/bin/env python3
"""Multiplies one float32 tensor of a .swm by a factor and reseals the CRCs (Formats/SWM.md), for
demonstrating `verify --layers`: a deliberately damaged layer it must name.

    scripts/damage-swm-scale.py IN.swm OUT.swm stage2.block0.conv2.weight_scale 4

Standard library only. Writes OUT (never IN)."""
import struct
import sys
import zlib


def main() -> None:
    src, dst, name, factor = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    if src == dst:
        sys.exit("OUT must differ from IN")
    data = bytearray(open(src, "rb").read())
    u64 = lambda at: struct.unpack_from("<Q", data, at)[0]
    meta, meta_len, directory, dir_len, data_off = u64(24), u64(32), u64(40), u64(48), u64(56)
    at = directory
    for _ in range(struct.unpack_from("<I", data, 80)[0]):
        n = struct.unpack_from("<H", data, at)[0]
        entry_name = data[at + 2:at + 2 + n].decode()
        dtype_at = at + 2 + n
        rank = data[dtype_at + 2]
        fields = dtype_at + 3 + 8 * rank
        offset, length = u64(fields), u64(fields + 8)
        if entry_name == name:
            start = data_off + offset
            values = struct.unpack_from(f"<{length // 4}f", data, start)
            struct.pack_into(f"<{length // 4}f", data, start, *(v * factor for v in values))
            struct.pack_into("<I", data, fields + 16, zlib.crc32(data[start:start + length]))
            break
        at = fields + 24
    else:
        sys.exit(f"{src}: no tensor {name}")
    struct.pack_into("<I", data, 84, zlib.crc32(data[meta:meta + meta_len]))
    struct.pack_into("<I", data, 88, zlib.crc32(data[directory:directory + dir_len]))
    struct.pack_into("<I", data, 124, zlib.crc32(data[0:124]))
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
