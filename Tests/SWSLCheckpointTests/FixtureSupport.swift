import Foundation
import SWSLCore
@testable import SWSLCheckpoint
import SWSLTestSupport

/// Paths of the committed fixtures and helpers to load their goldens.
enum FixtureSupport {
    /// `<package>/Fixtures`.
    static let root: URL = FixtureFiles.root

    /// Absolute path of a fixture given relative to `Fixtures/`.
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Every golden JSON that describes a checkpoint, by the fixture path it describes.
    static var checkpointGoldens: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("golden").path)) ?? []
        return names.filter { $0.hasPrefix("models__") && $0.hasSuffix(".json") }.sorted()
    }

    static func golden(_ name: String) throws -> JSONValue {
        let data = try Data(contentsOf: root.appendingPathComponent("golden").appendingPathComponent(name))
        return try JSONParser.parse(Array(data))
    }

    /// The bytes of a fixture.
    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }

    /// A new empty temporary directory.
    static func temporaryDirectory() throws -> URL { try TemporaryFiles.directory() }

    /// Writes `bytes` to a temporary file and returns its path.
    static func write(_ bytes: [UInt8], name: String = "input.pth") throws -> String {
        try TemporaryFiles.write(bytes, name: name)
    }

    /// Reads a checkpoint from bytes; returns the error text, or nil if it was accepted.
    static func refusal(_ bytes: [UInt8], name: String = "input.pth") throws -> String? {
        let path = try write(bytes, name: name)
        do {
            _ = try CheckpointReader.read(path: path)
            return nil
        } catch {
            return error.description
        }
    }
}
