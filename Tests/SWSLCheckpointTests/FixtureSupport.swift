import Foundation
import SWSLCore
@testable import SWSLCheckpoint

/// Paths of the committed fixtures and helpers to load their goldens.
enum FixtureSupport {
    /// `<package>/Fixtures`.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

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
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swsl-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` to a temporary file and returns its path.
    static func write(_ bytes: [UInt8], name: String = "input.pth") throws -> String {
        let url = try temporaryDirectory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
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
