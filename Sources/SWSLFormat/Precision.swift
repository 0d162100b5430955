/// How a `.swm` stores its weights (`quantization.precision`); biases and scales are float32 whatever it is.
public enum Precision: String, Sendable, CaseIterable {
    /// Symmetric int8 with float32 scales (`quantization.weights` says per channel or per tensor).
    case int8
    /// IEEE half.
    case fp16
    /// IEEE single.
    case fp32
}

/// How many scales an int8 weight tensor has (`quantization.weights`).
public enum WeightGranularity: String, Sendable, CaseIterable {
    /// One scale per output channel (`P.weight_scale` `[out]`), the default.
    case perChannel = "per-channel"
    /// One scale for the whole tensor (`P.weight_scale` `[1]`).
    case perTensor = "per-tensor"
}
