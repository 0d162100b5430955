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
