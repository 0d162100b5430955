import Testing
import SWSLPipeline

/// The numbers `verify` prints, on logits worked out by hand.
@Suite struct LogitComparisonTests {
    @Test func agreementCosineDifferencesAndTheLeadOfChangedTopOnes() {
        // Sample 0: same top-1 (class 0). Sample 1: the reference leads class 1 over class 2 by 0.1
        // (of a largest |logit| of 4), the candidate picks class 2. Sample 2: the candidate is the reference.
        let reference: [Float] = [3, 1, 0, 0,   -4, 2.0, 1.9, 0,   1, 2, 3, 4]
        let candidate: [Float] = [3, 1, 0.5, 0, -4, 1.9, 2.0, 0,   1, 2, 3, 4]
        let c = LogitComparison(candidate: candidate, reference: reference, classes: 4)
        #expect(c.samples == 3)
        #expect(c.top1Agreement == 2.0 / 3)
        #expect(c.top5Agreement == 1)
        #expect(abs(c.maxAbsDiff - 0.5) < 1e-6)
        #expect(abs(c.maxRelDiff - 0.5 / 3) < 1e-6)  // sample 0: 0.5 over max |reference| 3
        #expect(abs((c.top1DisagreementLead ?? -1) - 0.1 / 4) < 1e-6)
        let cos0 = (9.0 + 1) / ((10.0).squareRoot() * (10.25).squareRoot())
        #expect(abs(c.cosineMin - cos0) < 1e-9)

        let same = LogitComparison(candidate: reference, reference: reference, classes: 4)
        #expect(same.top1DisagreementLead == nil && same.top1Agreement == 1 && same.cosineMin > 0.9999999)
    }

    @Test func aChangeWithinTheTieMarginCountsAsAgreementAndADecisiveOneFails() {
        // Sample 0: the reference's class 0 leads class 1 by 0.05 of its largest logit 10 (0.5%); the
        // candidate swaps them. In `decisive`, sample 0 agrees and in sample 1 the candidate picks class 0,
        // which the reference's class 2 led by 9 of 10 (90%).
        let reference: [Float] = [10, 9.95, 0,   1, 0, 10]
        let tie: [Float] = [9.95, 10, 0,   1, 0, 10]
        let decisive: [Float] = [10, 9.95, 0,   10.5, 0, 10]
        let t = LogitComparison(candidate: tie, reference: reference, classes: 3)
        #expect(t.top1Agreement == 0.5)
        #expect(t.top1Leads.count == 2 && t.top1Leads[1] == nil)
        #expect(abs((t.top1Leads[0] ?? -1) - 0.005) < 1e-6)
        #expect(t.nearTies(tieMargin: 0.01) == 1 && t.nearTies(tieMargin: 0.001) == 0)
        #expect(t.top1Agreement(tieMargin: 0.01) == 1 && t.top1Agreement(tieMargin: 0) == 0.5)

        let int8 = VerifyThresholds.defaults(precision: .int8)
        #expect(int8.tieMargin == 0.01)
        #expect(int8.failures(t).isEmpty)
        var strict = int8
        strict.tieMargin = 0
        #expect(strict.failures(t).count == 1)
        #expect(VerifyThresholds.defaults(precision: .fp32).failures(t).contains { $0.hasPrefix("top-1 agreement 0.5") })

        let d = LogitComparison(candidate: decisive, reference: reference, classes: 3)
        #expect(d.nearTies(tieMargin: 0.01) == 0)
        #expect(abs((d.top1DisagreementLead ?? -1) - 0.9) < 1e-6)
        #expect(d.top1Agreement(tieMargin: 0.01) == 0.5 && !int8.failures(d).isEmpty)
    }

    /// One output per input: cosine is ±1 whatever the error, so a head with fewer than 8 outputs is judged
    /// by its largest difference over the reference's largest |output|. 13% off fails int8's 5%; 1% passes.
    @Test func aFewOutputHeadIsJudgedByItsScaledDifference() {
        let reference: [Float] = [2.0, -1.0, 0.5]
        let off = LogitComparison(candidate: reference.map { $0 * 1.13 }, reference: reference, classes: 1)
        #expect(off.cosineMin == 1 && off.hasFewOutputs)
        #expect(abs(off.scaledMaxDiff - 0.13) < 1e-6)
        let int8 = VerifyThresholds.defaults(precision: .int8)
        #expect(int8.failures(off).count == 1 && int8.failures(off)[0].contains("cosine cannot judge it"))
        let close = LogitComparison(candidate: reference.map { $0 * 1.01 }, reference: reference, classes: 1)
        #expect(int8.failures(close).isEmpty)
        #expect(!VerifyThresholds.defaults(precision: .fp32).failures(close).isEmpty)
        #expect(int8.criterion(close).contains("too few for cosine"))
        // Ten outputs: cosine, as before.
        let ten = LogitComparison(candidate: [Float](repeating: 1, count: 10), reference: [Float](repeating: 1, count: 10), classes: 10)
        #expect(!ten.hasFewOutputs && int8.criterion(ten) == "cosine ≥ 0.99")
    }
}
