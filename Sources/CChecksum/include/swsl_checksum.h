#ifndef SWSL_CHECKSUM_H
#define SWSL_CHECKSUM_H

/*
 * zlib's CRC-32 (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF), the checksum
 * of zip members and `.swm` sections. `swsl_crc32` picks the fastest implementation this CPU runs;
 * `swsl_crc32_using` runs a named one, so tests can compare them on the same bytes.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An implementation of the CRC-32. */
typedef enum {
    /** zlib's `crc32_z`, any CPU. */
    SWSL_CRC32_ZLIB = 0,
    /** Carry-less multiplication folding (PCLMULQDQ + SSE4.1), zlib for the last bytes. */
    SWSL_CRC32_PCLMUL = 1,
    /** The same folding on 256-bit registers (VPCLMULQDQ + AVX2), 128 bytes a step. */
    SWSL_CRC32_VPCLMUL = 2,
} swsl_crc32_impl;

/** The fastest implementation this CPU runs (asked once). */
swsl_crc32_impl swsl_crc32_best(void);

/** True when this CPU can run `impl`. */
int swsl_crc32_supported(swsl_crc32_impl impl);

/** The CRC-32 of `len` bytes at `buf`, continuing from `crc` (0 to start), with the best implementation. */
uint32_t swsl_crc32(uint32_t crc, const void *buf, size_t len);

/** As `swsl_crc32`, with `impl` (which must be supported). */
uint32_t swsl_crc32_using(swsl_crc32_impl impl, uint32_t crc, const void *buf, size_t len);

/** The CRC-32 of A followed by B, from the CRC-32s of A and B and the length of B (zlib's crc32_combine). */
uint32_t swsl_crc32_combine(uint32_t crc_a, uint32_t crc_b, size_t len_b);

#ifdef __cplusplus
}
#endif

#endif
