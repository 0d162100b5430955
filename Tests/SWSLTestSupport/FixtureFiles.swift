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

/// Fresh temporary folders and files for tests. Every one lives under one folder per test process
/// (`$TMPDIR/swsl-tests-<pid>-<uuid>`), which is removed when the process exits, whether its tests passed
/// or failed: a test that forgets its `defer`, or stops at a failed `#require`, leaves nothing behind.
public enum TemporaryFiles {
    /// This process's folder of temporary files, made on first use and removed at exit.
    public static let root: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("swsl-tests-\(getpid())-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        sessionPath = url.path
        atexit { if let path = TemporaryFiles.sessionPath { try? FileManager.default.removeItem(atPath: path) } }
        return url
    }()

    nonisolated(unsafe) private static var sessionPath: String?

    /// A new empty folder under `root`.
    public static func directory(prefix: String = "swsl-tests") throws -> URL {
        let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A path under `root` for a file called `name` that does not exist yet.
    public static func path(_ name: String) -> String {
        root.appendingPathComponent("\(UUID().uuidString)-\(name)").path
    }

    /// Writes `bytes` as `name` in a new folder and returns its path.
    public static func write(_ bytes: [UInt8], name: String = "input.pth") throws -> String {
        let url = try directory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}
