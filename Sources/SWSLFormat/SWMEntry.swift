import SWSLCore

/// Element types a `.swm` tensor may have.
public enum SWMDType: UInt8, Sendable {
    case float32 = 1, float16 = 2, int8 = 3, int32 = 4

    /// Bytes per element (4, 2 or 1); rule 11 requires element count × this = the entry's byte length.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .float16: 2
        case .int8: 1
        }
    }

    /// The spelling `inspect` and error messages use (`float32`, `float16`, `int8`, `int32`).
    public var name: String {
        switch self {
        case .float32: "float32"
        case .float16: "float16"
        case .int8: "int8"
        case .int32: "int32"
        }
    }
}

extension SWMDType {
    /// The tensor element type of this `.swm` dtype.
    public var tensorType: DType {
        switch self {
        case .float32: .float32
        case .float16: .float16
        case .int8: .int8
        case .int32: .int32
        }
    }
}

/// How a tensor's elements are ordered: the layout code of a directory entry (Formats/SWM.md);
/// an unknown code fails rule 10.
public enum SWMLayout: UInt8, Sendable {
    /// C order of `shape`.
    case plain = 0
    /// Convolution weight `[out, in/groups, kh, kw]`, C order (PyTorch's).
    case oihw = 1
    /// The executor's packed panel layout, version 1 (`PackedWeightLayout`), shape `[elements]`.
    case packed = 2

    /// The spelling of the spec and of `inspect` output (`plain`, `oihw`, `packed-v1`).
    public var name: String {
        switch self {
        case .plain: "plain"
        case .oihw: "oihw"
        case .packed: "packed-v1"
        }
    }
}

/// One directory entry: where a tensor's bytes are and what they hold.
public struct SWMEntry: Sendable {
    /// Canonical tensor name (`stage2.block0.conv3.weight`): 1–1024 bytes of UTF-8, unique in the file (rule 10).
    public let name: String
    /// Element type of the stored bytes; with `shape` it fixes `byteLength` (rule 11).
    public let dtype: SWMDType
    /// Element order; a `packed` tensor has a 1-D shape `[groups·P·6·K]`, whose count rule 14 checks
    /// against the architecture.
    public let layout: SWMLayout
    /// Dimensions, outermost first: rank 0…8, each at most `Int32.max` (rules 10 and 11).
    public let shape: [Int]
    /// Offset relative to the data section.
    public let offset: Int
    /// Length of the tensor's bytes: element count × dtype size (rule 11), inside the data section (rule 12).
    public let byteLength: Int
    /// CRC-32 of the tensor's bytes; compared only when the file is opened with `checkCRC` (rule 15).
    public let crc32: UInt32
    /// Directory index of the scale tensor of a quantized tensor.
    public let scaleIndex: Int?

    /// Product of `shape`; 1 for a rank-0 tensor. Not overflow-checked here (validation, rule 11, is).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Appends the binary encoding (Formats/SWM.md, "Directory entry").
    func encode(into out: inout [UInt8]) {
        let nameBytes = Array(name.utf8)
        out.appendLE(UInt16(nameBytes.count))
        out += nameBytes
        out += [dtype.rawValue, layout.rawValue, UInt8(shape.count)]
        for d in shape { out.appendLE(UInt64(d)) }
        out.appendLE(UInt64(offset))
        out.appendLE(UInt64(byteLength))
        out.appendLE(crc32)
        out.appendLE(Int32(scaleIndex ?? -1))
    }

    /// Decodes one entry, checking rule 10 (complete, valid UTF-8, known codes).
    static func decode(_ reader: inout ByteReader, index: Int) throws(SWMError) -> SWMEntry {
        let place = "#\(index)"
        do {
            let n = Int(try reader.readLE(UInt16.self))
            guard (1...1024).contains(n) else { throw SWMError.badEntry(place, "name length \(n)", rule: 10) }
            guard let name = String(validating: try reader.readSlice(n), as: UTF8.self) else {
                throw SWMError.badEntry(place, "name is not UTF-8", rule: 10)
            }
            let dtypeCode = try reader.readUInt8(), layoutCode = try reader.readUInt8(), rank = Int(try reader.readUInt8())
            guard let dtype = SWMDType(rawValue: dtypeCode) else { throw SWMError.badEntry(name, "unknown dtype code \(dtypeCode)", rule: 10) }
            guard let layout = SWMLayout(rawValue: layoutCode) else { throw SWMError.badEntry(name, "unknown layout code \(layoutCode)", rule: 10) }
            guard rank <= 8 else { throw SWMError.badEntry(name, "rank \(rank) > 8", rule: 10) }
            var shape: [Int] = []
            for _ in 0..<rank {
                let d = try reader.readLE(UInt64.self)
                guard d <= UInt64(Int32.max) else { throw SWMError.badEntry(name, "dimension \(d) too large", rule: 11) }
                shape.append(Int(d))
            }
            let offset = try reader.readLE(UInt64.self), length = try reader.readLE(UInt64.self)
            guard offset <= UInt64(Int.max / 2), length <= UInt64(Int.max / 2) else {
                throw SWMError.badEntry(name, "offset or length too large", rule: 12)
            }
            let crc = try reader.readLE(UInt32.self)
            let scale = try reader.readLE(Int32.self)
            guard scale >= -1 else { throw SWMError.badEntry(name, "scale index \(scale)", rule: 13) }
            return SWMEntry(name: name, dtype: dtype, layout: layout, shape: shape, offset: Int(offset),
                            byteLength: Int(length), crc32: crc, scaleIndex: scale < 0 ? nil : Int(scale))
        } catch let error as SWMError {
            throw error
        } catch {
            throw .badEntry(place, "directory ends inside the entry", rule: 10)
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
