import Foundation
import Testing
import SWSLCore
import SWSLTestSupport
@testable import SWSLCheckpoint

/// Stored zip members are read as slices of the mapped file, located through our own reading of
/// the central directory; they must be byte-for-byte what libzip reads, and any disagreement must
/// fall back to libzip rather than hand out the wrong bytes.
@Suite struct ZipZeroCopyTests {
    static let zips = ["models/resnet18_tiny.zip.pth", "models/resnet18_tiny.zip64.pth", "models/resnet18_tiny.deflated.pth",
                       "models/oddities.zip.pth", "models/resnet50_tiny.zip.pth"]

    @Test(arguments: zips)
    func storedMembersAreSlicesOfTheFileWithLibzipsBytes(fixture: String) throws {
        let file = try ByteStorage.map(path: FixtureSupport.path(fixture))
        let zip = try ZipArchive(file: file)
        let base = Int(bitPattern: file.bytes.baseAddress)
        for member in zip.members {
            #expect((member.dataRange != nil) == !member.compressed, "\(fixture): \(member.name) zero-copy")
            let bytes = try zip.read(member)
            #expect(bytes.count == member.size)
            if let range = member.dataRange, member.size > 0 {
                #expect(Int(bitPattern: bytes.bytes.baseAddress) - base == range.lowerBound, "\(member.name) is not a slice")
            }
            #expect(CRC32.checksum(bytes.bytes) == member.crc32, "\(fixture): \(member.name)")
        }
    }

    @Test func directoryAgreesWithLibzip() throws {
        let file = try ByteStorage.map(path: FixtureSupport.path("models/resnet18_tiny.zip64.pth"))
        let directory = try #require(ZipDirectory(file.bytes))
        let archive = try ZipArchive(file: file)
        #expect(directory.entries.count == archive.members.count)
        for (entry, member) in zip(directory.entries, archive.members) {
            #expect(entry.name.elementsEqual(member.name.utf8))
            #expect(entry.size == member.size && entry.compressedSize == member.compressedSize)
            #expect(entry.crc32 == member.crc32)
        }
    }

    @Test func batchReadReportsTheFirstBadMember() throws {
        var zip = StoredZip(members: [("a/data.pkl", PickleBytes().op("}").stop)])
        for i in 0..<4 { zip.members.append(("a/data/\(i)", [UInt8](repeating: UInt8(i), count: 5000))) }
        var bytes = zip.bytes
        // Corrupt members 1 and 3: the error names member 1.
        for key in ["a/data/1", "a/data/3"] {
            let name = Array(key.utf8)
            let at = try #require((0..<bytes.count - name.count).first { Array(bytes[$0..<$0 + name.count]) == name })
            bytes[at + name.count + 10] ^= 0x55
        }
        let archive = try ZipArchive(file: ByteStorage.copying(bytes))
        let members = (0..<4).compactMap { archive.member(named: "a/data/\($0)") }
        #expect(members.allSatisfy { $0.dataRange != nil })
        do {
            _ = try archive.read(members)
            Issue.record("corrupt members were accepted")
        } catch {
            #expect(error.description.contains("a/data/1") && error.description.contains("CRC"), "\(error)")
        }
        #expect(try archive.read([members[0], members[2]]).map { $0.bytes[0] } == [0, 2])
    }

    @Test func localHeaderNamingAnotherMemberFallsBackToLibzip() throws {
        // The local header's name differs from the directory's: never sliced; libzip's consistency
        // check refuses the archive, as before.
        let zip = StoredZip(members: [("a/data.pkl", PickleBytes().op("}").stop), ("a/data/0", [1, 2, 3, 4])])
        var bytes = zip.bytes
        let name = Array("a/data/0".utf8)
        let at = try #require((0..<bytes.count - name.count).first { Array(bytes[$0..<$0 + name.count]) == name })
        bytes[at + name.count - 1] = UInt8(ascii: "9")
        let storage = ByteStorage.copying(bytes)
        let directory = try #require(ZipDirectory(storage.bytes))
        let entry = try #require(directory.entries.first { $0.name.elementsEqual(name) })
        #expect(directory.dataRange(of: entry, in: storage.bytes) == nil)
        #expect(throws: ReadError.self) { _ = try ZipArchive(file: storage) }
    }

    @Test func truncatedDirectoriesAreNotTrusted() throws {
        let bytes = try FixtureSupport.bytes("models/resnet18_tiny.zip.pth")
        for cut in stride(from: bytes.count - 1, to: max(0, bytes.count - 4000), by: -97) {
            let storage = ByteStorage.copying(Array(bytes[..<cut]))
            if let directory = ZipDirectory(storage.bytes) {
                for entry in directory.entries {
                    if let range = directory.dataRange(of: entry, in: storage.bytes) { #expect(range.upperBound <= cut) }
                }
            }
        }
    }
}
