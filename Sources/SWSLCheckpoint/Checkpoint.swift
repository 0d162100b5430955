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
    /// The name exactly as the file gives it, any wrapping prefix (`module.`) included.
    public let name: String
    /// The data, contiguous and little-endian; often a view of the mapped file.
    public let tensor: Tensor

    /// Pairs a file's name for a tensor with its data.
    public init(name: String, tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}

/// Everything read from one checkpoint file.
public struct Checkpoint: Sendable {
    /// The path the checkpoint was read from.
    public let path: String
    /// The container the file was, detected from its bytes (ONNX also from its `.onnx` extension).
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
    /// The hub folder's `config.json`, when the checkpoint was given as a Hugging Face hub folder
    /// (`path` is then the weights file inside it).
    public var hub: HubConfig?
    /// A TorchScript archive's code (`code/__torch__/….py`, by path below `code/`), read as text and never
    /// run: where its modules' constructor facts (a convolution's stride, padding, dilation) live. Empty
    /// for other files.
    public var scriptCode: [String: String] = [:]

    /// Everything but `path` and `format` may be left empty: each reader fills what its format has.
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
