import SWSLCore

/// PyTorch's zip format (torch ≥ 1.6): `<prefix>/data.pkl` holds the object, storages are the
/// members `<prefix>/data/<key>`, `<prefix>/byteorder` says `little` or `big` (absent: little),
/// `<prefix>/version` is the format version record. The prefix is any folder name.
enum TorchZipReader {
    static func read(path: String, file: ByteStorage) throws(ReadError) -> Checkpoint {
        let zip = try ZipArchive(file: file)
        let pickles = zip.members.filter { $0.name.hasSuffix("/data.pkl") && $0.name.split(separator: "/").count == 2 }
        guard pickles.count == 1, let pickleMember = pickles.first else {
            throw .zip(member: nil, pickles.isEmpty
                ? "no <prefix>/data.pkl member: not a PyTorch checkpoint"
                : "several data.pkl members (\(pickles.map(\.name).joined(separator: ", ")))")
        }
        let prefix = String(pickleMember.name.dropLast("data.pkl".count))
        func text(_ name: String) throws(ReadError) -> String? {
            guard let m = zip.member(named: prefix + name) else { return nil }
            guard m.size <= 64 else { throw .zip(member: m.name, "record of \(m.size) bytes is too long") }
            let bytes = try zip.read(m)
            return String(decoding: bytes.bytes, as: UTF8.self).trimmingWhitespace
        }
        let byteorder = try text("byteorder") ?? "little"
        guard byteorder == "little" || byteorder == "big" else {
            throw .zip(member: prefix + "byteorder", "byte order '\(byteorder)' is neither little nor big")
        }
        var version = try text("version")
        if version == nil { version = try text(".data/version") }

        var storages: [String: StorageRef] = [:]
        let pickleBytes = try zip.read(pickleMember)
        var machine = PickleMachine(bytes: pickleBytes.bytes) { id, offset throws(ReadError) in
            let ref = try TorchPersistentID.storage(id, offset: offset)
            if let seen = storages[ref.key], seen.dtype != ref.dtype {
                throw .pickle(offset: offset, "storage '\(ref.key)' used as both \(seen.dtype) and \(ref.dtype)")
            }
            storages[ref.key] = ref
            return .storage(ref)
        }
        let root: PickleValue
        do { root = try machine.run() } catch { throw error.inMember(pickleMember.name) }

        let found = try WeightsLocator.locate(root)
        var cache = try readStorages(usedBy: found.entries, zip: zip, prefix: prefix, declared: storages)
        let resolver = TensorResolver(fetch: { ref throws(ReadError) in
            if let hit = cache[ref.key] { return hit }
            let hit = try readStorages([ref], zip: zip, prefix: prefix, declared: storages)[ref.key]!
            cache[ref.key] = hit
            return hit
        }, bigEndian: byteorder == "big")
        var facts: [(String, JSONValue)] = [("archive_prefix", .string(String(prefix.dropLast())))]
        if let version { facts.append(("zip_version", .string(version))) }
        facts.append(("byteorder", .string(byteorder)))
        if let v = try text(".format_version") { facts.append(("format_version", .string(v))) }
        if let a = try text(".storage_alignment"), let n = Int64(a) { facts.append(("storage_alignment", .int(n))) }
        facts.append(("storage_count", .int(Int64(storages.count))))
        facts += found.facts
        var checkpoint = Checkpoint(
            path: path, format: .pytorchZip, facts: facts, weights: try resolver.resolve(found.entries),
            wrapper: found.wrapper, prefix: found.prefix, object: root)
        checkpoint.scriptCode = try scriptCode(zip: zip, prefix: prefix)
        return checkpoint
    }

    /// Bytes of TorchScript code read at most (a ResNet-152's is about 0.5 MB): past it, the rest is not read.
    static let scriptCodeLimit = 16 << 20

    /// A TorchScript archive's `.py` code members below `<prefix>code/`, as text, up to `scriptCodeLimit` bytes.
    static func scriptCode(zip: ZipArchive, prefix: String) throws(ReadError) -> [String: String] {
        var code: [String: String] = [:]
        var total = 0
        for member in zip.members where member.name.hasPrefix(prefix + "code/") && member.name.hasSuffix(".py") {
            guard total + member.size <= scriptCodeLimit else { break }
            total += member.size
            let bytes = try zip.read(member)
            code[String(member.name.dropFirst(prefix.count + "code/".count))] = String(decoding: bytes.bytes, as: UTF8.self)
        }
        return code
    }
}

extension TorchZipReader {
    /// Reads the storages the weights use, in first-use order: stored members as slices of the file,
    /// their CRC-32s checked on all cores; each sized as the pickle declares it.
    static func readStorages(usedBy entries: [(String, TensorRef)], zip: ZipArchive, prefix: String,
                             declared: [String: StorageRef]) throws(ReadError) -> [String: ByteStorage] {
        var used: [StorageRef] = []
        var seen = Set<String>()
        for (_, ref) in entries where ref.resolved == nil && seen.insert(ref.storage.key).inserted {
            used.append(ref.storage)
        }
        return try readStorages(used, zip: zip, prefix: prefix, declared: declared)
    }

    private static func readStorages(_ refs: [StorageRef], zip: ZipArchive, prefix: String,
                                     declared: [String: StorageRef]) throws(ReadError) -> [String: ByteStorage] {
        var members: [ZipArchive.Member] = []
        for ref in refs {
            let name = "\(prefix)data/\(ref.key)"
            guard !ref.key.contains("/"), let member = zip.member(named: name) else {
                throw .zip(member: name, "storage '\(ref.key)' is missing")
            }
            members.append(member)
        }
        var out: [String: ByteStorage] = [:]
        for (i, bytes) in try zip.read(members).enumerated() {
            let ref = refs[i]
            out[ref.key] = try TensorResolver.checkedStorage(bytes, for: declared[ref.key] ?? ref,
                                                             place: "zip member '\(members[i].name)'")
        }
        return out
    }
}

extension ReadError {
    /// Names the zip member a pickle error happened in.
    func inMember(_ member: String) -> ReadError {
        switch self {
        case .pickle(let offset, let m): .zip(member: member, "pickle offset \(offset): \(m)")
        case .forbiddenGlobal: .zip(member: member, description)
        case .truncated(_, let e): .zip(member: member, "pickle \(e)")
        default: self
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
