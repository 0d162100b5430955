/// A cursor over bytes that knows its offset and never reads out of bounds:
/// every read checks the remaining length first and throws `ByteReaderError`.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read, from the start of `bytes`.
    public private(set) var offset: Int
    /// Added to offsets in errors, so they point into the enclosing file.
    public let baseOffset: Int

    public init(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0) {
        self.bytes = bytes
        self.offset = 0
        self.baseOffset = baseOffset
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }
    /// The absolute offset (base + offset) of the next byte.
    public var fileOffset: Int { baseOffset + offset }

    private func require(_ count: Int) throws(ByteReaderError) {
        guard count >= 0, count <= remaining else {
            throw ByteReaderError(offset: fileOffset, needed: count, available: remaining)
        }
    }

    public mutating func readUInt8() throws(ByteReaderError) -> UInt8 {
        try require(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a little-endian fixed-width integer.
    public mutating func readLE<T: FixedWidthInteger>(_: T.Type) throws(ByteReaderError) -> T {
        let size = MemoryLayout<T>.size
        try require(size)
        var value: T = 0
        for i in 0..<size { value |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
        offset += size
        return value
    }

    /// Reads a big-endian fixed-width integer.
    public mutating func readBE<T: FixedWidthInteger>(_: T.Type) throws(ByteReaderError) -> T {
        let size = MemoryLayout<T>.size
        try require(size)
        var value: T = 0
        for i in 0..<size { value = (value << 8) | T(truncatingIfNeeded: bytes[offset + i]) }
        offset += size
        return value
    }

    /// The next `count` bytes, without copying.
    public mutating func readSlice(_ count: Int) throws(ByteReaderError) -> UnsafeRawBufferPointer {
        try require(count)
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    public mutating func readBytes(_ count: Int) throws(ByteReaderError) -> [UInt8] {
        Array(try readSlice(count))
    }

    /// Reads up to (not including) `terminator`, consuming it.
    public mutating func readLine(terminator: UInt8 = 0x0A) throws(ByteReaderError) -> UnsafeRawBufferPointer {
        guard let end = bytes[offset...].firstIndex(of: terminator) else {
            throw ByteReaderError(offset: fileOffset, needed: remaining + 1, available: remaining)
        }
        let line = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
        offset = end + 1
        return line
    }

    public mutating func skip(_ count: Int) throws(ByteReaderError) {
        try require(count)
        offset += count
    }
}

/// A read ran past the end of the bytes.
public struct ByteReaderError: Error, CustomStringConvertible, Sendable {
    /// Absolute offset where the read started.
    public let offset: Int
    public let needed: Int
    public let available: Int

    public var description: String {
        "truncated at offset \(offset): needed \(needed) bytes, \(available) left"
    }
}
