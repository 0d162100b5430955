/// One operator application in an ONNX graph.
public struct ONNXNode: Sendable {
    /// The node's name; often empty or generated ("/layer1/layer1.0/conv1/Conv").
    public let name: String
    /// The operator, e.g. "Conv", "BatchNormalization", "Gemm".
    public let opType: String
    /// The operator set domain; "" (or "ai.onnx") for standard ONNX operators.
    public let domain: String
    /// Names of the input values; "" stands for an omitted optional input.
    public let inputs: [String]
    /// Names of the values this node produces, in the operator's output order.
    public let outputs: [String]
    /// Attributes in file order.
    public let attributes: [(String, ONNXAttribute)]

    /// Takes every field as given (the graph decoder, and graph rewrites that merge nodes).
    public init(name: String, opType: String, domain: String, inputs: [String], outputs: [String],
                attributes: [(String, ONNXAttribute)]) {
        self.name = name
        self.opType = opType
        self.domain = domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// The first attribute called `name`.
    public func attribute(_ name: String) -> ONNXAttribute? {
        attributes.first { $0.0 == name }?.1
    }
}
