import SWSLCore
import SWSLSchema

/// A convolution with BatchNorm folded in: float32 weights `[out, in/groups, k, k]` and bias `[out]`.
public struct FoldedConv: Sendable {
    public let weight: [Float]
    public let bias: [Float]
    public let shape: [Int]
}

/// Folds BatchNorm into the preceding convolution, exactly:
/// `s = γ / √(σ² + ε)`, `W' = W·s` (per output channel), `b' = β + (b − μ)·s`,
/// computed in double precision and rounded once to float32.
public enum BatchNormFolding {
    public static func fold(_ conv: ConvUnit) -> FoldedConv {
        let weight = conv.weight.floats()
        let out = conv.outChannels
        let perChannel = out == 0 ? 0 : weight.count / out
        let bias = conv.bias?.floats() ?? [Float](repeating: 0, count: out)
        guard let bn = conv.batchNorm else {
            return FoldedConv(weight: weight, bias: bias, shape: conv.weight.shape)
        }
        let gamma = bn.weight.floats(), beta = bn.bias.floats()
        let mean = bn.runningMean.floats(), variance = bn.runningVar.floats()
        var folded = [Float](repeating: 0, count: weight.count)
        var foldedBias = [Float](repeating: 0, count: out)
        for c in 0..<out {
            let s = Double(gamma[c]) / (Double(variance[c]) + Double(bn.epsilon)).squareRoot()
            for i in c * perChannel..<(c + 1) * perChannel { folded[i] = Float(Double(weight[i]) * s) }
            foldedBias[c] = Float(Double(beta[c]) + (Double(bias[c]) - Double(mean[c])) * s)
        }
        return FoldedConv(weight: folded, bias: foldedBias, shape: conv.weight.shape)
    }
}
