import SWSLCore

/// An execution plan cannot be built from what it was given. Every case names the layer
/// (`stem.conv1`, `stage3.block1.conv1`, `stage1.block0.downsample.conv`, `fc`).
public enum PlanError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A tensor or vector has the wrong shape or length.
    case shapeMismatch(layer: String, what: String, expected: String, actual: String)
    /// Weights of an element type the kernels do not take.
    case unsupportedType(layer: String, dtype: DType)
    /// int8 weights without per-output-channel scales.
    case missingScales(layer: String)
    /// Kernel, stride, padding, groups or channel counts that do not make a convolution.
    case invalidGeometry(layer: String, reason: String)
    /// The network as a whole is malformed (no stages, a block without convolutions).
    case invalidTopology(String)

    /// The message the command line prints.
    public var description: String {
        switch self {
        case .shapeMismatch(let layer, let what, let expected, let actual):
            "\(layer): \(what) should be \(expected), is \(actual)"
        case .unsupportedType(let layer, let dtype):
            "\(layer): weights of type \(dtype.rawValue) are not supported (float32, float16 or int8)"
        case .missingScales(let layer):
            "\(layer): int8 weights need per-output-channel scales"
        case .invalidGeometry(let layer, let reason):
            "\(layer): \(reason)"
        case .invalidTopology(let reason):
            "invalid network: \(reason)"
        }
    }
}
