import SWSLSchema

extension CanonicalModel {
    /// Every convolution under its canonical path (Formats/resnet-schema.md), in execution order:
    /// `stem.conv{i}`, `stage{s}.block{b}.conv{k}`, `stage{s}.block{b}.downsample.conv`.
    public var convolutions: [(path: String, conv: ConvUnit)] {
        var out = stem.enumerated().map { ("stem.conv\($0.offset + 1)", $0.element) }
        for (s, blocks) in stages.enumerated() {
            for (b, block) in blocks.enumerated() {
                let prefix = "stage\(s + 1).block\(b)"
                out += block.convs.enumerated().map { ("\(prefix).conv\($0.offset + 1)", $0.element) }
                if let d = block.downsample { out.append(("\(prefix).downsample.conv", d)) }
            }
        }
        return out
    }
}
