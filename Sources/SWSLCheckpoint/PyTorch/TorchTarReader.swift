import SWSLCore

/// PyTorch's tar format (torch ≤ 0.3). Members:
/// - `sys_info`: a pickled dict (`little_endian`, `type_sizes`, …);
/// - `storages`: pickle(count), then per storage pickle((key, location, storage_type)), an int64
///   element count and the raw elements; then pickle([(view_key, root_key, offset, numel), …]);
/// - `tensors`: pickle(count), then per tensor pickle((key, storage_key, tensor_type)), int32 ndim,
///   4 padding bytes, ndim int64 sizes, ndim int64 strides, int64 storage offset;
/// - `pickle`: the object, naming tensors and storages by their keys as persistent ids.
enum TorchTarReader {
    static func read(path: String, file: ByteStorage) throws(ReadError) -> Checkpoint {
        let tar = try TarArchive(file.bytes)
        func member(_ name: String) throws(ReadError) -> (ByteStorage, Int) {
            guard let range = tar.members[name] else { throw .corrupt(where: "tar", "member '\(name)' is missing") }
            return (file.slice(range), range.lowerBound)
        }
        let (sysBytes, sysAt) = try member("sys_info")
        var sysMachine = PickleMachine(bytes: sysBytes.bytes, baseOffset: sysAt, persistentLoad: TorchLegacyReader.refuse)
        let sysInfo = try sysMachine.run()
        let littleEndian = sysInfo.dict?["little_endian"].flatMap(\.int).map { $0 != 0 } ?? true

        var storages: [String: (StorageRef, ByteStorage)] = [:]
        var stream = try MemberStream(member: "storages", member("storages"), littleEndian: littleEndian)
        let storageCount = try stream.count()
        for _ in 0..<storageCount {
            let args = try stream.pickle()
            guard let parts = args.items, parts.count == 3, let key = TorchTarReader.key(parts[0]),
                  case .global(let typeName) = parts[2], let dtype = PickleAllowList.storageTypes[typeName]
            else { throw stream.error("storage record is not (key, location, storage_type)") }
            let numel = try stream.int64()
            let bytes = try stream.data(elements: numel, size: dtype.byteSize, what: "storage '\(key)'")
            storages[key] = (StorageRef(key: key, dtype: dtype, elementCount: Int(numel), viewOf: nil), bytes)
        }
        for view in try stream.pickle().items ?? [] {
            guard let v = view.items, v.count == 4, let key = TorchTarReader.key(v[0]), let rootKey = TorchTarReader.key(v[1]),
                  let (root, bytes) = storages[rootKey], let start = v[2].int, let count = v[3].int,
                  start >= 0, count >= 0, start <= bytes.count / root.dtype.byteSize,
                  count <= bytes.count / root.dtype.byteSize - Int(start)
            else { throw stream.error("storage view record is malformed or outside its root storage") }
            let size = root.dtype.byteSize
            storages[key] = (StorageRef(key: key, dtype: root.dtype, elementCount: Int(count), viewOf: nil),
                             bytes.slice(Int(start) * size..<Int(start + count) * size))
        }

        var tensors: [String: TensorRef] = [:]
        stream = try MemberStream(member: "tensors", member("tensors"), littleEndian: littleEndian)
        let tensorCount = try stream.count()
        for _ in 0..<tensorCount {
            let args = try stream.pickle()
            guard let parts = args.items, parts.count == 3, let key = TorchTarReader.key(parts[0]),
                  let storageKey = TorchTarReader.key(parts[1]), let (storage, _) = storages[storageKey]
            else { throw stream.error("tensor record is not (key, storage_key, type) of a known storage") }
            let ndim = try stream.int32()
            guard ndim >= 0, ndim <= 64 else { throw stream.error("tensor '\(key)' has \(ndim) dimensions") }
            try stream.skip(4)
            var shape: [Int] = [], strides: [Int] = []
            for _ in 0..<ndim { shape.append(Int(clamping: try stream.int64())) }
            for _ in 0..<ndim { strides.append(Int(clamping: try stream.int64())) }
            let offset = Int(clamping: try stream.int64())
            tensors[key] = TensorRef(storage: storage, storageOffset: offset, shape: shape, strides: strides, requiresGrad: false)
        }

        let (pickleBytes, pickleAt) = try member("pickle")
        var machine = PickleMachine(bytes: pickleBytes.bytes, baseOffset: pickleAt) { id, at throws(ReadError) in
            if let parts = id.items { return parts.first ?? .none }  // module source records
            guard let key = TorchTarReader.key(id) else { throw .pickle(offset: at, "persistent id is a \(id.kindName)") }
            if let t = tensors[key] { return .tensor(t) }
            if let (s, _) = storages[key] { return .storage(s) }
            throw .pickle(offset: at, "persistent id '\(key)' names no tensor or storage")
        }
        let root = try machine.run()
        let found = try WeightsLocator.locate(root)
        let resolver = TensorResolver(fetch: { ref throws(ReadError) in
            guard let (_, bytes) = storages[ref.key] else { throw .corrupt(where: "storage '\(ref.key)'", "has no data") }
            return bytes
        }, bigEndian: !littleEndian)
        return Checkpoint(
            path: path, format: .pytorchTar,
            facts: [("members", .array(tar.names.map(JSONValue.string))), ("sys_info", sysInfo.json),
                    ("protocol_version", sysInfo.dict?["protocol_version"]?.json ?? .null),
                    ("storage_count", .int(Int64(storages.count)))] + found.facts,
            weights: try resolver.resolve(found.entries), wrapper: found.wrapper, prefix: found.prefix, object: root)
    }

    /// Keys are integers in the records and strings in persistent ids; both become decimal strings.
    static func key(_ value: PickleValue) -> String? {
        value.int.map(String.init) ?? value.string
    }
}

/// Sequential reading of a tar member that mixes pickles and raw little-endian numbers.
private struct MemberStream {
    let member: String
    let storage: ByteStorage
    let base: Int
    let littleEndian: Bool
    var reader: ByteReader

    init(member: String, _ located: (ByteStorage, Int), littleEndian: Bool) throws(ReadError) {
        self.member = member
        self.storage = located.0
        self.base = located.1
        self.littleEndian = littleEndian
        self.reader = ByteReader(located.0.bytes, baseOffset: located.1)
    }

    func error(_ message: String) -> ReadError {
        .corrupt(where: "tar member '\(member)' offset \(reader.offset)", message)
    }

    mutating func pickle() throws(ReadError) -> PickleValue {
        var machine = PickleMachine(
            bytes: UnsafeRawBufferPointer(rebasing: storage.bytes[reader.offset...]), baseOffset: reader.fileOffset,
            persistentLoad: TorchLegacyReader.refuse)
        let value = try machine.run()
        try skip(machine.endOffset)
        return value
    }

    /// A pickled non-negative count, bounded by the member's size.
    mutating func count() throws(ReadError) -> Int {
        guard let n = try pickle().int, n >= 0, n <= Int64(storage.count) else { throw error("bad record count") }
        return Int(n)
    }

    mutating func skip(_ n: Int) throws(ReadError) {
        do { try reader.skip(n) } catch { throw .truncated(context: "tar member '\(member)'", error) }
    }

    mutating func int64() throws(ReadError) -> Int64 {
        do { return littleEndian ? try reader.readLE(Int64.self) : try reader.readBE(Int64.self) } catch {
            throw .truncated(context: "tar member '\(member)'", error)
        }
    }

    mutating func int32() throws(ReadError) -> Int32 {
        do { return littleEndian ? try reader.readLE(Int32.self) : try reader.readBE(Int32.self) } catch {
            throw .truncated(context: "tar member '\(member)'", error)
        }
    }

    /// `elements × size` raw bytes, checked against what remains.
    mutating func data(elements: Int64, size: Int, what: String) throws(ReadError) -> ByteStorage {
        let (bytes, overflow) = Int(clamping: elements).multipliedReportingOverflow(by: size)
        guard elements >= 0, !overflow, bytes <= reader.remaining else {
            throw .tooLarge(where: "tar member '\(member)' offset \(reader.offset)", "\(what) declares \(elements) elements, \(reader.remaining) bytes remain")
        }
        let start = reader.offset
        try skip(bytes)
        return storage.slice(start..<start + bytes)
    }
}
