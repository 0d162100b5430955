/// An input an executor cannot run.
public enum ExecutorError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The input array does not hold batch × channels × height × width floats.
    case inputCount(expected: Int, actual: Int, shape: [Int])
    /// A batch, height or width below 1.
    case invalidShape([Int])
    /// The input is smaller than a layer's kernel reaches.
    case inputTooSmall(layer: String, shape: [Int])
    /// A block's shortcut and main path end in different shapes (a malformed model).
    case shortcutMismatch(layer: String, main: [Int], shortcut: [Int])
    /// The input's activations would need more memory than `PlanExecutor.maxActivationBytes` (nil: beyond counting).
    case tooLarge(shape: [Int], bytes: Int?, limit: Int)

    /// The message the command line prints.
    public var description: String {
        switch self {
        case .inputCount(let expected, let actual, let shape):
            "input of shape \(shape) needs \(expected) floats, got \(actual)"
        case .invalidShape(let shape):
            "input shape \(shape) is not a positive NCHW shape"
        case .inputTooSmall(let layer, let shape):
            "input shape \(shape) is too small for \(layer)"
        case .shortcutMismatch(let layer, let main, let shortcut):
            "\(layer): main path gives \(main) but the shortcut gives \(shortcut)"
        case .tooLarge(let shape, let bytes, let limit):
            "input shape \(shape) needs \(bytes.map { "\($0 >> 20) MiB" } ?? "more memory than can be counted") of activations, "
                + "more than the \(limit >> 20) MiB a run may take"
        }
    }
}
