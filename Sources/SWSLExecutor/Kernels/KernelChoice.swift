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
    /// AVX2, FMA and F16C intrinsics (6 × 16 tiles); integer arithmetic with `vpmaddubsw`, and `vpmaddwd` on
    /// int16 pairs for reduction quads with an activation of 128 or more.
    case avx2
    /// The AVX2 kernels with AVX-VNNI's 256-bit `vpdpbusd` for integer arithmetic (Alder Lake and later
    /// Intel clients, Sapphire Rapids, Zen 5).
    case avxVNNI = "avx-vnni"
    /// AVX-512F intrinsics (6 × 32 tiles); integer arithmetic with AVX-512 VNNI where the CPU has it.
    case avx512

    /// `SWSL_KERNELS` from the environment (`portable`, `avx2`, `avx-vnni`, `avx512`, `automatic`), else
    /// `.automatic` (also when it is not one of the case names): how a user forces the fallback
    /// without a flag. An executor's default.
    public static var fromEnvironment: KernelChoice {
        guard let value = getenv("SWSL_KERNELS") else { return .automatic }
        return KernelChoice(rawValue: String(cString: value)) ?? .automatic
    }

    /// True when this CPU runs the AVX2 kernels.
    public static var avx2Supported: Bool { swk_isa_supported(SWK_ISA_AVX2) != 0 }
    /// True when this CPU runs the AVX-VNNI integer kernels.
    public static var avxVNNISupported: Bool { swk_isa_supported(SWK_ISA_AVX_VNNI) != 0 }
    /// True when this CPU runs the AVX-512 kernels.
    public static var avx512Supported: Bool { swk_isa_supported(SWK_ISA_AVX512) != 0 }

    /// Every distinct kernel set this CPU runs: portable, then AVX2, AVX-VNNI and AVX-512 where supported.
    public static var supportedChoices: [KernelChoice] {
        [.portable] + (avx2Supported ? [.avx2] : []) + (avxVNNISupported ? [.avxVNNI] : [])
            + (avx512Supported ? [.avx512] : [])
    }

    /// The kernels that actually run on this CPU for this choice: a choice the CPU lacks falls back
    /// to the next narrower one, down to portable. `automatic` takes AVX-512 where the CPU has it,
    /// then AVX-VNNI, then AVX2.
    public var resolved: KernelChoice {
        switch self {
        case .portable: .portable
        case .avx2: KernelChoice.avx2Supported ? .avx2 : .portable
        case .avxVNNI: KernelChoice.avxVNNISupported ? .avxVNNI : KernelChoice.avx2Supported ? .avx2 : .portable
        case .avx512: KernelChoice.avx512Supported ? .avx512 : KernelChoice.avx2Supported ? .avx2 : .portable
        case .automatic:
            KernelChoice.avx512Supported ? .avx512 : KernelChoice.avxVNNISupported ? .avxVNNI
                : KernelChoice.avx2Supported ? .avx2 : .portable
        }
    }

    /// What the integer kernels of this choice multiply with on this CPU: `avx512-vnni`, `avx-vnni`,
    /// `avx2` (`vpmaddubsw` and `vpmaddwd`) or `portable`. Every one computes the same int32 sums; the name is for
    /// records.
    public var integerKernels: String { String(cString: swk_int8_kernel_name(isa)) }

    /// The kernels this choice runs on this CPU, float then integer (`avx2, integer avx2`), for reports
    /// and records: a result measured with them holds for that instruction set.
    public var record: String { "\(resolved.rawValue), integer \(integerKernels)" }

    /// The C instruction-set selector.
    var isa: swk_isa {
        switch resolved {
        case .avx512: SWK_ISA_AVX512
        case .avxVNNI: SWK_ISA_AVX_VNNI
        case .avx2: SWK_ISA_AVX2
        default: SWK_ISA_PORTABLE
        }
    }
}
