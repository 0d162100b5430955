/// A dense tensor: contiguous, C order, little-endian elements, held by a shared `ByteStorage`.
/// Readers produce tensors through `Tensor.view(...)`, which checks every bound first.
public struct Tensor: Sendable {
    /// Element type; each element is `dtype.byteSize` little-endian bytes.
    public let dtype: DType
    /// Dimensions, outermost first (C order); `[]` is a scalar. Sizes are non-negative and fit the storage.
    public let shape: [Int]
    /// The storage that keeps `bytes` alive.
    public let storage: ByteStorage
    /// Where this tensor's bytes start inside `storage`.
    public let byteOffset: Int

    /// Wraps bytes that are already contiguous and little-endian. Checks the range.
    public init(dtype: DType, shape: [Int], storage: ByteStorage, byteOffset: Int = 0) throws(TensorLayoutError) {
        let count = try Tensor.elementCount(shape)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, byteOffset >= 0, byteOffset <= storage.count, bytes <= storage.count - byteOffset else {
            throw .outOfStorage(
                "\(byteOffset) + \(count) × \(dtype.byteSize) bytes exceeds the storage's \(storage.count) bytes")
        }
        self.dtype = dtype
        self.shape = shape
        self.storage = storage
        self.byteOffset = byteOffset
    }

    /// Number of elements; 1 for a scalar (shape `[]`).
    public var elementCount: Int { shape.reduce(1, *) }
    /// Number of bytes the elements occupy.
    public var byteCount: Int { elementCount * dtype.byteSize }

    /// The tensor's bytes (contiguous, little-endian).
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage.bytes[byteOffset..<byteOffset + byteCount])
    }

    /// CRC-32 of the tensor's bytes.
    public var crc32: UInt32 { CRC32.checksum(bytes) }

    /// Elements converted to `Float` (any dtype).
    public func floats() -> [Float] {
        let raw = bytes
        let n = elementCount
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            for i in 0..<n { out[i] = Tensor.loadFloat(raw, index: i, dtype: dtype) }
            initialized = n
        }
    }

    /// Elements converted to `Int64` (integer and bool dtypes; floats are truncated, and a float that is
    /// not finite or not within ±2⁶² becomes `Int64.min`, a value no caller accepts).
    public func integers() -> [Int64] {
        let raw = bytes
        return (0..<elementCount).map { i in
            switch dtype {
            case .int64: Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))
            case .int32: Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
            case .int16: Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)))
            case .int8: Int64(Int8(bitPattern: raw[i]))
            case .uint8, .bool: Int64(raw[i])
            default: Tensor.truncated(Tensor.loadFloat(raw, index: i, dtype: dtype))
            }
        }
    }

    /// `Int64(value)` without trapping: values that are not finite or beyond ±2⁶² give `Int64.min`.
    static func truncated(_ value: Float) -> Int64 {
        value.isFinite && abs(value) < 0x1p62 ? Int64(value) : .min
    }

    static func loadFloat(_ raw: UnsafeRawBufferPointer, index i: Int, dtype: DType) -> Float {
        switch dtype {
        case .float32:
            return Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
        case .float64:
            return Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
        case .float16:
            return Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))))
        case .bfloat16:
            let bits = UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16
            return Float(bitPattern: bits)
        case .int64: return Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))
        case .int32: return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
        case .int16: return Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)))
        case .int8: return Float(Int8(bitPattern: raw[i]))
        case .uint8, .bool: return Float(raw[i])
        }
    }

    /// Product of `shape`, checked: negative sizes and overflow are errors.
    public static func elementCount(_ shape: [Int]) throws(TensorLayoutError) -> Int {
        var count = 1
        for size in shape {
            guard size >= 0 else { throw .badShape("negative size \(size) in \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw .badShape("element count of \(shape) overflows") }
            count = product
        }
        return count
    }
}

/// A tensor's declared layout does not fit its storage.
public enum TensorLayoutError: Error, CustomStringConvertible, Sendable, Equatable {
    case badShape(String)
    case outOfStorage(String)
    case tooLarge(String)

    /// The problem prefixed by its kind: "bad shape", "reads past its storage" or "too large".
    public var description: String {
        switch self {
        case .badShape(let m): "bad shape: \(m)"
        case .outOfStorage(let m): "reads past its storage: \(m)"
        case .tooLarge(let m): "too large: \(m)"
        }
    }
}
