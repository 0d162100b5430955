/// Deterministic inputs for `verify` when the user gives none: smooth random images in the
/// normalised ImageNet range, the same on every machine (a fixed xorshift generator).
public enum SyntheticInputs {
    /// `samples × channels × height × width` floats, NCHW, within ±1.5; the same `seed` gives
    /// the same values everywhere (`verify`'s default seed; calibration uses another).
    public static func make(samples: Int, channels: Int, height: Int, width: Int, seed: UInt64 = 0x5357_534C) -> [Float] {
        var state = seed | 1
        func next() -> Float {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Float(state >> 40) / Float(1 << 24)  // [0, 1)
        }
        var out = [Float](repeating: 0, count: samples * channels * height * width)
        // Low-frequency structure (a few random blobs per channel) plus noise, like a real photo's statistics.
        for s in 0..<samples {
            for c in 0..<channels {
                let fx = 1 + next() * 3, fy = 1 + next() * 3, phase = next() * 6.28
                for y in 0..<height {
                    for x in 0..<width {
                        let smooth = sinf(fx * Float(x) / Float(width) * 3.14 + phase) * cosf(fy * Float(y) / Float(height) * 3.14)
                        out[((s * channels + c) * height + y) * width + x] = 1.2 * smooth + 0.6 * (next() - 0.5)
                    }
                }
            }
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
