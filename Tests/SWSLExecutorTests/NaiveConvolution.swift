/// The convolution and epilogue the kernels compute, in double precision, the obvious way.
struct NaiveConvolution {
    var inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, groups: Int
    /// `[out][in / groups][k][k]`, as floats (int8 and float16 weights already widened).
    var weights: [Float]
    var preBias: [Float]? = nil
    var scale: [Float]? = nil
    var postBias: [Float]? = nil
    var relu = false

    func outputSize(_ height: Int, _ width: Int) -> (Int, Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    /// Output `[out][oh][ow]` of one image, in double, with the residual (same layout) if given.
    func run(_ input: [Float], height: Int, width: Int, residual: [Float]? = nil) -> [Double] {
        let (oh, ow) = outputSize(height, width)
        let cg = inChannels / groups, mg = outChannels / groups
        var out = [Double](repeating: 0, count: outChannels * oh * ow)
        for o in 0..<outChannels {
            let g = o / mg
            for y in 0..<oh {
                for x in 0..<ow {
                    var sum = 0.0
                    for c in 0..<cg {
                        for ky in 0..<kernel {
                            let iy = y * stride - padding + ky
                            guard iy >= 0 && iy < height else { continue }
                            for kx in 0..<kernel {
                                let ix = x * stride - padding + kx
                                guard ix >= 0 && ix < width else { continue }
                                let w = weights[((o * cg + c) * kernel + ky) * kernel + kx]
                                sum += Double(w) * Double(input[((g * cg + c) * height + iy) * width + ix])
                            }
                        }
                    }
                    if let preBias { sum += Double(preBias[o]) }
                    if let scale { sum *= Double(scale[o]) }
                    if let postBias { sum += Double(postBias[o]) }
                    let index = (o * oh + y) * ow + x
                    if let residual { sum += Double(residual[index]) }
                    if relu { sum = max(sum, 0) }
                    out[index] = sum
                }
            }
        }
        return out
    }
}
