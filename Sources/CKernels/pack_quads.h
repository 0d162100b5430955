/* The integer driver's packer, instantiated per instruction set (the copies vectorise with the file's
 * target). Define before including: PACK_QUADS_NAME, PACK_QUADS_TARGET (a function attribute, may be
 * empty), PACK_QUADS_NR (panel columns).
 *
 * Gathers the quads of output columns [col0, col0 + nc) of group g from the quantized input
 * (conv_integer.c) into NR-column panels [panel][kq][nr] of 32-bit words (four bytes, one per
 * channel), zero columns past nc. Columns along an output row are words `stride` apart in the padded
 * input, so each panel is copied as a few strided runs (one per output row it touches; 1x1 without
 * padding or stride: one run across rows); strides 1 and 2 get loops the compiler vectorises. */
PACK_QUADS_TARGET static void PACK_QUADS_NAME(const swk_conv *conv, const uint8_t *quantized, int g, int col0, int nc,
                                              uint32_t *dst) {
    const int nr = PACK_QUADS_NR;
    const int quads = swk_quads_per_group(conv), taps = conv->kernel_h * conv->kernel_w;
    const int ow = conv->out_width, s = conv->stride;
    const size_t wp = (size_t)conv->in_width + 2 * (size_t)conv->padding;
    const size_t plane = ((size_t)conv->in_height + 2 * (size_t)conv->padding) * wp;
    const uint32_t *base = (const uint32_t *)quantized + (size_t)g * quads * plane;
    const int kq = taps * quads;
    size_t offsets[PACK_QUADS_NR];
    int run_start[PACK_QUADS_NR + 1];
    for (int p = 0; p * nr < nc; p++) {
        const int cols = nc - p * nr < nr ? nc - p * nr : nr;
        int runs = 0;
        for (int j = 0; j < cols; j++) {
            const int column = col0 + p * nr + j, oy = column / ow, ox = column % ow;
            offsets[j] = (size_t)oy * s * wp + (size_t)ox * s;
            if (j == 0 || offsets[j] != offsets[j - 1] + (size_t)s) run_start[runs++] = j;
        }
        run_start[runs] = cols;
        uint32_t *out = dst + (size_t)p * kq * nr;
        for (int kh = 0; kh < conv->kernel_h; kh++) {
            for (int kw = 0; kw < conv->kernel_w; kw++) {
                const uint32_t *tap = base + (size_t)kh * wp + kw;
                for (int q = 0; q < quads; q++, out += nr) {
                    const uint32_t *src = tap + (size_t)q * plane;
                    if (runs == 1 && cols == nr && s <= 2) {
                        const uint32_t *from = src + offsets[0];
                        if (s == 1) {
                            for (int j = 0; j < PACK_QUADS_NR; j++) out[j] = from[j];
                        } else {
                            for (int j = 0; j < PACK_QUADS_NR; j++) out[j] = from[2 * j];
                        }
                        continue;
                    }
                    for (int r = 0; r < runs; r++) {
                        const int j0 = run_start[r], j1 = run_start[r + 1];
                        const uint32_t *from = src + offsets[j0];
                        if (s == 1) {
                            for (int j = 0; j < j1 - j0; j++) out[j0 + j] = from[j];
                        } else if (s == 2) {
                            for (int j = 0; j < j1 - j0; j++) out[j0 + j] = from[2 * j];
                        } else {
                            for (int j = 0; j < j1 - j0; j++) out[j0 + j] = from[(size_t)s * j];
                        }
                    }
                    for (int j = cols; j < nr; j++) out[j] = 0;
                }
            }
        }
    }
}
