import SWSLCore

/// safetensors: an 8-byte little-endian header length N, N bytes of JSON
/// (`{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`), then the data.
/// The header is validated whole before any tensor is handed out (rules in Formats/safetensors.md).
enum SafetensorsReader {
    /// Header size cap (the reference implementation uses 100 MB).
    static let maxHeaderSize = 100_000_000

    static let dtypes: [String: DType] = [
        "F64": .float64, "F32": .float32, "F16": .float16, "BF16": .bfloat16, "I64": .int64, "I32": .int32,
        "I16": .int16, "I8": .int8, "U8": .uint8, "BOOL": .bool,
    ]

    /// True when the first 8 bytes are a plausible header length followed by '{'.
    static func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 10 else { return false }
        let n = bytes.loadUnaligned(as: UInt64.self).littleEndian
        return n >= 2 && n <= UInt64(bytes.count - 8) && bytes[8] == UInt8(ascii: "{")
    }

    static func read(path: String, file: ByteStorage) throws(ReadError) -> Checkpoint {
        var reader = ByteReader(file.bytes)
        let n: UInt64
        do { n = try reader.readLE(UInt64.self) } catch { throw .truncated(context: "safetensors header length", error) }
        guard n <= UInt64(maxHeaderSize), n <= UInt64(reader.remaining) else {
            throw .tooLarge(where: "safetensors header", "declares \(n) bytes; cap \(maxHeaderSize), file holds \(reader.remaining) after the length")
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: file.bytes[8..<8 + Int(n)])
        let header: JSONValue
        do { header = try JSONParser.parse(headerBytes, maxDepth: 8) } catch {
            throw .corrupt(where: "safetensors header", error.description)
        }
        guard case .object(let entries) = header else { throw .corrupt(where: "safetensors header", "is not a JSON object") }
        let dataStart = 8 + Int(n)
        let dataSize = file.count - dataStart

        var metadata: [(String, JSONValue)] = []
        var planned: [(name: String, dtype: DType, shape: [Int], range: Range<Int>)] = []
        for (name, spec) in entries {
            if name == "__metadata__" {
                guard case .object(let pairs) = spec, pairs.allSatisfy({ if case .string = $0.1 { true } else { false } }) else {
                    throw .corrupt(where: "safetensors __metadata__", "must map strings to strings")
                }
                metadata = pairs
                continue
            }
            planned.append(try plan(name: name, spec: spec, dataSize: dataSize))
        }
        // Rule: the byte ranges tile the data section exactly, in order: no gaps, no overlaps.
        var expected = 0
        for t in planned.sorted(by: { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }) {
            guard t.range.lowerBound == expected else {
                throw .corrupt(where: "tensor '\(t.name)'", t.range.lowerBound < expected
                    ? "data_offsets [\(t.range.lowerBound), \(t.range.upperBound)] overlap the previous tensor"
                    : "data_offsets start at \(t.range.lowerBound), leaving a hole after \(expected)")
            }
            expected = t.range.upperBound
        }
        guard expected == dataSize else {
            throw .corrupt(where: "safetensors data", "tensors cover \(expected) bytes, the data section holds \(dataSize)")
        }
        let data = file.slice(dataStart..<file.count)
        var weights: [NamedTensor] = []
        for t in planned {
            do {
                weights.append(NamedTensor(name: t.name, tensor: try Tensor(
                    dtype: t.dtype, shape: t.shape, storage: data, byteOffset: t.range.lowerBound)))
            } catch { throw .tensor(name: t.name, error) }
        }
        var facts: [(String, JSONValue)] = [("header_size", .int(Int64(n)))]
        if !metadata.isEmpty { facts.append(("metadata", .object(metadata))) }
        return Checkpoint(path: path, format: .safetensors, facts: facts, weights: weights, wrapper: nil,
                          prefix: WeightsLocator.commonPrefix(weights.map(\.name)))
    }

    private static func plan(name: String, spec: JSONValue, dataSize: Int) throws(ReadError)
        -> (name: String, dtype: DType, shape: [Int], range: Range<Int>)
    {
        let place = "tensor '\(name)'"
        guard case .string(let code)? = spec["dtype"] else { throw .corrupt(where: place, "has no dtype") }
        guard let dtype = dtypes[code] else { throw .corrupt(where: place, "dtype \(code) is not supported") }
        guard case .array(let dims)? = spec["shape"] else { throw .corrupt(where: place, "has no shape") }
        var shape: [Int] = []
        for d in dims {
            guard case .int(let v) = d, v >= 0 else { throw .corrupt(where: place, "shape \(dims.map { $0.serialized() }) is not non-negative integers") }
            shape.append(Int(v))
        }
        guard case .array(let offsets)? = spec["data_offsets"], offsets.count == 2,
              case .int(let begin) = offsets[0], case .int(let end) = offsets[1], begin >= 0, begin <= end
        else { throw .corrupt(where: place, "data_offsets must be [begin, end] with 0 ≤ begin ≤ end") }
        guard end <= Int64(dataSize) else {
            throw .tooLarge(where: place, "data_offsets end \(end) beyond the \(dataSize)-byte data section")
        }
        let count: Int
        do { count = try Tensor.elementCount(shape) } catch { throw .tensor(name: name, error) }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, Int64(bytes) == end - begin else {
            throw .corrupt(where: place, "\(dtype) \(shape) needs \(overflow ? "too many" : String(bytes)) bytes, data_offsets give \(end - begin)")
        }
        return (name, dtype, shape, Int(begin)..<Int(end))
    }
}
