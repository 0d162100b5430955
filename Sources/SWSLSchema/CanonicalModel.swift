import SWSLCore

/// The naming convention a checkpoint used.
public enum Convention: String, Sendable {
    case torchvision, timm, huggingface
    case onnxGraph = "onnx-graph"
}

/// BatchNorm parameters of one normalisation layer, with its epsilon.
public struct BatchNormParameters: Sendable {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVar: Tensor
    /// From the source where it has one (ONNX attribute), else PyTorch's 1e-5.
    public let epsilon: Float

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
    /// The canonical path of the convolution (`stem.conv1`, `stage2.block0.conv1`,
    /// `stage2.block0.downsample.conv`): its one name, in plans, errors, calibration and files.
    public let path: String
    /// The canonical path of its BatchNorm (`stage2.block0.bn1`).
    public let batchNormPath: String
    /// `[out, in / groups, kh, kw]`.
    public let weight: Tensor
    public let bias: Tensor?
    public let batchNorm: BatchNormParameters?
    public let stride: Int
    public let padding: Int
    public let groups: Int

    public init(path: String, batchNormPath: String, weight: Tensor, bias: Tensor?, batchNorm: BatchNormParameters?,
                stride: Int, padding: Int, groups: Int) {
        self.path = path
        self.batchNormPath = batchNormPath
        self.weight = weight
        self.bias = bias
        self.batchNorm = batchNorm
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    public var outChannels: Int { weight.shape[0] }
    public var inChannels: Int { weight.shape[1] * groups }
    public var kernel: Int { weight.shape[2] }
}

/// A residual block: its convolutions in order (2 for basic, 3 for bottleneck), and the shortcut.
public struct ResidualBlock: Sendable {
    public let convs: [ConvUnit]
    /// The projection shortcut, nil for identity.
    public let downsample: ConvUnit?
    /// Stride of the block (1 or 2); with `avgDown` the shortcut average-pools by this stride first.
    public let stride: Int

    public init(convs: [ConvUnit], downsample: ConvUnit?, stride: Int) {
        self.convs = convs
        self.downsample = downsample
        self.stride = stride
    }
}

/// A checkpoint mapped onto the canonical ResNet schema. No code after the mapper sees a
/// torchvision, timm, Hugging Face or ONNX name again. Canonical names: see Formats/resnet-schema.md.
public struct CanonicalModel: Sendable {
    public let architecture: ResNetArchitecture
    public let convention: Convention
    /// Stem convolutions (1 for single, 3 for deep), each followed by ReLU; then 3×3/2 max-pool.
    public let stem: [ConvUnit]
    /// `stages[s][b]`.
    public let stages: [[ResidualBlock]]
    /// `[classes, features]`.
    public let fcWeight: Tensor
    /// `[classes]`.
    public let fcBias: Tensor

    public init(architecture: ResNetArchitecture, convention: Convention, stem: [ConvUnit],
                stages: [[ResidualBlock]], fcWeight: Tensor, fcBias: Tensor) {
        self.architecture = architecture
        self.convention = convention
        self.stem = stem
        self.stages = stages
        self.fcWeight = fcWeight
        self.fcBias = fcBias
    }
}
