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
        case .mapped(let base, let length): munmap(base, length)
        case .heap(let base): base.deallocate()
        case .slice, .empty: break
        }
    }

    /// Number of bytes held.
    public var count: Int { bytes.count }

    /// An empty storage.
    public static let empty = ByteStorage(bytes: UnsafeRawBufferPointer(start: nil, count: 0), owner: .empty)

    /// Maps a whole file read-only. Empty files give an empty storage.
    public static func map(path: String) throws(FileAccessError) -> ByteStorage {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileAccessError(path: path, operation: "stat", errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FileAccessError(path: path, operation: "read (not a regular file)", errno: EINVAL)
        }
        let length = Int(info.st_size)
        if length == 0 { return .empty }
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw FileAccessError(path: path, operation: "mmap", errno: errno)
        }
        return ByteStorage(bytes: UnsafeRawBufferPointer(start: base, count: length), owner: .mapped(base, length))
    }

    /// A storage viewing `range` of this one (no copy); it keeps this storage alive.
    public func slice(_ range: Range<Int>) -> ByteStorage {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice out of bounds")
        if range.isEmpty { return .empty }
        return ByteStorage(bytes: UnsafeRawBufferPointer(rebasing: bytes[range]), owner: .slice(self))
    }

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
    public let path: String
    public let operation: String
    public let errno: Int32

    /// What went wrong, without the path.
    public var reason: String { "cannot \(operation): \(String(cString: strerror(errno)))" }

    public var description: String { "\(path): \(reason)" }
}
