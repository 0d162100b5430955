import Foundation
import Testing
import SWSLCore
import SWSLTestSupport

/// `verify` on trained models (Fixtures/generate_trained.py): its default inputs are independent of
/// any calibration, so a file whose stored activation ranges are wrong fails it, and a file converted
/// with the defaults passes it and is told that only the model's own data certifies it.
@Suite struct VerifyTrainedTests {
    static let models = ["models/digits_resnet.trained.pth", "models/digits_bottleneck.trained.pth"]

    static func verify(_ file: String, reference: String) throws -> (CLI.Result, JSONValue) {
        let result = try CLI.run(["verify", file, "--reference", reference, "--json"])
        return (result, try JSONParser.parse(Array(result.stdout.utf8)))
    }

    /// Ranges 20× too small: calibrated on the training images scaled by 0.05. verify's default
    /// inputs (photographs, shapes, noise) must catch it, exit 1.
    @Test(arguments: models)
    func aWrongActivationRangeFailsVerifyWithDefaultInputs(model: String) throws {
        let dir = try CLI.temporaryDirectory()
        let images = try NPYArray.read(path: CLI.fixture("golden/digits_calibration_x.npy"))
        let scaled = dir.appendingPathComponent("scaled.npy").path
        try NPYArray(shape: images.shape, values: images.values.map { $0 * 0.05 }).write(path: scaled)
        let out = dir.appendingPathComponent("wrong.swm").path
        let convert = try CLI.run([CLI.fixture(model), out, "--calibrate", scaled])
        #expect(convert.status == 0, "\(convert.stderr)")
        let (result, report) = try Self.verify(out, reference: CLI.fixture(model))
        #expect(result.status == 1, "\(result.stdout)")
        #expect(report["pass"] == .bool(false))
        if case .string(let int8)? = report["int8"] { #expect(int8.contains("stored in the file"), "\(int8)") }
        else { Issue.record("no int8 line") }
    }

    /// The default conversion (no calibration data) and the default arithmetic (integer, ranges
    /// measured on each input) pass; the verdict says the inputs are outside this model's domain.
    @Test(arguments: models)
    func theDefaultConversionPassesAndAsksForRealInputs(model: String) throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("default.swm").path
        let convert = try CLI.run([CLI.fixture(model), out])
        #expect(convert.status == 0, "\(convert.stderr)")
        let (result, report) = try Self.verify(out, reference: CLI.fixture(model))
        #expect(result.status == 0, "\(result.stdout)")
        #expect(report["comparison"]?["cosine_min"].flatMap { if case .double(let c) = $0 { c } else { nil } } ?? 0 >= 0.999)
        if case .string(let int8)? = report["int8"] { #expect(int8.contains("dynamic"), "\(int8)") }
        #expect(report["needs_own_inputs"] == .bool(true))
        if case .string(let advice)? = report["advice"] { #expect(advice.contains("1-channel"), "\(advice)") }
        else { Issue.record("no advice") }
        // The human verdict says the same.
        let text = try CLI.run(["verify", out, "--reference", CLI.fixture(model)])
        #expect(text.stdout.contains("PASS on generic inputs"))
        #expect(text.stdout.contains("Real inputs needed"))
    }
}
