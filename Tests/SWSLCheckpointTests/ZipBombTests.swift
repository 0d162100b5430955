import Foundation
import Testing
import SWSLCore
import SWSLTestSupport
@testable import SWSLCheckpoint

/// Zip archives whose members share bytes, or whose compressed members honestly inflate to far
/// more than the archive holds: refused before anything is inflated.
@Suite struct ZipBombTests {
    @Test func overlappingMembersAreRefusedBeforeInflating() throws {
        let bytes = HostileFiles.overlappingMembers(count: 40)
        let message = try #require(try FixtureSupport.refusal(bytes, name: "overlap.pth"))
        #expect(message.contains("overlap.pth") && message.contains("overlap"), "\(message)")
        #expect(message.contains("archive/data/"), "names a member: \(message)")
    }

    @Test func theOverlapBuilderMakesAnArchiveLibzipAccepts() throws {
        // Control: the same construction with one storage member has no overlap and reads.
        let bytes = HostileFiles.overlappingMembers(count: 1)
        let path = try FixtureSupport.write(bytes, name: "single.pth")
        let checkpoint = try CheckpointReader.read(path: path)
        #expect(checkpoint.weights.map(\.name) == ["fc.bias"])
        #expect(checkpoint.weights[0].tensor.shape == [256])
    }

    @Test func twoMembersPointingAtOneLocalRecordOverlap() throws {
        var zip = ZipLayout()
        zip.append("archive/data.pkl", data: HostileFiles.stateDictPickle(storageNumel: 4, viewNumel: 4))
        zip.append("archive/data/0", data: [UInt8](repeating: 1, count: 16))
        var twin = zip.entries[1]
        twin.name = "archive/data/0"  // same local record, listed twice under one name …
        zip.entries.append(twin)
        #expect(try FixtureSupport.refusal(zip.bytes) != nil)
        twin.name = "archive/data/1"  // … or under a name the local header does not carry
        zip.entries[2] = twin
        #expect(try FixtureSupport.refusal(zip.bytes) != nil)
    }

    @Test func honestlyDeclaredHugeStorageIsRefusedByTheInflationBudget() throws {
        // 256 MiB of zeros in a ~1.7 MB stream (within deflate's 1032:1 ratio), viewed by 588 floats.
        let inflated = 256 << 20
        let bytes = HostileFiles.honestDeflateBomb(inflatedBytes: inflated)
        #expect(bytes.count < 2_000_000)
        let message = try #require(try FixtureSupport.refusal(bytes, name: "bomb.pth"))
        #expect(message.contains("bomb.pth") && message.contains("archive/data/0") && message.contains("budget"), "\(message)")
        // That it is refused before inflating, not after, is held by its peak memory: CLITests' ZipBombMemoryTests.
    }

    @Test func deflatedStorageWithinTheBudgetStillReads() throws {
        // The same construction under the budget inflates and its CRC is checked: the stream is real.
        let bytes = HostileFiles.honestDeflateBomb(inflatedBytes: 1 << 20, viewNumel: 8)
        let path = try FixtureSupport.write(bytes, name: "small.pth")
        let checkpoint = try CheckpointReader.read(path: path)
        let tensor = try #require(checkpoint.weights.first?.tensor)
        #expect(tensor.shape == [8])
        #expect(tensor.bytes.allSatisfy { $0 == 0 })
    }
}
