internal import CLibzip
import SWSLCore

/// A read-only zip archive opened with libzip, with consistency checks on (`ZIP_CHECKCONS`:
/// local headers must agree with the central directory). Stored members are handed out as slices of
/// the mapped file (no copy), once their CRC-32 matches; compressed members are inflated by libzip
/// into heap storage, after their declared sizes are checked against the archive's size (no zip bombs).
final class ZipArchive {
    /// A member's name and sizes as the central directory declares them.
    struct Member {
        let index: UInt64
        let name: String
        let size: Int
        let compressedSize: Int
        let compressed: Bool
        /// The CRC-32 the central directory declares.
        let crc32: UInt32
        /// Where a stored member's bytes lie in the file, when the directory and local header agree
        /// with libzip's view; nil for compressed members (and any member libzip must read).
        let dataRange: Range<Int>?
    }

    /// Largest expansion deflate can achieve; a member claiming more is refused.
    static let maxDeflateRatio = 1032

    /// Bytes that may be inflated from compressed members in all, whatever they declare:
    /// max(`minimumInflateBudget`, `inflateBudgetPerFileByte` × the archive's size). Deflated
    /// PyTorch checkpoints shrink float weights by a few percent; this keeps what a hostile archive
    /// can make the reader allocate within a small multiple of its own size.
    let inflateBudget: Int
    static let minimumInflateBudget = 128 << 20
    static let inflateBudgetPerFileByte = 2
    /// Declared sizes of the compressed members read so far.
    private var inflated = 0

    private let handle: OpaquePointer
    let members: [Member]
    private let byName: [String: Int]

    /// Keeps the bytes libzip reads from alive; stored members are slices of it.
    private let file: ByteStorage

    /// Opens the archive held in `file` (the mapped checkpoint), without touching the file system again.
    init(file: ByteStorage) throws(ReadError) {
        self.file = file
        let fileSize = file.count
        var error = zip_error_t()
        zip_error_init(&error)
        defer { zip_error_fini(&error) }
        guard let source = zip_source_buffer_create(file.bytes.baseAddress, UInt64(file.count), 0, &error) else {
            throw .zip(member: nil, String(cString: zip_error_strerror(&error)))
        }
        guard let handle = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error) else {
            zip_source_free(source)
            throw .zip(member: nil, String(cString: zip_error_strerror(&error)))
        }
        self.handle = handle
        var members: [Member] = []
        var byName: [String: Int] = [:]
        let count = zip_get_num_entries(handle, 0)
        // Our own reading of the directory: it must agree with libzip's on the entry count, and no
        // two members may share bytes (libzip does not check that).
        guard let directory = ZipDirectory(file.bytes), directory.entries.count == count else {
            zip_close(handle)
            throw .zip(member: nil, "the central directory disagrees with libzip's reading of it")
        }
        if let (first, second) = directory.firstOverlap(in: file.bytes) {
            zip_close(handle)
            let name = { (i: Int) in String(decoding: directory.entries[i].name, as: UTF8.self) }
            guard let second else {
                throw .zip(member: name(first), "its local header or data lies outside the archive's member area")
            }
            throw .zip(member: name(second), "its bytes overlap those of member '\(name(first))' (an overlapping-member zip bomb?); members may not share bytes")
        }
        inflateBudget = max(ZipArchive.minimumInflateBudget, ZipArchive.inflateBudgetPerFileByte * fileSize)
        for i in 0..<UInt64(max(count, 0)) {
            var st = zip_stat_t()
            zip_stat_init(&st)
            guard zip_stat_index(handle, i, 0, &st) == 0, let cname = st.name else {
                zip_close(handle)
                throw .zip(member: "#\(i)", "cannot stat member")
            }
            let name = String(cString: cname)
            guard st.size <= UInt64(Int.max), st.comp_size <= UInt64(fileSize) else {
                zip_close(handle)
                throw .zip(member: name, "compressed size \(st.comp_size) exceeds the archive's \(fileSize) bytes")
            }
            let compressed = st.comp_method != ZIP_CM_STORE
            var range: Range<Int>?
            if !compressed, st.valid & UInt64(ZIP_STAT_CRC) != 0 {
                let entry = directory.entries[Int(i)]
                if entry.method == 0, entry.name.elementsEqual(name.utf8), entry.crc32 == st.crc,
                   UInt64(entry.size) == st.size, UInt64(entry.compressedSize) == st.comp_size, entry.size == entry.compressedSize {
                    range = directory.dataRange(of: entry, in: file.bytes)
                }
            }
            let member = Member(index: i, name: name, size: Int(st.size), compressedSize: Int(st.comp_size),
                                compressed: compressed, crc32: st.crc, dataRange: range)
            let limit = member.compressed ? member.compressedSize * ZipArchive.maxDeflateRatio + 64 : member.compressedSize
            guard member.size <= limit else {
                zip_close(handle)
                throw .zip(member: name, "declares \(member.size) bytes from \(member.compressedSize) compressed (a zip bomb?)")
            }
            if byName[name] != nil {
                zip_close(handle)
                throw .zip(member: name, "appears twice in the central directory")
            }
            byName[name] = members.count
            members.append(member)
        }
        self.members = members
        self.byName = byName
    }

    deinit { zip_close(handle) }

    func member(named name: String) -> Member? { byName[name].map { members[$0] } }

    /// Reads a member whole, checking its CRC-32.
    func read(_ member: Member) throws(ReadError) -> ByteStorage {
        try read([member])[0]
    }

    /// Reads members whole, checking their CRC-32s; stored members' checksums are computed on all
    /// cores, and their file pages evicted behind the check (they are read again when used).
    /// A failure names the first failing member in the order given.
    func read(_ members: [Member]) throws(ReadError) -> [ByteStorage] {
        let file = self.file
        var out: [ByteStorage?] = members.map { m in m.dataRange.map { file.slice($0) } }
        let mapped = members.indices.filter { out[$0] != nil }
        let sums = CRC32.checksums(mapped.map { out[$0]!.bytes }) { _, piece in file.evict(piece) }
        var crcOf: [Int: UInt32] = [:]
        for (k, i) in mapped.enumerated() { crcOf[i] = sums[k] }
        for (i, member) in members.enumerated() {
            if let crc = crcOf[i] {
                guard crc == member.crc32 else {
                    throw .zip(member: member.name, "CRC error: the directory says 0x\(hex(member.crc32)), the data has 0x\(hex(crc))")
                }
            } else {
                out[i] = try readWithLibzip(member)
            }
        }
        return out.map { $0! }
    }

    private func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Reads a member through libzip into heap storage. libzip verifies its CRC-32 when the read reaches the end.
    private func readWithLibzip(_ member: Member) throws(ReadError) -> ByteStorage {
        if member.compressed {
            guard member.size <= inflateBudget - inflated else {
                throw .tooLarge(where: "zip member '\(member.name)'", "inflating its \(member.size) declared bytes would bring the archive's inflated total over its budget of \(inflateBudget) bytes (max(\(ZipArchive.minimumInflateBudget >> 20) MiB, \(ZipArchive.inflateBudgetPerFileByte) × the \(file.count)-byte file))")
            }
            inflated += member.size
        }
        guard let file = zip_fopen_index(handle, member.index, 0) else {
            throw .zip(member: member.name, String(cString: zip_strerror(handle)))
        }
        defer { zip_fclose(file) }
        return try ByteStorage.allocate(count: member.size) { (buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Void in
            var done = 0
            while done < member.size {
                let n = zip_fread(file, buffer.baseAddress! + done, UInt64(member.size - done))
                guard n > 0 else {
                    let why = n < 0 ? String(cString: zip_file_strerror(file)) : "ends after \(done) of \(member.size) bytes"
                    throw .zip(member: member.name, why)
                }
                done += Int(n)
            }
            // Reading one byte more makes libzip check the CRC and that nothing follows.
            var extra: UInt8 = 0
            let tail = zip_fread(file, &extra, 1)
            guard tail == 0 else {
                throw .zip(member: member.name, tail < 0 ? String(cString: zip_file_strerror(file)) : "longer than declared")
            }
        }
    }
}
