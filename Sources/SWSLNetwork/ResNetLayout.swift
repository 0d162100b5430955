/// Every convolution an architecture implies: canonical paths, weight shapes, strides, padding and
/// groups, in forward order. The mappers' tensors are checked against it, the canonical model is
/// built from it, and a `.swm` file's tensors are checked against it (rule 14).
public typealias ResNetLayout = Backbone<ConvGeometry>

/// One convolution as the architecture places it, and the BatchNorm that follows it.
public struct ConvGeometry: Sendable, Equatable {
    /// Canonical module path of the convolution (`stage2.block0.conv1`).
    public let conv: String
    /// The BatchNorm's path beside `conv` (`stem.bn1`, `stage2.block0.downsample.bn`).
    public let bn: String
    /// `[out, in / groups, k, k]`.
    public let shape: [Int]
    /// 1 or 2; a shortcut with `avgDown` has stride 1 (its average pool strides instead).
    public let stride: Int
    /// The architecture's `groups` for a bottleneck's 3×3, 1 for every other convolution.
    public let groups: Int
    /// Zero padding on every side, `k / 2`: 3 for 7×7, 1 for 3×3, 0 for 1×1.
    public var padding: Int { shape[2] / 2 }
    /// Output channels, `shape[0]`.
    public var outChannels: Int { shape[0] }
    /// Input channels over all groups, `shape[1] × groups`.
    public var inChannels: Int { shape[1] * groups }
    /// Kernel side, `shape[2]`.
    public var kernel: Int { shape[2] }

    init(_ paths: (conv: String, bn: String), shape: [Int], stride: Int, groups: Int) {
        (conv, bn) = paths
        self.shape = shape
        self.stride = stride
        self.groups = groups
    }
}

extension Backbone where Layer == ConvGeometry {
    /// Lays out every convolution `a` implies (Formats/resnet-schema.md, "The network the parameters
    /// describe"). Never fails: absurd parameters give shapes no checkpoint matches.
    public init(_ a: ResNetArchitecture) {
        let w = a.stemWidth
        let stemShapes: [[Int]]
        switch a.stemType {
        case .single: stemShapes = [[w, a.inputChannels, 7, 7]]
        case .deep: stemShapes = [[w, a.inputChannels, 3, 3], [w, w, 3, 3], [2 * w, w, 3, 3]]
        case .tiered: stemShapes = [[3 * (w / 4), a.inputChannels, 3, 3], [w, 3 * (w / 4), 3, 3], [2 * w, w, 3, 3]]
        }
        let stem = stemShapes.enumerated().map { i, shape in
            ConvGeometry(CanonicalPath.stem(i + 1), shape: shape, stride: i == 0 ? 2 : 1, groups: 1)
        }
        var inChannels = stemShapes.last![0]
        var stages: [[Block]] = []
        for (s, (count, out)) in zip(a.layers, a.widths).enumerated() {
            stages.append((0..<count).map { b in
                let block = Self.makeBlock(a, path: CanonicalPath.block(s + 1, b), in: inChannels, out: out,
                                           stride: b == 0 && s > 0 ? 2 : 1)
                inChannels = out
                return block
            })
        }
        self.init(stem: stem, stages: stages)
    }

    private static func makeBlock(_ a: ResNetArchitecture, path: String, in input: Int, out: Int, stride: Int) -> Block {
        func conv(_ k: Int, _ shape: [Int], stride: Int = 1, groups: Int = 1) -> ConvGeometry {
            ConvGeometry(CanonicalPath.conv(k, in: path), shape: shape, stride: stride, groups: groups)
        }
        let convs: [ConvGeometry]
        switch a.block {
        case .basic:
            convs = [conv(1, [out, input, 3, 3], stride: stride), conv(2, [out, out, 3, 3])]
        case .bottleneck:
            // torchvision: width = int(planes * base_width / 64) * groups, planes = out / expansion.
            // (Wraps only for absurd inputs, whose shapes then fail the check.)
            let width = (out / 4 &* a.widthPerGroup / 64) &* a.groups
            convs = [
                conv(1, [width, input, 1, 1], stride: a.strideOn3x3 ? 1 : stride),
                conv(2, [width, width / max(a.groups, 1), 3, 3], stride: a.strideOn3x3 ? stride : 1, groups: a.groups),
                conv(3, [out, width, 1, 1]),
            ]
        }
        let downsample = stride != 1 || input != out
            ? ConvGeometry(CanonicalPath.downsample(in: path), shape: [out, input, 1, 1], stride: a.avgDown ? 1 : stride,
                           groups: 1)
            : nil
        return Block(path: path, convs: convs, downsample: downsample, stride: stride)
    }
}

/// The canonical module paths (Formats/resnet-schema.md): stages and convolutions count from 1,
/// blocks from 0, as in torchvision's `layer1.0.conv1`.
public enum CanonicalPath {
    /// Paths of stem convolution `i` (from 1) and its BatchNorm: `stem.conv{i}`, `stem.bn{i}`.
    public static func stem(_ i: Int) -> (conv: String, bn: String) { ("stem.conv\(i)", "stem.bn\(i)") }
    /// `stage{stage}.block{block}`; `stage` counts from 1, `block` from 0.
    public static func block(_ stage: Int, _ block: Int) -> String { "stage\(stage).block\(block)" }
    /// Paths of convolution `k` (from 1) of `block` and its BatchNorm: `stage2.block0.conv1`,
    /// `stage2.block0.bn1`.
    public static func conv(_ k: Int, in block: String) -> (conv: String, bn: String) { ("\(block).conv\(k)", "\(block).bn\(k)") }
    /// Paths of `block`'s projection shortcut and its BatchNorm: `….downsample.conv`, `….downsample.bn`.
    public static func downsample(in block: String) -> (conv: String, bn: String) {
        ("\(block).downsample.conv", "\(block).downsample.bn")
    }
    /// The classifier's path: `fc` (`fc.weight` `[classes, features]`, `fc.bias`).
    public static let classifier = "fc"
}
