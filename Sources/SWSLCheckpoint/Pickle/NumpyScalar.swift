/// Decodes `numpy.core.multiarray.scalar(dtype, bytes)`: the numpy numbers training scripts leave
/// in checkpoints (`best_acc1`, `epoch`).
enum NumpyScalar {
    static func decode(_ args: [PickleValue], fail: (String) -> ReadError) throws(ReadError) -> PickleValue {
        guard args.count == 2, case .object(let dtype) = args[0], dtype.className == "numpy.dtype",
              let code = dtype.arguments.first?.string, let raw = args[1].byteString
        else { throw fail("expects (numpy.dtype, bytes)") }
        // The dtype's state tuple is (version, byteorder, ...); '>' means big-endian.
        let bigEndian = dtype.state.items.map { $0.count > 1 && $0[1].string == ">" } ?? false
        let bytes = bigEndian ? Array(raw.reversed()) : raw
        func unsigned() -> UInt64 {
            bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
        let kind = code.first
        let width = Int(code.dropFirst()) ?? 1
        guard bytes.count == width, [1, 2, 4, 8].contains(width) else { throw fail("\(code) with \(bytes.count) bytes") }
        switch kind {
        case "f":
            switch width {
            case 8: return .float(Double(bitPattern: unsigned()))
            case 4: return .float(Double(Float(bitPattern: UInt32(unsigned()))))
            case 2: return .float(Double(Float16(bitPattern: UInt16(unsigned()))))
            default: throw fail("float of \(width) bytes")
            }
        case "i":
            let shift = UInt64(64 - 8 * width)
            return .int(Int64(bitPattern: unsigned() << shift) >> shift)
        case "u":
            let u = unsigned()
            guard u <= UInt64(Int64.max) else { throw fail("uint64 beyond int64") }
            return .int(Int64(u))
        case "b":
            return .bool(unsigned() != 0)
        default:
            throw fail("numpy scalar of type \(code) is not supported")
        }
    }
}
