/// One operation of an execution plan. Operands are value numbers: value 0 is the network input,
/// every step writes one new value. Activations are NCHW per image, except `globalAveragePool`'s
/// output and `linear`'s input and output, which are feature-major: `[features][batch]`.
enum PlanStep: Sendable {
    /// Convolution with its fused epilogue; `residual` (same shape as the output) is added before ReLU.
    case conv(ConvLayer, input: Int, residual: Int?, output: Int)
    /// Max pool, floor mode, padding as −∞.
    case maxPool(kernel: Int, stride: Int, padding: Int, input: Int, output: Int)
    /// Average pool, no padding, ceil mode, count_include_pad = False (timm's avg-down shortcut).
    case averagePool(kernel: Int, stride: Int, input: Int, output: Int)
    /// Mean over each channel's plane, written as `[channels][batch]`.
    case globalAveragePool(input: Int, output: Int)
    /// The classifier on `[features][batch]`, written as `[classes][batch]`.
    case linear(ConvLayer, input: Int, output: Int)

    /// The value this step writes.
    var output: Int {
        switch self {
        case .conv(_, _, _, let output), .maxPool(_, _, _, _, let output), .averagePool(_, _, _, let output),
             .globalAveragePool(_, let output), .linear(_, _, let output):
            output
        }
    }

    /// The values this step reads.
    var inputs: [Int] {
        switch self {
        case .conv(_, let input, let residual, _): residual.map { [input, $0] } ?? [input]
        case .maxPool(_, _, _, let input, _), .averagePool(_, _, let input, _), .globalAveragePool(let input, _),
             .linear(_, let input, _):
            [input]
        }
    }
}
