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

    @Test func killedConversionLeavesNoPartialOutput() throws {
        let dir = try CLI.temporaryDirectory()
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

    @Test func terminatedConversionRemovesItsTemporaryFile() throws {
        let dir = try CLI.temporaryDirectory()
        let input = try LargeCheckpoint.resnet50(in: dir)
        let out = dir.appendingPathComponent("m.swm")
        for delay in [0.05, 0.2, 0.4] {
            try Self.convert(input, to: out.path, signal: SIGTERM, after: delay)
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(!names.contains { $0.hasPrefix(".m.swm.tmp-") }, "temporary file left after SIGTERM at \(delay) s: \(names)")
            if names.contains("m.swm") {
                #expect(try CLI.run(["inspect", out.path, "--check"]).status == 0)
                try FileManager.default.removeItem(at: out)
            }
        }
    }
}
