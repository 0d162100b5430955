internal import CTransform
import SWSLCore
import SWSLSchema

/// A convolution with BatchNorm folded in: float32 weights `[out, in/groups, k, k]` and bias `[out]`.
public struct LayerSpec: Sendable {
    /// Folded weights `W·s`, in the C order of `shape`.
    public let weight: [Float]
    /// Folded bias `β + (b − μ)·s`, `[out]` (the convolution's own bias, or zeros, without BatchNorm).
    public let bias: [Float]
    /// The source weight's shape, `[out, in / groups, k, k]`.
    public let shape: [Int]
}

/// Folds BatchNorm into the preceding convolution, exactly:
/// `s = γ / √(σ² + ε)`, `W' = W·s` (per output channel), `b' = β + (b − μ)·s`,
/// computed in double precision and rounded once to float32.
public enum BatchNormFolding {
    /// The per-output-channel factor `s` (nil without BatchNorm) and the folded bias.
    public static func factors(_ conv: ConvUnit) -> (scale: [Double]?, bias: [Float]) {
        let out = conv.outChannels
        let bias = conv.bias?.floats() ?? [Float](repeating: 0, count: out)
        guard let bn = conv.batchNorm else { return (nil, bias) }
        let gamma = bn.weight.floats(), beta = bn.bias.floats()
        let mean = bn.runningMean.floats(), variance = bn.runningVar.floats()
        var scale = [Double](repeating: 0, count: out)
        var folded = [Float](repeating: 0, count: out)
        for c in 0..<out {
            scale[c] = Double(gamma[c]) / (Double(variance[c]) + Double(bn.epsilon)).squareRoot()
            folded[c] = Float(Double(beta[c]) + (Double(bias[c]) - Double(mean[c])) * scale[c])
        }
        return (scale, folded)
    }

    /// The folded float32 weight and bias.
    public static func fold(_ conv: ConvUnit) -> LayerSpec {
        let (scale, bias) = factors(conv)
        let shape = conv.weight.shape
        let rows = shape.first ?? 0
        var weight = [Float](repeating: 0, count: conv.weight.elementCount)
        conv.weight.withFloat32Bytes { src in
            weight.withUnsafeMutableBufferPointer { dst in
                swsl_fold_rows(src.baseAddress, rows, rows == 0 ? 0 : dst.count / rows, scale, dst.baseAddress)
            }
        }
        return LayerSpec(weight: weight, bias: bias, shape: shape)
    }
}

extension Tensor {
    /// Calls `body` with the elements as little-endian float32 bytes, at any alignment (the C
    /// kernels read them unaligned): the tensor's own bytes when it is float32 (no copy, even when
    /// a legacy checkpoint leaves them off a 4-byte boundary), else a converted copy.
    func withFloat32Bytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if dtype == .float32 { return body(bytes) }
        return floats().withUnsafeBytes(body)
    }
}
