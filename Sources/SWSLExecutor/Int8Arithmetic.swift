internal import CKernels

/// How a plan multiplies int8 weights.
public enum Int8Arithmetic: String, Sendable, CaseIterable {
    /// Weights widened to float one cache block at a time, float activations: the accuracy of the
    /// float model with int8-rounded weights, a quarter of the weight memory, float speed.
    case dequantized
    /// The default. Activations quantized to unsigned 8 bits per tensor and image (the calibrated scale where the
    /// file has one, else the input's own maximum), int8 × uint8 dot products in int32, rescaled to
    /// float per output channel. About twice the float speed. The int32 sums are exact and the same on every
    /// CPU (255 activation levels everywhere: AVX-512 VNNI and AVX-VNNI `vpdpbusd`, AVX2 `vpmaddwd` on int16
    /// pairs, portable C), so results differ between instruction sets only by float rounding in the epilogue.
    case integer
    /// `integer` with activations quantized to 7 bits (127 levels), on every CPU alike: 2–3× the error
    /// (1 − cosine) on the trained fixtures (README), for speed on AVX2 CPUs without VNNI, where 7-bit activations let
    /// `vpmaddubsw` do 32 multiply-adds in three operations instead of `vpmaddwd`'s 16 in two (elsewhere
    /// it runs at `integer`'s speed).
    case integer7Bit = "integer-7bit"

    /// True for the arithmetics that quantize activations (`integer`, `integer-7bit`).
    public var isInteger: Bool { self != .dequantized }

    /// The largest quantized activation of the integer arithmetics.
    public var activationLevels: Int { Int(self == .integer7Bit ? SWK_ACTIVATION_LEVELS_7BIT : SWK_ACTIVATION_LEVELS) }
}

/// Where the integer arithmetics take each layer's activation range from.
public enum ActivationRanges: String, Sendable, CaseIterable {
    /// The calibrated scales the file stores (`P.input_scale`); each input's own range where it has none.
    case calibrated
    /// Each input's own range, measured per image and layer at run time, ignoring stored scales.
    case dynamic
}
