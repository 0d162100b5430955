import Foundation
import Testing
import SWSLCore
import SWSLTestSupport
@testable import SWSLCheckpoint

/// Hostile containers and layouts beyond single flipped bytes: lying zip directories, traversal names,
/// pickles hidden in other members, strides and offsets that overflow.
@Suite struct HostileContainerTests {
    /// A state dict {"w": tensor} over storage "0" with the given view, as a zip checkpoint.
    static func checkpoint(offset: [UInt8], size: [UInt8], stride: [UInt8], storageBytes: Int = 16,
                           extra: [(String, [UInt8])] = []) -> [UInt8] {
        let pickle = PickleBytes().op("}").string("w").global("torch._utils", "_rebuild_tensor_v2").op("(")
            .op("(").string("storage").global("torch", "FloatStorage").string("0").string("cpu").int(4).op("t").raw([0x51])
            .raw(offset).raw(size).op("\u{85}").raw(stride).op("\u{85}").raw([0x89]).op("N").op("t").op("R").op("s").stop
        let zip = StoredZip(members: [("archive/data.pkl", pickle),
                                      ("archive/data/0", [UInt8](repeating: 0, count: storageBytes))] + extra)
        return zip.bytes
    }

    static func long(_ v: Int64) -> [UInt8] { [0x8A, 8] + withUnsafeBytes(of: v.littleEndian, Array.init) }

    static let layouts: [(String, [UInt8], [UInt8], [UInt8], String)] = [
        ("negative stride", [0x4B, 0], [0x4B, 4], long(-1), "negative stride"),
        ("negative offset", long(-4), [0x4B, 4], [0x4B, 1], "negative storage offset"),
        ("negative size", [0x4B, 0], long(-4), [0x4B, 1], "negative size"),
        ("overflowing stride", [0x4B, 0], [0x4B, 4], long(Int64.max / 2), "overflow"),
        ("overflowing size", [0x4B, 0], long(Int64.max), [0x4B, 1], "reads past"),
        ("offset past the end", long(1 << 40), [0x4B, 1], [0x4B, 1], "reads past"),
    ]

    @Test(arguments: layouts.map(\.0))
    func hostileViewIsRefusedNamingTheTensor(name: String) throws {
        let (_, offset, size, stride, expected) = try #require(Self.layouts.first { $0.0 == name })
        let message = try #require(try FixtureSupport.refusal(Self.checkpoint(offset: offset, size: size, stride: stride)))
        #expect(message.contains("tensor 'w'") && message.contains(expected), "\(name): \(message)")
    }

    @Test func broadcastViewCannotBlowUpMemory() throws {
        // stride 0 over 2^31 elements of a 4-byte storage: 8 GiB if materialised.
        let message = try #require(try FixtureSupport.refusal(Self.checkpoint(offset: [0x4B, 0], size: Self.long(1 << 31), stride: [0x4B, 0])))
        #expect(message.contains("tensor 'w'") && message.contains("too large"), "\(message)")
    }

    @Test func traversalMemberNamesAreOnlyKeys() throws {
        // Members named like paths out of the folder are never extracted: the checkpoint still reads.
        let dir = try FixtureSupport.temporaryDirectory()
        let bytes = Self.checkpoint(offset: [0x4B, 0], size: [0x4B, 4], stride: [0x4B, 1],
                                    extra: [("../../evil.txt", Array("x".utf8)), ("/tmp/evil-abs.txt", Array("x".utf8))])
        let path = dir.appendingPathComponent("m.pth").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let checkpoint = try CheckpointReader.read(path: path)
        #expect(checkpoint.weights.map(\.name) == ["w"])
        #expect(!FileManager.default.fileExists(atPath: dir.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("evil.txt").path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/evil-abs.txt"))
    }

    @Test func picklesInOtherMembersAreNeverRun() throws {
        // A malicious pickle as a storage's bytes and as an extra member: data only, never unpickled.
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("swsl-pwned-storage").path
        try? FileManager.default.removeItem(atPath: marker)
        let payload = PickleBytes().global("posix", "system").string("touch \(marker)").op("\u{85}").op("R").stop
        var padded = payload
        while padded.count % 4 != 0 { padded.append(0) }
        let pickle = PickleBytes().op("}").string("w").global("torch._utils", "_rebuild_tensor_v2").op("(")
            .op("(").string("storage").global("torch", "ByteStorage").string("0").string("cpu").int(UInt8(padded.count)).op("t")
            .raw([0x51]).int(0).int(UInt8(padded.count)).op("\u{85}").int(1).op("\u{85}").raw([0x89]).op("N").op("t").op("R").op("s").stop
        let zip = StoredZip(members: [("archive/data.pkl", pickle), ("archive/data/0", padded),
                                      ("archive/extra.pkl", payload)])
        let path = try FixtureSupport.write(zip.bytes)
        let checkpoint = try CheckpointReader.read(path: path)
        #expect(Array(checkpoint.weights[0].tensor.bytes) == padded)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func localHeaderDisagreeingWithCentralDirectoryIsRefused() throws {
        var bytes = Self.checkpoint(offset: [0x4B, 0], size: [0x4B, 4], stride: [0x4B, 1])
        // Rename the first member in its local header only ("archive/data.pkl" → "archivX/data.pkl").
        bytes[30 + 6] = UInt8(ascii: "X")
        let message = try #require(try FixtureSupport.refusal(bytes))
        #expect(message.contains("zip"), "\(message)")
    }

    @Test func overlappingMembersAreRefused() throws {
        // Two central-directory entries pointing at the same local header.
        let zip = StoredZip(members: [("archive/data.pkl", PickleBytes().op("}").stop), ("archive/version", Array("3\n".utf8))])
        var bytes = zip.bytes
        // Central entries start after the two local records; point the second entry's offset (field at +42) at 0.
        let central = bytes.count - 22 - (46 + 16) - (46 + 15)
        let second = central + 46 + 16
        for i in 0..<4 { bytes[second + 42 + i] = 0 }
        let message = try #require(try FixtureSupport.refusal(bytes))
        #expect(message.contains("zip"), "\(message)")
    }

    @Test func persistentIdThatIsNotAStorageIsRefused() throws {
        let pickle = PickleBytes().op("(").string("module").string("x").op("t").raw([0x51]).stop
        let message = try #require(try FixtureSupport.refusal(StoredZip(members: [("archive/data.pkl", pickle)]).bytes))
        #expect(message.contains("archive/data.pkl") && message.contains("persistent id"), "\(message)")
    }
}
