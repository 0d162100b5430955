#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owner of a read-only run of bytes: a memory-mapped file or a heap allocation.
/// Tensors keep their storage alive; many tensors may share one storage.
public final class ByteStorage: @unchecked Sendable {
    private enum Owner {
        case mapped(UnsafeMutableRawPointer, Int)
        /// Anonymous memory from `mmap` (never evicted: dropping its pages would zero them).
        case anonymous(UnsafeMutableRawPointer, Int)
        case heap(UnsafeMutableRawPointer)
        case slice(ByteStorage)
        case empty
    }

    /// The bytes. Valid for the lifetime of this object.
    public let bytes: UnsafeRawBufferPointer
    private let owner: Owner

    private init(bytes: UnsafeRawBufferPointer, owner: Owner) {
        self.bytes = bytes
        self.owner = owner
    }

    deinit {
        switch owner {
        case .mapped(let base, let length), .anonymous(let base, let length): munmap(base, length)
        case .heap(let base): base.deallocate()
        case .slice, .empty: break
        }
    }

    /// Number of bytes held.
    public var count: Int { bytes.count }

    /// An empty storage.
    public static let empty = ByteStorage(bytes: UnsafeRawBufferPointer(start: nil, count: 0), owner: .empty)

    /// Maps a whole file read-only (opened and checked by `InputFile`). Empty files give an empty storage.
    public static func map(path: String) throws(FileAccessError) -> ByteStorage {
        try map(InputFile.open(path))
    }

    /// Maps an opened input file read-only; the descriptor is closed when `file` goes away.
    public static func map(_ file: borrowing InputFile) throws(FileAccessError) -> ByteStorage {
        let length = file.size
        if length == 0 { return .empty }
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, file.descriptor, 0), base != MAP_FAILED else {
            throw FileAccessError(path: file.path, operation: "mmap", .last)
        }
        return ByteStorage(bytes: UnsafeRawBufferPointer(start: base, count: length), owner: .mapped(base, length))
    }

    /// A storage viewing `range` of this one (no copy); it keeps this storage alive.
    public func slice(_ range: Range<Int>) -> ByteStorage {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice out of bounds")
        if range.isEmpty { return .empty }
        return ByteStorage(bytes: UnsafeRawBufferPointer(rebasing: bytes[range]), owner: .slice(self))
    }

    /// Drops this process's copies of the file pages that lie wholly inside `part` (a range of this
    /// storage's bytes), when the storage views a mapped file. The bytes stay valid: a page touched
    /// again is mapped back from the page cache, unchanged (the mapping is private and read-only).
    /// A pass that reads a large file once calls this behind itself, so the file's pages do not all
    /// count as resident at once. No effect on heap storage.
    public func evict(_ part: UnsafeRawBufferPointer) {
        guard let start = part.baseAddress, part.count > 0, let (base, length) = mapping else { return }
        let page = ByteStorage.pageSize
        let lower = max(Int(bitPattern: start), Int(bitPattern: base))
        let upper = min(Int(bitPattern: start) + part.count, Int(bitPattern: base) + length)
        let first = (lower + page - 1) / page * page, last = upper / page * page
        guard first < last, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(address, last - first, MADV_DONTNEED)
    }

    /// Calls `body` with consecutive pieces of the bytes, each at most `pieceSize` long, evicting
    /// every piece of a mapped file once `body` has seen it (see `evict`).
    public func forEachPiece<E: Error>(
        _ pieceSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        precondition(pieceSize > 0, "piece size must be positive")
        var offset = 0
        while offset < count {
            let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<min(count, offset + pieceSize)])
            try body(piece)
            evict(piece)
            offset += piece.count
        }
    }

    /// The mapped file this storage views (itself or through slices), or nil.
    private var mapping: (UnsafeMutableRawPointer, Int)? {
        switch owner {
        case .mapped(let base, let length): (base, length)
        case .slice(let parent): parent.mapping
        case .anonymous, .heap, .empty: nil
        }
    }

    private static let pageSize = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)

    /// Allocates `count` bytes and lets `fill` write them.
    public static func allocate<E: Error>(
        count: Int, fill: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) -> ByteStorage {
        if count == 0 { return .empty }
        let base = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 64)
        let buffer = UnsafeMutableRawBufferPointer(start: base, count: count)
        do { try fill(buffer) } catch {
            base.deallocate()
            throw error
        }
        return ByteStorage(bytes: UnsafeRawBufferPointer(buffer), owner: .heap(base))
    }

    /// Allocates `count` zeroed bytes backed by transparent huge pages where the kernel offers them
    /// (2 MiB pages: a 100 MB buffer takes 50 page faults instead of 25 000), and lets `fill` write
    /// them. For large outputs written once; small counts use the heap.
    public static func allocateLarge<E: Error>(
        count: Int, fill: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) -> ByteStorage {
        let huge = 2 << 20
        func zeroedHeap() throws(E) -> ByteStorage {
            try allocate(count: count) { (buffer: UnsafeMutableRawBufferPointer) throws(E) -> Void in
                buffer.initializeMemory(as: UInt8.self, repeating: 0)
                try fill(buffer)
            }
        }
        guard count >= huge else { return try zeroedHeap() }
        // Over-allocate by one huge page so the buffer can start on a huge-page boundary.
        let (rounded, overflow) = count.addingReportingOverflow(2 * huge - 1)
        guard !overflow else { return try zeroedHeap() }
        let length = rounded / huge * huge
        guard let raw = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
            return try zeroedHeap()
        }
        let start = (Int(bitPattern: raw) + huge - 1) / huge * huge
        let base = UnsafeMutableRawPointer(bitPattern: start)!
        _ = madvise(base, length - (start - Int(bitPattern: raw)), MADV_HUGEPAGE)
        let buffer = UnsafeMutableRawBufferPointer(start: base, count: count)
        do { try fill(buffer) } catch {
            munmap(raw, length)
            throw error
        }
        return ByteStorage(bytes: UnsafeRawBufferPointer(buffer), owner: .anonymous(raw, length))
    }

    /// A copy of `source` in a new heap storage.
    public static func copying(_ source: UnsafeRawBufferPointer) -> ByteStorage {
        allocate(count: source.count) { (dst: UnsafeMutableRawBufferPointer) -> Void in
            dst.copyMemory(from: source)
        }
    }

    /// A copy of `source` in a new heap storage.
    public static func copying(_ source: [UInt8]) -> ByteStorage {
        source.withUnsafeBytes { copying($0) }
    }
}

/// A file could not be opened, examined or mapped.
public struct FileAccessError: Error, CustomStringConvertible, Sendable {
    /// The path as given: the file read, or the output being written.
    public let path: String
    /// What went wrong, without the path.
    public let reason: String

    /// `reason` follows the path in messages ("is a directory"), so it should not repeat the path.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// A failed system call: "cannot OPERATION: strerror(errno)".
    public init(path: String, operation: String, _ error: SystemCallError) {
        self.init(path: path, reason: "cannot \(operation): \(error)")
    }

    /// `PATH: REASON`, as the CLI prints it.
    public var description: String { "\(path): \(reason)" }
}
