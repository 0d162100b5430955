import Foundation
import Testing
@testable import SWSLPipeline
import SWSLCore
import SWSLFormat
import SWSLTestSupport

/// The calibration methods on histograms whose answers are known in closed form, and on a model: every
/// method's range lies at or below `max`'s, and the file records the method.
@Suite struct CalibrationMethodTests {
    /// 2048 unit bins over [0, 2048], one value each: the p-th percentile is p% of the range, exactly.
    @Test func percentileOfAUniformHistogram() {
        let uniform = [Double](repeating: 1, count: 2048)
        #expect(Calibration.range(uniform, peak: 2048, method: .percentile(50)) == 1024)
        #expect(Calibration.range(uniform, peak: 2048, method: .percentile(25)) == 512)
        #expect(Calibration.range(uniform, peak: 2048, method: .percentile(100)) == 2048)
    }

    /// A million values at 100.5 and one at 2047.5: the squared error 1e6 (T / 255)² / 12 + (2047.5 − T)²
    /// is least at T = 2047.5 / (1 + 1e6 / (12 · 255²)) ≈ 897.5; without the outlier the range stays
    /// near the data.
    @Test func leastSquaresBalancesRoundingAndClipping() {
        var histogram = [Double](repeating: 0, count: 2048)
        histogram[100] = 1_000_000
        histogram[2047] = 1
        let expected = 2047.5 / (1 + 1e6 / (12 * 255 * 255))
        let got = Calibration.range(histogram, peak: 2048, method: .mse)
        #expect(abs(got - expected) <= 2, "\(got) vs \(expected)")
        histogram[2047] = 0
        let tight = Calibration.range(histogram, peak: 2048, method: .mse)
        #expect(tight >= 101 && tight <= 120, "\(tight)")
    }

    /// Uniform values lose nothing by keeping the whole range; a sharp, ReLU-like head with a few values
    /// far out loses resolution where most values are if the range keeps them, so they are cut.
    @Test func entropyKeepsUniformAndCutsTails() {
        var histogram = [Double](repeating: 1000, count: 2048)
        histogram[0] = 500_000  // ReLU zeros: excluded from the divergence
        #expect(Calibration.range(histogram, peak: 2048, method: .entropy) >= 0.95 * 2048)
        var tailed = [Double](repeating: 0, count: 2048)
        for bin in 1..<400 { tailed[bin] = (1e6 * exp(-Double(bin) / 25)).rounded() }
        for bin in stride(from: 1500, to: 2048, by: 50) { tailed[bin] = 1 }
        let cut = Calibration.range(tailed, peak: 2048, method: .entropy)
        #expect(cut < 0.5 * 2048, "\(cut)")
    }

    /// On a trained model: each method's stored range per layer is at most `max`'s, and the
    /// metadata names the method.
    @Test(arguments: [CalibrationMethod.percentile(99.9), .entropy, .mse])
    func rangesNeverExceedTheMaximum(method: CalibrationMethod) throws {
        let source = FixtureFiles.path("models/digits_bottleneck.trained.pth")
        let images = FixtureFiles.path("golden/digits_calibration_x.npy")
        func convert(_ method: CalibrationMethod) throws -> SWMFile {
            let out = try TemporaryFiles.directory().appendingPathComponent("m.swm").path
            _ = try ConversionPipeline.run(ConversionRequest(input: source, output: out, calibration: .inputs(path: images, limit: 64),
                                                             method: method),
                                           sourceDigest: { _ in String(repeating: "0", count: 64) })
            return try SWMFile.open(path: out, checkCRC: true)
        }
        let maxFile = try convert(.max), file = try convert(method)
        #expect(file.metadata.quantization.activations?.method == method.name)
        var below = 0, count = 0
        for entry in maxFile.entries where entry.name.hasSuffix(".input_scale") {
            let other = try #require(file.entry(entry.name))
            let (a, b) = (maxFile.floats(entry)[0], file.floats(other)[0])
            #expect(b <= a * 1.0001, "\(entry.name): \(b) > \(a)")
            if b < a * 0.999 { below += 1 }
            count += 1
        }
        #expect(count > 10)
        // The methods do clip somewhere (else they would be `max` by another name).
        #expect(below > 0, "\(method.name) clipped no layer")
    }
}
