import SWSLFormat

/// Turns an RGB image into a model input exactly as torchvision's evaluation transform does on a
/// PIL image: `Compose([Resize(resizeSize), CenterCrop(cropSize), ToTensor(), Normalize(mean, std)])`.
///
/// - Resize: the shorter side becomes `resizeSize`, the longer `Int(resizeSize × long / short)`,
///   with Pillow's `BILINEAR` or `BICUBIC` resampling (`ImagingResample`): a triangle filter (support 1)
///   or Keys' cubic with a = −0.5 (support 2), whose support widens with the downscaling factor
///   (antialiasing), coefficients normalised and rounded to 22-bit fixed point, horizontal pass then
///   vertical, each rounded and clipped to 8 bits.
/// - CenterCrop: `top = round((height − cropSize) / 2)` with Python's round-half-to-even, same for `left`.
/// - ToTensor and Normalize in float32: `(v / 255 − mean[c]) / std[c]`.
///
/// Only the pixels inside the crop are resampled (each output pixel depends only on its own
/// coefficients, so they equal a full resize followed by the crop), which also keeps very thin
/// images from needing a huge resized copy. The result equals torchvision's bit for bit when the
/// decoded pixels equal Pillow's.
public struct ImagePreprocessor: Sendable, Equatable {
    /// The resampling filters applied (torchvision's `InterpolationMode` names, as a model's metadata gives them).
    public enum Resampling: String, Sendable, Equatable, CaseIterable {
        /// Pillow's `BILINEAR`: a triangle filter of support 1, widened when downscaling.
        case bilinear
        /// Pillow's `BICUBIC`: Keys' cubic with a = −0.5, support 2, widened when downscaling.
        case bicubic

        /// The filters by name, for messages (`bilinear, bicubic`).
        public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

        /// Pillow's filter support (before widening for downscaling).
        var support: Double { self == .bilinear ? 1 : 2 }

        /// Pillow's `bilinear_filter` and `bicubic_filter` (a = −0.5).
        func weight(_ x: Double) -> Double {
            let x = abs(x)
            switch self {
            case .bilinear: return x < 1 ? 1 - x : 0
            case .bicubic:
                let a = -0.5
                if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
                if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
                return 0
            }
        }
    }

    /// The shorter side after resizing (torchvision's `Resize(size)`).
    public let resizeSize: Int
    /// The side of the square centre crop, the model's input size.
    public let cropSize: Int
    /// Per-channel mean (R, G, B) subtracted after scaling to [0, 1], as float32.
    public let mean: [Float]
    /// Per-channel standard deviation (R, G, B) divided by, as float32.
    public let std: [Float]
    /// The resize filter.
    public let resampling: Resampling

    /// A preprocessor; needs `1 ≤ cropSize ≤ resizeSize` and three means and positive deviations.
    public init(resizeSize: Int, cropSize: Int, mean: [Double], std: [Double], resampling: Resampling = .bilinear) {
        precondition(cropSize >= 1 && resizeSize >= cropSize, "need 1 ≤ crop size ≤ resize size")
        precondition(mean.count == 3 && std.count == 3 && std.allSatisfy { $0 > 0 }, "need 3 means and 3 positive deviations")
        self.resizeSize = resizeSize
        self.cropSize = cropSize
        self.mean = mean.map { Float($0) }
        self.std = std.map { Float($0) }
        self.resampling = resampling
    }

    /// The preprocessing a model's metadata (or a checkpoint's configuration) describes, at `cropSize`
    /// (default: its input size) with its resize ratio; refused when it names a filter not in `Resampling`.
    /// The one place a `Preprocessing` becomes a preprocessor, and refuses what it cannot do, for run, verify and
    /// calibration alike.
    public init(_ preprocessing: Preprocessing, cropSize: Int? = nil) throws(UnsupportedFilter) {
        guard let resampling = Resampling(rawValue: preprocessing.interpolation) else {
            throw UnsupportedFilter(description: "the model's preprocessing resizes with '\(preprocessing.interpolation)', "
                                    + "which this converter does not apply (\(Resampling.names))")
        }
        var at = preprocessing  // its resize rule (`resizeSize`) at the requested crop
        at.inputSize = cropSize ?? preprocessing.inputSize
        self.init(resizeSize: max(at.inputSize, at.resizeSize), cropSize: at.inputSize, mean: at.mean, std: at.std,
                  resampling: resampling)
    }

    /// A preprocessing that names a resampling filter not in `Resampling`.
    public struct UnsupportedFilter: Error, CustomStringConvertible, Sendable {
        /// One line naming the filter and the ones applied.
        public let description: String
    }

    /// The NCHW float32 input `[1, 3, cropSize, cropSize]` for `image`.
    public func tensor(for image: ImageDecoder.Image) -> [Float] {
        normalized(croppedResize(image))
    }

    /// ToTensor and Normalize: interleaved 8-bit RGB pixels to planar `[3][pixels]` floats,
    /// `(v / 255 − mean[c]) / std[c]`.
    public func normalized(_ rgb: [UInt8]) -> [Float] {
        let plane = rgb.count / 3
        var out = [Float](repeating: 0, count: 3 * plane)
        for c in 0..<3 {
            let (m, s) = (mean[c], std[c])
            for i in 0..<plane {
                out[c * plane + i] = (Float(rgb[3 * i + c]) / 255 - m) / s
            }
        }
        return out
    }

    /// Decodes the JPEG or PNG at `path` and returns its input tensor (see ``tensor(for:)``).
    public func tensor(forImageAt path: String) throws(ImageDecoder.DecodingError) -> [Float] {
        tensor(for: try ImageDecoder.decode(path: path))
    }

    /// The size torchvision's `Resize(resizeSize)` gives an image: (width, height).
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let (short, long) = (min(width, height), max(width, height))
        // Python: int(size * long / short), a float division truncated.
        let newLong = Int(Double(resizeSize * long) / Double(short))
        return width <= height ? (resizeSize, newLong) : (newLong, resizeSize)
    }

    /// The `cropSize × cropSize` RGB centre of the resized image, resampling only those pixels.
    public func croppedResize(_ image: ImageDecoder.Image) -> [UInt8] {
        let (newWidth, newHeight) = resizedSize(width: image.width, height: image.height)
        // torchvision's CenterCrop: int(round((size - crop) / 2.0)), round half to even.
        let top = Int((Double(newHeight - cropSize) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(newWidth - cropSize) / 2).rounded(.toNearestOrEven))
        // Pillow resamples an axis only when its size changes (an unchanged axis would be copied).
        let columns = Coefficients(inSize: image.width, outSize: newWidth, outputs: left..<left + cropSize, filter: resampling)
        let rows = Coefficients(inSize: image.height, outSize: newHeight, outputs: top..<top + cropSize, filter: resampling)
        let sourceRows = rows.sourceRange
        let horizontal = Self.resampleRows(image, rows: sourceRows, columns: columns)
        return Self.resampleColumns(horizontal, width: cropSize, firstRow: sourceRows.lowerBound, rows: rows)
    }

    /// The horizontal pass over source rows `rows`: `rows.count × columns.count` RGB pixels.
    static func resampleRows(_ image: ImageDecoder.Image, rows: Range<Int>, columns: Coefficients) -> [UInt8] {
        let outWidth = columns.count
        var out = [UInt8](repeating: 0, count: rows.count * outWidth * 3)
        image.rgb.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                columns.withTaps { firsts, counts, weights, stride in
                    for (r, y) in rows.enumerated() {
                        let line = src.baseAddress! + y * image.width * 3
                        let target = dst.baseAddress! + r * outWidth * 3
                        for xx in 0..<outWidth {
                            let k = weights.baseAddress! + xx * stride
                            let p = line + firsts[xx] * 3
                            var (r0, g0, b0) = (Coefficients.half, Coefficients.half, Coefficients.half)
                            for i in 0..<counts[xx] {
                                let w = Int(k[i])
                                r0 += Int(p[3 * i]) * w
                                g0 += Int(p[3 * i + 1]) * w
                                b0 += Int(p[3 * i + 2]) * w
                            }
                            target[3 * xx] = Coefficients.clip8(r0)
                            target[3 * xx + 1] = Coefficients.clip8(g0)
                            target[3 * xx + 2] = Coefficients.clip8(b0)
                        }
                    }
                }
            }
        }
        return out
    }

    /// The vertical pass: `rows.count` output rows from `source`, whose first row is `firstRow`.
    static func resampleColumns(_ source: [UInt8], width: Int, firstRow: Int, rows: Coefficients) -> [UInt8] {
        let line = width * 3
        var out = [UInt8](repeating: 0, count: rows.count * line)
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                rows.withTaps { firsts, counts, weights, stride in
                    var sums = [Int](repeating: 0, count: line)
                    for yy in 0..<rows.count {
                        let k = weights.baseAddress! + yy * stride
                        for i in 0..<line { sums[i] = Coefficients.half }
                        for t in 0..<counts[yy] {
                            let w = Int(k[t])
                            let p = src.baseAddress! + (firsts[yy] - firstRow + t) * line
                            for i in 0..<line { sums[i] += Int(p[i]) * w }
                        }
                        let target = dst.baseAddress! + yy * line
                        for i in 0..<line { target[i] = Coefficients.clip8(sums[i]) }
                    }
                }
            }
        }
        return out
    }

    /// Pillow's coefficients for some outputs of one axis (`precompute_coeffs` and
    /// `normalize_coeffs_8bpc` in libImaging/Resample.c), in its double arithmetic: output `i`
    /// reads source pixels `firsts[i] ..< firsts[i] + counts[i]`. When the size does not change
    /// the coefficients are the identity, which is what Pillow's skipped pass amounts to.
    struct Coefficients {
        static let precisionBits = 32 - 8 - 2
        /// The rounding offset every sum starts from (`1 << (PRECISION_BITS - 1)`).
        static let half = 1 << (precisionBits - 1)

        /// Per output: the first source pixel read, how many are read, and `stride` weights
        /// (zero past `counts[i]`), as Pillow lays them out.
        private var firsts: [Int] = []
        private var counts: [Int] = []
        private var weights: [Int32] = []
        private var stride = 1

        var count: Int { firsts.count }

        /// The source pixels the outputs read.
        var sourceRange: Range<Int> {
            let end = zip(firsts, counts).map { $0 + $1 }.max() ?? 0
            return (firsts.min() ?? 0)..<end
        }

        func withTaps<R>(_ body: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int32>, Int) -> R) -> R {
            firsts.withUnsafeBufferPointer { f in
                counts.withUnsafeBufferPointer { c in weights.withUnsafeBufferPointer { w in body(f, c, w, stride) } }
            }
        }

        init(inSize: Int, outSize: Int, outputs: Range<Int>, filter: Resampling = .bilinear) {
            guard inSize != outSize else {
                firsts = Array(outputs)
                counts = Array(repeating: 1, count: outputs.count)
                weights = Array(repeating: Int32(1 << Self.precisionBits), count: outputs.count)
                return
            }
            let scale = Double(inSize) / Double(outSize)
            let filterScale = max(scale, 1)
            let support = filter.support * filterScale
            let inverse = 1.0 / filterScale
            stride = Int(support.rounded(.up)) * 2 + 1  // Pillow's ksize, the most taps an output has
            weights = Array(repeating: 0, count: outputs.count * stride)
            for (i, xx) in outputs.enumerated() {
                let center = (Double(xx) + 0.5) * scale
                let first = max(Int(center - support + 0.5), 0)  // C's (int) truncates like Int()
                let end = min(Int(center + support + 0.5), inSize)
                var taps = (first..<max(end, first)).map { filter.weight((Double($0) - center + 0.5) * inverse) }
                let total = taps.reduce(0, +)
                if total != 0 { taps = taps.map { $0 / total } }
                firsts.append(first)
                counts.append(taps.count)
                for (t, w) in taps.enumerated() { weights[i * stride + t] = Int32(Self.fixedPoint(w)) }
            }
        }

        /// A normalised weight in 22-bit fixed point, rounded half away from zero as Pillow does.
        static func fixedPoint(_ w: Double) -> Int {
            let scaled = w * Double(1 << precisionBits)
            return Int(w < 0 ? scaled - 0.5 : scaled + 0.5)
        }

        /// A fixed-point sum back to a byte, clipped (Pillow's `clip8`).
        @inline(__always)
        static func clip8(_ sum: Int) -> UInt8 {
            UInt8(clamping: sum >> precisionBits)
        }
    }
}
