/// A ResNet ready to run: the ordered steps an `Executor` executes (convolutions with packed weights
/// and fused bias / BatchNorm / residual / ReLU epilogues, pools, the classifier).
///
/// Built by `init(stem:stages:fc:avgDown:int8:)` from layer specs (`LayerSpec`): SWSLPipeline lowers
/// a `.swm` file's folded layers, or a canonical model's float reference, into them.
public struct ExecutionPlan: Sendable {
    /// Channels the input must have.
    public let inputChannels: Int
    /// Logits per image.
    public let classes: Int
    /// The operations, in order.
    let steps: [PlanStep]
    /// Channels of each value (value 0 is the input).
    let valueChannels: [Int]

    init(builder: PlanBuilder) {
        self.inputChannels = builder.channels[0]
        self.classes = builder.channels[builder.channels.count - 1]
        self.steps = builder.steps
        self.valueChannels = builder.channels
    }

    /// The convolution layers, the classifier included, in order.
    var layers: [ConvLayer] {
        steps.compactMap { step in
            switch step {
            case .conv(let layer, _, _, _), .linear(let layer, _, _): layer
            default: nil
            }
        }
    }

    /// Number of convolutions, the classifier included.
    public var convolutionCount: Int { layers.count }

    /// Multiply-accumulates of one image of `height` × `width`.
    public func multiplyAccumulates(height: Int, width: Int) -> Int {
        var sizes = [(height, width)]
        var total = 0
        for step in steps {
            switch step {
            case .conv(let layer, let input, _, _):
                let out = layer.outputSize(height: sizes[input].0, width: sizes[input].1)
                total += out.height * out.width * layer.outChannels * layer.inChannels / layer.groups
                    * layer.kernel * layer.kernel
                sizes.append((out.height, out.width))
            case .maxPool(let k, let s, let p, let input, _):
                sizes.append(((sizes[input].0 + 2 * p - k) / s + 1, (sizes[input].1 + 2 * p - k) / s + 1))
            case .averagePool(let k, let s, let input, _):
                sizes.append((Schedule.ceilPoolSize(sizes[input].0, kernel: k, stride: s),
                              Schedule.ceilPoolSize(sizes[input].1, kernel: k, stride: s)))
            case .globalAveragePool:
                sizes.append((1, 1))
            case .linear(let layer, _, _):
                total += layer.inChannels * layer.outChannels
                sizes.append((1, 1))
            }
        }
        return total
    }
}
