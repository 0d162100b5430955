import SWSLCore

/// A POSIX tar archive read in place: member name → byte range of its data. PAX and GNU
/// extension records are skipped; every header's size is checked against the archive.
struct TarArchive {
    private(set) var members: [String: Range<Int>] = [:]
    /// Member names in archive order.
    private(set) var names: [String] = []

    /// True when the first header carries the ustar magic.
    static func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 512 && Array(bytes[257..<262]) == Array("ustar".utf8)
    }

    init(_ bytes: UnsafeRawBufferPointer) throws(ReadError) {
        var offset = 0
        while offset + 512 <= bytes.count {
            let header = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 512])
            if header.allSatisfy({ $0 == 0 }) { break }
            guard TarArchive.checksumMatches(header) else {
                throw .corrupt(where: "tar header at offset \(offset)", "checksum mismatch")
            }
            let size = try TarArchive.size(header, at: offset)
            let dataStart = offset + 512
            guard size <= bytes.count - dataStart else {
                throw .tooLarge(where: "tar header at offset \(offset)", "member of \(size) bytes runs past the archive's end")
            }
            let type = header[156]
            if type == 0x30 || type == 0 {  // regular file
                var name = TarArchive.field(header, 0, 100)
                let prefix = TarArchive.field(header, 345, 155)
                if !prefix.isEmpty { name = prefix + "/" + name }
                if members[name] != nil { throw .corrupt(where: "tar member '\(name)'", "appears twice") }
                members[name] = dataStart..<dataStart + size
                names.append(name)
            }
            offset = dataStart + (size + 511) / 512 * 512
        }
    }

    private static func field(_ header: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> String {
        let raw = header[start..<start + length]
        let end = raw.firstIndex(of: 0) ?? raw.endIndex
        return String(decoding: raw[start..<end], as: UTF8.self)
    }

    private static func size(_ header: UnsafeRawBufferPointer, at offset: Int) throws(ReadError) -> Int {
        let raw = header[124..<136]
        if raw.first! & 0x80 != 0 {  // base-256
            var value = 0
            for (i, byte) in raw.enumerated() {
                let b = i == 0 ? byte & 0x7F : byte
                guard value <= (Int.max >> 8) else { throw .tooLarge(where: "tar header at offset \(offset)", "size overflows") }
                value = value << 8 | Int(b)
            }
            return value
        }
        let text = String(decoding: raw.prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self).trimmingWhitespace
        guard let value = Int(text.isEmpty ? "0" : text, radix: 8), value >= 0 else {
            throw .corrupt(where: "tar header at offset \(offset)", "size field '\(text)' is not octal")
        }
        return value
    }

    private static func checksumMatches(_ header: UnsafeRawBufferPointer) -> Bool {
        var sum = 0
        for (i, byte) in header.enumerated() { sum += (148..<156).contains(i) ? 0x20 : Int(byte) }
        let text = String(decoding: header[148..<156].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        return Int(text, radix: 8) == sum
    }
}
