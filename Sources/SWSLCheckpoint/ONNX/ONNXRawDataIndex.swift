/// Lets the initializers' `raw_data` stay in the mapped file instead of being copied.
///
/// protobuf-c copies every `bytes` field while unpacking, so a model with its weights inside the
/// `.onnx` would be held twice (and a third time when turned into tensors). Before unpacking, this
/// walks the protobuf wire format just deep enough — ModelProto.graph (7) → GraphProto.initializer (5)
/// → TensorProto.raw_data (9) — to note where each initializer's raw_data lies in the file, and builds
/// the message again without those fields (a few kilobytes of graph). protobuf-c then unpacks that, and
/// the tensor decoder takes the data from the noted ranges.
///
/// Anything out of the ordinary — malformed varints, lengths past the end, group wire types, a field
/// whose wire type is not the schema's, the graph or a raw_data field given twice (protobuf merges or
/// keeps the last) — gives nil, and the reader unpacks the file as it is: the same checks then apply
/// to the same bytes, only with the copy.
struct ONNXRawDataIndex {
    /// The ModelProto without the initializers' raw_data fields.
    let message: [UInt8]
    /// Initializer index (in file order) → byte range of its raw_data in the file.
    let rawData: [Int: Range<Int>]

    private static let graphField: UInt64 = 7, initializerField: UInt64 = 5, rawDataField: UInt64 = 9
    private static let lengthDelimited = 2

    /// nil when initializers' raw_data is less than half the file or the file has a shape this walk does
    /// not take.
    static func build(_ bytes: UnsafeRawBufferPointer) -> ONNXRawDataIndex? {
        var out: [UInt8] = []
        var rawData: [Int: Range<Int>] = [:]
        var sawGraph = false
        var position = 0
        while position < bytes.count {
            guard let field = WireField(bytes, at: position, end: bytes.count) else { return nil }
            if field.number == graphField {
                guard field.wireType == lengthDelimited, !sawGraph,
                      let graph = strippedGraph(bytes, field.payload, rawData: &rawData)
                else { return nil }
                sawGraph = true
                appendLengthDelimited(&out, field: graphField, graph)
            } else {
                out.append(contentsOf: bytes[field.start..<field.end])
            }
            position = field.end
        }
        // Worth it only when raw_data is most of the file (else the rebuilt message is one more copy).
        let inRawData = rawData.values.reduce(0) { $0 + $1.count }
        return rawData.isEmpty || inRawData < bytes.count / 2 ? nil : ONNXRawDataIndex(message: out, rawData: rawData)
    }

    private static func strippedGraph(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, rawData: inout [Int: Range<Int>])
        -> [UInt8]?
    {
        var out: [UInt8] = []
        var index = 0
        var position = range.lowerBound
        while position < range.upperBound {
            guard let field = WireField(bytes, at: position, end: range.upperBound) else { return nil }
            if field.number == initializerField {
                guard field.wireType == lengthDelimited, let (tensor, data) = strippedTensor(bytes, field.payload) else { return nil }
                if let data { rawData[index] = data }
                index += 1
                appendLengthDelimited(&out, field: initializerField, tensor)
            } else {
                out.append(contentsOf: bytes[field.start..<field.end])
            }
            position = field.end
        }
        return out
    }

    private static func strippedTensor(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> ([UInt8], Range<Int>?)? {
        var out: [UInt8] = []
        var data: Range<Int>?
        var position = range.lowerBound
        while position < range.upperBound {
            guard let field = WireField(bytes, at: position, end: range.upperBound) else { return nil }
            if field.number == rawDataField {
                guard field.wireType == lengthDelimited, data == nil else { return nil }
                data = field.payload
            } else {
                out.append(contentsOf: bytes[field.start..<field.end])
            }
            position = field.end
        }
        return (out, data)
    }

    private static func appendLengthDelimited(_ out: inout [UInt8], field: UInt64, _ payload: [UInt8]) {
        appendVarint(&out, field << 3 | UInt64(lengthDelimited))
        appendVarint(&out, UInt64(payload.count))
        out.append(contentsOf: payload)
    }

    private static func appendVarint(_ out: inout [UInt8], _ value: UInt64) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}

/// One field of a protobuf message: its number, wire type, where it starts and ends, and its payload
/// (the bytes after a length prefix, or the value bytes of a scalar).
private struct WireField {
    let number: UInt64
    let wireType: Int
    let start: Int
    let payload: Range<Int>
    let end: Int

    /// Parses the field at `start`; nil if it is malformed, a group, or runs past `end`.
    init?(_ bytes: UnsafeRawBufferPointer, at start: Int, end: Int) {
        guard let (tag, afterTag) = WireField.varint(bytes, at: start, end: end) else { return nil }
        number = tag >> 3
        wireType = Int(tag & 7)
        guard number != 0 else { return nil }
        self.start = start
        switch wireType {
        case 0:
            guard let (_, next) = WireField.varint(bytes, at: afterTag, end: end) else { return nil }
            payload = afterTag..<next
        case 1, 5:
            let size = wireType == 1 ? 8 : 4
            guard end - afterTag >= size else { return nil }
            payload = afterTag..<(afterTag + size)
        case 2:
            guard let (length, body) = WireField.varint(bytes, at: afterTag, end: end),
                  length <= UInt64(end - body) else { return nil }
            payload = body..<(body + Int(length))
        default:
            return nil
        }
        self.end = payload.upperBound
    }

    /// A base-128 varint of at most 10 bytes starting at `position`, and the index after it.
    static func varint(_ bytes: UnsafeRawBufferPointer, at position: Int, end: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = position
        while i < end && shift < 70 {
            let byte = bytes[i]
            if shift == 63 && byte > 1 { return nil }
            value |= UInt64(byte & 0x7F) << shift
            i += 1
            if byte < 0x80 { return (value, i) }
            shift += 7
        }
        return nil
    }
}
