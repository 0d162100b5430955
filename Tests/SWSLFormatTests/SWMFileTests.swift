import Foundation
import Testing
import SWSLTestSupport
import SWSLCore
import SWSLNetwork
@testable import SWSLFormat

/// The `.swm` writer and the validating reader: a round trip, and every corruption refused.
@Suite struct SWMFileTests {
    /// A tiny network: a deep stem 2, 2, 4 wide, one basic block per stage 2 wide, 5 classes.
    static let architecture = ResNetArchitecture(block: .basic, layers: [1, 1, 1, 1], widths: [2, 2, 2, 2], stemWidth: 2,
                                                 stemType: .deep, numClasses: 5)
    /// Metadata with every key rule 9 asks for.
    static let typed = SWMMetadata(
        architecture: architecture,
        preprocessing: .imageNet,
        classes: .init(count: 5, names: nil),
        provenance: .init(sourceFile: "test.pth", sourceSize: 1, sourceSHA256: String(repeating: "0", count: 64),
                          sourceFormat: "test", convention: "torchvision", wrapper: nil, prefix: nil, converter: "tests"),
        quantization: .init(precision: .int8, weights: .perChannel, activations: nil), report: nil)
    static let metadata: JSONValue = typed.json

    static func sampleTensors() -> [SWMTensor] {
        let q: [UInt8] = (0..<2 * 3 * 3 * 3).map { UInt8(truncatingIfNeeded: $0 * 37) }
        return [
            SWMTensor(name: "stem.conv1.weight", dtype: .int8, layout: .oihw, shape: [2, 3, 3, 3], data: q,
                      scaleName: "stem.conv1.weight_scale"),
            SWMTensor(name: "stem.conv1.weight_scale", floats: [0.5, 0.25], shape: [2]),
            SWMTensor(name: "stem.conv1.bias", floats: [1, -1], shape: [2]),
            SWMTensor(name: "fc.weight", floats: (0..<10).map { Float($0) / 3 }, shape: [5, 2]),
            SWMTensor(name: "fc.bias", floats: [0, 1, 2, 3, 4], shape: [5]),
        ] + ResNetLayout(architecture).layers.dropFirst().flatMap { conv in
            [SWMTensor(name: "\(conv.conv).weight", floats: (0..<conv.shape.reduce(1, *)).map { Float($0 % 7) / 8 }, shape: conv.shape),
             SWMTensor(name: "\(conv.conv).bias", floats: [Float](repeating: 0.5, count: conv.outChannels), shape: [conv.outChannels])]
        }
    }

    static func writeSample() throws -> String {
        let dir = TemporaryFiles.root.appendingPathComponent("swm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("m.swm").path
        try SWMWriter.write(to: path, metadata: typed, tensors: sampleTensors())
        return path
    }

    @Test func roundTrip() throws {
        let path = try Self.writeSample()
        let file = try SWMFile.open(path: path, checkCRC: true)
        #expect(file.metadata == Self.typed)
        #expect(file.metadataJSON == Self.metadata)
        #expect(file.entries.map(\.name) == Self.sampleTensors().map(\.name))
        for (entry, original) in zip(file.entries, Self.sampleTensors()) {
            #expect(Array(file.bytes(of: entry)) == original.data)
            #expect(entry.shape == original.shape)
            #expect(Int(bitPattern: file.bytes(of: entry).baseAddress) % SWM.alignment == 0, "\(entry.name) not aligned")
        }
        let weight = try #require(file.entry("stem.conv1.weight"))
        #expect(file.scale(of: weight)?.name == "stem.conv1.weight_scale")
        #expect(file.floats(try #require(file.entry("stem.conv1.weight_scale"))) == [0.5, 0.25])
    }

    @Test func sameInputSameBytes() throws {
        let a = try Data(contentsOf: URL(fileURLWithPath: try Self.writeSample()))
        let b = try Data(contentsOf: URL(fileURLWithPath: try Self.writeSample()))
        #expect(a == b)
    }

    /// Rule 15 with checking on: flipping any single byte anywhere is detected.
    @Test func everyFlippedByteIsFound() throws {
        let path = try Self.writeSample()
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var accepted: [Int] = []
        for i in 0..<original.count {
            var bytes = original
            bytes[i] ^= 0x5A
            try bytes.write(to: URL(fileURLWithPath: path))
            if (try? SWMFile.open(path: path, checkCRC: true)) != nil { accepted.append(i) }
        }
        #expect(accepted.isEmpty, "flipped bytes accepted at offsets \(accepted.prefix(10))")
    }

    @Test func everyTruncationIsRefused() throws {
        let path = try Self.writeSample()
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in 0..<original.count {
            try original.prefix(cut).write(to: URL(fileURLWithPath: path))
            #expect(throws: SWMError.self, "cut at \(cut)") { try SWMFile.open(path: path) }
        }
    }

    @Test func metadataWithARepeatedKeyIsRefused() throws {
        // Written with valid CRCs: only the repeated key is wrong (rule 9: the metadata is one JSON object).
        let path = try Self.writeSample()
        let repeated: JSONValue = .object([("format", .string("swm")), ("version", .int(1)), ("format", .string("other"))])
        try SWMWriter.write(to: path, metadataObject: repeated, tensors: Self.sampleTensors())
        let error = #expect(throws: SWMError.self) { try SWMFile.open(path: path) }
        #expect(error?.description.contains("key 'format' appears twice") == true, "\(String(describing: error))")
        // Control: the same file with distinct keys opens. (Not written over `path`: this process
        // has read that one, and a process never replaces a file it has read.)
        let control = path + ".control.swm"
        try SWMWriter.write(to: control, metadata: Self.typed, tensors: Self.sampleTensors())
        _ = try SWMFile.open(path: control)
    }

    @Test func versionAndMagicAreChecked() throws {
        let path = try Self.writeSample()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[0] = 0x7F
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: SWMError.notSWM) { try SWMFile.open(path: path) }
    }

    @Test func failedWriteLeavesExistingFileUntouched() throws {
        let path = try Self.writeSample()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        // A scale name that does not exist makes the writer fail before anything is renamed.
        let bad = [SWMTensor(name: "w", dtype: .int8, shape: [1], data: [1], scaleName: "nope")]
        #expect(throws: SWMError.self) { try SWMWriter.write(to: path, metadata: Self.typed, tensors: bad) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let folder = (path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["m.swm"])
    }
}
