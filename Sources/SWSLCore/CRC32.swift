internal import CChecksum

/// zlib's CRC-32 (the checksum zip and `.swm` use), with carry-less multiplication folding on CPUs
/// that have it (PCLMULQDQ, VPCLMULQDQ) and zlib's own code elsewhere.
public enum CRC32 {
    /// An implementation of the checksum; all give the same value.
    public enum Implementation: String, CaseIterable, Sendable {
        case zlib, pclmul, vpclmul

        fileprivate var c: swsl_crc32_impl {
            switch self {
            case .zlib: SWSL_CRC32_ZLIB
            case .pclmul: SWSL_CRC32_PCLMUL
            case .vpclmul: SWSL_CRC32_VPCLMUL
            }
        }

        /// True when this CPU runs it.
        public var isSupported: Bool { swsl_crc32_supported(c) != 0 }

        /// The fastest implementation this CPU runs (what `checksum` uses).
        public static var best: Implementation {
            let best = swsl_crc32_best()
            return allCases.first { $0.c == best } ?? .zlib
        }
    }

    /// The CRC-32 of `bytes`, continuing from `crc` (0 to start).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        swsl_crc32(crc, bytes.baseAddress, bytes.count)
    }

    /// As `checksum`, with a given implementation (which must be supported).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0,
                                using implementation: Implementation) -> UInt32 {
        precondition(implementation.isSupported, "CRC-32 \(implementation) is not supported on this CPU")
        return swsl_crc32_using(implementation.c, crc, bytes.baseAddress, bytes.count)
    }

    /// The CRC-32 of A followed by B, from the checksums of A and B and the length of B.
    public static func combine(_ a: UInt32, _ b: UInt32, lengthOfB: Int) -> UInt32 {
        swsl_crc32_combine(a, b, lengthOfB)
    }

    /// The CRC-32 of each buffer, computed on all cores in pieces of at most `pieceSize` bytes.
    /// `afterPiece(i, piece)` runs (on the computing thread) once each piece of buffer `i` is done.
    public static func checksums(_ buffers: [UnsafeRawBufferPointer], pieceSize: Int = 1 << 20,
                                 afterPiece: (Int, UnsafeRawBufferPointer) -> Void = { _, _ in }) -> [UInt32] {
        precondition(pieceSize > 0, "piece size must be positive")
        var pieces: [(buffer: Int, piece: UnsafeRawBufferPointer)] = []
        for (i, b) in buffers.enumerated() {
            var at = 0
            repeat {
                let end = min(b.count, at + pieceSize)
                pieces.append((i, UnsafeRawBufferPointer(rebasing: b[at..<end])))
                at = end
            } while at < b.count
        }
        let sums = parallelMap(pieces.count) { k in
            let sum = checksum(pieces[k].piece)
            afterPiece(pieces[k].buffer, pieces[k].piece)
            return sum
        }
        var result = [UInt32](repeating: 0, count: buffers.count)
        for (k, p) in pieces.enumerated() {
            result[p.buffer] = combine(result[p.buffer], sums[k], lengthOfB: p.piece.count)
        }
        return result
    }
}
