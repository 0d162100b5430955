import SWSLCore

/// The name, element type and shape of a graph input or output.
public struct ONNXValueInfo: Sendable {
    /// The value's name, as node inputs and outputs refer to it.
    public let name: String
    /// The ONNX `TensorProto.DataType` code (1 is FLOAT); 0 when missing or not a tensor type.
    public let elementType: Int
    /// The dimensions; nil when the shape (even the rank) is unknown.
    public let dims: [ONNXDim]?

    /// The element type as a `DType`, nil when it is not one we read.
    public var dtype: DType? { ONNXDataType.dtype(code: elementType) }
}
