internal import CTransform

/// The instruction set the conversion kernels (fold, quantize, half) run with. Every choice gives
/// the same bytes; tests compare them side by side.
enum TransformISA: CaseIterable, Sendable {
    case portable, avx2

    var c: swsl_transform_isa {
        switch self {
        case .portable: SWSL_TRANSFORM_PORTABLE
        case .avx2: SWSL_TRANSFORM_AVX2
        }
    }

    /// True when this CPU runs it.
    var isSupported: Bool { swsl_transform_supported(c) != 0 }

    /// The best instruction set this CPU runs.
    static var best: TransformISA { swsl_transform_best() == SWSL_TRANSFORM_AVX2 ? .avx2 : .portable }
}
