import SWSLCore
import SWSLFormat
import SWMRuntime

/// How close two models' logits are, sample by sample: the numbers `verify` reports.
public struct LogitComparison: Sendable {
    /// Number of inputs compared (rows of the logits).
    public let samples: Int
    /// Share of inputs (0…1) whose top-1 class is the same in both models.
    public let top1Agreement: Double
    /// Share of inputs (0…1) whose reference top-1 class is among the candidate's top 5.
    public let top5Agreement: Double
    /// Lowest per-input cosine similarity of the two logit vectors (an all-zero pair counts as 1); 0 without inputs.
    public let cosineMin: Double
    /// Mean of the per-input cosine similarities (0 without inputs).
    public let cosineMean: Double
    /// Largest |candidate − reference| over every logit of every input.
    public let maxAbsDiff: Double
    /// Max |a − b| divided by max |reference| (per sample, worst sample).
    public let maxRelDiff: Double
    /// Outputs per input (the classifier's width).
    public let classes: Int
    /// Max |a − b| over every output of every input, divided by the reference's largest |output| over all of
    /// them: the error against the reference's scale, what judges a head with few outputs (`fewOutputs`),
    /// where a cosine cannot fail (one output) or says little (a few).
    public var scaledMaxDiff: Double { referenceScale == 0 ? maxAbsDiff : maxAbsDiff / referenceScale }
    /// The reference's largest |output| over every input (the scale of `scaledMaxDiff`).
    public let referenceScale: Double

    /// Heads with fewer outputs than this are judged by `scaledMaxDiff` instead of cosine: a one-logit head
    /// (a binary classifier or a regression) has cosine ±1 whatever its error.
    public static let fewOutputs = 8

    /// True when the head has too few outputs for cosine to judge it.
    public var hasFewOutputs: Bool { classes < Self.fewOutputs }
    /// Over the inputs whose top-1 differs: the largest lead the reference's top class has over the
    /// class the candidate picked, divided by max |reference| (nil when every top-1 agrees). A small
    /// lead is a near tie that the candidate's rounding can flip (see `VerifyThresholds.tieMargin`).
    public var top1DisagreementLead: Double? { top1Leads.compactMap { $0 }.max() }
    /// Per input: nil when the top-1 classes agree, else the reference's lead as above.
    public let top1Leads: [Double?]

    /// Compares `candidate` with `reference`, both `samples × classes`, row-major.
    public init(candidate: [Float], reference: [Float], classes: Int) {
        let samples = classes == 0 ? 0 : reference.count / classes
        self.samples = samples
        self.classes = classes
        var top1 = 0, top5 = 0
        var cosMin = Double.infinity, cosSum = 0.0, maxAbs = 0.0, maxRel = 0.0, scale = 0.0
        var leads: [Double?] = []
        for s in 0..<samples {
            let a = Array(candidate[s * classes..<(s + 1) * classes])
            let r = Array(reference[s * classes..<(s + 1) * classes])
            let bestRef = TopK.indices(r, 1)[0]
            let bestCandidate = TopK.indices(a, 1)[0]
            if bestCandidate == bestRef {
                top1 += 1
                leads.append(nil)
            } else {
                let peak = r.reduce(0) { max($0, abs(Double($1))) }
                let gap = Double(r[bestRef]) - Double(r[bestCandidate])
                leads.append(peak == 0 ? gap : gap / peak)
            }
            if TopK.indices(a, min(5, classes)).contains(bestRef) { top5 += 1 }
            var dot = 0.0, na = 0.0, nr = 0.0, diff = 0.0, peak = 0.0
            for i in 0..<classes {
                let x = Double(a[i]), y = Double(r[i])
                dot += x * y
                na += x * x
                nr += y * y
                diff = max(diff, abs(x - y))
                peak = max(peak, abs(y))
            }
            let cos = na == 0 || nr == 0 ? (na == nr ? 1 : 0) : dot / (na.squareRoot() * nr.squareRoot())
            cosMin = min(cosMin, cos)
            cosSum += cos
            maxAbs = max(maxAbs, diff)
            maxRel = max(maxRel, peak == 0 ? diff : diff / peak)
            scale = max(scale, peak)
        }
        top1Agreement = samples == 0 ? 0 : Double(top1) / Double(samples)
        top5Agreement = samples == 0 ? 0 : Double(top5) / Double(samples)
        cosineMin = samples == 0 ? 0 : cosMin
        cosineMean = samples == 0 ? 0 : cosSum / Double(samples)
        maxAbsDiff = maxAbs
        maxRelDiff = maxRel
        top1Leads = leads
        referenceScale = scale
    }

    /// The comparison of the inputs of `parts` together, exactly as one comparison of all of them would be
    /// (counts are added, extremes taken, per-input leads kept): how a dataset streamed in batches, or
    /// split in shards, is judged as a whole.
    public init(merging parts: [LogitComparison]) {
        let samples = parts.reduce(0) { $0 + $1.samples }
        self.samples = samples
        classes = parts.first?.classes ?? 0
        func weighted(_ value: (LogitComparison) -> Double) -> Double {
            samples == 0 ? 0 : parts.reduce(0.0) { $0 + value($1) * Double($1.samples) } / Double(samples)
        }
        top1Agreement = weighted(\.top1Agreement)
        top5Agreement = weighted(\.top5Agreement)
        cosineMean = weighted(\.cosineMean)
        let present = parts.filter { $0.samples > 0 }
        cosineMin = present.map(\.cosineMin).min() ?? 0
        maxAbsDiff = parts.map(\.maxAbsDiff).max() ?? 0
        maxRelDiff = parts.map(\.maxRelDiff).max() ?? 0
        top1Leads = parts.flatMap(\.top1Leads)
        referenceScale = parts.map(\.referenceScale).max() ?? 0
    }

    /// The comparison as sums that add up exactly across shards (`verify --merge`): counts, extremes, the
    /// cosine sum, and the lead of every top-1 change.
    public var sums: JSONValue {
        .object([
            ("samples", .int(Int64(samples))), ("classes", .int(Int64(classes))),
            ("top1_agreeing", .int(Int64(top1Leads.filter { $0 == nil }.count))),
            ("top5_agreeing", .int(Int64((top5Agreement * Double(samples)).rounded()))),
            ("cosine_min", .double(cosineMin)), ("cosine_sum", .double(cosineMean * Double(samples))),
            ("max_abs_diff", .double(maxAbsDiff)), ("max_rel_diff", .double(maxRelDiff)),
            ("reference_scale", .double(referenceScale)),
            ("top1_leads", .array(top1Leads.compactMap { $0 }.map(JSONValue.double))),
        ])
    }

    /// The most inputs one comparison read from `sums` may count (16,777,216): a result file cannot make a
    /// reader allocate more than that many per-input leads.
    public static let maxMergedSamples = 1 << 24

    /// A comparison from `sums` (nil when a key is missing, of the wrong type, or counts more than
    /// `maxMergedSamples` inputs).
    public init?(sums json: JSONValue) {
        func int(_ key: String) -> Int? {
            if case .int(let n)? = json[key], n >= 0, n <= Int64(Self.maxMergedSamples) { Int(n) } else { nil }
        }
        func double(_ key: String) -> Double? {
            switch json[key] {
            case .double(let d)?: d
            case .int(let n)?: Double(n)
            default: nil
            }
        }
        guard let samples = int("samples"), let classes = int("classes"), let agreeing = int("top1_agreeing"),
              let top5 = int("top5_agreeing"), let cosineMin = double("cosine_min"), let cosineSum = double("cosine_sum"),
              let maxAbs = double("max_abs_diff"), let maxRel = double("max_rel_diff"), let scale = double("reference_scale"),
              [cosineMin, cosineSum, maxAbs, maxRel, scale].allSatisfy(\.isFinite),
              case .array(let leads)? = json["top1_leads"], agreeing <= samples, top5 <= samples,
              leads.count == samples - agreeing else { return nil }
        let values = leads.compactMap { value -> Double? in
            switch value {
            case .double(let d): d
            case .int(let n): Double(n)
            default: nil
            }
        }
        guard values.count == leads.count else { return nil }
        self.samples = samples
        self.classes = classes
        top1Agreement = samples == 0 ? 0 : Double(agreeing) / Double(samples)
        top5Agreement = samples == 0 ? 0 : Double(top5) / Double(samples)
        self.cosineMin = cosineMin
        cosineMean = samples == 0 ? 0 : cosineSum / Double(samples)
        maxAbsDiff = maxAbs
        maxRelDiff = maxRel
        referenceScale = scale
        top1Leads = [Double?](repeating: nil, count: agreeing) + values.map { Optional($0) }
    }

    /// Top-1 changes where the reference's class led by at most `tieMargin` of its largest logit.
    public func nearTies(tieMargin: Double) -> Int {
        top1Leads.filter { lead in lead.map { $0 <= tieMargin } ?? false }.count
    }

    /// The share of inputs whose top-1 agrees, counting a change within `tieMargin` (a near tie)
    /// as agreement.
    public func top1Agreement(tieMargin: Double) -> Double {
        samples == 0 ? 0 : Double(top1Leads.filter { lead in lead.map { $0 <= tieMargin } ?? true }.count) / Double(samples)
    }

    /// The comparison as `verify --json` prints it under `comparison`; `top1_disagreement_lead`
    /// is null when every top-1 agrees.
    public var json: JSONValue {
        .object([
            ("samples", .int(Int64(samples))),
            ("top1_agreement", .double(top1Agreement)),
            ("top5_agreement", .double(top5Agreement)),
            ("cosine_min", .double(cosineMin)),
            ("cosine_mean", .double(cosineMean)),
            ("max_abs_diff", .double(maxAbsDiff)),
            ("max_rel_diff", .double(maxRelDiff)),
            ("scaled_max_diff", .double(scaledMaxDiff)),
            ("top1_disagreement_lead", top1DisagreementLead.map(JSONValue.double) ?? .null),
        ])
    }
}

/// Pass/fail limits for `verify`, chosen per precision (override with flags).
public struct VerifyThresholds: Sendable {
    /// Fails when the comparison's `cosineMin` (its worst input) is below this.
    public var cosineMin: Double
    /// Fails when the top-1 agreement, near ties counted as agreeing, is below this share (0…1).
    public var top1Min: Double
    /// Fails when the comparison's `maxRelDiff` exceeds this (the int8 default, infinity, skips the check).
    public var maxRelDiff: Double
    /// A top-1 change where the reference's class led the candidate's by at most this share of the
    /// reference's largest logit is a near tie: reported, but counted as agreement.
    public var tieMargin: Double
    /// For heads with few outputs (`LogitComparison.fewOutputs`), which cosine cannot judge: fails when the
    /// comparison's `scaledMaxDiff` exceeds this; the cosine check is then not applied.
    public var scaledDiffMax: Double

    /// fp32 must match to float rounding; fp16 closely; int8 by direction and class. The tie margins
    /// sit below the precision's typical logit error (int8 per-channel: 1–2% of the largest logit on
    /// ResNet/ResNeXt), so a decisive class that changes always fails.
    public static func defaults(precision: Precision) -> VerifyThresholds {
        switch precision {
        case .fp32: VerifyThresholds(cosineMin: 0.99999, top1Min: 1, maxRelDiff: 1e-4, tieMargin: 0, scaledDiffMax: 1e-4)
        case .fp16: VerifyThresholds(cosineMin: 0.9999, top1Min: 1, maxRelDiff: 1e-2, tieMargin: 1e-3, scaledDiffMax: 1e-2)
        case .int8: VerifyThresholds(cosineMin: 0.99, top1Min: 1, maxRelDiff: .infinity, tieMargin: 1e-2, scaledDiffMax: 0.05)
        }
    }

    /// How a comparison is judged, in words: cosine, or for few outputs the scaled difference.
    public func criterion(_ c: LogitComparison) -> String {
        c.hasFewOutputs
            ? "\(c.classes) output\(c.classes == 1 ? "" : "s") per input, too few for cosine: judged by the largest "
                + "difference over the reference's largest |output| (≤ \(scaledDiffMax))"
            : "cosine ≥ \(cosineMin)"
    }

    /// The failed checks, empty when all pass.
    public func failures(_ c: LogitComparison) -> [String] {
        var out: [String] = []
        if c.hasFewOutputs {
            if !(c.scaledMaxDiff <= scaledDiffMax) {
                out.append("largest difference \(c.scaledMaxDiff) of the reference's scale > \(scaledDiffMax) "
                    + "(\(c.classes) output\(c.classes == 1 ? "" : "s") per input: cosine cannot judge it)")
            }
        } else if c.cosineMin < cosineMin {
            out.append("cosine min \(c.cosineMin) < \(cosineMin)")
        }
        let top1 = c.top1Agreement(tieMargin: tieMargin)
        if top1 < top1Min {
            out.append("top-1 agreement \(top1) < \(top1Min) (changes where the reference led by more than the tie margin \(tieMargin) of its largest logit)")
        }
        if c.maxRelDiff > maxRelDiff { out.append("max relative difference \(c.maxRelDiff) > \(maxRelDiff)") }
        return out
    }
}
