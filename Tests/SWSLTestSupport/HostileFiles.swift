/// Hostile checkpoints of the outside corpus's classes, built in code. Shared by the reader tests
/// and the command-line tests that run the binary on them under memory and time limits.
public enum HostileFiles {
    /// A pickle of a state dict `{name: FloatTensor}` over storage `storage` of `storageNumel`
    /// floats, viewing its first `viewNumel` as a vector.
    public static func stateDictPickle(name: String = "fc.bias", storage: String = "0", storageNumel: Int64,
                                       viewNumel: Int64) -> [UInt8] {
        PickleBytes().op("}").string(name).global("torch._utils", "_rebuild_tensor_v2").op("(")
            .op("(").string("storage").global("torch", "FloatStorage").string(storage).string("cpu").raw(long(storageNumel))
            .op("t").raw([0x51]).int(0).raw(long(viewNumel)).op("\u{85}").int(1).op("\u{85}").raw([0x89]).op("N")
            .op("t").op("R").op("s").stop
    }

    /// `LONG1` of an 8-byte little-endian integer.
    public static func long(_ v: Int64) -> [UInt8] { [0x8A, 8] + withUnsafeBytes(of: v.littleEndian, Array.init) }

    /// An overlapping-member zip bomb: storage members `archive/data/0 … n-1`, stored, where member
    /// k's data quotes the local headers and data of every member after it, so their byte ranges
    /// overlap (the "quoted overlap" construction; every member passes libzip's own checks).
    public static func overlappingMembers(count: Int, payload: Int = 1024) -> [UInt8] {
        let pickle = stateDictPickle(storageNumel: Int64(payload / 4), viewNumel: Int64(payload / 4))
        var zip = ZipLayout()
        zip.append("archive/data.pkl", data: pickle)
        zip.append("archive/version", data: Array("3\n".utf8))
        // Build the tail from the last member backwards: member k's data is everything after its header.
        var tail = [UInt8](repeating: 0x41, count: payload)
        var headers: [ZipLayout.Entry] = []
        for k in stride(from: count - 1, through: 0, by: -1) {
            let entry = ZipLayout.Entry(name: "archive/data/\(k)", method: 0, crc: tail.withUnsafeBytes { crc32($0) },
                                        compressedSize: UInt32(tail.count), size: UInt32(tail.count), localHeaderOffset: 0)
            tail = ZipLayout.localHeader(entry) + tail
            headers.append(entry)
        }
        var offset = zip.body.count
        for var entry in headers.reversed() {
            entry.localHeaderOffset = UInt32(offset)
            zip.entries.append(entry)
            offset += 30 + entry.name.utf8.count
        }
        zip.body += tail
        return zip.bytes
    }

    /// A zip whose one storage is deflated and honestly declares `inflatedBytes` (its stream
    /// really inflates to that many zero bytes), while its tensor views only `viewNumel` floats.
    public static func honestDeflateBomb(inflatedBytes: Int, viewNumel: Int64 = 588) -> [UInt8] {
        var zip = ZipLayout()
        zip.append("archive/data.pkl", data: stateDictPickle(storageNumel: Int64(inflatedBytes / 4), viewNumel: viewNumel))
        zip.append("archive/data/0", method: 8, data: Deflate.zeros(count: inflatedBytes),
                   crc: Deflate.crcOfZeros(count: inflatedBytes), size: inflatedBytes)
        return zip.bytes
    }
}

import SWSLCore

private func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 { CRC32.checksum(bytes) }

extension HostileFiles {
    /// A valid, all-black 8-bit RGB PNG of `width × height`: tiny on disk (one zlib stream of zero
    /// runs), `3 × width × height` bytes once decoded. The decompression bomb of image files.
    public static func blackPNG(width: Int, height: Int) -> [UInt8] {
        let raw = height * (1 + 3 * width)  // each row: filter byte 0, then RGB zeros
        let zlib = [0x78, 0x01] + Deflate.zeros(count: raw) + be32(UInt32(truncatingIfNeeded: 1 | ((raw % 65521) << 16)))
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0])
        out += chunk("IDAT", zlib)
        out += chunk("IEND", [])
        return out
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return be32(UInt32(data.count)) + typed + be32(typed.withUnsafeBytes { CRC32.checksum($0) })
    }

    private static func be32(_ v: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8(v >> (8 * $0) & 0xFF) } }
}
