import SWSLCore
import SWSLExecutor
import SWSLSchema

/// How a calibration turns the values a layer's input took into its range.
public enum CalibrationMethod: Sendable, Equatable {
    /// The largest value seen.
    case max
    /// The value below which this percentage of the values lie (99.99: one in ten thousand clips).
    case percentile(Double)
    /// The clipping point whose 255-level quantized histogram is closest to the original in
    /// Kullback–Leibler divergence (as TensorRT's and onnxruntime's entropy calibrators).
    case entropy
    /// The clipping point with the least expected squared error: rounding below it, clipping above.
    case mse

    /// The name stored in the metadata (`max`, `percentile 99.99`, `entropy`, `mse`).
    public var name: String {
        switch self {
        case .max: "max"
        case .percentile(let p): "percentile \(p)"
        case .entropy: "entropy"
        case .mse: "mse"
        }
    }
}

/// Activation ranges for 8-bit activations: runs the float model on calibration inputs and records,
/// for every convolution whose input is non-negative (after a ReLU) and for the classifier, the range
/// the method picks. A `.swm` stores `range / 255` as `P.input_scale`.
public enum Calibration {
    /// What a calibration measured.
    public struct Result: Sendable {
        /// Canonical conv path (`stage2.block0.conv1`, `fc`) → the range the method chose.
        public var ranges: [String: Float]
        /// Samples run.
        public var samples: Int
        /// Per layer, how far the samples' own maxima spread: the smallest one over the largest
        /// (1 means every sample reaches the largest; small values mean most samples use few levels).
        public var spread: [String: Float]

        /// The quantization step of each layer's input for 8-bit activations (`range / 255`).
        public var inputScales: [String: Float] {
            ranges.compactMapValues { $0 > 0 && $0.isFinite ? $0 / 255 : nil }
        }
    }

    /// Bins of the histogram the non-`max` methods read (over [0, the layer's maximum]).
    static let bins = 2048

    /// Runs `inputs` (NCHW float32, `samples` images of `height` × `width`, preprocessed as the
    /// model expects) through `plan` in batches of `batchSize`: once for the maxima, and for the
    /// other methods a second time for each layer's histogram. The stem's input (a normalised image,
    /// negative in places) is not recorded: its range is measured on each input.
    public static func run(plan: ExecutionPlan, inputs: [Float], samples: Int, height: Int, width: Int,
                           method: CalibrationMethod = .max, threads: Int = PlanExecutor.defaultThreads,
                           batchSize: Int = 4) throws(ExecutorError) -> Result {
        let executor = PlanExecutor(plan: plan, threads: threads)
        var maxima: [String: [Float]] = [:]
        try forEachBatch(executor, plan: plan, inputs: inputs, samples: samples, height: height, width: width,
                         batchSize: batchSize) { layer, values in
            maxima[layer, default: []].append(PlanExecutor.maximum(of: values))
        }
        var peaks: [String: Float] = [:]
        var spread: [String: Float] = [:]
        for (path, values) in maxima {
            let finite = values.filter(\.isFinite)
            let top = finite.max() ?? 0
            peaks[path] = Swift.max(top, 0)
            spread[path] = top > 0 ? Swift.max(finite.min() ?? 0, 0) / top : 1
        }
        guard method != .max else { return Result(ranges: peaks, samples: samples, spread: spread) }

        var histograms: [String: [Double]] = [:]
        try forEachBatch(executor, plan: plan, inputs: inputs, samples: samples, height: height, width: width,
                         batchSize: batchSize) { layer, values in
            guard let peak = peaks[layer], peak > 0 else { return }
            var histogram = histograms[layer] ?? [Double](repeating: 0, count: bins)
            let perBin = Float(bins) / peak
            for v in values where v.isFinite {
                let bin = Int(Swift.max(0, Swift.min(Float(bins - 1), v * perBin)))
                histogram[bin] += 1
            }
            histograms[layer] = histogram
        }
        var ranges = peaks
        for (layer, histogram) in histograms {
            guard let peak = peaks[layer] else { continue }
            ranges[layer] = Float(range(histogram, peak: Double(peak), method: method))
        }
        return Result(ranges: ranges, samples: samples, spread: spread)
    }

    /// The range `method` picks from a histogram of equal bins over [0, peak].
    static func range(_ histogram: [Double], peak: Double, method: CalibrationMethod) -> Double {
        let width: Double = peak / Double(histogram.count)
        let total: Double = histogram.reduce(0, +)
        guard total > 0 else { return peak }
        switch method {
        case .max:
            return peak
        case .percentile(let p):
            let wanted: Double = total * p / 100
            var seen: Double = 0
            for (bin, count) in histogram.enumerated() {
                seen += count
                if seen >= wanted { return Double(bin + 1) * width }
            }
            return peak
        case .mse:
            return leastSquaresRange(histogram, width: width)
        case .entropy:
            return entropyRange(histogram, width: width)
        }
    }

    /// The clip with the least expected squared error: rounding noise (step² / 12) for the nonzero
    /// values below it, (x − T)² for the values above (x at bin centres). Bin 0 holds the zeros, which
    /// quantize exactly. Suffix sums keep it linear in the bins.
    static func leastSquaresRange(_ histogram: [Double], width: Double) -> Double {
        let n = histogram.count
        var count = [Double](repeating: 0, count: n + 1)
        var first = count
        var second = count
        for bin in stride(from: n - 1, through: 0, by: -1) {
            let x: Double = (Double(bin) + 0.5) * width
            let weight: Double = histogram[bin]
            count[bin] = count[bin + 1] + weight
            first[bin] = first[bin + 1] + weight * x
            second[bin] = second[bin + 1] + weight * x * x
        }
        var bestError = Double.infinity
        var bestRange: Double = Double(n) * width
        for t in 15..<n {
            let range: Double = Double(t + 1) * width
            let step: Double = range / 255
            let below: Double = count[1] - count[t + 1]
            let cross: Double = 2 * range * first[t + 1]
            let square: Double = range * range * count[t + 1]
            let above: Double = second[t + 1] - cross + square
            let rounding: Double = below * step * step / 12
            let error: Double = rounding + above
            if error < bestError {
                bestError = error
                bestRange = range
            }
        }
        return bestRange
    }

    /// TensorRT's entropy calibration for 255 unsigned levels: for each candidate clipping bin i, the
    /// reference distribution is the histogram's first i bins with everything above folded into the
    /// last; the candidate spreads each of 255 equal groups of those bins evenly over the group's bins
    /// the reference has values in; the clip with the smallest KL(reference ‖ candidate) wins
    /// (candidates every 8 bins). Bin 0 (ReLU zeros) is left out of both.
    static func entropyRange(_ histogram: [Double], width: Double) -> Double {
        let levels = 255
        var bestDivergence = Double.infinity
        var bestBins = histogram.count
        var i = levels
        while i <= histogram.count {
            var reference = Array(histogram[0..<i])
            reference[i - 1] += histogram[i...].reduce(0, +)
            // Bin 0 holds the zeros of a ReLU output: exact in any quantization, they say nothing
            // about where to clip and would dominate both distributions.
            reference[0] = 0
            var candidate = [Double](repeating: 0, count: i)
            for level in 0..<levels {
                let start = level * i / levels
                let end = (level + 1) * i / levels
                guard end > start else { continue }
                // The group's values (without the folded tail), spread over the bins the reference
                // distribution has values in (with it), as the reference implementations do.
                var sum: Double = 0
                var nonzero = 0
                for bin in start..<end where bin > 0 {
                    sum += histogram[bin]
                    if reference[bin] > 0 { nonzero += 1 }
                }
                guard nonzero > 0 else { continue }
                let share: Double = sum / Double(nonzero)
                for bin in start..<end where reference[bin] > 0 { candidate[bin] = share }
            }
            let p: Double = reference.reduce(0, +)
            let q: Double = candidate.reduce(0, +)
            var divergence: Double = 0
            if p > 0 && q > 0 {
                for bin in 0..<i where reference[bin] > 0 {
                    let pb: Double = reference[bin] / p
                    let qb: Double = candidate[bin] > 0 ? candidate[bin] / q : 1e-12
                    divergence += pb * log(pb / qb)
                }
            }
            if divergence < bestDivergence {
                bestDivergence = divergence
                bestBins = i
            }
            i += 8
        }
        return Double(bestBins) * width
    }

    /// Runs every batch of the inputs, handing `body` each non-stem layer's input values, image by image.
    private static func forEachBatch(_ executor: PlanExecutor, plan: ExecutionPlan, inputs: [Float], samples: Int, height: Int,
                                     width: Int, batchSize: Int,
                                     _ body: @escaping (String, UnsafeBufferPointer<Float>) -> Void) throws(ExecutorError) {
        let perImage = plan.inputChannels * height * width
        var start = 0
        while start < samples {
            let count = Swift.min(batchSize, samples - start)
            let batch = Array(inputs[start * perImage..<(start + count) * perImage])
            _ = try executor.run(input: batch, batch: count, height: height, width: width) { layer, values in
                guard !layer.hasPrefix("stem.") else { return }
                body(layer, values)
            }
            start += count
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
