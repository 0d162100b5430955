import SWSLCore

/// A checkpoint's tensors under canonical names, with what the source said about them: the
/// stage between the convention-specific mappers (names, ONNX graph) and the one inference
/// and assembly routine that all of them share.
struct SourceWeights: Sendable {
    /// One tensor: its canonical name, and how the source names it (for error messages).
    struct Entry: Sendable {
        let canonical: String
        let source: String
        let tensor: Tensor
    }

    /// Attributes an ONNX `Conv` node, or a whole pickled model's `Conv2d` module, gave one canonical convolution.
    struct ConvAttributes: Sendable {
        /// The node's name, or the module's path.
        let node: String
        let stride: Int
        let padding: Int
        let groups: Int
        /// The module's class, for a pickled module; nil for an ONNX node.
        var pickledClass: String? = nil
    }

    let convention: Convention
    /// Entries in source order.
    private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]
    /// The shortcut average-pools before its 1×1 conv (timm `avg_down`).
    var avgDown = false
    /// Where a bottleneck's stride sits, when the source shows it (ONNX); nil means the 3×3.
    var strideOn3x3: Bool?
    /// Whether every convolution must be followed by BatchNorm (true for state dicts).
    var batchNormRequired = true
    /// ONNX: each canonical conv path's node attributes, checked against the architecture.
    var convAttributes: [String: ConvAttributes] = [:]
    /// ONNX: the canonical block paths whose shortcut starts with an average pool.
    var pooledShortcuts: Set<String> = []
    /// ONNX: BatchNorm epsilon by canonical BN path; absent means PyTorch's 1e-5.
    var epsilons: [String: Float] = [:]
    /// ONNX: "NHWC" when the graph's input is transposed to NCHW first (tf2onnx); nil for NCHW.
    var graphInputLayout: String?
    /// ONNX: "softmax" when the graph ends in a Softmax over the logits; nil when it ends in the logits.
    var graphOutput: String?
    /// ONNX: the input side the graph is fixed to, when its head pools with a fixed kernel that covers
    /// the whole map only at that size (the model zoo's `AveragePool` 7×7 at 224).
    var fixedInputSize: Int?
    /// How the source names a canonical tensor, for tensors it lacks.
    let sourceName: @Sendable (String) -> String

    init(convention: Convention, sourceName: @escaping @Sendable (String) -> String) {
        self.convention = convention
        self.sourceName = sourceName
    }

    /// Adds a tensor; two source tensors for one canonical name are ambiguous.
    mutating func add(_ canonical: String, source: String, tensor: Tensor) throws(SchemaError) {
        if let existing = index[canonical] {
            throw .ambiguous("'\(entries[existing].source)' and '\(source)' both stand for \(canonical)")
        }
        index[canonical] = entries.count
        entries.append(Entry(canonical: canonical, source: source, tensor: tensor))
    }

    subscript(canonical: String) -> Entry? { index[canonical].map { entries[$0] } }

    /// One dimension of a tensor's shape; 0 where it has fewer, or an absurd size over 2²⁴ that
    /// the architecture's arithmetic should not see (shapes are checked in full later).
    func dim(_ canonical: String, _ axis: Int) -> Int {
        guard let shape = self[canonical]?.tensor.shape, axis < shape.count, shape[axis] <= 1 << 24 else { return 0 }
        return shape[axis]
    }

    /// The source's name for a canonical tensor, whether or not it is present.
    func name(_ canonical: String) -> String { self[canonical]?.source ?? sourceName(canonical) }
}
