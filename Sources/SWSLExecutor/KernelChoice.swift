internal import CKernels

/// Which compute kernels an executor runs. The result does not depend on the choice beyond float
/// rounding (summation order and fused multiply-adds differ).
public enum KernelChoice: String, Sendable, CaseIterable {
    /// The fastest kernels this CPU supports.
    case automatic
    /// Plain C for any CPU: the fallback, which tests run on every machine.
    case portable
    /// AVX2, FMA and F16C intrinsics; runs the portable kernels on a CPU without them.
    case avx2

    /// True when this CPU runs the AVX2 kernels.
    public static var avx2Supported: Bool { swk_isa_supported(SWK_ISA_AVX2) != 0 }

    /// The kernels that actually run on this CPU for this choice.
    public var resolved: KernelChoice {
        switch self {
        case .portable: .portable
        case .automatic, .avx2: KernelChoice.avx2Supported ? .avx2 : .portable
        }
    }

    /// The C instruction-set selector.
    var isa: swk_isa {
        resolved == .avx2 ? SWK_ISA_AVX2 : SWK_ISA_PORTABLE
    }
}
