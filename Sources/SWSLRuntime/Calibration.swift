import SWSLCore
import SWSLExecutor
import SWSLSchema

/// Activation ranges for 8-bit activations: runs the float model on calibration inputs and
/// records, for every convolution whose input is non-negative (after a ReLU) and for the
/// classifier, the largest input value seen. A `.swm` stores `range / 255` as `P.input_scale`.
public enum Calibration {
    /// What a calibration measured.
    public struct Result: Sendable {
        /// Canonical conv path (`stage2.block0.conv1`, `fc`) → the largest input value over all samples.
        public var ranges: [String: Float]
        /// Samples run.
        public var samples: Int
        /// Per layer, how far the samples' own maxima spread: the smallest one over the range
        /// (1 means every sample reaches the range; small values mean most samples use few levels).
        public var spread: [String: Float]

        /// The quantization step of each layer's input for 8-bit activations (`range / 255`).
        public var inputScales: [String: Float] {
            ranges.compactMapValues { $0 > 0 && $0.isFinite ? $0 / 255 : nil }
        }
    }

    /// Runs `inputs` (NCHW float32, `samples` images of `height` × `width`, preprocessed as the
    /// model expects) through `plan` in batches of `batchSize`. The stem's input (a normalised
    /// image, negative in places) is not recorded: the stem stays float.
    public static func run(plan: ExecutionPlan, inputs: [Float], samples: Int, height: Int, width: Int,
                           threads: Int = Executor.defaultThreads, batchSize: Int = 4) throws(ExecutorError) -> Result {
        let executor = Executor(plan: plan, threads: threads)
        let perImage = plan.inputChannels * height * width
        var maxima: [String: [Float]] = [:]
        var start = 0
        while start < samples {
            let count = min(batchSize, samples - start)
            let batch = Array(inputs[start * perImage..<(start + count) * perImage])
            _ = try executor.run(input: batch, batch: count, height: height, width: width) { layer, values in
                guard !layer.hasPrefix("stem.") else { return }
                maxima[layer, default: []] += values
            }
            start += count
        }
        var ranges: [String: Float] = [:]
        var spread: [String: Float] = [:]
        for (path, values) in maxima {
            let finite = values.filter(\.isFinite)
            let top = finite.max() ?? 0
            ranges[path] = max(top, 0)
            spread[path] = top > 0 ? max(finite.min() ?? 0, 0) / top : 1
        }
        return Result(ranges: ranges, samples: samples, spread: spread)
    }
}
