import SWSLCore

/// Writes zip archives whose bytes the caller lays out: local records placed anywhere (so that
/// members can overlap), any method, any declared sizes. For hostile archives in tests.
public struct ZipLayout {
    /// One central-directory entry.
    public struct Entry {
        public var name: String
        public var method: UInt16
        public var crc: UInt32
        public var compressedSize: UInt32
        public var size: UInt32
        public var localHeaderOffset: UInt32

        public init(name: String, method: UInt16, crc: UInt32, compressedSize: UInt32, size: UInt32, localHeaderOffset: UInt32) {
            self.name = name
            self.method = method
            self.crc = crc
            self.compressedSize = compressedSize
            self.size = size
            self.localHeaderOffset = localHeaderOffset
        }
    }

    /// The archive's bytes before the central directory.
    public var body: [UInt8] = []
    public var entries: [Entry] = []

    public init() {}

    /// A local file header for `entry` (its offset is not part of it).
    public static func localHeader(_ entry: Entry) -> [UInt8] {
        let name = Array(entry.name.utf8)
        return le32(0x0403_4B50) + le16(20) + le16(0) + le16(entry.method) + le16(0) + le16(0) + le32(entry.crc)
            + le32(entry.compressedSize) + le32(entry.size) + le16(UInt16(name.count)) + le16(0) + name
    }

    /// Appends a member: its local header and `data` (already compressed when `method` is 8).
    public mutating func append(_ name: String, method: UInt16 = 0, data: [UInt8], crc: UInt32? = nil, size: Int? = nil) {
        let entry = Entry(name: name, method: method, crc: crc ?? data.withUnsafeBytes { CRC32.checksum($0) },
                          compressedSize: UInt32(data.count), size: UInt32(size ?? data.count),
                          localHeaderOffset: UInt32(body.count))
        body += Self.localHeader(entry) + data
        entries.append(entry)
    }

    /// The whole archive: body, central directory, end record.
    public var bytes: [UInt8] {
        var central: [UInt8] = []
        for e in entries {
            let name = Array(e.name.utf8)
            central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(e.method) + le16(0) + le16(0) + le32(e.crc)
                + le32(e.compressedSize) + le32(e.size) + le16(UInt16(name.count)) + le16(0) + le16(0)
                + le16(0) + le16(0) + le32(0) + le32(e.localHeaderOffset) + name
        }
        return body + central + le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(entries.count))
            + le16(UInt16(entries.count)) + le32(UInt32(central.count)) + le32(UInt32(body.count)) + le16(0)
    }
}

func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) } }

/// Raw deflate streams built bit by bit (RFC 1951), for archives whose members honestly inflate to
/// far more than they occupy.
public enum Deflate {
    /// A raw deflate stream that inflates to `count` zero bytes: one fixed-Huffman block of a
    /// literal 0 and then back-references of length 258 at distance 1 (13 bits each: ~160:1).
    public static func zeros(count: Int) -> [UInt8] {
        precondition(count >= 1)
        var w = BitWriter()
        w.bits(1, count: 1)  // BFINAL
        w.bits(1, count: 2)  // BTYPE 01: fixed Huffman
        let literalZero = (code: 0x30, length: 8)
        w.huffman(literalZero.code, length: literalZero.length)
        var left = count - 1
        while left >= 258 {
            w.huffman(0xC5, length: 8)  // length symbol 285 = 258 bytes, no extra bits
            w.huffman(0, length: 5)  // distance symbol 0 = distance 1
            left -= 258
        }
        for _ in 0..<left { w.huffman(literalZero.code, length: literalZero.length) }
        w.huffman(0, length: 7)  // end of block (256)
        return w.finish()
    }

    /// The CRC-32 of `count` zero bytes.
    public static func crcOfZeros(count: Int) -> UInt32 {
        let block = [UInt8](repeating: 0, count: min(count, 1 << 20))
        var crc: UInt32 = 0
        var left = count
        while left > 0 {
            let n = min(left, block.count)
            crc = block.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<n]), continuing: crc) }
            left -= n
        }
        return crc
    }

    private struct BitWriter {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0
        var filled = 0

        /// `count` bits of `value`, least significant first (header fields, extra bits).
        mutating func bits(_ value: Int, count: Int) {
            for i in 0..<count { push(value >> i & 1) }
        }

        /// A Huffman code, most significant bit first.
        mutating func huffman(_ code: Int, length: Int) {
            for i in stride(from: length - 1, through: 0, by: -1) { push(code >> i & 1) }
        }

        private mutating func push(_ bit: Int) {
            accumulator |= UInt32(bit) << UInt32(filled)
            filled += 1
            if filled == 8 {
                out.append(UInt8(accumulator))
                accumulator = 0
                filled = 0
            }
        }

        mutating func finish() -> [UInt8] {
            if filled > 0 { out.append(UInt8(accumulator)) }
            return out
        }
    }
}
