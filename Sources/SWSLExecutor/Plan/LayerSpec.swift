import SWSLCore
import SWSLFormat

/// One convolution (or the classifier) as the executor runs it: weights, an optional bias before
/// the scales, optional per-output-channel scales, and a bias after them. The one layer spec of a
/// plan: a `.swm` loader builds it with BatchNorm folded in, the float reference with BatchNorm's
/// terms as PyTorch computes them (`preBias` the convolution's bias, `scales` and `bias` BatchNorm's).
///
/// The layer computes `y[o] = ((Σ w[o, ·] · x) + preBias[o]) × scales[o] + bias[o]`, the sum over
/// the stored weight values (integers for int8, halves for float16), each operation rounded to
/// float32, then ReLU where the topology puts one.
public struct LayerSpec: Sendable {
    /// Where the weights are and in which layout.
    public enum Weights: Sendable {
        /// C-order `[out, in / groups, kernel, kernel]` (or `[out, in]` for the classifier); float32,
        /// float16 or int8. Copied into the packed layout when the plan is built.
        case plain(Tensor)
        /// Already in `PackedWeightLayout` (1-D, float32, float16 or int8). Used in place, no copy:
        /// the tensor's storage (a mapped file, say) stays alive as long as the plan.
        case packed(Tensor)
    }

    /// The layer's canonical path (`stem.conv1`, `stage2.block0.conv1`, `stage2.block0.downsample.conv`,
    /// `fc`): its name in the plan, in errors and in observations.
    public let name: String
    /// The weights, plain or pre-packed.
    public let weights: Weights
    /// Per-output-channel bias added to the weight sums before the scales (the float reference's
    /// convolution bias ahead of BatchNorm); nil for folded layers.
    public let preBias: [Float]?
    /// Per-output-channel multipliers of the weight sums: required for int8, optional otherwise.
    public let scales: [Float]?
    /// Per-output-channel bias, added after the scales.
    public let bias: [Float]
    /// Input channels (features for the classifier).
    public let inChannels: Int
    /// Output channels (classes for the classifier).
    public let outChannels: Int
    /// Square kernel size (1 for the classifier).
    public let kernel: Int
    /// Stride in both directions.
    public let stride: Int
    /// Zero padding on every side.
    public let padding: Int
    /// Convolution groups (32 in a ResNeXt 3×3).
    public let groups: Int
    /// The calibrated quantization step of this layer's input for 8-bit activations (x ≈ q × scale,
    /// q in 0...255), used by `Int8Arithmetic.integer`; nil there means each input's own maximum.
    public let activationScale: Float?

    /// A folded convolution; shapes are checked when a plan is built.
    public init(name: String, weights: Weights, preBias: [Float]? = nil, scales: [Float]? = nil, bias: [Float], inChannels: Int, outChannels: Int,
                kernel: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1, activationScale: Float? = nil) {
        self.name = name
        self.weights = weights
        self.preBias = preBias
        self.scales = scales
        self.bias = bias
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.groups = groups
        self.activationScale = activationScale
    }

    /// Reduction length of one output: in / groups × kernel × kernel.
    public var reductionSize: Int { inChannels / max(groups, 1) * kernel * kernel }
}
