import SWSLCore
internal import CONNX

/// Turns `TensorProto`s into `Tensor`s, checking the declared shape and data type against the data
/// (Formats/ONNX.md, rules 4–9).
struct ONNXTensorDecoder {
    private var external: ONNXExternalData

    init(modelPath: String) {
        external = ONNXExternalData(modelPath: modelPath)
    }

    /// Decodes `proto`; `name` is used in errors. `rawDataInFile` is the tensor's raw_data when it was
    /// left in the file rather than unpacked (then `proto` has no raw_data of its own).
    mutating func decode(_ proto: Onnx__TensorProto, name: String, rawDataInFile: ByteStorage? = nil) throws(ReadError) -> Tensor {
        let place = "tensor '\(name)'"
        let code = proto.has_data_type != 0 ? Int(proto.data_type) : 0
        guard let dtype = ONNXDataType.dtype(code: code) else {
            throw .corrupt(where: place, "data type \(ONNXDataType.describe(code: code)) is not supported")
        }
        let shape = try ONNXProto.buffer(proto.dims, proto.n_dims, place).map { Int($0) }
        let count: Int
        do throws(TensorLayoutError) { count = try Tensor.elementCount(shape) } catch { throw .tensor(name: name, error) }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw .tensor(name: name, .badShape("\(shape) of \(dtype) overflows in bytes")) }
        guard proto.segment == nil else { throw .corrupt(where: place, "segmented tensors are not supported") }

        let isExternal = try Self.isExternal(proto, place: place)
        let hasRawData = proto.has_raw_data != 0 || rawDataInFile != nil
        let source = isExternal ? "external data" : hasRawData ? "raw_data" : Self.typedField(for: dtype)
        for (field, values) in Self.typedFieldCounts(proto) where values > 0 && field != source {
            throw .corrupt(where: place, "has \(field) besides \(source) for a \(dtype) tensor")
        }
        if isExternal && hasRawData { throw .corrupt(where: place, "has raw_data besides external data") }

        let storage: ByteStorage
        var offset = 0
        if isExternal {
            let entries = try ONNXProto.messages(proto.external_data, proto.n_external_data, place).map {
                (key: ONNXProto.string($0.key), value: ONNXProto.string($0.value))
            }
            (storage, offset) = try external.locate(tensor: name, entries: entries, byteCount: byteCount)
        } else if hasRawData {
            let raw = proto.raw_data
            let count = rawDataInFile?.count ?? raw.len
            guard count == byteCount, rawDataInFile != nil || byteCount == 0 || raw.data != nil else {
                throw .corrupt(where: place, "raw_data has \(count) bytes, dims \(shape) of \(dtype) need \(byteCount)")
            }
            storage = rawDataInFile ?? ByteStorage.copying(UnsafeRawBufferPointer(start: raw.data, count: byteCount))
        } else {
            storage = try Self.packTyped(proto, dtype: dtype, count: count, place: place)
        }
        do throws(TensorLayoutError) {
            return try Tensor(dtype: dtype, shape: shape, storage: storage, byteOffset: offset)
        } catch {
            throw .tensor(name: name, error)
        }
    }

    /// True when the data lives in another file (`data_location` EXTERNAL).
    private static func isExternal(_ proto: Onnx__TensorProto, place: String) throws(ReadError) -> Bool {
        let location = proto.has_data_location != 0 ? Int(proto.data_location.rawValue) : 0
        switch location {
        case 0:
            guard proto.n_external_data == 0 else { throw .corrupt(where: place, "has external_data but data_location is not EXTERNAL") }
            return false
        case 1: return true
        default: throw .corrupt(where: place, "unknown data_location \(location)")
        }
    }

    /// The typed field ONNX stores elements of `dtype` in.
    private static func typedField(for dtype: DType) -> String {
        switch dtype {
        case .float32: "float_data"
        case .float64: "double_data"
        case .int64: "int64_data"
        default: "int32_data"
        }
    }

    private static func typedFieldCounts(_ proto: Onnx__TensorProto) -> [(String, Int)] {
        [("float_data", proto.n_float_data), ("int32_data", proto.n_int32_data), ("string_data", proto.n_string_data),
         ("int64_data", proto.n_int64_data), ("double_data", proto.n_double_data), ("uint64_data", proto.n_uint64_data)]
    }

    /// Elements from the typed field for `dtype`, as contiguous little-endian bytes.
    private static func packTyped(_ proto: Onnx__TensorProto, dtype: DType, count: Int, place: String)
        throws(ReadError) -> ByteStorage
    {
        let field = typedField(for: dtype)
        switch dtype {
        case .float32:
            let values = try ONNXProto.buffer(proto.float_data, proto.n_float_data, place)
            return try pack(values, field: field, count: count, dtype: dtype, place: place) { UInt64($0.bitPattern) }
        case .float64:
            let values = try ONNXProto.buffer(proto.double_data, proto.n_double_data, place)
            return try pack(values, field: field, count: count, dtype: dtype, place: place) { $0.bitPattern }
        case .int64:
            let values = try ONNXProto.buffer(proto.int64_data, proto.n_int64_data, place)
            return try pack(values, field: field, count: count, dtype: dtype, place: place) { UInt64(bitPattern: $0) }
        default:
            let values = try ONNXProto.buffer(proto.int32_data, proto.n_int32_data, place)
            let range = int32Range(for: dtype)
            if let bad = values.firstIndex(where: { !range.contains(Int($0)) }) {
                throw .corrupt(where: place, "int32_data[\(bad)] = \(values[bad]) does not fit \(dtype)")
            }
            return try pack(values, field: field, count: count, dtype: dtype, place: place) {
                UInt64(truncatingIfNeeded: $0)
            }
        }
    }

    /// Values `int32_data` may hold for `dtype`; 16-bit float bit patterns may be stored signed or unsigned.
    private static func int32Range(for dtype: DType) -> ClosedRange<Int> {
        switch dtype {
        case .bool: 0...1
        case .uint8: 0...255
        case .int8: -128...127
        case .int16: -32768...32767
        case .float16, .bfloat16: -32768...65535
        default: Int(Int32.min)...Int(Int32.max)
        }
    }

    /// Writes the low `dtype.byteSize` bytes of each encoded value, little-endian, after checking the count.
    private static func pack<T>(
        _ values: UnsafeBufferPointer<T>, field: String, count: Int, dtype: DType, place: String,
        encode: (T) -> UInt64
    ) throws(ReadError) -> ByteStorage {
        guard values.count == count else {
            throw .corrupt(where: place, "\(field) has \(values.count) values, the dims need \(count)")
        }
        let size = dtype.byteSize
        return ByteStorage.allocate(count: count * size) { (out: UnsafeMutableRawBufferPointer) -> Void in
            for (i, value) in values.enumerated() {
                let bits = encode(value)
                switch size {
                case 8: out.storeBytes(of: bits.littleEndian, toByteOffset: i * 8, as: UInt64.self)
                case 4: out.storeBytes(of: UInt32(truncatingIfNeeded: bits).littleEndian, toByteOffset: i * 4, as: UInt32.self)
                case 2: out.storeBytes(of: UInt16(truncatingIfNeeded: bits).littleEndian, toByteOffset: i * 2, as: UInt16.self)
                default: out[i] = UInt8(truncatingIfNeeded: bits)
                }
            }
        }
    }
}
