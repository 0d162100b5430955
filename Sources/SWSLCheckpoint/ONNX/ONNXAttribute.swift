import SWSLCore

/// The value of a node attribute.
public enum ONNXAttribute: Sendable {
    case int(Int)
    case float(Float)
    case string(String)
    case ints([Int])
    case floats([Float])
    case strings([String])
    /// A tensor value, such as a `Constant` node's `value`.
    case tensor(Tensor)
    /// A kind we do not decode (graph, tensor list, sparse tensor, type): its `AttributeProto.AttributeType` code.
    case other(type: Int)

    /// The value of an `.int` attribute.
    public var int: Int? {
        if case .int(let value) = self { value } else { nil }
    }

    /// The value of an `.ints` attribute.
    public var ints: [Int]? {
        if case .ints(let values) = self { values } else { nil }
    }

    /// The value of a `.float` attribute.
    public var float: Float? {
        if case .float(let value) = self { value } else { nil }
    }

    /// The value of a `.tensor` attribute.
    public var tensor: Tensor? {
        if case .tensor(let value) = self { value } else { nil }
    }
}
