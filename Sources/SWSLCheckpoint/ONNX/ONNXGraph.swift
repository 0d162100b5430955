/// The computation graph of an ONNX model, as read from the file: nodes in topological order,
/// the graph's signature, the names of its stored weights and the model's identity.
///
/// The weights themselves are the checkpoint's `weights` (the initializers, in file order);
/// tensors held by `Constant` nodes are in those nodes' attributes.
public struct ONNXGraph: Sendable {
    /// The nodes, in file order (ONNX requires topological order).
    public let nodes: [ONNXNode]
    /// The graph inputs; exporters may list initializers here too.
    public let inputs: [ONNXValueInfo]
    /// The graph outputs (for a classifier, the logits), with element type and shape where given.
    public let outputs: [ONNXValueInfo]
    /// Names of the initializers, in file order (the same order as the checkpoint's weights).
    public let initializerNames: [String]
    /// Every imported operator set, in file order. The default ONNX set has domain "" or "ai.onnx".
    public let opsetImports: [(domain: String, version: Int)]
    /// `ModelProto.ir_version`, nil when absent.
    public let irVersion: Int?
    /// `ModelProto.producer_name` (e.g. "pytorch"); empty when absent.
    public let producerName: String
    /// `ModelProto.producer_version`; empty when absent.
    public let producerVersion: String
    /// `ModelProto.metadata_props`, in file order.
    public let metadata: [(key: String, value: String)]

    /// Version of the default operator set ("" or "ai.onnx"), nil when the model imports none.
    public var opsetVersion: Int? {
        opsetImports.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version
    }
}
