#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SWSLCore

/// Finds and maps the files that ONNX external data points to, never outside the model's folder.
///
/// Each file is mapped once and shared by every tensor stored in it; tensors view the mapping
/// without copying.
struct ONNXExternalData {
    /// The folder holding the model file, as given (not resolved).
    private let folder: String
    /// Mapped files by resolved path.
    private var files: [String: ByteStorage] = [:]

    init(modelPath: String) {
        if let slash = modelPath.lastIndex(of: "/") {
            let head = String(modelPath[..<slash])
            folder = head.isEmpty ? "/" : head
        } else {
            folder = "."
        }
    }

    /// The storage and byte offset of tensor `name`'s data, exactly `byteCount` bytes long.
    /// `entries` are the tensor's `external_data` key/value pairs.
    mutating func locate(tensor name: String, entries: [(key: String, value: String)], byteCount: Int)
        throws(ReadError) -> (storage: ByteStorage, offset: Int)
    {
        let place = "tensor '\(name)'"
        var values: [String: String] = [:]
        for (key, value) in entries {
            guard values.updateValue(value, forKey: key) == nil else {
                throw .corrupt(where: place, "external_data key '\(key)' appears twice")
            }
        }
        guard let location = values["location"] else { throw .corrupt(where: place, "external_data has no location") }
        let file = try map(tensor: name, location: location)
        let offset = try Self.integer(values["offset"], key: "offset", place: place) ?? 0
        guard offset <= file.count else {
            throw .tooLarge(where: place, "external data offset \(offset) is beyond the end of '\(location)' (\(file.count) bytes)")
        }
        let length = try Self.integer(values["length"], key: "length", place: place) ?? file.count - offset
        guard length <= file.count - offset else {
            throw .tooLarge(where: place, "external data range \(offset) + \(length) exceeds '\(location)' (\(file.count) bytes)")
        }
        guard length == byteCount else {
            throw .corrupt(where: place, "external data has \(length) bytes, dims and data type need \(byteCount)")
        }
        return (file, offset)
    }

    /// Checks `location`, resolves it inside the model's folder and maps it (once).
    private mutating func map(tensor name: String, location: String) throws(ReadError) -> ByteStorage {
        func refuse(_ why: String) -> ReadError { .externalDataEscape(tensor: name, location: location, why) }
        guard !location.isEmpty else { throw refuse("the location is empty") }
        guard !location.utf8.contains(0) else { throw refuse("the location contains a NUL byte") }
        guard !location.hasPrefix("/") else { throw refuse("absolute paths are not allowed") }
        guard !location.split(separator: "/").contains("..") else { throw refuse("'..' components are not allowed") }
        guard let root = Self.realPath(folder) else {
            throw .corrupt(where: "tensor '\(name)'", "cannot resolve the model's folder '\(folder)': \(Self.lastError)")
        }
        guard let target = Self.realPath(folder + "/" + location) else {
            throw .corrupt(where: "tensor '\(name)'", "cannot resolve external data file '\(location)': \(Self.lastError)")
        }
        let inside = root.hasSuffix("/") ? root : root + "/"
        guard target.utf8.starts(with: inside.utf8) else {
            throw refuse("it resolves to '\(target)', outside the model's folder '\(root)'")
        }
        if let file = files[target] { return file }
        // Resolved, so the last component is no link now; O_NOFOLLOW keeps it so until the open.
        let file: ByteStorage
        do {
            let opened = try InputFile.open(target, followSymlinks: false)
            // A hard link inside the folder can name any file on the same file system
            // (CVE-2026-34446; onnx's checker refuses these too).
            guard opened.linkCount == 1 else {
                throw refuse("'\(target)' has \(opened.linkCount) hard links; external data must be a file with one link")
            }
            file = try ByteStorage.map(opened)
        } catch let error as ReadError {
            throw error
        } catch let error as FileAccessError {
            throw .corrupt(where: "tensor '\(name)'", "external data \(error)")
        } catch {
            throw .corrupt(where: "tensor '\(name)'", "external data: \(error)")
        }
        files[target] = file
        return file
    }

    /// A non-negative decimal integer from an external_data value, nil when the key is absent.
    private static func integer(_ text: String?, key: String, place: String) throws(ReadError) -> Int? {
        guard let text else { return nil }
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(text) else {
            throw .corrupt(where: place, "external_data \(key) '\(text)' is not a non-negative integer")
        }
        return value
    }

    /// The canonical absolute path (symlinks resolved), nil when it does not exist.
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static var lastError: String { SystemCallError.last.description }
}
