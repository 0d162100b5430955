import Foundation
import Testing
import SWSLCore
import SWSLFormat
import SWMRuntime

/// `run` and `verify` as a user runs them: output formats and exit statuses.
@Suite struct RunVerifyCommandTests {
    static func converted(_ fixture: String, _ precision: String = "int8") throws -> String {
        let out = try CLI.temporaryDirectory().appendingPathComponent("m.swm").path
        let result = try CLI.run(["convert", CLI.fixture(fixture), out, "--precision", precision])
        #expect(result.status == 0, "\(result.stderr)")
        return out
    }

    @Test func runWritesLogitsThatMatchPyTorch() throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("logits.npy").path
        let result = try CLI.run(["run", CLI.fixture("models/resnext_tiny.zip.pth"),
                                  "--input", CLI.fixture("golden/input_2x3x64x64.npy"), "--output", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 2)  // one top-K line per sample
        let got = try NPYArray.read(path: out), want = try NPYArray.read(path: CLI.fixture("golden/resnext_tiny_logits.npy"))
        #expect(got.shape == want.shape)
        let peak = want.values.map { abs($0) }.max()!
        #expect(zip(got.values, want.values).allSatisfy { abs($0 - $1) <= 1e-4 * peak })
    }

    /// `run --json`: one object per input and line, the top K by probability, with PyTorch's logits.
    @Test func runJSONGivesTopKPerInput() throws {
        let model = try Self.converted("models/resnext_tiny.zip.pth", "fp32")
        let result = try CLI.run(["run", model, "--input", CLI.fixture("golden/input_2x3x64x64.npy"), "--top", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let want = try NPYArray.read(path: CLI.fixture("golden/resnext_tiny_logits.npy")).values
        for (sample, line) in lines.enumerated() {
            let object = try JSONParser.parse(Array(line.utf8))
            #expect(object["sample"] == .int(Int64(sample)))
            guard case .array(let top)? = object["top"] else { Issue.record("no top in \(line)"); continue }
            #expect(top.count == 3)
            let row = Array(want[sample * 10..<(sample + 1) * 10])
            let best = row.indices.max { row[$0] < row[$1] }!
            #expect(top.first?["index"] == .int(Int64(best)))
            func number(_ v: JSONValue?) -> Double { if case .double(let d)? = v { d } else if case .int(let i)? = v { Double(i) } else { .nan } }
            let probabilities = top.map { number($0["probability"]) }
            #expect(probabilities == probabilities.sorted(by: >) && probabilities.allSatisfy { $0 > 0 && $0 <= 1 })
            #expect(abs(number(top.first?["logit"]) - Double(row[best])) <= 1e-4 * Double(row.map(abs).max()!))
        }
    }

    /// `--version` is the converter string every `.swm` records.
    @Test func versionIsTheProvenanceConverter() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        let file = try SWMFile.open(path: try Self.converted("models/resnet18_tiny.zip.pth"))
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == file.metadata.provenance.converter)
    }

    @Test func runClassifiesImages() throws {
        let model = try Self.converted("models/resnet50_tiny.zip.pth")
        let result = try CLI.run(["run", model, "--image", CLI.fixture("images/photo.jpg"), "--image",
                                  CLI.fixture("images/shapes.png"), "--top", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix(CLI.fixture("images/photo.jpg")))
        #expect(lines.allSatisfy { $0.filter { $0 == "%" }.count == 3 })
    }

    @Test(arguments: ["int8", "fp16", "fp32"])
    func verifyPassesAndReportsJSON(precision: String) throws {
        let model = try Self.converted("models/resnet50d_tiny.zip.pth", precision)
        let result = try CLI.run(["verify", model, "--reference", CLI.fixture("models/resnet50d_tiny.zip.pth"),
                                  "--samples", "3", "--size", "64", "--json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let report = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(report["pass"] == .bool(true))
        // The bundled photographs, then 3 generated: 2 shapes, 1 noise; each family reported.
        #expect(report["comparison"]?["samples"] == .int(7))
        #expect(report["precision"] == .string(precision))
        if case .string(let origin)? = report["inputs"] { #expect(origin.contains("4 bundled photographs")) }
        guard case .array(let groups)? = report["input_groups"] else { Issue.record("no input_groups"); return }
        #expect(groups.map { $0["name"] } == [.string("photographs"), .string("shapes"), .string("noise")])
        #expect(groups.map { $0["count"] } == [.int(4), .int(2), .int(1)])
        // Generic inputs never certify a model on its task; a 1000-class 3-channel model is told so mildly.
        #expect(report["needs_own_inputs"] == .bool(true))
        // Which kernels ran: SWSL_KERNELS forces them, and the report says so.
        let forced = try CLI.run(["verify", model, "--reference", CLI.fixture("models/resnet50d_tiny.zip.pth"),
                                  "--samples", "1", "--size", "64", "--json"], environment: ["SWSL_KERNELS": "portable"])
        #expect(try JSONParser.parse(Array(forced.stdout.utf8))["kernels"] == .string("portable, integer portable"))
        guard case .string(let kernels)? = report["kernels"] else { Issue.record("no kernels"); return }
        #expect(kernels.contains(", integer "), "\(kernels)")
    }

    @Test func verifyFailsWithStatusOneOnANumericalMismatch() throws {
        // int8 cannot meet an fp32-grade bound: a numerical failure, not an input error.
        let model = try Self.converted("models/resnet18_tiny.zip.pth")
        let result = try CLI.run(["verify", model, "--reference", CLI.fixture("models/resnet18_tiny.zip.pth"),
                                  "--samples", "2", "--size", "64", "--max-rel-diff", "1e-7"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL"))
    }

    @Test func verifyAgainstTheWrongModelFails() throws {
        // resnet50_tiny weights checked against another model with the same classes: outputs disagree.
        let model = try Self.converted("models/resnet50_tiny.zip.pth", "fp32")
        let result = try CLI.run(["verify", model, "--reference", CLI.fixture("models/resnext_tiny.zip.pth"),
                                  "--samples", "4", "--size", "64"])
        #expect(result.status == 1, "\(result.stdout)")
    }

    @Test func verifyFailsLoudlyOnADamagedFile() throws {
        // One byte of one weight changed: the tensor CRC catches it before anything runs.
        let model = try Self.converted("models/resnet18_tiny.zip.pth")
        let file = try SWMFile.open(path: model)
        guard let weight = file.entry("stage4.block1.conv2.weight") else {
            Issue.record("no stage4.block1.conv2.weight")
            return
        }
        let offset = file.bytes(of: weight).baseAddress! - file.storage.bytes.baseAddress! + weight.byteLength / 2
        var bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        bytes[offset] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: model))
        let result = try CLI.run(["verify", model, "--reference", CLI.fixture("models/resnet18_tiny.zip.pth"), "--size", "64"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(model) && result.stderr.contains("CRC"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func verifyInputErrorsExitWithTwo() throws {
        let model = try Self.converted("models/resnet18_tiny.zip.pth")
        let missing = try CLI.run(["verify", model, "--reference", "/nonexistent.pth"])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent.pth"))
        let badImage = try CLI.run(["run", model, "--image", CLI.fixture("models/resnet18_tiny.zip.pth")])
        #expect(badImage.status == 2 && badImage.stderr.contains("resnet18_tiny.zip.pth"))
    }
}

/// `bench` as a user runs it: the summary, and with `--layers` one timing per step of the plan.
@Suite struct BenchCommandTests {
    @Test func layersTimeEveryStep() throws {
        let model = try RunVerifyCommandTests.converted("models/resnet50_tiny.zip.pth")
        let result = try CLI.run(["bench", model, "--size", "64", "--iterations", "2", "--layers", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONParser.parse(Array(result.stdout.utf8))
        guard case .array(let layers)? = report["layers"], case .double(let median)? = report["median_ms"] else {
            Issue.record("no layers or median"); return
        }
        let names = layers.compactMap { if case .string(let n)? = $0["step"] { n } else { nil } }
        // resnet50_tiny: the stem, 16 bottlenecks (48 convolutions), 4 downsamples, max pool, global pool, fc.
        #expect(names.count == 1 + 48 + 4 + 3, "\(names)")
        #expect(names.first == "stem.conv1 (integer)" && names.last == "fc" && names.contains("max pool"))
        let total = layers.reduce(0.0) { sum, layer in if case .double(let ms)? = layer["mean_ms"] { sum + ms } else { sum } }
        #expect(total > 0 && total < 50 * median, "\(total) ms of layers, median \(median) ms")
        // Without --layers, no timings.
        let plain = try JSONParser.parse(Array(try CLI.run(["bench", model, "--size", "64", "--iterations", "2", "--json"]).stdout.utf8))
        #expect(plain["layers"] == .null)
    }
}
