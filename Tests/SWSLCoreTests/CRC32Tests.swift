import Foundation
import Synchronization
import Testing
import SWSLTestSupport
import SWSLCore

/// The carry-less multiplication CRC-32s against zlib's, on random bytes of every length class and
/// alignment, continuing from random CRCs; and the parallel, piecewise checksum against one pass.
@Suite struct CRC32Tests {
    static let accelerated = CRC32.Implementation.allCases.filter { $0 != .zlib }

    /// Random bytes from a fixed seed, so a failure reproduces.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] { TestRandom.bytes(count, seed: seed) }

    @Test(arguments: accelerated)
    func matchesZlibOnRandomLengthsAndAlignments(implementation: CRC32.Implementation) {
        guard implementation.isSupported else { return }
        let data = Self.bytes(70_000, seed: 1)
        var rng = TestRandom(seed: 0xC4C)
        // Every length up to 300 (the block/tail boundaries), then random long ones.
        let lengths = Array(0...300) + (0..<200).map { _ in Int.random(in: 301...69_000, using: &rng) }
        data.withUnsafeBytes { all in
            for length in lengths {
                let offset = Int.random(in: 0..<64, using: &rng)
                let start: UInt32 = Bool.random(using: &rng) ? 0 : UInt32.random(in: 0...UInt32.max, using: &rng)
                let part = UnsafeRawBufferPointer(rebasing: all[offset..<offset + length])
                let want = CRC32.checksum(part, continuing: start, using: .zlib)
                let got = CRC32.checksum(part, continuing: start, using: implementation)
                #expect(got == want, "\(implementation): length \(length) offset \(offset) from \(start)")
            }
        }
    }

    @Test func knownValues() {
        let check = Array("123456789".utf8)
        check.withUnsafeBytes { #expect(CRC32.checksum($0) == 0xCBF4_3926) }
        let zeros = [UInt8](repeating: 0, count: 4096)
        zeros.withUnsafeBytes { z in
            for implementation in CRC32.Implementation.allCases where implementation.isSupported {
                #expect(CRC32.checksum(z, using: implementation) == CRC32.checksum(z, using: .zlib))
            }
        }
    }

    @Test func bestIsSupported() {
        #expect(CRC32.Implementation.best.isSupported)
    }

    @Test func combineJoinsTwoChecksums() {
        let data = Self.bytes(10_000, seed: 2)
        data.withUnsafeBytes { all in
            for cut in [0, 1, 63, 64, 4097, 10_000] {
                let a = CRC32.checksum(UnsafeRawBufferPointer(rebasing: all[..<cut]))
                let b = CRC32.checksum(UnsafeRawBufferPointer(rebasing: all[cut...]))
                #expect(CRC32.combine(a, b, lengthOfB: all.count - cut) == CRC32.checksum(all), "cut at \(cut)")
            }
        }
    }

    @Test func parallelPiecesMatchOnePass() {
        let data = Self.bytes(300_000, seed: 3)
        data.withUnsafeBytes { all in
            let buffers = [0..<0, 0..<1, 5..<300_000, 1000..<1777, 4096..<(4096 + 65_536)].map {
                UnsafeRawBufferPointer(rebasing: all[$0])
            }
            let seen = Mutex<Int>(0)
            let sums = CRC32.checksums(buffers, pieceSize: 4096) { _, piece in seen.withLock { $0 += piece.count } }
            #expect(sums == buffers.map { CRC32.checksum($0) })
            #expect(seen.withLock { $0 } == buffers.reduce(0) { $0 + $1.count })
        }
    }
}
