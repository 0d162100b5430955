import SWSLCore
import SWSLNetwork

extension CanonicalModel {
    /// Every tensor under its canonical name (Formats/resnet-schema.md), in a fixed order: stem
    /// convolutions, then each block's convolutions and its shortcut, then the classifier; each
    /// convolution's weight, bias if any, then its BatchNorm's weight, bias, running mean and variance.
    public var canonicalTensors: [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        for unit in convolutions {
            out.append(("\(unit.path).weight", unit.weight))
            if let bias = unit.bias { out.append(("\(unit.path).bias", bias)) }
            if let norm = unit.batchNorm {
                let bn = unit.batchNormPath
                out += [("\(bn).weight", norm.weight), ("\(bn).bias", norm.bias),
                        ("\(bn).running_mean", norm.runningMean), ("\(bn).running_var", norm.runningVar)]
            }
        }
        out += [("fc.weight", fcWeight), ("fc.bias", fcBias)]
        return out
    }

    /// Every convolution in forward order: the stem's, then each block's main path and its shortcut.
    public var convolutions: [ConvUnit] { backbone.layers }
}
