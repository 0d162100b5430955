import SWSLCore
import SWSLNetwork

/// The naming convention a checkpoint used.
public enum Convention: String, Sendable {
    case torchvision, timm, huggingface
    case onnxGraph = "onnx-graph"
}

/// BatchNorm parameters of one normalisation layer, with its epsilon.
public struct BatchNormParameters: Sendable {
    /// γ, the per-channel scale, `[channels]`.
    public let weight: Tensor
    /// β, the per-channel shift, `[channels]`.
    public let bias: Tensor
    /// μ, the mean the layer subtracts, `[channels]`.
    public let runningMean: Tensor
    /// σ², `[channels]`; the layer divides by `√(σ² + epsilon)`.
    public let runningVar: Tensor
    /// From the source where it has one (ONNX attribute), else PyTorch's 1e-5.
    public let epsilon: Float

    /// The four `[channels]` tensors of one BatchNorm layer; `epsilon` defaults to PyTorch's 1e-5.
    public init(weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor, epsilon: Float = 1e-5) {
        self.weight = weight
        self.bias = bias
        self.runningMean = runningMean
        self.runningVar = runningVar
        self.epsilon = epsilon
    }
}

/// One convolution of the canonical network, with what follows it before the activation:
/// an optional bias (ONNX graphs where the exporter folded BatchNorm) and an optional BatchNorm.
public struct ConvUnit: Sendable {
    /// Where the architecture places it: canonical paths (`stage2.block0.conv1`, `stage2.block0.bn1`),
    /// shape, stride, padding and groups.
    public let geometry: ConvGeometry
    /// `[out, in / groups, kh, kw]`, the shape `geometry` gives.
    public let weight: Tensor
    /// The convolution's own bias `[out]`: only in ONNX graphs whose exporter folded BatchNorm, else nil.
    public let bias: Tensor?
    /// The BatchNorm after the convolution; nil where the source has none (BatchNorm-folded ONNX).
    public let batchNorm: BatchNormParameters?

    /// Stores the parts as given; the mapper has already checked every tensor against the
    /// architecture's shapes (`SchemaMapper.map` is the way to get checked units).
    public init(geometry: ConvGeometry, weight: Tensor, bias: Tensor?, batchNorm: BatchNormParameters?) {
        self.geometry = geometry
        self.weight = weight
        self.bias = bias
        self.batchNorm = batchNorm
    }

    /// The canonical path of the convolution (`stem.conv1`, `stage2.block0.downsample.conv`): its
    /// one name, in plans, errors, calibration and files.
    public var path: String { geometry.conv }
    /// The canonical path of its BatchNorm (`stage2.block0.bn1`).
    public var batchNormPath: String { geometry.bn }
    /// Stride in both directions, as the architecture places it (1 or 2).
    public var stride: Int { geometry.stride }
    /// Zero padding on every side: `kernel / 2`.
    public var padding: Int { geometry.padding }
    /// The architecture's `groups` for a bottleneck's 3×3 convolution, 1 for every other one.
    public var groups: Int { geometry.groups }
    /// Output channels: `weight.shape[0]`.
    public var outChannels: Int { weight.shape[0] }
    /// Input channels over all groups: `weight.shape[1] × groups`.
    public var inChannels: Int { weight.shape[1] * groups }
    /// Kernel side, `weight.shape[2]` (kernels are square: 7, 3 or 1).
    public var kernel: Int { weight.shape[2] }
}

/// A checkpoint mapped onto the canonical ResNet schema. No code after the mapper sees a
/// torchvision, timm, Hugging Face or ONNX name again. Canonical names: see Formats/resnet-schema.md.
public struct CanonicalModel: Sendable {
    /// The parameters inferred from the tensors; `ResNetLayout(architecture)` gives every path
    /// and shape of `backbone`.
    public let architecture: ResNetArchitecture
    /// The naming convention the source used; kept for the `.swm` provenance (`convention`).
    public let convention: Convention
    /// Stem convolutions, then the residual blocks, laid out as `ResNetLayout(architecture)` says.
    public let backbone: Backbone<ConvUnit>
    /// `[classes, features]`.
    public let fcWeight: Tensor
    /// `[classes]`.
    public let fcBias: Tensor
    /// What an ONNX graph's interface said beyond its weights; nil for other files.
    public var graph: GraphInterface?
    /// How the network was read when the file could mean more than one: a bare state dict whose names and
    /// shapes several variants share (`ModelVariants.bareStateDictAssumption`). nil when the file said which
    /// network it is (an ONNX graph, a whole pickled model, a hub folder that names a known model).
    public var assumption: String?

    /// An ONNX graph's interface: the `.swm` always takes NCHW input and computes logits.
    public struct GraphInterface: Sendable, Equatable {
        /// "NHWC" when the graph's input was transposed to NCHW first (tf2onnx), else "NCHW".
        public var inputLayout: String
        /// "softmax" when the graph ended in a Softmax over the logits, else "logits".
        public var output: String
        /// The input side the graph is fixed to when its head's pool covers the whole map only at that
        /// size (an `AveragePool` head); nil otherwise.
        public var fixedInputSize: Int?
    }

    /// Stores the parts as given, unchecked; `SchemaMapper.map` builds checked models.
    public init(architecture: ResNetArchitecture, convention: Convention, backbone: Backbone<ConvUnit>,
                fcWeight: Tensor, fcBias: Tensor) {
        self.architecture = architecture
        self.convention = convention
        self.backbone = backbone
        self.fcWeight = fcWeight
        self.fcBias = fcBias
    }
}
