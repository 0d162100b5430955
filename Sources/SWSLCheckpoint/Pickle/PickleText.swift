/// Decoding of the operands that are not plain binary: Python longs and the protocol-0 text forms.
enum PickleText {
    /// A little-endian two's-complement integer (LONG1/LONG4).
    static func long(_ bytes: [UInt8]) -> PickleValue {
        guard bytes.count <= 8 else { return .bigInt(bytes) }
        guard let last = bytes.last else { return .int(0) }
        var value: UInt64 = last & 0x80 != 0 ? UInt64.max : 0
        for (i, byte) in bytes.enumerated() {
            value &= ~(UInt64(0xFF) << (8 * UInt64(i)))
            value |= UInt64(byte) << (8 * UInt64(i))
        }
        return .int(Int64(bitPattern: value))
    }

    /// Protocol-0 INT: decimal, or "01"/"00" for True/False.
    static func int(_ line: String, at: Int) throws(ReadError) -> PickleValue {
        if line == "01" { return .bool(true) }
        if line == "00" { return .bool(false) }
        guard let i = Int64(line) else { throw .pickle(offset: at, "bad INT '\(line.prefix(40))'") }
        return .int(i)
    }

    /// Protocol-0 LONG: decimal with an optional trailing "L".
    static func longText(_ line: String, at: Int) throws(ReadError) -> PickleValue {
        let digits = line.hasSuffix("L") ? String(line.dropLast()) : line
        guard let i = Int64(digits) else { throw .pickle(offset: at, "LONG '\(line.prefix(40))' out of range") }
        return .int(i)
    }

    /// A decimal memo index (protocol-0 PUT/GET).
    static func index(_ line: String, at: Int) throws(ReadError) -> UInt32 {
        guard let i = UInt32(line) else { throw .pickle(offset: at, "bad memo index '\(line.prefix(40))'") }
        return i
    }

    /// Protocol-0 STRING: a Python repr in single or double quotes, with backslash escapes.
    static func quotedString(_ line: String, at: Int) throws(ReadError) -> [UInt8] {
        let bytes = Array(line.utf8)
        guard bytes.count >= 2, let q = bytes.first, q == bytes.last, q == 0x27 || q == 0x22 else {
            throw .pickle(offset: at, "STRING operand is not quoted")
        }
        var out: [UInt8] = []
        var i = 1
        while i < bytes.count - 1 {
            let c = bytes[i]
            i += 1
            guard c == 0x5C, i < bytes.count - 1 else { out.append(c); continue }
            let e = bytes[i]
            i += 1
            switch e {
            case 0x6E: out.append(0x0A)  // \n
            case 0x72: out.append(0x0D)  // \r
            case 0x74: out.append(0x09)  // \t
            case 0x78:  // \xHH
                guard i + 2 <= bytes.count - 1, let v = UInt8(String(decoding: bytes[i..<i + 2], as: UTF8.self), radix: 16) else {
                    throw .pickle(offset: at, "bad \\x escape in STRING")
                }
                out.append(v)
                i += 2
            default: out.append(e)
            }
        }
        return out
    }

    /// A Python 2 `str` (STRING, BINSTRING, SHORT_BINSTRING): text when its bytes are UTF-8.
    static func python2String(_ bytes: [UInt8]) -> PickleValue {
        if let text = String(validating: bytes, as: UTF8.self) { return .string(text) }
        return .bytes(bytes)
    }

    /// Protocol-0 UNICODE: raw-unicode-escape (only \uXXXX and \UXXXXXXXX are escapes).
    static func rawUnicodeEscape(_ line: String, at: Int) throws(ReadError) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(line.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "\\", i + 1 < scalars.count, scalars[i + 1] == "u" || scalars[i + 1] == "U" {
                let width = scalars[i + 1] == "u" ? 4 : 8
                let start = i + 2
                guard start + width <= scalars.count,
                      let v = UInt32(String(String.UnicodeScalarView(scalars[start..<start + width])), radix: 16),
                      let scalar = Unicode.Scalar(v)
                else { throw .pickle(offset: at, "bad escape in UNICODE") }
                out.append(scalar)
                i = start + width
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }
}
