import Foundation

/// The committed fixtures: `<package>/Fixtures`, found from this file's own path.
public enum FixtureFiles {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The URL of a fixture given relative to `Fixtures/`.
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// The absolute path of a fixture given relative to `Fixtures/`.
    public static func path(_ relative: String) -> String { url(relative).path }

    /// A fixture's bytes.
    public static func bytes(_ relative: String) throws -> [UInt8] { Array(try Data(contentsOf: url(relative))) }
}

/// Fresh temporary folders and files for one test.
public enum TemporaryFiles {
    /// A new empty folder under the system's temporary directory.
    public static func directory(prefix: String = "swsl-tests") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` as `name` in a new folder and returns its path.
    public static func write(_ bytes: [UInt8], name: String = "input.pth") throws -> String {
        let url = try directory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}
