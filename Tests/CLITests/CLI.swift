import Foundation
import SWSLTestSupport

/// Runs the built `swsl-convert` binary (it sits beside the test bundle) and captures its output.
enum CLI {
    static let binary: URL = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("swsl-convert")
    }()

    static let fixtures = FixtureFiles.root

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// `environment` entries are added to (or replace) the test process's own.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func fixture(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }

    static func temporaryDirectory() throws -> URL { try TemporaryFiles.directory(prefix: "swsl-cli") }
}
