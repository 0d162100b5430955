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
            let topA = LogitComparison.topK(a, min(5, classes)), topR = LogitComparison.topK(r, min(5, classes))
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
