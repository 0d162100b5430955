import SWSLCore

/// The central directory of a zip archive, read directly from the mapped file to find where each
/// member's bytes start (libzip has no public call for that). Used only after libzip has opened the
/// archive with its consistency checks; any disagreement with libzip, or anything this parser does
/// not understand, makes the caller fall back to libzip's copying reads.
///
/// Every read is bounds-checked (`ByteReader`), every sum overflow-checked; zip64 sizes and offsets
/// are honoured (APPNOTE 4.3.14–4.3.16, extra field 0x0001).
struct ZipDirectory {
    struct Entry {
        let name: [UInt8]
        let flags: UInt16
        let method: UInt16
        let crc32: UInt32
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    let entries: [Entry]
    /// Where the central directory starts: no member's data may reach past it.
    let directoryOffset: Int

    static let endSignature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let zip64EndSignature: UInt32 = 0x0606_4B50
    static let entrySignature: UInt32 = 0x0201_4B50
    static let localSignature: UInt32 = 0x0403_4B50

    /// Parses the directory of `bytes`, or nil when it is not one this parser trusts.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard let (count, offset, size) = ZipDirectory.locate(bytes),
              offset <= bytes.count, size <= bytes.count - offset,
              count <= size / 46 else { return nil }
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + size]), baseOffset: offset)
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            guard let entry = try? ZipDirectory.entry(&reader) else { return nil }
            entries.append(entry)
        }
        self.entries = entries
        self.directoryOffset = offset
    }

    /// (entry count, directory offset, directory size) from the end records, zip64 when present.
    private static func locate(_ bytes: UnsafeRawBufferPointer) -> (Int, Int, Int)? {
        let n = bytes.count
        guard n >= 22 else { return nil }
        // The end record is the last 22 bytes plus a comment of at most 65535 bytes.
        var at = n - 22
        let lowest = max(0, n - 22 - 0xFFFF)
        while at >= lowest {
            if bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian == endSignature,
               22 + Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 20, as: UInt16.self))) <= n - at {
                break
            }
            at -= 1
        }
        guard at >= lowest else { return nil }
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[at...]))
        do {
            try r.skip(4)
            let disk = try r.readLE(UInt16.self), directoryDisk = try r.readLE(UInt16.self)
            _ = try r.readLE(UInt16.self)
            let count = try r.readLE(UInt16.self)
            let size = try r.readLE(UInt32.self), offset = try r.readLE(UInt32.self)
            guard disk == 0, directoryDisk == 0 else { return nil }
            // A zip64 locator sits just before the end record.
            if at >= 20, bytes.loadUnaligned(fromByteOffset: at - 20, as: UInt32.self).littleEndian == zip64LocatorSignature {
                var l = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[(at - 16)...]))
                _ = try l.readLE(UInt32.self)
                let endOffset = try l.readLE(UInt64.self)
                guard endOffset <= UInt64(at - 20) else { return nil }
                var z = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[Int(endOffset)...]))
                guard try z.readLE(UInt32.self) == zip64EndSignature else { return nil }
                try z.skip(8 + 2 + 2 + 4 + 4 + 8)
                let count64 = try z.readLE(UInt64.self), size64 = try z.readLE(UInt64.self), offset64 = try z.readLE(UInt64.self)
                guard count64 <= UInt64(n), size64 <= UInt64(n), offset64 <= UInt64(n) else { return nil }
                return (Int(count64), Int(offset64), Int(size64))
            }
            return (Int(count), Int(offset), Int(size))
        } catch {
            return nil
        }
    }

    private static func entry(_ r: inout ByteReader) throws -> Entry {
        guard try r.readLE(UInt32.self) == entrySignature else { throw ZipDirectoryError() }
        try r.skip(4)
        let flags = try r.readLE(UInt16.self), method = try r.readLE(UInt16.self)
        try r.skip(4)
        let crc = try r.readLE(UInt32.self)
        var compressed = UInt64(try r.readLE(UInt32.self)), size = UInt64(try r.readLE(UInt32.self))
        let nameLength = Int(try r.readLE(UInt16.self)), extraLength = Int(try r.readLE(UInt16.self))
        let commentLength = Int(try r.readLE(UInt16.self))
        try r.skip(8)
        var offset = UInt64(try r.readLE(UInt32.self))
        let name = try r.readBytes(nameLength)
        var extra = ByteReader(try r.readSlice(extraLength))
        try r.skip(commentLength)
        // Zip64 extended information: the 64-bit values of the fields saturated above, in this order.
        while extra.remaining >= 4 {
            let id = try extra.readLE(UInt16.self), length = Int(try extra.readLE(UInt16.self))
            var field = ByteReader(try extra.readSlice(length))
            guard id == 0x0001 else { continue }
            if size == 0xFFFF_FFFF { size = try field.readLE(UInt64.self) }
            if compressed == 0xFFFF_FFFF { compressed = try field.readLE(UInt64.self) }
            if offset == 0xFFFF_FFFF { offset = try field.readLE(UInt64.self) }
        }
        guard compressed <= UInt64(Int.max), size <= UInt64(Int.max), offset <= UInt64(Int.max) else {
            throw ZipDirectoryError()
        }
        return Entry(name: name, flags: flags, method: method, crc32: crc, compressedSize: Int(compressed),
                     size: Int(size), localHeaderOffset: Int(offset))
    }

    /// An entry's local file header, as read from the file.
    private struct LocalHeader {
        let flags: UInt16
        let method: UInt16
        let crc32: UInt32
        let compressedSize: UInt32
        let size: UInt32
        let nameMatches: Bool
        /// Where the member's (compressed) data starts.
        let dataStart: Int
    }

    /// Reads `entry`'s local header; nil when it is not there or runs into the central directory.
    private func localHeader(of entry: Entry, in bytes: UnsafeRawBufferPointer) -> LocalHeader? {
        guard entry.localHeaderOffset <= directoryOffset else { return nil }
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[entry.localHeaderOffset..<directoryOffset]),
                           baseOffset: entry.localHeaderOffset)
        do {
            guard try r.readLE(UInt32.self) == ZipDirectory.localSignature else { return nil }
            try r.skip(2)
            let flags = try r.readLE(UInt16.self), method = try r.readLE(UInt16.self)
            try r.skip(4)
            let crc = try r.readLE(UInt32.self)
            let compressed = try r.readLE(UInt32.self), size = try r.readLE(UInt32.self)
            let nameLength = Int(try r.readLE(UInt16.self)), extraLength = Int(try r.readLE(UInt16.self))
            let nameMatches = try r.readSlice(nameLength).elementsEqual(entry.name)
            try r.skip(extraLength)
            return LocalHeader(flags: flags, method: method, crc32: crc, compressedSize: compressed, size: size,
                               nameMatches: nameMatches, dataStart: r.fileOffset)
        } catch {
            return nil
        }
    }

    /// The bytes an entry occupies, from its local header to the end of its (compressed) data.
    /// Nil when the local header is not there or the data would reach the central directory.
    func extent(of entry: Entry, in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let header = localHeader(of: entry, in: bytes),
              entry.compressedSize <= directoryOffset - header.dataStart else { return nil }
        return entry.localHeaderOffset..<header.dataStart + entry.compressedSize
    }

    /// The first two entries (by index) whose extents overlap, or nil when none do; an entry whose
    /// extent cannot be found is returned alone. Zip bombs of the "overlapping files" kind point
    /// many entries at one block of compressed data; no archive a tool writes shares bytes.
    func firstOverlap(in bytes: UnsafeRawBufferPointer) -> (Int, Int?)? {
        var extents: [(Range<Int>, Int)] = []
        extents.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() {
            guard let extent = extent(of: entry, in: bytes) else { return (i, nil) }
            extents.append((extent, i))
        }
        extents.sort { $0.0.lowerBound < $1.0.lowerBound }
        for k in extents.indices.dropFirst() where extents[k].0.lowerBound < extents[k - 1].0.upperBound {
            return (min(extents[k - 1].1, extents[k].1), max(extents[k - 1].1, extents[k].1))
        }
        return nil
    }

    /// The byte range of an entry's (compressed) data, after checking that its local header agrees
    /// with the directory: signature, name, method, and the sizes and CRC unless a data descriptor
    /// carries them. Nil when anything disagrees or leaves the file.
    func dataRange(of entry: Entry, in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let h = localHeader(of: entry, in: bytes), h.method == entry.method, h.flags & 1 == 0, h.nameMatches else {
            return nil
        }
        if h.flags & 0x8 == 0 {
            guard h.crc32 == entry.crc32,
                  h.compressedSize == 0xFFFF_FFFF || Int(h.compressedSize) == entry.compressedSize,
                  h.size == 0xFFFF_FFFF || Int(h.size) == entry.size else { return nil }
        }
        guard entry.compressedSize <= directoryOffset - h.dataStart else { return nil }
        return h.dataStart..<h.dataStart + entry.compressedSize
    }
}

/// The directory is not one ZipDirectory trusts (never shown: the caller falls back to libzip).
struct ZipDirectoryError: Error {}
