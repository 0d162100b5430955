import SWSLCore

/// Why a checkpoint could not be mapped onto the canonical ResNet schema. Tensor names are the
/// checkpoint's own (prefix included); ONNX nodes are named as in the graph (`#index` when unnamed).
public enum SchemaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The weights or graph are not a ResNet at all (a VGG, an MLP…); says why.
    case notAResNet(String)
    /// A kind of network the schema deliberately does not cover (a CIFAR-style ResNet, a plain
    /// convolutional network), named as what it is (Formats/resnet-schema.md, "Not covered").
    case notCovered(String)
    /// The structure is a ResNet's but this tensor is not there.
    case missingTensor(String)
    /// A tensor that has no place in the ResNet the other tensors describe.
    case unexpectedTensor(String)
    /// A tensor whose shape is not the one the architecture implies.
    case wrongShape(name: String, expected: [Int], actual: [Int])
    /// A weight that is not floating point.
    case notFloatingPoint(name: String, dtype: DType)
    /// The input fits more than one reading; we refuse to guess.
    case ambiguous(String)
    /// An ONNX node the canonical schema cannot express.
    case unsupportedNode(name: String, opType: String, why: String)

    /// One line for people, naming tensors and nodes as the source file does.
    public var description: String {
        switch self {
        case .notAResNet(let why): "not a ResNet: \(why)"
        case .notCovered(let what): "not a network the ResNet schema covers: \(what)"
        case .missingTensor(let name): "missing tensor '\(name)'"
        case .unexpectedTensor(let name): "unexpected tensor '\(name)': it has no place in the ResNet the other tensors describe"
        case .wrongShape(let name, let expected, let actual):
            "tensor '\(name)' has shape \(actual), expected \(expected)"
        case .notFloatingPoint(let name, let dtype): "tensor '\(name)' is \(dtype.rawValue), expected a floating-point type"
        case .ambiguous(let why): "ambiguous: \(why)"
        case .unsupportedNode(let name, let opType, let why): "ONNX node '\(name)' (\(opType)): \(why)"
        }
    }
}
