#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A file opened for reading, checked to be a regular file before any byte of it is read.
///
/// Every file the tool reads goes through `InputFile.open`: the model, ONNX external data, `.npy`
/// inputs, photos, calibration files. It opens with `O_NONBLOCK`, so a named pipe or a device never
/// stalls the tool (a FIFO would block `open` until a writer came), and refuses anything `fstat`
/// does not call a regular file. Each file opened is remembered by device and inode, so that no
/// output of the same process is ever written over it (`AtomicFileWriter` asks `isInput`): a
/// process that has read a file never replaces it.
public struct InputFile: ~Copyable {
    /// The path as given to `open` (not resolved).
    public let path: String
    /// The open descriptor, closed when this value goes away.
    public let descriptor: Int32
    /// Size in bytes when the file was opened (`st_size`).
    public let size: Int
    /// Hard links to the file (`st_nlink`).
    public let linkCount: Int

    /// Opens `path`; with `followSymlinks: false` a symbolic link as the last component is refused.
    public static func open(_ path: String, followSymlinks: Bool = true) throws(FileAccessError) -> InputFile {
        let flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followSymlinks ? 0 : O_NOFOLLOW)
        let fd: Int32
        do { fd = try valueOrErrno { Glibc.open(path, flags) } } catch {
            throw FileAccessError(path: path, reason: error.code == ELOOP && !followSymlinks ? "is a symbolic link" : "cannot open: \(error)")
        }
        var info = stat()
        do { _ = try valueOrErrno { fstat(fd, &info) } } catch {
            close(fd)
            throw FileAccessError(path: path, operation: "stat", error)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw FileAccessError(path: path, reason: "is \(describe(mode: info.st_mode)), not a regular file; only regular files are read")
        }
        _ = registry.withLock { $0.insert(FileID(info)) }
        return InputFile(path: path, descriptor: fd, size: Int(info.st_size), linkCount: Int(info.st_nlink))
    }

    private init(path: String, descriptor: Int32, size: Int, linkCount: Int) {
        self.path = path
        self.descriptor = descriptor
        self.size = size
        self.linkCount = linkCount
    }

    deinit { close(descriptor) }

    /// A second descriptor of the same open file, for a reader that closes what it is given.
    public func duplicateDescriptor() -> Int32 { fcntl(descriptor, F_DUPFD_CLOEXEC, 0) }

    /// True when `path` names (through any link) a file this process has opened as an input.
    public static func isInput(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let id = FileID(info)
        return registry.withLock { $0.contains(id) }
    }

    /// Device and inode name a file; the inode's change time tells it from a later file that
    /// reuses the inode number of a deleted one.
    private struct FileID: Hashable, Sendable {
        let device: UInt64
        let inode: UInt64
        let changed: Int64
        let changedNanoseconds: Int64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            changed = Int64(info.st_ctim.tv_sec)
            changedNanoseconds = Int64(info.st_ctim.tv_nsec)
        }
    }

    private static let registry = Mutex<Set<FileID>>([])

    static func describe(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a named pipe (FIFO)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }
}
