import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built binary the way a stranger's file should be survivable: under an address-space
/// limit (`RLIMIT_AS`) and a wall-clock limit, with stdin closed, recording how it ended (exit
/// status, signal or time-out) and its peak resident memory, through the `swsl-limit` helper.
enum LimitedRun {
    struct Outcome: CustomStringConvertible {
        /// The exit status, nil when a signal ended the process or it was killed at the time limit.
        let status: Int32?
        let signal: Int32?
        let timedOut: Bool
        let stdout: String
        let stderr: String
        let peakResidentBytes: Int
        let seconds: Double

        var description: String {
            "status \(status.map(String.init) ?? "-"), signal \(signal.map(String.init) ?? "-"), timed out \(timedOut), "
                + "\(peakResidentBytes >> 20) MiB peak, \(String(format: "%.2f", seconds)) s, stderr: \(stderr)"
        }
    }

    /// True when the tests run under AddressSanitizer: no address-space limit, and memory figures
    /// include the sanitizer's own.
    static let sanitized = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] != nil

    /// The helper that sets the limits, forks the binary and reports (Tests/swsl-limit).
    static let helper = CLI.binary.deletingLastPathComponent().appendingPathComponent("swsl-limit")

    static func run(_ arguments: [String], memoryLimitBytes: Int = 4 << 30, seconds limit: Double = 30) throws -> Outcome {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("stdout").path, errPath = dir.appendingPathComponent("stderr").path
        let reportPath = dir.appendingPathComponent("report").path
        // Under AddressSanitizer (scripts/asan-tests.sh) the shadow memory needs terabytes of
        // address space, so there the limit is left off.
        let argv = [helper.path, reportPath, String(sanitized ? 0 : memoryLimitBytes), String(limit), CLI.binary.path] + arguments
        let started = Date()
        _ = Spawn.wait(try Spawn.start(argv, stdout: outPath, stderr: errPath))
        let seconds = Date().timeIntervalSince(started)
        // "status S signal G timed_out T max_rss_kb K"
        let words = ((try? String(contentsOfFile: reportPath, encoding: .utf8)) ?? "").split(separator: " ")
        let fields = Dictionary(stride(from: 0, to: words.count - 1, by: 2).map { (String(words[$0]), Int(words[$0 + 1].trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1) },
                                uniquingKeysWith: { a, _ in a })
        guard let code = fields["status"], let signal = fields["signal"], let timedOut = fields["timed_out"],
              let rss = fields["max_rss_kb"] else {
            throw POSIXError(.EIO)
        }
        return Outcome(
            status: code >= 0 && timedOut == 0 ? Int32(code) : nil,
            signal: signal > 0 && timedOut == 0 ? Int32(signal) : nil,
            timedOut: timedOut != 0,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            peakResidentBytes: rss * 1024, seconds: seconds)
    }
}
