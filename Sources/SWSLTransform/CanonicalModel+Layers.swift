import SWSLSchema

extension CanonicalModel {
    /// Every convolution under its canonical path (`ResNetLayout`'s names), in execution order.
    public var convolutions: [(path: String, conv: ConvUnit)] {
        var out = stem.enumerated().map { (ResNetLayout.stem($0.offset + 1).conv, $0.element) }
        for (s, blocks) in stages.enumerated() {
            for (b, block) in blocks.enumerated() {
                let path = ResNetLayout.block(s + 1, b)
                out += block.convs.enumerated().map { (ResNetLayout.conv($0.offset + 1, in: path).conv, $0.element) }
                if let d = block.downsample { out.append((ResNetLayout.downsample(in: path).conv, d)) }
            }
        }
        return out
    }
}
