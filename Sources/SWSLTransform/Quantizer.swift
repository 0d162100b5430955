internal import CTransform
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Symmetric int8 quantization of weights, per output channel (rows of the first dimension) or per tensor.
public enum Quantizer {
    public enum Granularity: String, Sendable {
        case perChannel = "per-channel"
        case perTensor = "per-tensor"
    }

    public struct Result: Sendable {
        public let values: [Int8]
        /// One scale per output channel, or one for the tensor: `w ≈ q × scale`.
        public let scales: [Float]
        /// Signal-to-quantization-noise ratio in dB (∞ for an exact or all-zero tensor).
        public let sqnr: Double
    }

    public static func quantize(_ weights: [Float], channels: Int, granularity: Granularity) -> Result {
        weights.withUnsafeBufferPointer { quantize($0, rows: channels, foldScale: nil, granularity: granularity) }
    }

    /// Multiplies row `r` by `foldScale[r]` (BatchNorm folding, in double) and quantizes, in one pass.
    public static func quantize(_ weights: UnsafeBufferPointer<Float>, rows: Int, foldScale: [Double]?,
                                granularity: Granularity) -> Result {
        let rows = max(rows, 1)
        let perRow = weights.count / rows
        let perChannel = granularity == .perChannel
        var values = [Int8](repeating: 0, count: weights.count)
        var scales = [Float](repeating: 1, count: perChannel ? rows : 1)
        var work = [Float](repeating: 0, count: perChannel ? perRow : weights.count)
        var signal = 0.0, noise = 0.0
        values.withUnsafeMutableBufferPointer { q in
            scales.withUnsafeMutableBufferPointer { s in
                work.withUnsafeMutableBufferPointer { w in
                    swsl_fold_quantize(weights.baseAddress, rows, perRow, foldScale, perChannel ? 1 : 0,
                                       w.baseAddress, q.baseAddress, s.baseAddress, &signal, &noise)
                }
            }
        }
        let sqnr = noise == 0 ? Double.infinity : 10 * log10(signal / noise)
        return Result(values: values, scales: scales, sqnr: sqnr)
    }
}
