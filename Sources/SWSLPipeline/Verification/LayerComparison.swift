import SWSLExecutor

/// `verify --layers`: runs a converted model and its source's float reference on the same inputs, one
/// image at a time, and compares every layer's output (by canonical name) — where an int8 model's error
/// comes from, and the first layer where it jumps.
public enum LayerComparison {
    /// One layer's output compared over all inputs.
    public struct Layer: Sendable, Equatable {
        /// Canonical name (`stage2.block0.conv2`, `fc`).
        public let name: String
        /// The smallest cosine similarity of the layer's output over the inputs (each image's output as one vector).
        public let cosineMin: Double
        /// Signal-to-quantization-noise ratio over all inputs: 10 log10(Σ reference² / Σ (converted − reference)²), in dB.
        public let sqnr: Double
        /// Largest |converted − reference| over the largest |reference| (the layer's range).
        public let maxRelativeDifference: Double
        /// ‖converted‖ / ‖reference‖ over all inputs: far from 1 means a magnitude (scale) error.
        public let normRatio: Double
        /// For an integer layer with a stored activation range: the share of its input above the range
        /// (clipped by quantization). Nil where the range is measured on each input (nothing clips) or the
        /// layer is not integer.
        public let clippedInputShare: Double?
    }

    /// The first layer whose error jumps, and what kind of error it looks like.
    public struct Jump: Sendable, Equatable {
        /// Index into the layers.
        public let index: Int
        /// The layer's SQNR and the lowest SQNR of the layers before it, in dB.
        public let sqnr: Double
        public let previousSQNR: Double
        /// `clipping` (its input exceeds the stored range), `scale` (the output's magnitude is off by more
        /// than `scaleRatio`: a weight or scale error), or `quantization` (noise from int8 weights or
        /// activations).
        public let kind: String
    }

    /// A drop of this many dB below every earlier layer's SQNR is a jump.
    public static let jumpDecibels = 10.0
    /// A layer whose input clips more than this share is a clipping error.
    public static let clippingShare = 0.001
    /// A layer whose output norm is off by more than this factor (either way) has a scale error.
    public static let scaleRatio = 1.5

    /// Compares every layer of `candidate` with the same-named layer of `reference` on `images` NCHW
    /// inputs of `channels` × `height` × `width`, in candidate plan order.
    public static func run(candidate: ExecutionPlan, reference: ExecutionPlan, input: [Float], images: Int,
                           channels: Int, height: Int, width: Int, threads: Int) throws(ExecutorError) -> [Layer] {
        let converted = PlanExecutor(plan: candidate, threads: threads)
        let original = PlanExecutor(plan: reference, threads: threads)
        let perImage = channels * height * width
        var order: [String] = []
        var sums: [String: Sums] = [:]
        for image in 0..<images {
            let x = Array(input[image * perImage..<(image + 1) * perImage])
            var outputs: [String: ([Float], Double?)] = [:]
            _ = try converted.run(input: x, batch: 1, height: height, width: width) { output in
                if image == 0 { order.append(output.layer) }
                outputs[output.layer] = (Array(output.values), output.clippedInputShare)
            }
            _ = try original.run(input: x, batch: 1, height: height, width: width) { output in
                guard let (values, clipped) = outputs[output.layer], values.count == output.values.count else { return }
                sums[output.layer, default: Sums()].add(candidate: values, reference: output.values, clipped: clipped)
            }
        }
        return order.compactMap { name in sums[name].map { $0.layer(name) } }
    }

    /// The first layer whose SQNR falls more than `jumpDecibels` below every earlier layer's, or nil.
    public static func firstJump(_ layers: [Layer]) -> Jump? {
        var lowest = Double.infinity
        for (index, layer) in layers.enumerated() {
            if lowest.isFinite && layer.sqnr < lowest - jumpDecibels {
                let kind = (layer.clippedInputShare ?? 0) > clippingShare ? "clipping"
                    : layer.normRatio > scaleRatio || layer.normRatio < 1 / scaleRatio ? "scale" : "quantization"
                return Jump(index: index, sqnr: layer.sqnr, previousSQNR: lowest, kind: kind)
            }
            lowest = min(lowest, layer.sqnr)
        }
        return nil
    }

    /// What a jump's kind means, for people.
    public static func explain(_ kind: String) -> String {
        switch kind {
        case "clipping": "its input exceeds the stored activation range: calibrate on inputs like these, or measure ranges per input"
        case "scale": "the output's magnitude is wrong: a weight or scale error"
        default: "int8 rounding of its weights or input"
        }
    }

    private struct Sums {
        var signal = 0.0, noise = 0.0, maxDiff = 0.0, maxRef = 0.0, cosineMin = 1.0, converted = 0.0
        var clipped = 0.0, clippedImages = 0, images = 0

        mutating func add(candidate: [Float], reference: UnsafeBufferPointer<Float>, clipped share: Double?) {
            var dot = 0.0, aa = 0.0, bb = 0.0, diff = 0.0
            for (a, b) in zip(candidate, reference) {
                let (x, y) = (Double(a), Double(b))
                dot += x * y
                aa += x * x
                bb += y * y
                diff += (x - y) * (x - y)
                maxDiff = max(maxDiff, abs(x - y))
                maxRef = max(maxRef, abs(y))
            }
            signal += bb
            converted += aa
            noise += diff
            let cosine = aa > 0 && bb > 0 ? dot / (aa.squareRoot() * bb.squareRoot()) : (aa == bb ? 1 : 0)
            cosineMin = min(cosineMin, cosine)
            if let share = share {
                clipped += share
                clippedImages += 1
            }
            images += 1
        }

        func layer(_ name: String) -> Layer {
            let sqnr = noise > 0 ? 10 * log10(signal / noise) : signal > 0 ? 999 : 0
            return Layer(name: name, cosineMin: cosineMin, sqnr: sqnr, maxRelativeDifference: maxRef > 0 ? maxDiff / maxRef : maxDiff,
                         normRatio: signal > 0 ? (converted / signal).squareRoot() : converted > 0 ? .infinity : 1,
                         clippedInputShare: clippedImages > 0 ? clipped / Double(clippedImages) : nil)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
