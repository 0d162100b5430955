internal import CKernels

/// How a plan multiplies int8 weights.
public enum Int8Arithmetic: String, Sendable, CaseIterable {
    /// Weights widened to float one cache block at a time, float activations: the accuracy of the
    /// float model with int8-rounded weights, a quarter of the weight memory, float speed.
    case dequantized
    /// The default. Activations quantized to unsigned 8 bits per tensor and image (the calibrated scale where the
    /// file has one, else the input's own maximum), int8 × uint8 dot products in int32, rescaled to
    /// float per output channel. About twice the float speed. The int32 sums are exact and the same on every
    /// CPU (255 activation levels everywhere: AVX-512 VNNI and AVX-VNNI `vpdpbusd`, AVX2 `vpmaddubsw` where a
    /// reduction quad's activations stay below 128 and `vpmaddwd` on int16 pairs where one reaches 128, portable
    /// C), so results differ between instruction sets only by float rounding in the epilogue.
    case integer
    /// `integer` with activations quantized to 7 bits (127 levels), on every CPU alike: 2–3× the error
    /// (1 − cosine) on the trained fixtures (README), for speed on AVX2 CPUs without VNNI, where 7-bit activations let
    /// `vpmaddubsw` do every reduction quad in three operations per 32 multiply-adds (`integer` does so only for the
    /// quads whose activations stay below 128, and four for the others; elsewhere it runs at `integer`'s speed).
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

/// How int8 layers run, as one value: the arithmetic and, for the integer arithmetics, where activation ranges
/// come from. It owns the words for it: `record` in files' verification records, `summary` for people.
public struct Int8Mode: Sendable, Equatable {
    /// How int8 weights are multiplied.
    public var arithmetic: Int8Arithmetic
    /// Where the integer arithmetics take activation ranges (unused by `.dequantized`).
    public var activations: ActivationRanges

    /// The default: integer arithmetic, the file's calibrated ranges where it stores some, else each input's.
    public init(_ arithmetic: Int8Arithmetic = .integer, activations: ActivationRanges = .calibrated) {
        self.arithmetic = arithmetic
        self.activations = activations
    }

    /// Whether a plan in this mode uses stored activation ranges, for a file that has them or not.
    public func usesStoredRanges(fileHasRanges: Bool) -> Bool {
        arithmetic.isInteger && activations == .calibrated && fileHasRanges
    }

    /// The verification record's `int8` value (Formats/SWM.md), short and stable: `integer, ranges measured per
    /// input`, `integer, stored activation ranges`, `integer-7bit, …`, `dequantized`.
    public func record(fileHasRanges: Bool) -> String {
        guard arithmetic.isInteger else { return arithmetic.rawValue }
        return arithmetic.rawValue
            + (usesStoredRanges(fileHasRanges: fileHasRanges) ? ", stored activation ranges" : ", ranges measured per input")
    }

    /// How int8 runs, for people (verify's report): the arithmetic, and where the activation ranges come from.
    public func summary(fileHasRanges: Bool) -> String {
        guard arithmetic.isInteger else { return "dequantized (float arithmetic on int8 weights; no activation ranges)" }
        let kind = arithmetic == .integer7Bit ? "integer, 7-bit activations" : "integer"
        return kind + (usesStoredRanges(fileHasRanges: fileHasRanges) ? ", activation ranges stored in the file"
                                                                      : ", activation ranges measured on each input (dynamic)")
    }
}
