import Foundation
import Testing
import SWSLCore
import SWSLFormat
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

/// `verify --layers` on a trained model: a file with one layer's weight scales made 4× too large (bytes
/// edited, CRCs resealed) is failed, and the first layer where the error jumps is that layer, named.
@Suite struct VerifyLayersTests {
    @Test(arguments: ["stage2.block0.conv2", "stage3.block0.conv1"])
    func findsTheDamagedLayerByName(layer: String) throws {
        let model = CLI.fixture("models/digits_bottleneck.trained.pth")
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("damaged.swm").path
        let convert = try CLI.run([model, out])
        #expect(convert.status == 0, "\(convert.stderr)")
        var file = SWMBytes(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
        let entry = try #require(file.entry("\(layer).weight_scale"))
        let start = file.data.lowerBound + file.u64(at: entry.offset), length = file.u64(at: entry.length)
        for at in stride(from: start, to: start + length, by: 4) {
            let scale = Float(bitPattern: file.u32(at: at)) * 4
            file.set32(scale.bitPattern, at: at)
        }
        file.set32(file.bytes[start..<start + length].withUnsafeBytes { CRC32.checksum($0) }, at: entry.crc)
        file.reseal()
        try Data(file.bytes).write(to: URL(fileURLWithPath: out))

        let result = try CLI.run(["verify", out, "--reference", model, "--layers", "--input",
                                  CLI.fixture("golden/digits_calibration_x.npy"), "--json"])
        let report = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(report["first_jump"]?["layer"] == .string(layer), "\(report["first_jump"] ?? .null)")
        #expect(report["first_jump"]?["kind"] == .string("scale"))
        guard case .array(let layers)? = report["layers"] else { Issue.record("no layers"); return }
        // Every layer is there, by canonical name, in plan order; the ones before the damage are clean.
        let names = layers.compactMap { if case .string(let n)? = $0["name"] { n } else { nil } }
        #expect(names.first == "stem.conv1" && names.last == "fc" && names.contains(layer))
        for row in layers.prefix(while: { $0["name"] != .string(layer) }) {
            if case .double(let sqnr)? = row["sqnr_db"] { #expect(sqnr > 25, "\(row)") }
        }
        // The human table marks it too.
        let text = try CLI.run(["verify", out, "--reference", model, "--layers", "--input",
                                CLI.fixture("golden/digits_calibration_x.npy")])
        #expect(text.stdout.contains("first jump: \(layer)"), "\(text.stdout)")
    }

    /// An undamaged file: no jump, and with a stored range far too small, the jump is called clipping.
    @Test func aHealthyFileHasNoJumpAndTooSmallRangesAreClipping() throws {
        let model = CLI.fixture("models/digits_bottleneck.trained.pth")
        let dir = try CLI.temporaryDirectory()
        let healthy = dir.appendingPathComponent("ok.swm").path
        #expect(try CLI.run([model, healthy]).status == 0)
        let ok = try JSONParser.parse(Array(try CLI.run(["verify", healthy, "--reference", model, "--layers", "--input",
                                                         CLI.fixture("golden/digits_calibration_x.npy"), "--json"]).stdout.utf8))
        #expect(ok["first_jump"] == .null)
        #expect(ok["pass"] == .bool(true))

        let images = try NPYArray.read(path: CLI.fixture("golden/digits_calibration_x.npy"))
        let scaled = dir.appendingPathComponent("scaled.npy").path
        try NPYArray(shape: images.shape, values: images.values.map { $0 * 0.05 }).write(path: scaled)
        let wrong = dir.appendingPathComponent("wrong.swm").path
        #expect(try CLI.run([model, wrong, "--calibrate", scaled]).status == 0)
        let report = try JSONParser.parse(Array(try CLI.run(["verify", wrong, "--reference", model, "--layers", "--input",
                                                             CLI.fixture("golden/digits_calibration_x.npy"), "--json"]).stdout.utf8))
        #expect(report["first_jump"]?["kind"] == .string("clipping"), "\(report["first_jump"] ?? .null)")
    }
}

/// `convert --verify`: the record goes into the file and `inspect` shows it; a conversion that fails
/// its verification exits 1 and writes nothing.
@Suite struct ConvertVerifyTests {
    @Test func theRecordIsWrittenAndShown() throws {
        let model = CLI.fixture("models/digits_bottleneck.trained.pth")
        let out = try CLI.temporaryDirectory().appendingPathComponent("verified.swm").path
        let convert = try CLI.run([model, out, "--verify"])
        #expect(convert.status == 0, "\(convert.stderr)")
        let file = try SWMFile.open(path: out, checkCRC: true)
        let record = try #require(file.metadata.verification)
        #expect(record.pass && record.samples == 10 && record.cosineMin >= 0.99 && record.top1Agreement == 1)
        #expect(record.tool == file.metadata.provenance.converter)
        #expect(record.int8 == "integer, ranges measured per input")
        // The record names the kernels that ran, so a result measured on one CPU is not read as another's.
        let kernels = try #require(record.kernels)
        #expect(["portable", "avx2", "avx-vnni", "avx512"].contains(where: { kernels.hasPrefix($0 + ", integer ") }), "\(kernels)")
        #expect(try CLI.run(["inspect", out]).stdout.contains("verified: PASS"))
        let portable = try CLI.temporaryDirectory().appendingPathComponent("portable.swm").path
        #expect(try CLI.run([model, portable, "--verify"], environment: ["SWSL_KERNELS": "portable"]).status == 0)
        #expect(try SWMFile.open(path: portable).metadata.verification?.kernels == "portable, integer portable")
        // Without --verify there is no record, and the file's bytes are those of before (no key written).
        let plain = try CLI.temporaryDirectory().appendingPathComponent("plain.swm").path
        #expect(try CLI.run([model, plain]).status == 0)
        #expect(try SWMFile.open(path: plain).metadata.verification == nil)
        #expect(try CLI.run(["inspect", plain]).stdout.contains("verified: no record"))
    }

    @Test func aFailedVerificationWritesNothing() throws {
        let model = CLI.fixture("models/digits_bottleneck.trained.pth")
        let dir = try CLI.temporaryDirectory()
        let images = try NPYArray.read(path: CLI.fixture("golden/digits_calibration_x.npy"))
        let scaled = dir.appendingPathComponent("scaled.npy").path
        try NPYArray(shape: images.shape, values: images.values.map { $0 * 0.05 }).write(path: scaled)
        let out = dir.appendingPathComponent("wrong.swm").path
        let result = try CLI.run([model, out, "--calibrate", scaled, "--verify"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("verification failed, nothing written"))
        // The checks that failed, worded as verify words them ("cosine min 0.93 < 0.99", "top-1 agreement … < 1").
        #expect(result.stderr.contains(" < "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["scaled.npy"])
    }
}

/// `convert --precision auto` on a trained model: plain int8 misses a tight target on verify's default
/// inputs, auto reaches it by keeping some layers in float16, and the file says which and why.
@Suite struct PrecisionAutoTests {
    @Test func reachesTheTargetPlainInt8Misses() throws {
        let model = CLI.fixture("models/digits_bottleneck.trained.pth")
        let dir = try CLI.temporaryDirectory()
        let (plain, auto) = (dir.appendingPathComponent("int8.swm").path, dir.appendingPathComponent("auto.swm").path)
        #expect(try CLI.run([model, plain]).status == 0)
        let target = 0.9999
        let convert = try CLI.run([model, auto, "--precision", "auto", "--target-cosine", "\(target)", "--json"])
        #expect(convert.status == 0, "\(convert.stderr)")
        func cosine(_ file: String) throws -> Double {
            let report = try JSONParser.parse(Array(try CLI.run(["verify", file, "--reference", model, "--json"]).stdout.utf8))
            guard case .double(let c)? = report["comparison"]?["cosine_min"] else { return -1 }
            return c
        }
        #expect(try cosine(plain) < target)
        #expect(try cosine(auto) >= target)
        let file = try SWMFile.open(path: auto, checkCRC: true)
        let kept = file.metadata.quantization.floatLayers
        #expect(!kept.isEmpty && kept.count < 10, "\(kept.map(\.layer))")
        for layer in kept {
            #expect(layer.dtype == "float16" && layer.reason.contains("SQNR"))
            #expect(file.entry("\(layer.layer).weight")?.dtype == .float16)
        }
        // The other layers stay int8; the summary names the kept ones.
        #expect(file.entries.filter { $0.name.hasSuffix(".weight") && $0.dtype == .int8 }.count > 10)
        let summary = try JSONParser.parse(Array(convert.stdout.utf8))
        if case .string(let note)? = summary["precision_auto"] { #expect(note.contains(kept[0].layer)) } else { Issue.record("no note") }
    }
}
