/* The CPU-feature probe shared by every C target (see swsl_cpu.h). */
#include "swsl_cpu.h"

static unsigned probe(void) {
    unsigned f = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.1")) f |= SWSL_CPU_SSE41;
    if (__builtin_cpu_supports("pclmul")) f |= SWSL_CPU_PCLMUL;
    if (__builtin_cpu_supports("avx2")) f |= SWSL_CPU_AVX2;
    if (__builtin_cpu_supports("fma")) f |= SWSL_CPU_FMA;
    if (__builtin_cpu_supports("f16c")) f |= SWSL_CPU_F16C;
    if (__builtin_cpu_supports("vpclmulqdq")) f |= SWSL_CPU_VPCLMULQDQ;
    if (__builtin_cpu_supports("avx512f")) f |= SWSL_CPU_AVX512F;
    if (__builtin_cpu_supports("avx512vnni")) f |= SWSL_CPU_AVX512VNNI;
    if (__builtin_cpu_supports("avxvnni")) f |= SWSL_CPU_AVXVNNI;
#endif
    return f;
}

unsigned swsl_cpu_features(void) {
    /* Bit 31 marks a probed answer; a race only probes twice. */
    static unsigned cached = 0;
    unsigned f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (f == 0) {
        f = probe() | (1u << 31);
        __atomic_store_n(&cached, f, __ATOMIC_RELAXED);
    }
    return f & ~(1u << 31);
}
