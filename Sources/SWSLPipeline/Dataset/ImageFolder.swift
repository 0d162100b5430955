#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The JPEG and PNG files below a folder, as a dataset loop takes them: recursively, in a stable order
/// (byte order of the relative paths), hidden files and folders ignored, anything else skipped and counted.
/// Hostile trees get a clear line, not a hang: symbolic links to folders are followed once (a folder reached
/// again, a loop, is skipped), FIFOs, sockets and devices are never opened (one named like an image is refused,
/// naming it; others are skipped), and the walk stops at `limit` entries.
public struct ImageFolder: Sendable {
    /// The folder as given.
    public let root: String
    /// Image paths relative to `root`, sorted.
    public let images: [String]
    /// Entries that are neither images nor folders (other files, FIFOs, devices, broken links).
    public let skipped: Int

    /// The most entries (files and folders) a walk reads before it refuses the folder.
    public static let defaultLimit = 10_000_000
    /// How deep folders may nest.
    public static let maxDepth = 64

    /// Walks `root`. Throws `RuntimeError.input` naming the folder that cannot be read, or the root when it
    /// holds more than `limit` entries or nests deeper than `maxDepth`.
    public init(_ root: String, limit: Int = ImageFolder.defaultLimit) throws(RuntimeError) {
        self.root = root
        var images: [String] = [], skipped = 0, entries = 0
        var visited = Set<[UInt64]>()
        var pending: [(relative: String, depth: Int)] = [("", 0)]
        while let (relative, depth) = pending.popLast() {
            let path = relative.isEmpty ? root : root + "/" + relative
            var info = stat()
            guard stat(path, &info) == 0 else { throw .input("\(path): cannot read the folder") }
            guard visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { continue }
            guard depth <= Self.maxDepth else { throw .input("\(root): folders nest deeper than \(Self.maxDepth) levels") }
            guard let dir = opendir(path) else { throw .input("\(path): cannot read the folder") }
            var names: [String] = []
            while let entry = readdir(dir) {
                entries += 1
                if entries > limit {
                    closedir(dir)
                    throw .input("\(root): more than \(limit) entries; give a smaller folder or split it (--shard)")
                }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if !name.hasPrefix(".") { names.append(name) }
            }
            closedir(dir)
            var folders: [String] = []
            for name in names {
                let child = relative.isEmpty ? name : relative + "/" + name
                var childInfo = stat()
                // stat follows links: a broken one is skipped; FIFOs and devices are never opened.
                guard stat(root + "/" + child, &childInfo) == 0 else { skipped += 1; continue }
                switch childInfo.st_mode & S_IFMT {
                case S_IFDIR: folders.append(child)
                case S_IFREG where Self.isImageName(name): images.append(child)
                case S_IFIFO where Self.isImageName(name), S_IFCHR where Self.isImageName(name), S_IFBLK where Self.isImageName(name),
                     S_IFSOCK where Self.isImageName(name):
                    // Named like an image but never opened: a clear refusal rather than a silent skip.
                    let kind = (childInfo.st_mode & S_IFMT) == S_IFIFO ? "a named pipe" : (childInfo.st_mode & S_IFMT) == S_IFSOCK
                        ? "a socket" : "a device"
                    throw .input("\(root)/\(child): \(kind), not a regular file")
                default: skipped += 1
                }
            }
            pending += folders.sorted(by: >).map { ($0, depth + 1) }
        }
        self.images = images.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        self.skipped = skipped
    }

    /// `.jpg`, `.jpeg` and `.png`, in any case.
    public static func isImageName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") || lower.hasSuffix(".png")
    }

    /// True when `path` names a folder (following links).
    public static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The images' full paths, in order.
    public var paths: [String] { images.map { root.hasSuffix("/") ? root + $0 : root + "/" + $0 } }
}
