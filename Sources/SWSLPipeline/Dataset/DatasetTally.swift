import SWSLCore
import SWMRuntime

/// What a dataset run adds up, batch by batch, with memory that does not grow with the images (but for the
/// per-input leads and the first `flipLimit` flips): the comparison of the two models, and with labels the
/// accuracy of each and the paired flips (top-1 the converted model fixed, and broke, against the reference).
public struct DatasetTally: Sendable {
    /// One input whose top-1 class differs between the models.
    public struct Flip: Sendable, Equatable {
        public let image: String
        public let reference: Int
        public let candidate: Int
        public let label: Int?
    }

    /// Flips kept for the report; the count goes on.
    public static let flipLimit = 1000

    private var parts: [LogitComparison] = []
    /// Inputs seen, and of them the labelled ones.
    public private(set) var images = 0, labelled = 0
    /// Labelled inputs whose label is the converted model's (candidate) or the reference's top-1 / among its top 5.
    public private(set) var candidateTop1 = 0, candidateTop5 = 0, referenceTop1 = 0, referenceTop5 = 0
    /// Labelled inputs the converted model gets right where the reference does not (fixed), and wrong where it is right (broken).
    public private(set) var fixed = 0, broken = 0
    /// Top-1 disagreements, the first `flipLimit`, in input order.
    public private(set) var flips: [Flip] = []
    /// Every top-1 disagreement.
    public private(set) var flipCount = 0

    public init() {}

    /// Adds one batch: `candidate` and `reference` logits `[batch][classes]`, one label and name per input.
    public mutating func add(candidate: [Float], reference: [Float], classes: Int, labels: [Int?], names: [String]) {
        parts.append(LogitComparison(candidate: candidate, reference: reference, classes: classes))
        for (i, label) in labels.enumerated() {
            let a = Array(candidate[i * classes..<(i + 1) * classes]), r = Array(reference[i * classes..<(i + 1) * classes])
            let topA = TopK.indices(a, min(5, classes)), topR = TopK.indices(r, min(5, classes))
            images += 1
            if topA[0] != topR[0] {
                flipCount += 1
                if flips.count < Self.flipLimit {
                    flips.append(Flip(image: names[i], reference: topR[0], candidate: topA[0], label: label))
                }
            }
            guard let label else { continue }
            labelled += 1
            if topA[0] == label { candidateTop1 += 1 }
            if topR[0] == label { referenceTop1 += 1 }
            if topA.contains(label) { candidateTop5 += 1 }
            if topR.contains(label) { referenceTop5 += 1 }
            if topA[0] == label && topR[0] != label { fixed += 1 }
            if topA[0] != label && topR[0] == label { broken += 1 }
        }
    }

    /// The comparison over every input added, as one `LogitComparison` of all of them.
    public var comparison: LogitComparison { LogitComparison(merging: parts) }

    /// Everything the tally adds up, as JSON that `merged(_:)` adds up again exactly (`verify --merge`).
    public var sums: JSONValue {
        .object([
            ("images", .int(Int64(images))), ("labelled", .int(Int64(labelled))),
            ("candidate_top1", .int(Int64(candidateTop1))), ("candidate_top5", .int(Int64(candidateTop5))),
            ("reference_top1", .int(Int64(referenceTop1))), ("reference_top5", .int(Int64(referenceTop5))),
            ("fixed", .int(Int64(fixed))), ("broken", .int(Int64(broken))), ("flip_count", .int(Int64(flipCount))),
            ("flips", .array(flips.map { flip in
                .object([("image", .string(flip.image)), ("reference", .int(Int64(flip.reference))),
                         ("candidate", .int(Int64(flip.candidate))), ("label", flip.label.map { .int(Int64($0)) } ?? .null)])
            })),
            ("comparison", comparison.sums),
        ])
    }

    /// The tally of several runs' `sums` together (shards of one folder), counts added; nil when one does not parse
    /// or their class counts differ.
    public static func merged(_ all: [JSONValue]) -> DatasetTally? {
        var tally = DatasetTally()
        for sums in all {
            // Counts are bounded like the comparison's inputs, so sums cannot overflow.
            func int(_ key: String) -> Int? {
                if case .int(let n)? = sums[key], n >= 0, n <= Int64(LogitComparison.maxMergedSamples) { Int(n) } else { nil }
            }
            guard let images = int("images"), let labelled = int("labelled"), let c1 = int("candidate_top1"),
                  let c5 = int("candidate_top5"), let r1 = int("reference_top1"), let r5 = int("reference_top5"),
                  let fixed = int("fixed"), let broken = int("broken"), let flipCount = int("flip_count"),
                  let comparison = sums["comparison"].flatMap(LogitComparison.init(sums:)),
                  case .array(let flips)? = sums["flips"] else { return nil }
            if let first = tally.parts.first, first.classes != comparison.classes { return nil }
            guard tally.images + images <= LogitComparison.maxMergedSamples, images == comparison.samples,
                  labelled <= images, [c1, c5, r1, r5, fixed, broken].allSatisfy({ $0 <= labelled }), flipCount <= images else {
                return nil
            }
            tally.images += images
            tally.labelled += labelled
            tally.candidateTop1 += c1
            tally.candidateTop5 += c5
            tally.referenceTop1 += r1
            tally.referenceTop5 += r5
            tally.fixed += fixed
            tally.broken += broken
            tally.flipCount += flipCount
            tally.parts.append(comparison)
            for flip in flips where tally.flips.count < flipLimit {
                guard case .string(let image)? = flip["image"], case .int(let r)? = flip["reference"],
                      case .int(let c)? = flip["candidate"] else { return nil }
                var label: Int?
                if case .int(let l)? = flip["label"] { label = Int(l) }
                tally.flips.append(Flip(image: image, reference: Int(r), candidate: Int(c), label: label))
            }
        }
        return tally
    }

    /// A share of the labelled inputs (0 without labels).
    public func share(_ count: Int) -> Double { labelled == 0 ? 0 : Double(count) / Double(labelled) }

    /// The top-1 accuracy difference (converted − reference) and a 95% interval for it from the paired flips
    /// (McNemar's normal approximation: the difference is (fixed − broken) / n, its variance
    /// (fixed + broken − (fixed − broken)² / n) / n²).
    public var top1Difference: (difference: Double, low: Double, high: Double) {
        guard labelled > 0 else { return (0, 0, 0) }
        let n = Double(labelled), f = Double(fixed), b = Double(broken)
        let d = (f - b) / n
        let variance = max(0, (f + b - (f - b) * (f - b) / n)) / (n * n)
        let half = 1.96 * variance.squareRoot()
        return (d, d - half, d + half)
    }
}
