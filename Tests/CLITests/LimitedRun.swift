import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built binary the way a stranger's file should be survivable: under an address-space
/// limit (`ulimit -v`) and a wall-clock limit, with stdin closed, recording how it ended (exit
/// status, signal or time-out) and its peak resident memory (`wait4`'s `ru_maxrss`).
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

    static func run(_ arguments: [String], memoryLimitBytes: Int = 4 << 30, seconds limit: Double = 30) throws -> Outcome {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("stdout").path, errPath = dir.appendingPathComponent("stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // The shell sets the limit and becomes the binary (same process, so wait4 sees its memory).
        let argv = ["/bin/sh", "-c", "ulimit -v \(memoryLimitBytes >> 10) && exec \"$0\" \"$@\"", CLI.binary.path] + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let started = Date()
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, &cArgs, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        var status: Int32 = 0
        var usage = rusage()
        var timedOut = false
        while true {
            let done = wait4(pid, &status, WNOHANG, &usage)
            if done == pid { break }
            if done < 0 && errno != EINTR { throw POSIXError(.ECHILD) }
            if Date().timeIntervalSince(started) > limit {
                timedOut = true
                kill(pid, SIGKILL)
                _ = wait4(pid, &status, 0, &usage)
                break
            }
            usleep(5_000)
        }
        let seconds = Date().timeIntervalSince(started)
        let signalled = status & 0x7F != 0 && status & 0x7F != 0x7F
        return Outcome(
            status: signalled || timedOut ? nil : (status >> 8) & 0xFF,
            signal: signalled && !timedOut ? status & 0x7F : nil,
            timedOut: timedOut,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            peakResidentBytes: Int(usage.ru_maxrss) * 1024, seconds: seconds)
    }
}
