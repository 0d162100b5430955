#if canImport(Glibc)
import Glibc
#endif

/// Class probabilities from one image's logits, as `torch.softmax` and ONNX `Softmax` compute them.
public enum Softmax {
    /// `exp(z - max z) / Σ exp(z - max z)`.
    public static func apply(_ logits: [Float]) -> [Float] {
        let peak = logits.max() ?? 0
        let e = logits.map { expf($0 - peak) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}

/// The highest-scoring classes of one row of logits.
public enum TopK {
    /// Indices of the `k` largest values, largest first (ties: lower index first); all of them when `k` exceeds the count.
    public static func indices(_ values: [Float], _ k: Int) -> [Int] {
        Array(values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }.prefix(max(k, 0)))
    }
}
