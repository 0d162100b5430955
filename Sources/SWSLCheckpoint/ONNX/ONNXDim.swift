/// One dimension of a value's shape in an ONNX graph.
public enum ONNXDim: Sendable, Equatable {
    /// A fixed size.
    case value(Int)
    /// A symbolic size, such as "batch_size".
    case param(String)
    /// Neither size nor name given.
    case unknown
}
