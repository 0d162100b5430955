import Foundation
import Testing
import SWSLCore
import SWSLTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The classes of the outside hostile corpus (issue 12), each built in code and run through the
/// binary as a new user would run it, under a 4 GiB address-space limit and a 30 s time limit.
/// Every one must end with exit status 2 and exactly one line on stderr naming the file, within
/// the memory bound the README promises (peak RSS ≤ max(256 MiB, 4 × the input)), leaving no
/// output behind and every file it read unchanged.
@Suite(.serialized) struct HostileCorpusTests {
    /// A folder for one case, and the command to run in it.
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        /// Builds the files in `dir` and returns the arguments.
        let setup: @Sendable (URL) throws -> [String]
        /// Texts the one line must contain.
        let mentions: [String]
        var testDescription: String { label }
    }

    static let model = CLI.fixture("models/resnet18_tiny.zip.pth")
    static let onnxModel = CLI.fixture("models/onnx/external/resnet18_tiny.onnx")
    static let input = CLI.fixture("golden/input_2x3x64x64.npy")

    static func write(_ bytes: [UInt8], _ dir: URL, _ name: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func fifo(_ dir: URL, _ name: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        guard mkfifo(path, 0o644) == 0 else { throw POSIXError(.EEXIST) }
        return path
    }

    static func copy(_ source: String, _ dir: URL, _ name: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: source, toPath: path)
        return path
    }

    /// A state dict whose second entry is a dotted protocol-4 global that Python resolves to `os.system`.
    static func dottedGlobalZip(module: String, name: String) -> [UInt8] {
        let pickle = PickleBytes(protocol: 4).op("}").string("fc.bias").op("N").op("s")
            .string("hook").string(module).string(name).raw([0x93]).op("s").stop
        return StoredZip(members: [("archive/data.pkl", pickle), ("archive/version", Array("3\n".utf8))]).bytes
    }

    static let cases: [Case] = [
        // 1. Allow-list bypasses by dotted names.
        Case(label: "dotted global through timm (convert)", setup: { dir in
            [try write(dottedGlobalZip(module: "timm.models._hub", name: "os.system"), dir, "dotted.pth"), dir.appendingPathComponent("o.swm").path]
        }, mentions: ["dotted.pth", "timm.models._hub.os.system"]),
        Case(label: "dotted global through torch.nn (inspect)", setup: { dir in
            ["inspect", try write(dottedGlobalZip(module: "torch.nn.modules.module", name: "torch.serialization.os.system"), dir, "dotted.pth")]
        }, mentions: ["dotted.pth", "torch.serialization.os.system"]),
        // 2. Overlapping members.
        Case(label: "overlapping-member zip bomb", setup: { dir in
            [try write(HostileFiles.overlappingMembers(count: 300, payload: 256), dir, "overlap.pth"), dir.appendingPathComponent("o.swm").path]
        }, mentions: ["overlap.pth", "overlap"]),
        Case(label: "overlapping-member zip bomb (inspect)", setup: { dir in
            ["inspect", try write(HostileFiles.overlappingMembers(count: 300, payload: 256), dir, "overlap.pth")]
        }, mentions: ["overlap.pth", "overlap"]),
        // 3. An honest declared size far beyond what the tensors view.
        Case(label: "deflated storage declaring 512 MiB", setup: { dir in
            [try write(HostileFiles.honestDeflateBomb(inflatedBytes: 512 << 20), dir, "declared.pth"), dir.appendingPathComponent("o.swm").path]
        }, mentions: ["declared.pth", "archive/data/0", "budget"]),
        // 4. Named pipes wherever a path is read.
        Case(label: "model is a FIFO", setup: { dir in
            [try fifo(dir, "model.pth"), dir.appendingPathComponent("o.swm").path]
        }, mentions: ["model.pth", "named pipe"]),
        Case(label: "ONNX external data is a FIFO", setup: { dir in
            let model = try copy(onnxModel, dir, "resnet18_tiny.onnx")
            _ = try fifo(dir, "resnet18_tiny.onnx.data")
            return [model, dir.appendingPathComponent("o.swm").path]
        }, mentions: ["resnet18_tiny.onnx", "named pipe"]),
        Case(label: "FIFO in a --calibrate folder", setup: { dir in
            let photos = dir.appendingPathComponent("photos")
            try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
            _ = try fifo(photos, "a.jpg")
            return [model, dir.appendingPathComponent("o.swm").path, "--calibrate", photos.path]
        }, mentions: ["a.jpg", "named pipe"]),
        Case(label: "--input is a FIFO", setup: { dir in
            ["run", model, "--input", try fifo(dir, "x.npy")]
        }, mentions: ["x.npy", "named pipe"]),
        Case(label: "--image is a FIFO", setup: { dir in
            ["run", model, "--image", try fifo(dir, "photo.jpg")]
        }, mentions: ["photo.jpg", "named pipe"]),
        Case(label: "verify --reference is a FIFO", setup: { dir in
            ["verify", CLI.fixture("swm/resnet18_tiny.int8.swm"), "--reference", try fifo(dir, "ref.pth"), "--samples", "1"]
        }, mentions: ["ref.pth", "named pipe"]),
        // 5. External data through a hard link to a file outside the folder.
        Case(label: "ONNX external data hard-linked from outside", setup: { dir in
            let inside = dir.appendingPathComponent("model"), outside = dir.appendingPathComponent("outside")
            try FileManager.default.createDirectory(at: inside, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            let model = try copy(onnxModel, inside, "resnet18_tiny.onnx")
            let secret = try copy(onnxModel + ".data", outside, "secret.bin")
            try FileManager.default.linkItem(atPath: secret, toPath: inside.appendingPathComponent("resnet18_tiny.onnx.data").path)
            return [model, dir.appendingPathComponent("o.swm").path]
        }, mentions: ["resnet18_tiny.onnx", "hard link"]),
        // 6. Outputs over inputs.
        Case(label: "run --output is the --input", setup: { dir in
            let x = try copy(input, dir, "x.npy")
            return ["run", model, "--input", x, "--output", x]
        }, mentions: ["x.npy", "reads"]),
        Case(label: "run --output is the model", setup: { dir in
            let m = try copy(model, dir, "m.pth")
            return ["run", m, "--input", input, "--output", m]
        }, mentions: ["m.pth", "reads"]),
        Case(label: "run --output is a hard link to the --input", setup: { dir in
            let x = try copy(input, dir, "x.npy")
            let twin = dir.appendingPathComponent("twin.npy").path
            try FileManager.default.linkItem(atPath: x, toPath: twin)
            return ["run", model, "--input", x, "--output", twin]
        }, mentions: ["twin.npy", "reads"]),
        Case(label: "convert OUT is the ONNX external data", setup: { dir in
            let m = try copy(onnxModel, dir, "resnet18_tiny.onnx")
            let data = try copy(onnxModel + ".data", dir, "resnet18_tiny.onnx.data")
            return [m, data]
        }, mentions: ["resnet18_tiny.onnx.data", "reads"]),
        // 7. Duplicate keys.
        Case(label: "safetensors header with a duplicate key", setup: { dir in
            let header = Array(#"{"fc.bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"fc.bias":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#.utf8)
            let bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header + [UInt8](repeating: 0, count: 8)
            return [try write(bytes, dir, "dup.safetensors"), dir.appendingPathComponent("o.swm").path]
        }, mentions: ["dup.safetensors", "appears twice"]),
        // 8. Image memory: a valid 16384 × 16384 PNG is a few MB and 768 MiB of pixels.
        Case(label: "PNG of 16384 x 16384", setup: { dir in
            ["run", model, "--image", try write(HostileFiles.blackPNG(width: 16384, height: 16384), dir, "huge.png")]
        }, mentions: ["huge.png", "pixel budget"]),
        Case(label: "PNG over the budget in a --calibrate folder", setup: { dir in
            let photos = dir.appendingPathComponent("photos")
            try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
            _ = try write(HostileFiles.blackPNG(width: 8192, height: 4096), photos, "wide.png")
            return [model, dir.appendingPathComponent("o.swm").path, "--calibrate", photos.path]
        }, mentions: ["wide.png", "pixel budget"]),
        // 9. Outputs that cannot be written.
        Case(label: "convert OUT is a folder", setup: { dir in
            let out = dir.appendingPathComponent("out.swm")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            return [model, out.path]
        }, mentions: ["out.swm", "folder"]),
        Case(label: "convert OUT in a folder that takes no files", setup: { _ in
            [model, "/proc/swsl-test-out.swm"]
        }, mentions: ["/proc/swsl-test-out.swm", "no new file can be made in the folder '/proc'"]),
        Case(label: "convert OUT in a missing folder", setup: { dir in
            [model, dir.appendingPathComponent("missing/out.swm").path]
        }, mentions: ["missing/out.swm", "does not exist"]),
        Case(label: "run --output is a folder", setup: { dir in
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("logits"), withIntermediateDirectories: true)
            return ["run", model, "--input", input, "--output", dir.appendingPathComponent("logits").path]
        }, mentions: ["logits", "folder"]),
    ]

    @Test(arguments: cases)
    func refusedInOneLineWithinLimits(_ hostile: Case) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let arguments = try hostile.setup(dir)
        let before = try Self.snapshot(dir)
        let inputBytes = arguments.compactMap { Self.regularFileSize($0) }.max() ?? 0
        let outcome = try LimitedRun.run(arguments)

        #expect(!outcome.timedOut && outcome.signal == nil, "\(hostile.label): \(outcome)")
        #expect(outcome.status == 2, "\(hostile.label): \(outcome)")
        let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1, "\(hostile.label): one line on stderr, got \(lines.count): \(outcome.stderr)")
        let line = String(lines.first ?? "")
        #expect(line.hasPrefix("swsl-convert: "), "\(hostile.label): \(line)")
        for text in hostile.mentions {
            #expect(line.contains(text), "\(hostile.label): '\(text)' not in: \(line)")
        }
        #expect(!line.contains("rename"), "\(hostile.label): \(line)")
        if let path = hostile.mentions.first, path.hasPrefix("/") || path.hasSuffix(".swm") {
            #expect(line.components(separatedBy: path).count == 2, "\(hostile.label): the path once: \(line)")
        }
        #expect(outcome.stdout.isEmpty, "\(hostile.label): stdout: \(outcome.stdout)")
        let bound = max(256 << 20, 4 * inputBytes)
        #expect(LimitedRun.sanitized || outcome.peakResidentBytes <= bound,
                "\(hostile.label): peak RSS \(outcome.peakResidentBytes >> 20) MiB over \(bound >> 20) MiB")
        // Nothing written: the folder holds what it held, byte for byte, and no temporary file.
        #expect(try Self.snapshot(dir) == before, "\(hostile.label): files changed")
    }

    static let validModels = [
        "models/resnet50_tiny.legacy.pth", "models/resnet18_tiny.zip.pth", "models/resnet18_tiny.deflated.pth",
        "models/resnet18_tiny.tar.pth", "models/resnet18_tiny.safetensors", "models/resnet18_tiny.torchscript.pt",
        "models/onnx/external/resnet18_tiny.onnx", "models/onnx/resnet18_tiny.typed.onnx",
    ]

    /// The same limits hold for the files the tool is for: reading and converting a valid checkpoint
    /// of every format stays under the bound and succeeds.
    @Test(arguments: validModels)
    func validFilesConvertWithinTheSameLimits(_ model: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = CLI.fixture(model)
        for arguments in [["inspect", path], [path, dir.appendingPathComponent("o.swm").path]] {
            let outcome = try LimitedRun.run(arguments)
            #expect(outcome.status == 0 && outcome.stderr.isEmpty, "\(model) \(arguments[0]): \(outcome)")
            let bound = max(256 << 20, 4 * (Self.regularFileSize(path) ?? 0))
            #expect(LimitedRun.sanitized || outcome.peakResidentBytes <= bound, "\(model): \(outcome)")
        }
    }

    static func regularFileSize(_ path: String) -> Int? {
        var info = stat()
        guard path.hasPrefix("/"), stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// Every entry under `dir` with its kind and, for regular files, a digest of its bytes.
    static func snapshot(_ dir: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        let walker = FileManager.default.enumerator(atPath: dir.path)
        while let name = walker?.nextObject() as? String {
            let path = dir.appendingPathComponent(name).path
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFREG {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                out[name] = "file \(data.count) \(data.withUnsafeBytes { CRC32.checksum($0) })"
            } else {
                out[name] = "mode \(info.st_mode & S_IFMT)"
            }
        }
        return out
    }
}
