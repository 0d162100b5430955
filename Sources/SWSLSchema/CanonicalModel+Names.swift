import SWSLCore

extension CanonicalModel {
    /// Every tensor under its canonical name (Formats/resnet-schema.md), in a fixed order: stem
    /// convolutions, then each block's convolutions and its shortcut, then the classifier; each
    /// convolution's weight, bias if any, then its BatchNorm's weight, bias, running mean and variance.
    public var canonicalTensors: [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        func add(_ unit: ConvUnit, _ paths: (conv: String, bn: String)) {
            out.append(("\(paths.conv).weight", unit.weight))
            if let bias = unit.bias { out.append(("\(paths.conv).bias", bias)) }
            if let norm = unit.batchNorm {
                out += [("\(paths.bn).weight", norm.weight), ("\(paths.bn).bias", norm.bias),
                        ("\(paths.bn).running_mean", norm.runningMean), ("\(paths.bn).running_var", norm.runningVar)]
            }
        }
        for (i, unit) in stem.enumerated() { add(unit, ResNetLayout.stem(i + 1)) }
        for (s, blocks) in stages.enumerated() {
            for (b, block) in blocks.enumerated() {
                let path = ResNetLayout.block(s + 1, b)
                for (k, unit) in block.convs.enumerated() { add(unit, ResNetLayout.conv(k + 1, in: path)) }
                if let shortcut = block.downsample { add(shortcut, ResNetLayout.downsample(in: path)) }
            }
        }
        out += [("fc.weight", fcWeight), ("fc.bias", fcBias)]
        return out
    }
}
