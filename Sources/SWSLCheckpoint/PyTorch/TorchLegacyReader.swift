import SWSLCore

/// PyTorch's legacy stream (torch 0.4–1.5, and `_use_new_zipfile_serialization=False`): five pickles
/// in a row (magic number, protocol version 1001, sys_info, the object, the sorted storage keys),
/// then each storage as an int64 element count followed by its raw bytes.
enum TorchLegacyReader {
    /// 0x1950a86a20f9469cfc6c, little-endian, as LONG1 writes it.
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// True when the bytes start with the legacy magic number pickle: PROTO, then (protocol 4 and up,
    /// `torch.save(..., pickle_protocol=4)`) an optional FRAME, then LONG1 of the 10-byte magic.
    static func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 14, bytes[0] == 0x80 else { return false }
        let long1 = bytes[1] >= 4 && bytes[2] == 0x95 ? 11 : 2
        return bytes.count >= long1 + 12 && bytes[long1] == 0x8A && bytes[long1 + 1] == 10
            && Array(bytes[(long1 + 2)..<(long1 + 12)]) == magic
    }

    static func read(path: String, file: ByteStorage) throws(ReadError) -> Checkpoint {
        var offset = 0
        func nextPickle(_ load: @escaping PickleMachine.PersistentLoad) throws(ReadError) -> PickleValue {
            var machine = PickleMachine(
                bytes: UnsafeRawBufferPointer(rebasing: file.bytes[offset...]), baseOffset: offset, persistentLoad: load)
            let value = try machine.run()
            offset += machine.endOffset
            return value
        }
        guard case .bigInt(let m) = try nextPickle(TorchLegacyReader.refuse), m == magic else {
            throw .corrupt(where: "offset 0", "not the PyTorch legacy magic number")
        }
        let protocolVersion = try nextPickle(TorchLegacyReader.refuse)
        guard protocolVersion.int == 1001 else {
            throw .corrupt(where: "offset \(offset)", "legacy protocol version \(protocolVersion.int.map(String.init) ?? protocolVersion.kindName), expected 1001")
        }
        let sysInfo = try nextPickle(TorchLegacyReader.refuse)
        let littleEndian = sysInfo.dict?["little_endian"].flatMap(\.int).map { $0 != 0 } ?? true

        var storages: [String: StorageRef] = [:]
        let root = try nextPickle { id, at throws(ReadError) in
            // ('module', class, source_file, source): the class of a pickled module, kept as a name.
            if let parts = id.items, parts.first?.string == "module", parts.count >= 2 { return parts[1] }
            let ref = try TorchPersistentID.storage(id, offset: at)
            let rootKey = ref.viewOf?.key ?? ref.key
            if ref.viewOf != nil, storages[rootKey] == nil, let parts = id.items, let n = parts[4].int {
                storages[rootKey] = StorageRef(key: rootKey, dtype: ref.dtype, elementCount: Int(n), viewOf: nil)
            } else if ref.viewOf == nil {
                storages[ref.key] = ref
            }
            return .storage(ref)
        }
        let keysAt = offset
        guard let keys = try nextPickle(TorchLegacyReader.refuse).items?.compactMap(\.string) else {
            throw .corrupt(where: "offset \(keysAt)", "storage key list is not a list of strings")
        }

        // Storage data follows in key order: int64 element count, then the elements.
        var data: [String: ByteStorage] = [:]
        var reader = ByteReader(file.bytes)
        do { try reader.skip(offset) } catch { throw .truncated(context: "storages", error) }
        for key in keys {
            guard let ref = storages[key] else {
                throw .corrupt(where: "offset \(reader.fileOffset)", "storage '\(key)' is listed but no tensor uses it")
            }
            let start = reader.fileOffset
            do {
                let raw = littleEndian ? try reader.readLE(Int64.self) : try reader.readBE(Int64.self)
                let (bytes, overflow) = Int(clamping: raw).multipliedReportingOverflow(by: ref.dtype.byteSize)
                guard raw >= 0, !overflow, bytes <= reader.remaining else {
                    throw ReadError.tooLarge(where: "offset \(start)", "storage '\(key)' declares \(raw) elements, \(reader.remaining) bytes remain")
                }
                if let declared = ref.elementCount, declared != Int(raw) {
                    throw ReadError.corrupt(where: "offset \(start)", "storage '\(key)' holds \(raw) elements, the pickle says \(declared)")
                }
                let dataStart = reader.offset
                try reader.skip(bytes)
                data[key] = file.slice(dataStart..<dataStart + bytes)
            } catch let e as ByteReaderError {
                throw .truncated(context: "storage '\(key)'", e)
            } catch let e as ReadError {
                throw e
            } catch {
                throw .corrupt(where: "offset \(start)", "\(error)")
            }
        }

        let found = try WeightsLocator.locate(root)
        let resolver = TensorResolver(fetch: { ref throws(ReadError) in
            let rootKey = ref.viewOf?.key ?? ref.key
            guard let bytes = data[rootKey] else {
                throw .corrupt(where: "storage '\(rootKey)'", "is used by a tensor but has no data")
            }
            guard let (_, start) = ref.viewOf else { return bytes }
            let size = ref.dtype.byteSize
            let count = ref.elementCount ?? 0
            guard start <= bytes.count / size, count <= bytes.count / size - start else {
                throw .tooLarge(where: "storage '\(ref.key)'", "view of \(count) elements at \(start) exceeds its root '\(rootKey)'")
            }
            return bytes.slice(start * size..<(start + count) * size)
        }, bigEndian: !littleEndian)
        return Checkpoint(
            path: path, format: .pytorchLegacy,
            facts: [("magic_number", .string("0x1950a86a20f9469cfc6c")), ("protocol_version", .int(1001)),
                    ("sys_info", sysInfo.json), ("storage_count", .int(Int64(keys.count)))] + found.facts,
            weights: try resolver.resolve(found.entries), wrapper: found.wrapper, prefix: found.prefix, object: root)
    }

    /// Persistent ids are only legal in the object pickle.
    static func refuse(_ id: PickleValue, _ offset: Int) throws(ReadError) -> PickleValue {
        throw .pickle(offset: offset, "unexpected persistent id")
    }
}
