import SWSLCore
internal import CONNX

/// Builds an `ONNXGraph` and the initializer tensors from an unpacked `ModelProto`.
struct ONNXGraphDecoder {
    private var tensors: ONNXTensorDecoder
    private let rawData: [Int: ByteStorage]

    /// `rawData`: initializers' raw_data by initializer index, viewed in the mapped file, for the fields
    /// that were left out of the unpacked message (ONNXRawDataIndex).
    init(modelPath: String, rawData: [Int: ByteStorage] = [:]) {
        tensors = ONNXTensorDecoder(modelPath: modelPath)
        self.rawData = rawData
    }

    /// The graph, and the initializers as tensors in file order.
    mutating func decode(_ model: Onnx__ModelProto) throws(ReadError) -> (ONNXGraph, [NamedTensor]) {
        guard let graph = model.graph?.pointee else { throw .corrupt(where: "model", "has no graph") }
        let opsets = try ONNXProto.messages(model.opset_import, model.n_opset_import, "opset_import").enumerated().map {
            (index, opset) throws(ReadError) -> (domain: String, version: Int) in
            guard opset.has_version != 0 else { throw .corrupt(where: "opset_import #\(index)", "has no version") }
            return (ONNXProto.string(opset.domain), Int(opset.version))
        }
        let metadata = try ONNXProto.messages(model.metadata_props, model.n_metadata_props, "metadata_props").map {
            (key: ONNXProto.string($0.key), value: ONNXProto.string($0.value))
        }
        let weights = try initializers(graph)
        let nodes = try ONNXProto.messages(graph.node, graph.n_node, "graph nodes").enumerated().map {
            (index, node) throws(ReadError) in try self.node(node, index: index)
        }
        let result = ONNXGraph(
            nodes: nodes,
            inputs: try ONNXProto.messages(graph.input, graph.n_input, "graph inputs").map(Self.valueInfo),
            outputs: try ONNXProto.messages(graph.output, graph.n_output, "graph outputs").map(Self.valueInfo),
            initializerNames: weights.map(\.name),
            opsetImports: opsets,
            irVersion: model.has_ir_version != 0 ? Int(model.ir_version) : nil,
            producerName: ONNXProto.string(model.producer_name),
            producerVersion: ONNXProto.string(model.producer_version),
            metadata: metadata)
        return (result, weights)
    }

    /// The initializers, which must have distinct, non-empty names.
    private mutating func initializers(_ graph: Onnx__GraphProto) throws(ReadError) -> [NamedTensor] {
        var seen = Set<String>()
        return try ONNXProto.messages(graph.initializer, graph.n_initializer, "initializers").enumerated().map {
            (index, proto) throws(ReadError) -> NamedTensor in
            let name = ONNXProto.string(proto.name)
            guard !name.isEmpty else { throw .corrupt(where: "initializer #\(index)", "has no name") }
            guard seen.insert(name).inserted else { throw .corrupt(where: "tensor '\(name)'", "initializer name appears twice") }
            return NamedTensor(name: name, tensor: try tensors.decode(proto, name: name, rawDataInFile: rawData[index]))
        }
    }

    private mutating func node(_ proto: Onnx__NodeProto, index: Int) throws(ReadError) -> ONNXNode {
        let name = ONNXProto.string(proto.name)
        let opType = ONNXProto.string(proto.op_type)
        let place = "node #\(index) '\(name)' (\(opType))"
        let attributes = try ONNXProto.messages(proto.attribute, proto.n_attribute, place).map {
            (attribute) throws(ReadError) -> (String, ONNXAttribute) in
            let attributeName = ONNXProto.string(attribute.name)
            return (attributeName, try self.attribute(attribute, place: "\(place) attribute '\(attributeName)'",
                                                      tensorName: "\(name.isEmpty ? "#\(index)" : name).\(attributeName)"))
        }
        return ONNXNode(
            name: name, opType: opType, domain: ONNXProto.string(proto.domain),
            inputs: try ONNXProto.strings(proto.input, proto.n_input, place),
            outputs: try ONNXProto.strings(proto.output, proto.n_output, place),
            attributes: attributes)
    }

    /// Decodes an attribute by its declared type; `tensorName` names a tensor value in errors.
    private mutating func attribute(_ proto: Onnx__AttributeProto, place: String, tensorName: String)
        throws(ReadError) -> ONNXAttribute
    {
        let type = proto.has_type != 0 ? Int(proto.type.rawValue) : 0
        switch type {
        case 1: return .float(proto.f)
        case 2: return .int(Int(proto.i))
        case 3: return .string(ONNXProto.string(proto.s))
        case 4:
            guard let tensor = proto.t?.pointee else { throw .corrupt(where: place, "TENSOR attribute without a tensor") }
            return .tensor(try tensors.decode(tensor, name: tensorName))
        case 6: return .floats(Array(try ONNXProto.buffer(proto.floats, proto.n_floats, place)))
        case 7: return .ints(try ONNXProto.buffer(proto.ints, proto.n_ints, place).map { Int($0) })
        case 8: return .strings(try ONNXProto.buffer(proto.strings, proto.n_strings, place).map(ONNXProto.string))
        default: return .other(type: type)
        }
    }

    /// A graph input or output; non-tensor types keep only their name.
    private static func valueInfo(_ proto: Onnx__ValueInfoProto) throws(ReadError) -> ONNXValueInfo {
        let name = ONNXProto.string(proto.name)
        guard let type = proto.type?.pointee, type.value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE,
              let tensor = type.tensor_type?.pointee
        else { return ONNXValueInfo(name: name, elementType: 0, dims: nil) }
        let dims = try tensor.shape.map { (shape) throws(ReadError) -> [ONNXDim] in
            try ONNXProto.messages(shape.pointee.dim, shape.pointee.n_dim, "value '\(name)'").map { dim in
                switch dim.value_case {
                case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE: .value(Int(dim.dim_value))
                case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM: .param(ONNXProto.string(dim.dim_param))
                default: .unknown
                }
            }
        }
        return ONNXValueInfo(name: name, elementType: tensor.has_elem_type != 0 ? Int(tensor.elem_type) : 0, dims: dims)
    }
}
