import Foundation
import Testing
import SWSLCore
import SWSLFormat

/// `swsl-convert IN OUT` as a user runs it: results on stdout, diagnostics on stderr, exit codes,
/// and the atomic-write promises.
@Suite struct ConvertCommandTests {
    static let inputs = [
        "models/resnet18_tiny.zip.pth", "models/resnet18_tiny.legacy.pth", "models/resnet18_tiny.tar.pth",
        "models/resnet18_tiny.safetensors", "models/resnet18_tiny.whole_module.pth",
        "models/resnet18_tiny.ckpt_module_prefix.pth", "models/resnet50_tiny.zip.pth", "models/resnext_tiny.zip.pth",
        "models/resnet50d_tiny.zip.pth", "models/onnx/resnet18_tiny.onnx", "models/onnx/resnet18_tiny.bn.onnx",
        "models/onnx/resnet18_tiny.dynamo.onnx", "models/onnx/external/resnet18_tiny.onnx",
    ]

    @Test(arguments: inputs)
    func convertsEveryInputKind(input: String) throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("m.swm").path
        let result = try CLI.run([CLI.fixture(input), out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "progress must stay off when stderr is not a terminal: \(result.stderr)")
        #expect(result.stdout.contains("int8") && result.stdout.contains("worst SQNR"))
        let file = try SWMFile.open(path: out, checkCRC: true)
        #expect(file.metadata.quantization.precision == .int8)
        #expect(file.metadata.provenance.sourceFile == (input as NSString).lastPathComponent)
    }

    @Test(arguments: ["int8", "fp16", "fp32"], ["packed", "oihw"])
    func precisionAndJSONSummary(precision: String, layout: String) throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("m.swm").path
        let result = try CLI.run(["convert", CLI.fixture("models/resnet50_tiny.zip.pth"), out, "--precision", precision, "--json",
                                  "--calibrate", "none"] + (layout == "packed" ? [] : ["--weight-layout", layout]))
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(summary["precision"] == .string(precision))
        guard case .int(let written)? = summary["output_bytes"] else { Issue.record("size missing"); return }
        #expect(Int(written) == (try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int))
        // Weight tensors hold 1, 2 or 4 bytes per parameter, whatever the model.
        let file = try SWMFile.open(path: out, checkCRC: true)
        let weights = file.entries.filter { $0.name.hasSuffix(".weight") }
        let parameters = weights.reduce(0) { $0 + $1.elementCount }
        let bytes = weights.reduce(0) { $0 + $1.byteLength }
        #expect(bytes == parameters * ["int8": 1, "fp16": 2, "fp32": 4][precision]!)
        // Packed (the default): each layer's rows padded to panels of 6 (Formats/SWM.md; no groups here).
        #expect(weights.allSatisfy { $0.layout.name == (layout == "packed" ? "packed-v1" : $0.name == "fc.weight" ? "plain" : "oihw") })
        let panelRows = layout == "packed" ? 6 : 1
        #expect(parameters == (try Self.sourceWeightParameters("models__resnet50_tiny.zip.pth.json", panelRows: panelRows)))
    }

    /// Elements of the convolution and fc weights PyTorch reads from the source (the golden), each
    /// layer's output channels rounded up to a multiple of `panelRows`.
    static func sourceWeightParameters(_ golden: String, panelRows: Int = 1) throws -> Int {
        let json = try JSONParser.parse(Array(try Data(contentsOf: CLI.fixtures.appendingPathComponent("golden/\(golden)"))))
        guard case .array(let tensors)? = json["tensors"] else { return -1 }
        return tensors.reduce(0) { sum, t in
            guard case .string(let name)? = t["name"], case .array(let shape)? = t["shape"],
                  name.hasSuffix(".weight"), shape.count == 4 || name == "fc.weight" else { return sum }
            let dims = shape.map { if case .int(let d) = $0 { Int(d) } else { 0 } }
            return sum + (dims[0] + panelRows - 1) / panelRows * panelRows * dims.dropFirst().reduce(1, *)
        }
    }

    /// A file named like an official release that is not it: converted, with loud warnings on stderr,
    /// and no `release` in the provenance; inspect says the same.
    @Test func fileNamedLikeAReleaseIsWarnedAbout() throws {
        let dir = try CLI.temporaryDirectory()
        let fake = dir.appendingPathComponent("semi_weakly_supervised_resnet18-118f1556.pth")
        try FileManager.default.copyItem(atPath: CLI.fixture("models/resnet18_tiny.zip.pth"), toPath: fake.path)
        let out = dir.appendingPathComponent("m.swm").path
        let result = try CLI.run([fake.path, out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning") && result.stderr.contains("SHA-256 starts with 118f1556"), "\(result.stderr)")
        #expect(result.stderr.contains("named like the official resnet18_swsl release"), "\(result.stderr)")
        #expect(try SWMFile.open(path: out).metadata.provenance.details.release == nil)
        let inspect = try CLI.run(["inspect", fake.path, "--json"])
        #expect(inspect.status == 0 && inspect.stdout.contains("\"release\": null") && inspect.stderr.contains("damaged or altered"))
    }

    @Test func sourceHashIsTheFileSHA256() throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("m.swm").path
        _ = try CLI.run([CLI.fixture("models/resnet18_tiny.zip.pth"), out])
        let file = try SWMFile.open(path: out)
        let sha = Process()
        sha.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sha.arguments = [CLI.fixture("models/resnet18_tiny.zip.pth")]
        let pipe = Pipe()
        sha.standardOutput = pipe
        try sha.run()
        sha.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        #expect(file.metadata.provenance.sourceSHA256 == String(expected))
    }

    @Test func brokenInputFailsCleanly() throws {
        let dir = try CLI.temporaryDirectory()
        let input = dir.appendingPathComponent("noise.pth")
        try Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: input)
        let out = dir.appendingPathComponent("m.swm").path
        let result = try CLI.run([input.path, out])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("swsl-convert: \(input.path): "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["noise.pth"])
    }

    @Test func failedConversionLeavesExistingOutputUntouched() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("m.swm")
        try Data("previous".utf8).write(to: out)
        // oddities.zip.pth reads fine but is not a ResNet.
        let result = try CLI.run([CLI.fixture("models/oddities.zip.pth"), out.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("oddities.zip.pth"), "\(result.stderr)")
        #expect(try Data(contentsOf: out) == Data("previous".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.swm"])
    }

    @Test func neverOverwritesTheInput() throws {
        let dir = try CLI.temporaryDirectory()
        let input = dir.appendingPathComponent("m.pth")
        try FileManager.default.copyItem(atPath: CLI.fixture("models/resnet18_tiny.zip.pth"), toPath: input.path)
        let before = try Data(contentsOf: input)
        let result = try CLI.run([input.path, dir.appendingPathComponent("./m.pth").path])
        #expect(result.status == 2)
        #expect(try Data(contentsOf: input) == before)
    }

    @Test func inspectReadsTheConvertedFile() throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("m.swm").path
        _ = try CLI.run([CLI.fixture("models/resnext_tiny.zip.pth"), out])
        let result = try CLI.run(["inspect", out, "--json", "--check"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(report["format"] == .string("swm"))
        #expect(report["validation"]?["crc_checked"] == .bool(true))
        #expect(report["architecture"]?["groups"] == .int(4))
    }

    @Test func calibrationSourcesAndTheirMetadata() throws {
        let dir = try CLI.temporaryDirectory()
        let input = CLI.fixture("models/resnet50_tiny.zip.pth")
        func convert(_ extra: [String]) throws -> (CLI.Result, SWMFile?) {
            let out = dir.appendingPathComponent("m-\(UUID().uuidString).swm").path
            let result = try CLI.run([input, out, "--json"] + extra)
            return (result, result.status == 0 ? try SWMFile.open(path: out, checkCRC: true) : nil)
        }
        // Default: no ranges stored (the integer path measures each input), nothing calibrated.
        let (plain, plainFile) = try convert([])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plainFile?.metadata.quantization.activations == nil)
        #expect(plainFile?.entries.contains { $0.name.hasSuffix(".input_scale") } == false)
        // Synthetic samples: every convolution after the stem and the classifier get a scale.
        let (synthetic, defaultFile) = try convert(["--calibrate", "synthetic"])
        #expect(synthetic.status == 0, "\(synthetic.stderr)")
        let activations = defaultFile?.metadata.quantization.activations
        #expect(activations?.source == "synthetic")
        #expect(activations?.samples == 4)
        let scales = defaultFile?.entries.filter { $0.name.hasSuffix(".input_scale") } ?? []
        // resnet50_tiny: 3 + 4 + 6 + 3 bottlenecks × 3 convolutions, 4 downsamples, fc.
        #expect(scales.count == 16 * 3 + 4 + 1)
        #expect(scales.allSatisfy { e in defaultFile!.floats(e)[0] > 0 })
        #expect(defaultFile?.entry("stem.conv1.input_scale") == nil)

        // A folder holding photo.jpg (and, walked after it, a sub-folder of other images).
        let images = try CLI.temporaryDirectory().appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images.appendingPathComponent("zz"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("images/photo.jpg"), to: images.appendingPathComponent("photo.jpg"))
        try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("images/shapes.png"),
                                         to: images.appendingPathComponent("zz/shapes.png"))
        let (photos, photoFile) = try convert(["--calibrate", images.path, "--calibration-samples", "1"])
        #expect(photos.status == 0, "\(photos.stderr)")
        #expect(photoFile?.metadata.quantization.activations?.source == "images/")
        #expect(photoFile?.metadata.quantization.activations?.samples == 1)
        // The scales come from running the converted model (int8 weights) on photo.jpg: within a few
        // percent of the maxima PyTorch's float model reaches on the same photo (forward pre-hooks).
        let golden = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: CLI.fixture("golden/calibration/resnet50_tiny.json")))))
        guard case .object(let layers)? = golden["input_max"] else { Issue.record("golden unreadable"); return }
        var compared = 0
        for (layer, values) in layers where !layer.hasPrefix("stem.") {
            guard case .array(let list) = values, list.count == 4, case .double(let photoMax) = list[2],
                  let entry = photoFile?.entry("\(layer).input_scale") else { Issue.record("\(layer) missing"); continue }
            let got = Double(photoFile!.floats(entry)[0]) * 255
            #expect(abs(got - photoMax) <= 0.05 * photoMax, "\(layer): \(got) vs PyTorch \(photoMax)")
            compared += 1
        }
        #expect(compared == 53)
        let summary = try JSONParser.parse(Array(photos.stdout.utf8))
        guard case .string(let note)? = summary["calibration"] else { Issue.record("no calibration in the summary"); return }
        #expect(note.contains("1 samples from images/"), "\(note)")

        let (none, noneFile) = try convert(["--calibrate", "none"])
        #expect(none.status == 0)
        #expect(noneFile != nil && noneFile?.metadata.quantization.activations == nil)
        #expect(noneFile?.entries.contains { $0.name.hasSuffix(".input_scale") } == false)
    }

    @Test func unusableCalibrationInputFailsBeforeWriting() throws {
        let dir = try CLI.temporaryDirectory()
        let bad = dir.appendingPathComponent("calib.npy")
        try Data("not a numpy file".utf8).write(to: bad)
        let out = dir.appendingPathComponent("m.swm").path
        let result = try CLI.run([CLI.fixture("models/resnet18_tiny.zip.pth"), out, "--calibrate", bad.path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("swsl-convert: --calibrate: \(bad.path): "), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["calib.npy"])

        let float = try CLI.run([CLI.fixture("models/resnet18_tiny.zip.pth"), out, "--precision", "fp32", "--calibrate", bad.path])
        #expect(float.status != 0 && float.stderr.contains("int8 only"), "\(float.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
