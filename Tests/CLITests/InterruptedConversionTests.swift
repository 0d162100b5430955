import Foundation
import Testing
import SWSLCore

/// A conversion killed at any moment leaves either no output or the previous file, untouched.
@Suite(.serialized) struct InterruptedConversionTests {
    /// A full-size ResNet-50 as safetensors (values are arbitrary but finite), built from the
    /// committed torchvision (name, shape) list, so the conversion runs long enough to be killed.
    static func bigCheckpoint(in dir: URL) throws -> String {
        let list = try JSONParser.parse(Array(try Data(contentsOf: CLI.fixtures.appendingPathComponent("shapes/resnet50.torchvision.json"))))
        guard case .array(let tensors)? = list["tensors"] else { throw CocoaError(.fileReadCorruptFile) }
        var header: [(String, JSONValue)] = []
        var offset = 0
        for t in tensors {
            guard case .array(let pair) = t, case .string(let name) = pair[0], case .array(let dims) = pair[1] else { continue }
            let shape = dims.compactMap { if case .int(let d) = $0 { Int(d) } else { nil } }
            let (dtype, size) = name.hasSuffix("num_batches_tracked") ? ("I64", 8) : ("F32", 4)
            let bytes = shape.reduce(1, *) * size
            header.append((name, .object([("dtype", .string(dtype)), ("shape", .array(shape.map { .int(Int64($0)) })),
                                          ("data_offsets", .array([.int(Int64(offset)), .int(Int64(offset + bytes))]))])))
            offset += bytes
        }
        let json = Array(JSONValue.object(header).serialized().utf8)
        var data = withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json
        // 0.5 as float32 everywhere: running variances stay positive, every value is finite.
        data += [UInt8](repeating: 0, count: offset)
        let start = data.count - offset
        var i = start
        while i + 4 <= data.count { data[i + 2] = 0x00; data[i + 3] = 0x3F; i += 4 }
        let path = dir.appendingPathComponent("resnet50.safetensors").path
        try Data(data).write(to: URL(fileURLWithPath: path))
        return path
    }

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
        let input = try Self.bigCheckpoint(in: dir)
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
        let input = try Self.bigCheckpoint(in: dir)
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
