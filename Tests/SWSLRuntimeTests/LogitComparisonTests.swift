import Testing
import SWSLRuntime

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
}
