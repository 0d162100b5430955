import SWSLCore
internal import CONNX

/// Reads ONNX model files (Formats/ONNX.md): the graph, its initializers as weights, and format facts.
enum ONNXReader {
    /// Reads the model in `storage`, the mapped contents of the file at `path`
    /// (external data is looked up next to `path`).
    static func read(path: String, storage: ByteStorage) throws(ReadError) -> Checkpoint {
        // The initializers' raw_data stays in the mapped file when the wire format allows (see
        // ONNXRawDataIndex); protobuf-c unpacks the rest.
        let index = ONNXRawDataIndex.build(storage.bytes)
        let unpacked = index.map { index in
            index.message.withUnsafeBufferPointer { onnx__model_proto__unpack(nil, $0.count, $0.baseAddress) }
        } ?? storage.bytes.baseAddress.flatMap {
            onnx__model_proto__unpack(nil, storage.count, $0.assumingMemoryBound(to: UInt8.self))
        }
        guard let model = unpacked else { throw .corrupt(where: "protobuf", "not a valid ONNX ModelProto") }
        defer { onnx__model_proto__free_unpacked(model, nil) }
        var decoder = ONNXGraphDecoder(modelPath: path, rawData: index?.rawData.mapValues { storage.slice($0) } ?? [:])
        let (graph, weights) = try decoder.decode(model.pointee)
        return Checkpoint(path: path, format: .onnx, facts: facts(graph), weights: weights, graph: graph)
    }

    /// Facts in display order: ir_version, opset, producer, inputs, outputs, node counts, metadata.
    private static func facts(_ graph: ONNXGraph) -> [(String, JSONValue)] {
        var counts: [(String, Int64)] = []
        for node in graph.nodes {
            if let i = counts.firstIndex(where: { $0.0 == node.opType }) { counts[i].1 += 1 } else { counts.append((node.opType, 1)) }
        }
        var facts: [(String, JSONValue)] = [
            ("ir_version", graph.irVersion.map { .int(Int64($0)) } ?? .null),
            ("opset", graph.opsetVersion.map { .int(Int64($0)) } ?? .null),
            ("producer_name", .string(graph.producerName)),
            ("producer_version", .string(graph.producerVersion)),
            ("inputs", .array(graph.inputs.map(describe))),
            ("outputs", .array(graph.outputs.map(describe))),
            ("nodes", .object(counts.map { ($0.0, .int($0.1)) })),
        ]
        if !graph.metadata.isEmpty {
            facts.append(("metadata", .object(graph.metadata.map { ($0.key, .string($0.value)) })))
        }
        return facts
    }

    /// `{name, dtype, shape}`; dtype is the `DType` name or the ONNX type name, shape entries are
    /// sizes, symbolic names or null.
    private static func describe(_ value: ONNXValueInfo) -> JSONValue {
        let dtype = value.dtype?.rawValue ?? ONNXDataType.describe(code: value.elementType)
        let shape: JSONValue = value.dims.map { dims in
            .array(dims.map { dim in
                switch dim {
                case .value(let size): .int(Int64(size))
                case .param(let name): .string(name)
                case .unknown: .null
                }
            })
        } ?? .null
        return .object([("name", .string(value.name)), ("dtype", .string(dtype)), ("dims", shape)])
    }
}
