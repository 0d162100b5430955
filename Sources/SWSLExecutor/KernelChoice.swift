internal import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which compute kernels an executor runs. Results differ between choices only by float rounding
/// (summation order, fused multiply-adds).
public enum KernelChoice: String, Sendable, CaseIterable {
    /// The fastest kernels this CPU supports.
    case automatic
    /// Plain C for any CPU: the fallback, which tests run on every machine.
    case portable
    /// AVX2, FMA and F16C intrinsics (6 × 16 tiles).
    case avx2
    /// AVX-512F intrinsics (6 × 32 tiles).
    case avx512

    /// Levels of an unsigned 8-bit activation in these kernels' integer path: 255 with AVX-512 VNNI,
    /// 127 with AVX2 (the headroom `maddubs` needs).
    public var activationLevels: Int { Kernels.activationLevels(resolved) }

    /// `SWSL_KERNELS` from the environment (`portable`, `avx2`, `avx512`, `automatic`), else
    /// `.automatic` (also when it is not one of the case names): how a user forces the fallback
    /// without a flag. An executor's default.
    public static var fromEnvironment: KernelChoice {
        guard let value = getenv("SWSL_KERNELS") else { return .automatic }
        return KernelChoice(rawValue: String(cString: value)) ?? .automatic
    }

    /// True when this CPU runs the AVX2 kernels.
    public static var avx2Supported: Bool { swk_isa_supported(SWK_ISA_AVX2) != 0 }
    /// True when this CPU runs the AVX-512 kernels.
    public static var avx512Supported: Bool { swk_isa_supported(SWK_ISA_AVX512) != 0 }

    /// Every distinct kernel set this CPU runs: portable, then AVX2 and AVX-512 where supported.
    public static var supportedChoices: [KernelChoice] {
        [.portable] + (avx2Supported ? [.avx2] : []) + (avx512Supported ? [.avx512] : [])
    }

    /// The kernels that actually run on this CPU for this choice: a choice the CPU lacks falls back
    /// to the next narrower one, down to portable.
    public var resolved: KernelChoice {
        switch self {
        case .portable: .portable
        case .avx2: KernelChoice.avx2Supported ? .avx2 : .portable
        case .avx512, .automatic:
            KernelChoice.avx512Supported ? .avx512 : KernelChoice.avx2Supported ? .avx2 : .portable
        }
    }

    /// The C instruction-set selector.
    var isa: swk_isa {
        switch resolved {
        case .avx512: SWK_ISA_AVX512
        case .avx2: SWK_ISA_AVX2
        default: SWK_ISA_PORTABLE
        }
    }
}
