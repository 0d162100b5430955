#ifndef SWSL_CPU_H
#define SWSL_CPU_H

/// The one CPU-feature probe of swsl-convert's C targets (kernels, transforms, checksums). Each
/// target's dispatch asks it which instruction sets this CPU has; nothing else reads CPUID.

/// Features, as bits of swsl_cpu_features().
typedef enum swsl_cpu_feature {
    SWSL_CPU_SSE41 = 1u << 0,
    SWSL_CPU_PCLMUL = 1u << 1,
    SWSL_CPU_AVX2 = 1u << 2,
    SWSL_CPU_FMA = 1u << 3,
    SWSL_CPU_F16C = 1u << 4,
    SWSL_CPU_VPCLMULQDQ = 1u << 5,
    SWSL_CPU_AVX512F = 1u << 6,
    SWSL_CPU_AVX512VNNI = 1u << 7,
    /// VEX-encoded 256-bit `vpdpbusd` (Alder Lake and later Intel clients, Sapphire Rapids, Zen 5).
    SWSL_CPU_AVXVNNI = 1u << 8,
} swsl_cpu_feature;

/// The features this CPU has (probed once; later calls read the cached answer). Always 0 off x86.
unsigned swsl_cpu_features(void);

/// 1 when the CPU has every feature in `mask`.
static inline int swsl_cpu_has(unsigned mask) { return (swsl_cpu_features() & mask) == mask; }

/// The AVX2 kernels' requirement: AVX2, FMA and F16C.
#define SWSL_CPU_AVX2_FMA_F16C (SWSL_CPU_AVX2 | SWSL_CPU_FMA | SWSL_CPU_F16C)

#endif
