/// Builds pickle byte streams opcode by opcode for tests (hostile ones included).
public struct PickleBytes {
    public private(set) var bytes: [UInt8] = [0x80, 0x02]  // PROTO 2

    public init(protocol version: UInt8 = 2) { bytes = [0x80, version] }

    /// Raw opcodes and operands.
    public func raw(_ more: [UInt8]) -> PickleBytes {
        var copy = self
        copy.bytes += more
        return copy
    }

    public func op(_ code: Character) -> PickleBytes { raw([UInt8(code.unicodeScalars.first!.value)]) }

    /// `GLOBAL module\nname\n`.
    public func global(_ module: String, _ name: String) -> PickleBytes {
        raw([0x63] + Array("\(module)\n\(name)\n".utf8))
    }

    /// `BINUNICODE` string.
    public func string(_ s: String) -> PickleBytes {
        let utf8 = Array(s.utf8)
        let n = UInt32(utf8.count)
        return raw([0x58, UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + utf8)
    }

    /// `BININT1`.
    public func int(_ i: UInt8) -> PickleBytes { raw([0x4B, i]) }

    /// Ends with `STOP`.
    public var stop: [UInt8] { bytes + [0x2E] }
}
