import Foundation
import Testing
import SWSLCore
import SWSLTestSupport
@testable import SWSLCheckpoint

/// Broken and hostile files: each is refused with a message naming the file and the place,
/// never crashes, never runs anything.
@Suite struct HostileFileTests {
    static let pytorchFixtures = [
        "models/resnet18_tiny.zip.pth", "models/resnet18_tiny.legacy.pth", "models/resnet18_tiny.tar.pth",
        "models/resnet18_tiny.safetensors", "models/resnet18_tiny.deflated.pth", "models/resnet18_tiny.zip64.pth",
        "models/resnet18_tiny.whole_module.legacy.pth", "models/oddities.legacy.pth",
        "models/resnet18_tiny.torchscript.pt", "models/resnet18_tiny.legacy_p4.pth",
    ]

    @Test func emptyFile() throws {
        let message = try #require(try FixtureSupport.refusal([]))
        #expect(message.contains("input.pth") && message.contains("empty"))
    }

    @Test func randomBytes() throws {
        let bytes = TestRandom.bytes(4096, seed: 0xB17E5)
        let message = try #require(try FixtureSupport.refusal(bytes, name: "noise.bin"))
        #expect(message.contains("noise.bin"))
    }

    @Test func missingFile() throws {
        #expect(throws: CheckpointError.self) { try CheckpointReader.read(path: "/nonexistent/model.pth") }
    }

    /// Cut every fixture at many points: always an error, never a crash.
    @Test(arguments: pytorchFixtures)
    func truncatedFilesAreRefused(fixture: String) throws {
        let bytes = try FixtureSupport.bytes(fixture)
        let name = (fixture as NSString).lastPathComponent
        // A tar archive ends in zero padding that readers (Python's tarfile too) need not see: cut before it.
        let end = fixture.hasSuffix(".tar.pth") ? (bytes.lastIndex { $0 != 0 } ?? 0) + 1 : bytes.count
        for cut in stride(from: 1, to: end, by: max(1, end / 40)) {
            let message = try FixtureSupport.refusal(Array(bytes[..<cut]), name: name)
            #expect(message != nil, "\(fixture) cut at \(cut) was accepted")
            if let message { #expect(message.contains(name), "\(message)") }
        }
    }

    /// Flip bytes all over every fixture: either read (a changed value) or refused; never a crash.
    @Test(arguments: pytorchFixtures)
    func flippedBytesNeverCrash(fixture: String) throws {
        let original = try FixtureSupport.bytes(fixture)
        var rng = TestRandom(seed: UInt64(fixture.utf8.reduce(17) { $0 &* 31 &+ UInt64($1) }))
        for _ in 0..<60 {
            var bytes = original
            for _ in 0..<3 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            _ = try FixtureSupport.refusal(bytes)
        }
    }

    @Test func corruptedZipMemberFailsItsCRC() throws {
        var bytes = try FixtureSupport.bytes("models/resnet18_tiny.zip.pth")
        // The first storage's data: find "data/0" and flip a byte well inside the data after its header.
        let name = Array("resnet18_tiny.zip/data/0".utf8)
        let at = try #require((0..<bytes.count - name.count).first { Array(bytes[$0..<$0 + name.count]) == name })
        bytes[at + name.count + 100] ^= 0xFF
        let message = try #require(try FixtureSupport.refusal(bytes))
        #expect(message.contains("data/0") && message.lowercased().contains("crc"), "\(message)")
    }

    // MARK: Code in pickles is never run

    static let marker = FileManager.default.temporaryDirectory.appendingPathComponent("swsl-pwned-marker").path

    static var payload: [UInt8] {
        PickleBytes().global("posix", "system").string("touch \(marker)").op("\u{85}").op("R").stop
    }

    @Test func maliciousZipCheckpointRunsNothing() throws {
        try? FileManager.default.removeItem(atPath: Self.marker)
        let zip = StoredZip(members: [("archive/data.pkl", Self.payload), ("archive/version", Array("3\n".utf8))])
        let message = try #require(try FixtureSupport.refusal(zip.bytes, name: "evil.pth"))
        #expect(message.contains("evil.pth") && message.contains("'posix.system'") && message.contains("archive/data.pkl"))
        #expect(!FileManager.default.fileExists(atPath: Self.marker))
    }

    @Test func maliciousLegacyCheckpointRunsNothing() throws {
        try? FileManager.default.removeItem(atPath: Self.marker)
        let header: [UInt8] = [0x80, 0x02, 0x8A, 0x0A] + TorchLegacyReader.magic + [0x2E]
            + [0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E] + [0x80, 0x02, 0x7D, 0x2E]
        let message = try #require(try FixtureSupport.refusal(header + Self.payload, name: "evil.pth"))
        #expect(message.contains("'posix.system'") && message.contains("offset \(header.count + 2)"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: Self.marker))
    }

    @Test func zipWithoutDataPickleIsNotACheckpoint() throws {
        let zip = StoredZip(members: [("readme.txt", Array("hello".utf8))])
        let message = try #require(try FixtureSupport.refusal(zip.bytes))
        #expect(message.contains("data.pkl"))
    }

    @Test func zipMemberLyingAboutItsSizeIsRefused() throws {
        var zip = StoredZip(members: [("archive/data.pkl", PickleBytes().op("}").stop)])
        zip.declaredSize["archive/data.pkl"] = 1 << 30
        let message = try #require(try FixtureSupport.refusal(zip.bytes))
        #expect(message.contains("archive/data.pkl") || message.contains("zip"), "\(message)")
    }

    @Test func storageMissingFromZipIsNamed() throws {
        // A state dict whose tensor points at storage "7" that the archive does not hold.
        let args = PickleBytes().op("}").string("w").global("torch._utils", "_rebuild_tensor_v2").op("(")
            .op("(").string("storage").global("torch", "FloatStorage").string("7").string("cpu").int(4).op("t").raw([0x51])
            .int(0).int(4).op("\u{85}").int(1).op("\u{85}").raw([0x89]).op("N").op("t").op("R").op("s").stop
        let zip = StoredZip(members: [("archive/data.pkl", args)])
        let message = try #require(try FixtureSupport.refusal(zip.bytes))
        #expect(message.contains("archive/data/7") && message.contains("missing"), "\(message)")
    }

    @Test func tensorReadingPastItsStorageIsRefused() throws {
        // Same tensor, with a 4-byte storage "0" but a view of 4 floats at offset 2.
        let args = PickleBytes().op("}").string("w").global("torch._utils", "_rebuild_tensor_v2").op("(")
            .op("(").string("storage").global("torch", "FloatStorage").string("0").string("cpu").int(4).op("t").raw([0x51])
            .int(2).int(4).op("\u{85}").int(1).op("\u{85}").raw([0x89]).op("N").op("t").op("R").op("s").stop
        let zip = StoredZip(members: [("archive/data.pkl", args), ("archive/data/0", [UInt8](repeating: 0, count: 16))])
        let message = try #require(try FixtureSupport.refusal(zip.bytes))
        #expect(message.contains("tensor 'w'") && message.contains("storage"), "\(message)")
    }

    // MARK: safetensors headers that lie

    static func safetensors(_ header: String, data: Int) -> [UInt8] {
        let h = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(h.count).littleEndian, Array.init) + h + [UInt8](repeating: 0, count: data)
    }

    static let lyingHeaders: [(String, [UInt8], String)] = [
        ("header larger than file", [0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D], "safetensors"),
        ("overlap", safetensors(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: 12), "overlap"),
        ("hole", safetensors(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8), "hole"),
        ("size mismatch", safetensors(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8), "tensor 'a'"),
        ("out of bounds", safetensors(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: 8), "tensor 'a'"),
        ("bad dtype", safetensors(#"{"a":{"dtype":"F8_E4M3X","shape":[1],"data_offsets":[0,1]}}"#, data: 1), "F8_E4M3X"),
        ("negative dim", safetensors(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: 4), "tensor 'a'"),
        ("overflowing shape", safetensors(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: 4), "tensor 'a'"),
        ("trailing data", safetensors(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 8), "cover"),
        ("not JSON", safetensors(#"{"a":{"dtype":"F32",]}"#, data: 0), "JSON"),
        // The safetensors library refuses a repeated key; which copy wins would depend on the reader.
        ("duplicate tensor", safetensors(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8), "key 'a' appears twice"),
        ("duplicate field", safetensors(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"dtype":"I32"}}"#, data: 4), "key 'dtype' appears twice"),
        ("duplicate escaped key", safetensors(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\u0061":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8), "appears twice"),
        ("duplicate metadata key", safetensors(#"{"__metadata__":{"format":"pt","format":"np"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 4), "key 'format' appears twice"),
    ]

    @Test(arguments: lyingHeaders.map(\.0))
    func lyingSafetensorsHeaderIsRefused(name: String) throws {
        let (_, bytes, expected) = try #require(Self.lyingHeaders.first { $0.0 == name })
        let message = try #require(try FixtureSupport.refusal(bytes, name: "m.safetensors"), "\(name) accepted")
        #expect(message.contains(expected) && message.contains("m.safetensors"), "\(name): \(message)")
    }
}
