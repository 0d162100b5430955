import Foundation
import Testing
import SWSLCore
import SWSLTestSupport

/// Never silently wrong (issue 24), on files timm wrote (Fixtures/generate_variants.py): a file that says
/// which network it is is believed or refused by name; a bare state dict is converted as the plain network
/// with the assumption printed; `verify --expected` holds the conversion to outputs PyTorch computed, and
/// catches a misreading that `verify --reference` (the converter's own reading) cannot.
@Suite struct VariantTests {
    static func variant(_ name: String) -> String { CLI.fixture("models/variants/" + name) }
    static func golden(_ name: String) -> String { CLI.fixture("golden/variants/" + name) }
    static let input = CLI.fixture("golden/input_2x3x64x64.npy")

    struct Refusal: CustomStringConvertible, Sendable {
        let file: String
        let mentions: [String]
        var description: String { file }
    }

    /// The file names its variant: refused with exit 2, naming the module (or config.json's name), nothing written.
    @Test(arguments: [
        Refusal(file: "aa.whole_module.pth", mentions: ["pickled model's 'maxpool'", "AvgPool2d", "anti-aliased"]),
        Refusal(file: "blur.whole_module.pth", mentions: ["'maxpool.1'", "timm.layers.blur_pool.BlurPool2d", "blur-pool"]),
        Refusal(file: "dilated.whole_module.pth", mentions: ["'layer4.0.conv2'", "dilation [2, 2]", "replace_stride_with_dilation"]),
        Refusal(file: "hub_resnetaa50", mentions: ["config.json names 'resnetaa50'", "anti-aliased"]),
        Refusal(file: "dilated.traced.pt", mentions: ["TorchScript model's 'layer4.0.conv2'", "dilation [2, 2]"]),
        Refusal(file: "dilated.scripted.pt", mentions: ["TorchScript model's 'layer4.0.conv2'", "dilation [2, 2]"]),
        Refusal(file: "aa.traced.pt", mentions: ["TorchScript model's 'maxpool'", "AvgPool2d", "anti-aliased"]),
    ])
    func aNamedVariantIsRefusedByName(_ c: Refusal) throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("out.swm")
        let result = try CLI.run([Self.variant(c.file), out.path])
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stderr.hasPrefix("swsl-convert: \(Self.variant(c.file)): not a network the ResNet schema covers"), "\(result.stderr)")
        for word in c.mentions { #expect(result.stderr.contains(word), "\(result.stderr)") }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // inspect says the same, and exits 0: it describes the file.
        let inspect = try CLI.run(["inspect", Self.variant(c.file)])
        #expect(inspect.status == 0 && inspect.stdout.contains("architecture: not recognised"), "\(inspect.stdout)")
    }

    /// A bare state dict of the anti-aliased model has the plain model's tensors: converted as the plain
    /// network, saying so; verify against its own reading passes (it cannot see it), against PyTorch's
    /// outputs of the real model fails, and against the plain network's outputs passes.
    @Test func aBareStateDictIsReadAsThePlainNetworkAndExpectedOutputsCatchIt() throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("aa.swm").path
        let convert = try CLI.run([Self.variant("aa.state_dict.pth"), out, "--json"])
        #expect(convert.status == 0, "\(convert.stderr)")
        let summary = try JSONParser.parse(Array(convert.stdout.utf8))
        guard case .string(let assumption)? = summary["assumption"] else { Issue.record("no assumption"); return }
        #expect(assumption.contains("plain") && assumption.contains("resnetaa") && assumption.contains("--expected"))
        #expect(try CLI.run(["inspect", Self.variant("aa.state_dict.pth")]).stdout.contains("reading: read as a plain"))

        let own = try CLI.run(["verify", out, "--reference", Self.variant("aa.state_dict.pth"), "--input", Self.input, "--json"])
        #expect(own.status == 0, "\(own.stdout)")
        let ownReport = try JSONParser.parse(Array(own.stdout.utf8))
        #expect(ownReport["reference_kind"] == .string("own_reading"))
        #expect(ownReport["reference_assumption"] != .null)

        let outside = try CLI.run(["verify", out, "--input", Self.input, "--expected", Self.golden("aa_logits.npy"), "--json"])
        #expect(outside.status == 1, "\(outside.stdout)")
        #expect(try JSONParser.parse(Array(outside.stdout.utf8))["reference_kind"] == .string("outside"))
        // Both references: the reading of the source is itself checked against the outside outputs.
        let both = try CLI.run(["verify", out, "--reference", Self.variant("aa.state_dict.pth"), "--input", Self.input,
                                "--expected", Self.golden("aa_logits.npy")])
        #expect(both.status == 1 && both.stdout.contains("the float reading of"), "\(both.stdout)")

        let plain = try CLI.run(["verify", out, "--input", Self.input, "--expected", Self.golden("plain_logits.npy")])
        #expect(plain.status == 0, "\(plain.stdout)")
        #expect(plain.stdout.contains("against an outside reference"), "\(plain.stdout)")
    }

    /// Files that say they are the plain network convert without an assumption: a whole pickled module.
    @Test func aWholePickledPlainModelNeedsNoAssumption() throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("plain.swm").path
        let convert = try CLI.run([CLI.fixture("models/resnet18_tiny.whole_module.pth"), out, "--json"])
        #expect(convert.status == 0, "\(convert.stderr)")
        #expect(try JSONParser.parse(Array(convert.stdout.utf8))["assumption"] == .null)
    }

    /// `--expected` outputs that do not fit the inputs and the model are an input error naming the file.
    @Test func expectedOutputsOfTheWrongShapeAreRefused() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("m.swm").path
        #expect(try CLI.run([Self.variant("aa.state_dict.pth"), out]).status == 0)
        let wrong = dir.appendingPathComponent("wrong.npy").path
        try NPYArray(shape: [2, 9], values: [Float](repeating: 0, count: 18)).write(path: wrong)
        let result = try CLI.run(["verify", out, "--input", Self.input, "--expected", wrong])
        #expect(result.status == 2 && result.stderr.contains(wrong) && result.stderr.contains("[2, 10]"), "\(result.stderr)")
        let alone = try CLI.run(["verify", out, "--expected", wrong])
        #expect(alone.status == 64 && alone.stderr.contains("--expected needs --input"), "usage error: \(alone.stderr)")
    }

    /// A one-logit head: cosine is 1 whatever the error, so it is judged by the largest difference over the
    /// reference's scale. fp32 passes against PyTorch's outputs; the same outputs 13% off fail; int8, whose
    /// error on this head is large, fails too (cosine would have passed it), and convert --verify writes nothing.
    @Test func aOneLogitHeadIsJudgedByRelativeError() throws {
        let dir = try CLI.temporaryDirectory()
        let fp32 = dir.appendingPathComponent("one.fp32.swm").path
        #expect(try CLI.run([Self.variant("one_logit.state_dict.pth"), fp32, "--precision", "fp32"]).status == 0)
        let good = try CLI.run(["verify", fp32, "--input", Self.input, "--expected", Self.golden("one_logit_logits.npy"), "--json"])
        #expect(good.status == 0, "\(good.stdout)")
        let report = try JSONParser.parse(Array(good.stdout.utf8))
        if case .string(let criterion)? = report["criterion"] { #expect(criterion.contains("too few for cosine"), "\(criterion)") }
        else { Issue.record("no criterion") }

        let torch = try NPYArray.read(path: Self.golden("one_logit_logits.npy"))
        let off = dir.appendingPathComponent("off.npy").path
        try NPYArray(shape: torch.shape, values: torch.values.map { $0 * 1.13 }).write(path: off)
        let bad = try CLI.run(["verify", fp32, "--input", Self.input, "--expected", off, "--json"])
        #expect(bad.status == 1, "\(bad.stdout)")
        let badReport = try JSONParser.parse(Array(bad.stdout.utf8))
        #expect(badReport["comparison"]?["cosine_min"] == .double(1), "cosine cannot see it")
        guard case .array(let failures)? = badReport["failures"], case .string(let first)? = failures.first else {
            Issue.record("no failure"); return
        }
        #expect(first.contains("of the reference's scale"), "\(first)")

        let int8 = dir.appendingPathComponent("one.int8.swm").path
        #expect(try CLI.run([Self.variant("one_logit.state_dict.pth"), int8]).status == 0)
        let judged = try CLI.run(["verify", int8, "--input", Self.input, "--expected", Self.golden("one_logit_logits.npy"), "--json"])
        let judgedReport = try JSONParser.parse(Array(judged.stdout.utf8))
        #expect(judged.status == 1 && judgedReport["comparison"]?["cosine_min"] == .double(1), "\(judged.stdout)")
        let refused = dir.appendingPathComponent("refused.swm").path
        #expect(try CLI.run([Self.variant("one_logit.state_dict.pth"), refused, "--verify"]).status == 1)
        #expect(!FileManager.default.fileExists(atPath: refused))
        // A passing record of a few-output head carries its scaled difference, and the reader accepts it.
        let verified = dir.appendingPathComponent("verified.swm").path
        #expect(try CLI.run([Self.variant("one_logit.state_dict.pth"), verified, "--verify", "--precision", "fp32"]).status == 0)
        let inspect = try CLI.run(["inspect", verified, "--check", "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("scaled_max_diff"), "\(inspect.stdout.prefix(400))")
    }

    /// timm's tiered deep stem (resnet10t's 24, 32, 64; here 3, 4, 8): converted, fp32 to PyTorch's float
    /// rounding, int8 within its budget, both held to PyTorch's outputs.
    @Test func aTieredStemConvertsAndMatchesPyTorch() throws {
        let dir = try CLI.temporaryDirectory()
        for precision in ["fp32", "int8"] {
            let out = dir.appendingPathComponent("tiered.\(precision).swm").path
            let convert = try CLI.run([Self.variant("tiered.state_dict.pth"), out, "--precision", precision])
            #expect(convert.status == 0 && convert.stdout.contains("tiered stem 4"), "\(convert.stdout)\(convert.stderr)")
            let verify = try CLI.run(["verify", out, "--input", Self.input, "--expected", Self.golden("tiered_logits.npy"), "--json"])
            #expect(verify.status == 0, "\(precision): \(verify.stdout)")
            if precision == "fp32", case .double(let rel)? = try JSONParser.parse(Array(verify.stdout.utf8))["comparison"]?["max_rel_diff"] {
                #expect(rel < 1e-5, "fp32 max relative difference \(rel)")
            }
        }
    }
}

/// Convert never writes a file that the reader refuses: every fixture checkpoint and hub folder is converted,
/// and whatever converts is opened and run again (verify against its source: exit 0 or 1, never an input error).
@Suite struct EveryFixtureRunsTests {
    /// Checkpoint files and hub folders under Fixtures/models (an ONNX file's external data and the hub
    /// folders' members are not inputs of their own).
    static let inputs: [String] = {
        let root = CLI.fixtures.appendingPathComponent("models")
        var found: [String] = []
        let manager = FileManager.default
        guard let walker = manager.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey]) else { return [] }
        for case let url as URL in walker {
            let relative = String(url.path.dropFirst(CLI.fixtures.path.count + 1))
            let inHub = relative.contains("/hub/") || relative.contains("/hub_")
            if manager.fileExists(atPath: url.appendingPathComponent("config.json").path) {
                found.append(relative)
                walker.skipDescendants()
            } else if !inHub, url.pathExtension == "pth" || url.pathExtension == "pt" || url.pathExtension == "onnx"
                        || url.pathExtension == "safetensors" {
                found.append(relative)
            }
        }
        return found.sorted()
    }()

    @Test func thereAreManyInputs() { #expect(Self.inputs.count >= 40, "\(Self.inputs)") }

    @Test(arguments: inputs)
    func whatConvertsAlsoRuns(_ input: String) throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("m.swm").path
        let convert = try CLI.run([CLI.fixture(input), out])
        guard convert.status == 0 else {
            #expect(convert.status == 2 && !FileManager.default.fileExists(atPath: out), "\(input): \(convert.stderr)")
            return
        }
        let verify = try CLI.run(["verify", out, "--reference", CLI.fixture(input), "--samples", "2"])
        #expect(verify.status == 0 || verify.status == 1, "\(input): \(verify.stdout)\(verify.stderr)")
        #expect(!verify.stderr.contains("swsl-convert: \(out)"), "the converted file was refused: \(verify.stderr)")
    }
}
