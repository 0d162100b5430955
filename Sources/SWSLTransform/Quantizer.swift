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
        let groups = granularity == .perChannel ? max(channels, 1) : 1
        let size = weights.isEmpty ? 0 : weights.count / groups
        var values = [Int8](repeating: 0, count: weights.count)
        var scales = [Float](repeating: 1, count: groups)
        var signal = 0.0, noise = 0.0
        for g in 0..<groups {
            let range = g * size..<(g + 1) * size
            let peak = weights[range].reduce(Float(0)) { max($0, abs($1)) }
            let scale = peak > 0 ? peak / 127 : 1
            scales[g] = scale
            for i in range {
                let q = max(-127, min(127, (weights[i] / scale).rounded(.toNearestOrEven)))
                values[i] = Int8(q)
                let w = Double(weights[i])
                signal += w * w
                let e = w - Double(q) * Double(scale)
                noise += e * e
            }
        }
        let sqnr = noise == 0 ? Double.infinity : 10 * log10(signal / noise)
        return Result(values: values, scales: scales, sqnr: sqnr)
    }
}
