import SWSLCore

/// The container formats we read.
public enum CheckpointFormat: String, Sendable, CaseIterable {
    case pytorchZip = "pytorch-zip"
    case pytorchLegacy = "pytorch-legacy"
    case pytorchTar = "pytorch-tar"
    case onnx
    case safetensors
}

/// A tensor with the name its file gives it.
public struct NamedTensor: Sendable {
    public let name: String
    public let tensor: Tensor

    public init(name: String, tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}

/// Everything read from one checkpoint file.
public struct Checkpoint: Sendable {
    /// The path the checkpoint was read from.
    public let path: String
    public let format: CheckpointFormat
    /// Format facts in display order (zip version record, byte order, legacy protocol, ONNX opset, metadata…).
    public var facts: [(String, JSONValue)]
    /// The weights mapping found, in file order (ONNX: the graph's initializers).
    public var weights: [NamedTensor]
    /// Where the weights were found inside the file's object (`state_dict`, `model`, `nn.Module`), nil for a bare mapping.
    public var wrapper: String?
    /// A prefix every weight name carries (`module.`), reported, not stripped.
    public var prefix: String?
    /// The whole unpickled object, for PyTorch files.
    public var object: PickleValue?
    /// The graph, for ONNX files.
    public var graph: ONNXGraph?

    public init(path: String, format: CheckpointFormat, facts: [(String, JSONValue)] = [], weights: [NamedTensor] = [],
                wrapper: String? = nil, prefix: String? = nil, object: PickleValue? = nil, graph: ONNXGraph? = nil) {
        self.path = path
        self.format = format
        self.facts = facts
        self.weights = weights
        self.wrapper = wrapper
        self.prefix = prefix
        self.object = object
        self.graph = graph
    }
}
