/// A cursor over bytes that knows its offset and never reads out of bounds:
/// every read checks the remaining length first and throws `ByteReaderError`.
public struct ByteReader {
    /// The bytes read; not owned, so they must outlive the reader.
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read, from the start of `bytes`.
    public private(set) var offset: Int
    /// Added to offsets in errors, so they point into the enclosing file.
    public let baseOffset: Int

    /// A reader at the start of `bytes`; `baseOffset` is where `bytes` start in the file, for error offsets.
    public init(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0) {
        self.bytes = bytes
        self.offset = 0
        self.baseOffset = baseOffset
    }

    /// Bytes from `offset` to the end; a read of more throws.
    public var remaining: Int { bytes.count - offset }
    /// True when every byte has been consumed (readers check it to refuse trailing bytes).
    public var isAtEnd: Bool { offset >= bytes.count }
    /// The absolute offset (base + offset) of the next byte.
    public var fileOffset: Int { baseOffset + offset }

    private func require(_ count: Int) throws(ByteReaderError) {
        guard count >= 0, count <= remaining else {
            throw ByteReaderError(offset: fileOffset, needed: count, available: remaining)
        }
    }

    /// Reads one byte; throws at the end.
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

    /// Copies the next `count` bytes into an array; throws, consuming nothing, when fewer remain.
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

    /// Moves past `count` bytes without reading them; throws when fewer remain or `count` is negative.
    public mutating func skip(_ count: Int) throws(ByteReaderError) {
        try require(count)
        offset += count
    }
}

/// A read ran past the end of the bytes.
public struct ByteReaderError: Error, CustomStringConvertible, Sendable {
    /// Absolute offset where the read started.
    public let offset: Int
    /// Bytes the read asked for (for `readLine`, one more than were left: no terminator was found).
    public let needed: Int
    /// Bytes that were left at `offset`.
    public let available: Int

    /// `truncated at offset N: needed X bytes, Y left`.
    public var description: String {
        "truncated at offset \(offset): needed \(needed) bytes, \(available) left"
    }
}
