#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A float32 array in NumPy's `.npy` format: C order, little-endian (`'<f4'`), versions 1.0, 2.0
/// and 3.0 read, 1.0 written. The header is checked strictly before the data is trusted.
public struct NPYArray: Sendable, Equatable {
    /// Dimensions; `[]` for a scalar.
    public let shape: [Int]
    /// Elements in C order.
    public let values: [Float]

    /// An array of `shape`; `values` must hold the product of `shape` elements.
    public init(shape: [Int], values: [Float]) throws(FormatError) {
        let count = try NPYArray.elementCount(shape)
        guard values.count == count else { throw .dataSize(expected: count * 4, actual: values.count * 4) }
        self.shape = shape
        self.values = values
    }

    /// Why bytes are not a float32 `.npy` array.
    public enum FormatError: Error, CustomStringConvertible, Sendable, Equatable {
        /// The file does not start with `\x93NUMPY`.
        case badMagic
        /// A format version other than 1.0, 2.0 or 3.0.
        case unsupportedVersion(major: UInt8, minor: UInt8)
        /// The file ends inside the named part.
        case truncated(String)
        /// The header dictionary is malformed (the reason says how).
        case badHeader(String)
        /// An element type other than little-endian float32.
        case unsupportedDescr(String)
        /// `fortran_order` is True.
        case fortranOrder
        /// The data is not exactly shape × 4 bytes.
        case dataSize(expected: Int, actual: Int)
        /// The file could not be read or written.
        case io(path: String, reason: String)

        /// The message the command line prints.
        public var description: String {
            switch self {
            case .badMagic: "not an .npy file (magic is not \\x93NUMPY)"
            case .unsupportedVersion(let major, let minor): ".npy version \(major).\(minor) is not 1.0, 2.0 or 3.0"
            case .truncated(let what): "truncated .npy file: \(what)"
            case .badHeader(let why): "bad .npy header: \(why)"
            case .unsupportedDescr(let descr): ".npy dtype \(descr) is not '<f4' (little-endian float32)"
            case .fortranOrder: ".npy array is in Fortran order; only C order is read"
            case .dataSize(let expected, let actual): ".npy data is \(actual) bytes, the shape needs \(expected)"
            case .io(_, let reason): reason  // the command line names the file
            }
        }
    }

    // MARK: Reading

    /// Parses a whole `.npy` file's bytes.
    public static func parse(_ bytes: [UInt8]) throws(FormatError) -> NPYArray {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 8 else { throw bytes.starts(with: magic.prefix(bytes.count)) ? .truncated("preamble") : .badMagic }
        guard bytes.starts(with: magic) else { throw .badMagic }
        let (major, minor) = (bytes[6], bytes[7])
        guard minor == 0, (1...3).contains(major) else { throw .unsupportedVersion(major: major, minor: minor) }
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else { throw .truncated("header length") }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let headerStart = 8 + lengthBytes
        guard headerLength <= bytes.count - headerStart else { throw .truncated("header of \(headerLength) bytes") }
        let headerBytes = bytes[headerStart..<headerStart + headerLength]
        if major < 3 {
            guard headerBytes.allSatisfy({ $0 < 0x80 }) else { throw .badHeader("non-ASCII bytes in a version \(major) header") }
        }
        guard let header = String(validating: headerBytes, as: UTF8.self) else { throw .badHeader("not UTF-8") }
        let shape = try Header.parse(header)
        let count = try elementCount(shape)
        let dataStart = headerStart + headerLength
        let expected = count * 4
        guard bytes.count - dataStart == expected else { throw .dataSize(expected: expected, actual: bytes.count - dataStart) }
        let values = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: dataStart + 4 * i, as: UInt32.self)
                    out[i] = Float(bitPattern: UInt32(littleEndian: bits))
                }
            }
            initialized = count
        }
        return try NPYArray(shape: shape, values: values)
    }

    /// Reads and parses a `.npy` file.
    public static func read(path: String) throws(FormatError) -> NPYArray {
        let storage: ByteStorage
        do { storage = try ByteStorage.map(path: path) } catch { throw .io(path: path, reason: error.reason) }
        let bytes = withExtendedLifetime(storage) { Array(storage.bytes) }
        return try parse(bytes)
    }

    // MARK: Writing

    /// The array as a version 1.0 `.npy` file (header padded to 64 bytes, as NumPy writes it).
    public func serialized() -> [UInt8] {
        let dims = shape.map(String.init)
        let tuple = shape.count == 1 ? "(\(dims[0]),)" : "(\(dims.joined(separator: ", ")))"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(tuple), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0]
        let length = header.utf8.count
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for value in values {
            let bits = value.bitPattern.littleEndian
            bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
        }
        return bytes
    }

    /// Writes the array to `path` atomically (`AtomicFileWriter`: never over a file this process
    /// reads, and an interrupted write leaves `path` as it was).
    public func write(path: String) throws(FormatError) {
        do {
            let file = try AtomicFileWriter(destination: path)
            try file.write(serialized())
            try file.commit()
        } catch {
            throw .io(path: path, reason: error.reason)
        }
    }

    static func elementCount(_ shape: [Int]) throws(FormatError) -> Int {
        var count = 1
        for size in shape {
            guard size >= 0 else { throw .badHeader("negative dimension in \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= Int.max / 4 else { throw .badHeader("shape \(shape) is too large") }
            count = product
        }
        return count
    }
}

// MARK: Header

extension NPYArray {
    /// The `.npy` header dictionary: a Python literal `{'descr': '<f4', 'fortran_order': False,
    /// 'shape': (2, 3), }`, parsed strictly (exactly these three keys, once each; nothing else).
    enum Header {
        /// The shape, after checking `descr` is `'<f4'` and `fortran_order` is `False`.
        static func parse(_ text: String) throws(FormatError) -> [Int] {
            var scanner = Scanner(Array(text.utf8))
            var descr: String?
            var fortran: Bool?
            var shape: [Int]?
            try scanner.expect(UInt8(ascii: "{"))
            while true {
                scanner.skipSpace()
                if scanner.take(UInt8(ascii: "}")) { break }
                let key = try scanner.string()
                try scanner.expect(UInt8(ascii: ":"))
                switch key {
                case "descr" where descr == nil: descr = try scanner.string()
                case "fortran_order" where fortran == nil: fortran = try scanner.boolean()
                case "shape" where shape == nil: shape = try scanner.tuple()
                default: throw .badHeader("unexpected or repeated key '\(key)'")
                }
                scanner.skipSpace()
                if scanner.take(UInt8(ascii: ",")) { continue }
                try scanner.expect(UInt8(ascii: "}"))
                break
            }
            scanner.skipSpace()
            guard scanner.atEnd else { throw .badHeader("bytes after the dictionary") }
            guard let descr, let fortran, let shape else { throw .badHeader("missing descr, fortran_order or shape") }
            guard descr == "<f4" else { throw .unsupportedDescr(descr) }
            guard !fortran else { throw .fortranOrder }
            return shape
        }

        /// A cursor over the header's bytes.
        private struct Scanner {
            let bytes: [UInt8]
            var position = 0

            init(_ bytes: [UInt8]) { self.bytes = bytes }

            var atEnd: Bool { position == bytes.count }

            mutating func skipSpace() {
                while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
            }

            mutating func take(_ byte: UInt8) -> Bool {
                guard position < bytes.count, bytes[position] == byte else { return false }
                position += 1
                return true
            }

            mutating func expect(_ byte: UInt8) throws(FormatError) {
                skipSpace()
                guard take(byte) else { throw .badHeader("expected '\(Character(Unicode.Scalar(byte)))' at byte \(position)") }
            }

            /// A quoted string without escapes.
            mutating func string() throws(FormatError) -> String {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "'") || bytes[position] == UInt8(ascii: "\"") else {
                    throw .badHeader("expected a string at byte \(position)")
                }
                let quote = bytes[position]
                position += 1
                let start = position
                while position < bytes.count, bytes[position] != quote {
                    guard bytes[position] != UInt8(ascii: "\\") else { throw .badHeader("escapes in a string") }
                    position += 1
                }
                guard position < bytes.count else { throw .badHeader("unterminated string") }
                let value = String(decoding: bytes[start..<position], as: UTF8.self)
                position += 1
                return value
            }

            mutating func boolean() throws(FormatError) -> Bool {
                skipSpace()
                guard position < bytes.count else { throw .badHeader("expected True or False at the end") }
                for (word, value) in [("True", true), ("False", false)] where bytes[position...].starts(with: word.utf8) {
                    position += word.utf8.count
                    return value
                }
                throw .badHeader("expected True or False at byte \(position)")
            }

            /// `()`, `(n,)` or `(n, m, ...)` with an optional trailing comma; non-negative integers.
            /// A single dimension needs its comma (`(5)` is an integer in Python, not a tuple).
            mutating func tuple() throws(FormatError) -> [Int] {
                try expect(UInt8(ascii: "("))
                var values: [Int] = []
                var trailingComma = false
                while true {
                    skipSpace()
                    if take(UInt8(ascii: ")")) { break }
                    values.append(try integer())
                    trailingComma = false
                    skipSpace()
                    if take(UInt8(ascii: ",")) {
                        trailingComma = true
                        continue
                    }
                    try expect(UInt8(ascii: ")"))
                    break
                }
                guard values.count != 1 || trailingComma else { throw .badHeader("a one-element shape needs a trailing comma") }
                return values
            }

            mutating func integer() throws(FormatError) -> Int {
                let start = position
                var value = 0
                while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                    let (times, o1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times.addingReportingOverflow(Int(bytes[position] - UInt8(ascii: "0")))
                    guard !o1, !o2 else { throw .badHeader("dimension too large") }
                    value = sum
                    position += 1
                }
                guard position > start else { throw .badHeader("expected a dimension at byte \(position)") }
                return value
            }
        }
    }
}
