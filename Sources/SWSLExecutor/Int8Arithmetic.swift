/// How a plan multiplies int8 weights.
public enum Int8Arithmetic: String, Sendable, CaseIterable {
    /// Weights widened to float one cache block at a time, float activations: the accuracy of the
    /// float model with int8-rounded weights, a quarter of the weight memory, float speed.
    case dequantized
    /// The default. Activations quantized to unsigned 8 bits per tensor and image (the calibrated scale where the
    /// file has one, else the input's own maximum), int8 × uint8 dot products in int32, rescaled to
    /// float per output channel. About twice the float speed (AVX-512 VNNI: 255 activation levels;
    /// AVX2: 127, the headroom `maddubs` needs). The stem, whose input may be negative, stays float.
    case integer
}
