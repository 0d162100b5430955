import Foundation
import Testing
import SWSLCore
import SWSLTestSupport
import SWMRuntime

/// The embeddable runtime (`SWMModel`, what libswm and Examples/Classify run) against the CLI: the same
/// logits, the same top-5 line, the same refusal of every broken file, and runs shared between threads.
@Suite struct EmbeddedRuntimeTests {
    static let model = CLI.fixture("swm/resnet18_tiny.int8.swm")
    static let input = CLI.fixture("golden/input_2x3x64x64.npy")
    static let photo = CLI.fixture("images/photo.jpg")

    static func run(_ model: SWMModel, _ x: NPYArray) throws -> [Float] {
        try model.run(input: x.values, batch: x.shape[0], height: x.shape[2], width: x.shape[3])
    }

    @Test func logitsEqualTheCLIsAndPyTorchsWithinInt8() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("logits.npy").path
        let cli = try CLI.run(["run", Self.model, "--input", Self.input, "--output", out])
        #expect(cli.status == 0, "\(cli.stderr)")
        let model = try SWMModel(path: Self.model)
        let logits = try Self.run(model, try NPYArray.read(path: Self.input))
        let expected = try NPYArray.read(path: out).values
        #expect(logits == expected, "SWMModel and swsl-convert run disagree")
        let torch = try NPYArray.read(path: CLI.fixture("golden/resnet18_tiny_logits.npy")).values
        for s in 0..<2 {
            let a = Array(logits[s * 10..<(s + 1) * 10]), b = Array(torch[s * 10..<(s + 1) * 10])
            let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let norms = (a.reduce(0.0) { $0 + Double($1) * Double($1) } * b.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
            #expect(dot / norms >= 0.99, "sample \(s): cosine \(dot / norms) against PyTorch")
        }
        #expect(model.classes == 10 && model.inputChannels == 3 && model.metadata.quantization.precision == .int8)
        // The metadata text swm_metadata_json hands out is the file's metadata section, byte for byte.
        let bytes = SWMBytes(try FixtureFiles.bytes("swm/resnet18_tiny.int8.swm"))
        #expect(Array(model.metadataText.utf8) == Array(bytes.bytes[bytes.metadata]))
    }

    @Test func classifyPrintsRunsTopFive() throws {
        let cli = try CLI.run(["run", Self.model, "--image", Self.photo])
        #expect(cli.status == 0, "\(cli.stderr)")
        let best = try SWMModel(path: Self.model).classify(imageAt: Self.photo, top: 5)
        #expect(cli.stdout == Self.photo + ": " + best.map(\.description).joined(separator: ", ") + "\n")
        #expect(best.count == 5 && zip(best, best.dropFirst()).allSatisfy { $0.probability >= $1.probability })
    }

    /// Broken `.swm` files: the library's error is the CLI's one line, word for word. (An empty file or a
    /// folder is a `.swm` only to the library; the CLI, which reads every format, names them otherwise.)
    @Test(arguments: ["truncated", "header CRC", "architecture", "missing tensor", "empty", "folder", "missing"])
    func refusalsAreTheCLIs(broken: String) throws {
        let dir = try CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("broken.swm").path
        var f = SWMBytes(try FixtureFiles.bytes("swm/resnet18_tiny.int8.swm"))
        switch broken {
        case "truncated": f.bytes.removeLast(f.bytes.count / 3)
        case "header CRC": f.bytes[SWMBytes.headerCRC] ^= 1
        case "architecture":
            let text = String(decoding: f.bytes[f.metadata], as: UTF8.self).replacingOccurrences(of: #""block":"basic""#, with: #""block":"dense""#)
            f.bytes.replaceSubrange(f.metadata, with: Array(text.utf8))
            f.reseal()
        case "missing tensor":
            let bias = try #require(f.entry("fc.bias"))
            f.bytes[bias.nameRange.upperBound - 1] = UInt8(ascii: "Z")
            f.reseal()
        case "empty": f.bytes = []
        default: break
        }
        switch broken {
        case "folder": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        case "missing": break
        default: try Data(f.bytes).write(to: URL(fileURLWithPath: path))
        }
        let cli = try CLI.run(["run", path, "--input", Self.input])
        #expect(cli.status == 2)
        do {
            _ = try SWMModel(path: path)
            Issue.record("SWMModel opened a broken file (\(broken))")
        } catch {
            if !["empty", "folder"].contains(broken) { #expect(cli.stderr == "swsl-convert: \(error)\n") }
            #expect(error.description.hasPrefix(path + ": "), "\(error)")
        }
    }

    /// One model, runs from several threads at once: serialised, each result the one a lone run gives.
    @Test func aSharedModelRunsFromManyThreads() async throws {
        let model = try SWMModel(path: Self.model, options: .init(threads: 1))
        let x = try NPYArray.read(path: Self.input)
        let alone = try Self.run(model, x)
        let results = try await withThrowingTaskGroup(of: [Float].self) { group in
            for _ in 0..<6 { group.addTask { try Self.run(model, x) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 6 && results.allSatisfy { $0 == alone })
    }
}
