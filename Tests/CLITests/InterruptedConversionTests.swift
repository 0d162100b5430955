import Foundation
import Testing
import SWSLCore
import SWSLTestSupport

/// A conversion killed at any moment leaves either no output or the previous file, untouched.
@Suite(.serialized) struct InterruptedConversionTests {
    /// Starts `swsl-convert IN OUT`, sends `signal` after `delay` seconds, waits for the process to end.
    static func convert(_ input: String, to output: String, signal: Int32, after delay: Double) throws {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = [input, output]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    /// Starts `swsl-convert IN OUT` and sends `signal` as soon as its hidden temporary file (`.OUT.tmp-*`) holds
    /// bytes, that is in the middle of writing; returns the temporary file's name (nil when the conversion ended
    /// before one was seen) and how the process ended. Started by `Spawn`, polled every 0.2 ms.
    static func convertKilledMidWrite(_ input: String, to output: URL, signal: Int32,
                                      under wrapper: [String] = []) throws -> (partial: String?, ended: String) {
        let folder = output.deletingLastPathComponent().path, prefix = "." + output.lastPathComponent + ".tmp-"
        let pid = try Spawn.start(wrapper + [CLI.binary.path, input, output.path])
        var partial: String?
        var status: Int32 = 0
        while partial == nil && waitpid(pid, &status, WNOHANG) == 0 {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
                var info = stat()
                if stat(folder + "/" + name, &info) == 0 && info.st_size > 0 {
                    kill(pid, signal)
                    partial = name
                }
            }
            if partial == nil { usleep(200) }
        }
        if partial != nil { status = Spawn.wait(pid) }
        let ended = status & 0x7f == 0 ? "exit \((status >> 8) & 0xff)" : "signal \(status & 0x7f)"
        return (partial, ended)
    }

    /// Killed while its temporary file is half written: the previous output is untouched, and the partial file is
    /// removed (SIGTERM, SIGINT) or, for SIGKILL which cannot be caught, left hidden beside it, never renamed.
    @Test(arguments: [SIGTERM, SIGINT, SIGKILL])
    func killedMidWriteLeavesThePreviousOutput(signal: Int32) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try LargeCheckpoint.resnet50(in: dir)
        let out = dir.appendingPathComponent("m.swm")
        let previous = Data("previous model".utf8)
        try previous.write(to: out)
        let (seen, ended) = try Self.convertKilledMidWrite(input, to: out, signal: signal)
        let partial = try #require(seen, "the conversion ended (\(ended)) before its temporary file was seen")
        let now = try Data(contentsOf: out), unchanged = now == previous  // a Bool: Swift Testing would diff 25 MB
        #expect(unchanged, "the output changed although the kill landed mid-write: \(now.count) bytes, \(ended)")
        let left = FileManager.default.fileExists(atPath: dir.appendingPathComponent(partial).path)
        #expect(left == (signal == SIGKILL), "partial file \(partial) \(left ? "left behind" : "removed") after signal \(signal)")
    }

    @Test func killedConversionLeavesNoPartialOutput() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try LargeCheckpoint.resnet50(in: dir)
        let out = dir.appendingPathComponent("m.swm")
        let previous = Data("previous model".utf8)
        // Kill at increasing delays, from "still reading" to "probably renamed already".
        for delay in [0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1.2] {
            try previous.write(to: out)
            try Self.convert(input, to: out.path, signal: SIGKILL, after: delay)
            let now = try Data(contentsOf: out)
            if now != previous {
                // The rename happened: the file must be complete and valid.
                let check = try CLI.run(["inspect", out.path, "--check"])
                #expect(check.status == 0, "after SIGKILL at \(delay) s the output is not a valid .swm: \(check.stderr)")
            }
            // SIGKILL cannot be caught: a hidden temporary file may stay behind, never a partial m.swm.
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasPrefix(".m.swm.tmp-") {
                try FileManager.default.removeItem(at: dir.appendingPathComponent(name))
            }
        }
    }

    /// A signal ignored when the conversion started stays ignored: under `nohup`, SIGHUP mid-write does not stop
    /// it, and the new output is complete.
    @Test func signalIgnoredAtStartStaysIgnored() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/nohup") else {
            FileHandle.standardError.write(Data("⊘ SKIPPED: /usr/bin/nohup is not here\n".utf8))
            try Test.cancel("/usr/bin/nohup is not here")
        }
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try LargeCheckpoint.resnet50(in: dir)
        let out = dir.appendingPathComponent("m.swm")
        let (seen, ended) = try Self.convertKilledMidWrite(input, to: out, signal: SIGHUP, under: ["/usr/bin/nohup"])
        #expect(seen != nil, "the conversion ended (\(ended)) before its temporary file was seen")
        #expect(ended == "exit 0")
        #expect(try CLI.run(["inspect", out.path, "--check"]).status == 0)
    }
}
