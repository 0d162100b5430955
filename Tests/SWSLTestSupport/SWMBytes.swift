import SWSLCore

/// A `.swm` file's bytes, edited field by field from the layout in Formats/SWM.md (written from the
/// spec, not from the reader under test), with the CRCs re-sealed so that a test breaks exactly one rule.
public struct SWMBytes {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    // Header fields (byte offsets in the 128-byte header).
    public static let version = 8, headerSize = 12, byteOrderMark = 16
    public static let metaOffset = 24, metaLength = 32, dirOffset = 40, dirLength = 48
    public static let dataOffset = 56, dataLength = 64, fileSize = 72, tensorCount = 80
    public static let metaCRC = 84, dirCRC = 88, headerCRC = 124

    public func u32(at offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) } }
    public func u64(at offset: Int) -> Int { Int((0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }) }
    public mutating func set32(_ value: UInt32, at offset: Int) { for i in 0..<4 { bytes[offset + i] = UInt8(value >> (8 * i) & 0xFF) } }
    public mutating func set64(_ value: Int, at offset: Int) { for i in 0..<8 { bytes[offset + i] = UInt8(UInt64(value) >> (8 * i) & 0xFF) } }

    public var metadata: Range<Int> { u64(at: Self.metaOffset)..<u64(at: Self.metaOffset) + u64(at: Self.metaLength) }
    public var directory: Range<Int> { u64(at: Self.dirOffset)..<u64(at: Self.dirOffset) + u64(at: Self.dirLength) }
    public var data: Range<Int> { u64(at: Self.dataOffset)..<u64(at: Self.dataOffset) + u64(at: Self.dataLength) }

    /// Recomputes the metadata and directory CRCs, then the header's.
    public mutating func reseal() {
        set32(crc(metadata), at: Self.metaCRC)
        set32(crc(directory), at: Self.dirCRC)
        set32(crc(0..<124), at: Self.headerCRC)
    }

    private func crc(_ range: Range<Int>) -> UInt32 { bytes[range].withUnsafeBytes { CRC32.checksum($0) } }

    /// Where the fields of one directory entry lie.
    public struct Entry {
        public let name: String
        public let nameRange: Range<Int>
        public let dtype: Int, layout: Int, rank: Int
        public let dims: [Int]
        public let offset: Int, length: Int, crc: Int, scale: Int
    }

    /// The directory's entries, in order.
    public var entries: [Entry] {
        var at = directory.lowerBound
        var out: [Entry] = []
        for _ in 0..<Int(u32(at: Self.tensorCount)) {
            let n = Int(bytes[at]) | Int(bytes[at + 1]) << 8
            let nameRange = at + 2..<at + 2 + n
            let dtype = nameRange.upperBound, rank = Int(bytes[dtype + 2])
            let dims = (0..<rank).map { dtype + 3 + 8 * $0 }
            let offset = dtype + 3 + 8 * rank
            out.append(Entry(name: String(decoding: bytes[nameRange], as: UTF8.self), nameRange: nameRange, dtype: dtype,
                             layout: dtype + 1, rank: dtype + 2, dims: dims, offset: offset, length: offset + 8,
                             crc: offset + 16, scale: offset + 20))
            at = offset + 24
        }
        return out
    }

    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }
}
