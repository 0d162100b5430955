#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file atomically: into a temporary file in the destination's folder, then flushed
/// (`fsync`) and renamed over the destination, and the folder flushed. Until `commit()` the
/// destination is untouched; a writer that is dropped, or a process stopped by SIGINT/SIGTERM,
/// removes its temporary file. (SIGKILL cannot be caught: it leaves a hidden `.NAME.tmp-*` file
/// beside the destination, never a partial destination.)
public final class AtomicFileWriter {
    /// The path the file replaces when `commit()` succeeds.
    public let destination: String
    /// The hidden `.NAME.tmp-XXXXXX` file being written in the destination's folder; removed unless committed.
    public let temporaryPath: String
    private var fd: Int32
    private var committed = false

    /// Starts a file that will replace `destination`. Refused, before anything is written, when
    /// the destination is a folder or anything but a regular file, or is a file this process reads
    /// (`InputFile.isInput`: same device and inode, whatever the path), or its folder takes no new file.
    public init(destination: String) throws(FileAccessError) {
        self.destination = destination
        try AtomicFileWriter.checkReplaceable(destination)
        let slash = destination.lastIndex(of: "/")
        let folder = slash.map { String(destination[..<$0]) } ?? "."
        let base = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        var template = Array("\(folder.isEmpty ? "/" : folder)/.\(base).tmp-XXXXXX".utf8CString)
        let fd: Int32
        do { fd = try valueOrErrno { template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) } } } catch {
            var info = stat()
            let folderExists = stat(folder.isEmpty ? "/" : folder, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            throw FileAccessError(path: destination, reason: !folderExists
                ? "cannot be written: the folder '\(folder)' does not exist"
                : "cannot be written: no new file can be made in the folder '\(folder)' (\(error))")
        }
        self.fd = fd
        self.temporaryPath = String(cString: template.map { UInt8(bitPattern: $0) }.dropLast() + [0])
        fchmod(fd, 0o644)
        PendingFiles.register(temporaryPath)
    }

    /// Throws when `destination` may not be replaced by an output (see `init`).
    public static func checkReplaceable(_ destination: String) throws(FileAccessError) {
        if InputFile.isInput(destination) {
            throw FileAccessError(path: destination, reason: "is a file this command reads; refusing to write over it")
        }
        var info = stat()
        guard stat(destination, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FileAccessError(path: destination, reason: "is \(InputFile.describe(mode: info.st_mode)); an output replaces a regular file only")
        }
    }

    deinit {
        if !committed { discard() }
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileAccessError) {
        var done = 0
        while done < bytes.count {
            do { done += try valueOrErrno { Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done) } } catch {
                throw FileAccessError(path: destination, reason: "cannot be written: \(error)")
            }
        }
    }

    /// Appends the bytes of an array (see `write(_:)` for a buffer).
    public func write(_ bytes: [UInt8]) throws(FileAccessError) {
        let result: Result<Void, FileAccessError> = bytes.withUnsafeBytes { raw in
            Result { () throws(FileAccessError) in try write(raw) }
        }
        try result.get()
    }

    /// Writes bytes at `offset` (the file grows as needed; the append position is unchanged).
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(FileAccessError) {
        var done = 0
        while done < bytes.count {
            do { done += try valueOrErrno { pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done)) } } catch {
                throw FileAccessError(path: destination, reason: "cannot be written: \(error)")
            }
        }
    }

    /// Starts writing what has been written so far to the disk, without waiting for it, so that
    /// `commit()`'s `fsync` has less left to do. (On Linux, POSIX_FADV_DONTNEED starts writeback of
    /// dirty pages and returns; Glibc's Swift module does not export sync_file_range.)
    public func startWriteback() {
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
    }

    /// Writes `count` zero bytes.
    public func writeZeros(_ count: Int) throws(FileAccessError) {
        if count > 0 { try write([UInt8](repeating: 0, count: count)) }
    }

    /// Flushes, renames over the destination and flushes the folder.
    public func commit() throws(FileAccessError) {
        do { _ = try valueOrErrno { fsync(fd) } } catch {
            throw FileAccessError(path: destination, reason: "cannot be written: \(error)")
        }
        close(fd)
        fd = -1
        // Checked again: inputs opened since `init` count too.
        try AtomicFileWriter.checkReplaceable(destination)
        do { _ = try valueOrErrno { rename(temporaryPath, destination) } } catch {
            throw FileAccessError(path: destination, reason: "cannot be replaced: \(error)")
        }
        committed = true
        PendingFiles.unregister()
        let folder = destination.lastIndex(of: "/").map { String(destination[..<$0]) } ?? "."
        let dirfd = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    /// Removes the temporary file; the destination stays as it was.
    public func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporaryPath)
        PendingFiles.unregister()
    }
}

/// The one temporary file being written, so SIGINT/SIGTERM can remove it (async-signal-safe:
/// the path lives in a fixed C buffer, the handler only calls `unlink` and `_exit`).
enum PendingFiles {
    nonisolated(unsafe) private static var path = UnsafeMutablePointer<CChar>.allocate(capacity: 4097)
    nonisolated(unsafe) private static var installed = false

    static func register(_ temporary: String) {
        let bytes = Array(temporary.utf8.prefix(4096))
        for (i, b) in bytes.enumerated() { path[i] = CChar(bitPattern: b) }
        path[bytes.count] = 0
        if !installed {
            installed = true
            for sig in [SIGINT, SIGTERM, SIGHUP] where !ignored(sig) {
                signal(sig) { code in
                    if PendingFiles.path[0] != 0 { unlink(PendingFiles.path) }
                    _exit(128 + code)
                }
            }
        }
    }

    static func unregister() { path[0] = 0 }

    /// Whether `sig` was ignored when this process started (`nohup` ignores SIGHUP; a shell ignores SIGINT in
    /// background jobs): such a signal is left ignored, not turned into a way to stop the conversion.
    private static func ignored(_ sig: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(sig, nil, &current) == 0 else { return false }
        #if canImport(Glibc)
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 1  // SIG_IGN
        #else
        return unsafeBitCast(current.__sigaction_u.__sa_handler, to: Int.self) == 1
        #endif
    }
}
