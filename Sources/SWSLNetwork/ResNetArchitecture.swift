/// The parametric description of a ResNet / ResNeXt / wide ResNet, inferred from tensor names and
/// shapes (never from a file name). Every later stage works from this and canonical tensor names.
public struct ResNetArchitecture: Sendable, Equatable, Hashable {
    /// `basic`: two 3×3 convolutions; `bottleneck`: 1×1, 3×3, 1×1 with expansion 4.
    public enum Block: String, Sendable, Hashable { case basic, bottleneck }
    /// The stem before the 3×3 stride-2 max-pool; its output has `stemWidth` channels (single)
    /// or `2 × stemWidth` (deep, tiered).
    public enum StemType: String, Sendable, Hashable {
        /// One 7×7 stride-2 convolution.
        case single
        /// timm's deep stem: three 3×3 convolutions (stride 2, 1, 1), widths w, w, 2w.
        case deep
        /// timm's tiered deep stem (`resnet10t`, `resnet26t`…): three 3×3 convolutions (stride 2, 1, 1),
        /// widths 3⌊w/4⌋, w, 2w (24, 32, 64 for w = 32).
        case tiered
    }

    /// A known model name (`resnet50`, `resnext101_32x8d`, `wide_resnet50_2`…), nil when none matches.
    public var name: String?
    /// The kind of every block in the network; bottleneck when `stage1.block0.conv3` exists.
    public var block: Block
    /// Blocks per stage.
    public var layers: [Int]
    /// Output channels of each stage.
    public var widths: [Int]
    /// Output channels of the first stem convolution (single, deep); for the tiered stem, timm's
    /// `stem_width`: the second's (the first has 3⌊w/4⌋).
    public var stemWidth: Int
    /// One 7×7 convolution or timm's deep stem of three 3×3 (`stem.conv1`…`stem.conv3`).
    public var stemType: StemType
    /// Groups of the 3×3 convolution in each bottleneck (32 for ResNeXt 32x4d).
    public var groups: Int
    /// Channels per group of the first stage's bottleneck (4 for 32x4d; 64 for plain ResNet).
    public var widthPerGroup: Int
    /// Downsample is avg-pool + 1×1 conv (timm `d` variants) instead of a strided 1×1 conv.
    public var avgDown: Bool
    /// Rows of the classifier (`fc.weight` is `[numClasses, widths.last]`); not part of the
    /// known-model match.
    public var numClasses: Int
    /// Input channels of the stem (3 for RGB).
    public var inputChannels: Int
    /// In a bottleneck the stride sits on the 3×3 conv (torchvision/timm, "ResNet v1.5");
    /// false puts it on the first 1×1 conv (original Caffe ResNet).
    public var strideOn3x3: Bool

    /// Stores the parameters unchecked and does not look up `name`; the defaults are a plain
    /// torchvision ResNet's (single stem, 1 group × 64, stride on the 3×3, 3 input channels).
    public init(name: String? = nil, block: Block, layers: [Int], widths: [Int], stemWidth: Int,
                stemType: StemType = .single, groups: Int = 1, widthPerGroup: Int = 64, avgDown: Bool = false,
                numClasses: Int, inputChannels: Int = 3, strideOn3x3: Bool = true) {
        self.name = name
        self.block = block
        self.layers = layers
        self.widths = widths
        self.stemWidth = stemWidth
        self.stemType = stemType
        self.groups = groups
        self.widthPerGroup = widthPerGroup
        self.avgDown = avgDown
        self.numClasses = numClasses
        self.inputChannels = inputChannels
        self.strideOn3x3 = strideOn3x3
    }
}

extension ResNetArchitecture {
    /// Convolutions in the stem: 1 (single) or 3 (deep, tiered).
    public var stemConvolutionCount: Int { stemType == .single ? 1 : 3 }
    /// Convolutions on a block's main branch: 2 (basic) or 3 (bottleneck).
    public var convolutionsPerBlock: Int { block == .basic ? 2 : 3 }
    /// Convolutions the network has at least (shortcuts, which depend on the widths, not counted), from the
    /// numbers alone; at most 3 + 4 × 2^16 × 3 under the decoder's bounds.
    public var leastConvolutionCount: Int { stemConvolutionCount + layers.reduce(0, +) * convolutionsPerBlock }
}
