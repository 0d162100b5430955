internal import CLibcrypto
import SWSLCore

/// SHA-256 through the system's OpenSSL libcrypto (its EVP interface, which uses the CPU's SHA
/// extensions where there are some). libzip already links libcrypto, so hashing adds no library.
public enum SHA256 {
    /// Hex SHA-256 of the file at `path`, read piece by piece (each piece's pages evicted behind the
    /// hash, so the file never all counts as resident); nil when the file cannot be read.
    /// `isCancelled` is asked between pieces; once it says true the hash stops and nil is returned.
    public static func hex(path: String, isCancelled: () -> Bool = { false }) -> String? {
        guard let file = try? ByteStorage.map(path: path) else { return nil }
        var stopped = false
        let hex = digest { update in
            do {
                try file.forEachPiece { (piece) throws(Cancelled) in
                    guard !isCancelled() else { throw Cancelled() }
                    update(piece)
                }
            } catch { stopped = true }
        }
        return stopped ? nil : hex
    }

    private struct Cancelled: Error {}

    /// Hex SHA-256 of `bytes`.
    public static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        digest { update in update(bytes) } ?? ""
    }

    private static func digest(_ feed: ((UnsafeRawBufferPointer) -> Void) -> Void) -> String? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { return nil }
        var ok = true
        feed { piece in
            if ok, piece.count > 0 { ok = EVP_DigestUpdate(context, piece.baseAddress, piece.count) == 1 }
        }
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard ok, EVP_DigestFinal_ex(context, &out, &length) == 1, length == 32 else { return nil }
        return out.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }.joined()
    }
}
