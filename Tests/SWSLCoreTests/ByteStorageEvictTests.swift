import Foundation
import Testing
import SWSLCore
import SWSLTestSupport

/// Evicting a mapped file's pages drops them from memory but never changes the bytes; on heap
/// storage it does nothing.
@Suite struct ByteStorageEvictTests {
    @Test func evictedPagesReadBackUnchanged() throws {
        let data = TestRandom.bytes(3 * 65_536 + 123, seed: 9)
        let path = try TemporaryFiles.write(data, name: "evict.bin")
        let file = try ByteStorage.map(path: path)
        let before = CRC32.checksum(file.bytes)
        file.evict(UnsafeRawBufferPointer(rebasing: file.bytes[100..<100_000]))
        let part = file.slice(4096..<(4096 + 70_000))
        part.evict(part.bytes)
        #expect(CRC32.checksum(file.bytes) == before)
        #expect(Array(file.bytes) == data)
        var seen = 0
        var crc: UInt32 = 0
        file.forEachPiece(10_000) { piece in
            crc = CRC32.checksum(piece, continuing: crc)
            seen += piece.count
        }
        #expect(seen == data.count && crc == before)
        #expect(Array(file.bytes) == data)
    }

    @Test func heapStorageIsUntouched() {
        let data = TestRandom.bytes(50_000, seed: 10)
        let heap = ByteStorage.copying(data)
        heap.evict(heap.bytes)
        #expect(Array(heap.bytes) == data)
    }

    /// Large anonymous (huge-page) storage starts zeroed, keeps what `fill` wrote, and is never
    /// evicted (dropping anonymous pages would zero them).
    @Test func largeAllocationKeepsItsBytes() {
        for count in [100, (2 << 20) - 1, 5 << 20] {
            let storage = ByteStorage.allocateLarge(count: count) { buffer in
                #expect(buffer.allSatisfy { $0 == 0 })
                for i in stride(from: 0, to: count, by: 4093) { buffer[i] = UInt8(truncatingIfNeeded: i / 4093 + 1) }
            }
            #expect(storage.count == count)
            storage.evict(storage.bytes)
            storage.slice(0..<count).evict(storage.bytes)
            for i in stride(from: 0, to: count, by: 4093) { #expect(storage.bytes[i] == UInt8(truncatingIfNeeded: i / 4093 + 1)) }
        }
    }
}
